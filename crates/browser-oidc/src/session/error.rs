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

/// Why a sign-in, a renewal or a token request failed; its `Display` is the
/// sentence the page shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The app asked for a sign-in option that cannot be sent.
    #[error("This sign-in cannot be made: {0}.")]
    SignInOption(#[from] crate::session::options::SignInOptionError),
    /// The configuration could not be loaded or is invalid.
    #[error("This app is misconfigured: {0}.")]
    Config(#[from] ConfigError),
    /// A request to the provider got no answer.
    #[error("The sign-in provider could not be reached ({0}). Check that it is running, then try again.")]
    ProviderUnreachable(#[from] Unreachable),
    /// The provider's discovery document was refused.
    #[error("The sign-in provider could not be used: {0}.")]
    Discovery(#[from] DiscoveryError),
    /// The authorization response was refused, or the provider refused the sign-in.
    #[error("Sign-in failed: {0}.")]
    Callback(#[from] CallbackError),
    /// The token endpoint refused, or its answer was unusable.
    #[error("Sign-in failed: {0}.")]
    Token(#[from] TokenError),
    /// The ID token could not be taken apart, or uses a refused algorithm.
    #[error("The ID token was refused: {0}.")]
    IdTokenFormat(#[from] JwtError),
    /// No published key can verify the ID token.
    #[error("The ID token was refused: {0}.")]
    SigningKey(#[from] KeyError),
    /// The ID token's signature does not verify with the provider's key.
    #[error("The ID token was refused: its signature is not valid.")]
    InvalidSignature,
    /// The ID token's claims failed a check.
    #[error("The ID token was refused: {0}.")]
    IdTokenClaims(#[from] IdTokenError),
    /// The UserInfo claims were refused.
    #[error("Sign-in failed: {0}.")]
    Userinfo(#[from] UserinfoError),
    /// The session needs renewing but has no refresh token, and cannot re-sign-in.
    #[error("The session cannot be renewed: the provider issued no refresh token.")]
    NoRefreshToken,
    /// A `prompt=none` sign-in was refused: the provider needs the person (OIDC Core §3.1.2.6).
    #[error("The provider needs you to sign in again.")]
    SilentSignInDeclined,
    /// There is no session (never signed in, or signed out meanwhile).
    #[error("You are not signed in.")]
    NotSignedIn,
    /// The provider ended the session: a refresh met `invalid_grant`.
    #[error("Your session has ended. Please sign in again.")]
    SessionEnded,
    /// The page is about to leave for a re-sign-in, so no token can be had now.
    #[error("Your session is being renewed. Try again in a moment.")]
    Renewing,
    /// WebCrypto is missing or could not use the key.
    #[error("Sign-in is not possible in this browser: {0}.")]
    Crypto(#[from] CryptoError),
    /// Web storage is unavailable, so a sign-in cannot survive its redirect.
    #[error("Sign-in is not possible in this browser: {0}.")]
    Storage(#[from] StorageUnavailable),
    /// No secure random number generator for `state`, `nonce` and PKCE.
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
    /// No `crypto.subtle`: the page is not a secure context, or the browser is too old.
    #[error("this browser offers no WebCrypto (a secure context is required)")]
    Unavailable,
    /// WebCrypto could not import the provider's key, or use it to verify.
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
