//! The short-lived data of one sign-in or sign-out attempt, which must
//! survive the round trip to the provider (the driver keeps it in this
//! tab's sessionStorage). Tokens never go here.

use miniserde::{Deserialize, Serialize};

use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::pkce::PkceCodeVerifier;
use crate::oauth::secret::{CsrfState, Nonce};

/// What the callback needs to finish the sign-in this tab started.
#[derive(Debug, Serialize, Deserialize)]
pub struct SignInTransit {
    /// The `state` sent; the callback's must match it.
    pub state: CsrfState,
    /// The `nonce` sent; the ID token's must match it.
    pub nonce: Nonce,
    /// The PKCE verifier, sent once with the code exchange.
    pub verifier: PkceCodeVerifier,
    /// A same-origin path, checked again when it is used.
    pub return_path: String,
    /// A `prompt=none` restore: a refusal means "signed out", quietly.
    pub silent: bool,
    /// A `prompt=none` renewal of a session in use: a refusal means the
    /// session has ended, which the person is told.
    pub renewal: bool,
    /// The provider's metadata as discovered for this sign-in (public data),
    /// so the callback needn't discover again. Checked again when used.
    pub metadata: Option<ProviderMetadata>,
    /// The `max_age` this sign-in asked for: `auth_time` is checked against it.
    pub max_age: Option<u64>,
    /// When the sign-in left for the provider (seconds since the epoch):
    /// `max_age` counts back from here.
    pub requested_at: Option<i64>,
    /// The `acr` values the ID token must match, when the app required one.
    pub required_acr: Option<Vec<String>>,
    /// Where this tab's DPoP key was kept for the callback, when the code
    /// is bound to it (`dpop_jkt`). The key itself is not in here.
    pub dpop_key: Option<String>,
}

/// The `state` of a sign-out, checked when the provider sends us back.
#[derive(Debug, Serialize, Deserialize)]
pub struct SignOutTransit {
    /// The `state` sent to the end-session endpoint.
    pub state: CsrfState,
}
