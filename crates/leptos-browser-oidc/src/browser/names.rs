//! The storage keys and the BroadcastChannel name of one app, made from its
//! client id, so that two apps on one origin never read each other's.

use super::storage::{self, Area};

/// The client id last configured by the file at `config_url`: for an app
/// configured from a URL, its names are needed at start, before the file
/// arrives (the client id is no secret).
pub fn remembered_client_id(config_url: &str) -> Option<String> {
    storage::get(Area::Local, &pointer(config_url))
}

/// Remembers the client id the file at `config_url` named.
pub fn remember_client_id(config_url: &str, client_id: &str) {
    storage::set(Area::Local, &pointer(config_url), &client_id);
}

fn pointer(config_url: &str) -> String {
    format!("oidc:client-of:{config_url}")
}

/// Where one app keeps its few non-secret notes (never a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    prefix: String,
}

impl Names {
    /// The names of the app whose client id is `client_id`.
    pub fn new(client_id: &str) -> Self {
        Self { prefix: format!("oidc:{client_id}:") }
    }

    fn name(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }

    /// sessionStorage: one sign-in's transit data (state, nonce, verifier).
    pub fn sign_in(&self) -> String {
        self.name("sign-in")
    }

    /// sessionStorage: one sign-out's `state`.
    pub fn sign_out(&self) -> String {
        self.name("sign-out")
    }

    /// localStorage: someone was signed in (worth a `prompt=none` at start).
    pub fn had_session(&self) -> String {
        self.name("had-session")
    }

    /// localStorage: when a tab of this app last signed out.
    pub fn signed_out_at(&self) -> String {
        self.name("signed-out-at")
    }

    /// sessionStorage: when this tab last left for a silent sign-in.
    pub fn silent_attempt_at(&self) -> String {
        self.name("silent-attempt-at")
    }

    /// IndexedDB: the DPoP key of a sign-in in progress, whose code is bound
    /// to it (see `key_store`).
    pub fn dpop_keys(&self) -> String {
        self.name("dpop-keys")
    }

    /// The BroadcastChannel that tells the other tabs of a sign-out.
    pub fn channel(&self) -> String {
        self.name("tabs")
    }
}
