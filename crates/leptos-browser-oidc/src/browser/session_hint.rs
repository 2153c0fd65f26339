//! What the app keeps across reloads, none of it secret: a hint that this
//! browser had a session, so a reload can restore it with a top-level
//! `prompt=none` redirect (no token, no identifier); the time a tab last
//! signed out, for pages that come back from the back/forward cache; and
//! this tab's last silent attempt, so the session core allows one a minute
//! and a failing provider can never cause a redirect loop.

use super::names::Names;
use super::storage::{self, Area};

/// Notes that this browser has a session (worth a silent restore).
pub fn remember(names: &Names) {
    storage::set(Area::Local, &names.had_session(), &true);
}

/// Forgets that note (signed out).
pub fn forget(names: &Names) {
    storage::delete(Area::Local, &names.had_session());
}

/// Whether this browser had a session.
pub fn present(names: &Names) -> bool {
    storage::get::<bool>(Area::Local, &names.had_session()).unwrap_or(false)
}

/// When this tab last tried a silent restore (ms since epoch).
pub fn last_silent_attempt(names: &Names) -> Option<u64> {
    storage::get(Area::Session, &names.silent_attempt_at())
}

/// Records a silent attempt (in whole milliseconds).
pub fn record_silent_attempt(names: &Names, at_ms: u64) {
    storage::set(Area::Session, &names.silent_attempt_at(), &at_ms);
}

/// After a successful restore, the next reload may restore again.
pub fn silent_attempt_done(names: &Names) {
    storage::delete(Area::Session, &names.silent_attempt_at());
}

/// Notes when a tab signed out (whole milliseconds), for pages that were in
/// the back/forward cache and heard no broadcast.
pub fn record_sign_out(names: &Names, at_ms: u64) {
    storage::set(Area::Local, &names.signed_out_at(), &at_ms);
}

/// When a tab of this app last signed out.
pub fn last_sign_out(names: &Names) -> Option<u64> {
    storage::get(Area::Local, &names.signed_out_at())
}
