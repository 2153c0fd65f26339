//! A signed-in session and everything that keeps it alive: refreshes,
//! their answers, the silent re-sign-in, API calls, and the refreshed ID
//! token's checks.

use std::sync::Arc;

use super::api::{self, ApiAnswer, ApiCallError, ApiCallKind, ApiError};
use super::options::SignInOptions;
use super::core::{Io, Purpose};
use super::error::{AuthError, CryptoError};
use super::state::{AuthState, RenewalProblem};
use super::timing::{
    AUTHORIZE_MARGIN_MS, SAFE_MOMENT_MS,
    JWKS_REFETCH_INTERVAL_MS, MAX_RETRY_AFTER_MS, MIN_REFRESH_INTERVAL_MS, REAUTHENTICATION_WAIT_MS,
    RESIGN_IN_INTERVAL_MS, re_sign_in_due_at, refresh_due_at, retry_after_ms, retry_delay_ms, timer_delay,
};
use super::tokens::{Session, expiry_from};
use super::{CallId, Command, RequestId, SignInMode, SignedIn, Timer, TransitKind};
use crate::config::Config;
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::callback::CallbackError;
use crate::oauth::discovery::DiscoveryError;
use crate::oauth::userinfo::UserinfoError;
use crate::oauth::http::{HttpRequest, HttpResponse, Unreachable};
use crate::oauth::id_token::{
    ExpectedClaims, IdTokenClaims, check_refreshed_claims, check_same_person, parse_claims, verify_claims,
};
use crate::oauth::jwks::{JwkSet, KeyError, candidate_keys, parse_jwk_set};
use crate::oauth::jwt::parse_jws;
use crate::oauth::secret::{IdToken, RefreshToken, SecretUrl};
use crate::oauth::token::{TokenError, TokenResponse, parse_token_response, refresh_body};

/// An API call the app asked for.
#[derive(Debug, Clone)]
pub(super) struct ApiCall {
    pub(super) id: CallId,
    pub(super) kind: ApiCallKind,
    /// Already retried once after `invalid_token`.
    pub(super) retried: bool,
}

/// How a session ends.
pub(super) enum Ending {
    /// The provider ended it (`invalid_grant`).
    Ended,
    /// A refreshed ID token was refused: a security failure, shown as such.
    Refused(AuthError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Renewal {
    Idle,
    Refreshing(RequestId),
    Probing(RequestId),
    /// A silent re-sign-in is being prepared; the page will navigate
    /// (unless the navigation is abandoned: then it is tried again later).
    Reauthenticating {
        request: RequestId,
        since: u64,
    },
    /// A silent re-sign-in in a hidden frame: the page stays.
    InFrame(RequestId),
}

/// A signed-in session and its renewal.
pub(super) struct Held {
    session: Arc<Session>,
    /// A refresh token whose refresh may have been processed without the
    /// answer arriving: never sent to the token endpoint again, but revoked
    /// at sign-out.
    dropped_refresh_token: Option<RefreshToken>,
    /// When this page signed in: a sign-out recorded later ends it.
    signed_in_at: u64,
    /// When this page last left for a re-sign-in (Back can bring it back).
    resigned_in_at: Option<u64>,
    /// When the page last offered to leave for a re-sign-in (a safe
    /// moment, or an attempt while idle); cleared when it is in use again.
    safe_moment_at: Option<u64>,
    /// Nobody uses the page and nothing in it is unsaved (`Event::PageIdle`).
    page_idle: bool,
    /// Without a refresh token, renew in a hidden frame (the configuration
    /// names a `silent_redirect_uri`, and no frame renewal failed yet).
    renews_in_frame: bool,
    /// Temporary failures of frame renewals in a row.
    frame_failures: u32,
    /// An API accepted the current access token.
    access_token_accepted: bool,
    /// After that, an API refused it: renewal is due at once.
    access_token_refused: bool,
    metadata: ProviderMetadata,
    /// The provider's keys, cached for the session; the request that
    /// fetched them (none: the sign-in's); when they were last asked for.
    keys: Option<JwkSet>,
    keys_from: Option<RequestId>,
    keys_asked_at: Option<u64>,
    /// Counts access tokens, so an `invalid_token` answer to an older one
    /// is retried with the newer one rather than refreshing again.
    generation: u64,
    renewal: Renewal,
    last_attempt_at: Option<u64>,
    /// Temporary failures in a row.
    failures: u32,
    /// No attempt before this (backoff, `Retry-After`).
    retry_at: Option<u64>,
    /// A refreshed ID token whose signature is not checked yet.
    pending_id_token: Option<PendingIdToken>,
    verifying: Option<RequestId>,
    /// API calls waiting for a fresh access token.
    waiting: Vec<ApiCall>,
}

struct PendingIdToken {
    id_token: IdToken,
    /// Its claims, checked on arrival; used once its signature verifies.
    claims: IdTokenClaims,
    /// Requests made before it arrived: a key set they fetched is no proof
    /// that its key is unknown.
    requests_before: u64,
}

/// Frame renewals that may fail temporarily in a row (the first try and
/// three more) before frames give way.
const MAX_FRAME_FAILURES: u32 = 4;

/// How a failed renewal in a frame counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameFailure {
    /// The provider needs the person, the browser blocked the frame, or
    /// nothing usable came back: frames stop, and safe moments take over.
    Declined,
    /// A provider or a network that may answer later: tried again.
    Temporary,
    /// What came back was refused by a check: the session ends.
    Refused,
}

/// Sorts a frame renewal's error. Only what a later try may mend is
/// temporary; only a check that refused what came back ends the session;
/// anything else (and anything new) is declined, which adopts nothing and
/// keeps the session.
fn frame_failure(error: &AuthError) -> FrameFailure {
    use FrameFailure::*;
    let busy = |status: u16| matches!(status, 429 | 500 | 502 | 503 | 504);
    let temporary_error = |error: &str| matches!(error, "temporarily_unavailable" | "server_error");
    match error {
        AuthError::ProviderUnreachable(_) => Temporary,
        AuthError::Discovery(DiscoveryError::UnexpectedStatus(status)) if busy(*status) => Temporary,
        AuthError::Token(TokenError::UnexpectedStatus { status, .. }) if busy(*status) => Temporary,
        AuthError::Token(TokenError::Provider(e)) | AuthError::Callback(CallbackError::Provider(e))
            if temporary_error(&e.error) =>
        {
            Temporary
        }
        // The key set or UserInfo could not be read: an outage, as for a refresh.
        AuthError::SigningKey(KeyError::MalformedKeySet) => Temporary,
        AuthError::Userinfo(UserinfoError::Status(status)) if busy(*status) => Temporary,
        AuthError::Userinfo(UserinfoError::Malformed) => Temporary,
        AuthError::Callback(
            CallbackError::StateMismatch
            | CallbackError::IssuerMismatch { .. }
            | CallbackError::IssuerMissing
            | CallbackError::DuplicateParameter(_)
            | CallbackError::BoundKeyMissing,
        )
        | AuthError::Token(TokenError::NotBound | TokenError::UnsupportedTokenType(_) | TokenError::IdTokenMissing)
        | AuthError::IdTokenFormat(_)
        | AuthError::SigningKey(_)
        | AuthError::InvalidSignature
        | AuthError::IdTokenClaims(_)
        | AuthError::Userinfo(_)
        | AuthError::Crypto(CryptoError::UnusableKey) => Refused,
        _ => Declined,
    }
}

/// Did the server refuse a token request without processing it?
fn refused_unprocessed(response: &HttpResponse, error: &TokenError) -> bool {
    matches!(response.status, 429 | 503)
        || (is_oauth_refusal(response) && matches!(error, TokenError::Provider(_)))
}

/// A 400 or 401 carrying an OAuth error: the token endpoint's own answer.
fn is_oauth_refusal(response: &HttpResponse) -> bool {
    matches!(response.status, 400 | 401)
        && matches!(parse_token_response(response.status, &response.body), Err(TokenError::Provider(_)))
}

impl Held {
    pub(super) fn new(signed_in: SignedIn, config: &Config, now: u64) -> Self {
        Self {
            renews_in_frame: config.silent_redirect_uri.is_some(),
            frame_failures: 0,
            session: Arc::new(signed_in.session),
            dropped_refresh_token: None,
            signed_in_at: now,
            resigned_in_at: None,
            safe_moment_at: None,
            page_idle: false,
            access_token_accepted: false,
            access_token_refused: false,
            metadata: signed_in.metadata,
            keys_from: None,
            keys_asked_at: signed_in.keys.as_ref().map(|_| now),
            keys: signed_in.keys,
            generation: 0,
            renewal: Renewal::Idle,
            last_attempt_at: None,
            failures: 0,
            retry_at: None,
            pending_id_token: None,
            verifying: None,
            waiting: Vec::new(),
        }
    }

    pub(super) fn session(&self) -> &Arc<Session> {
        &self.session
    }

    pub(super) fn metadata(&self) -> &ProviderMetadata {
        &self.metadata
    }

    pub(super) fn signed_in_at(&self) -> u64 {
        self.signed_in_at
    }

    pub(super) fn renewal(&self) -> Renewal {
        self.renewal
    }

    pub(super) fn dropped_refresh_token(&self) -> Option<&RefreshToken> {
        self.dropped_refresh_token.as_ref()
    }

    // ---------------------------------------------------------- scheduling

    /// Can the session be renewed without waiting for a moment to leave
    /// the page? A refresh token, one dropped after a lost answer (then by
    /// a silent re-sign-in), or a hidden frame.
    fn renewable(&self) -> bool {
        self.session.refresh_token.is_some() || self.dropped_refresh_token.is_some() || self.renews_in_frame
    }

    /// The earliest moment another attempt may go out. The way to a
    /// re-sign-in waits until a minute after this page signed in or last
    /// left for one. Times in the future (the device's clock was set back)
    /// do not hold renewal up.
    fn earliest_attempt(&self, now: u64) -> u64 {
        let past = |at: &u64| *at <= now;
        let after_last =
            self.last_attempt_at.filter(past).map_or(0, |at| at.saturating_add(MIN_REFRESH_INTERVAL_MS));
        let retry_at = self.retry_at(now).unwrap_or(0);
        // A frame renewal leaves nothing: the minute between re-sign-ins
        // guards against reload loops.
        let after_sign_in = match self.session.refresh_token {
            Some(_) => 0,
            None if self.renews_in_frame => 0,
            None => {
                let last = self.resigned_in_at.unwrap_or(0).max(self.signed_in_at);
                Some(last).filter(past).map_or(0, |at| at.saturating_add(RESIGN_IN_INTERVAL_MS))
            }
        };
        after_last.max(retry_at).max(after_sign_in)
    }

    /// The backoff's next try, unless the clock was set back so far that it
    /// lies beyond any delay the core sets.
    fn retry_at(&self, now: u64) -> Option<u64> {
        self.retry_at.filter(|at| *at <= now.saturating_add(MAX_RETRY_AFTER_MS))
    }

    /// When the session is due for renewal: a refresh shortly before
    /// expiry; a re-sign-in, in a frame or at a safe moment, from half the
    /// token's lifetime (so that if a frame fails, the safe moments have as
    /// long as without one), or at once after an API refused the token.
    fn due_at(&self) -> Option<u64> {
        let refreshable = self.session.refresh_token.is_some() || self.dropped_refresh_token.is_some();
        match () {
            _ if refreshable => refresh_due_at(&self.session),
            _ if self.access_token_refused => Some(0),
            _ => re_sign_in_due_at(&self.session),
        }
    }

    /// When the next attempt is wanted, if at all.
    fn next_attempt(&self, now: u64) -> Option<u64> {
        // Without a refresh token, only a re-sign-in renews: it leaves the
        // page, so it is timed only while the page is idle.
        if !self.renewable() && !self.page_idle {
            return None;
        }
        let wanted = if !self.waiting.is_empty() {
            Some(0)
        } else if self.failures > 0 {
            Some(self.retry_at(now).unwrap_or(now))
        } else {
            self.due_at()
        };
        Some(wanted?.max(self.earliest_attempt(now)))
    }

    /// Sets the timer for the next renewal step, or for the key fetch a
    /// pending ID token waits for, whichever comes first.
    pub(super) fn arm_timer(&self, io: &mut Io, now: u64) {
        let renewal_at = match self.renewal {
            Renewal::Idle => self.next_attempt(now),
            Renewal::Reauthenticating { since, .. } => Some(since.saturating_add(REAUTHENTICATION_WAIT_MS)),
            // Its answer moves things on.
            Renewal::Refreshing(_) | Renewal::Probing(_) | Renewal::InFrame(_) => None,
        };
        let wake_at = match (renewal_at, self.keys_wanted_at(now)) {
            (Some(renewal), Some(keys)) => Some(renewal.min(keys)),
            (renewal, keys) => renewal.or(keys),
        };
        match wake_at {
            Some(at) => io.push(Command::SetTimer { timer: Timer::Renewal, after_ms: timer_delay(now, at) }),
            None if self.renewal == Renewal::Idle => io.push(Command::ClearTimer(Timer::Renewal)),
            None => {}
        }
    }

    /// When a pending ID token, waiting for the keys, may fetch them.
    fn keys_wanted_at(&self, now: u64) -> Option<u64> {
        (self.pending_id_token.is_some() && self.verifying.is_none()).then(|| self.next_key_fetch_at(now))
    }

    /// A timer fired or the page became visible.
    pub(super) fn wake(&mut self, io: &mut Io, config: &Config, now: u64) -> Option<Ending> {
        if let Err(error) = self.verify_pending(io, now) {
            return Some(Ending::Refused(error));
        }
        // A re-sign-in whose page never left (a cancelled navigation).
        if let Renewal::Reauthenticating { since, .. } = self.renewal
            && now.saturating_sub(since) >= REAUTHENTICATION_WAIT_MS
        {
            self.renewal = Renewal::Idle;
        }
        self.renewal_step(io, config, now);
        None
    }

    /// A moment to leave the page without loss (`Event::SafeMoment`):
    /// a session with no refresh token to renew by, whose access token is
    /// due, leaves for a silent re-sign-in (at most once a minute after
    /// this page signed in or last left for one).
    pub(super) fn at_safe_moment(&mut self, io: &mut Io, config: &Config, now: u64) {
        let due = self.due_at().is_some_and(|at| now >= at);
        let idle = self.renewal == Renewal::Idle;
        if due && idle && !self.renewable() && now >= self.earliest_attempt(now) {
            self.attempt(io, config, now);
        }
    }

    /// The page became idle, or is in use again. In use, nothing under
    /// way may leave the page: not a probe's answer, not a re-sign-in
    /// whose navigation is being prepared.
    pub(super) fn on_page_activity(&mut self, io: &mut Io, config: &Config, idle: bool, now: u64) {
        self.page_idle = idle;
        if idle {
            self.at_safe_moment(io, config, now);
        } else {
            self.safe_moment_at = None;
            if !self.renewable() && matches!(self.renewal, Renewal::Reauthenticating { .. }) {
                self.renewal = Renewal::Idle;
            }
        }
        self.renewal_step(io, config, now);
    }

    /// The page came back from the back/forward cache: a navigation to the
    /// provider that it was waiting for did not happen.
    pub(super) fn navigation_abandoned(&mut self) {
        if matches!(self.renewal, Renewal::Reauthenticating { .. }) {
            self.renewal = Renewal::Idle;
        }
    }

    /// Starts the next attempt if it is time, else sets the timer.
    fn renewal_step(&mut self, io: &mut Io, config: &Config, now: u64) {
        if self.renewal != Renewal::Idle {
            return self.arm_timer(io, now);
        }
        match self.next_attempt(now) {
            Some(at) if now >= at => self.attempt(io, config, now),
            _ => {
                // Without a refresh token nothing renews before a safe
                // moment: calls do not wait for one.
                if !self.renewable() {
                    self.answer_waiting_calls(io, &AuthError::NoRefreshToken, now);
                }
                self.arm_timer(io, now);
            }
        }
    }

    /// A refresh; a silent re-sign-in in a hidden frame; or, after a lost
    /// answer, the way to a silent re-sign-in that leaves the page: first
    /// make sure the provider answers.
    fn attempt(&mut self, io: &mut Io, config: &Config, now: u64) {
        self.last_attempt_at = Some(now);
        let endpoint = &self.metadata.token_endpoint;
        self.renewal = match &self.session.refresh_token {
            Some(token) => {
                let body = refresh_body(token, &config.client_id);
                // A bound refresh token is useless without a proof (RFC 9449 §5).
                let request = HttpRequest::post_form(endpoint, body).with_dpop(self.session.dpop);
                Renewal::Refreshing(io.send(Purpose::Refresh, request))
            }
            None if self.renews_in_frame => {
                let request = io.next_id();
                io.push(Command::RenewInFrame { request });
                Renewal::InFrame(request)
            }
            None => {
                // The page may leave if the provider answers soon enough.
                self.safe_moment_at = Some(now);
                // A refresh grant without a token spends nothing: the
                // provider refuses it (RFC 6749 §5.2), which proves it answers.
                let body = form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "refresh_token")
                    .append_pair("client_id", &config.client_id)
                    .finish();
                Renewal::Probing(io.send(Purpose::Probe, HttpRequest::post_form(endpoint, body)))
            }
        };
    }

    // ------------------------------------------------------------ answers

    pub(super) fn on_http(
        &mut self,
        io: &mut Io,
        config: &Config,
        request: RequestId,
        purpose: Purpose,
        result: Result<HttpResponse, Unreachable>,
        now: u64,
    ) -> Option<Ending> {
        match purpose {
            Purpose::Refresh => self.on_refresh_answer(io, config, result, now),
            Purpose::Probe => {
                self.on_probe_answer(io, config, result, now);
                None
            }
            Purpose::Jwks => self.on_keys_answer(io, request, result, now),
            Purpose::Api { call, generation } => {
                self.on_api_answer(io, config, call, generation, result, now);
                None
            }
            _ => None,
        }
    }

    fn on_refresh_answer(
        &mut self,
        io: &mut Io,
        config: &Config,
        result: Result<HttpResponse, Unreachable>,
        now: u64,
    ) -> Option<Ending> {
        self.renewal = Renewal::Idle;
        let response = match result {
            Ok(response) => response,
            Err(unreachable) => {
                // The provider may have rotated the token before the answer
                // was lost: sending it again could look like reuse and
                // revoke the grant.
                self.drop_refresh_token();
                self.temporary_failure(io, unreachable.into(), None, now);
                return None;
            }
        };
        let retry_after = retry_after_ms(response.retry_after.as_deref());
        match parse_token_response(response.status, &response.body) {
            Ok(tokens) => self.adopt(io, config, tokens, now),
            Err(TokenError::Provider(error))
                if error.error == "invalid_grant" && is_oauth_refusal(&response) =>
            {
                Some(Ending::Ended)
            }
            // The provider refused the request (RFC 6749 §5.2: 400 or 401
            // with an OAuth error), or a server was too busy to take it
            // (429, 503): nothing was issued, and the token is still good.
            Err(error) if refused_unprocessed(&response, &error) => {
                self.temporary_failure(io, error.into(), retry_after, now);
                None
            }
            // Anything else (a success we cannot read, a 500, a gateway's
            // 502 or 504, whatever their body) may have come after the
            // provider rotated the token: it is dropped like a lost answer.
            Err(error) => {
                self.drop_refresh_token();
                self.temporary_failure(io, error.into(), retry_after, now);
                None
            }
        }
    }

    /// The refresh token may be spent: it is kept only for revocation, and
    /// the session is renewed by a silent re-sign-in instead.
    fn drop_refresh_token(&mut self) {
        if let Some(token) = &self.session.refresh_token {
            self.dropped_refresh_token = Some(token.clone());
            self.session = Arc::new(Session { refresh_token: None, ..Session::clone(&self.session) });
        }
    }

    /// Takes the new tokens at once (the old refresh token is spent). A new
    /// ID token's claims are checked before anything uses the new access
    /// token; its signature is checked next, and it replaces the old one
    /// once it verifies.
    fn adopt(&mut self, io: &mut Io, config: &Config, tokens: TokenResponse, now: u64) -> Option<Ending> {
        // The binding cannot change on a refresh. The refused tokens are
        // revoked with the session's, as the ID token's refusal below does.
        let binding = tokens.check_binding(self.session.dpop);
        let old = &self.session;
        self.session = Arc::new(Session {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token.or_else(|| old.refresh_token.clone()),
            received_at_ms: now,
            access_token_expires_at_ms: expiry_from(now, tokens.expires_in),
            scope: tokens.scope.or_else(|| old.scope.clone()),
            ..Session::clone(old)
        });
        self.generation += 1;
        self.failures = 0;
        self.retry_at = None;
        if let Err(error) = binding {
            return Some(Ending::Refused(error.into()));
        }
        if let Some(id_token) = tokens.id_token {
            match self.refreshed_claims(config, &id_token, now) {
                Ok(claims) => {
                    let requests_before = io.next_request;
                    self.pending_id_token = Some(PendingIdToken { id_token, claims, requests_before });
                    self.verifying = None; // an answer about an older one is ignored
                }
                Err(error) => return Some(Ending::Refused(error)),
            }
            if let Err(error) = self.verify_pending(io, now) {
                return Some(Ending::Refused(error));
            }
        }
        self.renewed(io, now);
        None
    }

    /// A new access token is held: shown, the banner gone, the waiting
    /// calls sent with it, the next renewal timed.
    fn renewed(&mut self, io: &mut Io, now: u64) {
        io.show(AuthState::SignedIn(self.session.clone()));
        io.push(Command::ShowRenewalProblem(None));
        for call in std::mem::take(&mut self.waiting) {
            self.send_call(io, call);
        }
        self.arm_timer(io, now);
    }

    /// OIDC Core §12.2: a refreshed ID token is checked like the first
    /// (no nonce), and names the same person, provider and app.
    fn refreshed_claims(
        &self,
        config: &Config,
        id_token: &IdToken,
        now: u64,
    ) -> Result<IdTokenClaims, AuthError> {
        let jws = parse_jws(id_token.secret())?;
        let claims = parse_claims(&jws.payload)?;
        let expected = ExpectedClaims {
            issuer: &self.metadata.issuer,
            client_id: &config.client_id,
            nonce: None,
            now_seconds: i64::try_from(now / 1000).unwrap_or(i64::MAX),
            leeway_seconds: config.clock_leeway_seconds,
        };
        verify_claims(&claims, &expected)?;
        check_refreshed_claims(&self.session.id_token_claims, &claims)?;
        Ok(claims)
    }

    fn temporary_failure(
        &mut self,
        io: &mut Io,
        error: AuthError,
        retry_after: Option<u64>,
        now: u64,
    ) {
        self.failures = self.failures.saturating_add(1);
        let delay = retry_delay_ms(self.failures).max(retry_after.unwrap_or(0));
        self.retry_at = Some(now.saturating_add(delay));
        let expired = self.expired(now);
        for call in std::mem::take(&mut self.waiting) {
            // A token that still works serves a first attempt; a call
            // refused with it, or one holding an expired token, gives up.
            if !expired && !call.retried {
                self.send_call(io, call);
            } else {
                io.finish_call(&call, Err(ApiCallError::Renewal(error.clone())));
            }
        }
        // The next attempt may wait longer than the backoff (5 s apart, a
        // minute between re-sign-ins): say when it really comes.
        // Without a way to refresh nothing retries by itself (a later safe
        // moment may): no banner promises a retry.
        if self.renewable() {
            let retry_in = self.next_attempt(now).map_or(delay, |at| at.saturating_sub(now));
            let retry_in_seconds = retry_in.div_ceil(1000);
            io.push(Command::ShowRenewalProblem(Some(RenewalProblem { error, retry_in_seconds })));
        }
        self.arm_timer(io, now);
    }

    fn on_probe_answer(
        &mut self,
        io: &mut Io,
        config: &Config,
        result: Result<HttpResponse, Unreachable>,
        now: u64,
    ) {
        self.renewal = Renewal::Idle;
        match result {
            // Only the provider's own refusal of the token-less grant proves
            // it answers; anything else (busy, failing, a portal's or a
            // firewall's page) is not the moment to leave the page for it.
            Ok(response) if !is_oauth_refusal(&response) => {
                let retry_after = retry_after_ms(response.retry_after.as_deref());
                let error = TokenError::UnexpectedStatus { status: response.status, body: Default::default() };
                self.temporary_failure(io, error.into(), retry_after, now);
            }
            // Someone uses the page again: it stays (the next moment tries).
            Ok(_) if !self.renewable() && self.safe_moment_at.is_none() && !self.page_idle => {
                self.renewal_step(io, config, now)
            }
            // A page change is a brief moment: a slow answer finds the
            // person busy on the new page, so the page stays, and the next
            // try waits for the backoff a slow provider earns, like a
            // failing one. (An idle page waits: input would say it is over.)
            Ok(_) if !self.renewable()
                && !self.page_idle
                && self.safe_moment_at.is_some_and(|at| now.saturating_sub(at) > SAFE_MOMENT_MS) =>
            {
                let slow = Unreachable { url: self.metadata.token_endpoint.clone() };
                self.temporary_failure(io, slow.into(), None, now);
            }
            Ok(_) => {
                // The page will leave: calls waiting for a token cannot get one here.
                for call in std::mem::take(&mut self.waiting) {
                    io.finish_call(&call, Err(ApiCallError::Renewal(AuthError::Renewing)));
                }
                let request = io.next_id();
                self.renewal = Renewal::Reauthenticating { request, since: now };
                let options = SignInOptions::default();
                let prepare = Command::PrepareSignIn {
                    request,
                    mode: SignInMode::Renewal,
                    return_path: None,
                    options,
                    discovered: None,
                };
                io.push(prepare);
                self.arm_timer(io, now);
            }
            Err(unreachable) => self.temporary_failure(io, unreachable.into(), None, now),
        }
    }

    pub(super) fn on_reauthentication_prepared(
        &mut self,
        io: &mut Io,
        request: RequestId,
        result: Result<SecretUrl, AuthError>,
        now: u64,
    ) {
        if !matches!(self.renewal, Renewal::Reauthenticating { request: r, .. } if r == request) {
            // Prepared after it was called off (someone used the page): the
            // transit data it just saved goes, unless a newer re-sign-in is
            // being prepared (whose own save then comes later).
            if result.is_ok() && !matches!(self.renewal, Renewal::Reauthenticating { .. }) {
                io.push(Command::DeleteTransit(TransitKind::SignIn));
            }
            return;
        }
        match result {
            Ok(url) => {
                self.resigned_in_at = Some(now);
                io.push(Command::Navigate(url));
            }
            Err(error) => {
                self.renewal = Renewal::Idle;
                self.temporary_failure(io, error, None, now);
            }
        }
    }

    /// The answer of a renewal in a hidden frame (`Renewal::InFrame`).
    /// A new session naming the same person replaces this one in place.
    /// Otherwise, by [`frame_failure`]: a frame declined keeps the session
    /// as it is, and frames are not tried again on this page (a cross-site
    /// provider whose cookies the browser withholds from frames says
    /// `login_required` even while its session lasts, so only a re-sign-in
    /// at a safe moment can tell the session has ended); a temporary
    /// failure is tried again after the backoff, a few times; and what
    /// came back refused ends the session, as a refreshed one does.
    pub(super) fn on_renewed_in_frame(
        &mut self,
        io: &mut Io,
        config: &Config,
        result: Result<SignedIn, AuthError>,
        now: u64,
    ) -> Option<Ending> {
        self.renewal = Renewal::Idle;
        self.last_attempt_at = Some(now);
        let error = match result {
            Ok(renewed) => return self.adopt_renewed(io, config, renewed, now),
            Err(error) => error,
        };
        match frame_failure(&error) {
            FrameFailure::Temporary if self.frame_failures + 1 < MAX_FRAME_FAILURES => {
                self.frame_failures += 1;
                self.temporary_failure(io, error, None, now);
                None
            }
            FrameFailure::Refused => Some(Ending::Refused(error)),
            // Declined, or failing again and again: no more frames on this
            // page (the safe moments, or after a dropped refresh token the
            // re-sign-in that leaves the page).
            FrameFailure::Temporary | FrameFailure::Declined => {
                self.renews_in_frame = false;
                self.frame_failures = 0;
                self.failures = 0;
                self.retry_at = None;
                io.push(Command::ShowRenewalProblem(None));
                self.renewal_step(io, config, now);
                None
            }
        }
    }

    /// Replaces the session with one a frame renewal brought, if it names
    /// the same person and keeps the binding.
    fn adopt_renewed(&mut self, io: &mut Io, config: &Config, renewed: SignedIn, now: u64) -> Option<Ending> {
        // A new grant may be bound where the old one was not (the provider
        // started offering DPoP), never the other way.
        let same_binding = match renewed.session.dpop || !self.session.dpop {
            true => Ok(()),
            false => Err(AuthError::from(TokenError::NotBound)),
        };
        let same_person = check_same_person(&self.session.id_token_claims, &renewed.session.id_token_claims);
        if let Err(error) = same_binding.and(same_person.map_err(AuthError::from)) {
            // Another person's tokens, or a downgrade: none is kept.
            let endpoint = renewed.metadata.revocation_endpoint.as_deref();
            let session = &renewed.session;
            io.revoke(endpoint, &config.client_id, &session.refresh_token, &session.access_token);
            return Some(Ending::Refused(error));
        }
        self.session = Arc::new(renewed.session);
        if renewed.keys.is_some() {
            self.keys = renewed.keys;
            self.keys_from = None;
            self.keys_asked_at = Some(now);
        }
        self.generation += 1;
        self.failures = 0;
        self.frame_failures = 0;
        self.retry_at = None;
        self.access_token_accepted = false;
        self.access_token_refused = false;
        // A refreshed ID token still waiting for its keys is superseded.
        self.pending_id_token = None;
        self.verifying = None;
        self.renewed(io, now);
        None
    }

    // ------------------------------------------------------------ API calls

    pub(super) fn call_api(&mut self, io: &mut Io, config: &Config, call: ApiCall, now: u64) {
        // Headers go into a request the app sends itself, where no retry
        // follows a refusal: they need a token with some life left.
        // The margin asks only for a refresh: a token that still works is
        // never held back for a re-sign-in, which would leave the page.
        let margin = match call.kind {
            ApiCallKind::Authorize { .. } if self.session.refresh_token.is_some() || self.renews_in_frame => {
                authorize_margin_ms(&self.session)
            }
            _ => 0,
        };
        if !self.expired(now.saturating_add(margin)) {
            return self.send_call(io, call);
        }
        self.waiting.push(call);
        self.renew_for_calls(io, config, now);
    }

    fn send_call(&mut self, io: &mut Io, call: ApiCall) {
        let (token, dpop) = (&self.session.access_token, self.session.dpop);
        match &call.kind {
            ApiCallKind::Authorize { .. } => {
                io.finish_call(&call, Ok(ApiAnswer::Authorization(api::authorization(token, dpop))));
            }
            ApiCallKind::Send(request) => {
                let http = api::request(request, token, dpop);
                io.send(Purpose::Api { call, generation: self.generation }, http);
            }
        }
    }

    /// Renewal for waiting calls: at once if allowed, else when allowed; a
    /// session that cannot be refreshed now lets them fail at once.
    fn renew_for_calls(&mut self, io: &mut Io, config: &Config, now: u64) {
        let cannot_refresh = self.session.refresh_token.is_none() && self.renewal == Renewal::Idle;
        if cannot_refresh && (!self.renewable() || self.failures > 0) {
            let error = if self.renewable() {
                AuthError::ProviderUnreachable(Unreachable { url: self.metadata.token_endpoint.clone() })
            } else {
                AuthError::NoRefreshToken
            };
            self.answer_waiting_calls(io, &error, now);
        }
        self.renewal_step(io, config, now);
    }

    /// Answers the calls waiting for a renewal that is not coming now.
    fn answer_waiting_calls(&mut self, io: &mut Io, error: &AuthError, now: u64) {
        for call in std::mem::take(&mut self.waiting) {
            // Headers asked for early still come from a token that works.
            if matches!(call.kind, ApiCallKind::Authorize { .. }) && !self.expired(now) {
                self.send_call(io, call);
            } else {
                io.finish_call(&call, Err(ApiCallError::Renewal(error.clone())));
            }
        }
    }

    fn on_api_answer(
        &mut self,
        io: &mut Io,
        config: &Config,
        mut call: ApiCall,
        generation: u64,
        result: Result<HttpResponse, Unreachable>,
        now: u64,
    ) {
        let answer = match result {
            Ok(response) => api::interpret(response),
            Err(_) => Err(ApiError::Unreachable),
        };
        match answer {
            // RFC 6750 §3.1: refresh once and retry once; a newer token
            // than the refused one is simply tried.
            Err(ApiError::InvalidToken(_)) if !call.retried => {
                call.retried = true;
                // Without a refresh token, the refusal of a token an API
                // accepted before makes the session due at the next safe
                // moment (it may carry no expiry at all). One never accepted
                // points to the API's setup, which a re-sign-in would not
                // mend: no loop of re-sign-ins.
                if self.generation == generation && self.access_token_accepted {
                    self.access_token_refused = true;
                }
                if self.generation > generation {
                    self.send_call(io, call);
                } else {
                    self.waiting.push(call);
                    self.renew_for_calls(io, config, now);
                }
            }
            answer => {
                if answer.is_ok() && self.generation == generation {
                    self.access_token_accepted = true;
                }
                io.finish_call(&call, answer.map(ApiAnswer::Response).map_err(ApiCallError::Api))
            }
        }
    }

    pub(super) fn fail_calls(&self, io: &mut Io, error: AuthError) {
        for call in &self.waiting {
            io.finish_call(call, Err(ApiCallError::Renewal(error.clone())));
        }
        for purpose in io.take_all(|p| matches!(p, Purpose::Api { .. })) {
            if let Purpose::Api { call, .. } = purpose {
                io.finish_call(&call, Err(ApiCallError::Renewal(error.clone())));
            }
        }
    }

    fn expired(&self, now: u64) -> bool {
        self.session.access_token_expires_at_ms.is_some_and(|at| now >= at)
    }

    // ------------------------------------------------- refreshed ID token

    /// Starts (or continues) checking the pending ID token's signature.
    fn verify_pending(&mut self, io: &mut Io, now: u64) -> Result<(), AuthError> {
        if self.verifying.is_some() {
            return Ok(());
        }
        let Some(pending) = &self.pending_id_token else { return Ok(()) };
        let jws = parse_jws(pending.id_token.secret())?;
        let candidates = match &self.keys {
            Some(keys) => candidate_keys(keys, &jws.header),
            None => Err(KeyError::MalformedKeySet),
        };
        // Only a set asked for after the token arrived proves its key unknown.
        let conclusive = self.keys_from.is_some_and(|RequestId(id)| id > pending.requests_before);
        match candidates {
            Ok(keys) => {
                let request = io.new_request(Purpose::Signature);
                self.verifying = Some(request);
                let keys = keys.into_iter().cloned().collect();
                io.push(Command::CheckSignature { request, id_token: pending.id_token.clone(), keys });
                Ok(())
            }
            Err(error @ KeyError::UnknownKeyId(_)) if conclusive => Err(error.into()),
            // A rotated key, or no keys yet: fetch the set, at most every
            // 10 s; while the JWKS is unreachable the token waits.
            Err(KeyError::UnknownKeyId(_) | KeyError::MalformedKeySet) => {
                if self.may_fetch_keys(now) {
                    self.keys_asked_at = Some(now);
                    let request = io.send(Purpose::Jwks, HttpRequest::get(&self.metadata.jwks_uri));
                    self.verifying = Some(request);
                }
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    fn may_fetch_keys(&self, now: u64) -> bool {
        now >= self.next_key_fetch_at(now)
    }

    /// The keys may be fetched again 10 s after they were last asked for;
    /// at once if never, or if the clock was set back before that.
    fn next_key_fetch_at(&self, now: u64) -> u64 {
        match self.keys_asked_at {
            Some(at) if at <= now => at.saturating_add(JWKS_REFETCH_INTERVAL_MS),
            _ => now,
        }
    }

    fn on_keys_answer(
        &mut self,
        io: &mut Io,
        request: RequestId,
        result: Result<HttpResponse, Unreachable>,
        now: u64,
    ) -> Option<Ending> {
        if self.verifying == Some(request) {
            self.verifying = None;
        }
        // An outage of the JWKS is temporary: the ID token waits, and asks
        // again as soon as the interval allows.
        let fetched = result.ok().filter(|r| r.status == 200).and_then(|r| parse_jwk_set(&r.body).ok());
        let Some(keys) = fetched else {
            self.arm_timer(io, now);
            return None;
        };
        self.keys = Some(keys);
        self.keys_from = Some(request);
        self.verify_pending(io, now).err().map(Ending::Refused)
    }

    pub(super) fn on_signature(
        &mut self,
        io: &mut Io,
        request: RequestId,
        result: Result<bool, CryptoError>,
    ) -> Option<Ending> {
        if self.verifying != Some(request) {
            return None; // a newer ID token replaced the one checked
        }
        self.verifying = None;
        let PendingIdToken { id_token, mut claims, .. } = self.pending_id_token.take()?;
        match result {
            Ok(true) => {
                // A refreshed ID token may leave `auth_time` out (OIDC Core
                // §12.2); the sign-in's stays, for the next refresh's check.
                claims.auth_time = claims.auth_time.or(self.session.id_token_claims.auth_time);
                self.session =
                    Arc::new(Session { id_token, id_token_claims: claims, ..Session::clone(&self.session) });
                io.show(AuthState::SignedIn(self.session.clone()));
                None
            }
            Ok(false) => Some(Ending::Refused(AuthError::InvalidSignature)),
            Err(error) => Some(Ending::Refused(error.into())),
        }
    }
}

/// How much life a token handed out by `authorize` must have left: 30 s,
/// or a quarter of its lifetime if that is shorter (so a short-lived token
/// is not renewed for every request).
fn authorize_margin_ms(session: &Session) -> u64 {
    let lifetime = session.access_token_expires_at_ms.map_or(0, |at| at.saturating_sub(session.received_at_ms));
    AUTHORIZE_MARGIN_MS.min(lifetime / 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::id_token::IdTokenError;
    use crate::oauth::provider_error::ProviderError;
    use crate::oauth::random::RandomUnavailable;

    #[test]
    fn a_frame_failure_is_temporary_only_if_a_later_try_may_mend_it_and_refused_only_for_a_failed_check() {
        let provider = |error: &str| ProviderError::new(error, None);
        let unexpected = |status| TokenError::UnexpectedStatus { status, body: Default::default() };
        let cases: Vec<(AuthError, FrameFailure)> = vec![
            (AuthError::SilentSignInDeclined, FrameFailure::Declined),
            (Unreachable { url: "https://op.test/token".into() }.into(), FrameFailure::Temporary),
            (DiscoveryError::UnexpectedStatus(503).into(), FrameFailure::Temporary),
            (DiscoveryError::UnexpectedStatus(404).into(), FrameFailure::Declined),
            (unexpected(502).into(), FrameFailure::Temporary),
            (unexpected(429).into(), FrameFailure::Temporary),
            (unexpected(400).into(), FrameFailure::Declined),
            (TokenError::Provider(provider("temporarily_unavailable")).into(), FrameFailure::Temporary),
            // A code that expired while the tab slept, a client not allowed: not mended by waiting.
            (TokenError::Provider(provider("invalid_grant")).into(), FrameFailure::Declined),
            (CallbackError::Provider(provider("server_error")).into(), FrameFailure::Temporary),
            (CallbackError::Provider(provider("invalid_request")).into(), FrameFailure::Declined),
            // Nothing usable came back (a host that dropped the query).
            (CallbackError::CodeMissing.into(), FrameFailure::Declined),
            (CallbackError::StateMissing.into(), FrameFailure::Declined),
            (KeyError::MalformedKeySet.into(), FrameFailure::Temporary),
            (UserinfoError::Status(503).into(), FrameFailure::Temporary),
            (UserinfoError::Status(401).into(), FrameFailure::Refused),
            (UserinfoError::Malformed.into(), FrameFailure::Temporary),
            (unexpected(501).into(), FrameFailure::Declined),
            // What no later try mends, or nothing usable came back: declined.
            (CryptoError::Unavailable.into(), FrameFailure::Declined),
            (RandomUnavailable.into(), FrameFailure::Declined),
            (TokenError::Malformed { reason: "not JSON".into() }.into(), FrameFailure::Declined),
            (DiscoveryError::IssuerMismatch { expected: "https://op.test".into(), found: "https://evil.test".into() }.into(), FrameFailure::Declined),
            (CallbackError::NoSignInInProgress.into(), FrameFailure::Declined),
            (UserinfoError::NotOffered.into(), FrameFailure::Refused),
            // A check refused what came back.
            (CallbackError::StateMismatch.into(), FrameFailure::Refused),
            (CallbackError::IssuerMismatch { found: "https://evil.test".into() }.into(), FrameFailure::Refused),
            (CallbackError::IssuerMissing.into(), FrameFailure::Refused),
            (CallbackError::DuplicateParameter("code".into()).into(), FrameFailure::Refused),
            (CallbackError::BoundKeyMissing.into(), FrameFailure::Refused),
            (KeyError::NoSuitableKey.into(), FrameFailure::Refused),
            (TokenError::NotBound.into(), FrameFailure::Refused),
            (TokenError::IdTokenMissing.into(), FrameFailure::Refused),
            (AuthError::InvalidSignature, FrameFailure::Refused),
            (KeyError::UnknownKeyId("k9".into()).into(), FrameFailure::Refused),
            (IdTokenError::RefreshedIdentityChanged("person (sub)").into(), FrameFailure::Refused),
            (UserinfoError::SubjectMismatch.into(), FrameFailure::Refused),
            (CryptoError::UnusableKey.into(), FrameFailure::Refused),
        ];
        for (error, expected) in cases {
            assert_eq!(frame_failure(&error), expected, "{error:?}");
        }
    }
}
