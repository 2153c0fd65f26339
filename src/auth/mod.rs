//! The reactive layer: one `AuthState` in a `Copy` context handle.

pub mod api;
pub mod error;
pub mod flow;
pub mod gates;
pub mod renewal;
pub mod session;

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::fetch::Fetch;
use crate::browser::transit::{self, SIGN_OUT_KEY, SignOutTransit};
use crate::browser::{clock, page, session_hint, tabs};
use crate::config::{CONFIG_PATH, Config, ConfigError};
use crate::oauth::http::{HttpClient, HttpRequest};
use crate::oauth::logout::{EndSessionRequest, LogoutReturn, check_logout_return};
use crate::oauth::random::random_url_safe_string;
use crate::oauth::revocation::revocation_body;
use crate::oauth::secret::CsrfState;

use flow::SignInMode;
use renewal::{ApiCallError, RenewalFailure, SessionKeeper};

pub use error::AuthError;
pub use gates::{Authenticated, Unauthenticated};
pub use session::{Session, User};

/// What the app shows is a function of this, and of nothing else.
#[derive(Debug, Clone)]
pub enum AuthState {
    Loading(Progress),
    SignedOut(Option<Notice>),
    SignedIn(Arc<Session>),
    Failed(AuthError),
}

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

type Keeper = Rc<SessionKeeper<Fetch>>;
/// The configuration, loaded once and awaited by whoever needs it first.
type ConfigLoad = Shared<LocalBoxFuture<'static, Result<Config, ConfigError>>>;

/// The handle components use: `Copy`, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Auth {
    state: RwSignal<AuthState>,
    config: StoredValue<Option<ConfigLoad>, LocalStorage>,
    keeper: StoredValue<Option<Keeper>, LocalStorage>,
    /// Set while a renewal keeps failing for a temporary reason.
    renewal_problem: RwSignal<Option<String>>,
    refresh_timer: StoredValue<Option<TimeoutHandle>>,
}

/// The auth handle of the enclosing `App`. Panics outside one, which is a
/// programming error; use [`try_use_auth`] where that can happen.
pub fn use_auth() -> Auth {
    try_use_auth().expect("use_auth() called outside the app: provide_auth() first")
}

pub fn try_use_auth() -> Option<Auth> {
    use_context::<Auth>()
}

/// Creates the auth state in `state` and makes it available to children.
pub fn provide_auth(state: AuthState) -> Auth {
    let auth = Auth {
        state: RwSignal::new(state),
        config: StoredValue::new_local(None),
        keeper: StoredValue::new_local(None),
        renewal_problem: RwSignal::new(None),
        refresh_timer: StoredValue::new(None),
    };
    provide_context(auth);
    auth
}

impl Auth {
    pub fn state(&self) -> ReadSignal<AuthState> {
        self.state.read_only()
    }

    pub fn renewal_problem(&self) -> ReadSignal<Option<String>> {
        self.renewal_problem.read_only()
    }

    /// The current session (reactive): it changes with every refresh.
    pub fn session(&self) -> Option<Arc<Session>> {
        self.state.with(|state| match state {
            AuthState::SignedIn(session) => Some(session.clone()),
            _ => None,
        })
    }

    /// The configuration, once loaded.
    pub fn config(&self) -> Option<Config> {
        self.config.with_value(|load| load.as_ref()?.peek()?.as_ref().ok().cloned())
    }

    /// The configuration, loading it on first use (the page preloads it).
    async fn loaded_config(self) -> Result<Config, ConfigError> {
        let load = self.config.get_value().unwrap_or_else(|| {
            let origin = page::origin();
            let load = async move { load_config(&Fetch, &origin).await }.boxed_local().shared();
            self.config.set_value(Some(load.clone()));
            load
        });
        load.await
    }

    /// Loads the configuration, then finishes a sign-in (at the redirect
    /// URI), confirms a sign-out, restores a session, or shows signed out.
    pub fn start(self) {
        tabs::listen_for_sign_out(move || {
            if self.keeper.with_value(Option::is_some) {
                self.end_session(Notice::SignedOutElsewhere);
            }
        });
        page::on_visible(move || self.refresh_if_due());
        // A plain visit ends signed out: show the button now, not after the
        // configuration arrives (a click waits for it).
        let plain_visit = is_plain_visit();
        if plain_visit {
            self.state.set(AuthState::SignedOut(None));
        }
        spawn_local(async move {
            match self.initialize().await {
                Ok(signed_in) => self.keep(signed_in),
                // Already shown, and the person may have clicked since.
                Err(AuthState::SignedOut(None)) if plain_visit => {}
                Err(next) => self.state.set(next),
            }
        });
    }

    /// The sign-in to keep, or the state to show instead.
    async fn initialize(self) -> Result<flow::SignedIn, AuthState> {
        let config = match self.loaded_config().await {
            Ok(config) => config,
            Err(error) => return Err(AuthState::Failed(error.into())),
        };
        let (path, query) = page::current_location();

        if config.redirect_uri == format!("{}{path}", page::origin()) {
            // RFC 9700 §4.3: get code, state and iss out of the address bar
            // and history before anything else can see them.
            page::replace_url("/");
            self.state.set(AuthState::Loading(Progress::CompletingSignIn));
            return match flow::finish_sign_in(&Fetch, &config, &query, clock::now_millis).await {
                Ok(signed_in) => {
                    if signed_in.silent {
                        session_hint::silent_attempt_done();
                    }
                    page::replace_url(&signed_in.return_path);
                    Ok(signed_in)
                }
                Err(error) if error.is_cancellation() => {
                    Err(AuthState::SignedOut(Some(Notice::SignInCancelled)))
                }
                Err(AuthError::SilentSignInDeclined) => {
                    session_hint::forget();
                    Err(AuthState::SignedOut(None))
                }
                Err(error) => Err(AuthState::Failed(error)),
            };
        }

        let expected: Option<SignOutTransit> = transit::take(SIGN_OUT_KEY);
        match check_logout_return(&query, expected.as_ref().map(|t| &t.state)) {
            LogoutReturn::Confirmed => {
                page::replace_url(&path);
                return Err(AuthState::SignedOut(Some(Notice::SignedOut)));
            }
            LogoutReturn::Unrecognised => {
                page::replace_url(&path);
                return Err(AuthState::SignedOut(None));
            }
            LogoutReturn::NotALogoutReturn => {}
        }

        // After a reload memory is empty: if this browser had a session,
        // restore it with a top-level prompt=none redirect (no iframe, so no
        // third-party cookies), at most once a minute per tab.
        if session_hint::present() && session_hint::claim_silent_attempt(clock::now_millis()) {
            self.state.set(AuthState::Loading(Progress::RestoringSession));
            let return_path = page::current_path_and_query();
            if let Ok(url) = flow::start_sign_in(&Fetch, &config, &return_path, SignInMode::Silent).await {
                page::navigate(&url);
                return Err(AuthState::Loading(Progress::RestoringSession));
            }
        }
        Err(AuthState::SignedOut(None))
    }

    /// Holds a new session: renewal, the UI, and the hint for reloads.
    fn keep(self, signed_in: flow::SignedIn) {
        // A session only comes from a sign-in, which needed the config.
        let Some(config) = self.config() else { return };
        let keeper = SessionKeeper::new(
            Fetch,
            config,
            clock::now_millis,
            Arc::new(signed_in.session),
            Some(signed_in.metadata),
            move |renewed| {
                self.renewal_problem.set(None);
                self.state.set(AuthState::SignedIn(renewed));
                self.schedule_refresh();
            },
        );
        let session = keeper.current();
        self.keeper.set_value(Some(keeper));
        session_hint::remember();
        if let Some(session) = session {
            self.state.set(AuthState::SignedIn(session));
        }
        self.schedule_refresh();
    }

    fn keeper(&self) -> Option<Keeper> {
        self.keeper.get_value()
    }

    /// A timer for the refresh ahead of expiry.
    fn schedule_refresh(self) {
        let due = self.keeper().and_then(|k| k.current()).and_then(|s| renewal::refresh_due_at(&s));
        if let Some(due) = due {
            self.set_refresh_timer(due - clock::now_millis(), 0);
        }
    }

    fn set_refresh_timer(self, delay_ms: f64, attempt: u32) {
        if let Some(timer) = self.refresh_timer.get_value() {
            timer.clear();
        }
        let delay = Duration::from_millis(delay_ms.max(0.0) as u64);
        let timer = set_timeout_with_handle(move || self.refresh_in_background(attempt), delay).ok();
        self.refresh_timer.set_value(timer);
    }

    /// On return to a background tab, whose timers may have been frozen.
    fn refresh_if_due(self) {
        let due = self.keeper().and_then(|k| k.current()).and_then(|s| renewal::refresh_due_at(&s));
        if due.is_some_and(|due| clock::now_millis() >= due) {
            self.refresh_in_background(0);
        }
    }

    fn refresh_in_background(self, attempt: u32) {
        let Some(keeper) = self.keeper() else { return };
        spawn_local(async move {
            if let Err(error) = keeper.refresh().await {
                self.renewal_failed(error, attempt);
            }
        });
    }

    /// A temporary failure is retried with backoff while the person keeps
    /// working; an ended session signs out with a message.
    fn renewal_failed(self, error: AuthError, attempt: u32) {
        match renewal::classify(&error) {
            RenewalFailure::SessionEnded => self.end_session(Notice::SessionEnded),
            RenewalFailure::Temporary => {
                let delay = renewal::retry_delay_ms(attempt);
                self.renewal_problem.set(Some(format!(
                    "Your session could not be renewed: {error} Retrying in {} s.",
                    (delay / 1000.0).round() as u64
                )));
                self.set_refresh_timer(delay, attempt.saturating_add(1));
            }
        }
    }

    /// Forgets the session in this tab and shows `notice`.
    fn end_session(self, notice: Notice) {
        if let Some(keeper) = self.keeper() {
            keeper.clear();
        }
        self.keeper.set_value(None);
        if let Some(timer) = self.refresh_timer.get_value() {
            timer.clear();
        }
        self.renewal_problem.set(None);
        session_hint::forget();
        self.state.set(AuthState::SignedOut(Some(notice)));
    }

    /// GETs `path` from the API with a fresh access token.
    pub async fn call_api(self, path: &str) -> Result<String, String> {
        let keeper = self.keeper().ok_or_else(|| AuthError::NotSignedIn.to_string())?;
        match keeper.get_api(path).await {
            Ok(body) => Ok(body),
            Err(ApiCallError::Renewal(error)) => {
                let message = error.to_string();
                self.renewal_failed(error, 0);
                Err(message)
            }
            Err(error) => Err(error.to_string()),
        }
    }

    /// Sends the person to the provider to sign in, to come back here.
    pub fn sign_in(self) {
        let return_path = match self.state.get_untracked() {
            AuthState::Failed(_) => "/".to_owned(),
            _ => page::current_path_and_query(),
        };
        self.state.set(AuthState::Loading(Progress::RedirectingToProvider));
        spawn_local(async move {
            let started = match self.loaded_config().await {
                Ok(config) => {
                    flow::start_sign_in(&Fetch, &config, &return_path, SignInMode::Interactive).await
                }
                Err(error) => Err(error.into()),
            };
            match started {
                Ok(url) => page::navigate(&url),
                Err(error) => self.state.set(AuthState::Failed(error)),
            }
        });
    }

    /// Forgets the error and shows the signed-out view.
    pub fn dismiss_error(self) {
        self.state.set(AuthState::SignedOut(None));
    }

    /// Revokes the tokens, forgets them here and in every other tab, and
    /// ends the provider's session.
    pub fn sign_out(self) {
        let Some(config) = self.config() else { return };
        let Some(session) = self.keeper().and_then(|k| k.current()) else { return };
        // Memory is cleared first: nothing below can leave tokens behind.
        self.end_session(Notice::SignedOut);
        tabs::announce_sign_out();
        self.state.set(AuthState::Loading(Progress::SigningOut));
        spawn_local(async move {
            if let Some(notice) = end_provider_session(&Fetch, &config, session).await {
                self.state.set(AuthState::SignedOut(Some(notice)));
            }
        });
    }
}

/// Revokes the refresh and access tokens (RFC 7009), then navigates to the
/// end-session endpoint. Returns the notice to show when it did not navigate.
async fn end_provider_session(
    http: &impl HttpClient,
    config: &Config,
    session: Arc<Session>,
) -> Option<Notice> {
    let Ok(metadata) = flow::discover(http, &config.issuer).await else {
        return Some(Notice::SignedOutLocally);
    };
    if let Some(endpoint) = &metadata.revocation_endpoint {
        let tokens = [
            session.refresh_token.as_ref().map(|t| (t.secret(), "refresh_token")),
            Some((session.access_token.secret(), "access_token")),
        ];
        for (token, hint) in tokens.into_iter().flatten() {
            // Best effort: the session ends either way.
            let _ = http
                .send(HttpRequest::post_form(endpoint, revocation_body(token, hint, &config.client_id)))
                .await;
        }
    }
    let (Some(endpoint), Ok(state)) = (&metadata.end_session_endpoint, random_url_safe_string()) else {
        return Some(Notice::SignedOut);
    };
    let state = CsrfState::new(state);
    let url = EndSessionRequest {
        end_session_endpoint: endpoint,
        id_token_hint: &session.id_token,
        client_id: &config.client_id,
        post_logout_redirect_uri: &config.post_logout_redirect_uri,
        state: &state,
    }
    .url();
    drop(session);
    if transit::save(SIGN_OUT_KEY, &SignOutTransit { state }).is_err() {
        return Some(Notice::SignedOutLocally);
    }
    page::navigate(&url);
    None
}

/// Nothing to finish (a callback or a sign-out return carries a query) and
/// no session to restore.
fn is_plain_visit() -> bool {
    page::current_location().1.is_empty() && !session_hint::present()
}

async fn load_config(http: &impl HttpClient, origin: &str) -> Result<Config, ConfigError> {
    let response = http
        .send(HttpRequest::get_app_file(CONFIG_PATH))
        .await
        .map_err(|_| ConfigError::Unavailable("the server did not answer".into()))?;
    if response.status != 200 {
        return Err(ConfigError::Unavailable(format!("HTTP {}", response.status)));
    }
    Config::parse(&response.body, origin)
}
