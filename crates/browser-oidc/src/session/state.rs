//! What the page shows: a function of the core's state and nothing else.

use std::sync::Arc;

use super::error::AuthError;
use super::tokens::Session;

/// The sign-in state a page renders.
#[derive(Debug, Clone)]
pub enum AuthState {
    /// Busy: a spinner, with what it is waiting for.
    Loading(Progress),
    /// No session: the Sign in button, with a notice if there is news.
    SignedOut(Option<Notice>),
    /// Signed in; each renewal shows this again with the new session.
    SignedIn(Arc<Session>),
    /// The configuration, a sign-in or the session failed; the error's message says why.
    Failed(AuthError),
}

/// What the app is busy with while it shows a spinner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Loading the configuration, before the page is routed.
    Starting,
    /// A silent sign-in after a reload (tokens live only in memory).
    RestoringSession,
    /// About to navigate to the provider's sign-in page.
    RedirectingToProvider,
    /// Back at the callback: exchanging the code and checking the ID token.
    CompletingSignIn,
    /// Revoking tokens before the provider's end-session redirect.
    SigningOut,
}

impl Progress {
    /// The spinner's caption.
    pub fn message(self) -> &'static str {
        match self {
            Self::Starting => "Loading…",
            Self::RestoringSession => "Restoring your session…",
            Self::RedirectingToProvider => "Taking you to the sign-in page…",
            Self::CompletingSignIn => "Signing you in…",
            Self::SigningOut => "Signing you out…",
        }
    }
}

/// Something worth telling a signed-out person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// The person declined at the provider.
    SignInCancelled,
    /// The sign-out this person asked for is done.
    SignedOut,
    /// Signed out here, but the provider could not be told.
    SignedOutLocally,
    /// Another tab of this app signed out, which ends the session here too.
    SignedOutElsewhere,
    /// The provider ended the session (revoked, expired, signed out there).
    SessionEnded,
}

impl Notice {
    /// The sentence shown to the person.
    pub fn message(self) -> &'static str {
        match self {
            Self::SignInCancelled => "Sign-in was cancelled.",
            Self::SignedOut => "You have been signed out.",
            Self::SignedOutLocally => {
                "You are signed out of this app, but the sign-in provider could not be reached to end its session."
            }
            Self::SignedOutElsewhere => "You signed out in another tab.",
            Self::SessionEnded => "Your session has ended. Please sign in again.",
        }
    }
}

/// Why renewal is not going well, shown while the person keeps working.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenewalProblem {
    /// Why the last attempt failed.
    pub error: AuthError,
    /// Whole seconds until the next attempt.
    pub retry_in_seconds: u64,
}

impl RenewalProblem {
    /// A problem: `error`, with the next attempt in `retry_in_seconds`.
    pub fn new(error: AuthError, retry_in_seconds: u64) -> Self {
        Self { error, retry_in_seconds }
    }

    /// The sentence without the time to the next attempt: what a screen
    /// reader announces, since a timer read out is stale at once.
    pub fn reason(&self) -> String {
        format!("Your session could not be renewed: {}", self.error)
    }
}

impl std::fmt::Display for RenewalProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} Retrying in {} s.", self.reason(), self.retry_in_seconds)
    }
}
