//! The reactive layer and the driver of the session core: it feeds the
//! browser's events to [`SessionCore`] and carries out its commands with
//! fetch, WebCrypto, web storage, history, timers and BroadcastChannel.
//! The decisions are all in the core; this layer only performs them.

pub mod flow;
pub mod gates;
mod state;
mod user;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::dpop::DpopClient;
use crate::browser::fetch::Fetch;
use crate::browser::names::{self, Names};
use crate::browser::transit;
use crate::browser::activity::{self, Activity, PageWatch};
use crate::browser::{clock, frame, page, session_hint, tabs};
use crate::config::{AuthConfig, Source};
use crate::messages::Translator;
use browser_oidc::config::{Config, ConfigError};
use browser_oidc::oauth::http::{HttpClient, HttpRequest, Method};
use browser_oidc::oauth::random::random_url_safe_string;
use browser_oidc::oauth::secret::SecretUrl;
use browser_oidc::session::api::{ApiAnswer, ApiCallError, ApiCallKind, ApiRequest, ApiResponse};
use browser_oidc::session::error::AuthError;
use browser_oidc::session::state::{self as core_state, Progress, RenewalProblem};
use browser_oidc::session::tokens::Session;
use browser_oidc::session::{CallId, Command, Event, SessionCore, SignInOptions, Stored, TabMessage, Timer, TransitKind};

pub use state::AuthState;
pub use user::User;

/// The sign-in handle: `Copy`, so closures and components capture it
/// freely. Get it with [`use_auth`] below [`provide_auth`].
#[derive(Clone, Copy)]
pub struct Auth {
    /// What the session core shows (it holds the session's tokens).
    state: RwSignal<core_state::AuthState>,
    /// The same for the app: the user, never a token (set with it).
    view: RwSignal<AuthState>,
    /// Set while a renewal keeps failing for a temporary reason.
    renewal_problem: RwSignal<Option<RenewalProblem>>,
    /// The app's messages, if provided before `provide_auth`: their language
    /// goes to the provider's pages as `ui_locales`.
    messages: Option<Translator>,
    driver: StoredValue<Rc<Driver>, LocalStorage>,
}

/// The sign-in handle provided above this component.
///
/// # Panics
/// Outside [`provide_auth`], which is a programming error; use
/// [`try_use_auth`] where that can happen.
pub fn use_auth() -> Auth {
    try_use_auth().expect("use_auth() called outside provide_auth()")
}

/// The sign-in handle provided above this component, if any.
pub fn try_use_auth() -> Option<Auth> {
    use_context::<Auth>()
}

/// Sets up sign-in for the components below: it finishes a sign-in at the
/// redirect URI, restores the session after a reload (a top-level
/// `prompt=none` redirect when this browser had one), and keeps the tokens
/// fresh, in memory only. Call it once, near the root of the app, above a
/// router (its callback route must not unmount it).
///
/// ```no_run
/// use leptos::prelude::*;
/// use leptos_browser_oidc::{AuthConfig, provide_auth};
///
/// #[component]
/// fn App() -> impl IntoView {
///     provide_auth(AuthConfig::from_url("/config.json"));
///     view! { <p>"…"</p> }
/// }
/// ```
///
/// On a server (an SSR app's server side) it provides a handle that stays
/// [`AuthState::Loading`] and does nothing; the client takes over when it hydrates.
pub fn provide_auth(config: AuthConfig) -> Auth {
    let auth = new_auth(core_state::AuthState::Loading(Progress::Starting), config);
    // After the first render, so a hydrating page matches the server's;
    // a server (never wasm) does nothing.
    if cfg!(target_arch = "wasm32") {
        Effect::new(move |_| auth.start());
    }
    auth
}

/// A handle that only shows `state`, for tests of components.
#[doc(hidden)]
pub fn provide_auth_showing(state: core_state::AuthState) -> Auth {
    new_auth(state, AuthConfig::from_url("/config.json"))
}

fn new_auth(state: core_state::AuthState, config: AuthConfig) -> Auth {
    let view = RwSignal::new(AuthState::of(&state));
    let state = RwSignal::new(state);
    let renewal_problem = RwSignal::new(None);
    // The client id as the configuration check reads it (trimmed).
    let names = match &config.source {
        Source::Fields(_) => config.client_id().map(|id| Names::new(id.trim())),
        // Storage exists only in a browser (not on an SSR server).
        Source::Url(url) if cfg!(target_arch = "wasm32") => {
            names::remembered_client_id(url).as_deref().map(Names::new)
        }
        Source::Url(_) => None,
    };
    let driver = Rc::new(Driver {
        source: config.source,
        names: RefCell::new(names),
        core: RefCell::new(SessionCore::new(random_url_safe_string)),
        queue: RefCell::new(VecDeque::new()),
        busy: Cell::new(false),
        started: Cell::new(false),
        listening: Cell::new(false),
        timers: RefCell::new([None, None]),
        calls: RefCell::new(Vec::new()),
        next_call: Cell::new(0),
        state,
        view,
        renewal_problem,
        http: Rc::new(DpopClient::default()),
        page_watch: RefCell::new(None),
    });
    let messages = crate::messages::provided();
    let auth = Auth { state, view, renewal_problem, messages, driver: StoredValue::new_local(driver) };
    provide_context(auth);
    auth
}

impl Auth {
    /// What the page should show: loading, signed out, signed in, or an
    /// error (reactive).
    pub fn state(&self) -> ReadSignal<AuthState> {
        self.view.read_only()
    }

    /// Who is signed in, if anyone (reactive). The same person across
    /// refreshes; standard claims as fields, any other claim with
    /// [`User::claim`].
    pub fn user(&self) -> Option<User> {
        self.view.with(|state| match state {
            AuthState::SignedIn(user) => Some(user.clone()),
            _ => None,
        })
    }

    /// When the current access token expires (ms since the epoch, local
    /// clock), if the provider said (reactive).
    pub fn access_token_expires_at(&self) -> Option<u64> {
        self.state.with(|state| match state {
            core_state::AuthState::SignedIn(session) => session.access_token_expires_at_ms,
            _ => None,
        })
    }

    /// The scopes the provider granted, if it said (reactive).
    pub fn granted_scopes(&self) -> Option<String> {
        self.state.with(|state| match state {
            core_state::AuthState::SignedIn(session) => session.scope.clone(),
            _ => None,
        })
    }

    /// Why renewals keep failing for a temporary reason (the provider is
    /// down, say), and when the next attempt is; `None` otherwise. Its
    /// `Display` is the sentence to show, `reason()` the one to announce.
    pub fn renewal_problem(&self) -> ReadSignal<Option<RenewalProblem>> {
        self.renewal_problem.read_only()
    }

    /// Whether the configuration has loaded and passed its checks.
    pub fn is_configured(&self) -> bool {
        self.read_config(|_| ()).is_some()
    }

    /// The APIs that get the access token, as configured (empty until the
    /// configuration has loaded).
    pub fn protected_apis(&self) -> Vec<String> {
        self.read_config(|config| config.protected_apis.clone()).unwrap_or_default()
    }

    fn read_config<T>(&self, read: impl FnOnce(&Config) -> T) -> Option<T> {
        self.driver.with_value(|d| d.core.try_borrow().ok()?.config().map(read))
    }

    /// Shows a renewal problem without the core: for tests of components only.
    #[doc(hidden)]
    pub fn show_renewal_problem_for_tests(&self, problem: Option<RenewalProblem>) {
        self.renewal_problem.set(problem);
    }

    /// Shows `state` without the core: for tests of components only.
    #[doc(hidden)]
    pub fn show_for_tests(&self, state: core_state::AuthState) {
        self.view.set(AuthState::of(&state));
        self.state.set(state);
    }

    fn dispatch(&self, event: Event) {
        self.driver.with_value(|driver| driver.dispatch(event));
    }

    /// Starts the session: loads the configuration, then finishes a
    /// sign-in (at the redirect URI), confirms a sign-out, restores a
    /// session, or shows signed out. [`provide_auth`] calls it; calling it
    /// again does nothing.
    pub fn start(self) {
        let driver = self.driver.get_value();
        if driver.started.replace(true) {
            return;
        }
        let listening = driver.clone();
        page::on_visible(move || listening.dispatch(Event::PageVisible));
        let listening = driver.clone();
        page::on_restored_from_cache(move || {
            let last_sign_out_at = listening.names.borrow().as_ref().and_then(session_hint::last_sign_out);
            listening.dispatch(Event::PageRestored { last_sign_out_at })
        });
        driver.listen_to_other_tabs();
        let stored = match &*driver.names.borrow() {
            Some(names) => Stored {
                sign_in: transit::peek(&names.sign_in()),
                sign_out: transit::peek(&names.sign_out()),
                had_session: session_hint::present(names),
                last_silent_attempt_at: session_hint::last_silent_attempt(names),
            },
            None => Stored::default(),
        };
        driver.dispatch(Event::Started { location: page::current_location(), stored });
    }

    /// Sends `request` to a protected API with a fresh access token, and
    /// returns its answer. The token goes only to the APIs the
    /// configuration lists ([`AuthConfig::protect`]). An answer of 401
    /// `invalid_token` renews the token once and retries once.
    ///
    /// ```no_run
    /// # async fn demo(auth: leptos_browser_oidc::Auth) -> Result<(), leptos_browser_oidc::ApiCallError> {
    /// use leptos_browser_oidc::{ApiRequest, Method};
    ///
    /// let order = ApiRequest::new(Method::Post, "https://api.example.com/orders").json(r#"{"item":1}"#);
    /// let answer = auth.send(order).await?;
    /// println!("{} {}", answer.status, answer.body);
    /// # Ok(()) }
    /// ```
    pub async fn send(self, request: ApiRequest) -> Result<ApiResponse, ApiCallError> {
        match self.call(ApiCallKind::Send(request)).await? {
            ApiAnswer::Response(response) => Ok(response),
            ApiAnswer::Authorization(_) => Err(ApiCallError::Renewal(AuthError::NotSignedIn)),
        }
    }

    /// `GET url` on a protected API: [`Auth::send`] for the common case.
    pub async fn get(self, url: &str) -> Result<ApiResponse, ApiCallError> {
        self.send(ApiRequest::new(Method::Get, url)).await
    }

    /// The headers that authorize `method` on `url`, for a request the app
    /// sends itself (with its own HTTP client), with a fresh token:
    /// `Authorization: Bearer …`, or, for a token bound to this tab's key,
    /// `Authorization: DPoP …` and a `DPoP` proof made for this one request
    /// (use it once). Only for URLs of the protected APIs.
    pub async fn authorize(self, method: Method, url: &str) -> Result<Vec<(String, String)>, ApiCallError> {
        let mut headers = match self.call(ApiCallKind::Authorize { method, url: url.to_owned() }).await? {
            ApiAnswer::Authorization(headers) => headers.0,
            ApiAnswer::Response(_) => return Err(ApiCallError::Renewal(AuthError::NotSignedIn)),
        };
        let bound = headers.iter().find_map(|(name, value)| value.strip_prefix("DPoP ").filter(|_| name == "Authorization"));
        if let Some(token) = bound.map(str::to_owned) {
            let http = self.driver.get_value().http.clone();
            let proof = http.proof(method.as_str(), url, Some(&token)).await.map_err(AuthError::from);
            headers.push(("DPoP".to_owned(), proof.map_err(ApiCallError::Renewal)?));
        }
        Ok(headers)
    }

    /// Whether the session's tokens are bound to this tab's key (DPoP): a
    /// copy of them is useless without it.
    pub fn is_sender_constrained(&self) -> bool {
        self.state.with(|state| matches!(state, core_state::AuthState::SignedIn(session) if session.dpop))
    }

    async fn call(self, kind: ApiCallKind) -> Result<ApiAnswer, ApiCallError> {
        let driver = self.driver.get_value();
        let call = CallId(driver.next_call.get() + 1);
        driver.next_call.set(call.0);
        let (answer, answered) = oneshot::channel();
        driver.calls.borrow_mut().push((call, answer));
        driver.dispatch(Event::ApiCallRequested { call, kind });
        answered.await.unwrap_or(Err(ApiCallError::Renewal(AuthError::NotSignedIn)))
    }

    /// Tells the library that leaving the page now loses nothing (after a
    /// form is saved, say): the library takes the app's word for it, and
    /// forgets the fields and editors changed before. A
    /// session the provider gave no refresh token is renewed only at such a
    /// moment, once half its access token's life has passed, by a silent
    /// re-sign-in that comes back to the page shown then, and only if the
    /// provider answers within 2 s and nobody has used the page since. The
    /// library notices two such moments by itself: a page change of the
    /// app's router, and an idle page
    /// ([`AuthConfig::renew_when_idle_after_seconds`]); neither counts while
    /// something the person typed is unsaved.
    pub fn at_safe_moment(self) {
        let watch = self.driver.with_value(|driver| driver.page_watch.borrow().clone());
        match watch {
            Some(watch) => watch.moment_named(),
            // No session that only a re-sign-in renews: nothing to do.
            None => self.dispatch(Event::SafeMoment),
        }
    }

    /// The language of the app's messages, for the provider's pages.
    fn ui_locales(self) -> Option<String> {
        let kept = self.messages.and_then(|messages| messages.ui_locales());
        kept.or_else(|| crate::messages::provided()?.ui_locales())
    }

    /// Sends the person to the provider to sign in, to come back here.
    pub fn sign_in(self) {
        self.sign_in_with(SignInOptions::default());
    }

    /// [`Auth::sign_in`], asking the provider for more: `prompt`,
    /// `login_hint`, `max_age` (then `auth_time` is checked), `acr_values`
    /// (`acr` checked when required), `ui_locales` (by default the language
    /// of [`provide_messages`](crate::provide_messages), if the app gave
    /// one), `resource` or any other parameter.
    ///
    /// For someone not signed in: while a session is held it does nothing
    /// (a step-up of a live session is not supported yet). The checks hold
    /// for this sign-in; renewals keep its identity (`iss`, `sub`,
    /// `auth_time`), and an app that needs a lasting `acr` reads
    /// `user.claim::<String>("acr")`.
    ///
    /// ```no_run
    /// # fn demo(auth: leptos_browser_oidc::Auth) {
    /// use leptos_browser_oidc::SignInOptions;
    ///
    /// auth.sign_in_with(SignInOptions::new().prompt("login").max_age(300));
    /// # }
    /// ```
    pub fn sign_in_with(self, options: SignInOptions) {
        let options = match self.ui_locales() {
            Some(language) => options.ui_locales_unless_given(language),
            None => options,
        };
        let current = page::current_location();
        self.dispatch(Event::SignInRequested {
            current_page: format!("{}{}{}", current.path, current.query, current.fragment),
            options,
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
        self.dispatch(Event::SignOutRequested { ui_locales: self.ui_locales() });
    }
}

/// Where an API call's answer goes.
type AnswerSender = oneshot::Sender<Result<ApiAnswer, ApiCallError>>;

/// Runs the core: one event at a time (events raised while one is handled
/// wait their turn), each command performed in order.
struct Driver {
    source: Source,
    /// From the client id: of the configuration in code, or the one the
    /// configuration file named last time (then checked when it loads).
    names: RefCell<Option<Names>>,
    core: RefCell<SessionCore>,
    queue: RefCell<VecDeque<Event>>,
    busy: Cell<bool>,
    started: Cell<bool>,
    /// The other tabs' channel has a listener.
    listening: Cell<bool>,
    /// One slot per kind of timer.
    timers: RefCell<[Option<TimeoutHandle>; 2]>,
    calls: RefCell<Vec<(CallId, AnswerSender)>>,
    next_call: Cell<u64>,
    state: RwSignal<core_state::AuthState>,
    view: RwSignal<AuthState>,
    renewal_problem: RwSignal<Option<RenewalProblem>>,
    /// Sends the requests, with DPoP proofs made with this tab's key.
    http: Rc<DpopClient>,
    /// Watches for safe moments, once a session needs them.
    page_watch: RefCell<Option<PageWatch>>,
}

impl Driver {
    /// The configuration file named `client_id`: its names from now on
    /// (the start may have used last time's, or none).
    fn adopt_client_id(self: &Rc<Self>, config_url: &str, client_id: &str) {
        let names = Names::new(client_id);
        if self.names.borrow().as_ref() != Some(&names) {
            names::remember_client_id(config_url, client_id);
            self.names.replace(Some(names));
            self.listening.set(false);
            self.listen_to_other_tabs();
        }
    }

    /// Hears the other tabs' sign-outs, once the app's names are known.
    fn listen_to_other_tabs(self: &Rc<Self>) {
        let names = self.names.borrow();
        if let Some(names) = names.as_ref().filter(|_| !self.listening.replace(true)) {
            let listening = self.clone();
            tabs::listen_for_sign_out(names, move || listening.dispatch(Event::TabMessage(TabMessage::SignedOut)));
        }
    }

    /// Performs `effect` with the app's storage names, if they are known
    /// (they are not when no configuration ever loaded).
    fn with_names(&self, effect: impl FnOnce(&Names)) {
        if let Some(names) = &*self.names.borrow() {
            effect(names);
        }
    }

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
            Command::Show(state) => {
                self.view.set(AuthState::of(&state));
                self.state.set(state);
            }
            Command::ShowRenewalProblem(problem) => self.renewal_problem.set(problem),
            Command::WatchForSafeMoments { idle_after_ms, page_changes } => {
                let driver = self.clone();
                let watch = activity::watch(idle_after_ms, page_changes, move |activity| {
                    driver.dispatch(match activity {
                        Activity::SafeMoment => Event::SafeMoment,
                        Activity::Idle => Event::PageIdle,
                        Activity::InUse => Event::PageInUse,
                    })
                });
                self.page_watch.replace(Some(watch));
            }
            Command::LoadConfig => {
                let origin = page::origin();
                match &self.source {
                    Source::Fields(fields) => {
                        let loaded = Config::from_fields(fields, &origin);
                        self.queue.borrow_mut().push_back(Event::ConfigLoaded(loaded));
                    }
                    Source::Url(url) => {
                        let (url, driver) = (url.clone(), self.clone());
                        self.spawn(async move {
                            let loaded = load_config(&Fetch, &url, &origin).await;
                            if let Ok(config) = &loaded {
                                driver.adopt_client_id(&url, &config.client_id);
                            }
                            Event::ConfigLoaded(loaded)
                        });
                    }
                }
            }
            Command::GetReadyToSignIn => {
                let Some(config) = self.config() else { return };
                let http = self.http.clone();
                self.spawn(async move {
                    let found = flow::get_ready(&*http, &config, &Names::new(&config.client_id)).await;
                    Event::GotReadyToSignIn(found)
                });
            }
            Command::PrepareSignIn { request, mode, return_path, options, discovered } => {
                let Some(config) = self.config() else { return };
                let names = Names::new(&config.client_id);
                let return_path = return_path.unwrap_or_else(page::current_path_and_query);
                let http = self.http.clone();
                self.spawn(async move {
                    let url = flow::start_sign_in(&*http, &config, &names, discovered, &return_path, mode, &options);
                    let url = url.await;
                    Event::SignInPrepared { request, result: url.map(SecretUrl::new) }
                });
            }
            Command::FinishSignIn { query, pending } => {
                let Some(config) = self.config() else { return };
                let names = Names::new(&config.client_id);
                let http = self.http.clone();
                self.spawn(async move {
                    let finished = flow::finish_sign_in(&*http, &config, &names, query.secret(), pending, now_millis);
                    let finished = finished.await;
                    if let Ok(signed_in) = &finished {
                        learn_server_time(&http, &signed_in.session);
                    }
                    Event::SignInFinished(finished)
                });
            }
            Command::RenewInFrame { request } => {
                let Some(config) = self.config() else { return };
                let names = Names::new(&config.client_id);
                let http = self.http.clone();
                self.spawn(async move {
                    let frame = async |url: &str, return_to: &str| frame::come_back(url, return_to, frame::FRAME_WAIT).await;
                    let result = flow::renew_in_frame(&*http, &config, &names, frame, now_millis).await;
                    if let Ok(renewed) = &result {
                        learn_server_time(&http, &renewed.session);
                    }
                    Event::RenewedInFrame { request, result }
                });
            }
            Command::Send { request, http } => {
                let client = self.http.clone();
                self.spawn(async move { Event::HttpAnswered { request, result: client.send(http).await } });
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
            Command::StoreSignOut(pending) => self.with_names(|names| {
                let _ = transit::save(&names.sign_out(), &pending);
            }),
            Command::DeleteTransit(TransitKind::SignIn) => self.with_names(|names| transit::delete(&names.sign_in())),
            Command::DeleteTransit(TransitKind::SignOut) => self.with_names(|names| transit::delete(&names.sign_out())),
            Command::RememberSession => self.with_names(session_hint::remember),
            Command::ForgetSession => self.with_names(session_hint::forget),
            Command::RecordSilentAttempt { at } => self.with_names(|names| session_hint::record_silent_attempt(names, at)),
            Command::ClearSilentAttempt => self.with_names(session_hint::silent_attempt_done),
            Command::RecordSignOut { at } => self.with_names(|names| session_hint::record_sign_out(names, at)),
            Command::Broadcast(TabMessage::SignedOut) => self.with_names(tabs::announce_sign_out),
            Command::ApiCallDone { call, result } => {
                let mut calls = self.calls.borrow_mut();
                if let Some(index) = calls.iter().position(|(id, _)| *id == call) {
                    let _ = calls.swap_remove(index).1.send(result);
                }
            }
        }
    }
}

/// Proofs carry the provider's time, learnt from a new ID token's `iat`.
fn learn_server_time(http: &DpopClient, session: &Session) {
    if let Some(issued_at) = session.id_token_claims.iat {
        http.learn_server_time(issued_at.saturating_mul(1000), session.received_at_ms);
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

async fn load_config(http: &impl HttpClient, url: &str, origin: &str) -> Result<Config, ConfigError> {
    let unavailable = |status| ConfigError::Unavailable { url: url.to_owned(), status };
    let response = http.send(HttpRequest::get_public_document(url)).await.map_err(|_| unavailable(None))?;
    if response.status != 200 {
        return Err(unavailable(Some(response.status)));
    }
    Config::parse(&response.body, origin)
}
