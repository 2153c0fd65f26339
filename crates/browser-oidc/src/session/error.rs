//! Everything that can end a sign-in, as one type whose `Display` is the
//! message a person reads. No variant ever carries a secret.

use crate::config::ConfigError;
use crate::oauth::callback::CallbackError;
use crate::oauth::discovery::DiscoveryError;
use crate::oauth::http::Unreachable;
use crate::oauth::id_token::IdTokenError;
use crate::oauth::jwks::KeyError;
use crate::oauth::jwt::JwtError;
use crate::oauth::random::RandomUnavailable;
use crate::oauth::token::TokenError;
use crate::oauth::userinfo::UserinfoError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("This sign-in cannot be made: {0}.")]
    SignInOption(#[from] crate::session::options::SignInOptionError),
    #[error("This app is misconfigured: {0}.")]
    Config(#[from] ConfigError),
    #[error("The sign-in provider could not be reached ({0}). Check that it is running, then try again.")]
    ProviderUnreachable(#[from] Unreachable),
    #[error("The sign-in provider could not be used: {0}.")]
    Discovery(#[from] DiscoveryError),
    #[error("Sign-in failed: {0}.")]
    Callback(#[from] CallbackError),
    #[error("Sign-in failed: {0}.")]
    Token(#[from] TokenError),
    #[error("The ID token was refused: {0}.")]
    IdTokenFormat(#[from] JwtError),
    #[error("The ID token was refused: {0}.")]
    SigningKey(#[from] KeyError),
    #[error("The ID token was refused: its signature is not valid.")]
    InvalidSignature,
    #[error("The ID token was refused: {0}.")]
    IdTokenClaims(#[from] IdTokenError),
    #[error("Sign-in failed: {0}.")]
    Userinfo(#[from] UserinfoError),
    #[error("The session cannot be renewed: the provider issued no refresh token.")]
    NoRefreshToken,
    #[error("The provider needs you to sign in again.")]
    SilentSignInDeclined,
    #[error("You are not signed in.")]
    NotSignedIn,
    #[error("Your session has ended. Please sign in again.")]
    SessionEnded,
    #[error("Your session is being renewed. Try again in a moment.")]
    Renewing,
    #[error("Sign-in is not possible in this browser: {0}.")]
    Crypto(#[from] CryptoError),
    #[error("Sign-in is not possible in this browser: {0}.")]
    Storage(#[from] StorageUnavailable),
    #[error("Sign-in is not possible in this browser: {0}.")]
    Random(#[from] RandomUnavailable),
}

/// Web storage refused to keep a sign-in's transit data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this browser does not allow the app to keep data for the sign-in (sessionStorage unavailable)")]
pub struct StorageUnavailable;

/// WebCrypto could not do its part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("this browser offers no WebCrypto (a secure context is required)")]
    Unavailable,
    #[error("the provider's signing key could not be used")]
    UnusableKey,
}

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
            "Sign-in failed: the sign-in response does not belong to the sign-in started here (state mismatch), so it was refused."
        );
        assert_eq!(
            AuthError::from(ConfigError::MissingField("client_id")).to_string(),
            "This app is misconfigured: the configuration is missing \"client_id\"."
        );
        assert!(AuthError::from(CallbackError::Cancelled).is_cancellation());
    }
}
