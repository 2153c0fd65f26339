//! The one thing the app keeps across reloads: a non-secret hint that this
//! browser had a session, so a reload can restore it with a top-level
//! `prompt=none` redirect. It holds no token and no identifier, and a
//! per-tab guard allows one silent attempt per minute, so a failing
//! provider can never cause a redirect loop.

use super::storage::{self, Area};

const HINT_KEY: &str = "oidc-spa.had-session";
const SILENT_ATTEMPT_KEY: &str = "oidc-spa.silent-attempt-at";
const SILENT_ATTEMPT_INTERVAL_MS: u64 = 60_000;

pub fn remember() {
    storage::set(Area::Local, HINT_KEY, &true);
}

pub fn forget() {
    storage::delete(Area::Local, HINT_KEY);
}

pub fn present() -> bool {
    storage::get::<bool>(Area::Local, HINT_KEY).unwrap_or(false)
}

/// Whether this tab may try a silent restore now; records the attempt.
pub fn claim_silent_attempt(now_ms: f64) -> bool {
    // Whole milliseconds: an integer keeps float formatting out of the wasm.
    let now = now_ms as u64;
    let last: Option<u64> = storage::get(Area::Session, SILENT_ATTEMPT_KEY);
    if last.is_some_and(|last| now.saturating_sub(last) < SILENT_ATTEMPT_INTERVAL_MS && now >= last) {
        return false;
    }
    storage::set(Area::Session, SILENT_ATTEMPT_KEY, &now)
}

/// After a successful restore, the next reload may restore again.
pub fn silent_attempt_done() {
    storage::delete(Area::Session, SILENT_ATTEMPT_KEY);
}
