//! What the app keeps across reloads, none of it secret: a hint that this
//! browser had a session, so a reload can restore it with a top-level
//! `prompt=none` redirect (no token, no identifier); the time a tab last
//! signed out, for pages that come back from the back/forward cache; and
//! this tab's last silent attempt, so the session core allows one a minute
//! and a failing provider can never cause a redirect loop.

use super::storage::{self, Area};

const HINT_KEY: &str = "oidc-spa.had-session";
const SIGN_OUT_KEY: &str = "oidc-spa.signed-out-at";
const SILENT_ATTEMPT_KEY: &str = "oidc-spa.silent-attempt-at";

pub fn remember() {
    storage::set(Area::Local, HINT_KEY, &true);
}

pub fn forget() {
    storage::delete(Area::Local, HINT_KEY);
}

pub fn present() -> bool {
    storage::get::<bool>(Area::Local, HINT_KEY).unwrap_or(false)
}

/// When this tab last tried a silent restore (ms since epoch).
pub fn last_silent_attempt() -> Option<u64> {
    storage::get(Area::Session, SILENT_ATTEMPT_KEY)
}

/// Records a silent attempt (whole milliseconds: an integer keeps float
/// formatting out of the wasm).
pub fn record_silent_attempt(at_ms: u64) {
    storage::set(Area::Session, SILENT_ATTEMPT_KEY, &at_ms);
}

/// After a successful restore, the next reload may restore again.
pub fn silent_attempt_done() {
    storage::delete(Area::Session, SILENT_ATTEMPT_KEY);
}

/// Notes when a tab signed out (whole milliseconds), for pages that were in
/// the back/forward cache and heard no broadcast.
pub fn record_sign_out(at_ms: u64) {
    storage::set(Area::Local, SIGN_OUT_KEY, &at_ms);
}

/// When a tab of this app last signed out.
pub fn last_sign_out() -> Option<u64> {
    storage::get(Area::Local, SIGN_OUT_KEY)
}
