//! The provider's `{error, error_description, error_uri}` (RFC 6749 §4.1.2.1, §5.2).

use serde::Deserialize;

/// An error the provider answered with, from a redirect or a token response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProviderError {
    /// The error code, e.g. `invalid_grant` or `access_denied`.
    pub error: String,
    /// A human-readable explanation, for developers; may be absent.
    #[serde(default)]
    pub error_description: Option<String>,
    /// A web page with more about the error, if the provider gives one.
    #[serde(default)]
    pub error_uri: Option<String>,
}

impl ProviderError {
    /// An error with a code and an optional description, and no `error_uri`.
    pub fn new(error: impl Into<String>, description: Option<String>) -> Self {
        Self { error: error.into(), error_description: description, error_uri: None }
    }

    /// A sentence a person can read: the provider's own description when it
    /// gave one, else a plain explanation of the standard code.
    fn explanation(&self) -> &str {
        if let Some(description) = self.error_description.as_deref().filter(|d| !d.is_empty()) {
            return description;
        }
        match self.error.as_str() {
            "access_denied" => "access was denied",
            "invalid_request" => "the request was malformed",
            "invalid_grant" => "the sign-in code or session is no longer valid",
            "invalid_client" | "unauthorized_client" => {
                "this app is not registered with the provider as configured"
            }
            "invalid_scope" => "a requested scope is not allowed",
            "login_required" | "interaction_required" | "consent_required" => "you need to sign in again",
            "server_error" | "temporarily_unavailable" => "the provider had a problem; try again shortly",
            _ => "the provider refused the request",
        }
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.explanation(), self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_prefers_the_providers_description() {
        let e = ProviderError::new("invalid_grant", Some("grant request is invalid".into()));
        assert_eq!(e.to_string(), "grant request is invalid (invalid_grant)");
    }

    #[test]
    fn display_explains_standard_codes_without_description() {
        let e = ProviderError::new("temporarily_unavailable", None);
        assert_eq!(e.to_string(), "the provider had a problem; try again shortly (temporarily_unavailable)");
    }

    #[test]
    fn every_standard_code_has_its_own_explanation() {
        let explained = [
            ("access_denied", "access was denied"),
            ("invalid_request", "the request was malformed"),
            ("invalid_grant", "the sign-in code or session is no longer valid"),
            ("invalid_client", "this app is not registered with the provider as configured"),
            ("unauthorized_client", "this app is not registered with the provider as configured"),
            ("invalid_scope", "a requested scope is not allowed"),
            ("login_required", "you need to sign in again"),
            ("interaction_required", "you need to sign in again"),
            ("consent_required", "you need to sign in again"),
            ("server_error", "the provider had a problem; try again shortly"),
            ("something_else", "the provider refused the request"),
        ];
        for (code, words) in explained {
            assert_eq!(ProviderError::new(code, None).to_string(), format!("{words} ({code})"));
        }
        // An empty description is no description.
        assert_eq!(
            ProviderError::new("invalid_scope", Some(String::new())).to_string(),
            "a requested scope is not allowed (invalid_scope)"
        );
    }
}
