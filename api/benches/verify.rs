//! One access-token validation against the bare RS256 signature check it
//! contains: how close the API's per-request work is to the crypto floor.
//! `cargo bench -p demo-api --bench verify` (scripts/bench.sh runs it).

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use demo_api::access_token::AccessTokenVerifier;
use demo_api::keys::KeyStore;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, encode};

const KEY: &[u8] = include_bytes!("../tests/fixtures/rsa-test-key.pem");
const JWKS: &str = include_str!("../tests/fixtures/jwks.json");

fn validation(c: &mut Criterion) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some("test-key-1".into());
    let claims = serde_json::json!({
        "iss": "http://127.0.0.1:9000", "aud": "http://127.0.0.1:3000", "sub": "alice",
        "client_id": "demo-spa", "scope": "api:read", "iat": now, "exp": now + 3600, "jti": "bench-1"
    });
    let token = encode(&header, &claims, &EncodingKey::from_rsa_pem(KEY).unwrap()).unwrap();
    let set: JwkSet = serde_json::from_str(JWKS).unwrap();
    let verifier = AccessTokenVerifier::new(
        "http://127.0.0.1:9000",
        "http://127.0.0.1:3000",
        Duration::from_secs(30),
        KeyStore::fixed(&set),
    );
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();

    c.bench_function("access token validation", |b| {
        b.iter(|| runtime.block_on(verifier.verify(black_box(&token))).unwrap())
    });

    let key = DecodingKey::from_jwk(&set.keys[0]).unwrap();
    let (message, signature) = token.rsplit_once('.').unwrap();
    c.bench_function("bare RS256 signature check", |b| {
        b.iter(|| {
            jsonwebtoken::crypto::verify(black_box(signature), message.as_bytes(), &key, Algorithm::RS256)
                .unwrap()
        })
    });
}

/// One DPoP proof check (ES256, RFC 9449 §4.3) with every step, the
/// replay cache included: each iteration gets a proof of its own, made
/// beforehand, as each request brings a fresh one.
fn dpop_proof(c: &mut Criterion) {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use demo_api::dpop::{DpopMode, DpopPolicy, Presented, thumbprint, token_hash};

    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(serde_json::json!({
        "kty": "EC", "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    }))
    .unwrap();
    let signing = EncodingKey::from_ec_der(pkcs8.as_ref());
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("dpop+jwt".into());
    header.jwk = Some(jwk.clone());
    let bound_to = thumbprint(&jwk).unwrap();
    let token = "an.access.token";
    let policy = DpopPolicy::new(DpopMode::Allowed, "http://127.0.0.1:3000", Duration::from_secs(30), 10_000_000, false).unwrap();
    // The floor: the ES256 signature check inside one proof.
    let sample = encode(&header, &serde_json::json!({"jti": "floor"}), &signing).unwrap();
    let (message, signature) = sample.rsplit_once('.').unwrap();
    let key = DecodingKey::from_jwk(&jwk).unwrap();
    c.bench_function("bare ES256 signature check", |b| {
        b.iter(|| jsonwebtoken::crypto::verify(black_box(signature), message.as_bytes(), &key, Algorithm::ES256).unwrap())
    });
    let mut next = 0u64;
    c.bench_function("DPoP proof check (ES256)", |b| {
        b.iter_batched(
            || {
                next += 1;
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
                let claims = serde_json::json!({
                    "jti": format!("bench-{next}"), "htm": "GET", "htu": "http://127.0.0.1:3000/api/greeting",
                    "iat": now, "ath": token_hash(token),
                });
                (encode(&header, &claims, &signing).unwrap(), now)
            },
            |(proof, now)| {
                let presented = Presented { proof: &proof, method: "GET", path: "/api/greeting", access_token: token, bound_to: &bound_to };
                policy.check(black_box(&presented), now).unwrap()
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3));
    targets = validation, dpop_proof
}
criterion_main!(benches);
