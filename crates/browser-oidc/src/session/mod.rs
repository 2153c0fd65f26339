//! The session core: start-up routing, renewal, sign-out and tab messages
//! as one sans-IO state machine, in the manner of `quinn-proto`.
//!
//! [`SessionCore::handle`] takes an [`Event`] (the page started at a URL, a
//! response arrived, a timer fired, another tab spoke, the person clicked)
//! and the time, and returns the [`Command`]s to carry out (send a request,
//! navigate, set a timer, store transit data, broadcast, show a state).
//! Nothing here is async or touches a browser: the driver in `crate::auth`
//! performs the commands and feeds their results back as events, and the
//! tests feed events from a scripted provider, in any order.
//!
//! Rules the core keeps, whatever the order of events:
//! - one refresh request in flight, never two closer than
//!   [`timing::MIN_REFRESH_INTERVAL_MS`];
//! - a refresh token is sent at most once: a rotated one is kept as soon as
//!   the token response is read; one whose refresh got no answer (or an
//!   answer that may have come after the provider rotated it) may be spent,
//!   so it is never sent again, and the session is renewed by a silent
//!   re-sign-in (`prompt=none`) once the provider answers;
//! - a refreshed ID token's claims are checked on arrival and its signature
//!   with the session's cached JWKS (refetched for an unknown `kid` at most
//!   every 10 s); a JWKS outage only delays the signature check;
//! - sign-out, here or in another tab, wins over a refresh in flight, and
//!   revokes every refresh token the page still knows, the newest included;
//! - only `invalid_grant` ends a session; every other failure is temporary.
//!
//! Debug output of events and commands never shows a secret: tokens, codes,
//! `state`, `nonce` and URLs that carry them are redacted types.

pub mod api;
pub mod options;
mod core;
pub mod error;
mod renewal;
pub mod state;
pub mod timing;
pub mod tokens;
pub mod transit;

use crate::config::{Config, ConfigError};
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::http::{HttpRequest, HttpResponse, Unreachable};
use crate::oauth::jwks::{Jwk, JwkSet};
use crate::oauth::secret::{IdToken, SecretUrl};

pub use self::core::SessionCore;
use api::{ApiAnswer, ApiCallError, ApiCallKind};
pub use options::SignInOptions;
use error::{AuthError, CryptoError};
use state::{AuthState, RenewalProblem};
use tokens::Session;
use transit::{SignInTransit, SignOutTransit};

/// One effect the core asked the driver for; its answer names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(u64);

/// One API call the app asked for; [`Command::ApiCallDone`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallId(pub u64);

/// The core's timers. Setting one replaces the previous timer of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The next refresh, retry or re-sign-in attempt.
    Renewal,
    /// A sign-out stops waiting for its revocations.
    SignOutDeadline,
}

/// What tabs of the app tell each other (no secret ever travels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabMessage {
    /// A tab signed out: every other tab drops its session too.
    SignedOut,
}

/// Which transit entry a command means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitKind {
    /// The [`SignInTransit`] of a sign-in this tab started.
    SignIn,
    /// The [`SignOutTransit`] of a sign-out this tab started.
    SignOut,
}

/// How a sign-in asks the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMode {
    /// The person clicked Sign in: the provider may show its pages.
    Interactive,
    /// A restore after a reload (`prompt=none`): a refusal is quiet.
    Silent,
    /// A session renewed by a re-sign-in (`prompt=none`): a refusal means
    /// the session has ended, and the person is told.
    Renewal,
}

impl SignInMode {
    /// Sent with `prompt=none`: the provider must not show anything.
    pub fn is_silent(self) -> bool {
        self != Self::Interactive
    }
}

/// Where the page started. `Debug` hides the query and fragment, which may
/// carry a code and a `state`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// `http://127.0.0.1:8080`
    pub origin: String,
    /// `/callback`
    pub path: String,
    /// `?code=…`, or empty.
    pub query: String,
    /// `#top`, or empty.
    pub fragment: String,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |part: &str| if part.is_empty() { "" } else { "[redacted]" };
        f.debug_struct("Location")
            .field("origin", &self.origin)
            .field("path", &self.path)
            .field("query", &hidden(&self.query))
            .field("fragment", &hidden(&self.fragment))
            .finish()
    }
}

impl Location {
    /// Parses an absolute URL of the app's own (`origin` + path, query, fragment).
    pub fn parse(url: &str) -> Self {
        let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let after_scheme = rest.find("://").map_or(0, |i| i + 3);
        let (origin, path) = match rest[after_scheme..].find('/') {
            Some(i) => rest.split_at(after_scheme + i),
            None => (rest, "/"),
        };
        let prefixed =
            |mark: &str, part: &str| if part.is_empty() { String::new() } else { format!("{mark}{part}") };
        Self {
            origin: origin.to_owned(),
            path: path.to_owned(),
            query: prefixed("?", query),
            fragment: prefixed("#", fragment),
        }
    }

    /// Is this page at `url` (origin and path; its query is not compared)?
    fn is(&self, url: &str) -> bool {
        let url = url.split(['?', '#']).next().unwrap_or(url);
        url.strip_prefix(self.origin.as_str()) == Some(self.path.as_str())
    }

    fn path_query_fragment(&self) -> String {
        format!("{}{}{}", self.path, self.query, self.fragment)
    }
}

/// What web storage held when the page started.
#[derive(Debug, Default)]
pub struct Stored {
    /// The transit data of a sign-in this tab started, if any.
    pub sign_in: Option<SignInTransit>,
    /// The transit data of a sign-out this tab started, if any.
    pub sign_out: Option<SignOutTransit>,
    /// The non-secret hint that this browser had a session.
    pub had_session: bool,
    /// When this tab last redirected for a silent restore (ms since epoch).
    pub last_silent_attempt_at: Option<u64>,
}

/// A completed sign-in (the driver's [`Command::FinishSignIn`]).
#[derive(Debug)]
pub struct SignedIn {
    /// The new session, its ID token verified.
    pub session: Session,
    /// The metadata the sign-in used, for the session's refreshes.
    pub metadata: ProviderMetadata,
    /// The JWKS that verified the ID token, cached for refreshed ones.
    pub keys: Option<JwkSet>,
    /// Where to go now: the page the sign-in started from (checked again before use).
    pub return_path: String,
    /// A `prompt=none` sign-in (a restore or a renewal), not a click.
    pub silent: bool,
}

/// Something that happened.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // each is built once and moved once
pub enum Event {
    /// The page loaded at `location` (a first visit, a reload, a callback).
    Started {
        /// Where the page is.
        location: Location,
        /// What this tab's web storage held.
        stored: Stored,
    },
    /// The outcome of a [`Command::LoadConfig`].
    ConfigLoaded(Result<Config, ConfigError>),
    /// The outcome of a [`Command::GetReadyToSignIn`]: the provider's
    /// metadata, or `None` if discovery failed (the click then tries again).
    GotReadyToSignIn(Option<ProviderMetadata>),
    /// The person asked to sign in; `current_page` is where to come back to.
    SignInRequested {
        /// Path, query and fragment of the page shown now.
        current_page: String,
        /// What the app asks of this sign-in.
        options: SignInOptions,
    },
    /// The person asked to try again after the configuration failed.
    RetryRequested,
    /// The person dismissed an error.
    ErrorDismissed,
    /// The person asked to sign out.
    SignOutRequested {
        /// The languages for the provider's sign-out page (the app's own).
        ui_locales: Option<String>,
    },
    /// The authorization URL of a [`Command::PrepareSignIn`], or why not.
    SignInPrepared {
        /// The command's id.
        request: RequestId,
        /// The URL to navigate to, or why the sign-in cannot start.
        result: Result<SecretUrl, AuthError>,
    },
    /// The outcome of a [`Command::FinishSignIn`].
    SignInFinished(Result<SignedIn, AuthError>),
    /// The outcome of a [`Command::RenewInFrame`].
    RenewedInFrame {
        /// The command's id.
        request: RequestId,
        /// The new session, its ID token verified, or why there is none
        /// (declined, no answer in time, a frame the browser blocked).
        result: Result<SignedIn, AuthError>,
    },
    /// The answer to a [`Command::Send`].
    HttpAnswered {
        /// The command's id.
        request: RequestId,
        /// The response (any status), or no answer at all.
        result: Result<HttpResponse, Unreachable>,
    },
    /// The outcome of a [`Command::CheckSignature`].
    SignatureChecked {
        /// The command's id.
        request: RequestId,
        /// Whether a key verified the signature, or why WebCrypto could not tell.
        result: Result<bool, CryptoError>,
    },
    /// A timer set by [`Command::SetTimer`] went off.
    TimerFired(Timer),
    /// The page became visible again (its timers may have been frozen).
    PageVisible,
    /// Restored from the back/forward cache (`pageshow` with `persisted`);
    /// `last_sign_out_at` is when a tab of this app last signed out.
    PageRestored {
        /// Local time (ms since epoch) of the last sign-out, if one was recorded.
        last_sign_out_at: Option<u64>,
    },
    /// Another tab of the app said something.
    TabMessage(TabMessage),
    /// Leaving the page now loses no work: the app's router changed pages,
    /// or the app said so. A session the provider gave no refresh token is
    /// renewed here, by a silent re-sign-in, once it is due (from half its
    /// access token's life), if the provider answers within 2 s and the
    /// person has not started using the page again ([`Event::PageInUse`]).
    SafeMoment,
    /// Nobody has used the page for a while (no key, pointer, wheel or
    /// touch input) and nothing the person typed is unsaved. Until
    /// [`Event::PageInUse`], a session the provider gave no refresh token
    /// leaves for a silent re-sign-in as soon as it is due.
    PageIdle,
    /// Someone uses the page again after [`Event::PageIdle`] or
    /// [`Event::SafeMoment`]: from now on it does not leave by itself, even
    /// for a re-sign-in being prepared.
    PageInUse,
    /// The app wants a request sent to a protected API with the access
    /// token, or the headers for one.
    ApiCallRequested {
        /// Names the call in its [`Command::ApiCallDone`].
        call: CallId,
        /// The request to send, or the headers wanted.
        kind: ApiCallKind,
    },
}

/// Something for the driver to do, in order.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // each is built once and moved once
pub enum Command {
    /// Render this state.
    Show(AuthState),
    /// A session is held that only a silent re-sign-in can renew: report
    /// [`Event::SafeMoment`] after each page change of the app's own that
    /// leaves nothing unsaved (if `page_changes`), [`Event::PageIdle`]
    /// after `idle_after_ms` without input (never, when `None`), and
    /// [`Event::PageInUse`] at the first input after either. Sent once per
    /// page.
    WatchForSafeMoments {
        /// How long without input makes the page idle.
        idle_after_ms: Option<u32>,
        /// Whether the router's page changes are safe moments.
        page_changes: bool,
    },
    /// A warning while the person keeps working, or none.
    ShowRenewalProblem(Option<RenewalProblem>),
    /// Fetch or check the configuration; answer with [`Event::ConfigLoaded`].
    LoadConfig,
    /// The signed-out page is showing, with the configuration loaded:
    /// discover the provider and, if codes will be bound to this tab's DPoP
    /// key, make the key and the place that keeps it over the redirect, so
    /// that a click on Sign in does not wait for them; answer with
    /// [`Event::GotReadyToSignIn`]. Sent at most once per page.
    GetReadyToSignIn,
    /// Discover (unless `discovered`), make a fresh `state`, `nonce` and PKCE
    /// verifier, keep them as transit data, and answer with the
    /// authorization URL. Without a return path, come back to the page
    /// shown now.
    PrepareSignIn {
        /// Names the answer, [`Event::SignInPrepared`].
        request: RequestId,
        /// Interactive, or silent (`prompt=none`).
        mode: SignInMode,
        /// Where to come back to after the sign-in.
        return_path: Option<String>,
        /// What the app asked of an interactive sign-in (none for silent ones).
        options: SignInOptions,
        /// The provider's metadata found ahead ([`Event::GotReadyToSignIn`])
        /// under [`timing::DISCOVERY_FRESH_MS`] ago: no need to discover.
        discovered: Option<ProviderMetadata>,
    },
    /// Exchange the code of the callback `query` and verify the ID token.
    FinishSignIn {
        /// The callback's query string (it holds the code).
        query: SecretUrl,
        /// This tab's transit data, if it started a sign-in.
        pending: Option<SignInTransit>,
    },
    /// Renew the session without leaving the page: a silent sign-in
    /// (`prompt=none`) in a hidden frame that comes back to
    /// [`Config::silent_redirect_uri`], its transit data kept in memory and
    /// its code bound to this tab's key as it is; then exchange the code
    /// and verify the ID token as [`Command::FinishSignIn`] does. Answer
    /// with [`Event::RenewedInFrame`], always: the core starts no other
    /// renewal until then (the frame gives up after 10 s, each request
    /// after 30 s).
    RenewInFrame {
        /// Names the answer.
        request: RequestId,
    },
    /// Send an HTTP request; answer with [`Event::HttpAnswered`].
    Send {
        /// Names the answer.
        request: RequestId,
        /// The request to send.
        http: HttpRequest,
    },
    /// Does the signature of `id_token` verify with one of `keys`?
    CheckSignature {
        /// Names the answer, [`Event::SignatureChecked`].
        request: RequestId,
        /// The refreshed ID token whose signature to check.
        id_token: IdToken,
        /// The keys to try, in turn.
        keys: Vec<Jwk>,
    },
    /// Set (or reset) a timer; when it fires, send [`Event::TimerFired`].
    SetTimer {
        /// Which timer.
        timer: Timer,
        /// The delay, at most [`timing::MAX_TIMER_DELAY_MS`] (a browser timer's limit).
        after_ms: u32,
    },
    /// Cancel a timer, if set.
    ClearTimer(Timer),
    /// Replace the address bar's URL without a history entry.
    ReplaceUrl(String),
    /// A top-level navigation (to the provider).
    Navigate(SecretUrl),
    /// Keep a sign-out's transit data for the provider's return.
    StoreSignOut(SignOutTransit),
    /// Delete a transit entry: it is used once.
    DeleteTransit(TransitKind),
    /// Keep the non-secret hint that this browser has a session.
    RememberSession,
    /// Drop that hint.
    ForgetSession,
    /// Note that this tab left for a silent restore, so it tries at most once a minute.
    RecordSilentAttempt {
        /// Local time, in ms since epoch.
        at: u64,
    },
    /// The silent restore came back: a later reload may try again.
    ClearSilentAttempt,
    /// Tell pages in the back/forward cache, later, that a sign-out happened.
    RecordSignOut {
        /// Local time, in ms since epoch.
        at: u64,
    },
    /// Tell the app's other open tabs.
    Broadcast(TabMessage),
    /// An API call is done; hand its result to whoever asked.
    ApiCallDone {
        /// The call's id, from [`Event::ApiCallRequested`].
        call: CallId,
        /// The answer, or why there is none.
        result: Result<ApiAnswer, ApiCallError>,
    },
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn a_location_is_taken_apart_and_debug_hides_its_query_and_fragment() {
        let location = Location::parse("https://app.example:8443/callback/x?code=SECRET&state=S#HIDDEN");
        assert_eq!(location.origin, "https://app.example:8443");
        assert_eq!(location.path, "/callback/x");
        assert_eq!(location.query, "?code=SECRET&state=S");
        assert_eq!(location.fragment, "#HIDDEN");
        let shown = format!("{location:?}");
        assert!(shown.contains("https://app.example:8443") && shown.contains("/callback/x"), "{shown}");
        assert!(!shown.contains("SECRET") && !shown.contains("HIDDEN") && shown.contains("[redacted]"), "{shown}");

        let short = Location::parse("http://a.b/c");
        assert_eq!((short.origin.as_str(), short.path.as_str()), ("http://a.b", "/c"));
        let bare = Location::parse("http://127.0.0.1:8080");
        assert_eq!((bare.origin.as_str(), bare.path.as_str(), bare.query.as_str()), ("http://127.0.0.1:8080", "/", ""));
        assert!(!format!("{bare:?}").contains("[redacted]"), "nothing to hide");
    }
}
