//! The state machine itself: what each event means in each phase.

use std::sync::Arc;

use super::api::{ApiAnswer, ApiCallError, ApiCallKind};
use super::options::SignInOptions;
use super::error::{AuthError, CryptoError};
use super::renewal::{ApiCall, Ending, Held, Renewal};
use super::state::{AuthState, Notice, Progress};
use super::timing::{DISCOVERY_FRESH_MS, SIGN_OUT_WAIT_MS, SILENT_ATTEMPT_INTERVAL_MS, timer_delay};
use super::tokens::Session;
use super::transit::SignOutTransit;
use super::{
    CallId, Command, Event, Location, RequestId, SignInMode, SignedIn, Stored, TabMessage, Timer, TransitKind,
};
use crate::config::{Config, ConfigError};
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::http::{HttpRequest, HttpResponse, Unreachable};
use crate::oauth::logout::{EndSessionRequest, LogoutReturn, check_logout_return};
use crate::oauth::random::RandomUnavailable;
use crate::oauth::return_path::safe_return_path;
use crate::oauth::revocation::revocation_body;
use crate::oauth::secret::{AccessToken, CsrfState, RefreshToken, SecretUrl};
use crate::oauth::token::parse_token_response;

/// The session core. See the module documentation of [`crate::session`].
pub struct SessionCore {
    /// Fresh random values (the end-session `state`).
    random: fn() -> Result<String, RandomUnavailable>,
    config: ConfigState,
    /// A start that waits for the configuration, to be routed when it comes.
    unrouted: Option<(Location, Stored)>,
    /// A sign-in asked for before the configuration arrived.
    sign_in_after_config: Option<(String, SignInOptions)>,
    /// Another tab signed out before this page was routed.
    signed_out_during_start: bool,
    phase: Phase,
    /// The sign-in being prepared: only its answer is taken.
    preparing: Option<RequestId>,
    showing_failure: bool,
    showing_notice: Option<Notice>,
    /// [`Command::GetReadyToSignIn`] went out (once a page is enough).
    got_ready: bool,
    /// What it found, and when: for the next sign-in, while fresh.
    discovered: Option<(ProviderMetadata, u64)>,
    io: Io,
}

enum ConfigState {
    NotLoaded,
    Loading,
    Loaded(Config),
    Failed,
}

enum Phase {
    /// Signed out, an error, or the first spinner.
    Idle,
    /// A sign-in is being prepared; the page will navigate to the provider.
    Redirecting {
        silent: bool,
    },
    CompletingSignIn {
        signed_out_elsewhere: bool,
        /// A re-sign-in of a session in use (its refusal is news).
        renewal: bool,
    },
    SignedIn(Box<Held>),
    /// Revoking, then the end-session redirect.
    SigningOut(SigningOut),
    /// Gone to the provider's end-session endpoint.
    LeftToSignOut,
}

struct SigningOut {
    /// Revocations, and a refresh whose answer holds the newest tokens.
    waiting: Vec<RequestId>,
    end_session: Option<(SecretUrl, SignOutTransit)>,
    /// A revocation met a network error, and none got an answer.
    refused: bool,
    answered: bool,
}

/// Why a request was sent, so its answer is read the right way.
pub(super) enum Purpose {
    Refresh,
    /// A refresh whose session ended meanwhile: revoke what it brings.
    OrphanedRefresh {
        revocation_endpoint: Option<String>,
        client_id: String,
    },
    /// Does the token endpoint answer? (before a silent re-sign-in)
    Probe,
    Jwks,
    Signature,
    Revocation,
    Api {
        call: ApiCall,
        generation: u64,
    },
}

/// The commands of one `handle` call, and the requests in flight.
pub(super) struct Io {
    out: Vec<Command>,
    /// A few at a time: a list costs less wasm than a hash map.
    requests: Vec<(RequestId, Purpose)>,
    pub(super) next_request: u64,
}

impl Io {
    pub(super) fn push(&mut self, command: Command) {
        self.out.push(command);
    }

    pub(super) fn show(&mut self, state: AuthState) {
        self.out.push(Command::Show(state));
    }

    pub(super) fn next_id(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    pub(super) fn new_request(&mut self, purpose: Purpose) -> RequestId {
        let id = self.next_id();
        self.requests.push((id, purpose));
        id
    }

    /// Why `request` was sent, forgetting it: its answer is taken once.
    pub(super) fn take(&mut self, request: RequestId) -> Option<Purpose> {
        let index = self.requests.iter().position(|(id, _)| *id == request)?;
        Some(self.requests.swap_remove(index).1)
    }

    /// Reads `request`'s answer a new way from now on.
    pub(super) fn repurpose(&mut self, request: RequestId, purpose: Purpose) {
        if let Some(entry) = self.requests.iter_mut().find(|(id, _)| *id == request) {
            entry.1 = purpose;
        }
    }

    /// Forgets every request whose purpose matches, returning them.
    pub(super) fn take_all(&mut self, matches: impl Fn(&Purpose) -> bool) -> Vec<Purpose> {
        let (taken, kept) = std::mem::take(&mut self.requests).into_iter().partition(|(_, p)| matches(p));
        self.requests = kept;
        taken.into_iter().map(|(_, purpose)| purpose).collect()
    }

    pub(super) fn send(&mut self, purpose: Purpose, http: HttpRequest) -> RequestId {
        let request = self.new_request(purpose);
        self.out.push(Command::Send { request, http });
        request
    }

    pub(super) fn finish_call(&mut self, call: &ApiCall, result: Result<ApiAnswer, ApiCallError>) {
        self.out.push(Command::ApiCallDone { call: call.id, result });
    }

    /// Revokes the refresh tokens and the access token (RFC 7009), best effort.
    pub(super) fn revoke<'a>(
        &mut self,
        endpoint: Option<&str>,
        client_id: &str,
        refresh_tokens: impl IntoIterator<Item = &'a RefreshToken>,
        access_token: &AccessToken,
    ) -> Vec<RequestId> {
        let Some(endpoint) = endpoint else { return Vec::new() };
        let refresh = refresh_tokens.into_iter().map(|t| (t.secret(), "refresh_token"));
        refresh
            .chain([(access_token.secret(), "access_token")])
            .map(|(token, hint)| {
                let body = revocation_body(token, hint, client_id);
                self.send(Purpose::Revocation, HttpRequest::post_form(endpoint, body))
            })
            .collect()
    }
}

impl SessionCore {
    /// `random` supplies fresh 256-bit values (the sign-out `state`).
    pub fn new(random: fn() -> Result<String, RandomUnavailable>) -> Self {
        Self {
            random,
            config: ConfigState::NotLoaded,
            unrouted: None,
            sign_in_after_config: None,
            signed_out_during_start: false,
            phase: Phase::Idle,
            preparing: None,
            showing_failure: false,
            showing_notice: None,
            got_ready: false,
            discovered: None,
            io: Io { out: Vec::new(), requests: Vec::new(), next_request: 0 },
        }
    }

    /// The configuration, once loaded.
    pub fn config(&self) -> Option<&Config> {
        config_of(&self.config)
    }

    /// The session held now, if any.
    pub fn session(&self) -> Option<&Arc<Session>> {
        match &self.phase {
            Phase::SignedIn(held) => Some(held.session()),
            _ => None,
        }
    }

    /// Feeds one event in at local time `now` (ms since epoch) and returns
    /// what to do.
    pub fn handle(&mut self, event: Event, now: u64) -> Vec<Command> {
        match event {
            Event::Started { location, stored } => self.on_started(location, stored),
            Event::ConfigLoaded(result) => self.on_config(result, now),
            Event::SignInRequested { current_page, options } => {
                self.on_sign_in_requested(current_page, options, now)
            }
            Event::GotReadyToSignIn(found) => self.discovered = found.map(|metadata| (metadata, now)),
            Event::RetryRequested => self.on_retry(),
            Event::ErrorDismissed => {
                if matches!(self.phase, Phase::Idle) && self.config().is_some() {
                    self.show(AuthState::SignedOut(None));
                }
            }
            Event::SignOutRequested { ui_locales } => self.on_sign_out_requested(ui_locales.as_deref(), now),
            Event::SignInPrepared { request, result } => self.on_sign_in_prepared(request, result, now),
            Event::SignInFinished(result) => self.on_sign_in_finished(result, now),
            Event::RenewedInFrame { request, result } => self.on_renewed_in_frame(request, result, now),
            Event::HttpAnswered { request, result } => self.on_http(request, result, now),
            Event::SignatureChecked { request, result } => self.on_signature(request, result),
            Event::TimerFired(Timer::Renewal) | Event::PageVisible => self.on_wake(now),
            Event::TimerFired(Timer::SignOutDeadline) => self.finish_sign_out(),
            Event::SafeMoment => self.on_safe_moment(now),
            Event::PageIdle => self.on_page_activity(true, now),
            Event::PageInUse => self.on_page_activity(false, now),
            Event::PageRestored { last_sign_out_at } => self.on_page_restored(last_sign_out_at, now),
            Event::TabMessage(TabMessage::SignedOut) => self.on_signed_out_elsewhere(),
            Event::ApiCallRequested { call, kind } => self.on_api_call(call, kind, now),
        }
        std::mem::take(&mut self.io.out)
    }

    fn show(&mut self, state: AuthState) {
        self.showing_failure = matches!(state, AuthState::Failed(_));
        self.showing_notice = match state {
            AuthState::SignedOut(notice) => notice,
            _ => None,
        };
        let signed_out = matches!(state, AuthState::SignedOut(_));
        self.io.show(state);
        // Someone who reads the signed-out page may click Sign in: what the
        // click would wait for is done while they read.
        if signed_out && self.config().is_some() && !self.got_ready {
            self.got_ready = true;
            self.io.push(Command::GetReadyToSignIn);
        }
    }

    // ----------------------------------------------------------- start-up

    fn on_started(&mut self, location: Location, stored: Stored) {
        self.config = ConfigState::Loading;
        self.io.push(Command::LoadConfig);
        // RFC 9700 §4.3: what looks like an authorization response leaves the
        // address bar at once, before the configuration says whether it is
        // one (the query is kept in memory; put back if it was the app's).
        if looks_like_authorization_response(&location.query) {
            self.io.push(Command::ReplaceUrl(location.path.clone()));
        }
        // Nothing to finish (a callback or a sign-out return has a query)
        // and nothing to restore: show the Sign in button at once.
        let plain_visit = location.query.is_empty() && !stored.had_session;
        let first =
            if plain_visit { AuthState::SignedOut(None) } else { AuthState::Loading(Progress::Starting) };
        self.show(first);
        self.unrouted = Some((location, stored));
    }

    fn on_config(&mut self, result: Result<Config, ConfigError>, now: u64) {
        if !matches!(self.config, ConfigState::Loading) {
            return;
        }
        match result {
            Ok(config) => {
                self.config = ConfigState::Loaded(config);
                if let Some((mut return_path, options)) = self.sign_in_after_config.take() {
                    // A query taken out of the address bar at start was the
                    // app's own (this is no callback): it comes back.
                    if let Some((location, _)) = self.unrouted.take()
                        && looks_like_authorization_response(&location.query)
                        && !self.config().is_some_and(|c| location.is(&c.redirect_uri))
                    {
                        return_path = location.path_query_fragment();
                        self.io.push(Command::ReplaceUrl(return_path.clone()));
                    }
                    self.prepare_sign_in(SignInMode::Interactive, Some(return_path), options, now);
                } else if let Some((location, stored)) = self.unrouted.take() {
                    self.route(location, stored, now);
                }
            }
            Err(error) => {
                self.config = ConfigState::Failed;
                self.sign_in_after_config = None;
                self.phase = Phase::Idle;
                self.show(AuthState::Failed(error.into()));
            }
        }
    }

    fn on_retry(&mut self) {
        if matches!(self.config, ConfigState::Failed) {
            self.config = ConfigState::Loading;
            self.io.push(Command::LoadConfig);
            self.show(AuthState::Loading(Progress::Starting));
        }
    }

    /// Decides what a page load means, once the configuration is known.
    fn route(&mut self, location: Location, stored: Stored, now: u64) {
        let Some(config) = self.config() else { return };
        let at_callback = location.is(&config.redirect_uri);
        let at_post_logout = location.is(&config.post_logout_redirect_uri);
        if at_callback {
            // RFC 9700 §4.3: code, state and iss leave the address bar and
            // history before anything else can see them.
            self.io.push(Command::ReplaceUrl("/".into()));
            self.io.push(Command::DeleteTransit(TransitKind::SignIn));
            // The silent round trip came back, so it cannot loop: a reload
            // from here on may restore again.
            if stored.sign_in.as_ref().is_some_and(|pending| pending.silent) {
                self.io.push(Command::ClearSilentAttempt);
            }
            let renewal = stored.sign_in.as_ref().is_some_and(|pending| pending.renewal);
            let signed_out_elsewhere = self.signed_out_during_start;
            self.phase = Phase::CompletingSignIn { signed_out_elsewhere, renewal };
            self.show(AuthState::Loading(Progress::CompletingSignIn));
            let query = SecretUrl::new(location.query);
            self.io.push(Command::FinishSignIn { query, pending: stored.sign_in });
            return;
        }
        if looks_like_authorization_response(&location.query) {
            self.io.push(Command::ReplaceUrl(location.path_query_fragment()));
        }
        // Only a return to the post-logout URI with a sign-out pending in
        // this tab is a sign-out return: the app's own `?state=` is not.
        if let Some(pending) = stored.sign_out.filter(|_| at_post_logout) {
            self.io.push(Command::DeleteTransit(TransitKind::SignOut));
            if check_logout_return(&location.query, Some(&pending.state)) == LogoutReturn::Confirmed {
                self.io.push(Command::ReplaceUrl(location.path.clone()));
                self.show(AuthState::SignedOut(Some(Notice::SignedOut)));
                return;
            }
        }
        if stored.had_session && self.signed_out_during_start {
            self.show(AuthState::SignedOut(Some(Notice::SignedOutElsewhere)));
            return;
        }
        // After a reload memory is empty: restore with a top-level
        // prompt=none redirect (no iframe, no third-party cookies), at most
        // once a minute per tab.
        let may_try =
            stored.last_silent_attempt_at.is_none_or(|at| at > now || now - at >= SILENT_ATTEMPT_INTERVAL_MS);
        if stored.had_session && may_try {
            self.show(AuthState::Loading(Progress::RestoringSession));
            let return_path = Some(location.path_query_fragment());
            self.prepare_sign_in(SignInMode::Silent, return_path, SignInOptions::default(), now);
            return;
        }
        self.show(AuthState::SignedOut(None));
    }

    // ------------------------------------------------------------ sign-in

    fn on_sign_in_requested(&mut self, current_page: String, options: SignInOptions, now: u64) {
        if !matches!(self.phase, Phase::Idle) {
            return;
        }
        let return_path = if self.showing_failure { "/".to_owned() } else { current_page };
        if self.config().is_some() {
            self.prepare_sign_in(SignInMode::Interactive, Some(return_path), options, now);
            return;
        }
        if matches!(self.config, ConfigState::Failed | ConfigState::NotLoaded) {
            self.config = ConfigState::Loading;
            self.io.push(Command::LoadConfig);
        }
        self.sign_in_after_config = Some((return_path, options));
        self.phase = Phase::Redirecting { silent: false };
        self.show(AuthState::Loading(Progress::RedirectingToProvider));
    }

    fn prepare_sign_in(&mut self, mode: SignInMode, return_path: Option<String>, options: SignInOptions, now: u64) {
        self.phase = Phase::Redirecting { silent: mode.is_silent() };
        let request = self.io.next_id();
        self.preparing = Some(request);
        // Found ahead for a click, used once; a tab left open long (or a
        // clock set back) discovers afresh.
        let discovered = match mode {
            SignInMode::Interactive => self.discovered.take().and_then(|(metadata, found_at)| {
                now.checked_sub(found_at).is_some_and(|age| age < DISCOVERY_FRESH_MS).then_some(metadata)
            }),
            _ => None,
        };
        // Before the page changes: the preparation's waits (WebCrypto,
        // IndexedDB) then overlap the rendering.
        self.io.push(Command::PrepareSignIn { request, mode, return_path, options, discovered });
        if mode == SignInMode::Interactive {
            self.show(AuthState::Loading(Progress::RedirectingToProvider));
        }
    }

    fn on_sign_in_prepared(&mut self, request: RequestId, result: Result<SecretUrl, AuthError>, now: u64) {
        if let Phase::SignedIn(held) = &mut self.phase {
            held.on_reauthentication_prepared(&mut self.io, request, result, now);
            return;
        }
        if self.preparing != Some(request) {
            return; // superseded: a sign-out or another sign-in came between
        }
        self.preparing = None;
        let Phase::Redirecting { silent } = self.phase else { return };
        match result {
            Ok(url) => {
                // Counted when the redirect goes out: a reload before it
                // did does not use up the minute's attempt.
                if silent {
                    self.io.push(Command::RecordSilentAttempt { at: now });
                }
                self.io.push(Command::Navigate(url));
            }
            Err(_) if silent => {
                self.phase = Phase::Idle;
                self.show(AuthState::SignedOut(None));
            }
            Err(error) => {
                self.phase = Phase::Idle;
                self.show(AuthState::Failed(error));
            }
        }
    }

    fn on_sign_in_finished(&mut self, result: Result<SignedIn, AuthError>, now: u64) {
        let Phase::CompletingSignIn { signed_out_elsewhere, renewal } = self.phase else { return };
        self.phase = Phase::Idle;
        let Some(config) = config_of(&self.config) else { return };
        match result {
            Ok(signed_in) if signed_out_elsewhere => {
                // Signed out in another tab while this one was completing:
                // keep nothing, and revoke what the exchange brought.
                let endpoint = signed_in.metadata.revocation_endpoint.as_deref();
                let session = &signed_in.session;
                self.io.revoke(endpoint, &config.client_id, &session.refresh_token, &session.access_token);
                self.show(AuthState::SignedOut(Some(Notice::SignedOutElsewhere)));
            }
            Ok(signed_in) => {
                self.io.push(Command::RememberSession);
                self.io.push(Command::ReplaceUrl(safe_return_path(&signed_in.return_path)));
                let held = Held::new(signed_in, config, now);
                if held.session().refresh_token.is_none() {
                    let idle_after_s = Some(config.renew_when_idle_after_seconds).filter(|s| *s > 0);
                    let idle_after_ms = idle_after_s.map(|s| s.saturating_mul(1000));
                    let page_changes = config.renew_at_page_changes;
                    self.io.push(Command::WatchForSafeMoments { idle_after_ms, page_changes });
                }
                self.show(AuthState::SignedIn(held.session().clone()));
                self.io.push(Command::ShowRenewalProblem(None));
                held.arm_timer(&mut self.io, now);
                self.phase = Phase::SignedIn(Box::new(held));
            }
            Err(error) if error.is_cancellation() => {
                self.show(AuthState::SignedOut(Some(Notice::SignInCancelled)));
            }
            Err(AuthError::SilentSignInDeclined) => {
                self.io.push(Command::ForgetSession);
                self.show(AuthState::SignedOut(renewal.then_some(Notice::SessionEnded)));
            }
            Err(error) => self.show(AuthState::Failed(error)),
        }
    }

    // ----------------------------------------------------------- renewal

    fn on_wake(&mut self, now: u64) {
        let (Phase::SignedIn(held), Some(config)) = (&mut self.phase, config_of(&self.config)) else {
            return;
        };
        if let Some(ending) = held.wake(&mut self.io, config, now) {
            self.end_session(ending);
        }
    }

    fn on_renewed_in_frame(&mut self, request: RequestId, result: Result<SignedIn, AuthError>, now: u64) {
        let Some(config) = config_of(&self.config) else { return };
        match &mut self.phase {
            Phase::SignedIn(held) if held.renewal() == Renewal::InFrame(request) => {
                if let Some(ending) = held.on_renewed_in_frame(&mut self.io, config, result, now) {
                    self.end_session(ending);
                }
            }
            // The session ended while the frame was out (a sign-out here or
            // in another tab): what it brought is revoked, not kept.
            _ => {
                let ids = match &result {
                    Ok(renewed) => {
                        let endpoint = renewed.metadata.revocation_endpoint.as_deref();
                        let session = &renewed.session;
                        self.io.revoke(endpoint, &config.client_id, &session.refresh_token, &session.access_token)
                    }
                    Err(_) => Vec::new(),
                };
                if let Phase::SigningOut(leaving) = &mut self.phase {
                    leaving.waiting.retain(|id| *id != request);
                    leaving.waiting.extend(ids);
                    if leaving.waiting.is_empty() {
                        self.finish_sign_out();
                    }
                }
            }
        }
    }

    fn on_safe_moment(&mut self, now: u64) {
        if let (Phase::SignedIn(held), Some(config)) = (&mut self.phase, config_of(&self.config)) {
            held.at_safe_moment(&mut self.io, config, now);
        }
    }

    fn on_page_activity(&mut self, idle: bool, now: u64) {
        if let (Phase::SignedIn(held), Some(config)) = (&mut self.phase, config_of(&self.config)) {
            held.on_page_activity(&mut self.io, config, idle, now);
        }
    }

    fn on_page_restored(&mut self, last_sign_out_at: Option<u64>, now: u64) {
        match &mut self.phase {
            // Another tab signed out while this page sat in the cache.
            Phase::SignedIn(held) if last_sign_out_at.is_some_and(|at| at >= held.signed_in_at()) => {
                self.on_signed_out_elsewhere();
            }
            Phase::SignedIn(held) => {
                // A re-sign-in whose navigation never happened is tried again.
                held.navigation_abandoned();
                self.on_wake(now);
            }
            // Back from the provider's page with the browser's Back button.
            Phase::Redirecting { .. } => {
                self.phase = Phase::Idle;
                self.preparing = None;
                self.show(AuthState::SignedOut(None));
            }
            // Back from the provider's end-session page: signed out here.
            Phase::LeftToSignOut => {
                self.phase = Phase::Idle;
                self.show(AuthState::SignedOut(Some(Notice::SignedOut)));
            }
            _ => {}
        }
    }

    fn on_http(&mut self, request: RequestId, result: Result<HttpResponse, Unreachable>, now: u64) {
        let Some(purpose) = self.io.take(request) else { return };
        if let Phase::SigningOut(leaving) = &mut self.phase {
            leaving.waiting.retain(|id| *id != request);
            if matches!(purpose, Purpose::Revocation) {
                leaving.refused |= result.is_err();
                leaving.answered |= result.is_ok();
            }
        }
        match purpose {
            Purpose::OrphanedRefresh { revocation_endpoint, client_id } => {
                self.revoke_orphaned(result, revocation_endpoint.as_deref(), &client_id);
            }
            Purpose::Revocation | Purpose::Signature => {}
            purpose => {
                let (Phase::SignedIn(held), Some(config)) = (&mut self.phase, config_of(&self.config)) else {
                    return;
                };
                if let Some(ending) = held.on_http(&mut self.io, config, request, purpose, result, now) {
                    self.end_session(ending);
                }
            }
        }
        if matches!(&self.phase, Phase::SigningOut(leaving) if leaving.waiting.is_empty()) {
            self.finish_sign_out();
        }
    }

    fn on_signature(&mut self, request: RequestId, result: Result<bool, CryptoError>) {
        if self.io.take(request).is_none() {
            return;
        }
        let Phase::SignedIn(held) = &mut self.phase else { return };
        if let Some(ending) = held.on_signature(&mut self.io, request, result) {
            self.end_session(ending);
        }
    }

    /// Revokes the tokens a refresh brought after its session ended.
    fn revoke_orphaned(
        &mut self,
        result: Result<HttpResponse, Unreachable>,
        endpoint: Option<&str>,
        client_id: &str,
    ) {
        let Ok(response) = result else { return };
        let Ok(tokens) = parse_token_response(response.status, &response.body) else { return };
        let ids = self.io.revoke(endpoint, client_id, &tokens.refresh_token, &tokens.access_token);
        if let Phase::SigningOut(leaving) = &mut self.phase {
            leaving.waiting.extend(ids);
        }
    }

    // ------------------------------------------------------------ API calls

    fn on_api_call(&mut self, id: CallId, kind: ApiCallKind, now: u64) {
        let call = ApiCall { id, kind, retried: false };
        match (&mut self.phase, config_of(&self.config)) {
            // The token goes only to the APIs the configuration lists.
            (_, Some(config)) if !config.protects(call.kind.url()) => {
                let url = call.kind.url().to_owned();
                self.io.finish_call(&call, Err(ApiCallError::NotProtected(url)));
            }
            (Phase::SignedIn(held), Some(config)) => held.call_api(&mut self.io, config, call, now),
            _ => self.io.finish_call(&call, Err(ApiCallError::Renewal(AuthError::NotSignedIn))),
        }
    }

    // ------------------------------------------------------------ sign-out

    fn on_sign_out_requested(&mut self, ui_locales: Option<&str>, now: u64) {
        let Some(config) = self.config().cloned() else { return };
        let Some(held) = self.take_held() else { return };
        let end_session = held.metadata().end_session_endpoint.as_deref().and_then(|endpoint| {
            let state = CsrfState::new((self.random)().ok()?);
            let url = EndSessionRequest {
                end_session_endpoint: endpoint,
                client_id: &config.client_id,
                post_logout_redirect_uri: &config.post_logout_redirect_uri,
                state: &state,
                ui_locales,
            }
            .url();
            Some((SecretUrl::new(url), SignOutTransit { state }))
        });
        self.io.push(Command::Broadcast(TabMessage::SignedOut));
        self.io.push(Command::RecordSignOut { at: now });
        let waiting = self.let_go(held, config.client_id.clone());
        self.show(AuthState::Loading(Progress::SigningOut));
        self.phase = Phase::SigningOut(SigningOut { waiting, end_session, refused: false, answered: false });
        let after_ms = timer_delay(now, now + SIGN_OUT_WAIT_MS);
        self.io.push(Command::SetTimer { timer: Timer::SignOutDeadline, after_ms });
        if matches!(&self.phase, Phase::SigningOut(leaving) if leaving.waiting.is_empty()) {
            self.finish_sign_out();
        }
    }

    fn on_signed_out_elsewhere(&mut self) {
        match &mut self.phase {
            Phase::CompletingSignIn { signed_out_elsewhere, .. } => *signed_out_elsewhere = true,
            Phase::SignedIn(_) => {
                let Some(client_id) = self.config().map(|c| c.client_id.clone()) else { return };
                let Some(held) = self.take_held() else { return };
                self.let_go(held, client_id);
                self.show(AuthState::SignedOut(Some(Notice::SignedOutElsewhere)));
            }
            // A sign-in under way (a restore, or a click before the sign-out)
            // stops before it leaves the page: the latest word was sign-out.
            Phase::Redirecting { .. } => {
                self.phase = Phase::Idle;
                self.preparing = None;
                self.sign_in_after_config = None;
                self.show(AuthState::SignedOut(Some(Notice::SignedOutElsewhere)));
            }
            // Not routed yet (the configuration is on its way): remembered.
            Phase::Idle if self.unrouted.is_some() => self.signed_out_during_start = true,
            // The sign-out elsewhere ended this session too (the refresh
            // that found out answered first): name the real cause.
            Phase::Idle if self.showing_notice == Some(Notice::SessionEnded) => {
                self.show(AuthState::SignedOut(Some(Notice::SignedOutElsewhere)));
            }
            _ => {}
        }
    }

    /// Forgets a session: its timers, calls and hint go, every refresh token
    /// it knows and its access token are revoked, and a refresh in flight is
    /// revoked when it answers. Returns the requests a sign-out waits for.
    fn let_go(&mut self, held: Held, client_id: String) -> Vec<RequestId> {
        let io = &mut self.io;
        io.push(Command::ForgetSession);
        io.push(Command::ClearTimer(Timer::Renewal));
        io.push(Command::ShowRenewalProblem(None));
        held.fail_calls(io, AuthError::NotSignedIn);
        let endpoint = held.metadata().revocation_endpoint.clone();
        let session = held.session();
        let refresh_tokens = session.refresh_token.iter().chain(held.dropped_refresh_token());
        let mut waiting = io.revoke(endpoint.as_deref(), &client_id, refresh_tokens, &session.access_token);
        match held.renewal() {
            Renewal::Refreshing(request) => {
                let orphan = Purpose::OrphanedRefresh { revocation_endpoint: endpoint, client_id };
                io.repurpose(request, orphan);
                waiting.push(request);
            }
            // What the frame brings is revoked when it comes.
            Renewal::InFrame(request) => waiting.push(request),
            _ => {}
        }
        waiting
    }

    /// The session, leaving the phase idle; in any other phase, nothing
    /// changes.
    fn take_held(&mut self) -> Option<Held> {
        if !matches!(self.phase, Phase::SignedIn(_)) {
            return None;
        }
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::SignedIn(held) => Some(*held),
            _ => None,
        }
    }

    fn finish_sign_out(&mut self) {
        if !matches!(self.phase, Phase::SigningOut(_)) {
            return;
        }
        let Phase::SigningOut(leaving) = std::mem::replace(&mut self.phase, Phase::Idle) else { return };
        self.io.push(Command::ClearTimer(Timer::SignOutDeadline));
        // Revocations the network refused, none answered: a provider that
        // cannot be reached, so no navigation to it. Slow ones, or one
        // refused while another got through, do not stop its own sign-out.
        let unreachable = leaving.refused && !leaving.answered;
        match leaving.end_session {
            Some((url, transit)) if !unreachable => {
                self.io.push(Command::StoreSignOut(transit));
                self.io.push(Command::Navigate(url));
                self.phase = Phase::LeftToSignOut;
            }
            _ if unreachable => {
                self.show(AuthState::SignedOut(Some(Notice::SignedOutLocally)));
            }
            _ => self.show(AuthState::SignedOut(Some(Notice::SignedOut))),
        }
    }

    fn end_session(&mut self, ending: Ending) {
        let Some(client_id) = self.config().map(|c| c.client_id.clone()) else { return };
        let Some(held) = self.take_held() else { return };
        match ending {
            Ending::Ended => {
                // The grant is gone at the provider: nothing to revoke.
                let io = &mut self.io;
                io.push(Command::ForgetSession);
                io.push(Command::ClearTimer(Timer::Renewal));
                io.push(Command::ShowRenewalProblem(None));
                held.fail_calls(io, AuthError::SessionEnded);
                self.show(AuthState::SignedOut(Some(Notice::SessionEnded)));
            }
            Ending::Refused(error) => {
                self.let_go(held, client_id);
                self.show(AuthState::Failed(error));
            }
        }
    }
}

/// A query with `state` and a `code` or an `error`.
fn looks_like_authorization_response(query: &str) -> bool {
    let query = query.strip_prefix('?').unwrap_or(query);
    let names: Vec<_> = form_urlencoded::parse(query.as_bytes()).map(|(name, _)| name).collect();
    names.iter().any(|n| n == "state") && names.iter().any(|n| n == "code" || n == "error")
}

fn config_of(config: &ConfigState) -> Option<&Config> {
    match config {
        ConfigState::Loaded(config) => Some(config),
        _ => None,
    }
}
