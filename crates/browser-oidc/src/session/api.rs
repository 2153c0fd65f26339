//! Calling a protected API with the access token, and turning its
//! RFC 6750 refusals into plain words.

use crate::oauth::bearer::parse_bearer_challenge;
use crate::oauth::http::{HttpRequest, HttpResponse, Method};
use crate::oauth::secret::AccessToken;

use super::error::AuthError;
use super::timing::retry_after_ms;
use crate::messages::{Describe, Text, display_in_english};

/// A request the app wants sent with the access token.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The URL: on one of the configuration's protected APIs.
    pub url: String,
    /// Headers of the app's own (`Authorization` is added).
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<String>,
}

impl ApiRequest {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self { method, url: url.into(), headers: Vec::new(), body: None }
    }

    /// With a header added.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// With a JSON body (and its `Content-Type`).
    pub fn json(self, body: impl Into<String>) -> Self {
        Self { body: Some(body.into()), ..self.header("Content-Type", "application/json") }
    }
}

/// Bodies may carry personal data: `Debug` shows the method, URL and header names.
impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// What the app asked for: a request sent for it, or only the headers
/// that authorize one it sends itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCallKind {
    /// Send this request with the access token.
    Send(ApiRequest),
    /// The headers for `method` on `url`.
    Authorize {
        /// The method the app will use.
        method: Method,
        /// The URL the app will call.
        url: String,
    },
}

impl ApiCallKind {
    /// The URL the token would go to.
    pub fn url(&self) -> &str {
        match self {
            Self::Send(request) => &request.url,
            Self::Authorize { url, .. } => url,
        }
    }
}

/// A protected API's answer (a 2xx status). `Debug` leaves the body out:
/// it may carry personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl std::fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiResponse").field("status", &self.status).field("body", &"[redacted]").finish()
    }
}

/// The headers that authorize one request (today `Authorization: Bearer`;
/// with sender-constrained tokens, a proof too). `Debug` shows names only.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationHeaders(pub Vec<(String, String)>);

impl std::fmt::Debug for AuthorizationHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(name, _)| name)).finish()
    }
}

/// A successful call: the answer, or the headers asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiAnswer {
    /// The API's answer to a sent request.
    Response(ApiResponse),
    /// The headers for a request the app sends itself.
    Authorization(AuthorizationHeaders),
}

/// How a protected API refused, or could not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request got no answer.
    Unreachable,
    /// 401: the token was refused; holds the challenge's `error_description`.
    InvalidToken(String),
    /// 401 `invalid_dpop_proof`: the API refused this tab's DPoP proof.
    ProofRefused,
    /// 403 `insufficient_scope`; holds the scope the API asked for (RFC 6750 §3.1).
    InsufficientScope(String),
    /// 429 or 503 with a `Retry-After`, in whole seconds.
    Busy(u64),
    /// 429 or 503 without a usable `Retry-After`.
    BusyNoHint,
    /// Any other non-2xx status.
    Status(u16),
}

/// Why an API call failed: the API's answer, the session's renewal, or a
/// URL the token must not go to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiCallError {
    /// The API refused or could not be reached.
    Api(ApiError),
    /// No fresh access token could be had.
    Renewal(AuthError),
    /// The URL is not on a protected API of the configuration.
    NotProtected(String),
}

/// The headers that carry `token` (never the URL: RFC 6750 §2.1), in the
/// `DPoP` scheme when it is bound to this tab's key (RFC 9449 §7.1; the
/// proof itself is the browser layer's, made just before sending).
pub fn authorization(token: &AccessToken, dpop: bool) -> AuthorizationHeaders {
    let scheme = if dpop { "DPoP" } else { "Bearer" };
    AuthorizationHeaders(vec![("Authorization".into(), format!("{scheme} {}", token.secret()))])
}

/// `request` with the authorization headers added, marked for a DPoP
/// proof when the token is bound.
pub fn request(request: &ApiRequest, token: &AccessToken, dpop: bool) -> HttpRequest {
    let mut http = HttpRequest::get(request.url.clone()).with_dpop(dpop);
    http.method = request.method;
    http.body = request.body.clone();
    for (name, value) in request.headers.iter().cloned().chain(authorization(token, dpop).0) {
        http.headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
        http.headers.push((name.into(), value));
    }
    http
}

/// A 2xx answer, or what the refusal means.
pub fn interpret(response: HttpResponse) -> Result<ApiResponse, ApiError> {
    if (200..300).contains(&response.status) {
        return Ok(ApiResponse { status: response.status, body: response.body });
    }
    let challenge = response.www_authenticate.as_deref().and_then(parse_bearer_challenge).unwrap_or_default();
    match (response.status, challenge.error.as_deref()) {
        (403, Some("insufficient_scope")) => {
            Err(ApiError::InsufficientScope(challenge.scope.unwrap_or_else(|| "unknown".into())))
        }
        // The token is fine; the proof is not (most often a device clock far
        // off): a new token would not help.
        (401, Some("invalid_dpop_proof")) => Err(ApiError::ProofRefused),
        (401, _) => Err(ApiError::InvalidToken(
            challenge.error_description.unwrap_or_else(|| "no reason given".into()),
        )),
        (429 | 503, _) => Err(match retry_after_ms(response.retry_after.as_deref()) {
            Some(ms) => ApiError::Busy(ms.div_ceil(1000)),
            None => ApiError::BusyNoHint,
        }),
        (status, _) => Err(ApiError::Status(status)),
    }
}

impl Describe for ApiError {
    fn text(&self) -> Text {
        match self {
            Self::Unreachable => Text::new("api_error.unreachable"),
            Self::InvalidToken(_) => Text::new("api_error.invalid_token"),
            Self::ProofRefused => Text::new("api_error.proof_refused"),
            Self::InsufficientScope(scope) => Text::new("api_error.insufficient_scope").quoting("scope", scope),
            Self::Busy(seconds) => Text::new("api_error.busy").with("seconds", Text::counted("unit.seconds", *seconds)),
            Self::BusyNoHint => Text::new("api_error.busy_no_hint"),
            Self::Status(status) => Text::new("api_error.status").quoting("status", status),
        }
    }
}

impl Describe for ApiCallError {
    fn text(&self) -> Text {
        match self {
            Self::Api(error) => error.text(),
            Self::Renewal(error) => error.text(),
            Self::NotProtected(url) => Text::new("api_call.not_protected").quoting("url", url),
        }
    }
}

display_in_english!(ApiError, ApiCallError);

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, challenge: Option<&str>) -> HttpResponse {
        HttpResponse {
            status,
            www_authenticate: challenge.map(Into::into),
            retry_after: None,
            dpop_nonce: None,
            body: "{}".into(),
        }
    }

    #[test]
    fn success_returns_the_body() {
        assert_eq!(interpret(response(200, None)), Ok(ApiResponse { status: 200, body: "{}".into() }));
    }

    #[test]
    fn invalid_token_asks_to_sign_in_again() {
        let r =
            response(401, Some(r#"Bearer error="invalid_token", error_description="the token has expired""#));
        assert_eq!(interpret(r), Err(ApiError::InvalidToken("the token has expired".into())));
    }

    #[test]
    fn a_dpop_refusal_is_read_like_a_bearer_one_and_a_refused_proof_is_its_own_error() {
        let r = response(403, Some(r#"DPoP algs="ES256", error="insufficient_scope", scope="api:read""#));
        assert_eq!(interpret(r), Err(ApiError::InsufficientScope("api:read".into())));
        let r = response(401, Some(r#"DPoP algs="ES256", error="invalid_dpop_proof", error_description="iat""#));
        assert_eq!(interpret(r), Err(ApiError::ProofRefused));
        let r = response(401, Some(r#"DPoP algs="ES256", error="invalid_token", error_description="expired""#));
        assert_eq!(interpret(r), Err(ApiError::InvalidToken("expired".into())));
    }

    #[test]
    fn insufficient_scope_names_the_scope() {
        let r = response(403, Some(r#"Bearer error="insufficient_scope", scope="api:read""#));
        let err = interpret(r).unwrap_err();
        assert_eq!(err, ApiError::InsufficientScope("api:read".into()));
        assert_eq!(
            err.to_string(),
            "The API needs the scope \"api:read\", which this sign-in did not grant. Ask the app's administrator for it."
        );
    }

    #[test]
    fn busy_answers_say_when_to_try_again() {
        let busy = HttpResponse { retry_after: Some("12".into()), ..response(429, None) };
        assert_eq!(interpret(busy), Err(ApiError::Busy(12)));
        assert_eq!(interpret(response(503, None)), Err(ApiError::BusyNoHint));
    }

    #[test]
    fn other_failures_report_the_status() {
        assert_eq!(interpret(response(500, None)), Err(ApiError::Status(500)));
    }

    #[test]
    fn debug_shows_what_a_request_is_but_no_value_or_body() {
        let request = ApiRequest::new(Method::Post, "https://api.test/notes")
            .header("X-Secret", "header-value")
            .json(r#"{"note":"personal"}"#);
        let shown = format!("{request:?}");
        for seen in ["Post", "https://api.test/notes", "X-Secret", "Content-Type"] {
            assert!(shown.contains(seen), "{seen} missing from {shown}");
        }
        assert!(!shown.contains("header-value") && !shown.contains("personal"), "{shown}");

        let response = ApiResponse { status: 201, body: "personal".into() };
        let shown = format!("{response:?}");
        assert!(shown.contains("201") && !shown.contains("personal"), "{shown}");

        let headers = AuthorizationHeaders(vec![("Authorization".into(), "DPoP the-token".into()), ("DPoP".into(), "the-proof".into())]);
        assert_eq!(format!("{headers:?}"), r#"["Authorization", "DPoP"]"#);
    }
}
