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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3));
    targets = validation
}
criterion_main!(benches);
