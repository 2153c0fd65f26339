//! The short-lived data of one sign-in or sign-out attempt, which must
//! survive the round trip to the provider: sessionStorage (this tab only),
//! read exactly once and deleted whatever happens. Tokens never go here.

use serde::{Deserialize, Serialize};

use super::storage::{self, Area};

use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::pkce::PkceCodeVerifier;
use crate::oauth::secret::{CsrfState, Nonce};

pub const SIGN_IN_KEY: &str = "oidc-spa.sign-in";
pub const SIGN_OUT_KEY: &str = "oidc-spa.sign-out";

/// What the callback needs to finish the sign-in this tab started.
#[derive(Debug, Serialize, Deserialize)]
pub struct SignInTransit {
    pub state: CsrfState,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
    /// A same-origin path, checked again when it is used.
    pub return_path: String,
    /// A `prompt=none` restore: a refusal means "signed out", quietly.
    #[serde(default)]
    pub silent: bool,
    /// The provider's metadata as discovered for this sign-in (public data),
    /// so the callback needn't discover again. Checked again when used.
    #[serde(default)]
    pub metadata: Option<ProviderMetadata>,
}

/// The `state` of a sign-out, checked when the provider sends us back.
#[derive(Debug, Serialize, Deserialize)]
pub struct SignOutTransit {
    pub state: CsrfState,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this browser does not allow the app to keep data for the sign-in (sessionStorage unavailable)")]
pub struct StorageUnavailable;

pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), StorageUnavailable> {
    storage::set(Area::Session, key, value).then_some(()).ok_or(StorageUnavailable)
}

/// Reads and deletes the entry: it can be used at most once, and a corrupt
/// or foreign entry is simply gone.
pub fn take<T: for<'de> Deserialize<'de>>(key: &str) -> Option<T> {
    let value = storage::get(Area::Session, key);
    storage::delete(Area::Session, key);
    value
}
