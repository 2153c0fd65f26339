//! The authorization response at the redirect URI (RFC 6749 §4.1.2) and the
//! checks that make it safe to use: one-time `state` (CSRF, RFC 9700 §4.7)
//! and the RFC 9207 `iss` parameter (mix-up, RFC 9700 §4.4).

use super::provider_error::ProviderError;
use super::secret::{AuthorizationCode, CsrfState};
use crate::messages::{Describe, Text, display_in_english};

/// The callback's parameters, as sent. Nothing here is trusted yet.
#[derive(Debug)]
pub struct AuthorizationResponse {
    /// The authorization code, on success.
    pub code: Option<AuthorizationCode>,
    /// The `state` echoed back; must match the one this tab sent.
    pub state: Option<String>,
    /// The issuer that sent the response (RFC 9207); must be the configured one.
    pub iss: Option<String>,
    /// The provider's error response (RFC 6749 §4.1.2.1), instead of a code.
    pub error: Option<ProviderError>,
}

/// Why a callback was refused; nothing from a refused callback is used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// A parameter (named) appears twice, which RFC 6749 §3.1 forbids.
    DuplicateParameter(String),
    /// This tab holds no `state`: it started no sign-in, so the response may be forged.
    NoSignInInProgress,
    /// The response carries no `state`.
    StateMissing,
    /// The `state` is not the one this tab sent (CSRF, RFC 9700 §4.7).
    StateMismatch,
    /// The provider advertises `iss` in responses but this one has none (RFC 9207 §2.4).
    IssuerMissing,
    /// The `iss` names another provider: a possible mix-up attack (RFC 9700 §4.4).
    IssuerMismatch {
        /// The issuer the response claims to come from.
        found: String,
    },
    /// The user declined at the provider (`access_denied`).
    Cancelled,
    /// The provider answered with another error.
    Provider(ProviderError),
    /// Neither a code nor an error came back.
    CodeMissing,
    /// The DPoP key the code was bound to (`dpop_jkt`) is no longer in this browser.
    BoundKeyMissing,
}

/// Parses the query string of the callback URL (with or without the `?`).
pub fn parse_callback_query(query: &str) -> Result<AuthorizationResponse, CallbackError> {
    let mut code = None;
    let mut state = None;
    let mut iss = None;
    let mut error = None;
    let mut error_description = None;
    let mut error_uri = None;
    let query = query.strip_prefix('?').unwrap_or(query);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "iss" => &mut iss,
            "error" => &mut error,
            "error_description" => &mut error_description,
            "error_uri" => &mut error_uri,
            _ => continue, // unknown parameters are ignored (RFC 6749 §3.1)
        };
        // RFC 6749 §3.1: parameters must not be included more than once.
        if slot.replace(value.into_owned()).is_some() {
            return Err(CallbackError::DuplicateParameter(name.into_owned()));
        }
    }
    Ok(AuthorizationResponse {
        code: code.map(AuthorizationCode::new),
        state,
        iss,
        error: error.map(|error| ProviderError { error, error_description, error_uri }),
    })
}

/// What the callback must match.
pub struct CallbackExpectations<'a> {
    /// The `state` this tab sent; `None` when no sign-in was started here.
    pub state: Option<&'a CsrfState>,
    /// The issuer from the provider's (checked) discovery document.
    pub issuer: &'a str,
    /// The provider advertises `authorization_response_iss_parameter_supported`.
    pub iss_required: bool,
}

/// Checks a callback and yields the code to exchange. Error responses are
/// only believed after their `state` and `iss` have been checked too.
pub fn check_callback(
    response: AuthorizationResponse,
    expected: &CallbackExpectations<'_>,
) -> Result<AuthorizationCode, CallbackError> {
    let expected_state = expected.state.ok_or(CallbackError::NoSignInInProgress)?;
    let state = response.state.as_deref().ok_or(CallbackError::StateMissing)?;
    if !expected_state.matches(state) {
        return Err(CallbackError::StateMismatch);
    }
    // RFC 9207 §2.4: compare `iss` by simple string comparison.
    match response.iss {
        Some(iss) if iss != expected.issuer => return Err(CallbackError::IssuerMismatch { found: iss }),
        None if expected.iss_required => return Err(CallbackError::IssuerMissing),
        _ => {}
    }
    if let Some(error) = response.error {
        return Err(if error.error == "access_denied" {
            CallbackError::Cancelled
        } else {
            CallbackError::Provider(error)
        });
    }
    response.code.ok_or(CallbackError::CodeMissing)
}

impl Describe for CallbackError {
    fn text(&self) -> Text {
        match self {
            Self::DuplicateParameter(name) => Text::new("callback.duplicate_parameter").quoting("name", name),
            Self::NoSignInInProgress => Text::new("callback.no_sign_in_in_progress"),
            Self::StateMissing => Text::new("callback.state_missing"),
            Self::StateMismatch => Text::new("callback.state_mismatch"),
            Self::IssuerMissing => Text::new("callback.issuer_missing"),
            Self::IssuerMismatch { found } => Text::new("callback.issuer_mismatch").quoting("found", found),
            Self::Cancelled => Text::new("callback.cancelled"),
            Self::Provider(error) => Text::new("callback.provider").with("reason", error.text()),
            Self::CodeMissing => Text::new("callback.code_missing"),
            Self::BoundKeyMissing => Text::new("callback.bound_key_missing"),
        }
    }
}

display_in_english!(CallbackError);

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "http://127.0.0.1:9000";

    fn check(query: &str, state: Option<&str>, iss_required: bool) -> Result<String, CallbackError> {
        let expected_state = state.map(CsrfState::new);
        let expected = CallbackExpectations { state: expected_state.as_ref(), issuer: ISSUER, iss_required };
        check_callback(parse_callback_query(query)?, &expected).map(|code| code.secret().to_owned())
    }

    const GOOD: &str = "?code=the-code&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000";

    #[test]
    fn a_matching_response_yields_the_code() {
        assert_eq!(check(GOOD, Some("s1"), true), Ok("the-code".to_owned()));
    }

    #[test]
    fn callback_without_a_sign_in_in_progress_is_refused() {
        assert_eq!(check("code=x&state=forged", None, true), Err(CallbackError::NoSignInInProgress));
    }

    #[test]
    fn state_missing_is_refused() {
        assert_eq!(
            check("code=c&iss=http%3A%2F%2F127.0.0.1%3A9000", Some("s1"), true),
            Err(CallbackError::StateMissing)
        );
    }

    #[test]
    fn state_mismatch_is_refused() {
        assert_eq!(check(&GOOD.replace("s1", "s2"), Some("s1"), true), Err(CallbackError::StateMismatch));
        assert_eq!(check(GOOD, Some("s1x"), true), Err(CallbackError::StateMismatch));
    }

    #[test]
    fn iss_mismatch_is_refused() {
        let query = "code=c&state=s1&iss=https%3A%2F%2Fevil.example";
        assert_eq!(
            check(query, Some("s1"), false),
            Err(CallbackError::IssuerMismatch { found: "https://evil.example".into() })
        );
    }

    #[test]
    fn iss_with_trailing_slash_is_not_the_same_issuer() {
        let query = "code=c&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000%2F";
        assert!(matches!(check(query, Some("s1"), true), Err(CallbackError::IssuerMismatch { .. })));
    }

    #[test]
    fn iss_missing_is_refused_when_the_provider_advertises_it() {
        assert_eq!(check("code=c&state=s1", Some("s1"), true), Err(CallbackError::IssuerMissing));
        // A provider that does not advertise RFC 9207 may omit it.
        assert!(check("code=c&state=s1", Some("s1"), false).is_ok());
    }

    #[test]
    fn access_denied_means_cancelled() {
        let query = "error=access_denied&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000";
        assert_eq!(check(query, Some("s1"), true), Err(CallbackError::Cancelled));
    }

    #[test]
    fn other_errors_carry_the_providers_code_and_description_but_show_only_the_code() {
        let query = "error=server_error&error_description=db+down&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000";
        let err = check(query, Some("s1"), true).unwrap_err();
        assert_eq!(err, CallbackError::Provider(ProviderError::new("server_error", Some("db down".into()))));
        assert_eq!(err.to_string(), "the provider refused the sign-in: the provider had a problem; try again shortly (server_error)");
    }

    #[test]
    fn an_error_uri_is_read_with_the_error() {
        let query = "error=server_error&error_uri=https%3A%2F%2Fop.test%2Fhelp&state=s1";
        let response = parse_callback_query(query).unwrap();
        assert_eq!(response.error.unwrap().error_uri.as_deref(), Some("https://op.test/help"));
        let repeated = "error=x&error_uri=a&error_uri=b";
        assert_eq!(
            parse_callback_query(repeated).unwrap_err(),
            CallbackError::DuplicateParameter("error_uri".into())
        );
    }

    #[test]
    fn error_responses_are_checked_for_state_and_iss_first() {
        let forged = "error=access_denied&state=other&iss=http%3A%2F%2F127.0.0.1%3A9000";
        assert_eq!(check(forged, Some("s1"), true), Err(CallbackError::StateMismatch));
        let mixed_up = "error=access_denied&state=s1&iss=https%3A%2F%2Fevil.example";
        assert!(matches!(check(mixed_up, Some("s1"), true), Err(CallbackError::IssuerMismatch { .. })));
        let no_iss = "error=access_denied&state=s1";
        assert_eq!(check(no_iss, Some("s1"), true), Err(CallbackError::IssuerMissing));
    }

    #[test]
    fn code_missing_is_refused() {
        assert_eq!(
            check("state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000", Some("s1"), true),
            Err(CallbackError::CodeMissing)
        );
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert_eq!(
            parse_callback_query("code=a&code=b&state=s1").unwrap_err(),
            CallbackError::DuplicateParameter("code".into())
        );
    }
}
