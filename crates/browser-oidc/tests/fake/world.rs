//! A scripted world for the session core: browser tabs that run the core's
//! commands, and a fake provider that behaves like oidc-provider (it rotates
//! refresh tokens, detects the reuse of a spent one and then revokes the
//! whole grant) and can be told to fail in any way. Every request that
//! reaches the provider or the API is logged on the wire, so tests check
//! the invariants against the provider's log, not the client's bookkeeping.
#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use browser_oidc::config::Config;
use browser_oidc::oauth::discovery::{ProviderMetadata, parse_metadata};
use browser_oidc::oauth::http::{HttpRequest, HttpResponse, Unreachable};
use browser_oidc::oauth::id_token::parse_claims;
use browser_oidc::oauth::jwks::parse_jwk_set;
use browser_oidc::oauth::pkce::PkceCodeVerifier;
use browser_oidc::oauth::random::RandomUnavailable;
use browser_oidc::oauth::secret::{AccessToken, CsrfState, IdToken, Nonce, RefreshToken, SecretUrl};
use browser_oidc::oauth::http::Method;
use browser_oidc::session::SignInOptions;
use browser_oidc::session::api::{ApiAnswer, ApiCallError, ApiCallKind, ApiRequest};
use browser_oidc::session::error::AuthError;
use browser_oidc::session::state::{AuthState, RenewalProblem};
use browser_oidc::session::tokens::{Session, User};
use browser_oidc::session::transit::{SignInTransit, SignOutTransit};
use browser_oidc::session::{
    CallId, Command, Event, Location, RequestId, SessionCore, SignInMode, SignedIn, Stored, TabMessage,
    Timer, TransitKind,
};
use serde_json::json;

pub const ISSUER: &str = "https://op.test";
pub const APP: &str = "http://127.0.0.1:8080";
pub const CLIENT_ID: &str = "demo-spa";
const AUTHORIZE: &str = "https://op.test/authorize";
const TOKEN: &str = "https://op.test/token";
const REVOKE: &str = "https://op.test/revoke";
const JWKS: &str = "https://op.test/jwks";
const END_SESSION: &str = "https://op.test/logout";
pub const API: &str = "https://api.test";
/// The clock starts at a realistic time (ms since epoch).
pub const START: u64 = 1_800_000_000_000;

pub fn config() -> Config {
    config_with(&serde_json::Map::new())
}

/// The provider's metadata, as the driver would discover it.
pub fn metadata() -> ProviderMetadata {
    parse_metadata(&metadata_json(true).to_string(), ISSUER).unwrap()
}

/// The app's configuration with `extra` fields set.
pub fn config_with(extra: &serde_json::Map<String, serde_json::Value>) -> Config {
    let mut json = json!({
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "redirect_uri": format!("{APP}/callback"),
        "scopes": "openid profile api:read",
        "protected_apis": [API],
    });
    json.as_object_mut().unwrap().extend(extra.clone());
    Config::parse(&json.to_string(), APP).unwrap()
}

fn metadata_json(end_session: bool) -> serde_json::Value {
    let mut metadata = json!({
        "issuer": ISSUER,
        "authorization_endpoint": AUTHORIZE,
        "token_endpoint": TOKEN,
        "jwks_uri": JWKS,
        "revocation_endpoint": REVOKE,
        "end_session_endpoint": END_SESSION,
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true
    });
    if !end_session {
        metadata.as_object_mut().unwrap().remove("end_session_endpoint");
    }
    metadata
}

fn random() -> Result<String, RandomUnavailable> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    Ok(format!("random-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
}

// ----------------------------------------------------------------- provider

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    /// Rotated: used once, never valid again.
    Consumed,
    Revoked,
}

#[derive(Debug)]
pub struct Grant {
    pub tab: usize,
    /// Every refresh token of the grant, in issue order.
    pub refresh_tokens: Vec<(String, TokenState)>,
    /// Access tokens and their expiry (ms).
    pub access_tokens: Vec<(String, Option<u64>, TokenState)>,
    pub revoked: bool,
    pub revoked_for_reuse: bool,
}

/// What reached the provider or the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wire {
    Refresh {
        token: String,
    },
    /// A refresh grant without a token (reachability probe).
    Probe,
    Revoke {
        token: String,
    },
    Jwks,
    Api {
        token: String,
        method: Method,
        url: String,
        content_type: Option<String>,
        body: Option<String>,
    },
    CodeExchange,
}

#[derive(Debug, Clone)]
pub struct Logged {
    /// Orders the app's sends and the provider's log on one line.
    pub seq: u64,
    pub tab: usize,
    pub page: u64,
    pub at: u64,
    pub wire: Wire,
}

/// How the next answer from the provider goes wrong (the default: it doesn't).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fate {
    #[default]
    Deliver,
    /// Lost before the provider saw it.
    LostBefore,
    /// Processed by the provider, then the answer was lost.
    LostAfter,
    /// 429 with `Retry-After: 20`.
    TooMany,
    /// 503 without `Retry-After`.
    Unavailable,
    /// A status no rule lists (418, HTML body).
    Teapot,
    /// Processed by the provider, then a gateway answered 502 (HTML).
    GatewayErrorAfter,
    /// Processed by the provider, then 500 with a JSON error body.
    ServerErrorAfter,
    /// Refused as 401 `invalid_client` (nothing processed).
    InvalidClient,
    /// A 500 whose JSON body says `invalid_grant` (not processed).
    ServerInvalidGrant,
}

pub struct Provider {
    pub grants: Vec<Grant>,
    pub log: Vec<Logged>,
    /// Key ids published at the JWKS, and the one signing now.
    pub published: Vec<String>,
    pub signing_kid: String,
    pub jwks_down: bool,
    /// The person's login session at the provider (its cookie).
    pub logged_in: bool,
    /// `expires_in` of access tokens (`None`: omitted).
    pub expires_in: Option<u64>,
    /// Refreshes also return an ID token.
    pub id_token_on_refresh: bool,
    /// A refreshed ID token names this person instead.
    pub refreshed_sub: &'static str,
    /// `auth_time` of the sign-in's ID token, and of refreshed ones (`None`: omitted).
    pub auth_time: Option<i64>,
    pub refreshed_auth_time: Option<i64>,
    /// Whether token responses carry a refresh token.
    pub issue_refresh_tokens: bool,
    /// A refreshed ID token's signature is made by no key of the provider's
    /// (forged, or mangled on the way).
    pub forge_refreshed_signature: bool,
    /// The `scope` a refresh response names (`None`: omitted).
    pub refreshed_scope: Option<&'static str>,
    /// The discovery document lists an `end_session_endpoint`.
    pub end_session_supported: bool,
    /// The person cancels at the provider's sign-in page (`access_denied`).
    pub person_cancels: bool,
    /// `Bearer`, or `DPoP` for tokens bound to the tab's key.
    pub token_type: &'static str,
    /// A renewal in a hidden frame signs in this person (someone else
    /// signed in at the provider meanwhile).
    pub frame_sub: &'static str,
    /// The browser withholds the provider's cookies from frames (a
    /// cross-site provider): a frame renewal gets `login_required`.
    pub frame_without_cookies: bool,
    /// What a frame renewal brings back is refused (a forged ID token).
    pub frame_forged: bool,
    /// The `ui_locales` of each visit to the end-session page.
    pub sign_out_languages: Vec<Option<String>>,
    issued: u64,
}

impl Provider {
    fn new() -> Self {
        Self {
            grants: Vec::new(),
            log: Vec::new(),
            published: vec!["k1".into()],
            signing_kid: "k1".into(),
            jwks_down: false,
            logged_in: false,
            expires_in: Some(600),
            id_token_on_refresh: true,
            refreshed_sub: "alice",
            auth_time: None,
            refreshed_auth_time: None,
            issue_refresh_tokens: true,
            forge_refreshed_signature: false,
            refreshed_scope: None,
            end_session_supported: true,
            person_cancels: false,
            token_type: "Bearer",
            frame_sub: "alice",
            frame_without_cookies: false,
            frame_forged: false,
            sign_out_languages: Vec::new(),
            issued: 0,
        }
    }

    fn fresh(&mut self, kind: &str, grant: usize) -> String {
        self.issued += 1;
        format!("{kind}-g{grant}-{}", self.issued)
    }

    pub fn id_token(&self, sub: &str, nonce: Option<&str>, auth_time: Option<i64>, now: u64) -> String {
        let header = json!({"alg": "RS256", "kid": self.signing_kid});
        let mut claims = json!({
            "iss": ISSUER, "sub": sub, "aud": CLIENT_ID,
            "iat": now / 1000, "exp": now / 1000 + 600, "name": "Alice"
        });
        if let Some(auth_time) = auth_time {
            claims["auth_time"] = auth_time.into();
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        let b64 = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        // The fake signature names its key; `check_signature` knows the rule.
        format!(
            "{}.{}.{}",
            b64(&header),
            b64(&claims),
            URL_SAFE_NO_PAD.encode(signature_of(&self.signing_kid))
        )
    }

    /// Issues tokens for a new grant (a code exchange).
    fn new_grant(&mut self, tab: usize, now: u64) -> (String, String) {
        let id = self.grants.len();
        let (access, refresh) = (self.fresh("at", id), self.fresh("rt", id));
        let expiry = self.expires_in.map(|s| now + s * 1000);
        self.grants.push(Grant {
            tab,
            refresh_tokens: vec![(refresh.clone(), TokenState::Active)],
            access_tokens: vec![(access.clone(), expiry, TokenState::Active)],
            revoked: false,
            revoked_for_reuse: false,
        });
        (access, refresh)
    }

    pub fn find_refresh(&self, token: &str) -> Option<(usize, usize)> {
        self.grants
            .iter()
            .enumerate()
            .find_map(|(g, grant)| grant.refresh_tokens.iter().position(|(t, _)| t == token).map(|i| (g, i)))
    }

    fn token_response(&self, access: &str, refresh: &str, id_token: Option<String>) -> HttpResponse {
        let mut body = json!({"access_token": access, "token_type": self.token_type, "refresh_token": refresh});
        if let Some(seconds) = self.expires_in {
            body["expires_in"] = seconds.into();
        }
        if let Some(id_token) = id_token {
            body["id_token"] = id_token.into();
        }
        if let Some(scope) = self.refreshed_scope {
            body["scope"] = scope.into();
        }
        ok(body.to_string())
    }

    /// The token endpoint's refresh grant, as oidc-provider does it.
    fn refresh(&mut self, token: Option<&str>, now: u64) -> HttpResponse {
        let Some(token) = token else { return error(400, "invalid_request", "refresh_token missing") };
        let Some((g, i)) = self.find_refresh(token) else {
            return error(400, "invalid_grant", "grant request is invalid");
        };
        let grant = &mut self.grants[g];
        match grant.refresh_tokens[i].1 {
            _ if grant.revoked => return error(400, "invalid_grant", "grant request is invalid"),
            TokenState::Consumed => {
                // Reuse of a rotated token: the whole grant is revoked.
                grant.revoked = true;
                grant.revoked_for_reuse = true;
                return error(400, "invalid_grant", "grant request is invalid");
            }
            TokenState::Revoked => return error(400, "invalid_grant", "grant request is invalid"),
            TokenState::Active => {}
        }
        grant.refresh_tokens[i].1 = TokenState::Consumed;
        let (access, refresh) = (self.fresh("at", g), self.fresh("rt", g));
        let expiry = self.expires_in.map(|s| now + s * 1000);
        let grant = &mut self.grants[g];
        grant.refresh_tokens.push((refresh.clone(), TokenState::Active));
        grant.access_tokens.push((access.clone(), expiry, TokenState::Active));
        let id_token = self.id_token_on_refresh.then(|| {
            let id_token = self.id_token(self.refreshed_sub, None, self.refreshed_auth_time, now);
            if !self.forge_refreshed_signature {
                return id_token;
            }
            // The header still names the signing key; the signature is no key's.
            let (signed, _) = id_token.rsplit_once('.').unwrap();
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature_of("a forger")))
        });
        self.token_response(&access, &refresh, id_token)
    }

    fn revoke(&mut self, token: &str) -> HttpResponse {
        for grant in &mut self.grants {
            for (t, state) in grant.refresh_tokens.iter_mut() {
                if t == token && *state == TokenState::Active {
                    *state = TokenState::Revoked;
                }
            }
            for (t, _, state) in grant.access_tokens.iter_mut() {
                if t == token {
                    *state = TokenState::Revoked;
                }
            }
        }
        HttpResponse { status: 200, www_authenticate: None, retry_after: None, dpop_nonce: None, body: String::new() }
    }

    fn api(&self, token: &str, now: u64) -> HttpResponse {
        let valid = self.grants.iter().any(|g| {
            !g.revoked
                && g.access_tokens.iter().any(|(t, expiry, state)| {
                    t == token && *state == TokenState::Active && expiry.is_none_or(|e| now < e)
                })
        });
        if valid {
            ok(r#"{"message":"Hello, alice!"}"#.into())
        } else {
            HttpResponse {
                status: 401,
                www_authenticate: Some(r#"Bearer error="invalid_token", error_description="expired""#.into()),
                retry_after: None,
                dpop_nonce: None,
                body: String::new(),
            }
        }
    }

    fn jwks(&self) -> HttpResponse {
        if self.jwks_down {
            return HttpResponse {
                status: 503,
                www_authenticate: None,
                retry_after: None,
                dpop_nonce: None,
                body: "down".into(),
            };
        }
        let keys: Vec<_> = self
            .published
            .iter()
            .map(|kid| json!({"kty": "RSA", "kid": kid, "n": "AQAB", "e": "AQAB"}))
            .collect();
        ok(json!({ "keys": keys }).to_string())
    }

    /// The person signs out at the provider (in a window of its own, or by
    /// the app's end-session redirect): its session and every grant end, as
    /// with oidc-provider.
    pub fn end_session(&mut self) {
        self.logged_in = false;
        for grant in &mut self.grants {
            grant.revoked = true;
        }
    }

    /// Rotates the signing key; `publish` says whether the JWKS shows it yet.
    pub fn rotate_key(&mut self, publish: bool) {
        let kid = format!("k{}", self.published.len() + 1);
        if publish {
            self.published.push(kid.clone());
        }
        self.signing_kid = kid;
    }

    pub fn refreshes_by(&self, tab: usize) -> Vec<&Logged> {
        self.log.iter().filter(|l| l.tab == tab && matches!(l.wire, Wire::Refresh { .. })).collect()
    }

    pub fn jwks_fetches(&self) -> usize {
        self.log.iter().filter(|l| l.wire == Wire::Jwks).count()
    }

    /// API calls the tabs made, retries included.
    pub fn api_calls(&self) -> usize {
        self.log.iter().filter(|l| matches!(l.wire, Wire::Api { .. })).count()
    }

    pub fn reuse_detected(&self) -> bool {
        self.grants.iter().any(|g| g.revoked_for_reuse)
    }

    pub fn revoked(&self, token: &str) -> bool {
        self.log.iter().any(|l| l.wire == Wire::Revoke { token: token.into() })
    }
}

fn signature_of(kid: &str) -> Vec<u8> {
    format!("signed by {kid}").into_bytes()
}

fn ok(body: String) -> HttpResponse {
    HttpResponse { status: 200, www_authenticate: None, retry_after: None, dpop_nonce: None, body }
}

fn error(status: u16, error: &str, description: &str) -> HttpResponse {
    let body = json!({"error": error, "error_description": description}).to_string();
    HttpResponse { status, www_authenticate: None, retry_after: None, dpop_nonce: None, body }
}

fn form(body: &str) -> HashMap<String, String> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.split('#').next().unwrap_or("").as_bytes()).into_owned().collect()
}

// --------------------------------------------------------------------- tabs

/// An effect a tab's core asked for and has not got an answer to yet.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Pending {
    LoadConfig,
    GetReady,
    PrepareSignIn {
        request: RequestId,
        mode: SignInMode,
        return_path: Option<String>,
        options: SignInOptions,
        discovered: Option<ProviderMetadata>,
    },
    FinishSignIn { query: SecretUrl, pending: Option<SignInTransit> },
    RenewInFrame { request: RequestId },
    Http { request: RequestId, http: HttpRequest, sent_at: u64 },
    Signature { request: RequestId, keys: Vec<Option<String>>, id_token: IdToken },
    Message(TabMessage),
}

pub struct Tab {
    pub core: SessionCore,
    /// Page loads so far: a navigation starts a new page (and a new core).
    pub page: u64,
    pub url: String,
    pub pending: Vec<Pending>,
    pub timers: HashMap<Timer, u64>,
    pub shown: Option<AuthState>,
    pub problem: Option<RenewalProblem>,
    /// This tab's sessionStorage.
    pub sign_in: Option<SignInTransit>,
    pub sign_out: Option<SignOutTransit>,
    pub silent_attempt_at: Option<u64>,
    pub api_answers: Vec<(CallId, Result<ApiAnswer, ApiCallError>)>,
    /// The API calls asked for, with the page that asked.
    pub api_calls: Vec<(u64, CallId)>,
    /// Told of a sign-out in another tab, and neither asked to sign in nor
    /// reloaded since: this page must not sign itself in again.
    pub told_signed_out: bool,
    /// Every command the current page's core returned, for assertions.
    pub commands: Vec<String>,
    /// The person is using the page (true from its load until a safe
    /// moment or an idle report): a page in use must never leave for a
    /// re-sign-in it was not asked for.
    pub in_use: bool,
    /// When this page last heard what its discovery ahead found: a sign-in
    /// may use that once, and only within 5 minutes.
    found_ahead_at: Option<u64>,
    next_call: u64,
    closed: bool,
}

impl Tab {
    pub fn new(url: &str) -> Self {
        Self {
            core: SessionCore::new(random),
            page: 0,
            url: url.into(),
            pending: Vec::new(),
            timers: HashMap::new(),
            shown: None,
            problem: None,
            sign_in: None,
            sign_out: None,
            silent_attempt_at: None,
            api_answers: Vec::new(),
            api_calls: Vec::new(),
            told_signed_out: false,
            commands: Vec::new(),
            in_use: true,
            found_ahead_at: None,
            next_call: 0,
            closed: false,
        }
    }

    pub fn session(&self) -> Option<&Arc<Session>> {
        self.core.session()
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self.shown, Some(AuthState::SignedIn(_)))
    }

    pub fn notice(&self) -> Option<browser_oidc::session::state::Notice> {
        match &self.shown {
            Some(AuthState::SignedOut(notice)) => *notice,
            _ => None,
        }
    }

    pub fn failed(&self) -> Option<&AuthError> {
        match &self.shown {
            Some(AuthState::Failed(error)) => Some(error),
            _ => None,
        }
    }

    pub fn saw(&self, needle: &str) -> bool {
        self.commands.iter().any(|c| c.contains(needle))
    }

    /// How many times this page's core sent `command` (one without fields).
    pub fn times_sent(&self, command: &str) -> usize {
        self.commands.iter().filter(|c| c.as_str() == command).count()
    }
}

/// Tabs of one browser profile (shared localStorage and BroadcastChannel)
/// and the provider, on one clock.
pub struct World {
    pub now: u64,
    pub provider: Provider,
    /// Every request the app sent, whether or not it arrived.
    pub sent: Vec<Logged>,
    /// Refresh tokens that reached the app, by tab and page.
    pub delivered: Vec<(usize, u64, String)>,
    /// Every renewal in a hidden frame the app started: tab, page, time.
    pub frames: Vec<(usize, u64, u64)>,
    seq: u64,
    pub tabs: Vec<Tab>,
    /// localStorage: the non-secret session hint, and when a tab last
    /// signed out.
    pub had_session: bool,
    pub last_sign_out_at: Option<u64>,
    /// The Debug form of every event fed to a core, and of every command
    /// a core returned, on every page.
    pub events_seen: Vec<String>,
    pub commands_seen: Vec<String>,
    /// A new page's configuration load waits to be completed like any
    /// other effect, instead of at once.
    pub hold_config_loads: bool,
    /// The signed-out page's discovery ahead of a click waits to be
    /// completed like any other effect, instead of answering at once.
    pub hold_get_ready: bool,
    /// The next navigation to the provider is abandoned (the person presses
    /// Back, or a `beforeunload` prompt keeps the page): the page comes back
    /// from the back/forward cache instead.
    pub abandon_next_navigation: bool,
    /// The next navigation does not happen, and nothing tells the page.
    pub ignore_next_navigation: bool,
    /// Configuration fields every page loads on top of the defaults.
    pub config_fields: serde_json::Map<String, serde_json::Value>,
    /// Events for after the commands being performed: pages back from the
    /// back/forward cache, and discoveries answered at once.
    later: Vec<(usize, Event)>,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> Self {
        Self {
            now: START,
            provider: Provider::new(),
            sent: Vec::new(),
            delivered: Vec::new(),
            frames: Vec::new(),
            seq: 0,
            tabs: Vec::new(),
            had_session: false,
            last_sign_out_at: None,
            events_seen: Vec::new(),
            commands_seen: Vec::new(),
            hold_config_loads: false,
            hold_get_ready: false,
            abandon_next_navigation: false,
            ignore_next_navigation: false,
            config_fields: serde_json::Map::new(),
            later: Vec::new(),
        }
    }

    /// Opens a tab at `url` (of the app) and lets its start-up settle.
    pub fn open_tab(&mut self, url: &str) -> usize {
        self.tabs.push(Tab::new(url));
        let tab = self.tabs.len() - 1;
        self.start_page(tab, url);
        tab
    }

    fn start_page(&mut self, tab: usize, url: &str) {
        let t = &mut self.tabs[tab];
        t.page += 1;
        t.core = SessionCore::new(random);
        t.url = url.into();
        t.pending.clear();
        t.timers.clear();
        t.commands.clear();
        t.in_use = true;
        t.found_ahead_at = None;
        t.shown = None;
        t.problem = None;
        let stored = Stored {
            sign_in: t.sign_in.take(),
            sign_out: t.sign_out.take(),
            had_session: self.had_session,
            last_silent_attempt_at: t.silent_attempt_at,
        };
        // The driver reads storage without deleting; the core deletes what
        // it consumes. The fake keeps what the core did not delete.
        let t = &mut self.tabs[tab];
        t.sign_in = stored.sign_in.as_ref().map(|s| SignInTransit {
            state: CsrfState::new(s.state.secret()),
            nonce: Nonce::new(s.nonce.secret()),
            verifier: PkceCodeVerifier::try_from(s.verifier.secret().to_owned()).unwrap(),
            return_path: s.return_path.clone(),
            silent: s.silent,
            renewal: s.renewal,
            metadata: None,
            max_age: s.max_age,
            requested_at: s.requested_at,
            required_acr: s.required_acr.clone(),
            dpop_key: s.dpop_key.clone(),
        });
        t.sign_out =
            stored.sign_out.as_ref().map(|s| SignOutTransit { state: CsrfState::new(s.state.secret()) });
        self.handle(tab, Event::Started { location: Location::parse(url), stored });
        self.settle_start(tab);
    }

    /// Answers the start-up's config load (and nothing else).
    fn settle_start(&mut self, tab: usize) {
        if self.hold_config_loads {
            return;
        }
        if let Some(i) = self.tabs[tab].pending.iter().position(|p| matches!(p, Pending::LoadConfig)) {
            self.tabs[tab].pending.remove(i);
            self.handle(tab, Event::ConfigLoaded(Ok(config_with(&self.config_fields))));
        }
    }

    /// Feeds one event to a tab's core and performs its commands.
    pub fn handle(&mut self, tab: usize, event: Event) {
        if self.tabs[tab].closed {
            return;
        }
        let page = self.tabs[tab].page;
        self.events_seen.push(format!("{event:?}"));
        match event {
            Event::TabMessage(TabMessage::SignedOut) => self.tabs[tab].told_signed_out = true,
            Event::SignInRequested { .. } => self.tabs[tab].told_signed_out = false,
            Event::PageInUse => self.tabs[tab].in_use = true,
            Event::PageIdle | Event::SafeMoment => self.tabs[tab].in_use = false,
            Event::GotReadyToSignIn(Some(_)) => self.tabs[tab].found_ahead_at = Some(self.now),
            _ => {}
        }
        let commands = self.tabs[tab].core.handle(event, self.now);
        for command in commands {
            // A navigation ends the page: the rest of its commands die with it.
            if self.tabs[tab].page != page {
                break;
            }
            self.tabs[tab].commands.push(format!("{command:?}"));
            self.commands_seen.push(format!("{command:?}"));
            self.perform(tab, command);
        }
        // Pages back from the cache, and answers given at once.
        for (tab, event) in std::mem::take(&mut self.later) {
            self.handle(tab, event);
        }
    }

    /// Before a page leaves for the end-session endpoint, every refresh
    /// token it received is spent (rotated) or was sent for revocation.
    fn assert_no_refresh_token_left_behind(&self, tab: usize) {
        let page = self.tabs[tab].page;
        for (_, _, token) in self.delivered.iter().filter(|(t, p, _)| *t == tab && *p == page) {
            let spent = self
                .provider
                .find_refresh(token)
                .is_some_and(|(g, i)| self.provider.grants[g].refresh_tokens[i].1 == TokenState::Consumed);
            let revoked = self.sent.iter().any(|s| s.wire == Wire::Revoke { token: token.clone() });
            assert!(spent || revoked, "a refresh token was left unrevoked by a sign-out");
        }
    }

    fn perform(&mut self, tab: usize, command: Command) {
        if matches!(command, Command::GetReadyToSignIn) && !self.hold_get_ready {
            self.later.push((tab, Event::GotReadyToSignIn(Some(metadata()))));
            return;
        }
        let now = self.now;
        let t = &mut self.tabs[tab];
        match command {
            Command::Show(state) => t.shown = Some(state),
            Command::WatchForSafeMoments { .. } => {}
            Command::ShowRenewalProblem(problem) => t.problem = problem,
            Command::LoadConfig => t.pending.push(Pending::LoadConfig),
            Command::GetReadyToSignIn => t.pending.push(Pending::GetReady),
            Command::PrepareSignIn { request, mode, return_path, options, discovered } => {
                if discovered.is_some() {
                    let fresh = t.found_ahead_at.take().is_some_and(|at| now >= at && now - at < 300_000);
                    assert!(fresh, "a sign-in used metadata found ahead that was stale, or used before");
                    assert_eq!(mode, SignInMode::Interactive, "only a click uses what was found ahead");
                }
                t.pending.push(Pending::PrepareSignIn { request, mode, return_path, options, discovered })
            }
            Command::FinishSignIn { query, pending } => {
                t.pending.push(Pending::FinishSignIn { query, pending })
            }
            Command::RenewInFrame { request } => {
                assert!(t.core.config().is_some_and(|c| c.silent_redirect_uri.is_some()), "a frame not allowed");
                t.pending.push(Pending::RenewInFrame { request });
                self.frames.push((tab, t.page, now));
            }
            Command::Send { request, http } => {
                let wire = classify(&http);
                if let Wire::Api { token, .. } = &wire {
                    // No token outlives its session: the API only ever
                    // gets the access token of the session held now.
                    let held = t.core.session().map(|s| s.access_token.secret().to_owned());
                    assert_eq!(held.as_deref(), Some(token.as_str()), "an API call with a token not held");
                }
                self.seq += 1;
                self.sent.push(Logged { seq: self.seq, tab, page: t.page, at: now, wire });
                t.pending.push(Pending::Http { request, http, sent_at: now });
            }
            Command::CheckSignature { request, keys, id_token } => {
                let keys = keys.into_iter().map(|k| k.kid).collect();
                t.pending.push(Pending::Signature { request, keys, id_token });
            }
            Command::SetTimer { timer, after_ms } => {
                assert!(u64::from(after_ms) <= i32::MAX as u64, "a browser timer cannot hold {after_ms} ms");
                t.timers.insert(timer, now + u64::from(after_ms));
            }
            Command::ClearTimer(timer) => {
                t.timers.remove(&timer);
            }
            Command::ReplaceUrl(path) => t.url = format!("{APP}{path}"),
            Command::Navigate(url) => self.navigate(tab, url.secret()),
            Command::StoreSignOut(pending) => t.sign_out = Some(pending),
            Command::DeleteTransit(TransitKind::SignIn) => t.sign_in = None,
            Command::DeleteTransit(TransitKind::SignOut) => t.sign_out = None,
            Command::RememberSession => {
                assert!(!t.told_signed_out, "a tab told of a sign-out signed itself in again");
                self.had_session = true;
                // Someone signed in again: the other tabs may follow.
                for (other, o) in self.tabs.iter_mut().enumerate() {
                    if other != tab {
                        o.told_signed_out = false;
                    }
                }
            }
            Command::ForgetSession => self.had_session = false,
            Command::RecordSilentAttempt { at } => t.silent_attempt_at = Some(at),
            Command::ClearSilentAttempt => t.silent_attempt_at = None,
            Command::RecordSignOut { at } => self.last_sign_out_at = Some(at),
            Command::Broadcast(message) => {
                for (other, o) in self.tabs.iter_mut().enumerate() {
                    if other != tab && !o.closed {
                        o.pending.push(Pending::Message(message));
                    }
                }
            }
            Command::ApiCallDone { call, result } => t.api_answers.push((call, result)),
        }
    }

    /// The page leaves for the provider, which sends it back at once.
    fn navigate(&mut self, tab: usize, url: &str) {
        // Without refresh tokens a held session is renewed by leaving the
        // page: never while someone uses it (checked before the navigation
        // may be abandoned or kept).
        if url.starts_with(AUTHORIZE) {
            let silent = query(url).get("prompt").is_some_and(|p| p == "none");
            let renewal = silent && self.tabs[tab].session().is_some();
            assert!(
                !(renewal && !self.provider.issue_refresh_tokens && self.tabs[tab].in_use),
                "a page in use left for a re-sign-in"
            );
        }
        if std::mem::take(&mut self.ignore_next_navigation) {
            return;
        }
        if std::mem::take(&mut self.abandon_next_navigation) {
            // The page is kept: its requests in flight still get their
            // answers (or their network errors), after it is shown again.
            let last_sign_out_at = self.last_sign_out_at;
            self.later.push((tab, Event::PageRestored { last_sign_out_at }));
            return;
        }
        let params = query(url);
        if url.starts_with(AUTHORIZE) {
            let state = params.get("state").cloned().unwrap_or_default();
            let silent = params.get("prompt").is_some_and(|p| p == "none");
            let back = if silent && !self.provider.logged_in {
                format!("{APP}/callback?error=login_required&state={state}&iss={}", enc(ISSUER))
            } else if !silent && self.provider.person_cancels {
                format!("{APP}/callback?error=access_denied&state={state}&iss={}", enc(ISSUER))
            } else {
                self.provider.logged_in = true;
                format!("{APP}/callback?code=code-{}&state={state}&iss={}", self.now, enc(ISSUER))
            };
            self.start_page(tab, &back);
        } else if url.starts_with(END_SESSION) {
            self.assert_no_refresh_token_left_behind(tab);
            self.provider.end_session();
            self.provider.sign_out_languages.push(params.get("ui_locales").cloned());
            let state = params.get("state").cloned().unwrap_or_default();
            self.start_page(tab, &format!("{APP}/?state={state}"));
        } else {
            panic!("navigation to an unknown place: {url}");
        }
    }

    // ------------------------------------------------------------- driving

    /// Completes the tab's `index`th pending effect with `fate`.
    pub fn complete(&mut self, tab: usize, index: usize, fate: Fate) {
        let pending = self.tabs[tab].pending.remove(index);
        let event = match pending {
            Pending::LoadConfig => Event::ConfigLoaded(Ok(config_with(&self.config_fields))),
            Pending::GetReady if matches!(fate, Fate::LostBefore | Fate::LostAfter) => Event::GotReadyToSignIn(None),
            Pending::GetReady => Event::GotReadyToSignIn(Some(metadata())),
            Pending::Message(message) => Event::TabMessage(message),
            Pending::PrepareSignIn { request, mode, return_path, .. } => {
                let result = if matches!(fate, Fate::LostBefore | Fate::LostAfter) {
                    let unreachable =
                        Unreachable { url: format!("{ISSUER}/.well-known/openid-configuration") };
                    Err(unreachable.into())
                } else {
                    Ok(SecretUrl::new(self.prepare_sign_in(tab, mode, return_path)))
                };
                Event::SignInPrepared { request, result }
            }
            Pending::FinishSignIn { query, pending } => {
                Event::SignInFinished(self.finish_sign_in(tab, query.secret(), pending))
            }
            Pending::RenewInFrame { request } => {
                let result = match fate {
                    Fate::LostBefore | Fate::LostAfter => Err(Unreachable { url: TOKEN.into() }.into()),
                    _ if !self.provider.logged_in || self.provider.frame_without_cookies => {
                        Err(AuthError::SilentSignInDeclined)
                    }
                    _ if self.provider.frame_forged => Err(AuthError::InvalidSignature),
                    _ => Ok(self.issue_session(tab, self.provider.frame_sub, "frame-nonce", "/")),
                };
                Event::RenewedInFrame { request, result }
            }
            Pending::Signature { request, keys, id_token } => {
                let signature = id_token.secret().rsplit('.').next().unwrap_or_default();
                let signature = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
                let valid = keys.iter().flatten().any(|kid| signature_of(kid) == signature);
                Event::SignatureChecked { request, result: Ok(valid) }
            }
            Pending::Http { request, http, sent_at } => {
                // Logged at the time the app sent it: delivery may lag.
                let result = self.exchange(tab, &http, fate, sent_at);
                Event::HttpAnswered { request, result }
            }
        };
        self.handle(tab, event);
    }

    /// Completes pending effects in order until none is left (at most `limit`).
    pub fn settle(&mut self, limit: usize) {
        for _ in 0..limit {
            let Some(tab) =
                (0..self.tabs.len()).find(|&t| !self.tabs[t].closed && !self.tabs[t].pending.is_empty())
            else {
                return;
            };
            self.complete(tab, 0, Fate::Deliver);
        }
    }

    /// Completes the first pending HTTP request of the tab to `url_start`.
    pub fn answer(&mut self, tab: usize, url_start: &str, fate: Fate) {
        let index = self.tabs[tab]
            .pending
            .iter()
            .position(|p| matches!(p, Pending::Http { http, .. } if http.url.starts_with(url_start)))
            .unwrap_or_else(|| panic!("no request to {url_start} pending: {:?}", self.tabs[tab].pending));
        self.complete(tab, index, fate);
    }

    pub fn has_pending(&self, tab: usize, url_start: &str) -> bool {
        self.tabs[tab]
            .pending
            .iter()
            .any(|p| matches!(p, Pending::Http { http, .. } if http.url.starts_with(url_start)))
    }

    /// Moves the clock on by `ms`, firing each timer as it comes due.
    pub fn advance(&mut self, ms: u64) {
        let until = self.now + ms;
        for fired in 0.. {
            // A timer that keeps firing without time passing is a hot loop.
            assert!(fired < 10_000, "timers fired 10,000 times in {ms} ms: a hot loop");
            let next = self
                .tabs
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.closed)
                .flat_map(|(i, t)| t.timers.iter().map(move |(timer, at)| (*at, i, *timer)))
                .filter(|(at, _, _)| *at <= until)
                .min_by_key(|(at, i, _)| (*at, *i));
            let Some((at, tab, timer)) = next else { break };
            self.now = self.now.max(at);
            self.tabs[tab].timers.remove(&timer);
            self.handle(tab, Event::TimerFired(timer));
        }
        self.now = until;
    }

    /// Signs a new tab in through the provider (login page and all).
    pub fn signed_in_tab(&mut self) -> usize {
        let tab = self.open_tab(&format!("{APP}/"));
        self.sign_in(tab);
        tab
    }

    pub fn sign_in(&mut self, tab: usize) {
        self.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
        self.settle(50);
        assert!(self.tabs[tab].is_signed_in(), "signed in: {:?}", self.tabs[tab].shown);
    }

    pub fn reload(&mut self, tab: usize) {
        // A new page decides afresh, from the session hint.
        self.tabs[tab].told_signed_out = false;
        let url = self.tabs[tab].url.clone();
        self.start_page(tab, &url);
    }

    pub fn call_api(&mut self, tab: usize) -> CallId {
        self.request(tab, ApiCallKind::Send(ApiRequest::new(Method::Get, format!("{API}/api/greeting"))))
    }

    /// The app asks for `kind` (a request sent for it, or headers only).
    pub fn request(&mut self, tab: usize, kind: ApiCallKind) -> CallId {
        self.tabs[tab].next_call += 1;
        let call = CallId(self.tabs[tab].next_call);
        let page = self.tabs[tab].page;
        self.tabs[tab].api_calls.push((page, call));
        self.handle(tab, Event::ApiCallRequested { call, kind });
        call
    }

    pub fn api_answer(&self, tab: usize, call: CallId) -> Option<&Result<ApiAnswer, ApiCallError>> {
        self.tabs[tab].api_answers.iter().find(|(c, _)| *c == call).map(|(_, r)| r)
    }

    // ---------------------------------------------------- effects, faked

    fn prepare_sign_in(&mut self, tab: usize, mode: SignInMode, return_path: Option<String>) -> String {
        let state = random().unwrap();
        let nonce = random().unwrap();
        let t = &mut self.tabs[tab];
        let return_path = return_path.unwrap_or_else(|| {
            let location = Location::parse(&t.url);
            format!("{}{}{}", location.path, location.query, location.fragment)
        });
        t.sign_in = Some(SignInTransit {
            state: CsrfState::new(state.clone()),
            nonce: Nonce::new(nonce.clone()),
            verifier: PkceCodeVerifier::try_from("v".repeat(43)).unwrap(),
            return_path,
            silent: mode.is_silent(),
            renewal: mode == SignInMode::Renewal,
            metadata: None,
            max_age: None,
            requested_at: None,
            required_acr: None,
            dpop_key: None,
        });
        let prompt = if mode.is_silent() { "&prompt=none" } else { "" };
        format!("{AUTHORIZE}?state={state}&nonce={nonce}{prompt}")
    }

    /// The callback's code exchange and ID-token check (the real ones are
    /// tested in the browser tier; this plays their outcome).
    fn finish_sign_in(
        &mut self,
        tab: usize,
        query_string: &str,
        pending: Option<SignInTransit>,
    ) -> Result<SignedIn, AuthError> {
        let params = query(&format!("x{query_string}"));
        let pending = pending.ok_or(AuthError::NotSignedIn)?;
        if params.get("state") != Some(&pending.state.secret().to_owned()) {
            return Err(browser_oidc::oauth::callback::CallbackError::StateMismatch.into());
        }
        if params.contains_key("error") {
            return Err(if pending.silent {
                AuthError::SilentSignInDeclined
            } else {
                browser_oidc::oauth::callback::CallbackError::Cancelled.into()
            });
        }
        let signed_in = self.issue_session(tab, "alice", pending.nonce.secret(), &pending.return_path);
        Ok(SignedIn { silent: pending.silent, ..signed_in })
    }

    /// The provider's code exchange: a new grant's tokens, for `sub`.
    fn issue_session(&mut self, tab: usize, sub: &str, nonce: &str, return_path: &str) -> SignedIn {
        self.seq += 1;
        self.provider.log.push(Logged {
            seq: self.seq,
            tab,
            page: self.tabs[tab].page,
            at: self.now,
            wire: Wire::CodeExchange,
        });
        let (access, refresh) = self.provider.new_grant(tab, self.now);
        if self.provider.issue_refresh_tokens {
            self.delivered.push((tab, self.tabs[tab].page, refresh.clone()));
        }
        let id_token = self.provider.id_token(sub, Some(nonce), self.provider.auth_time, self.now);
        let payload = URL_SAFE_NO_PAD.decode(id_token.split('.').nth(1).unwrap()).unwrap();
        let claims = parse_claims(&payload).unwrap();
        let session = Session {
            access_token: AccessToken::new(access),
            refresh_token: self.provider.issue_refresh_tokens.then(|| RefreshToken::new(refresh)),
            id_token: IdToken::new(id_token),
            user: User::from_claims(&claims),
            id_token_claims: claims,
            received_at_ms: self.now,
            access_token_expires_at_ms: self.provider.expires_in.map(|s| self.now + s * 1000),
            scope: None,
            dpop: self.provider.token_type == "DPoP",
        };
        let keys = parse_jwk_set(&self.provider.jwks().body).ok();
        SignedIn {
            session,
            metadata: parse_metadata(&metadata_json(self.provider.end_session_supported).to_string(), ISSUER)
                .unwrap(),
            keys,
            return_path: return_path.to_owned(),
            silent: true,
        }
    }

    /// One request over the fake network.
    fn exchange(
        &mut self,
        tab: usize,
        http: &HttpRequest,
        fate: Fate,
        sent_at: u64,
    ) -> Result<HttpResponse, Unreachable> {
        let unreachable = || Unreachable { url: http.url.clone() };
        if fate == Fate::LostBefore {
            return Err(unreachable());
        }
        let wire = classify(http);
        // A token bound to the tab's key goes out with a proof, and in the
        // DPoP scheme: without them a real provider or API refuses it.
        if self.provider.token_type == "DPoP" {
            let bearer = http.headers.iter().any(|(name, value)| name == "Authorization" && value.starts_with("Bearer "));
            let needs_proof = matches!(wire, Wire::Refresh { .. } | Wire::Api { .. });
            assert!(!needs_proof || (http.dpop && !bearer), "a bound token sent without its proof: {wire:?}");
        }
        let busy = |status, retry_after: Option<&str>| HttpResponse {
            status,
            www_authenticate: None,
            retry_after: retry_after.map(Into::into),
            dpop_nonce: None,
            body: r#"{"error":"temporarily_unavailable"}"#.into(),
        };
        match fate {
            Fate::TooMany => return Ok(busy(429, Some("20"))),
            Fate::Unavailable => return Ok(busy(503, None)),
            Fate::InvalidClient => return Ok(error(401, "invalid_client", "client authentication failed")),
            Fate::ServerInvalidGrant => return Ok(error(500, "invalid_grant", "confused")),
            Fate::Deliver
            | Fate::LostBefore
            | Fate::LostAfter
            | Fate::GatewayErrorAfter
            | Fate::ServerErrorAfter => {}
            Fate::Teapot => {
                return Ok(HttpResponse {
                    status: 418,
                    www_authenticate: None,
                    retry_after: None,
                    dpop_nonce: None,
                    body: "<h1>teapot</h1>".into(),
                });
            }
        }
        self.seq += 1;
        self.provider.log.push(Logged {
            seq: self.seq,
            tab,
            page: self.tabs[tab].page,
            at: sent_at,
            wire: wire.clone(),
        });
        let response = match &wire {
            Wire::Refresh { token } => self.provider.refresh(Some(token), self.now),
            Wire::Probe => self.provider.refresh(None, self.now),
            Wire::Revoke { token } => self.provider.revoke(token),
            Wire::Jwks => self.provider.jwks(),
            Wire::Api { token, .. } => self.provider.api(token, self.now),
            Wire::CodeExchange => unreachable!(),
        };
        if fate == Fate::LostAfter {
            return Err(unreachable());
        }
        if fate == Fate::GatewayErrorAfter {
            let body = "<h1>Bad Gateway</h1>".into();
            return Ok(HttpResponse { status: 502, www_authenticate: None, retry_after: None, dpop_nonce: None, body });
        }
        if fate == Fate::ServerErrorAfter {
            return Ok(error(500, "server_error", "something went wrong"));
        }
        let tokens = serde_json::from_str::<serde_json::Value>(&response.body).unwrap_or_default();
        if let (Wire::Refresh { .. }, Some(rt)) = (&wire, tokens["refresh_token"].as_str()) {
            self.delivered.push((tab, self.tabs[tab].page, rt.to_owned()));
        }
        Ok(response)
    }
}

/// What a request is, as the provider or the API sees it.
pub fn classify(http: &HttpRequest) -> Wire {
    let body = form(http.body.as_deref().unwrap_or(""));
    if http.url == TOKEN {
        match body.get("refresh_token") {
            Some(token) => Wire::Refresh { token: token.clone() },
            None => Wire::Probe,
        }
    } else if http.url == REVOKE {
        Wire::Revoke { token: body["token"].clone() }
    } else if http.url == JWKS {
        Wire::Jwks
    } else if http.url.starts_with(API) {
        let header = |name: &str| http.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let bearer = header("Authorization").unwrap();
        Wire::Api {
            token: bearer.trim_start_matches("Bearer ").trim_start_matches("DPoP ").to_owned(),
            method: http.method,
            url: http.url.clone(),
            content_type: header("Content-Type"),
            body: http.body.clone(),
        }
    } else {
        panic!("request to an unknown place: {}", http.url)
    }
}

fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
