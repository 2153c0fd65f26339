//! The provider's `{error, error_description, error_uri}` (RFC 6749 §4.1.2.1, §5.2).

use miniserde::Deserialize;

use crate::messages::{Describe, Text, display_in_english};

/// An error the provider answered with, from a redirect or a token response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProviderError {
    /// The error code, e.g. `invalid_grant` or `access_denied`.
    pub error: String,
    /// A human-readable explanation, for developers; may be absent.
    pub error_description: Option<String>,
    /// A web page with more about the error, if the provider gives one.
    pub error_uri: Option<String>,
}

impl ProviderError {
    /// An error with a code and an optional description, and no `error_uri`.
    pub fn new(error: impl Into<String>, description: Option<String>) -> Self {
        Self { error: error.into(), error_description: description, error_uri: None }
    }
}

/// The provider's description is for developers (it is in `Debug`): a
/// person reads what the standard code means, never the provider's text.
impl Describe for ProviderError {
    fn text(&self) -> Text {
        let id = match self.error.as_str() {
            "access_denied" => "provider_error.access_denied",
            "invalid_request" => "provider_error.invalid_request",
            "invalid_grant" => "provider_error.invalid_grant",
            "invalid_client" | "unauthorized_client" => "provider_error.invalid_client",
            "invalid_scope" => "provider_error.invalid_scope",
            "login_required" | "interaction_required" | "consent_required" => "provider_error.sign_in_required",
            "server_error" | "temporarily_unavailable" => "provider_error.server_error",
            _ => "provider_error.other",
        };
        Text::new(id).quoting("code", &self.error)
    }
}

display_in_english!(ProviderError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_providers_description_is_never_shown() {
        let e = ProviderError::new("invalid_grant", Some("grant request is invalid <a href=x>".into()));
        assert_eq!(e.to_string(), "the sign-in code or session is no longer valid (invalid_grant)");
    }

    #[test]
    fn every_standard_code_has_its_own_explanation() {
        let explained = [
            ("access_denied", "access was denied (access_denied)"),
            ("invalid_request", "the request was malformed (invalid_request)"),
            ("invalid_grant", "the sign-in code or session is no longer valid (invalid_grant)"),
            ("invalid_client", "this app is not registered with the provider as configured (invalid_client)"),
            ("unauthorized_client", "this app is not registered with the provider as configured (unauthorized_client)"),
            ("invalid_scope", "a requested scope is not allowed (invalid_scope)"),
            ("login_required", "you need to sign in again (login_required)"),
            ("interaction_required", "you need to sign in again (interaction_required)"),
            ("consent_required", "you need to sign in again (consent_required)"),
            ("server_error", "the provider had a problem; try again shortly (server_error)"),
            ("temporarily_unavailable", "the provider had a problem; try again shortly (temporarily_unavailable)"),
            // A code we do not know is the provider's own text: not quoted.
            ("Call +1 555 0100 to unlock your account", "the provider refused the request"),
        ];
        for (code, words) in explained {
            assert_eq!(ProviderError::new(code, None).to_string(), words);
        }
    }
}
