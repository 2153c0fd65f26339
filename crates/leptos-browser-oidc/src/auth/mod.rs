//! The reactive layer and the driver of the session core: it feeds the
//! browser's events to [`SessionCore`] and carries out its commands with
//! fetch, WebCrypto, web storage, history, timers and BroadcastChannel.
//! The decisions are all in the core; this layer only performs them.

pub mod flow;
pub mod gates;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use futures_channel::oneshot;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::fetch::Fetch;
use crate::browser::transit::{self, SIGN_IN_KEY, SIGN_OUT_KEY};
use crate::browser::{clock, page, session_hint, tabs};
use browser_oidc::config::{CONFIG_PATH, Config, ConfigError};
use browser_oidc::oauth::http::{HttpClient, HttpRequest};
use browser_oidc::oauth::random::random_url_safe_string;
use browser_oidc::oauth::secret::SecretUrl;
use browser_oidc::session::api::ApiCallError;
use browser_oidc::session::{CallId, Command, Event, SessionCore, Stored, TabMessage, Timer, TransitKind};

pub use browser_oidc::session::error::AuthError;
pub use browser_oidc::session::state::{AuthState, Notice, Progress};
pub use browser_oidc::session::tokens::{Session, User};
pub use gates::{Authenticated, Unauthenticated};

/// The handle components use: `Copy`, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Auth {
    state: RwSignal<AuthState>,
    /// Set while a renewal keeps failing for a temporary reason.
    renewal_problem: RwSignal<Option<String>>,
    driver: StoredValue<Rc<Driver>, LocalStorage>,
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
    let state = RwSignal::new(state);
    let renewal_problem = RwSignal::new(None);
    let driver = Rc::new(Driver {
        core: RefCell::new(SessionCore::new(random_url_safe_string)),
        queue: RefCell::new(VecDeque::new()),
        busy: Cell::new(false),
        started: Cell::new(false),
        timers: RefCell::new([None, None]),
        calls: RefCell::new(Vec::new()),
        next_call: Cell::new(0),
        state,
        renewal_problem,
    });
    let auth = Auth { state, renewal_problem, driver: StoredValue::new_local(driver) };
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

    /// Shows `state` without the core: for tests of components only.
    #[doc(hidden)]
    pub fn show_for_tests(&self, state: AuthState) {
        self.state.set(state);
    }

    /// The configuration, once loaded.
    pub fn config(&self) -> Option<Config> {
        self.driver.with_value(|d| d.core.try_borrow().ok()?.config().cloned())
    }

    fn dispatch(&self, event: Event) {
        self.driver.with_value(|driver| driver.dispatch(event));
    }

    /// Loads the configuration, then finishes a sign-in (at the redirect
    /// URI), confirms a sign-out, restores a session, or shows signed out.
    /// Calling it again does nothing.
    pub fn start(self) {
        let driver = self.driver.get_value();
        if driver.started.replace(true) {
            return;
        }
        let listening = driver.clone();
        tabs::listen_for_sign_out(move || listening.dispatch(Event::TabMessage(TabMessage::SignedOut)));
        let listening = driver.clone();
        page::on_visible(move || listening.dispatch(Event::PageVisible));
        let listening = driver.clone();
        page::on_restored_from_cache(move || {
            listening.dispatch(Event::PageRestored { last_sign_out_at: session_hint::last_sign_out() })
        });
        let stored = Stored {
            sign_in: transit::peek(SIGN_IN_KEY),
            sign_out: transit::peek(SIGN_OUT_KEY),
            had_session: session_hint::present(),
            last_silent_attempt_at: session_hint::last_silent_attempt(),
        };
        driver.dispatch(Event::Started { location: page::current_location(), stored });
    }

    /// Calls `path` on the API with a fresh access token; on `invalid_token`
    /// it refreshes once and retries once.
    pub async fn call_api(self, path: &str) -> Result<String, ApiCallError> {
        let driver = self.driver.get_value();
        let call = CallId(driver.next_call.get() + 1);
        driver.next_call.set(call.0);
        let (answer, answered) = oneshot::channel();
        driver.calls.borrow_mut().push((call, answer));
        driver.dispatch(Event::ApiCallRequested { call, path: path.to_owned() });
        answered.await.unwrap_or(Err(ApiCallError::Renewal(AuthError::NotSignedIn)))
    }

    /// Sends the person to the provider to sign in, to come back here.
    pub fn sign_in(self) {
        let current = page::current_location();
        self.dispatch(Event::SignInRequested {
            current_page: format!("{}{}{}", current.path, current.query, current.fragment),
        });
    }

    /// Loads the configuration again after it failed.
    pub fn retry(self) {
        self.dispatch(Event::RetryRequested);
    }

    /// Forgets the error and shows the signed-out view.
    pub fn dismiss_error(self) {
        self.dispatch(Event::ErrorDismissed);
    }

    /// Revokes the tokens, forgets them here and in every other tab, and
    /// ends the provider's session.
    pub fn sign_out(self) {
        self.dispatch(Event::SignOutRequested);
    }
}

/// Where an API call's answer goes.
type ApiAnswer = oneshot::Sender<Result<String, ApiCallError>>;

/// Runs the core: one event at a time (events raised while one is handled
/// wait their turn), each command performed in order.
struct Driver {
    core: RefCell<SessionCore>,
    queue: RefCell<VecDeque<Event>>,
    busy: Cell<bool>,
    started: Cell<bool>,
    /// One slot per kind of timer.
    timers: RefCell<[Option<TimeoutHandle>; 2]>,
    calls: RefCell<Vec<(CallId, ApiAnswer)>>,
    next_call: Cell<u64>,
    state: RwSignal<AuthState>,
    renewal_problem: RwSignal<Option<String>>,
}

impl Driver {
    fn dispatch(self: &Rc<Self>, event: Event) {
        self.queue.borrow_mut().push_back(event);
        if self.busy.replace(true) {
            return;
        }
        loop {
            let Some(event) = self.queue.borrow_mut().pop_front() else { break };
            let commands = self.core.borrow_mut().handle(event, clock::now_millis());
            for command in commands {
                self.perform(command);
            }
        }
        self.busy.set(false);
    }

    /// Runs `effect` and feeds its outcome back as an event. Boxed: one task
    /// type for every effect costs less wasm than one per future.
    fn spawn(self: &Rc<Self>, effect: impl Future<Output = Event> + 'static) {
        let effect: std::pin::Pin<Box<dyn Future<Output = Event>>> = Box::pin(effect);
        let driver = self.clone();
        spawn_local(async move {
            let event = effect.await;
            driver.dispatch(event);
        });
    }

    fn config(&self) -> Option<Config> {
        self.core.borrow().config().cloned()
    }

    fn perform(self: &Rc<Self>, command: Command) {
        match command {
            Command::Show(state) => self.state.set(state),
            Command::ShowRenewalProblem(problem) => self.renewal_problem.set(problem.map(|p| p.to_string())),
            Command::LoadConfig => {
                let origin = page::origin();
                self.spawn(async move { Event::ConfigLoaded(load_config(&Fetch, &origin).await) });
            }
            Command::PrepareSignIn { request, mode, return_path } => {
                let Some(config) = self.config() else { return };
                let return_path = return_path.unwrap_or_else(page::current_path_and_query);
                self.spawn(async move {
                    let url = flow::start_sign_in(&Fetch, &config, &return_path, mode).await;
                    Event::SignInPrepared { request, result: url.map(SecretUrl::new) }
                });
            }
            Command::FinishSignIn { query, pending } => {
                let Some(config) = self.config() else { return };
                self.spawn(async move {
                    let finished = flow::finish_sign_in(&Fetch, &config, query.secret(), pending, now_millis);
                    Event::SignInFinished(finished.await)
                });
            }
            Command::Send { request, http } => {
                self.spawn(async move { Event::HttpAnswered { request, result: Fetch.send(http).await } });
            }
            Command::CheckSignature { request, id_token, keys } => {
                self.spawn(async move {
                    Event::SignatureChecked { request, result: flow::check_signature(&id_token, &keys).await }
                });
            }
            Command::SetTimer { timer, after_ms } => {
                let driver = self.clone();
                let fire = move || driver.dispatch(Event::TimerFired(timer));
                let handle = set_timeout_with_handle(fire, Duration::from_millis(after_ms.into())).ok();
                if let Some(old) = std::mem::replace(&mut self.timers.borrow_mut()[slot(timer)], handle) {
                    old.clear();
                }
            }
            Command::ClearTimer(timer) => {
                if let Some(old) = self.timers.borrow_mut()[slot(timer)].take() {
                    old.clear();
                }
            }
            Command::ReplaceUrl(url) => page::replace_url(&url),
            Command::Navigate(url) => page::navigate(url.secret()),
            // Without it the return is not confirmed, which is harmless.
            Command::StoreSignOut(pending) => {
                let _ = transit::save(SIGN_OUT_KEY, &pending);
            }
            Command::DeleteTransit(TransitKind::SignIn) => transit::delete(SIGN_IN_KEY),
            Command::DeleteTransit(TransitKind::SignOut) => transit::delete(SIGN_OUT_KEY),
            Command::RememberSession => session_hint::remember(),
            Command::ForgetSession => session_hint::forget(),
            Command::RecordSilentAttempt { at } => session_hint::record_silent_attempt(at),
            Command::ClearSilentAttempt => session_hint::silent_attempt_done(),
            Command::RecordSignOut { at } => session_hint::record_sign_out(at),
            Command::Broadcast(TabMessage::SignedOut) => tabs::announce_sign_out(),
            Command::ApiCallDone { call, result } => {
                let mut calls = self.calls.borrow_mut();
                if let Some(index) = calls.iter().position(|(id, _)| *id == call) {
                    let _ = calls.swap_remove(index).1.send(result);
                }
            }
        }
    }
}

/// The core's clock, for the sign-in's timestamps too.
fn now_millis() -> f64 {
    clock::now_millis() as f64
}

/// Where a timer's handle is kept.
fn slot(timer: Timer) -> usize {
    match timer {
        Timer::Renewal => 0,
        Timer::SignOutDeadline => 1,
    }
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
