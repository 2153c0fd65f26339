//! Refusals per RFC 6750 §3 and RFC 9449 §7.1: the status code, a
//! `WWW-Authenticate` challenge the client can act on (for the scheme it
//! used: `Bearer` or `DPoP`), and a JSON body a person can read.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::dpop::PROOF_ALGORITHM_NAMES;

pub const REALM: &str = "demo-api";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No credentials at all: a bare challenge for each accepted scheme, no
    /// error code (§3.1); `bearer` is whether Bearer is one of them.
    #[error("this API needs an access token in the Authorization header")]
    MissingToken { bearer: bool },
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error("{0}")]
    InvalidToken(&'static str),
    /// (RFC 6750 §3: a description may not contain `"` or `\\`.)
    #[error("the access token lacks the scope {0}")]
    InsufficientScope(&'static str),
    /// A request with the DPoP scheme, or one that must use it (RFC 9449 §7.1).
    #[error("{0}")]
    Dpop(DpopRefusal),
    /// The replay cache is full of live proofs: refusing is safer than
    /// forgetting one that still guards against a replay.
    #[error("the API is busy; try again in a moment")]
    ReplayCacheFull { retry_after: u64 },
}

/// Why a request under the DPoP scheme was refused, as its challenge says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopRefusal {
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error("{0}")]
    InvalidToken(&'static str),
    #[error("the access token lacks the scope {0}")]
    InsufficientScope(&'static str),
    #[error("{0}")]
    InvalidProof(&'static str),
    /// The proof needs this server nonce (§9): sent in `DPoP-Nonce`.
    #[error("the DPoP proof must carry the nonce this API gives")]
    UseNonce(String),
}

/// The `DPoP-Nonce` response header (RFC 9449 §8).
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

impl Rejection {
    fn status(&self) -> StatusCode {
        match self {
            Self::MissingToken { .. } | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest(_) | Self::Dpop(DpopRefusal::InvalidRequest(_)) => StatusCode::BAD_REQUEST,
            Self::InsufficientScope(_) | Self::Dpop(DpopRefusal::InsufficientScope(_)) => StatusCode::FORBIDDEN,
            Self::Dpop(_) => StatusCode::UNAUTHORIZED,
            Self::ReplayCacheFull { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::MissingToken { .. } | Self::ReplayCacheFull { .. } => None,
            Self::InvalidRequest(_) | Self::Dpop(DpopRefusal::InvalidRequest(_)) => Some("invalid_request"),
            Self::InvalidToken(_) | Self::Dpop(DpopRefusal::InvalidToken(_)) => Some("invalid_token"),
            Self::InsufficientScope(_) | Self::Dpop(DpopRefusal::InsufficientScope(_)) => Some("insufficient_scope"),
            Self::Dpop(DpopRefusal::InvalidProof(_)) => Some("invalid_dpop_proof"),
            Self::Dpop(DpopRefusal::UseNonce(_)) => Some("use_dpop_nonce"),
        }
    }

    /// The `WWW-Authenticate` value. Descriptions are fixed strings of ours,
    /// never input, so they leak nothing; they are still quoted properly.
    pub fn challenge(&self) -> Option<String> {
        let dpop = format!("DPoP algs={}", quoted(PROOF_ALGORITHM_NAMES));
        let mut challenge = match self {
            Self::MissingToken { bearer: true } => return Some(format!("Bearer realm={}, {dpop}", quoted(REALM))),
            Self::MissingToken { bearer: false } => return Some(dpop),
            Self::ReplayCacheFull { .. } => return None,
            Self::Dpop(_) => dpop,
            _ => format!("Bearer realm={}", quoted(REALM)),
        };
        if let Some(code) = self.error_code() {
            challenge.push_str(&format!(
                ", error={}, error_description={}",
                quoted(code),
                quoted(&self.to_string())
            ));
        }
        if let Self::InsufficientScope(scope) | Self::Dpop(DpopRefusal::InsufficientScope(scope)) = self {
            challenge.push_str(&format!(", scope={}", quoted(scope)));
        }
        Some(challenge)
    }
}

/// An RFC 9110 §5.6.4 quoted-string.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.error_code().unwrap_or(match self {
                Self::ReplayCacheFull { .. } => "temporarily_unavailable",
                _ => "unauthorized",
            }),
            "error_description": self.to_string(),
        });
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(value) = self.challenge().and_then(|challenge| HeaderValue::from_str(&challenge).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        if let Self::Dpop(DpopRefusal::UseNonce(nonce)) = &self
            && let Ok(value) = HeaderValue::from_str(nonce)
        {
            headers.insert(DPOP_NONCE, value);
        }
        if let Self::ReplayCacheFull { retry_after } = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}
