//! Calling the protected API with the access token, and turning its
//! RFC 6750 refusals into plain words.

use crate::oauth::bearer::parse_bearer_challenge;
use crate::oauth::http::{HttpRequest, HttpResponse};
use crate::oauth::secret::AccessToken;

use super::error::AuthError;
use super::timing::retry_after_ms;

/// The demo API's greeting route.
pub const GREETING_PATH: &str = "/api/greeting";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("The API could not be reached. Check that it is running, then try again.")]
    Unreachable,
    #[error("The API did not accept the access token ({0}). Sign in again to get a new one.")]
    InvalidToken(String),
    #[error("The API needs the scope \"{0}\", which this sign-in did not grant.")]
    InsufficientScope(String),
    #[error("The API is busy. Try again in {0} s.")]
    Busy(u64),
    #[error("The API is busy. Try again in a moment.")]
    BusyNoHint,
    #[error("The API answered HTTP {0}.")]
    Status(u16),
}

/// Why an API call failed: the API's answer, or the session's renewal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiCallError {
    #[error("{0}")]
    Api(ApiError),
    #[error("{0}")]
    Renewal(AuthError),
}

/// A GET of `path` below the API's base URL with `Authorization: Bearer
/// <token>` (never in the URL).
pub fn request(api_base_url: &str, path: &str, token: &AccessToken) -> HttpRequest {
    HttpRequest::get(format!("{api_base_url}{path}"))
        .with_header("Authorization", format!("Bearer {}", token.secret()))
}

/// The body of a 2xx answer, or what the refusal means.
pub fn interpret(response: HttpResponse) -> Result<String, ApiError> {
    if (200..300).contains(&response.status) {
        return Ok(response.body);
    }
    let challenge = response.www_authenticate.as_deref().and_then(parse_bearer_challenge).unwrap_or_default();
    match (response.status, challenge.error.as_deref()) {
        (403, Some("insufficient_scope")) => {
            Err(ApiError::InsufficientScope(challenge.scope.unwrap_or_else(|| "unknown".into())))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, challenge: Option<&str>) -> HttpResponse {
        HttpResponse {
            status,
            www_authenticate: challenge.map(Into::into),
            retry_after: None,
            body: "{}".into(),
        }
    }

    #[test]
    fn success_returns_the_body() {
        assert_eq!(interpret(response(200, None)), Ok("{}".into()));
    }

    #[test]
    fn invalid_token_asks_to_sign_in_again() {
        let r =
            response(401, Some(r#"Bearer error="invalid_token", error_description="the token has expired""#));
        assert_eq!(interpret(r), Err(ApiError::InvalidToken("the token has expired".into())));
    }

    #[test]
    fn insufficient_scope_names_the_scope() {
        let r = response(403, Some(r#"Bearer error="insufficient_scope", scope="api:read""#));
        let err = interpret(r).unwrap_err();
        assert_eq!(err, ApiError::InsufficientScope("api:read".into()));
        assert_eq!(
            err.to_string(),
            "The API needs the scope \"api:read\", which this sign-in did not grant."
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
}
