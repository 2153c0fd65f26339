//! DPoP at the API (RFC 9449 §4.3, §7.1): a bound token is accepted only
//! with a fresh proof made with its key, and each attack of the issue is
//! refused. Driven through the real router with `oneshot`; proofs are
//! signed with keys made here, tokens with the test-only provider key.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use demo_api::access_token::AccessTokenVerifier;
use demo_api::dpop::{DpopMode, DpopPolicy, Presented};
use demo_api::keys::KeyStore;
use demo_api::rejection::{DpopRefusal, Rejection};
use demo_api::{AppState, app};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const ISSUER: &str = "http://127.0.0.1:9000";
const AUDIENCE: &str = "http://127.0.0.1:3000";
const APP_ORIGIN: &str = "http://127.0.0.1:8080";
const GREETING: &str = "http://127.0.0.1:3000/api/greeting";
const PROVIDER_KEY: &[u8] = include_bytes!("fixtures/rsa-test-key.pem");
const JWKS: &str = include_str!("fixtures/jwks.json");

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A browser tab's key pair, as WebCrypto would make it (ES256).
struct TabKey {
    signing: EncodingKey,
    public: Value,
}

impl TabKey {
    fn new() -> Self {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref(); // 0x04 || x || y
        let public = json!({
            "kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        Self { signing: EncodingKey::from_ec_der(pkcs8.as_ref()), public }
    }

    /// RFC 7638, written out here rather than taken from the code under test.
    fn thumbprint(&self) -> String {
        let p = &self.public;
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":{},"y":{}}}"#, p["x"], p["y"]);
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    fn proof(&self, claims: Value) -> String {
        self.proof_with(self.header(), claims)
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(serde_json::from_value::<Jwk>(self.public.clone()).unwrap());
        header
    }

    fn proof_with(&self, header: Header, claims: Value) -> String {
        encode(&header, &claims, &self.signing).unwrap()
    }
}

fn ath(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// A proof's claims for a GET of the greeting with `token`.
fn proof_claims(token: &str) -> Value {
    json!({ "jti": uuid(), "htm": "GET", "htu": GREETING, "iat": now(), "ath": ath(token) })
}

fn uuid() -> String {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An access token from the provider, bound to `jkt` if given.
fn access_token(jkt: Option<&str>) -> String {
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "demo-spa",
        "scope": "api:read", "iat": now(), "exp": now() + 300, "jti": uuid()
    });
    if let Some(jkt) = jkt {
        claims["cnf"] = json!({ "jkt": jkt });
    }
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some("test-key-1".into());
    encode(&header, &claims, &EncodingKey::from_rsa_pem(PROVIDER_KEY).unwrap()).unwrap()
}

fn router(mode: DpopMode, capacity: usize, nonces: bool) -> axum::Router {
    let keys = KeyStore::fixed(&serde_json::from_str::<JwkSet>(JWKS).unwrap());
    let verifier = AccessTokenVerifier::new(ISSUER, AUDIENCE, Duration::from_secs(30), keys);
    let dpop = DpopPolicy::new(mode, AUDIENCE, Duration::from_secs(30), capacity, nonces).unwrap();
    app(AppState::new(verifier, dpop), APP_ORIGIN)
}

fn allowing() -> axum::Router {
    router(DpopMode::Allowed, 1_000, false)
}

async fn send(router: &axum::Router, authorization: &str, proofs: &[&str]) -> Response {
    let mut request = Request::get("/api/greeting").header(header::AUTHORIZATION, authorization);
    for proof in proofs {
        request = request.header("DPoP", *proof);
    }
    router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
}

fn challenge(response: &Response) -> String {
    let value = response.headers().get(header::WWW_AUTHENTICATE);
    value.map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// 401 with a DPoP challenge carrying `error`.
fn assert_refused(response: &Response, error: &str, why: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{why}");
    let challenge = challenge(response);
    assert!(challenge.starts_with(r#"DPoP algs="ES256 ES384 PS256 RS256 EdDSA""#), "{why}: {challenge}");
    assert!(challenge.contains(&format!(r#"error="{error}""#)), "{why}: {challenge}");
}

/// FAPI 2 client test module `happy-path-no-dpop-nonce`.
#[tokio::test]
async fn happy_path_no_dpop_nonce() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let response = send(&allowing(), &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// FAPI 2 client test module `rs-dpop-auth-scheme-case-insensitivity`.
#[tokio::test]
async fn rs_dpop_auth_scheme_case_insensitivity() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let router = allowing();
    for scheme in ["dpop", "DPOP", "dPoP"] {
        let response = send(&router, &format!("{scheme} {token}"), &[&key.proof(proof_claims(&token))]).await;
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn a_stolen_bound_token_replayed_as_bearer_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let response = send(&allowing(), &format!("Bearer {token}"), &[]).await;
    assert_refused(&response, "invalid_token", "a bound token as Bearer (RFC 9449 §7.1)");
    // Even with a proof alongside: the scheme says Bearer.
    let response = send(&allowing(), &format!("Bearer {token}"), &[&key.proof(proof_claims(&token))]).await;
    assert_refused(&response, "invalid_token", "a bound token as Bearer, with a proof");
}

#[tokio::test]
async fn a_bound_token_with_a_proof_signed_by_another_key_is_refused() {
    let (owner, thief) = (TabKey::new(), TabKey::new());
    let token = access_token(Some(&owner.thumbprint()));
    let response = send(&allowing(), &format!("DPoP {token}"), &[&thief.proof(proof_claims(&token))]).await;
    assert_refused(&response, "invalid_token", "the thief's own key");
}

#[tokio::test]
async fn a_replayed_proof_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let router = allowing();
    let proof = key.proof(proof_claims(&token));
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&proof]).await.status(), StatusCode::OK);
    let response = send(&router, &format!("DPoP {token}"), &[&proof]).await;
    assert_refused(&response, "invalid_dpop_proof", "the same proof twice");
}

#[tokio::test]
async fn a_proof_for_another_method_or_url_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let router = allowing();
    let mut cases = Vec::new();
    for (field, value) in [
        ("htm", "POST"),
        ("htm", "get"),
        ("htu", "http://127.0.0.1:3000/api/other"),
        ("htu", "http://127.0.0.1:3001/api/greeting"),
        ("htu", "https://127.0.0.1:3000/api/greeting"),
        ("htu", "http://evil.example/api/greeting"),
    ] {
        let mut claims = proof_claims(&token);
        claims[field] = json!(value);
        cases.push((format!("{field}={value}"), claims));
    }
    for (why, claims) in cases {
        assert_refused(&send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await, "invalid_dpop_proof", &why);
    }
    // Normalised: case of scheme and host, a default port, query and fragment do not matter.
    let mut claims = proof_claims(&token);
    claims["htu"] = json!("HTTP://127.0.0.1:3000/api/greeting?page=2#top");
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stale_or_future_iat_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let router = allowing();
    for (iat, why) in [(now() - 61, "older than a minute"), (now() + 31, "beyond the leeway ahead")] {
        let mut claims = proof_claims(&token);
        claims["iat"] = json!(iat);
        assert_refused(&send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await, "invalid_dpop_proof", why);
    }
    for (iat, why) in [(now() - 50, "fifty seconds old"), (now() + 20, "a clock twenty seconds ahead")] {
        let mut claims = proof_claims(&token);
        claims["iat"] = json!(iat);
        assert_eq!(send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await.status(), StatusCode::OK, "{why}");
    }
}

#[tokio::test]
async fn a_proof_without_ath_or_with_a_wrong_one_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let other = access_token(Some(&key.thumbprint()));
    let router = allowing();
    let mut without = proof_claims(&token);
    without.as_object_mut().unwrap().remove("ath");
    let mut wrong = proof_claims(&token);
    wrong["ath"] = json!(ath(&other));
    for (claims, why) in [(without, "no ath"), (wrong, "another token's ath")] {
        assert_refused(&send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await, "invalid_dpop_proof", why);
    }
}

#[tokio::test]
async fn a_malformed_or_unsafe_proof_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let router = allowing();
    let authorization = format!("DPoP {token}");

    let mut wrong_typ = key.header();
    wrong_typ.typ = Some("JWT".into());
    let mut no_jwk = key.header();
    no_jwk.jwk = None;
    // The private key in the header: a client that leaks it must not be trusted.
    let mut private = key.header();
    let mut with_d = key.public.clone();
    with_d["d"] = json!(URL_SAFE_NO_PAD.encode([7u8; 32]));
    private.jwk = Some(serde_json::from_value(with_d).unwrap());
    for (header, why) in [(wrong_typ, "typ JWT"), (no_jwk, "no jwk"), (private, "a private key in jwk")] {
        let proof = key.proof_with(header, proof_claims(&token));
        let proof = if why == "a private key in jwk" { with_private_member(&proof, &key) } else { proof };
        assert_refused(&send(&router, &authorization, &[&proof]).await, "invalid_dpop_proof", why);
    }
    // A symmetric "signature", with the token itself as the secret.
    let mut hs = Header::new(Algorithm::HS256);
    hs.typ = Some("dpop+jwt".into());
    hs.jwk = key.header().jwk;
    let forged = encode(&hs, &proof_claims(&token), &EncodingKey::from_secret(token.as_bytes()).unwrap()).unwrap();
    assert_refused(&send(&router, &authorization, &[&forged]).await, "invalid_dpop_proof", "HS256");
    // alg none, and not a JWT at all.
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"typ": "dpop+jwt", "alg": "none", "jwk": key.public}).to_string()),
        URL_SAFE_NO_PAD.encode(proof_claims(&token).to_string())
    );
    assert_refused(&send(&router, &authorization, &[&unsigned]).await, "invalid_dpop_proof", "alg none");
    assert_refused(&send(&router, &authorization, &["not-a-jwt"]).await, "invalid_dpop_proof", "garbage");
    // No proof, and two proofs.
    assert_refused(&send(&router, &authorization, &[]).await, "invalid_dpop_proof", "no DPoP header");
    let (first, second) = (key.proof(proof_claims(&token)), key.proof(proof_claims(&token)));
    let response = send(&router, &authorization, &[&first, &second]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "two DPoP headers");
}

/// `jsonwebtoken` drops unknown `jwk` members when it signs, so the header
/// with a `d` is written out and signed again by hand.
fn with_private_member(proof: &str, key: &TabKey) -> String {
    let claims = proof.split('.').nth(1).unwrap();
    let mut jwk = key.public.clone();
    jwk["d"] = json!(URL_SAFE_NO_PAD.encode([7u8; 32]));
    let header = URL_SAFE_NO_PAD.encode(json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}).to_string());
    let signing_input = format!("{header}.{claims}");
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key.signing, Algorithm::ES256).unwrap();
    format!("{signing_input}.{signature}")
}

#[tokio::test]
async fn an_unbound_token_with_the_dpop_scheme_is_refused() {
    let key = TabKey::new();
    let token = access_token(None);
    let response = send(&allowing(), &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await;
    assert_refused(&response, "invalid_token", "a Bearer token dressed as DPoP");
}

#[tokio::test]
async fn when_dpop_is_required_bearer_is_refused_and_only_dpop_is_offered() {
    let router = router(DpopMode::Required, 1_000, false);
    let response = send(&router, &format!("Bearer {}", access_token(None)), &[]).await;
    assert_refused(&response, "invalid_token", "an unbound Bearer token");
    let response = router.clone().oneshot(Request::get("/api/greeting").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), r#"DPoP algs="ES256 ES384 PS256 RS256 EdDSA""#);
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_demanded_nonce_is_given_and_then_accepted() {
    let router = router(DpopMode::Allowed, 1_000, true);
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let response = send(&router, &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await;
    assert_refused(&response, "use_dpop_nonce", "no nonce");
    let nonce = response.headers().get("DPoP-Nonce").expect("a nonce to use").to_str().unwrap().to_owned();
    let mut claims = proof_claims(&token);
    claims["nonce"] = json!(nonce);
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await.status(), StatusCode::OK);
    let mut claims = proof_claims(&token);
    claims["nonce"] = json!("made-up");
    assert_refused(&send(&router, &format!("DPoP {token}"), &[&key.proof(claims)]).await, "use_dpop_nonce", "a made-up nonce");
}

#[tokio::test]
async fn a_full_replay_cache_refuses_rather_than_forgets() {
    let router = router(DpopMode::Allowed, 1, false);
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await.status(), StatusCode::OK);
    let response = send(&router, &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry_after: u64 = response.headers().get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((59..=61).contains(&retry_after), "when the first proof expires: {retry_after}");
    // Busy is not a refusal of the credentials: no challenge to act on.
    assert_eq!(challenge(&response), "", "no WWW-Authenticate on a 503");
}

#[tokio::test]
async fn browsers_may_send_a_proof_and_read_the_nonce() {
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/api/greeting")
        .header(header::ORIGIN, APP_ORIGIN)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,dpop")
        .body(Body::empty())
        .unwrap();
    let response = allowing().oneshot(preflight).await.unwrap();
    let allowed = response.headers().get(header::ACCESS_CONTROL_ALLOW_HEADERS).unwrap().to_str().unwrap();
    assert!(allowed.contains("dpop"), "{allowed}");
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let request = Request::get("/api/greeting")
        .header(header::ORIGIN, APP_ORIGIN)
        .header(header::AUTHORIZATION, format!("DPoP {token}"))
        .header("DPoP", key.proof(proof_claims(&token)))
        .body(Body::empty())
        .unwrap();
    let response = allowing().oneshot(request).await.unwrap();
    let exposed = response.headers().get(header::ACCESS_CONTROL_EXPOSE_HEADERS).unwrap().to_str().unwrap();
    assert!(exposed.contains("dpop-nonce") && exposed.contains("www-authenticate"), "{exposed}");
}

#[test]
fn a_proof_replayed_in_the_last_second_of_its_minute_is_refused() {
    let policy = DpopPolicy::new(DpopMode::Allowed, AUDIENCE, Duration::from_secs(30), 1_000, false).unwrap();
    let key = TabKey::new();
    let token = "a.bound.token";
    let issued = now();
    let proof = key.proof(json!({ "jti": uuid(), "htm": "GET", "htu": GREETING, "iat": issued, "ath": ath(token) }));
    let thumbprint = key.thumbprint();
    let presented =
        Presented { proof: &proof, method: "GET", path: "/api/greeting", access_token: token, bound_to: &thumbprint };
    assert!(policy.check(&presented, issued as u64).is_ok());
    // Sixty seconds on, the age check still lets it through: the cache must not have let it go.
    assert!(policy.check(&presented, issued as u64 + 60).is_err(), "replayed at the edge of its minute");
    assert!(policy.check(&presented, issued as u64 + 61).is_err(), "and too old after it");
}

#[tokio::test]
async fn a_proof_algorithm_off_the_list_or_a_key_of_the_wrong_shape_is_refused() {
    let key = TabKey::new();
    let token = access_token(Some(&key.thumbprint()));
    let router = allowing();
    // The provider's own RSA key, with PS384: asymmetric, but not on the list.
    let rsa = &serde_json::from_str::<Value>(JWKS).unwrap()["keys"][0];
    let mut header = Header::new(Algorithm::PS384);
    header.typ = Some("dpop+jwt".into());
    header.jwk = Some(serde_json::from_value(json!({"kty": "RSA", "n": rsa["n"], "e": rsa["e"]})).unwrap());
    let proof = encode(&header, &proof_claims(&token), &EncodingKey::from_rsa_pem(PROVIDER_KEY).unwrap()).unwrap();
    assert_refused(&send(&router, &format!("DPoP {token}"), &[&proof]).await, "invalid_dpop_proof", "PS384");
    // The same P-256 point labelled P-384.
    let mut mislabelled = key.header();
    let mut jwk = key.public.clone();
    jwk["crv"] = json!("P-384");
    mislabelled.jwk = Some(serde_json::from_value(jwk).unwrap());
    let proof = key.proof_with(mislabelled, proof_claims(&token));
    assert_refused(&send(&router, &format!("DPoP {token}"), &[&proof]).await, "invalid_dpop_proof", "crv P-384 with ES256");
}

#[tokio::test]
async fn a_token_bound_any_other_way_is_never_a_bearer_token() {
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "demo-spa",
        "scope": "api:read", "iat": now(), "exp": now() + 300, "jti": uuid(),
        "cnf": { "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" }
    });
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some("test-key-1".into());
    let token = encode(&header, &claims, &EncodingKey::from_rsa_pem(PROVIDER_KEY).unwrap()).unwrap();
    assert_refused(&send(&allowing(), &format!("Bearer {token}"), &[]).await, "invalid_token", "an mTLS-bound token");
    claims["cnf"] = json!({});
    let token = encode(&header, &claims, &EncodingKey::from_rsa_pem(PROVIDER_KEY).unwrap()).unwrap();
    assert_refused(&send(&allowing(), &format!("Bearer {token}"), &[]).await, "invalid_token", "an empty cnf");
}

#[tokio::test]
async fn every_answer_carries_the_next_nonce_when_nonces_are_demanded() {
    let router = router(DpopMode::Allowed, 1_000, true);
    let response = send(&router, &format!("Bearer {}", access_token(None)), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("DPoP-Nonce"), "a 200 gives the nonce too (§8.2)");
    let response = send(&allowing(), &format!("Bearer {}", access_token(None)), &[]).await;
    assert!(!response.headers().contains_key("DPoP-Nonce"), "no nonce when none is demanded");
}

/// A DPoP policy as the API builds it (30 s of leeway, nonces off), checked at chosen seconds.
fn policy() -> DpopPolicy {
    DpopPolicy::new(DpopMode::Allowed, AUDIENCE, Duration::from_secs(30), 1_000, false).unwrap()
}

/// A proof made with `key` for a GET of the greeting with `token`, its `iat` and `jti` as given.
fn proof_at(key: &TabKey, token: &str, iat: i64, jti: &str) -> String {
    key.proof(json!({ "jti": jti, "htm": "GET", "htu": GREETING, "iat": iat, "ath": ath(token) }))
}

fn presented<'a>(proof: &'a str, token: &'a str, thumbprint: &'a str) -> Presented<'a> {
    Presented { proof, method: "GET", path: "/api/greeting", access_token: token, bound_to: thumbprint }
}

const IAT_REFUSAL: Rejection = Rejection::Dpop(DpopRefusal::InvalidProof(
    "the DPoP proof is too old or from the future (iat); check this device's clock",
));

/// PROOF_LIFETIME is a minute: a proof exactly 60 s old is still good (the
/// replay cache keeps it one second longer), at 61 s the age check says so.
#[test]
fn a_proof_exactly_a_minute_old_is_accepted_and_one_a_second_older_is_refused_for_its_iat() {
    let (policy, key, token) = (policy(), TabKey::new(), "a.bound.token");
    let thumbprint = key.thumbprint();
    let issued = 1_800_000_000;
    let proof = proof_at(&key, token, issued, &uuid());
    assert_eq!(policy.check(&presented(&proof, token, &thumbprint), issued as u64 + 60), Ok(()), "60 s old");
    let proof = proof_at(&key, token, issued, &uuid());
    let refused = policy.check(&presented(&proof, token, &thumbprint), issued as u64 + 61);
    assert_eq!(refused, Err(IAT_REFUSAL), "61 s old");
}

/// A client clock may be ahead by the leeway (30 s here), not a second more.
#[test]
fn a_proof_exactly_the_leeway_ahead_is_accepted_and_one_second_further_is_refused() {
    let (policy, key, token) = (policy(), TabKey::new(), "a.bound.token");
    let thumbprint = key.thumbprint();
    let now = 1_800_000_000;
    let proof = proof_at(&key, token, now + 30, &uuid());
    assert_eq!(policy.check(&presented(&proof, token, &thumbprint), now as u64), Ok(()), "30 s ahead");
    let proof = proof_at(&key, token, now + 31, &uuid());
    assert_eq!(policy.check(&presented(&proof, token, &thumbprint), now as u64), Err(IAT_REFUSAL), "31 s ahead");
}

/// A `jti` is a random string of a few dozen characters: an empty one
/// guards nothing, and more than MAX_JTI_CHARS (256) characters is refused.
#[test]
fn a_jti_is_refused_when_empty_or_longer_than_256_characters() {
    let (policy, key, token) = (policy(), TabKey::new(), "a.bound.token");
    let thumbprint = key.thumbprint();
    let now = 1_800_000_000;
    let refusal = Rejection::Dpop(DpopRefusal::InvalidProof("the DPoP proof's jti is empty or too long"));
    for (jti, why) in [(String::new(), "empty"), ("j".repeat(257), "257 characters")] {
        let proof = proof_at(&key, token, now, &jti);
        assert_eq!(policy.check(&presented(&proof, token, &thumbprint), now as u64), Err(refusal.clone()), "{why}");
    }
    // Counted in characters, not bytes: 256 two-byte characters are fine.
    let fine = [("j".repeat(256), "256 characters"), ("é".repeat(256), "256 two-byte characters"), ("j".into(), "one")];
    for (jti, why) in fine {
        let proof = proof_at(&key, token, now, &jti);
        assert_eq!(policy.check(&presented(&proof, token, &thumbprint), now as u64), Ok(()), "{why}");
    }
}

/// A proof key of any algorithm on the `algs` list but ES256, with its
/// RFC 7638 thumbprint written out here.
struct OtherKey {
    alg: Algorithm,
    signing: EncodingKey,
    public: Value,
    thumbprint: String,
}

impl OtherKey {
    fn new(alg: Algorithm, signing: EncodingKey, public: Value, canonical: String) -> Self {
        let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Self { alg, signing, public, thumbprint }
    }

    fn es384() -> Self {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &SystemRandom::new()).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref(); // 0x04 || x || y, 48 bytes each
        let (x, y) = (URL_SAFE_NO_PAD.encode(&point[1..49]), URL_SAFE_NO_PAD.encode(&point[49..97]));
        let canonical = format!(r#"{{"crv":"P-384","kty":"EC","x":"{x}","y":"{y}"}}"#);
        Self::new(
            Algorithm::ES384,
            EncodingKey::from_ec_der(pkcs8.as_ref()),
            json!({"kty": "EC", "crv": "P-384", "x": x, "y": y}),
            canonical,
        )
    }

    fn ed25519() -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        Self::new(
            Algorithm::EdDSA,
            EncodingKey::from_ed_der(pkcs8.as_ref()),
            json!({"kty": "OKP", "crv": "Ed25519", "x": x}),
            canonical,
        )
    }

    /// The test provider's 2048-bit RSA key, as a client's proof key.
    fn rsa(alg: Algorithm) -> Self {
        let rsa = &serde_json::from_str::<Value>(JWKS).unwrap()["keys"][0];
        let (n, e) = (rsa["n"].as_str().unwrap(), rsa["e"].as_str().unwrap());
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let public = json!({"kty": "RSA", "n": n, "e": e});
        Self::new(alg, EncodingKey::from_rsa_pem(PROVIDER_KEY).unwrap(), public, canonical)
    }

    fn proof(&self, claims: Value) -> String {
        let mut header = Header::new(self.alg);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(serde_json::from_value::<Jwk>(self.public.clone()).unwrap());
        encode(&header, &claims, &self.signing).unwrap()
    }
}

/// Every algorithm the challenge's `algs` names is accepted, each with a
/// key of the right kind: ES384 (P-384), EdDSA (Ed25519), RS256 and PS256.
#[tokio::test]
async fn proofs_made_with_es384_eddsa_rs256_or_ps256_keys_are_accepted() {
    let router = allowing();
    let keys = [OtherKey::es384(), OtherKey::ed25519(), OtherKey::rsa(Algorithm::RS256), OtherKey::rsa(Algorithm::PS256)];
    for key in keys {
        let token = access_token(Some(&key.thumbprint));
        let response = send(&router, &format!("DPoP {token}"), &[&key.proof(proof_claims(&token))]).await;
        assert_eq!(response.status(), StatusCode::OK, "{:?}: {}", key.alg, challenge(&response));
    }
}

/// The verified-token cache skips only a token's signature check: a bound
/// token seen before still needs a proof of its own key, every time.
#[tokio::test]
async fn a_cached_bound_token_still_needs_a_fresh_proof_of_its_key_each_time() {
    let keys = KeyStore::fixed(&serde_json::from_str::<JwkSet>(JWKS).unwrap());
    let verifier = AccessTokenVerifier::new(ISSUER, AUDIENCE, Duration::from_secs(30), keys)
        .with_token_cache(std::num::NonZeroUsize::new(16).unwrap());
    let dpop = DpopPolicy::new(DpopMode::Allowed, AUDIENCE, Duration::from_secs(30), 1_000, false).unwrap();
    let state = AppState::new(verifier, dpop);
    let verifier = state.verifier.clone();
    let router = app(state, APP_ORIGIN);
    let (owner, thief) = (TabKey::new(), TabKey::new());
    let token = access_token(Some(&owner.thumbprint()));
    let proof = owner.proof(proof_claims(&token));
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&proof]).await.status(), StatusCode::OK);
    assert_eq!(verifier.token_cache().unwrap().len(), 1);
    // Now cached: without a proof, with the same proof, with the thief's,
    // or as Bearer, it is refused as the first time.
    assert_refused(&send(&router, &format!("DPoP {token}"), &[]).await, "invalid_dpop_proof", "no proof");
    assert_refused(&send(&router, &format!("DPoP {token}"), &[&proof]).await, "invalid_dpop_proof", "a replay");
    let thiefs = thief.proof(proof_claims(&token));
    assert_refused(&send(&router, &format!("DPoP {token}"), &[&thiefs]).await, "invalid_token", "another key");
    assert_refused(&send(&router, &format!("Bearer {token}"), &[]).await, "invalid_token", "as Bearer");
    let fresh = owner.proof(proof_claims(&token));
    assert_eq!(send(&router, &format!("DPoP {token}"), &[&fresh]).await.status(), StatusCode::OK);
}
