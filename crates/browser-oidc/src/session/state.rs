//! What the page shows: a function of the core's state and nothing else.

use std::sync::Arc;

use super::error::AuthError;
use crate::messages::{Describe, Text, display_in_english};
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

impl Describe for Progress {
    fn text(&self) -> Text {
        Text::new(match self {
            Self::Starting => "progress.starting",
            Self::RestoringSession => "progress.restoring_session",
            Self::RedirectingToProvider => "progress.redirecting_to_provider",
            Self::CompletingSignIn => "progress.completing_sign_in",
            Self::SigningOut => "progress.signing_out",
        })
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

impl Describe for Notice {
    fn text(&self) -> Text {
        Text::new(match self {
            Self::SignInCancelled => "notice.sign_in_cancelled",
            Self::SignedOut => "notice.signed_out",
            Self::SignedOutLocally => "notice.signed_out_locally",
            Self::SignedOutElsewhere => "notice.signed_out_elsewhere",
            Self::SessionEnded => "notice.session_ended",
        })
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
    pub fn reason(&self) -> Text {
        Text::new("renewal_problem").with("reason", self.error.text())
    }
}

/// The warning shown: the reason and the time to the next attempt.
impl Describe for RenewalProblem {
    fn text(&self) -> Text {
        Text::new("renewal_problem.retrying")
            .with("problem", self.reason())
            .with("seconds", Text::counted("unit.seconds", self.retry_in_seconds))
    }
}

display_in_english!(Progress, Notice, RenewalProblem);
