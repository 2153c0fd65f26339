//! What the page shows: a function of the core's state and nothing else.

use std::sync::Arc;

use super::error::AuthError;
use super::tokens::Session;

/// The sign-in state a page renders.
#[derive(Debug, Clone)]
pub enum AuthState {
    Loading(Progress),
    SignedOut(Option<Notice>),
    SignedIn(Arc<Session>),
    Failed(AuthError),
}

/// What the app is busy with while it shows a spinner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Starting,
    RestoringSession,
    RedirectingToProvider,
    CompletingSignIn,
    SigningOut,
}

impl Progress {
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
pub enum Notice {
    SignInCancelled,
    SignedOut,
    /// Signed out here, but the provider could not be told.
    SignedOutLocally,
    SignedOutElsewhere,
    /// The provider ended the session (revoked, expired, signed out there).
    SessionEnded,
}

impl Notice {
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
pub struct RenewalProblem {
    pub error: AuthError,
    /// Whole seconds until the next attempt.
    pub retry_in_seconds: u64,
}

impl std::fmt::Display for RenewalProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Your session could not be renewed: {} Retrying in {} s.",
            self.error, self.retry_in_seconds
        )
    }
}
