//! The API's token checks, driven through the real router with `oneshot`
//! (no socket) and tokens signed locally with test-only keys.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use demo_api::access_token::AccessTokenVerifier;
use demo_api::dpop::{DpopMode, DpopPolicy};
use demo_api::keys::KeyStore;
use demo_api::rejection::Rejection;
use demo_api::{AppState, app};
use http_body_util::BodyExt;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use tower::ServiceExt;

const ISSUER: &str = "http://127.0.0.1:9000";
const AUDIENCE: &str = "http://127.0.0.1:3000";
const APP_ORIGIN: &str = "http://127.0.0.1:8080";
const KID: &str = "test-key-1";
const TEST_KEY: &[u8] = include_bytes!("fixtures/rsa-test-key.pem");
const TEST_PUBLIC_KEY: &[u8] = include_bytes!("fixtures/rsa-test-key.pub.pem");
const OTHER_KEY: &[u8] = include_bytes!("fixtures/rsa-other-key.pem");
const EC_ATTACKER_KEY: &[u8] = include_bytes!("fixtures/ec-attacker-key.pem");
const JWKS: &str = include_str!("fixtures/jwks.json");

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "demo-spa",
        "scope": "api:read", "iat": now(), "exp": now() + 300, "jti": "j-1"
    })
}

fn header(alg: Algorithm) -> Header {
    let mut header = Header::new(alg);
    header.typ = Some("at+jwt".into());
    header.kid = Some(KID.into());
    header
}

fn sign(header: &Header, claims: &Value, key: &[u8]) -> String {
    encode(header, claims, &EncodingKey::from_rsa_pem(key).unwrap()).unwrap()
}

fn valid_token() -> String {
    sign(&header(Algorithm::RS256), &claims(), TEST_KEY)
}

fn with(key: &str, value: Value) -> Value {
    let mut claims = claims();
    claims[key] = value;
    claims
}

fn router_with(keys: KeyStore) -> axum::Router {
    let verifier = AccessTokenVerifier::new(ISSUER, AUDIENCE, Duration::from_secs(30), keys);
    let dpop = DpopPolicy::new(DpopMode::Allowed, AUDIENCE, Duration::from_secs(30), 1_000, false).unwrap();
    app(AppState::new(verifier, dpop), APP_ORIGIN)
}

fn router() -> axum::Router {
    router_with(KeyStore::fixed(&serde_json::from_str::<JwkSet>(JWKS).unwrap()))
}

fn fixed_keys() -> KeyStore {
    KeyStore::fixed(&serde_json::from_str::<JwkSet>(JWKS).unwrap())
}

/// A verifier that keeps up to `capacity` verified tokens.
fn caching_verifier(keys: KeyStore, capacity: usize) -> AccessTokenVerifier {
    AccessTokenVerifier::new(ISSUER, AUDIENCE, Duration::from_secs(30), keys)
        .with_token_cache(NonZeroUsize::new(capacity).unwrap())
}

/// A router whose verifier keeps verified tokens, and that verifier.
fn caching_router_and_verifier() -> (axum::Router, Arc<AccessTokenVerifier>) {
    let dpop = DpopPolicy::new(DpopMode::Allowed, AUDIENCE, Duration::from_secs(30), 1_000, false).unwrap();
    let state = AppState::new(caching_verifier(fixed_keys(), 16), dpop);
    let verifier = state.verifier.clone();
    (app(state, APP_ORIGIN), verifier)
}

fn caching_router() -> axum::Router {
    caching_router_and_verifier().0
}

async fn get_with(router: axum::Router, uri: &str, authorization: Option<String>) -> Response {
    let mut request = Request::get(uri);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    router.oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
}

/// The answer to `token`, which must be the same without the verified-token
/// cache and with it (on by default in the API).
async fn call(token: &str) -> Response {
    let uncached = get_with(router(), "/api/greeting", Some(format!("Bearer {token}"))).await;
    let cached = get_with(caching_router(), "/api/greeting", Some(format!("Bearer {token}"))).await;
    assert_eq!(uncached.status(), cached.status());
    assert_eq!(challenge(&uncached), challenge(&cached));
    cached
}

fn challenge(response: &Response) -> String {
    response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn body(response: Response) -> Value {
    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

/// 401 with `error="invalid_token"` in the challenge.
async fn assert_invalid_token(token: &str, why: &str) {
    let response = call(token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{why}");
    let challenge = challenge(&response);
    assert!(challenge.starts_with(r#"Bearer realm="demo-api", error="invalid_token""#), "{why}: {challenge}");
    assert_eq!(body(response).await["error"], "invalid_token", "{why}");
}

#[tokio::test]
async fn a_valid_token_is_greeted() {
    let response = call(&valid_token()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let reply = body(response).await;
    assert_eq!(reply["subject"], "alice");
    assert_eq!(reply["client_id"], "demo-spa");
    assert_eq!(reply["scopes"], json!(["api:read"]));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let token = sign(&header(Algorithm::RS256), &with("exp", json!(now() - 31)), TEST_KEY);
    assert_invalid_token(&token, "expired beyond the leeway").await;
    let response = call(&token).await;
    assert!(challenge(&response).contains("the access token has expired"));
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused() {
    assert_invalid_token(&sign(&header(Algorithm::RS256), &with("nbf", json!(now() + 120)), TEST_KEY), "nbf")
        .await;
    assert_invalid_token(&sign(&header(Algorithm::RS256), &with("iat", json!(now() + 120)), TEST_KEY), "iat")
        .await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    assert_invalid_token(
        &sign(&header(Algorithm::RS256), &with("aud", json!("http://other-api")), TEST_KEY),
        "aud",
    )
    .await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    assert_invalid_token(
        &sign(&header(Algorithm::RS256), &with("iss", json!("https://evil.example")), TEST_KEY),
        "iss",
    )
    .await;
}

#[tokio::test]
async fn a_token_with_a_bad_signature_is_refused() {
    // Signed by another key but claiming the provider's kid.
    assert_invalid_token(&sign(&header(Algorithm::RS256), &claims(), OTHER_KEY), "foreign key").await;
    // Or tampered with after signing.
    let token = valid_token();
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_payload = base64_url(&with("sub", json!("mallory")).to_string());
    parts[1] = &forged_payload;
    assert_invalid_token(&parts.join("."), "tampered payload").await;
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    let header = base64_url(&json!({"alg": "none", "typ": "at+jwt", "kid": KID}).to_string());
    let payload = base64_url(&claims().to_string());
    assert_invalid_token(&format!("{header}.{payload}."), "alg none").await;
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let mut header = header(Algorithm::HS256);
    header.kid = Some(KID.into());
    let token = encode(&header, &claims(), &EncodingKey::from_secret(TEST_PUBLIC_KEY).unwrap()).unwrap();
    assert_invalid_token(&token, "algorithm confusion").await;
}

#[tokio::test]
async fn a_key_of_the_wrong_type_never_verifies() {
    // ES256 claiming the provider's RSA key id: the key family must match the alg.
    let token =
        encode(&header(Algorithm::ES256), &claims(), &EncodingKey::from_ec_pem(EC_ATTACKER_KEY).unwrap())
            .unwrap();
    assert_invalid_token(&token, "ES256 with an RSA key").await;
}

#[tokio::test]
async fn a_token_of_the_wrong_type_is_refused() {
    let mut id_token_header = header(Algorithm::RS256);
    id_token_header.typ = Some("JWT".into());
    assert_invalid_token(&sign(&id_token_header, &claims(), TEST_KEY), "typ JWT").await;
    let mut no_typ = header(Algorithm::RS256);
    no_typ.typ = None;
    assert_invalid_token(&sign(&no_typ, &claims(), TEST_KEY), "no typ").await;
}

#[tokio::test]
async fn a_token_without_required_claims_is_refused() {
    for claim in ["client_id", "sub", "exp", "iss", "aud", "iat", "jti"] {
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove(claim);
        assert_invalid_token(&sign(&header(Algorithm::RS256), &claims, TEST_KEY), claim).await;
    }
}

#[tokio::test]
async fn a_token_with_an_unknown_kid_is_refused() {
    let mut header = header(Algorithm::RS256);
    header.kid = Some("someone-elses-key".into());
    assert_invalid_token(&sign(&header, &claims(), TEST_KEY), "unknown kid").await;
}

#[tokio::test]
async fn a_missing_scope_is_403_insufficient_scope() {
    let response =
        call(&sign(&header(Algorithm::RS256), &with("scope", json!("openid profile")), TEST_KEY)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenge(&response),
        r#"Bearer realm="demo-api", error="insufficient_scope", error_description="the access token lacks the scope api:read", scope="api:read""#
    );
    assert_eq!(body(response).await["error"], "insufficient_scope");
}

#[tokio::test]
async fn no_authorization_header_is_401_with_a_bare_challenge_for_each_scheme() {
    let response = get_with(router(), "/api/greeting", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), r#"Bearer realm="demo-api", DPoP algs="ES256 ES384 PS256 RS256 EdDSA""#);
}

#[tokio::test]
async fn another_scheme_is_401_with_a_bare_challenge() {
    let response = get_with(router(), "/api/greeting", Some("Basic YWxpY2U6d29uZGVybGFuZA==".into())).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), r#"Bearer realm="demo-api", DPoP algs="ES256 ES384 PS256 RS256 EdDSA""#);
}

#[tokio::test]
async fn a_token_in_the_query_string_is_rejected() {
    let uri = format!("/api/greeting?access_token={}", valid_token());
    let response = get_with(router(), &uri, None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(challenge(&response).contains(r#"error="invalid_request""#));
    // Even alongside a valid header: the token has leaked, so refuse.
    let response = get_with(router(), &uri, Some(format!("Bearer {}", valid_token()))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn malformed_authorization_is_400_invalid_request() {
    let response = get_with(router(), "/api/greeting", Some("Bearer ".into())).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let request = Request::get("/api/greeting")
        .header(header::AUTHORIZATION, format!("Bearer {}", valid_token()))
        .header(header::AUTHORIZATION, format!("Bearer {}", valid_token()))
        .body(Body::empty())
        .unwrap();
    let response = router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn garbage_tokens_are_invalid_not_errors() {
    for token in ["x", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30.", &"A".repeat(10_000)] {
        assert_invalid_token(token, token).await;
    }
}

#[tokio::test]
async fn cors_allows_only_the_apps_origin_and_exposes_the_challenge() {
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/greeting")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = router().oneshot(preflight(APP_ORIGIN)).await.unwrap();
    assert_eq!(allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP_ORIGIN);
    // Any other origin is told the one allowed origin, so the browser blocks it.
    let denied = router().oneshot(preflight("https://evil.example")).await.unwrap();
    assert_eq!(denied.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP_ORIGIN);

    let request =
        Request::get("/api/greeting").header(header::ORIGIN, APP_ORIGIN).body(Body::empty()).unwrap();
    let response = router().oneshot(request).await.unwrap();
    let exposed =
        response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("www-authenticate"), "{exposed}");
}

#[tokio::test]
async fn healthz_answers() {
    let response = get_with(router(), "/healthz", None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// A JWKS endpoint on 127.0.0.1 whose key set the test can swap, counting fetches.
struct FakeJwksEndpoint {
    url: String,
    jwks: Arc<std::sync::Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeJwksEndpoint {
    async fn start(initial: Value) -> Self {
        let jwks = Arc::new(std::sync::Mutex::new(initial));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (jwks.clone(), fetches.clone());
        let router = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let body = served.lock().unwrap().clone();
                async move { axum::Json(body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { url, jwks, fetches, server }
    }
}

impl Drop for FakeJwksEndpoint {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn published_keys() -> Value {
    serde_json::from_str(JWKS).unwrap()
}

#[tokio::test]
async fn a_rotated_signing_key_is_found_by_refetching_the_jwks() {
    // At start the provider publishes no key with our kid yet…
    let endpoint = FakeJwksEndpoint::start(json!({"keys": []})).await;
    let keys = KeyStore::remote(reqwest::Client::new(), endpoint.url.clone(), Duration::ZERO).await.unwrap();
    let router = router_with(keys);
    // …then rotates to the new key and signs with it.
    *endpoint.jwks.lock().unwrap() = published_keys();
    let response = get_with(router.clone(), "/api/greeting", Some(format!("Bearer {}", valid_token()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        endpoint.fetches.load(Ordering::SeqCst),
        2,
        "one fetch at start, one refetch on the unknown kid"
    );
    // A known kid needs no further fetch.
    get_with(router, "/api/greeting", Some(format!("Bearer {}", valid_token()))).await;
    assert_eq!(endpoint.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refetching_on_unknown_kids_is_rate_limited() {
    let endpoint = FakeJwksEndpoint::start(published_keys()).await;
    let keys = KeyStore::remote(reqwest::Client::new(), endpoint.url.clone(), Duration::from_secs(3600))
        .await
        .unwrap();
    let router = router_with(keys);
    let mut header = header(Algorithm::RS256);
    for i in 0..20 {
        header.kid = Some(format!("made-up-{i}"));
        let response = get_with(
            router.clone(),
            "/api/greeting",
            Some(format!("Bearer {}", sign(&header, &claims(), TEST_KEY))),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        endpoint.fetches.load(Ordering::SeqCst),
        1,
        "twenty made-up kids caused no refetch within the interval"
    );
}

fn base64_url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// The challenge's `error_description` says which check failed, without
/// the verified-token cache and with it (twice: a refused token is never
/// kept, so the second time is checked in full again).
async fn assert_refused_because(token: &str, reason: &str) {
    let cached = caching_router();
    for (router, label) in [(router(), "no cache"), (cached.clone(), "cache, first"), (cached, "cache, again")] {
        let response = get_with(router, "/api/greeting", Some(format!("Bearer {token}"))).await;
        let challenge = challenge(&response);
        assert!(challenge.contains(&format!(r#"error_description="{reason}""#)), "{label}: {reason}: {challenge}");
    }
}

#[tokio::test]
async fn each_refusal_says_which_check_failed() {
    let rs256 = header(Algorithm::RS256);
    let signed = |claims: &Value| sign(&rs256, claims, TEST_KEY);
    let without = |claim: &str| {
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove(claim);
        claims
    };
    let cases = [
        (signed(&with("exp", json!(now() - 120))), "the access token has expired"),
        (signed(&with("nbf", json!(now() + 120))), "the access token is not valid yet"),
        (signed(&with("iat", json!(now() + 120))), "the token claims to be issued in the future"),
        (signed(&with("iss", json!("http://evil.example"))), "the access token is from another issuer"),
        (signed(&with("aud", json!("http://other-api"))), "the access token is not meant for this API"),
        (signed(&without("aud")), "the access token lacks a required claim"),
        (signed(&without("jti")), "the access token lacks a required claim"),
        (signed(&without("client_id")), "the access token lacks a required claim"),
        (signed(&with("jti", json!(""))), "the access token lacks a required claim"),
        (sign(&rs256, &claims(), OTHER_KEY), "the access token's signature is not valid"),
    ];
    for (token, reason) in cases {
        assert_refused_because(&token, reason).await;
    }
}

#[tokio::test]
async fn a_token_issued_within_the_leeway_is_accepted() {
    // 30 s of leeway: issued 29 s "in the future" by a skewed provider clock.
    let response = call(&sign(&header(Algorithm::RS256), &with("iat", json!(now() + 29)), TEST_KEY)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_token_without_kid_is_verified_by_the_only_key() {
    let mut without_kid = header(Algorithm::RS256);
    without_kid.kid = None;
    let response = call(&sign(&without_kid, &claims(), TEST_KEY)).await;
    assert_eq!(response.status(), StatusCode::OK, "one published key: it is the one");
}

/// Waits for the start of the next second, so that a token made now and
/// checked a few milliseconds later is checked in the second it was made for.
async fn at_the_start_of_a_second() {
    let into_second = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    tokio::time::sleep(Duration::from_nanos(u64::from(1_000_000_000 - into_second))).await;
}

/// The leeway (30 s here) is tolerance both ways, to the second: a token
/// issued exactly 30 s ahead, or expired exactly 30 s ago, is accepted.
#[tokio::test]
async fn a_token_issued_or_expired_exactly_the_leeway_away_is_accepted() {
    at_the_start_of_a_second().await;
    let issued_ahead = sign(&header(Algorithm::RS256), &with("iat", json!(now() + 30)), TEST_KEY);
    let expired = sign(&header(Algorithm::RS256), &with("exp", json!(now() - 30)), TEST_KEY);
    for (token, why) in [(issued_ahead, "issued 30 s ahead"), (expired, "expired 30 s ago")] {
        let response = call(&token).await;
        assert_eq!(response.status(), StatusCode::OK, "{why}: {}", challenge(&response));
    }
}

/// A claim the API reads that is present but of the wrong type is a
/// malformed token, not a missing claim.
#[tokio::test]
async fn a_claim_of_the_wrong_type_is_malformed_rather_than_missing() {
    for (claim, value) in [("client_id", json!(42)), ("jti", json!(["j-1"])), ("iat", json!("yesterday"))] {
        let token = sign(&header(Algorithm::RS256), &with(claim, value), TEST_KEY);
        assert_refused_because(&token, "the access token is malformed").await;
    }
}

// ------------------------------------------------- the verified-token cache

#[tokio::test]
async fn a_cached_token_is_refused_once_it_expires() {
    let verifier = caching_verifier(fixed_keys(), 16);
    let issued = now();
    let token = sign(&header(Algorithm::RS256), &with("exp", json!(issued + 60)), TEST_KEY);
    assert!(verifier.verify_at(&token, issued).await.is_ok());
    assert_eq!(verifier.token_cache().unwrap().len(), 1, "kept once verified");
    assert!(!verifier.token_cache().unwrap().is_empty());
    // From the cache, up to the leeway (30 s) past exp, as a first check is…
    assert!(verifier.verify_at(&token, issued + 90).await.is_ok());
    // …and not a second later: exp is checked on every request.
    assert_eq!(
        verifier.verify_at(&token, issued + 91).await.unwrap_err(),
        Rejection::InvalidToken("the access token has expired")
    );
    assert!(verifier.token_cache().unwrap().is_empty(), "an expired token leaves the cache");
}

#[tokio::test]
async fn a_cached_token_still_needs_the_routes_scope_each_time() {
    let (router, verifier) = caching_router_and_verifier();
    let token = sign(&header(Algorithm::RS256), &with("scope", json!("profile")), TEST_KEY);
    for attempt in ["first", "cached"] {
        let response = get_with(router.clone(), "/api/greeting", Some(format!("Bearer {token}"))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{attempt}");
        assert_eq!(verifier.token_cache().unwrap().len(), 1, "{attempt}: the token is kept, its scope is not");
    }
}

/// A caching verifier that holds `valid_token()` (signed under test-key-1),
/// after which the provider publishes `rotated` and a token signed with
/// `new_key` under test-key-2 makes the API fetch the set again. The
/// endpoint is returned to keep serving.
async fn cached_then_rotated(rotated: Value, new_key: &[u8]) -> (AccessTokenVerifier, String, FakeJwksEndpoint) {
    let endpoint = FakeJwksEndpoint::start(published_keys()).await;
    let keys = KeyStore::remote(reqwest::Client::new(), endpoint.url.clone(), Duration::ZERO).await.unwrap();
    let verifier = caching_verifier(keys, 16);
    let token = valid_token();
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(verifier.token_cache().unwrap().len(), 1);
    *endpoint.jwks.lock().unwrap() = rotated;
    let mut new_header = header(Algorithm::RS256);
    new_header.kid = Some("test-key-2".into());
    assert!(verifier.verify(&sign(&new_header, &claims(), new_key)).await.is_ok());
    (verifier, token, endpoint)
}

#[tokio::test]
async fn a_cached_token_whose_key_was_replaced_under_the_same_kid_is_refused() {
    // Another key under test-key-1 (and under test-key-2).
    let other = serde_json::from_str(include_str!("fixtures/jwks-other-key.json")).unwrap();
    let (verifier, token, _endpoint) = cached_then_rotated(other, OTHER_KEY).await;
    // test-key-1 no longer verifies the cached token's signature.
    assert_eq!(
        verifier.verify(&token).await.unwrap_err(),
        Rejection::InvalidToken("the access token's signature is not valid")
    );
}

#[tokio::test]
async fn a_token_differing_in_any_byte_from_a_cached_one_is_verified_in_full() {
    let verifier = caching_verifier(fixed_keys(), 16);
    let token = valid_token();
    assert!(verifier.verify(&token).await.is_ok());
    // Another signature on the same header and claims.
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);
    assert_eq!(
        verifier.verify(&forged).await.unwrap_err(),
        Rejection::InvalidToken("the access token's signature is not valid")
    );
}

#[tokio::test]
async fn a_cached_token_whose_key_left_the_jwks_is_refused() {
    // The set now names the key test-key-2 only.
    let mut rotated = published_keys();
    rotated["keys"][0]["kid"] = json!("test-key-2");
    let (verifier, token, _endpoint) = cached_then_rotated(rotated, TEST_KEY).await;
    // The cached token's key is gone: it is refused, not served from the cache.
    assert_eq!(
        verifier.verify(&token).await.unwrap_err(),
        Rejection::InvalidToken("the token was signed with an unknown key")
    );
}

#[tokio::test]
async fn the_cache_holds_at_most_its_capacity() {
    let verifier = caching_verifier(fixed_keys(), 2);
    for jti in ["a", "b", "c"] {
        assert!(verifier.verify(&sign(&header(Algorithm::RS256), &with("jti", json!(jti)), TEST_KEY)).await.is_ok());
    }
    assert_eq!(verifier.token_cache().unwrap().len(), 2);
}
