//! Refusals per RFC 6750 §3: the status code, a `WWW-Authenticate: Bearer`
//! challenge the client can act on, and a JSON body a person can read.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const REALM: &str = "demo-api";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No credentials at all: a bare challenge, no error code (§3.1).
    #[error("this API needs an access token in the Authorization header")]
    MissingToken,
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error("{0}")]
    InvalidToken(&'static str),
    #[error("the access token lacks the scope \"{0}\"")]
    InsufficientScope(&'static str),
}

impl Rejection {
    fn status(&self) -> StatusCode {
        match self {
            Self::MissingToken | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::InsufficientScope(_) => StatusCode::FORBIDDEN,
        }
    }

    fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::MissingToken => None,
            Self::InvalidRequest(_) => Some("invalid_request"),
            Self::InvalidToken(_) => Some("invalid_token"),
            Self::InsufficientScope(_) => Some("insufficient_scope"),
        }
    }

    /// The `WWW-Authenticate` value. Descriptions are fixed strings of ours,
    /// never input, so they leak nothing; they are still quoted properly.
    pub fn challenge(&self) -> String {
        let mut challenge = format!("Bearer realm={}", quoted(REALM));
        if let Some(code) = self.error_code() {
            challenge.push_str(&format!(
                ", error={}, error_description={}",
                quoted(code),
                quoted(&self.to_string())
            ));
        }
        if let Self::InsufficientScope(scope) = self {
            challenge.push_str(&format!(", scope={}", quoted(scope)));
        }
        challenge
    }
}

/// An RFC 9110 §5.6.4 quoted-string.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.error_code().unwrap_or("unauthorized"),
            "error_description": self.to_string(),
        });
        let mut response = (self.status(), Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&self.challenge()) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
