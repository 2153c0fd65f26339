//! Browser tests: run in headless Chromium by wasm-bindgen-test
//! (`cargo test --target wasm32-unknown-unknown --test browser`).
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use browser_oidc::oauth::discovery::ProviderMetadata;
use browser_oidc::oauth::http::{HttpClient, HttpRequest, HttpResponse, Unreachable};
use browser_oidc::oauth::id_token::{ExpectedClaims, IdTokenError};
use browser_oidc::oauth::jwks::KeyError;
use browser_oidc::oauth::jwt::{SigningAlgorithm, parse_jws};
use browser_oidc::oauth::pkce::PkceCodeVerifier;
use browser_oidc::oauth::secret::{AccessToken, CsrfState, IdToken, Nonce};
use browser_oidc::session::state::AuthState;
use browser_oidc::session::tokens::{Session, User};
use browser_oidc::session::transit::SignInTransit;
use common::TestKey;
use leptos::prelude::*;
use leptos_browser_oidc::internal::flow::verify_id_token;
use leptos_browser_oidc::internal::names::Names;
use leptos_browser_oidc::internal::transit;
use leptos_browser_oidc::internal::webcrypto::{pkce_challenge, verify_signature};
use leptos_browser_oidc::{AuthError, Messages, Notice, Text, Translator, provide_auth_showing, provide_messages};
use oidc_spa::ui::Shell;
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ISSUER: &str = "http://127.0.0.1:9000";
const CLIENT_ID: &str = "demo-spa";
const JWKS_URI: &str = "http://127.0.0.1:9000/jwks";

// ---------------------------------------------------------------- transit

#[wasm_bindgen_test]
fn sign_in_transit_round_trips_once_and_is_deleted() {
    let verifier = PkceCodeVerifier::generate().unwrap();
    let secret = verifier.secret().to_owned();
    let pending = SignInTransit {
        state: CsrfState::new("state-1"),
        nonce: Nonce::new("nonce-1"),
        verifier,
        return_path: "/profile?tab=1".into(),
        silent: false,
        renewal: false,
        metadata: None,
        max_age: Some(300),
        requested_at: Some(1_800_000_000),
        required_acr: Some(vec!["gold".into()]),
        dpop_key: Some("kept-key-id".into()),
    };
    transit::save(&sign_in_key(), &pending).unwrap();
    let storage = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    assert!(storage.get_item(&sign_in_key()).unwrap().is_some());

    let restored: SignInTransit = transit::take(&sign_in_key()).expect("the entry is read back");
    assert!(restored.state.matches("state-1"));
    assert!(restored.nonce.matches("nonce-1"));
    assert_eq!(restored.verifier.secret(), secret);
    assert_eq!(restored.return_path, "/profile?tab=1");
    assert_eq!(restored.dpop_key.as_deref(), Some("kept-key-id"));

    assert_eq!(storage.get_item(&sign_in_key()).unwrap(), None, "deleted on read");
    assert!(transit::take::<SignInTransit>(&sign_in_key()).is_none(), "a state cannot be used twice");
}

#[wasm_bindgen_test]
fn a_corrupt_transit_entry_is_deleted_and_ignored() {
    let storage = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    storage.set_item(&sign_in_key(), "{not json").unwrap();
    assert!(transit::take::<SignInTransit>(&sign_in_key()).is_none());
    assert_eq!(storage.get_item(&sign_in_key()).unwrap(), None);
}

// ---------------------------------------------------------------- WebCrypto

#[wasm_bindgen_test]
async fn webcrypto_computes_the_s256_challenge_of_rfc7636_appendix_b() {
    let verifier =
        PkceCodeVerifier::try_from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned()).unwrap();
    let challenge = pkce_challenge(&verifier).await.unwrap();
    assert_eq!(challenge.as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

async fn verifies(key: &TestKey, token: &str) -> bool {
    let jws = parse_jws(token).unwrap();
    verify_signature(jws.header.alg, &key.public_jwk, jws.signing_input.as_bytes(), &jws.signature)
        .await
        .unwrap()
}

#[wasm_bindgen_test]
async fn webcrypto_verifies_rs256_ps256_and_es256_signatures() {
    for alg in [SigningAlgorithm::Rs256, SigningAlgorithm::Ps256, SigningAlgorithm::Es256] {
        let key = TestKey::generate(alg, "k1").await;
        let token = key.sign(key.header(), json!({"sub": "alice"})).await;
        assert!(verifies(&key, &token).await, "{alg:?} signature verifies");
    }
}

#[wasm_bindgen_test]
async fn webcrypto_rejects_a_tampered_token() {
    let key = TestKey::generate(SigningAlgorithm::Rs256, "k1").await;
    let token = key.sign(key.header(), json!({"sub": "alice"})).await;
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(json!({"sub": "mallory"}).to_string());
    assert!(!verifies(&key, &parts.join(".")).await, "a changed payload fails");

    let other = TestKey::generate(SigningAlgorithm::Rs256, "k1").await;
    assert!(!verifies(&other, &token).await, "another key fails");

    let es = TestKey::generate(SigningAlgorithm::Es256, "k2").await;
    let token = es.sign(es.header(), json!({"sub": "alice"})).await;
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[2] = URL_SAFE_NO_PAD.encode([0u8; 10]); // wrong length for ES256
    assert!(!verifies(&es, &parts.join(".")).await, "a malformed ES256 signature fails, without error");
}

// ------------------------------------------------- ID-token verification

/// Plays the provider's JWKS endpoint; counts the fetches.
struct FakeJwks {
    bodies: RefCell<Vec<String>>,
    fetches: Cell<usize>,
}

impl FakeJwks {
    fn serving(bodies: Vec<String>) -> Self {
        Self { bodies: RefCell::new(bodies), fetches: Cell::new(0) }
    }
}

impl HttpClient for FakeJwks {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        assert_eq!(request.url, JWKS_URI, "only the JWKS is fetched");
        self.fetches.set(self.fetches.get() + 1);
        let mut bodies = self.bodies.borrow_mut();
        let body = if bodies.len() > 1 { bodies.remove(0) } else { bodies[0].clone() };
        Ok(HttpResponse { status: 200, www_authenticate: None, retry_after: None, dpop_nonce: None, body })
    }
}

fn metadata() -> ProviderMetadata {
    let document = json!({
        "issuer": ISSUER, "authorization_endpoint": "http://127.0.0.1:9000/auth",
        "token_endpoint": "http://127.0.0.1:9000/token", "jwks_uri": JWKS_URI,
        "response_types_supported": ["code"]
    });
    browser_oidc::json::parse(&document.to_string()).unwrap()
}

fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn id_token_claims() -> serde_json::Value {
    json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT_ID, "exp": now_seconds() + 300,
           "iat": now_seconds(), "nonce": "n-1", "name": "Alice Liddell"})
}

async fn verify(http: &FakeJwks, token: &str) -> Result<String, AuthError> {
    let nonce = Nonce::new("n-1");
    let expected = ExpectedClaims {
        issuer: ISSUER,
        client_id: CLIENT_ID,
        nonce: Some(&nonce),
        now_seconds: now_seconds(),
        leeway_seconds: 60,
    };
    verify_id_token(http, &metadata(), None, &IdToken::new(token), &expected)
        .await
        .map(|claims| claims.sub.unwrap())
}

#[wasm_bindgen_test]
async fn a_valid_id_token_is_accepted() {
    let key = TestKey::generate(SigningAlgorithm::Rs256, "k1").await;
    let token = key.sign(key.header(), id_token_claims()).await;
    let http = FakeJwks::serving(vec![key.jwks()]);
    assert_eq!(verify(&http, &token).await, Ok("alice".into()));
    assert_eq!(http.fetches.get(), 1);
}

#[wasm_bindgen_test]
async fn a_tampered_id_token_is_refused() {
    let key = TestKey::generate(SigningAlgorithm::Rs256, "k1").await;
    let token = key.sign(key.header(), id_token_claims()).await;
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let mut claims = id_token_claims();
    claims["sub"] = "mallory".into();
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let http = FakeJwks::serving(vec![key.jwks()]);
    assert_eq!(verify(&http, &parts.join(".")).await, Err(AuthError::InvalidSignature));
}

#[wasm_bindgen_test]
async fn an_unknown_kid_refetches_the_jwks_once_then_is_refused() {
    let key = TestKey::generate(SigningAlgorithm::Rs256, "rotated").await;
    let old = TestKey::generate(SigningAlgorithm::Rs256, "old").await;
    let token = key.sign(key.header(), id_token_claims()).await;
    let http = FakeJwks::serving(vec![old.jwks()]);
    assert_eq!(
        verify(&http, &token).await,
        Err(AuthError::SigningKey(KeyError::UnknownKeyId("rotated".into())))
    );
    assert_eq!(http.fetches.get(), 2, "one fetch, one refetch, no more");
}

#[wasm_bindgen_test]
async fn a_rotated_key_is_found_by_the_refetch() {
    let key = TestKey::generate(SigningAlgorithm::Es256, "new").await;
    let old = TestKey::generate(SigningAlgorithm::Es256, "old").await;
    let token = key.sign(key.header(), id_token_claims()).await;
    let http = FakeJwks::serving(vec![old.jwks(), key.jwks()]);
    assert_eq!(verify(&http, &token).await, Ok("alice".into()));
    assert_eq!(http.fetches.get(), 2);
}

#[wasm_bindgen_test]
async fn claims_are_checked_after_the_signature() {
    let key = TestKey::generate(SigningAlgorithm::Rs256, "k1").await;
    let mut claims = id_token_claims();
    claims["nonce"] = "someone-elses".into();
    let token = key.sign(key.header(), claims).await;
    let http = FakeJwks::serving(vec![key.jwks()]);
    assert_eq!(verify(&http, &token).await, Err(AuthError::IdTokenClaims(IdTokenError::NonceMismatch)));
}

// ---------------------------------------------------------------- views

struct Mounted {
    root: web_sys::HtmlElement,
    /// Shows another state, as the session core would.
    auth: leptos_browser_oidc::Auth,
    /// Words the page; `set` changes its language.
    translator: Translator,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

/// Renders the app shell in `state` into a fresh element.
fn mount(state: AuthState) -> Mounted {
    mount_in(state, None)
}

/// The same, with the page worded by `messages` (English without).
fn mount_in(state: AuthState, messages: Option<Messages>) -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handles = std::rc::Rc::new(Cell::new(None));
    let handles_out = handles.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let translator = provide_messages(messages.unwrap_or_else(oidc_spa::ui::messages::english));
        handles_out.set(Some((provide_auth_showing(state), translator)));
        view! { <Shell /> }.into_any()
    });
    let (auth, translator) = handles.get().unwrap();
    Mounted { root, auth, translator, _handle: handle }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Tests share one document: the next one must not find this shell.
        self.root.remove();
    }
}

/// Lets effects run and the browser paint a frame (focus moves after it).
async fn settle() {
    leptos::task::tick().await;
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(frame).await.unwrap();
    leptos::task::tick().await;
}

fn focused() -> web_sys::Element {
    web_sys::window().unwrap().document().unwrap().active_element().unwrap()
}

fn by_test_id(mounted: &Mounted, test_id: &str) -> web_sys::Element {
    mounted.root.query_selector(&format!("[data-testid={test_id}]")).unwrap().unwrap()
}

fn button(mounted: &Mounted, label: &str) -> web_sys::HtmlElement {
    let buttons = mounted.root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .find(|b| b.text_content().as_deref() == Some(label))
        .unwrap()
        .unchecked_into()
}

fn text_of(mounted: &Mounted, test_id: &str) -> Option<String> {
    mounted
        .root
        .query_selector(&format!("[data-testid={test_id}]"))
        .unwrap()
        .and_then(|element| element.text_content())
}

fn has_button(mounted: &Mounted, label: &str) -> bool {
    let buttons = mounted.root.query_selector_all("button").unwrap();
    (0..buttons.length()).any(|i| buttons.item(i).and_then(|b| b.text_content()).as_deref() == Some(label))
}

#[wasm_bindgen_test]
async fn the_signed_out_view_offers_sign_in() {
    let mounted = mount(AuthState::SignedOut(Some(Notice::SignInCancelled)));
    leptos::task::tick().await;
    assert!(text_of(&mounted, "signed-out").is_some());
    assert_eq!(text_of(&mounted, "notice").as_deref(), Some("Sign-in was cancelled."));
    assert!(has_button(&mounted, "Sign in"));
    assert!(!has_button(&mounted, "Sign out"));
}

#[wasm_bindgen_test]
async fn the_signed_in_view_shows_the_person_and_the_actions() {
    let session = Session {
        access_token: AccessToken::new("AT-SECRET-VALUE"),
        refresh_token: None,
        id_token: IdToken::new("ID-SECRET-VALUE"),
        id_token_claims: browser_oidc::oauth::id_token::parse_claims(br#"{"sub":"alice"}"#).unwrap(),
        user: User {
            subject: "alice".into(),
            name: Some("Alice Liddell".into()),
            email: Some("alice@example.com".into()),
        },
        received_at_ms: js_sys::Date::now() as u64,
        access_token_expires_at_ms: Some(js_sys::Date::now() as u64 + 600_000),
        scope: Some("openid api:read".into()),
        dpop: false,
    };
    let mounted = mount(AuthState::SignedIn(Arc::new(session)));
    leptos::task::tick().await;
    assert_eq!(text_of(&mounted, "user-name").as_deref(), Some("Alice Liddell"));
    assert_eq!(text_of(&mounted, "user-email").as_deref(), Some("alice@example.com"));
    let expires = text_of(&mounted, "expires-in").unwrap();
    assert!(expires.starts_with("9 min") || expires.starts_with("10 min"), "{expires}");
    assert!(has_button(&mounted, "Call protected API"));
    assert!(has_button(&mounted, "Sign out"));
    let html = mounted.root.inner_html();
    assert!(!html.contains("SECRET-VALUE"), "no token is rendered");
}

#[wasm_bindgen_test]
async fn the_error_view_explains_in_plain_words() {
    let error = AuthError::from(browser_oidc::oauth::callback::CallbackError::StateMismatch);
    let mounted = mount(AuthState::Failed(error.clone()));
    leptos::task::tick().await;
    assert_eq!(text_of(&mounted, "error-message"), Some(error.to_string()));
}

#[wasm_bindgen_test]
async fn every_page_has_one_heading() {
    let error = AuthError::from(browser_oidc::oauth::callback::CallbackError::StateMismatch);
    for state in [
        AuthState::Loading(leptos_browser_oidc::Progress::RestoringSession),
        AuthState::SignedOut(None),
        AuthState::SignedIn(session_with_token("t")),
        AuthState::Failed(error),
    ] {
        let mounted = mount(state);
        settle().await;
        assert_eq!(
            mounted.root.query_selector_all("h1").unwrap().length(),
            1,
            "{}",
            mounted.root.inner_html()
        );
    }
}

#[wasm_bindgen_test]
async fn a_page_change_moves_focus_to_its_heading_and_a_refresh_does_not() {
    let mounted = mount(AuthState::SignedOut(None));
    settle().await;
    assert_ne!(focused().tag_name(), "H1", "the first page leaves focus where the browser put it");
    let sign_in = button(&mounted, "Sign in");
    sign_in.focus().unwrap();
    settle().await;
    assert!(focused().is_same_node(Some(&sign_in)), "the first page leaves focus alone");

    mounted.auth.show_for_tests(AuthState::SignedIn(session_with_token("first")));
    settle().await;
    assert_eq!(focused().tag_name(), "H1");
    assert!(focused().text_content().unwrap().starts_with("Hello"));

    let call_api = button(&mounted, "Call protected API");
    call_api.focus().unwrap();
    mounted.auth.show_for_tests(AuthState::SignedIn(session_with_token("refreshed")));
    settle().await;
    assert!(focused().is_same_node(Some(&call_api)), "a token refresh keeps focus where it was");

    mounted.auth.show_for_tests(AuthState::Failed(AuthError::SessionEnded));
    settle().await;
    assert_eq!(focused().text_content().as_deref(), Some("Something went wrong"));

    mounted.auth.show_for_tests(AuthState::SignedOut(Some(Notice::SignedOut)));
    settle().await;
    assert_eq!(focused().text_content().as_deref(), Some("Sign in with OpenID Connect"));
}

#[wasm_bindgen_test]
async fn messages_go_to_live_regions_that_were_there_before_them() {
    let mounted = mount(AuthState::SignedIn(session_with_token("t")));
    settle().await;
    let status = by_test_id(&mounted, "announced-status");
    let alert = by_test_id(&mounted, "announced-alert");
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(alert.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(status.text_content().as_deref(), Some(""));
    assert_eq!(alert.text_content().as_deref(), Some(""));

    mounted.auth.show_for_tests(AuthState::SignedOut(Some(Notice::SignedOutElsewhere)));
    settle().await;
    assert!(by_test_id(&mounted, "announced-status").is_same_node(Some(&status)), "the same region, kept");
    assert_eq!(status.text_content().as_deref(), Some("You signed out in another tab."));

    let error = AuthError::from(browser_oidc::oauth::callback::CallbackError::StateMismatch);
    mounted.auth.show_for_tests(AuthState::Failed(error.clone()));
    settle().await;
    assert!(by_test_id(&mounted, "announced-alert").is_same_node(Some(&alert)));
    assert_eq!(alert.text_content(), Some(error.to_string()));
    assert_eq!(status.text_content().as_deref(), Some(""), "one message at a time");
    // Only the live regions speak: no page makes a region of its own.
    assert_eq!(
        mounted.root.query_selector_all("[role=status], [role=alert], [aria-live]").unwrap().length(),
        2
    );
}

#[wasm_bindgen_test]
async fn a_page_rebuilt_in_place_keeps_focus_on_its_heading_and_says_its_progress() {
    use leptos_browser_oidc::Progress;
    let mounted = mount(AuthState::Loading(Progress::Starting));
    settle().await;
    let status = by_test_id(&mounted, "announced-status");
    // Focus on the spinner's heading: the next caption's heading takes it.
    let heading: web_sys::HtmlElement = mounted.root.query_selector("main h1").unwrap().unwrap().unchecked_into();
    heading.focus().unwrap();
    mounted.auth.show_for_tests(AuthState::Loading(Progress::CompletingSignIn));
    settle().await;
    assert_eq!(focused().text_content().as_deref(), Some("Signing you in…"));
    assert_eq!(status.text_content().as_deref(), Some(""), "the focused heading says it");

    // Focus elsewhere: it stays, and the caption is announced instead.
    focused().unchecked_into::<web_sys::HtmlElement>().blur().unwrap();
    mounted.auth.show_for_tests(AuthState::Loading(Progress::SigningOut));
    settle().await;
    assert_ne!(focused().tag_name(), "H1");
    assert_eq!(status.text_content().as_deref(), Some("Signing you out…"));

    // One error to another: focus on the old page's button goes to the new heading.
    mounted.auth.show_for_tests(AuthState::Failed(AuthError::SessionEnded));
    settle().await;
    button(&mounted, "Try again").focus().unwrap();
    mounted.auth.show_for_tests(AuthState::Failed(AuthError::NotSignedIn));
    settle().await;
    assert_eq!(focused().text_content().as_deref(), Some("Something went wrong"));
}

#[wasm_bindgen_test]
async fn a_renewal_problem_is_announced_once_without_its_timer() {
    use leptos_browser_oidc::RenewalProblem;
    let mounted = mount(AuthState::SignedIn(session_with_token("t")));
    settle().await;
    let problem = |retry_in_seconds| RenewalProblem::new(AuthError::SessionEnded, retry_in_seconds);
    mounted.auth.show_renewal_problem_for_tests(Some(problem(30)));
    settle().await;
    assert_eq!(text_of(&mounted, "renewal-problem"), Some(problem(30).to_string()), "shown with its timer");
    let alert = by_test_id(&mounted, "announced-alert");
    assert_eq!(alert.text_content(), Some(english(&problem(30).reason())));
    assert!(!alert.text_content().unwrap().contains("Retrying"), "no timer is read out");
    // The signed-in page's countdown and warning are not live regions.
    let live = "[role=status], [role=alert], [aria-live]";
    assert_eq!(mounted.root.query_selector_all(live).unwrap().length(), 2);

    // The next failed attempt updates the warning and is not announced again.
    let next = RenewalProblem::new(AuthError::NotSignedIn, 60);
    mounted.auth.show_renewal_problem_for_tests(Some(next.clone()));
    settle().await;
    assert_eq!(text_of(&mounted, "renewal-problem"), Some(next.to_string()));
    assert_eq!(alert.text_content(), Some(english(&problem(30).reason())), "still the first announcement");
}

fn english(text: &Text) -> String {
    oidc_spa::ui::messages::english().render(text, &leptos_browser_oidc::PluralCategory::english)
}

// ---------------------------------------------------------------- DPoP

#[wasm_bindgen_test]
async fn the_dpop_key_cannot_be_read_out_and_its_proofs_verify_with_the_key_they_carry() {
    use leptos_browser_oidc::internal::dpop::{DpopClient, DpopKey};
    use sha2::Digest as _;
    assert!(!DpopKey::generate().await.unwrap().is_extractable(), "the private key is not extractable");

    let client = DpopClient::default();
    let url = "http://127.0.0.1:3000/api/greeting?page=2";
    let proof = client.proof("GET", url, Some("the-access-token")).await.unwrap();
    let again = client.proof("POST", "http://127.0.0.1:9000/token", None).await.unwrap();
    let parts: Vec<&str> = proof.split('.').collect();
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!((header["typ"].as_str(), header["alg"].as_str()), (Some("dpop+jwt"), Some("ES256")));
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], "http://127.0.0.1:3000/api/greeting", "no query");
    let ath = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(b"the-access-token"));
    assert_eq!(claims["ath"], ath.as_str());
    // The same key for the page's life: one thumbprint for every proof.
    let again_header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(again.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(again_header["jwk"], header["jwk"]);
    assert_ne!(
        serde_json::from_slice::<serde_json::Value>(&URL_SAFE_NO_PAD.decode(again.split('.').nth(1).unwrap()).unwrap()).unwrap()["jti"],
        claims["jti"],
        "a fresh jti each time"
    );
    // The signature verifies with the public key in the header.
    let jwk: browser_oidc::oauth::jwks::Jwk = browser_oidc::json::parse(&header["jwk"].to_string()).unwrap();
    let signing_input = format!("{}.{}", parts[0], parts[1]);
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    assert!(verify_signature(SigningAlgorithm::Es256, &jwk, signing_input.as_bytes(), &signature).await.unwrap());
    let tampered = format!("{}.{}", parts[0], URL_SAFE_NO_PAD.encode(br#"{"htm":"POST"}"#));
    assert!(!verify_signature(SigningAlgorithm::Es256, &jwk, tampered.as_bytes(), &signature).await.unwrap());
}

/// The header `jwk` of a proof.
fn proof_key(proof: &str) -> serde_json::Value {
    let header = URL_SAFE_NO_PAD.decode(proof.split('.').next().unwrap()).unwrap();
    serde_json::from_slice::<serde_json::Value>(&header).unwrap()["jwk"].clone()
}

/// RFC 9449 §10: the key a code is bound to outlives the redirect to the
/// provider, once, still non-extractable; its thumbprint is the `dpop_jkt`.
#[wasm_bindgen_test]
async fn the_key_a_code_is_bound_to_survives_the_redirect_once() {
    use leptos_browser_oidc::internal::dpop::{CodeBinding, DpopClient};
    use sha2::Digest as _;
    let names = Names::new("key-store-test");
    let url = "http://127.0.0.1:9000/token";

    let leaving = DpopClient::default(); // the page that starts the sign-in
    let kept = leaving.keep_key(&names).await.expect("the key is kept");
    let key = proof_key(&leaving.proof("POST", url, None).await.unwrap());
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":{},"y":{}}}"#, key["x"], key["y"]);
    assert_eq!(kept.thumbprint, URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes())), "RFC 7638");
    drop(leaving);

    let callback = DpopClient::default(); // the callback page
    assert!(callback.take_key(&names, &kept.id).await, "taken back");
    // The same private key signs: its proof verifies with the public key kept.
    let proof = callback.proof("POST", url, None).await.unwrap();
    assert_eq!(proof_key(&proof), key);
    let jwk: browser_oidc::oauth::jwks::Jwk = browser_oidc::json::parse(&key.to_string()).unwrap();
    let (input, signature) = proof.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    assert!(verify_signature(SigningAlgorithm::Es256, &jwk, input.as_bytes(), &signature).await.unwrap());
    assert!(!DpopClient::default().take_key(&names, &kept.id).await, "only once: it was deleted as it was read");
    assert!(!callback.take_key(&names, "never-kept").await);

    // Kept and taken back, the private half is still not extractable.
    use leptos_browser_oidc::internal::{dpop::DpopKey, key_store};
    key_store::keep(&names.dpop_keys(), "direct", &DpopKey::generate().await.unwrap()).await.unwrap();
    let back = key_store::take(&names.dpop_keys(), "direct").await.unwrap().expect("kept");
    assert!(!back.is_extractable());
}

/// Whether IndexedDB has a database called `name` (`indexedDB.databases()`).
async fn database_exists(name: &str) -> bool {
    let factory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into()).unwrap();
    let list = js_sys::Reflect::get(&factory, &"databases".into()).unwrap();
    let listed = list.unchecked_into::<js_sys::Function>().call0(&factory).unwrap();
    let listed = wasm_bindgen_futures::JsFuture::from(listed.unchecked_into::<js_sys::Promise>()).await.unwrap();
    js_sys::Array::from(&listed).iter().any(|database| {
        js_sys::Reflect::get(&database, &"name".into()).ok().and_then(|name| name.as_string()).as_deref() == Some(name)
    })
}

/// The signed-out page makes the key and its database ahead, so that the
/// click only writes one entry; the sign-in then binds that same key.
#[wasm_bindgen_test]
async fn getting_ready_makes_the_database_and_the_key_the_sign_in_then_keeps() {
    use leptos_browser_oidc::internal::dpop::{CodeBinding, DpopClient};
    let names = Names::new("get-ready-test");
    assert!(!database_exists(&names.dpop_keys()).await, "nothing before");
    let client = DpopClient::default();
    client.get_ready(&names).await;
    assert!(database_exists(&names.dpop_keys()).await, "the database is made ahead");
    assert!(client.has_key(), "the key is made ahead");
    let made_ahead = client.thumbprint().await.unwrap();
    let kept = client.keep_key(&names).await.expect("the click keeps it");
    assert_eq!(kept.thumbprint, made_ahead, "the key made ahead is the one bound");
    assert!(DpopClient::default().take_key(&names, &kept.id).await, "and it is back at the callback");
    let deleting = web_sys::window().unwrap().indexed_db().unwrap().unwrap().delete_database(&names.dpop_keys()).unwrap();
    idb_result(&deleting).await;
}

/// IndexedDB that answers an open only after the 2 s limit (here: the open
/// waits behind a deletion that another connection holds up) must not leave
/// a database without its store, or a connection open that blocks every
/// later open: the key store works again once IndexedDB does.
#[wasm_bindgen_test]
async fn an_open_answered_too_late_leaves_the_key_store_working() {
    use leptos_browser_oidc::internal::{dpop::DpopKey, key_store};
    let database = Names::new("late-open-test").dpop_keys();
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    key_store::get_ready(&database).await.unwrap();
    let holding = factory.open_with_u32(&database, 1).unwrap();
    let held: web_sys::IdbDatabase = idb_result(&holding).await.unchecked_into();
    let deleting = factory.delete_database(&database).unwrap(); // waits for `held`
    assert!(key_store::get_ready(&database).await.is_err(), "given up after 2 s");
    held.close(); // the deletion goes on, then the open that gave up
    idb_result(&deleting).await;
    let key = DpopKey::generate().await.unwrap();
    key_store::keep(&database, "after", &key).await.expect("a key is kept again");
    assert!(key_store::take(&database, "after").await.unwrap().is_some());
    // No connection was left open: a deletion goes through, not blocked.
    let deleting = factory.delete_database(&database).unwrap();
    let outcome = js_sys::Promise::new(&mut |resolve, _| {
        let said = |word: &'static str| {
            let resolve = resolve.clone();
            wasm_bindgen::closure::Closure::once_into_js(move || resolve.call1(&JsValue::NULL, &word.into()))
        };
        deleting.set_onsuccess(Some(said("deleted").unchecked_ref()));
        deleting.set_onblocked(Some(said("blocked").unchecked_ref()));
    });
    let outcome = wasm_bindgen_futures::JsFuture::from(outcome).await.unwrap();
    assert_eq!(outcome.as_string().as_deref(), Some("deleted"), "a connection of the late open was left open");
}

/// The result of an IndexedDB request, once it has one.
async fn idb_result(request: &web_sys::IdbRequest) -> JsValue {
    let done = js_sys::Promise::new(&mut |resolve, _| request.set_onsuccess(Some(&resolve)));
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
    request.result().unwrap()
}

/// Sets `Date.now` to a fixed time until dropped, so a failing test leaves
/// the clock as it found it.
struct FixedNow {
    date: JsValue,
    real: JsValue,
}

impl FixedNow {
    fn new() -> Self {
        let date = js_sys::Reflect::get(&js_sys::global(), &"Date".into()).unwrap();
        let real = js_sys::Reflect::get(&date, &"now".into()).unwrap();
        Self { date, real }
    }

    fn at(&self, ms: f64) {
        let fixed = js_sys::Function::new_no_args(&format!("return {ms}"));
        js_sys::Reflect::set(&self.date, &"now".into(), &fixed).unwrap();
    }
}

impl Drop for FixedNow {
    fn drop(&mut self) {
        js_sys::Reflect::set(&self.date, &"now".into(), &self.real).unwrap();
    }
}

/// A sign-in that never came back leaves its key behind until the next
/// sign-in or callback an hour on; a key from the future (a clock set
/// back) may be another tab's, and stays.
#[wasm_bindgen_test]
async fn a_key_kept_for_a_sign_in_that_never_came_back_is_deleted_an_hour_on() {
    use leptos_browser_oidc::internal::{dpop::DpopKey, key_store};
    let database = Names::new("stale-key-test").dpop_keys();
    let start = js_sys::Date::now();
    let clock = FixedNow::new();
    let keep = |id: &'static str| {
        let database = database.clone();
        async move { key_store::keep(&database, id, &DpopKey::generate().await.unwrap()).await.unwrap() }
    };
    clock.at(start);
    keep("abandoned-1").await;
    clock.at(start + 3_000_000.0); // 50 minutes on: still kept
    keep("next").await;
    clock.at(start + 3_700_000.0); // over an hour after the first: a sign-in sweeps it
    keep("kept-late").await;
    clock.at(start);
    keep("abandoned-2").await;
    clock.at(start + 3_700_000.0); // a callback sweeps too
    assert!(key_store::take(&database, "never-kept").await.unwrap().is_none());
    clock.at(start - 600_000.0); // the clock set back ten minutes: the others look future, and stay
    keep("latest").await;
    drop(clock);
    for gone in ["abandoned-1", "abandoned-2"] {
        assert!(key_store::take(&database, gone).await.unwrap().is_none(), "{gone} is gone");
    }
    for kept in ["next", "kept-late"] {
        assert!(key_store::take(&database, kept).await.unwrap().is_some(), "{kept} stays");
    }
    assert!(key_store::take(&database, "latest").await.unwrap().is_some());
}

// ---------------------------------------------------------------- languages

/// The demo's French, as a browser that chooses it loads it.
fn french() -> Messages {
    let mut french = Messages::new("fr").with(oidc_spa::ui::messages::ENGLISH);
    french.set_json(include_str!("../public/messages/fr.json")).unwrap();
    french
}

fn html_lang() -> Option<String> {
    web_sys::window().unwrap().document().unwrap().document_element().unwrap().get_attribute("lang")
}

#[wasm_bindgen_test]
async fn a_second_language_words_every_page_and_sets_html_lang() {
    let error = AuthError::from(browser_oidc::oauth::callback::CallbackError::StateMismatch);
    let mounted = mount_in(AuthState::SignedOut(Some(Notice::SignedOut)), Some(french()));
    settle().await;
    assert_eq!(html_lang().as_deref(), Some("fr"));
    assert_eq!(text_of(&mounted, "notice").as_deref(), Some("Vous êtes déconnecté."));
    assert!(has_button(&mounted, "Se connecter"));
    let switch = by_test_id(&mounted, "language");
    assert_eq!((switch.text_content().as_deref(), switch.get_attribute("lang").as_deref()), (Some("English"), Some("en")));

    mounted.auth.show_for_tests(AuthState::SignedIn(session_with_token("t")));
    settle().await;
    let heading = mounted.root.query_selector("h1").unwrap().unwrap().text_content().unwrap();
    assert!(heading.starts_with("Bonjour, "), "{heading}");
    assert_eq!(text_of(&mounted, "expires-in").as_deref(), Some("inconnu (le fournisseur d’identité ne l’a pas indiqué)"));
    assert_eq!(text_of(&mounted, "user-email").as_deref(), Some("non partagé"));
    assert!(has_button(&mounted, "Appeler l’API protégée"));

    mounted.auth.show_for_tests(AuthState::Failed(error));
    settle().await;
    assert_eq!(
        text_of(&mounted, "error-message").as_deref(),
        Some("La connexion a échoué : la réponse de connexion n’appartient pas à la connexion lancée ici (state différent), elle a donc été refusée. Veuillez réessayer de vous connecter.")
    );
    assert_eq!(by_test_id(&mounted, "announced-alert").text_content(), text_of(&mounted, "error-message"));
    // English again for the tests after this one.
    mounted.translator.set(oidc_spa::ui::messages::english());
    assert_eq!(html_lang().as_deref(), Some("en"));
}

#[wasm_bindgen_test]
async fn plurals_follow_the_languages_own_rule_from_intl() {
    let mounted = mount_in(AuthState::SignedIn(session_with_token("t")), Some(french()));
    settle().await;
    let problem = leptos_browser_oidc::RenewalProblem::new(AuthError::SessionEnded, 0);
    mounted.auth.show_renewal_problem_for_tests(Some(problem));
    settle().await;
    // French counts 0 as one; English's rule would say "0 secondes".
    let warning = text_of(&mounted, "renewal-problem").unwrap();
    assert!(warning.ends_with("Nouvel essai dans 0 seconde."), "{warning}");
    mounted.translator.set(oidc_spa::ui::messages::english());
    settle().await;
    let warning = text_of(&mounted, "renewal-problem").unwrap();
    assert!(warning.ends_with("Retrying in 0 seconds."), "{warning}");
}

#[wasm_bindgen_test]
async fn changing_the_language_rewords_the_page_in_place_and_keeps_focus() {
    let mounted = mount_in(AuthState::SignedOut(None), Some(oidc_spa::ui::messages::english()));
    settle().await;
    let heading = mounted.root.query_selector("h1").unwrap().unwrap();
    let sign_in = button(&mounted, "Sign in");
    sign_in.focus().unwrap();
    let translator = mounted.translator;
    translator.set(french());
    settle().await;
    assert!(heading.is_connected(), "the page was not rebuilt");
    assert_eq!(heading.text_content().as_deref(), Some("Connexion avec OpenID Connect"));
    assert!(focused().is_same_node(Some(&sign_in)), "focus stays where it was");
    assert_eq!(html_lang().as_deref(), Some("fr"));
    translator.set(oidc_spa::ui::messages::english());
}

#[wasm_bindgen_test]
async fn a_language_tag_the_browser_rejects_keeps_english_plurals_and_no_error() {
    let mut odd = Messages::new("not a tag!").with(oidc_spa::ui::messages::ENGLISH);
    odd.set("unit.seconds#one", "{count} thing");
    odd.set("unit.seconds#other", "{count} things");
    let mounted = mount_in(AuthState::SignedOut(None), Some(odd));
    settle().await;
    let translator = mounted.translator;
    assert_eq!(translator.render(&Text::counted("unit.seconds", 1)), "1 thing");
    assert_eq!(translator.render(&Text::counted("unit.seconds", 0)), "0 things");
    assert!(has_button(&mounted, "Sign in"), "ids the table lacks read in English");
    translator.set(oidc_spa::ui::messages::english());
}

// ---------------------------------------------------------------- session hint and tabs

#[wasm_bindgen_test]
fn the_silent_attempt_time_is_kept_for_this_tab_only() {
    use leptos_browser_oidc::internal::session_hint;
    session_hint::silent_attempt_done(&names());
    assert_eq!(session_hint::last_silent_attempt(&names()), None);
    session_hint::record_silent_attempt(&names(), 1_800_000_000_123);
    assert_eq!(session_hint::last_silent_attempt(&names()), Some(1_800_000_000_123));
    let session = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    assert_eq!(
        session.get_item("oidc:demo-spa:silent-attempt-at").unwrap().as_deref(),
        Some("1800000000123")
    );
    session_hint::silent_attempt_done(&names());
    assert_eq!(session_hint::last_silent_attempt(&names()), None);
}

#[wasm_bindgen_test]
fn the_session_hint_holds_no_secret() {
    use leptos_browser_oidc::internal::session_hint;
    session_hint::remember(&names());
    assert!(session_hint::present(&names()));
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(local.length().unwrap(), 1);
    assert_eq!(local.get_item("oidc:demo-spa:had-session").unwrap().as_deref(), Some("true"));
    session_hint::forget(&names());
    assert!(!session_hint::present(&names()));
}

#[wasm_bindgen_test]
fn a_replaced_url_is_announced_to_routers_with_popstate() {
    use leptos_browser_oidc::internal::page;
    use wasm_bindgen::closure::Closure;
    let window = web_sys::window().unwrap();
    let before = window.location().href().unwrap();
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = seen.clone();
    let location = window.location();
    // What leptos_router does on popstate: read the location again.
    let listener = Closure::<dyn Fn()>::new(move || record.borrow_mut().push(location.pathname().unwrap()));
    window.add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref()).unwrap();
    page::replace_url("/orders/7?tab=2");
    window.remove_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref()).unwrap();
    assert_eq!(*seen.borrow(), ["/orders/7"], "one popstate, after the address bar changed");
    window.history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some(&before)).unwrap();
}

#[wasm_bindgen_test]
async fn a_sign_out_reaches_the_other_tabs() {
    use leptos_browser_oidc::internal::tabs;
    let heard = std::rc::Rc::new(Cell::new(0));
    let counter = heard.clone();
    tabs::listen_for_sign_out(&names(), move || counter.set(counter.get() + 1));
    tabs::announce_sign_out(&names());
    // BroadcastChannel delivers asynchronously.
    for _ in 0..50 {
        if heard.get() > 0 {
            break;
        }
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
                .unwrap();
        }))
        .await
        .unwrap();
    }
    assert_eq!(heard.get(), 1);
}

#[wasm_bindgen_test]
async fn gates_show_their_children_only_in_their_state() {
    use leptos_browser_oidc::{Authenticated, Unauthenticated};
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let _handle = leptos::mount::mount_to(root.clone(), || {
        provide_auth_showing(AuthState::SignedOut(None));
        view! {
            <Authenticated><p>"members only"</p></Authenticated>
            <Unauthenticated><p>"please sign in"</p></Unauthenticated>
        }
    });
    leptos::task::tick().await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("please sign in"), "{text}");
    assert!(!text.contains("members only"), "{text}");
}

fn session_with_token(token: &str) -> Arc<Session> {
    Arc::new(Session {
        access_token: AccessToken::new(token),
        refresh_token: None,
        id_token: IdToken::new("id"),
        id_token_claims: browser_oidc::oauth::id_token::parse_claims(br#"{"sub":"alice"}"#).unwrap(),
        user: User { subject: "alice".into(), name: None, email: None },
        received_at_ms: 0,
        access_token_expires_at_ms: None,
        scope: None,
        dpop: false,
    })
}

#[wasm_bindgen_test]
async fn gates_keep_their_children_across_a_refresh() {
    use leptos_browser_oidc::{Auth, Authenticated};
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let built = Arc::new(AtomicUsize::new(0));
    let counted = built.clone();
    let auth: std::rc::Rc<Cell<Option<Auth>>> = std::rc::Rc::default();
    let handle_out = auth.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        handle_out.set(Some(provide_auth_showing(AuthState::SignedIn(session_with_token("first")))));
        let counted = counted.clone();
        view! {
            <Authenticated>{
                let counted = counted.clone();
                move || {
                    counted.fetch_add(1, SeqCst);
                    view! { <input data-testid="typing" /> }
                }
            }</Authenticated>
        }
    });
    leptos::task::tick().await;
    assert_eq!(built.load(SeqCst), 1);
    let auth = auth.get().unwrap();
    // A refresh replaces the session: what the person was typing stays.
    auth.show_for_tests(AuthState::SignedIn(session_with_token("second")));
    leptos::task::tick().await;
    assert_eq!(built.load(SeqCst), 1, "a refresh does not rebuild the gated children");
    auth.show_for_tests(AuthState::SignedOut(None));
    leptos::task::tick().await;
    assert!(root.query_selector("[data-testid=typing]").unwrap().is_none());
    auth.show_for_tests(AuthState::SignedIn(session_with_token("third")));
    leptos::task::tick().await;
    assert_eq!(built.load(SeqCst), 2, "signing in again builds them anew");
}

// ---------------------------------------------------------------- endpoint URLs

/// The app's own URL check (no `url` crate in the wasm) reads every URL it
/// accepts as Chromium's WHATWG parser does, the one `fetch` uses.
#[wasm_bindgen_test]
fn endpoint_url_checks_agree_with_the_browsers_url_parser() {
    use browser_oidc::oauth::endpoint_url::parse_endpoint_url;
    let accepted = [
        "https://id.example.com",
        "https://ID.Example.com:8443/realms/x?a=b",
        "https://id.example.com:443/",
        "http://127.0.0.1:9000/auth",
        "http://localhost/x",
        "http://[::1]:9000/",
        "https://1.2.3.4/",
        "https://xn--bcher-kva.example/",
    ];
    for text in accepted {
        let ours = parse_endpoint_url(text).unwrap_or_else(|problem| panic!("{text}: {problem}"));
        let browser = web_sys::Url::new(text).unwrap();
        assert_eq!(browser.protocol(), format!("{}:", ours.scheme), "{text}");
        assert_eq!(browser.hostname(), ours.host, "{text}");
        let port =
            ours.port.filter(|p| Some(*p) != if ours.scheme == "https" { Some(443) } else { Some(80) });
        assert_eq!(browser.port(), port.map(|p| p.to_string()).unwrap_or_default(), "{text}");
        assert_eq!(
            (browser.username(), browser.password(), browser.hash()),
            (String::new(), String::new(), String::new())
        );
    }
    // What the check refuses because a prefix would mislead: the browser
    // reads another host than the text seems to name.
    for (text, host) in
        [("http://127.0.0.1:3000@evil.example", "evil.example"), ("https://127.1/", "127.0.0.1")]
    {
        assert!(parse_endpoint_url(text).is_err(), "{text}");
        assert_eq!(web_sys::Url::new(text).unwrap().hostname(), host, "{text}");
    }
}

/// The storage names of the app under test (client id `demo-spa`).
fn names() -> Names {
    Names::new("demo-spa")
}

fn sign_in_key() -> String {
    names().sign_in()
}

// ------------------------------------------------------------ safe moments

use leptos_browser_oidc::internal::activity::{self, Activity, PageWatch};

/// Waits `ms` on the browser's clock.
async fn wait_ms(ms: i32) {
    let done = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
}

/// A watcher whose reports land in the returned list.
fn watch_page(idle_after_ms: Option<u32>, page_changes: bool) -> (std::rc::Rc<RefCell<Vec<Activity>>>, PageWatch) {
    let reports = std::rc::Rc::new(RefCell::new(Vec::new()));
    let heard = reports.clone();
    let watch = activity::watch(idle_after_ms, page_changes, move |activity| heard.borrow_mut().push(activity));
    (reports, watch)
}

/// Elements added to the page (removed when dropped).
struct Added(web_sys::Element);

impl Added {
    fn new(html: &str) -> Self {
        let document = web_sys::window().unwrap().document().unwrap();
        let holder = document.create_element("div").unwrap();
        holder.set_inner_html(html);
        document.body().unwrap().append_child(&holder).unwrap();
        Self(holder)
    }

    fn first<T: JsCast>(&self, selector: &str) -> T {
        self.0.query_selector(selector).unwrap().unwrap().dyn_into().unwrap()
    }
}

impl Drop for Added {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// What a browser fires when the person changes a field (`input` or `change`).
fn person_changed(field: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    field.dispatch_event(&web_sys::Event::new_with_event_init_dict(kind, &init).unwrap()).unwrap();
}

fn press_a_key() {
    let key = web_sys::KeyboardEvent::new("keydown").unwrap();
    web_sys::window().unwrap().dispatch_event(&key).unwrap();
}

#[wasm_bindgen_test]
fn what_the_person_changed_is_unsaved_and_what_the_app_filled_in_is_not() {
    let (_, watch) = watch_page(None, false);
    assert!(!watch.has_unsaved_input(), "a page nobody changed");

    let form = Added::new(r#"<input id="kept" value="kept"><input id="bound"><input type="range">"#);
    let kept = form.first::<web_sys::HtmlInputElement>("#kept");
    let bound = form.first::<web_sys::HtmlInputElement>("#bound");
    kept.set_value("changed by the app");
    bound.set_value("filled in from the app's state"); // Leptos' prop:value
    assert!(!watch.has_unsaved_input(), "the app's own values, and a slider at its browser default");
    bound.set_value("filled in, then edited");
    person_changed(&bound, "input");
    assert!(watch.has_unsaved_input(), "typed by the person");
    bound.set_value("");
    kept.set_value("kept");
    assert!(!watch.has_unsaved_input(), "back as the page made it");
    drop(form);

    let boxes = Added::new(r#"<input type="checkbox" checked>"#);
    let checkbox = boxes.first::<web_sys::HtmlInputElement>("input");
    checkbox.set_checked(false);
    person_changed(&checkbox, "change");
    assert!(watch.has_unsaved_input(), "a box unticked");
    checkbox.set_checked(true);
    assert!(!watch.has_unsaved_input(), "ticked again");
    drop(boxes);

    let area = Added::new("<textarea>draft</textarea>");
    let text = area.first::<web_sys::HtmlTextAreaElement>("textarea");
    text.set_value("draft, edited");
    person_changed(&text, "input");
    assert!(watch.has_unsaved_input(), "a text area edited");
    drop(area);
    assert!(!watch.has_unsaved_input(), "a field no longer on the page loses nothing");

    let lists = Added::new(
        r#"<select id="plain"><option>one</option><option>two</option></select>
           <select id="placeholder"><option disabled>Pick one</option><option>two</option></select>"#,
    );
    assert!(!watch.has_unsaved_input(), "lists as the page made them, a disabled first option too");
    let plain = lists.first::<web_sys::HtmlSelectElement>("#plain");
    plain.set_selected_index(1);
    person_changed(&plain, "change");
    assert!(watch.has_unsaved_input(), "another option chosen");
    drop(lists);

    let host = Added::new("<div></div>");
    let shadow = host.first::<web_sys::HtmlElement>("div").attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    shadow.set_inner_html("<input>");
    let inner: web_sys::HtmlInputElement = shadow.query_selector("input").unwrap().unwrap().dyn_into().unwrap();
    inner.set_value("typed in a web component");
    person_changed(&inner, "input");
    assert!(watch.has_unsaved_input(), "a field inside a shadow root");
    drop(host);

    let editor = Added::new(r#"<div contenteditable="true">notes</div><button>elsewhere</button>"#);
    let notes = editor.first::<web_sys::HtmlElement>("div");
    assert!(!watch.has_unsaved_input(), "an editor nobody is in");
    notes.focus().unwrap();
    assert!(watch.has_unsaved_input(), "someone is in a rich-text editor with text");
    person_changed(&notes, "input");
    editor.first::<web_sys::HtmlElement>("button").focus().unwrap();
    assert!(watch.has_unsaved_input(), "an editor someone typed in, left with its text");
    notes.set_text_content(Some(" "));
    assert!(!watch.has_unsaved_input(), "emptied (a message sent)");
    notes.set_text_content(Some("more notes"));
    watch.moment_named();
    assert!(!watch.has_unsaved_input(), "the app said it is saved");
    drop(editor);

    let frame = Added::new("<iframe></iframe>");
    frame.first::<web_sys::HtmlElement>("iframe").focus().unwrap();
    assert!(watch.has_unsaved_input(), "typing in a frame is not seen from here");
    drop(frame);
    assert!(!watch.has_unsaved_input());
}

#[wasm_bindgen_test]
async fn a_router_page_change_or_the_apps_word_is_a_safe_moment_and_the_next_input_ends_it() {
    let window = web_sys::window().unwrap();
    let history = window.history().unwrap();
    let start = window.location().href().unwrap();
    let (reports, watch) = watch_page(None, true);
    let push = |url: &str| history.push_state_with_url(&JsValue::NULL, "", Some(url)).unwrap();

    push("/moment-one");
    wait_ms(30).await;
    assert_eq!(*reports.borrow(), [Activity::SafeMoment], "a push to another path");
    press_a_key();
    assert_eq!(*reports.borrow(), [Activity::SafeMoment, Activity::InUse], "in use again");
    press_a_key();
    assert_eq!(reports.borrow().len(), 2, "said once");

    push("/moment-one#details");
    history.replace_state_with_url(&JsValue::NULL, "", Some("/moment-one?q=typed")).unwrap();
    wait_ms(30).await;
    assert_eq!(reports.borrow().len(), 2, "a fragment or a replace is not another page");

    let draft = Added::new(r#"<input value="">"#);
    let field = draft.first::<web_sys::HtmlInputElement>("input");
    field.set_value("half a sentence");
    person_changed(&field, "input");
    push("/moment-two");
    wait_ms(30).await;
    assert_eq!(reports.borrow().len(), 2, "a page change that kept unsaved input is not safe");
    drop(draft);

    push("/moment-three");
    wait_ms(30).await;
    assert_eq!(reports.borrow().last(), Some(&Activity::SafeMoment), "nothing unsaved now");
    press_a_key();
    history.back().unwrap();
    wait_ms(100).await;
    assert_eq!(reports.borrow().len(), 5, "Back is a page change too: {:?}", reports.borrow());
    assert_eq!(reports.borrow().last(), Some(&Activity::SafeMoment));
    press_a_key();

    // The app's own word counts as it is, and input ends it too.
    watch.moment_named();
    assert_eq!(reports.borrow().last(), Some(&Activity::SafeMoment));
    press_a_key();
    assert_eq!(reports.borrow().last(), Some(&Activity::InUse), "{:?}", reports.borrow());

    // An app that turned page changes off hears none as a safe moment.
    let (quiet, _) = watch_page(None, false);
    push("/moment-four");
    wait_ms(30).await;
    assert!(quiet.borrow().is_empty(), "{:?}", quiet.borrow());
    history.replace_state_with_url(&JsValue::NULL, "", Some(&start)).unwrap();
}

#[wasm_bindgen_test]
async fn a_page_change_on_an_idle_page_means_someone_is_back() {
    let window = web_sys::window().unwrap();
    let start = window.location().href().unwrap();
    let (reports, _watch) = watch_page(Some(100), true);
    wait_ms(200).await;
    assert_eq!(*reports.borrow(), [Activity::Idle]);
    // Back or Forward in the toolbar fires no input event: the page change says it.
    window.history().unwrap().push_state_with_url(&JsValue::NULL, "", Some("/moment-five")).unwrap();
    wait_ms(30).await;
    assert_eq!(*reports.borrow(), [Activity::Idle, Activity::InUse, Activity::SafeMoment]);

    // Also where page changes are no safe moments.
    let (reports, _watch) = watch_page(Some(100), false);
    wait_ms(200).await;
    window.history().unwrap().push_state_with_url(&JsValue::NULL, "", Some("/moment-six")).unwrap();
    wait_ms(30).await;
    assert_eq!(*reports.borrow(), [Activity::Idle, Activity::InUse]);
    window.history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some(&start)).unwrap();
}

#[wasm_bindgen_test]
async fn a_page_nobody_uses_is_idle_unless_it_holds_unsaved_input() {
    let (reports, _watch) = watch_page(Some(200), true);
    wait_ms(120).await;
    assert!(reports.borrow().is_empty(), "not yet");
    press_a_key(); // counts from here
    wait_ms(120).await;
    assert!(reports.borrow().is_empty(), "input restarted the wait");
    wait_ms(150).await;
    assert_eq!(*reports.borrow(), [Activity::Idle]);
    wait_ms(250).await;
    assert_eq!(*reports.borrow(), [Activity::Idle], "said once");

    // Back from the back/forward cache: someone is there again.
    web_sys::window().unwrap().dispatch_event(&web_sys::Event::new("pageshow").unwrap()).unwrap();
    assert_eq!(*reports.borrow(), [Activity::Idle, Activity::InUse]);
    let draft = Added::new(r#"<textarea></textarea>"#);
    let text = draft.first::<web_sys::HtmlTextAreaElement>("textarea");
    text.set_value("unsent message");
    person_changed(&text, "input");
    wait_ms(450).await;
    assert_eq!(reports.borrow().len(), 2, "unsaved input: never idle");
    drop(draft);
    wait_ms(250).await;
    assert_eq!(reports.borrow().last(), Some(&Activity::Idle), "idle once nothing is unsaved");
}

// ------------------------------------------------------- the hidden frame

fn frames_on_page() -> u32 {
    web_sys::window().unwrap().document().unwrap().query_selector_all("iframe").unwrap().length()
}

fn page_origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

/// The frame hands back the query of the page it shows at `return_to`,
/// and is gone afterwards; the tab's history gains no entry.
#[wasm_bindgen_test]
async fn a_hidden_frame_hands_back_the_query_of_the_page_it_comes_back_to() {
    use leptos_browser_oidc::internal::frame::come_back;
    let history = web_sys::window().unwrap().history().unwrap().length().unwrap();
    let return_to = format!("{}/silent-callback.html", page_origin());
    let query = come_back(&format!("{return_to}?code=C-1&state=S-1"), &return_to, std::time::Duration::from_secs(10)).await;
    assert_eq!(query.as_deref(), Some("?code=C-1&state=S-1"));
    // Served without `.html`, as Cloudflare Pages does.
    let pretty = format!("{}/silent-callback?code=C-3&state=S-3", page_origin());
    let query = come_back(&pretty, &return_to, std::time::Duration::from_secs(10)).await;
    assert_eq!(query.as_deref(), Some("?code=C-3&state=S-3"));
    assert_eq!(frames_on_page(), 0, "the frame is removed");
    assert_eq!(web_sys::window().unwrap().history().unwrap().length().unwrap(), history, "no history entry");
}

/// A frame that shows another page of the app, or stays on another
/// origin's page (the provider's, or the browser's error page), gives
/// nothing once its time is up, and is removed all the same.
#[wasm_bindgen_test]
async fn a_hidden_frame_that_never_comes_back_gives_nothing_in_time() {
    use leptos_browser_oidc::internal::frame::come_back;
    let return_to = format!("{}/silent-callback.html", page_origin());
    let wait = std::time::Duration::from_millis(1_500);
    let elsewhere = come_back(&format!("{}/another-page?code=C-2&state=S-2", page_origin()), &return_to, wait).await;
    assert_eq!(elsewhere, None);
    let near_miss = come_back(&format!("{}/silent-callback.htm?code=C-2&state=S-2", page_origin()), &return_to, wait).await;
    assert_eq!(near_miss, None);
    // Port 9 (discard) has no server here: a network error page, another origin.
    let unreachable = come_back("http://127.0.0.1:9/authorize?prompt=none", &return_to, wait).await;
    assert_eq!(unreachable, None);
    assert_eq!(frames_on_page(), 0);
}
