//! [`AuthState`]: what the page should show, without a token in it.

use browser_oidc::session::error::AuthError;
use browser_oidc::session::state::{self, Notice, Progress};

use super::User;

/// What the page should show. The session's tokens stay inside the
/// library: a signed-in state carries only the [`User`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuthState {
    /// Starting, finishing a sign-in, or on the way to the provider.
    Loading(Progress),
    /// No one is signed in; perhaps with a notice ("You have been signed out.").
    SignedOut(Option<Notice>),
    /// Someone is signed in.
    SignedIn(User),
    /// Something went wrong; `use_messages().text(&error)` says what, in words for people.
    Failed(AuthError),
}

impl AuthState {
    /// The page's view of the session core's state.
    pub(crate) fn of(state: &state::AuthState) -> Self {
        match state {
            state::AuthState::Loading(progress) => Self::Loading(*progress),
            state::AuthState::SignedOut(notice) => Self::SignedOut(*notice),
            state::AuthState::SignedIn(session) => Self::SignedIn(User::of(session)),
            state::AuthState::Failed(error) => Self::Failed(error.clone()),
        }
    }
}
