//! Everything that can end a sign-in, as one type. Its sentence comes from
//! the messages table ([`Describe`]); `Display` is the English one. No
//! variant ever carries a secret.

use crate::config::ConfigError;
use crate::messages::{Describe, Text, display_in_english};
use crate::oauth::callback::CallbackError;
use crate::oauth::discovery::DiscoveryError;
use crate::oauth::http::Unreachable;
use crate::oauth::id_token::IdTokenError;
use crate::oauth::jwks::KeyError;
use crate::oauth::jwt::JwtError;
use crate::oauth::random::RandomUnavailable;
use crate::oauth::token::TokenError;
use crate::oauth::userinfo::UserinfoError;

/// Why a sign-in, a renewal or a token request failed; [`Describe`] gives
/// the sentence the page shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The app asked for a sign-in option that cannot be sent.
    SignInOption(#[from] crate::session::options::SignInOptionError),
    /// The configuration could not be loaded or is invalid.
    Config(#[from] ConfigError),
    /// A request to the provider got no answer.
    ProviderUnreachable(#[from] Unreachable),
    /// The provider's discovery document was refused.
    Discovery(#[from] DiscoveryError),
    /// The authorization response was refused, or the provider refused the sign-in.
    Callback(#[from] CallbackError),
    /// The token endpoint refused, or its answer was unusable.
    Token(#[from] TokenError),
    /// The ID token could not be taken apart, or uses a refused algorithm.
    IdTokenFormat(#[from] JwtError),
    /// No published key can verify the ID token.
    SigningKey(#[from] KeyError),
    /// The ID token's signature does not verify with the provider's key.
    InvalidSignature,
    /// The ID token's claims failed a check.
    IdTokenClaims(#[from] IdTokenError),
    /// The UserInfo claims were refused.
    Userinfo(#[from] UserinfoError),
    /// The session needs renewing but has no refresh token, and cannot re-sign-in.
    NoRefreshToken,
    /// A `prompt=none` sign-in was refused: the provider needs the person (OIDC Core §3.1.2.6).
    SilentSignInDeclined,
    /// There is no session (never signed in, or signed out meanwhile).
    NotSignedIn,
    /// The provider ended the session: a refresh met `invalid_grant`.
    SessionEnded,
    /// The page is about to leave for a re-sign-in, so no token can be had now.
    Renewing,
    /// WebCrypto is missing or could not use the key.
    Crypto(#[from] CryptoError),
    /// Web storage is unavailable, so a sign-in cannot survive its redirect.
    Storage(#[from] StorageUnavailable),
    /// No secure random number generator for `state`, `nonce` and PKCE.
    Random(#[from] RandomUnavailable),
}

/// Web storage refused to keep a sign-in's transit data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct StorageUnavailable;

/// WebCrypto could not do its part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// No `crypto.subtle`: the page is not a secure context, or the browser is too old.
    Unavailable,
    /// WebCrypto could not import the provider's key, or use it to verify.
    UnusableKey,
}

impl Describe for AuthError {
    fn text(&self) -> Text {
        let because = |id: &'static str, reason: Text| Text::new(id).with("reason", reason);
        match self {
            Self::SignInOption(e) => because("auth_error.sign_in_option", e.text()),
            Self::Config(e) => because("auth_error.config", e.text()),
            Self::ProviderUnreachable(e) => because("auth_error.provider_unreachable", e.text()),
            Self::Discovery(e) => because("auth_error.discovery", e.text()),
            Self::Callback(e) => because("auth_error.sign_in_failed", e.text()),
            Self::Token(e) => because("auth_error.sign_in_failed", e.text()),
            Self::Userinfo(e) => because("auth_error.sign_in_failed", e.text()),
            Self::IdTokenFormat(e) => because("auth_error.id_token", e.text()),
            Self::SigningKey(e) => because("auth_error.id_token", e.text()),
            // OIDC Core §12.2: not a forgery but a new sign-in elsewhere, which ends this session.
            Self::IdTokenClaims(IdTokenError::DifferentSignIn) => Text::new("auth_error.different_sign_in"),
            Self::IdTokenClaims(e) => because("auth_error.id_token", e.text()),
            Self::InvalidSignature => Text::new("auth_error.invalid_signature"),
            Self::NoRefreshToken => Text::new("auth_error.no_refresh_token"),
            Self::SilentSignInDeclined => Text::new("auth_error.silent_sign_in_declined"),
            Self::NotSignedIn => Text::new("auth_error.not_signed_in"),
            Self::SessionEnded => Text::new("auth_error.session_ended"),
            Self::Renewing => Text::new("auth_error.renewing"),
            Self::Crypto(e) => because("auth_error.browser", e.text()),
            Self::Storage(e) => because("auth_error.browser", e.text()),
            Self::Random(e) => because("auth_error.browser", e.text()),
        }
    }
}

impl Describe for StorageUnavailable {
    fn text(&self) -> Text {
        Text::new("storage_unavailable")
    }
}

impl Describe for CryptoError {
    fn text(&self) -> Text {
        Text::new(match self {
            Self::Unavailable => "crypto.unavailable",
            Self::UnusableKey => "crypto.unusable_key",
        })
    }
}

display_in_english!(AuthError, StorageUnavailable, CryptoError);

impl AuthError {
    /// A cancelled sign-in is the person's choice, not a failure to report.
    pub fn is_cancellation(&self) -> bool {
        matches!(self, Self::Callback(CallbackError::Cancelled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(
            AuthError::from(CallbackError::StateMismatch).to_string(),
            "Sign-in failed: the sign-in response does not belong to the sign-in started here (state mismatch), so it was refused. Please try signing in again."
        );
        assert_eq!(
            AuthError::from(ConfigError::MissingField("client_id")).to_string(),
            "This app is misconfigured: the configuration is missing \"client_id\". Please tell the app's administrator."
        );
        assert!(AuthError::from(CallbackError::Cancelled).is_cancellation());
        // OIDC Core §12.2: the page names the cause, not a bare "session ended".
        assert_eq!(
            AuthError::from(IdTokenError::DifferentSignIn).to_string(),
            "Your session has ended: the provider reported a different sign-in than the one this session began with (auth_time). Please sign in again."
        );
    }
}
