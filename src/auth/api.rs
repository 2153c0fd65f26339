//! Calling the protected API with the access token, and turning its
//! RFC 6750 refusals into plain words.

use crate::oauth::bearer::parse_bearer_challenge;
use crate::oauth::http::{HttpClient, HttpRequest, HttpResponse};
use crate::oauth::secret::AccessToken;

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
    #[error("The API answered HTTP {0}.")]
    Status(u16),
}

/// GETs `path` from the API with `Authorization: Bearer <token>` (never in
/// the URL) and returns the body of a 2xx answer.
pub async fn get(
    http: &impl HttpClient,
    api_base_url: &str,
    path: &str,
    token: &AccessToken,
) -> Result<String, ApiError> {
    let request = HttpRequest::get(format!("{api_base_url}{path}"))
        .with_header("Authorization", format!("Bearer {}", token.secret()));
    let response = http.send(request).await.map_err(|_| ApiError::Unreachable)?;
    interpret(response)
}

fn interpret(response: HttpResponse) -> Result<String, ApiError> {
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
        (status, _) => Err(ApiError::Status(status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, challenge: Option<&str>) -> HttpResponse {
        HttpResponse { status, www_authenticate: challenge.map(Into::into), body: "{}".into() }
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
    fn other_failures_report_the_status() {
        assert_eq!(interpret(response(500, None)), Err(ApiError::Status(500)));
    }
}
