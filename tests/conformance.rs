//! The OpenID Foundation's relying-party conformance scenarios, and the
//! RFC 9700 attacks, run through the app's real sign-in code path
//! (discovery → callback → token → ID-token verification → UserInfo)
//! against a provider that can be told to misbehave. Each test is named
//! after its conformance module; `SECURITY.md` lists them all.
//!
//! Runs in headless Chromium: `cargo test --target wasm32-unknown-unknown --test conformance`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};

use common::{TestKey, b64, hmac_sha256};
use leptos_browser_oidc::internal::dpop::{CodeBinding, KeptKey};
use leptos_browser_oidc::internal::flow::{
    check_signature, fetch_userinfo, finish_sign_in, get_ready, renew_in_frame, start_sign_in,
};
use browser_oidc::session::state::AuthState;
use leptos_browser_oidc::AuthError;
use leptos_browser_oidc::internal::names::Names;
use leptos_browser_oidc::internal::transit;
use browser_oidc::config::Config;
use browser_oidc::oauth::callback::CallbackError;
use browser_oidc::oauth::discovery::{DiscoveryError, parse_metadata};
use browser_oidc::oauth::http::{HttpClient, HttpRequest, HttpResponse, Method, Unreachable};
use browser_oidc::oauth::id_token::IdTokenError;
use browser_oidc::oauth::jwks::KeyError;
use browser_oidc::oauth::jwt::{JwtError, SigningAlgorithm};
use browser_oidc::oauth::provider_error::ProviderError;
use browser_oidc::oauth::random::random_url_safe_string;
use browser_oidc::oauth::token::TokenError;
use browser_oidc::oauth::userinfo::UserinfoError;
use browser_oidc::session::transit::SignInTransit;
use browser_oidc::session::{Command, Event, Location, SessionCore, SignInMode, SignInOptions, SignedIn, Stored, Timer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ISSUER: &str = "https://op.test";
const CLIENT_ID: &str = "demo-spa";
const REDIRECT_URI: &str = "http://127.0.0.1:8080/callback";
const SILENT_REDIRECT_URI: &str = "http://127.0.0.1:8080/silent-callback.html";
const DISCOVERY: &str = "https://op.test/.well-known/openid-configuration";
const TOKEN: &str = "https://op.test/token";
const USERINFO: &str = "https://op.test/userinfo";
const REVOCATION: &str = "https://op.test/revoke";

// ------------------------------------------------------------- scenario

/// How the provider misbehaves. `Scenario::default()` is a correct provider.
#[derive(Clone, Copy)]
struct Scenario {
    discovery_issuer: &'static str,
    jwks_uri: &'static str,
    /// `iss` in the authorization response: `Some(value)` or omitted.
    callback_iss: Option<&'static str>,
    /// `state` in the authorization response: echo, replace, or omit.
    callback_state: StateParam,
    callback_error: Option<&'static str>,
    signer: SigningAlgorithm,
    signature: Signature,
    /// The signature of ID tokens from a refresh.
    refreshed_signature: Signature,
    published_keys: PublishedKeys,
    id_token_header: fn(&mut Value),
    id_token_claims: fn(&mut Value),
    refreshed_id_token_claims: fn(&mut Value),
    token_type: &'static str,
    userinfo_sub: &'static str,
    /// The provider advertises ES256 DPoP proofs.
    dpop: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum StateParam {
    Echo,
    Replace(&'static str),
    Omit,
}

#[derive(Clone, Copy, PartialEq)]
enum Signature {
    Valid,
    /// A valid signature with one bit flipped.
    Corrupted,
    /// `alg: none` and an empty signature.
    Unsigned,
    /// `alg: HS256`, keyed with the signer's published public key.
    Hs256WithPublicKey,
}

#[derive(Clone, Copy, PartialEq)]
enum PublishedKeys {
    Signer,
    SignerWithoutKid,
    OtherAndSignerWithoutKids,
    /// The first JWKS fetch has only an older key; later ones the signer.
    OtherThenSigner,
    /// An RSA key only, whatever the signer is.
    OnlyOther,
}

fn unchanged(_: &mut Value) {}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            discovery_issuer: ISSUER,
            jwks_uri: "https://op.test/jwks",
            callback_iss: Some(ISSUER),
            callback_state: StateParam::Echo,
            callback_error: None,
            signer: SigningAlgorithm::Rs256,
            signature: Signature::Valid,
            refreshed_signature: Signature::Valid,
            published_keys: PublishedKeys::Signer,
            id_token_header: unchanged,
            id_token_claims: unchanged,
            refreshed_id_token_claims: unchanged,
            token_type: "Bearer",
            userinfo_sub: "alice",
            dpop: false,
        }
    }
}

// ------------------------------------------------------------- provider

/// The test provider: serves discovery, JWKS, token and userinfo over the
/// app's `HttpClient` seam, as the scenario says, and records every request.
struct TestProvider {
    scenario: Scenario,
    signer: TestKey,
    other: TestKey,
    requests: RefCell<Vec<String>>,
    /// When the person signed in: the same in every ID token of the session.
    auth_time: i64,
    jwks_fetches: Cell<usize>,
    /// From the authorization request the app built.
    challenge: RefCell<Option<String>>,
    nonce: RefCell<Option<String>>,
    redirect_uri: RefCell<String>,
    used_codes: RefCell<Vec<String>>,
    /// Every code exchange the app sent: the code and its verifier.
    code_exchanges: RefCell<Vec<(String, String)>>,
    access_token: RefCell<String>,
    refresh_token: RefCell<String>,
    /// The tokens the app revoked, in order.
    revoked: RefCell<Vec<String>>,
    issued: Cell<usize>,
}

impl TestProvider {
    async fn new(scenario: Scenario) -> Self {
        Self {
            signer: TestKey::generate(scenario.signer, "signer").await,
            other: TestKey::generate(SigningAlgorithm::Rs256, "other").await,
            scenario,
            requests: RefCell::default(),
            auth_time: (js_sys::Date::now() / 1000.0) as i64 - 10,
            jwks_fetches: Cell::new(0),
            challenge: RefCell::default(),
            nonce: RefCell::default(),
            redirect_uri: RefCell::default(),
            used_codes: RefCell::default(),
            code_exchanges: RefCell::default(),
            access_token: RefCell::default(),
            refresh_token: RefCell::default(),
            revoked: RefCell::default(),
            issued: Cell::new(0),
        }
    }

    fn token_requests(&self) -> usize {
        self.requests.borrow().iter().filter(|r| r.starts_with("POST https://op.test/token")).count()
    }

    fn discoveries(&self) -> usize {
        self.requests.borrow().iter().filter(|r| **r == format!("GET {DISCOVERY}")).count()
    }

    /// Reads the authorization request like a provider would, and answers
    /// with the callback query: a code bound to the request's challenge.
    fn authorize(&self, authorization_url: &str) -> String {
        let query = authorization_url.split_once('?').unwrap().1;
        let params: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        assert_eq!(params["response_type"], "code");
        assert_eq!(params["code_challenge_method"], "S256", "never plain");
        assert!([REDIRECT_URI, SILENT_REDIRECT_URI].contains(&params["redirect_uri"].as_str()), "a registered redirect URI");
        *self.redirect_uri.borrow_mut() = params["redirect_uri"].clone();
        *self.challenge.borrow_mut() = Some(params["code_challenge"].clone());
        *self.nonce.borrow_mut() = Some(params["nonce"].clone());
        let code = format!("code-{}", &params["code_challenge"][..8]);

        let mut response = form_urlencoded::Serializer::new(String::new());
        match self.scenario.callback_error {
            Some(error) => response.append_pair("error", error),
            None => response.append_pair("code", &code),
        };
        match self.scenario.callback_state {
            StateParam::Echo => response.append_pair("state", &params["state"]),
            StateParam::Replace(state) => response.append_pair("state", state),
            StateParam::Omit => &mut response,
        };
        if let Some(iss) = self.scenario.callback_iss {
            response.append_pair("iss", iss);
        }
        response.finish()
    }

    fn metadata(&self) -> Value {
        let mut metadata = json!({
            "issuer": self.scenario.discovery_issuer,
            "authorization_endpoint": "https://op.test/authorize",
            "token_endpoint": TOKEN,
            "jwks_uri": self.scenario.jwks_uri,
            "userinfo_endpoint": USERINFO,
            "end_session_endpoint": "https://op.test/logout",
            "revocation_endpoint": REVOCATION,
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "authorization_response_iss_parameter_supported": true
        });
        if self.scenario.dpop {
            metadata["dpop_signing_alg_values_supported"] = json!(["ES256"]);
        }
        metadata
    }

    fn jwks(&self) -> String {
        let fetch = self.jwks_fetches.get();
        self.jwks_fetches.set(fetch + 1);
        let without_kid = |key: &TestKey| {
            let mut published = key.published.clone();
            published.as_object_mut().unwrap().remove("kid");
            published
        };
        let keys = match self.scenario.published_keys {
            PublishedKeys::Signer => vec![self.signer.published.clone()],
            PublishedKeys::SignerWithoutKid => vec![without_kid(&self.signer)],
            PublishedKeys::OtherAndSignerWithoutKids => {
                vec![without_kid(&self.other), without_kid(&self.signer)]
            }
            PublishedKeys::OtherThenSigner if fetch == 0 => vec![self.other.published.clone()],
            PublishedKeys::OtherThenSigner => {
                vec![self.other.published.clone(), self.signer.published.clone()]
            }
            PublishedKeys::OnlyOther => vec![self.other.published.clone()],
        };
        json!({ "keys": keys }).to_string()
    }

    async fn id_token(&self, refreshed: bool) -> String {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let mut header = self.signer.header();
        let mut claims = json!({
            "iss": ISSUER, "sub": "alice", "aud": CLIENT_ID, "exp": now + 300, "iat": now,
            "auth_time": self.auth_time, "name": "Alice Liddell", "email": "alice@id-token.test"
        });
        if !refreshed {
            claims["nonce"] = self.nonce.borrow().clone().unwrap().into();
        }
        (self.scenario.id_token_header)(&mut header);
        (self.scenario.id_token_claims)(&mut claims);
        if refreshed {
            (self.scenario.refreshed_id_token_claims)(&mut claims);
        }
        let signature = if refreshed { self.scenario.refreshed_signature } else { self.scenario.signature };
        match signature {
            Signature::Valid => self.signer.sign(header, claims).await,
            Signature::Corrupted => {
                let token = self.signer.sign(header, claims).await;
                let (input, signature) = token.rsplit_once('.').unwrap();
                let mut bytes = base64_decode(signature);
                bytes[0] ^= 1;
                format!("{input}.{}", b64(bytes))
            }
            Signature::Unsigned => {
                header["alg"] = "none".into();
                format!("{}.{}.", b64(header.to_string()), b64(claims.to_string()))
            }
            Signature::Hs256WithPublicKey => {
                header["alg"] = "HS256".into();
                let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
                let secret = self.signer.published.to_string();
                format!("{input}.{}", b64(hmac_sha256(secret.as_bytes(), input.as_bytes()).await))
            }
        }
    }

    async fn token_endpoint(&self, body: &str) -> HttpResponse {
        let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        assert_eq!(form["client_id"], CLIENT_ID);
        assert!(!form.contains_key("client_secret"), "a public client sends no secret");
        let refreshed = match form["grant_type"].as_str() {
            "authorization_code" => {
                let code = form["code"].clone();
                let verifier = form.get("code_verifier").cloned().unwrap_or_default();
                self.code_exchanges.borrow_mut().push((code.clone(), verifier.clone()));
                let expected_challenge = self.challenge.borrow().clone().unwrap_or_default();
                let fresh = !self.used_codes.borrow().contains(&code);
                self.used_codes.borrow_mut().push(code.clone());
                // A code is bound to the challenge of its own authorization
                // request; code injection presents another one's verifier.
                // RFC 6749 §4.1.3: the redirect URI of the authorization request.
                if !fresh
                    || form.get("redirect_uri") != Some(&*self.redirect_uri.borrow())
                    || !code.ends_with(&expected_challenge[..8])
                    || b64(Sha256::digest(&verifier)) != expected_challenge
                {
                    return provider_error("invalid_grant", "grant request is invalid");
                }
                false
            }
            "refresh_token" => {
                if form["refresh_token"] != *self.refresh_token.borrow() {
                    return provider_error("invalid_grant", "grant request is invalid");
                }
                true
            }
            other => panic!("unexpected grant type {other}"),
        };
        let issued = self.issued.get() + 1;
        self.issued.set(issued);
        *self.access_token.borrow_mut() = format!("access-{issued}");
        *self.refresh_token.borrow_mut() = format!("refresh-{issued}");
        let body = json!({
            "access_token": format!("access-{issued}"),
            "token_type": self.scenario.token_type,
            "expires_in": 300,
            "refresh_token": format!("refresh-{issued}"),
            "id_token": self.id_token(refreshed).await,
            "scope": "openid profile email"
        });
        HttpResponse { status: 200, www_authenticate: None, retry_after: None, dpop_nonce: None, body: body.to_string() }
    }

    /// A bound token must come in the DPoP scheme, with a proof.
    fn userinfo(&self, authorization: Option<&str>, proof: bool) -> HttpResponse {
        let bound = self.scenario.token_type.eq_ignore_ascii_case("DPoP");
        let scheme = if bound { "DPoP" } else { "Bearer" };
        if authorization != Some(&format!("{scheme} {}", self.access_token.borrow())) || proof != bound {
            return HttpResponse {
                status: 401,
                www_authenticate: Some("Bearer error=\"invalid_token\"".into()),
                retry_after: None,
                dpop_nonce: None,
                body: String::new(),
            };
        }
        let body = json!({"sub": self.scenario.userinfo_sub, "name": "Alice (userinfo)", "email": "alice@userinfo.test"});
        HttpResponse { status: 200, www_authenticate: None, retry_after: None, dpop_nonce: None, body: body.to_string() }
    }
}

fn provider_error(error: &str, description: &str) -> HttpResponse {
    let body = json!({"error": error, "error_description": description}).to_string();
    HttpResponse { status: 400, www_authenticate: None, retry_after: None, dpop_nonce: None, body }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

impl CodeBinding for TestProvider {}

impl HttpClient for TestProvider {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        let method = if request.method == Method::Get { "GET" } else { "POST" };
        let proof = if request.dpop { " with a DPoP proof" } else { "" };
        self.requests.borrow_mut().push(format!("{method} {}{proof}", request.url));
        let authorization = request
            .headers
            .iter()
            .find(|(name, _)| *name == "Authorization")
            .map(|(_, value)| value.as_str());
        let ok =
            |body: String| Ok(HttpResponse { status: 200, www_authenticate: None, retry_after: None, dpop_nonce: None, body });
        match (request.method, request.url.as_str()) {
            (Method::Get, DISCOVERY) => ok(self.metadata().to_string()),
            (Method::Get, url) if url == self.scenario.jwks_uri => ok(self.jwks()),
            (Method::Post, TOKEN) => {
                Ok(self.token_endpoint(request.body.as_deref().unwrap_or_default()).await)
            }
            (Method::Get, USERINFO) => Ok(self.userinfo(authorization, request.dpop)),
            (Method::Post, REVOCATION) => {
                let form: HashMap<String, String> =
                    form_urlencoded::parse(request.body.unwrap_or_default().as_bytes()).into_owned().collect();
                self.revoked.borrow_mut().push(form["token"].clone());
                ok(String::new())
            }
            _ => Err(Unreachable { url: request.url }),
        }
    }
}

// ------------------------------------------------------------- harness

fn config() -> Config {
    let config = json!({
        "issuer": ISSUER, "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
        "scopes": "openid profile email", "protected_apis": ["https://api.test"],
        "clock_leeway_seconds": 30, "fetch_userinfo": true
    });
    Config::parse(&config.to_string(), "http://127.0.0.1:8080").unwrap()
}

fn session_storage() -> web_sys::Storage {
    web_sys::window().unwrap().session_storage().unwrap().unwrap()
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// The callback, as the app runs it: this tab's transit data is read once
/// and deleted, then the code is exchanged and the ID token verified.
async fn callback(
    provider: &TestProvider,
    config: &Config,
    query: &str,
    clock: fn() -> f64,
) -> Result<SignedIn, AuthError> {
    let pending = transit::take(&sign_in_key());
    finish_sign_in(provider, config, &names(), query, pending, clock).await
}

/// One whole sign-in through the app's code, against the scenario.
async fn sign_in(provider: &TestProvider) -> Result<SignedIn, AuthError> {
    session_storage().clear().unwrap();
    let url = start_sign_in(provider, &config(), &names(), None, "/after", SignInMode::Interactive, &SignInOptions::default()).await?;
    let query = provider.authorize(&url);
    callback(provider, &config(), &query, now).await
}

/// Runs the session core against the test provider with the browser's own
/// WebCrypto, as the app's driver does, until nothing is in flight; returns
/// what it showed.
async fn run_core(
    core: &mut SessionCore,
    provider: &TestProvider,
    config: &Config,
    clock: fn() -> f64,
    event: Event,
) -> Vec<AuthState> {
    let mut events = VecDeque::from([event]);
    let mut shown = Vec::new();
    while let Some(event) = events.pop_front() {
        for command in core.handle(event, clock() as u64) {
            let next = match command {
                Command::Show(state) => {
                    shown.push(state);
                    continue;
                }
                Command::LoadConfig => Event::ConfigLoaded(Ok(config.clone())),
                Command::FinishSignIn { query, pending } => Event::SignInFinished(
                    finish_sign_in(provider, config, &names(), query.secret(), pending, clock).await,
                ),
                Command::Send { request, http } => {
                    Event::HttpAnswered { request, result: provider.send(http).await }
                }
                Command::CheckSignature { request, id_token, keys } => {
                    Event::SignatureChecked { request, result: check_signature(&id_token, &keys).await }
                }
                // Timers, history and storage play no part here.
                _ => continue,
            };
            events.push_back(next);
        }
    }
    shown
}

/// Signs in through the core (the callback page), then lets its renewal
/// timer fire `refresh_after_ms` later; returns what the core showed then.
async fn signed_in_then_refreshed(
    provider: &TestProvider,
    config: &Config,
    clock: fn() -> f64,
    later: fn() -> f64,
) -> (AuthState, AuthState) {
    session_storage().clear().unwrap();
    let url = start_sign_in(provider, config, &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let query = provider.authorize(&url);
    let stored = Stored { sign_in: transit::take(&sign_in_key()), ..Stored::default() };
    let location = Location::parse(&format!("{REDIRECT_URI}?{query}"));
    let mut core = SessionCore::new(random_url_safe_string);
    let started = run_core(&mut core, provider, config, clock, Event::Started { location, stored }).await;
    let refreshed = run_core(&mut core, provider, config, later, Event::TimerFired(Timer::Renewal)).await;
    (started.last().cloned().unwrap(), refreshed.last().cloned().unwrap())
}

fn session_of(state: &AuthState) -> &browser_oidc::session::tokens::Session {
    match state {
        AuthState::SignedIn(session) => session,
        other => panic!("expected signed in, got {other:?}"),
    }
}

fn failure_of(state: &AuthState) -> AuthError {
    match state {
        AuthState::Failed(error) => error.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Past the refresh point of the test provider's 300-second tokens.
fn four_minutes_later() -> f64 {
    now() + 250_000.0
}

async fn scenario(scenario: Scenario) -> (TestProvider, Result<SignedIn, AuthError>) {
    let provider = TestProvider::new(scenario).await;
    let result = sign_in(&provider).await;
    (provider, result)
}

/// The client accepted: signed in as alice, nothing left in storage.
fn assert_accepted(provider: &TestProvider, result: Result<SignedIn, AuthError>) -> SignedIn {
    let signed_in = result.unwrap_or_else(|error| panic!("expected acceptance, got: {error}"));
    assert_eq!(signed_in.session.user.subject, "alice");
    assert_eq!(session_storage().get_item(&sign_in_key()).unwrap(), None);
    assert_eq!(provider.token_requests(), 1);
    signed_in
}

/// The client refused with `expected`, a sentence a person can read, no
/// session, and the one-time sign-in data gone.
fn assert_rejected(result: Result<SignedIn, AuthError>, expected: AuthError) {
    match result {
        Ok(_) => panic!("expected rejection with: {expected}"),
        Err(error) => {
            assert_eq!(error, expected);
            let message = error.to_string();
            assert!(message.len() > 20 && message.ends_with('.'), "{message}");
        }
    }
    assert_eq!(session_storage().get_item(&sign_in_key()).unwrap(), None, "the state is gone");
}

/// A refusal of the authorization response itself: no code was exchanged.
fn assert_refused_before_token_request(
    provider: &TestProvider,
    result: Result<SignedIn, AuthError>,
    expected: CallbackError,
) {
    assert_rejected(result, expected.into());
    assert_eq!(provider.token_requests(), 0, "no token request was made");
}

fn claims(expected: IdTokenError) -> AuthError {
    AuthError::IdTokenClaims(expected)
}

// ------------------------------------------------------------- Basic RP

#[wasm_bindgen_test]
async fn oidcc_client_test() {
    let (provider, result) = scenario(Scenario::default()).await;
    let signed_in = assert_accepted(&provider, result);
    assert_eq!(signed_in.return_path, "/after");
    assert!(provider.requests.borrow().contains(&format!("GET {USERINFO}")), "userinfo was called");
    assert_eq!(signed_in.session.user.name.as_deref(), Some("Alice (userinfo)"));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_invalid_iss() {
    let (_, result) = scenario(Scenario {
        id_token_claims: |c| c["iss"] = "https://evil.test".into(),
        ..Default::default()
    })
    .await;
    assert_rejected(result, claims(IdTokenError::IssuerMismatch { found: "https://evil.test".into() }));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_missing_sub() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| remove(c, "sub"), ..Default::default() }).await;
    assert_rejected(result, claims(IdTokenError::SubjectMissing));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_invalid_aud() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| c["aud"] = "someone-else".into(), ..Default::default() })
            .await;
    assert_rejected(result, claims(IdTokenError::AudienceMismatch));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_missing_aud() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| remove(c, "aud"), ..Default::default() }).await;
    assert_rejected(result, claims(IdTokenError::AudienceMissing));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_missing_iat() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| remove(c, "iat"), ..Default::default() }).await;
    assert_rejected(result, claims(IdTokenError::IssuedAtMissing));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_kid_absent_single_jwks() {
    let (provider, result) = scenario(Scenario {
        id_token_header: |h| remove(h, "kid"),
        published_keys: PublishedKeys::SignerWithoutKid,
        ..Default::default()
    })
    .await;
    assert_accepted(&provider, result);
}

#[wasm_bindgen_test]
async fn oidcc_client_test_kid_absent_multiple_jwks() {
    // Both keys fit; the client tries each (the certification also allows refusing).
    let (provider, result) = scenario(Scenario {
        id_token_header: |h| remove(h, "kid"),
        published_keys: PublishedKeys::OtherAndSignerWithoutKids,
        ..Default::default()
    })
    .await;
    assert_accepted(&provider, result);
}

#[wasm_bindgen_test]
async fn oidcc_client_test_idtoken_sig_rs256() {
    let (provider, result) =
        scenario(Scenario { signer: SigningAlgorithm::Rs256, ..Default::default() }).await;
    assert_accepted(&provider, result);
}

#[wasm_bindgen_test]
async fn oidcc_client_test_idtoken_sig_none() {
    let (_, result) = scenario(Scenario { signature: Signature::Unsigned, ..Default::default() }).await;
    assert_rejected(result, JwtError::Unsigned.into());
}

#[wasm_bindgen_test]
async fn oidcc_client_test_invalid_sig_rs256() {
    let (_, result) = scenario(Scenario { signature: Signature::Corrupted, ..Default::default() }).await;
    assert_rejected(result, AuthError::InvalidSignature);
}

#[wasm_bindgen_test]
async fn oidcc_client_test_invalid_sig_es256() {
    let (_, result) = scenario(Scenario {
        signer: SigningAlgorithm::Es256,
        signature: Signature::Corrupted,
        ..Default::default()
    })
    .await;
    assert_rejected(result, AuthError::InvalidSignature);
}

#[wasm_bindgen_test]
async fn oidcc_client_test_invalid_sig_hs256() {
    let (_, result) =
        scenario(Scenario { signature: Signature::Hs256WithPublicKey, ..Default::default() }).await;
    assert_rejected(result, JwtError::AlgorithmNotAllowed("HS256".into()).into());
}

#[wasm_bindgen_test]
async fn oidcc_client_test_userinfo_invalid_sub() {
    let (_, result) = scenario(Scenario { userinfo_sub: "mallory", ..Default::default() }).await;
    assert_rejected(result, UserinfoError::SubjectMismatch.into());
}

#[wasm_bindgen_test]
async fn oidcc_client_test_nonce_invalid() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| c["nonce"] = "not-the-nonce".into(), ..Default::default() })
            .await;
    assert_rejected(result, claims(IdTokenError::NonceMismatch));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_scope_userinfo_claims() {
    let (provider, result) =
        scenario(Scenario { id_token_claims: |c| remove(c, "email"), ..Default::default() }).await;
    let signed_in = assert_accepted(&provider, result);
    assert_eq!(
        signed_in.session.user.email.as_deref(),
        Some("alice@userinfo.test"),
        "the email came from userinfo"
    );
}

// ------------------------------------------------------------- Config RP

#[wasm_bindgen_test]
async fn oidcc_client_test_discovery_openid_config() {
    let (provider, result) = scenario(Scenario::default()).await;
    assert_accepted(&provider, result);
    let requests = provider.requests.borrow();
    assert_eq!(requests[0], format!("GET {DISCOVERY}"), "discovery comes first");
    assert!(requests.contains(&format!("POST {TOKEN}")), "the discovered token endpoint was used");
}

#[wasm_bindgen_test]
async fn oidcc_client_test_discovery_jwks_uri_keys() {
    let (provider, result) =
        scenario(Scenario { jwks_uri: "https://op.test/keys/v2", ..Default::default() }).await;
    assert_accepted(&provider, result);
    assert!(provider.requests.borrow().contains(&"GET https://op.test/keys/v2".to_owned()));
}

#[wasm_bindgen_test]
async fn oidcc_client_test_discovery_issuer_mismatch() {
    let (provider, result) =
        scenario(Scenario { discovery_issuer: "https://other.test", ..Default::default() }).await;
    let expected =
        DiscoveryError::IssuerMismatch { expected: ISSUER.into(), found: "https://other.test".into() };
    assert_rejected(result, expected.into());
    assert_eq!(
        provider.requests.borrow().as_slice(),
        [format!("GET {DISCOVERY}")],
        "nothing after discovery"
    );
}

// ------------------------------------------------------------- DPoP (RFC 9449)

/// FAPI 2 client test module `token-type-case-insensitivity`, through a sign-in.
#[wasm_bindgen_test]
async fn a_provider_offering_dpop_gets_a_proof_and_its_dpop_tokens_are_taken_whatever_the_case() {
    for token_type in ["DPoP", "dpop"] {
        let (provider, result) = scenario(Scenario { dpop: true, token_type, ..Default::default() }).await;
        let signed_in = assert_accepted(&provider, result);
        assert!(signed_in.session.dpop, "{token_type}");
        assert!(provider.requests.borrow().contains(&format!("POST {TOKEN} with a DPoP proof")));
    }
}

#[wasm_bindgen_test]
async fn a_provider_that_answers_a_proof_with_a_bearer_token_is_refused() {
    let (provider, result) = scenario(Scenario { dpop: true, token_type: "Bearer", ..Default::default() }).await;
    assert_rejected(result, TokenError::NotBound.into());
    assert_eq!(provider.revoked.borrow().as_slice(), ["refresh-1", "access-1"], "the refused tokens are revoked");
}

/// Tokens a sign-in refuses (here for a forged ID token) are revoked;
/// those of a sign-in that succeeds are not.
#[wasm_bindgen_test]
async fn tokens_a_sign_in_refuses_are_revoked_and_no_others() {
    let (provider, result) = scenario(Scenario::default()).await;
    assert_accepted(&provider, result);
    assert!(provider.revoked.borrow().is_empty());
    let (provider, result) = scenario(Scenario { signature: Signature::Corrupted, ..Default::default() }).await;
    assert_rejected(result, AuthError::InvalidSignature);
    assert_eq!(provider.revoked.borrow().as_slice(), ["refresh-1", "access-1"]);
}

#[wasm_bindgen_test]
async fn dpop_required_refuses_a_provider_without_it_before_the_person_leaves() {
    let provider = TestProvider::new(Scenario::default()).await;
    let mut required = config();
    required.dpop = browser_oidc::config::DpopMode::Required;
    let options = SignInOptions::default();
    let result = start_sign_in(&provider, &required, &names(), None, "/after", SignInMode::Interactive, &options).await;
    assert_eq!(result.unwrap_err(), DiscoveryError::DpopUnsupported.into());
    assert_eq!(provider.requests.borrow().as_slice(), [format!("GET {DISCOVERY}")], "no sign-in started");
}

#[wasm_bindgen_test]
async fn a_provider_without_dpop_gets_no_proof_when_it_is_only_wished_for() {
    let (provider, result) = scenario(Scenario::default()).await;
    let signed_in = assert_accepted(&provider, result);
    assert!(!signed_in.session.dpop);
    assert!(provider.requests.borrow().iter().all(|request| !request.ends_with("with a DPoP proof")));
}

/// The test provider, with a DPoP key kept across the redirect as the app's
/// key store does (`key_back`: whether it is still there at the callback).
struct KeyKeeping<'a> {
    provider: &'a TestProvider,
    key_back: bool,
    taken: RefCell<Vec<String>>,
    /// The key and its database were made ahead.
    got_ready: Cell<bool>,
}

impl HttpClient for KeyKeeping<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        self.provider.send(request).await
    }
}

impl CodeBinding for KeyKeeping<'_> {
    async fn keep_key(&self, _names: &Names) -> Option<KeptKey> {
        Some(KeptKey { id: "kept-1".into(), thumbprint: "jkt-of-the-tab-key".into() })
    }

    async fn take_key(&self, _names: &Names, id: &str) -> bool {
        self.taken.borrow_mut().push(id.to_owned());
        self.key_back
    }

    async fn thumbprint(&self) -> Option<String> {
        Some("jkt-of-the-tab-key".into())
    }

    async fn get_ready(&self, _names: &Names) {
        self.got_ready.set(true);
    }
}

/// The signed-out page gets ready for a click: it discovers the provider,
/// and the click's sign-in uses what it found; it makes the key and its
/// database only when codes will be bound to the key.
#[wasm_bindgen_test]
async fn getting_ready_discovers_for_the_click_and_makes_the_key_only_when_codes_are_bound() {
    let dpop_off = {
        let fields = json!({ "issuer": ISSUER, "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "dpop": "off" });
        Config::parse(&fields.to_string(), "http://127.0.0.1:8080").unwrap()
    };
    for (provider_binds, config, made) in [(true, config(), true), (false, config(), false), (true, dpop_off, false)] {
        session_storage().clear().unwrap();
        let provider = TestProvider::new(Scenario { dpop: provider_binds, ..Default::default() }).await;
        let keeping = KeyKeeping { provider: &provider, key_back: true, taken: RefCell::default(), got_ready: Cell::new(false) };
        let discovered = get_ready(&keeping, &config, &names()).await;
        assert!(discovered.is_some(), "found");
        assert_eq!(keeping.got_ready.get(), made, "provider binds codes: {provider_binds}, dpop: {:?}", config.dpop);
        let options = SignInOptions::default();
        let names = names();
        let url = start_sign_in(&keeping, &config, &names, discovered, "/", SignInMode::Interactive, &options).await;
        let url = url.unwrap();
        assert!(url.starts_with("https://op.test/authorize?"));
        assert_eq!(provider.discoveries(), 1, "the click did not discover again");
    }
    // Discovery failed ahead: the click discovers again, and says why.
    let provider = TestProvider::new(Scenario { discovery_issuer: "https://other.test", ..Default::default() }).await;
    assert!(get_ready(&provider, &config(), &names()).await.is_none());
    let options = SignInOptions::default();
    let refused = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &options).await;
    let mismatch = DiscoveryError::IssuerMismatch { expected: ISSUER.into(), found: "https://other.test".into() };
    assert_eq!(refused.unwrap_err(), mismatch.into());
    assert_eq!(provider.discoveries(), 2);
    // Metadata of another issuer is not used: the click discovers its own.
    let provider = TestProvider::new(Scenario::default()).await;
    let mut elsewhere = get_ready(&provider, &config(), &names()).await.unwrap();
    elsewhere.issuer = "https://elsewhere.test".into();
    let options = SignInOptions::default();
    start_sign_in(&provider, &config(), &names(), Some(elsewhere), "/", SignInMode::Interactive, &options).await.unwrap();
    assert_eq!(provider.discoveries(), 2);
}

/// RFC 9449 §10: the code is bound to the tab's key, which is taken back at
/// the callback; without it, no code is sent.
#[wasm_bindgen_test]
async fn the_code_is_bound_to_the_kept_key_and_without_that_key_no_code_is_sent() {
    for key_back in [true, false] {
        session_storage().clear().unwrap();
        let provider = TestProvider::new(Scenario { dpop: true, token_type: "DPoP", ..Default::default() }).await;
        let keeping = KeyKeeping { provider: &provider, key_back, taken: RefCell::default(), got_ready: Cell::new(false) };
        let options = SignInOptions::default();
        let url = start_sign_in(&keeping, &config(), &names(), None, "/", SignInMode::Interactive, &options).await.unwrap();
        let params: HashMap<String, String> =
            form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
        assert_eq!(params.get("dpop_jkt").map(String::as_str), Some("jkt-of-the-tab-key"));
        let query = provider.authorize(&url);
        let pending = transit::take(&sign_in_key());
        let result = finish_sign_in(&keeping, &config(), &names(), &query, pending, now).await;
        assert_eq!(keeping.taken.borrow().as_slice(), ["kept-1"], "taken back once, by the id kept");
        let token_requests = provider.requests.borrow().iter().filter(|r| r.starts_with(&format!("POST {TOKEN}"))).count();
        if key_back {
            assert!(result.unwrap().session.dpop);
            assert_eq!(token_requests, 1);
        } else {
            assert_eq!(result.unwrap_err(), CallbackError::BoundKeyMissing.into());
            assert_eq!(token_requests, 0, "no code sent without its key");
        }
    }
}

/// A restore (`prompt=none`) whose kept key is gone says nothing: the
/// person is simply not signed in, and no code is sent.
#[wasm_bindgen_test]
async fn a_silent_restore_whose_key_is_gone_is_quietly_declined() {
    session_storage().clear().unwrap();
    let provider = TestProvider::new(Scenario { dpop: true, token_type: "DPoP", ..Default::default() }).await;
    let keeping = KeyKeeping { provider: &provider, key_back: false, taken: RefCell::default(), got_ready: Cell::new(false) };
    let options = SignInOptions::default();
    let url = start_sign_in(&keeping, &config(), &names(), None, "/", SignInMode::Silent, &options).await.unwrap();
    let query = provider.authorize(&url);
    let pending = transit::take(&sign_in_key());
    let result = finish_sign_in(&keeping, &config(), &names(), &query, pending, now).await;
    assert_eq!(result.unwrap_err(), AuthError::SilentSignInDeclined);
    assert!(!provider.requests.borrow().iter().any(|r| r.starts_with(&format!("POST {TOKEN}"))));
}

/// Without DPoP, no key is kept and the code is not bound.
#[wasm_bindgen_test]
async fn a_provider_without_dpop_gets_no_dpop_jkt() {
    session_storage().clear().unwrap();
    let provider = TestProvider::new(Scenario::default()).await;
    let keeping = KeyKeeping { provider: &provider, key_back: true, taken: RefCell::default(), got_ready: Cell::new(false) };
    let options = SignInOptions::default();
    let url = start_sign_in(&keeping, &config(), &names(), None, "/", SignInMode::Interactive, &options).await.unwrap();
    assert!(!url.contains("dpop_jkt"));
    let pending = transit::take::<SignInTransit>(&sign_in_key()).unwrap();
    assert_eq!(pending.dpop_key, None);
}

#[wasm_bindgen_test]
async fn the_callback_uses_the_metadata_its_sign_in_discovered() {
    let (provider, result) = scenario(Scenario::default()).await;
    let signed_in = assert_accepted(&provider, result);
    assert_eq!(provider.discoveries(), 1, "discovered when the sign-in started, not again at the callback");
    assert_eq!(signed_in.metadata.token_endpoint, TOKEN, "handed to the session for its refreshes");
}

#[wasm_bindgen_test]
async fn kept_metadata_for_another_issuer_is_refused_at_the_callback() {
    // The transit says another provider (edited, or left by a config with
    // another issuer): checked like a fresh document, nothing is sent.
    let provider = TestProvider::new(Scenario::default()).await;
    session_storage().clear().unwrap();
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let kept = session_storage().get_item(&sign_in_key()).unwrap().unwrap();
    let edited = kept.replace(r#""issuer":"https://op.test""#, r#""issuer":"https://attacker.test""#);
    assert_ne!(kept, edited, "the transit keeps the issuer's metadata");
    session_storage().set_item(&sign_in_key(), &edited).unwrap();
    let result = callback(&provider, &config(), &provider.authorize(&url), now).await;
    let expected =
        DiscoveryError::IssuerMismatch { expected: ISSUER.into(), found: "https://attacker.test".into() };
    assert_rejected(result, expected.into());
    assert_eq!(provider.token_requests(), 0, "the code went nowhere");
}

#[wasm_bindgen_test]
async fn oidcc_client_test_signing_key_rotation() {
    // Signed in with one key; the provider then rotates to a new key.
    let (provider, result) = scenario(Scenario::default()).await;
    assert_accepted(&provider, result);
    let rotated = TestProvider::new(Scenario::default()).await;
    assert_accepted(&rotated, sign_in(&rotated).await);
}

#[wasm_bindgen_test]
async fn oidcc_client_test_signing_key_rotation_just_before_signing() {
    let (provider, result) =
        scenario(Scenario { published_keys: PublishedKeys::OtherThenSigner, ..Default::default() }).await;
    assert_accepted(&provider, result);
    assert_eq!(provider.jwks_fetches.get(), 2, "the unknown kid caused exactly one refetch");
}

// ------------------------------------------------------------- Refresh
// The session core refreshes; these run it with the browser's WebCrypto.

#[wasm_bindgen_test]
async fn oidcc_refresh_token() {
    let provider = TestProvider::new(Scenario::default()).await;
    let (signed_in, refreshed) =
        signed_in_then_refreshed(&provider, &config(), now, four_minutes_later).await;
    let (before, after) = (session_of(&signed_in), session_of(&refreshed));
    assert_ne!(after.access_token.secret(), before.access_token.secret());
    assert_eq!(
        after.refresh_token.as_ref().unwrap().secret(),
        "refresh-2",
        "the rotated token replaced the old"
    );
    assert_eq!(provider.token_requests(), 2);
    assert_eq!(provider.jwks_fetches.get(), 1, "the refreshed ID token was verified with the cached keys");
    // Then userinfo with the new access token.
    let metadata = parse_metadata(&provider.metadata().to_string(), ISSUER).unwrap();
    let userinfo = fetch_userinfo(&provider, &metadata, &after.access_token, false, "alice").await.unwrap();
    assert_eq!(userinfo.sub, "alice");
}

#[wasm_bindgen_test]
async fn oidcc_refresh_token_invalid_issuer() {
    let provider = TestProvider::new(Scenario {
        refreshed_id_token_claims: |c| c["iss"] = "https://evil.test".into(),
        ..Default::default()
    })
    .await;
    let (_, refreshed) = signed_in_then_refreshed(&provider, &config(), now, four_minutes_later).await;
    assert_eq!(
        failure_of(&refreshed),
        claims(IdTokenError::IssuerMismatch { found: "https://evil.test".into() })
    );
}

#[wasm_bindgen_test]
async fn oidcc_refresh_token_invalid_sub() {
    let provider = TestProvider::new(Scenario {
        refreshed_id_token_claims: |c| c["sub"] = "mallory".into(),
        ..Default::default()
    })
    .await;
    let (_, refreshed) = signed_in_then_refreshed(&provider, &config(), now, four_minutes_later).await;
    assert_eq!(failure_of(&refreshed), claims(IdTokenError::RefreshedIdentityChanged("person (sub)")));
}

/// OIDC Core §12.2: a refreshed ID token with another `auth_time` is another
/// sign-in. The session ends, and the message says why in plain words.
#[wasm_bindgen_test]
async fn a_refreshed_id_token_with_another_sign_in_time_ends_the_session_saying_so() {
    let provider = TestProvider::new(Scenario {
        refreshed_id_token_claims: |c| c["auth_time"] = (c["auth_time"].as_i64().unwrap() + 60).into(),
        ..Default::default()
    })
    .await;
    let (_, refreshed) = signed_in_then_refreshed(&provider, &config(), now, four_minutes_later).await;
    let message = failure_of(&refreshed).to_string();
    assert!(message.contains("the provider reported a different sign-in"), "{message}");
    assert!(message.ends_with("Please sign in again."), "says what to do next: {message}");
}

#[wasm_bindgen_test]
async fn a_refreshed_id_token_with_an_invalid_signature_ends_the_session() {
    let provider =
        TestProvider::new(Scenario { refreshed_signature: Signature::Corrupted, ..Default::default() }).await;
    let (signed_in, refreshed) =
        signed_in_then_refreshed(&provider, &config(), now, four_minutes_later).await;
    assert!(matches!(signed_in, AuthState::SignedIn(_)), "the first ID token was fine");
    assert_eq!(failure_of(&refreshed), AuthError::InvalidSignature);
}

// ------------------------------------------------ Authorization-response checks

#[wasm_bindgen_test]
async fn authorization_response_invalid_iss() {
    let (provider, result) =
        scenario(Scenario { callback_iss: Some("https://other.test"), ..Default::default() }).await;
    assert_refused_before_token_request(
        &provider,
        result,
        CallbackError::IssuerMismatch { found: "https://other.test".into() },
    );
}

#[wasm_bindgen_test]
async fn authorization_response_missing_iss() {
    let (provider, result) = scenario(Scenario { callback_iss: None, ..Default::default() }).await;
    assert_refused_before_token_request(&provider, result, CallbackError::IssuerMissing);
}

#[wasm_bindgen_test]
async fn authorization_response_invalid_state() {
    let (provider, result) =
        scenario(Scenario { callback_state: StateParam::Replace("forged"), ..Default::default() }).await;
    assert_refused_before_token_request(&provider, result, CallbackError::StateMismatch);
}

#[wasm_bindgen_test]
async fn authorization_response_missing_state() {
    let (provider, result) =
        scenario(Scenario { callback_state: StateParam::Omit, ..Default::default() }).await;
    assert_refused_before_token_request(&provider, result, CallbackError::StateMissing);
}

#[wasm_bindgen_test]
async fn authorization_error_response_with_iss() {
    let (provider, result) =
        scenario(Scenario { callback_error: Some("access_denied"), ..Default::default() }).await;
    assert_refused_before_token_request(&provider, result, CallbackError::Cancelled);
}

#[wasm_bindgen_test]
async fn authorization_error_response_without_iss() {
    let (provider, result) = scenario(Scenario {
        callback_error: Some("access_denied"),
        callback_iss: None,
        ..Default::default()
    })
    .await;
    assert_refused_before_token_request(&provider, result, CallbackError::IssuerMissing);
}

#[wasm_bindgen_test]
async fn id_token_exp_expired() {
    let (_, result) = scenario(Scenario {
        id_token_claims: |c| c["exp"] = (c["iat"].as_i64().unwrap() - 60).into(),
        ..Default::default()
    })
    .await;
    assert_rejected(result, claims(IdTokenError::Expired));
}

#[wasm_bindgen_test]
async fn id_token_exp_missing() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| remove(c, "exp"), ..Default::default() }).await;
    assert_rejected(result, claims(IdTokenError::ExpiryMissing));
}

#[wasm_bindgen_test]
async fn id_token_alg_null() {
    // `"alg": null` (FAPI 2 "alg null"), unlike `"alg": "none"` above.
    let (_, result) =
        scenario(Scenario { id_token_header: |h| h["alg"] = Value::Null, ..Default::default() }).await;
    assert_rejected(result, JwtError::BadHeader.into());
}

#[wasm_bindgen_test]
async fn id_token_secondary_untrusted_aud() {
    let (_, result) = scenario(Scenario {
        id_token_claims: |c| {
            c["aud"] = json!([CLIENT_ID, "https://untrusted.test"]);
            c["azp"] = CLIENT_ID.into();
        },
        ..Default::default()
    })
    .await;
    assert_rejected(result, claims(IdTokenError::UntrustedAudience));
}

#[wasm_bindgen_test]
async fn id_token_invalid_nonce() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| c["nonce"] = "replayed".into(), ..Default::default() })
            .await;
    assert_rejected(result, claims(IdTokenError::NonceMismatch));
}

#[wasm_bindgen_test]
async fn id_token_missing_nonce() {
    let (_, result) =
        scenario(Scenario { id_token_claims: |c| remove(c, "nonce"), ..Default::default() }).await;
    assert_rejected(result, claims(IdTokenError::NonceMissing));
}

#[wasm_bindgen_test]
async fn token_type_is_case_insensitive() {
    let (provider, result) = scenario(Scenario { token_type: "bEaReR", ..Default::default() }).await;
    assert_accepted(&provider, result);
}

// ------------------------------------------------------------- RFC 9700 attacks

#[wasm_bindgen_test]
async fn attack_csrf_login_forgery() {
    // The attacker's own code, with a state this browser never issued.
    let provider = TestProvider::new(Scenario::default()).await;
    session_storage().clear().unwrap();
    let forged = "code=attackers-code&state=attackers-state&iss=https%3A%2F%2Fop.test";
    let result = callback(&provider, &config(), forged, now).await;
    assert_refused_before_token_request(&provider, result, CallbackError::NoSignInInProgress);
    assert!(provider.requests.borrow().is_empty(), "not even discovery");

    // The same while a sign-in of this browser's own is in progress.
    start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let result = callback(&provider, &config(), forged, now).await;
    assert_refused_before_token_request(&provider, result, CallbackError::StateMismatch);
}

#[wasm_bindgen_test]
async fn attack_code_replay() {
    let provider = TestProvider::new(Scenario::default()).await;
    session_storage().clear().unwrap();
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let query = provider.authorize(&url);
    assert!(callback(&provider, &config(), &query, now).await.is_ok());
    // The same callback again (a back button, a leaked URL, a second tab).
    let replay = callback(&provider, &config(), &query, now).await;
    assert_rejected(replay, CallbackError::NoSignInInProgress.into());
    assert_eq!(provider.token_requests(), 1, "the code was never sent twice");
}

/// The client's side of PKCE and of one-time codes (the provider's side is
/// the end-to-end tier's): every code the app sends carries its verifier,
/// and no code is ever sent twice, whatever replays the callback.
#[wasm_bindgen_test]
async fn the_app_never_sends_a_code_without_its_verifier_or_twice() {
    let provider = TestProvider::new(Scenario::default()).await;
    for _ in 0..3 {
        session_storage().clear().unwrap();
        let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
        let query = provider.authorize(&url);
        callback(&provider, &config(), &query, now).await.unwrap();
        // The same callback again: the back button, a leaked URL, a second tab.
        assert!(callback(&provider, &config(), &query, now).await.is_err());
    }
    let exchanges = provider.code_exchanges.borrow();
    assert_eq!(exchanges.len(), 3, "one exchange per sign-in");
    assert!(
        exchanges.iter().all(|(_, verifier)| (43..=128).contains(&verifier.len())),
        "every code with its verifier"
    );
    let codes: std::collections::HashSet<_> = exchanges.iter().map(|(code, _)| code).collect();
    assert_eq!(codes.len(), 3, "no code sent twice");
}

#[wasm_bindgen_test]
async fn attack_code_injection() {
    // The attacker obtained a code for *their* authorization request (their
    // PKCE challenge) and injects it into the victim's callback with the
    // victim's valid state: the victim's verifier cannot redeem it.
    let provider = TestProvider::new(Scenario::default()).await;
    session_storage().clear().unwrap();
    let attackers_url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let attackers_code = code_in(&provider.authorize(&attackers_url));
    let victims_url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let victims_query = provider.authorize(&victims_url);
    let query = victims_query.replace(&code_in(&victims_query), &attackers_code);
    let result = callback(&provider, &config(), &query, now).await;
    let refused =
        TokenError::Provider(ProviderError::new("invalid_grant", Some("grant request is invalid".into())));
    assert_rejected(result, refused.into());
}

#[wasm_bindgen_test]
async fn attack_mix_up() {
    // A response that claims to come from another provider is refused
    // before its code goes anywhere (RFC 9207).
    let (provider, result) =
        scenario(Scenario { callback_iss: Some("https://attacker.test"), ..Default::default() }).await;
    assert_refused_before_token_request(
        &provider,
        result,
        CallbackError::IssuerMismatch { found: "https://attacker.test".into() },
    );
}

#[wasm_bindgen_test]
async fn attack_open_redirect() {
    for evil in ["https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)"] {
        let provider = TestProvider::new(Scenario::default()).await;
        session_storage().clear().unwrap();
        let url = start_sign_in(&provider, &config(), &names(), None, evil, SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
        let query = provider.authorize(&url);
        let signed_in = callback(&provider, &config(), &query, now).await.unwrap();
        assert_eq!(signed_in.return_path, "/", "{evil}");
    }
}

#[wasm_bindgen_test]
async fn attack_algorithm_confusion() {
    // HS256 keyed with the public key, and `none`, are refused above; a key
    // of the wrong type cannot verify either.
    let (_, result) = scenario(Scenario {
        signer: SigningAlgorithm::Es256,
        id_token_header: |h| h["kid"] = "other".into(),
        published_keys: PublishedKeys::OnlyOther,
        ..Default::default()
    })
    .await;
    assert_rejected(result, KeyError::UnknownKeyId("other".into()).into());
    let (_, result) = scenario(Scenario {
        signer: SigningAlgorithm::Es256,
        id_token_header: |h| remove(h, "kid"),
        published_keys: PublishedKeys::OnlyOther,
        ..Default::default()
    })
    .await;
    assert_rejected(result, KeyError::NoSuitableKey.into());
}

// ------------------------------------------------------------- Session renewal
// The session's rules (single flight, retries, sign-out races) are tested
// natively against the core (tests/session_core.rs); here, what needs a browser.

fn clock_ahead() -> f64 {
    now() + 300_000.0
}

fn clock_behind() -> f64 {
    now() - 300_000.0
}

fn clock_ahead_then_later() -> f64 {
    clock_ahead() + 250_000.0
}

fn clock_behind_then_later() -> f64 {
    clock_behind() + 250_000.0
}

#[wasm_bindgen_test]
async fn a_clock_skewed_by_five_minutes_signs_in_and_refreshes_with_a_matching_leeway() {
    type Clock = fn() -> f64;
    let clocks: [(Clock, Clock); 2] =
        [(clock_ahead, clock_ahead_then_later), (clock_behind, clock_behind_then_later)];
    for (clock, later) in clocks {
        let provider = TestProvider::new(Scenario::default()).await;
        let mut config = config();
        config.clock_leeway_seconds = 330;
        let (signed_in, refreshed) = signed_in_then_refreshed(&provider, &config, clock, later).await;
        // Expiry counts from the local arrival time: not expired on arrival.
        let left = session_of(&signed_in).access_token_expires_at_ms.unwrap() as f64 - clock();
        assert!((299_000.0..=300_000.0).contains(&left), "{left}");
        assert_eq!(session_of(&refreshed).refresh_token.as_ref().unwrap().secret(), "refresh-2");
    }
}

#[wasm_bindgen_test]
async fn a_skewed_clock_beyond_the_leeway_gets_a_clear_message() {
    let provider = TestProvider::new(Scenario::default()).await;
    session_storage().clear().unwrap();
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &SignInOptions::default()).await.unwrap();
    let error = callback(&provider, &config(), &provider.authorize(&url), clock_behind).await.unwrap_err();
    assert_eq!(error, claims(IdTokenError::IssuedInFuture));
    assert!(error.to_string().contains("check this device's clock"));
}

#[wasm_bindgen_test]
async fn a_silent_restore_declined_by_the_provider_is_quiet() {
    let provider =
        TestProvider::new(Scenario { callback_error: Some("login_required"), ..Default::default() }).await;
    session_storage().clear().unwrap();
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Silent, &SignInOptions::default()).await.unwrap();
    assert!(url.contains("prompt=none"));
    let result = callback(&provider, &config(), &provider.authorize(&url), now).await;
    assert_rejected(result, AuthError::SilentSignInDeclined);
    assert_eq!(provider.token_requests(), 0);
}

fn code_in(query: &str) -> String {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned()
}

fn remove(value: &mut Value, key: &str) {
    value.as_object_mut().unwrap().remove(key);
}

#[wasm_bindgen_test]
async fn sign_in_options_reach_the_provider_and_max_age_and_acr_are_checked() {
    let asked = |url: &str| -> HashMap<String, String> {
        form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()).into_owned().collect()
    };
    // The person signed in an hour ago; the app asks for 5 minutes at most.
    let mut provider = TestProvider::new(Scenario::default()).await;
    provider.auth_time -= 3600;
    session_storage().clear().unwrap();
    let options = SignInOptions::new().prompt("login").max_age(300).ui_locales("fr en").param("audience", "https://api.test");
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &options).await.unwrap();
    let params = asked(&url);
    for (name, value) in [("prompt", "login"), ("max_age", "300"), ("ui_locales", "fr en"), ("audience", "https://api.test")] {
        assert_eq!(params.get(name).map(String::as_str), Some(value), "{name}");
    }
    let query = provider.authorize(&url);
    let refused = callback(&provider, &config(), &query, now).await.map(|_| ()).unwrap_err();
    assert_eq!(refused, AuthError::IdTokenClaims(IdTokenError::AuthenticationTooOld));

    // A recent authentication passes the same check.
    let provider = TestProvider::new(Scenario::default()).await;
    session_storage().clear().unwrap();
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &options).await.unwrap();
    let query = provider.authorize(&url);
    assert!(callback(&provider, &config(), &query, now).await.is_ok());

    // A required acr the ID token does not carry is refused; a wished-for one is not.
    for (required, accepted) in [(true, false), (false, true)] {
        session_storage().clear().unwrap();
        let options = SignInOptions::new().acr_values("gold", required);
        let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Interactive, &options).await.unwrap();
        assert_eq!(asked(&url)["acr_values"], "gold");
        let result = callback(&provider, &config(), &provider.authorize(&url), now).await;
        assert_eq!(result.is_ok(), accepted, "required: {required}");
        if !accepted {
            assert_eq!(result.map(|_| ()).unwrap_err(), AuthError::IdTokenClaims(IdTokenError::AcrNotSatisfied { found: None }));
        }
    }

    // A silent sign-in asks for nothing but prompt=none.
    let url = start_sign_in(&provider, &config(), &names(), None, "/", SignInMode::Silent, &options).await.unwrap();
    let params = asked(&url);
    assert_eq!(params["prompt"], "none");
    assert!(!params.contains_key("max_age") && !params.contains_key("audience"));
    let kept: SignInTransit = transit::peek(&sign_in_key()).expect("the silent sign-in's transit");
    assert_eq!((kept.max_age, kept.required_acr), (None, None), "nothing to check after a silent sign-in");
}

/// The storage names of the app under test (client id `demo-spa`).
fn names() -> Names {
    Names::new("demo-spa")
}

fn sign_in_key() -> String {
    names().sign_in()
}

// ------------------------------------------------ renewal in a hidden frame

fn frame_config() -> Config {
    let mut config = config();
    config.silent_redirect_uri = Some(SILENT_REDIRECT_URI.into());
    config
}

/// A renewal in a hidden frame asks with `prompt=none`, comes back to the
/// silent page (and exchanges the code for it), binds the code to the
/// tab's key as it is, and keeps nothing in storage: no transit data, no
/// key.
#[wasm_bindgen_test]
async fn a_renewal_in_a_frame_comes_back_to_the_silent_page_and_keeps_nothing_in_storage() {
    session_storage().clear().unwrap();
    let provider = TestProvider::new(Scenario { dpop: true, token_type: "DPoP", ..Default::default() }).await;
    let keeping = KeyKeeping { provider: &provider, key_back: true, taken: RefCell::default(), got_ready: Cell::new(false) };
    let asked = RefCell::new(Vec::new());
    let frame = async |url: &str, return_to: &str| {
        asked.borrow_mut().push((url.to_owned(), return_to.to_owned()));
        Some(provider.authorize(url))
    };
    let renewed = renew_in_frame(&keeping, &frame_config(), &names(), frame, now).await.unwrap();
    assert!(renewed.session.dpop && renewed.silent);
    let (url, return_to) = asked.borrow()[0].clone();
    assert_eq!(return_to, SILENT_REDIRECT_URI);
    let params: HashMap<String, String> =
        form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
    assert_eq!(params["prompt"], "none");
    assert_eq!(params["redirect_uri"], SILENT_REDIRECT_URI);
    assert_eq!(params.get("dpop_jkt").map(String::as_str), Some("jkt-of-the-tab-key"), "the tab's key as it is");
    assert_eq!(session_storage().length().unwrap(), 0, "no transit data in storage");
    assert!(keeping.taken.borrow().is_empty(), "no key kept or taken back");
    assert_eq!(provider.code_exchanges.borrow().len(), 1);
}

/// A frame that shows no page of the app in time is declined, and no code
/// goes anywhere; one that comes back with another sign-in's `state` is
/// refused before its code is sent.
#[wasm_bindgen_test]
async fn a_frame_that_does_not_come_back_or_comes_back_tampered_sends_no_code() {
    let provider = TestProvider::new(Scenario::default()).await;
    let never = async |_: &str, _: &str| None;
    let result = renew_in_frame(&provider, &frame_config(), &names(), never, now).await;
    assert_eq!(result.unwrap_err(), AuthError::SilentSignInDeclined);

    let tampered = TestProvider::new(Scenario { callback_state: StateParam::Replace("forged"), ..Default::default() }).await;
    let frame = async |url: &str, _: &str| Some(tampered.authorize(url));
    let result = renew_in_frame(&tampered, &frame_config(), &names(), frame, now).await;
    assert_eq!(result.unwrap_err(), CallbackError::StateMismatch.into());
    assert_eq!(provider.token_requests() + tampered.token_requests(), 0, "no code sent");
}
