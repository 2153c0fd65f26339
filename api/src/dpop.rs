//! DPoP (RFC 9449): checking the proof that the caller holds the key an
//! access token is bound to, so that a token copied out of a browser is
//! useless elsewhere.
//!
//! Every check of §4.3 (and §7.1 for the access token) is here, in order:
//! the proof's shape and `typ`, an asymmetric algorithm, a public-only key
//! that verifies the signature, the method and URL it was made for, its
//! age, the token's hash (`ath`), the key's RFC 7638 thumbprint against the
//! token's `cnf.jkt`, the server nonce when one is demanded, and last a
//! replay cache, so that only proofs that passed every other check take
//! room in it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use aws_lc_rs::{constant_time, digest, hmac, rand};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

use crate::rejection::{DpopRefusal, Rejection};

/// The signature algorithms a proof may use, as the `algs` of a
/// `WWW-Authenticate: DPoP` challenge: asymmetric only, so that a proof can
/// never be "signed" with a shared secret. `key_fits_algorithm` enforces it.
pub const PROOF_ALGORITHM_NAMES: &str = "ES256 ES384 PS256 RS256 EdDSA";

/// How old a proof may be (its `iat`), and so how long its `jti` is kept.
pub const PROOF_LIFETIME: Duration = Duration::from_secs(60);

/// The longest `jti` accepted; they are random strings of a few dozen characters.
const MAX_JTI_CHARS: usize = 256;

/// Whether bearer tokens are still welcome (`DEMO_API_DPOP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpopMode {
    /// Every request carries a DPoP-bound token and its proof.
    Required,
    /// A DPoP-bound token needs its proof; an unbound token may come as Bearer.
    Allowed,
}

/// The API's DPoP rules: mode, where it is reached, the replay cache and
/// the server nonces.
pub struct DpopPolicy {
    pub mode: DpopMode,
    /// The API's origin as browsers call it (`http://127.0.0.1:3000`): a
    /// proof's `htu` must be this origin and the request's path.
    origin: String,
    /// Tolerance for a client clock ahead of ours.
    leeway: Duration,
    replay: ReplayCache,
    nonces: Option<Nonces>,
}

/// What a request offers for the check.
pub struct Presented<'a> {
    /// The `DPoP` header.
    pub proof: &'a str,
    /// The request's method, as sent (`GET`).
    pub method: &'a str,
    /// The request's path, without the query.
    pub path: &'a str,
    /// The access token from `Authorization: DPoP <token>`.
    pub access_token: &'a str,
    /// The token's `cnf.jkt`, the thumbprint of the key it is bound to.
    pub bound_to: &'a str,
}

#[derive(Deserialize)]
struct ProofClaims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    ath: Option<String>,
    nonce: Option<String>,
}

impl DpopPolicy {
    /// A policy for the API at `origin` (`scheme://host[:port]`), with a
    /// replay cache of `capacity` proofs and, if `nonces`, server nonces
    /// that change every minute.
    pub fn new(mode: DpopMode, origin: &str, leeway: Duration, capacity: usize, nonces: bool) -> Result<Self, String> {
        Ok(Self {
            mode,
            origin: normalise_origin(origin)
                .ok_or(format!("{origin} is not an origin (scheme://host[:port], no path) for DPoP proofs"))?,
            leeway,
            replay: ReplayCache::new(capacity),
            nonces: if nonces { Some(Nonces::new()?) } else { None },
        })
    }

    /// Checks a proof at `now` (seconds since the epoch).
    pub fn check(&self, presented: &Presented<'_>, now: u64) -> Result<(), Rejection> {
        let refuse = |why| Rejection::Dpop(DpopRefusal::InvalidProof(why));
        let proof = presented.proof;
        if proof.split('.').count() != 3 {
            return Err(refuse("the DPoP proof is not a signed JWT"));
        }
        let header = decode_header(proof).map_err(|_| refuse("the DPoP proof's header cannot be read"))?;
        if !header.typ.as_deref().is_some_and(|typ| typ.eq_ignore_ascii_case("dpop+jwt")) {
            return Err(refuse("the DPoP proof's typ is not dpop+jwt"));
        }
        let jwk = header.jwk.as_ref().ok_or(refuse("the DPoP proof has no jwk"))?;
        if has_private_members(proof) {
            return Err(refuse("the DPoP proof's jwk holds a private key"));
        }
        if !key_fits_algorithm(jwk, header.alg) {
            return Err(refuse("the DPoP proof's algorithm is not allowed, or its jwk does not fit it"));
        }
        // Cheap, and before the signature: a proof made with any other key
        // (or an oversized one) costs no signature check.
        if thumbprint(jwk).as_deref() != Some(presented.bound_to) {
            return Err(Rejection::Dpop(DpopRefusal::InvalidToken("the access token is bound to another key")));
        }
        if let Some(retry_after) = self.replay.full_for(now) {
            return Err(Rejection::ReplayCacheFull { retry_after });
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| refuse("the DPoP proof's jwk is not a usable public key"))?;
        let mut validation = Validation::new(header.alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        let claims = decode::<ProofClaims>(proof, &key, &validation)
            .map_err(|_| refuse("the DPoP proof's signature or claims are not valid"))?
            .claims;

        if claims.htm != presented.method {
            return Err(refuse("the DPoP proof was made for another method"));
        }
        if normalise_url(&claims.htu).as_deref() != Some(&format!("{}{}", self.origin, presented.path)) {
            return Err(refuse("the DPoP proof was made for another URL"));
        }
        let now_signed = i64::try_from(now).unwrap_or(i64::MAX);
        let lifetime = PROOF_LIFETIME.as_secs() as i64;
        if claims.iat < now_signed - lifetime || claims.iat > now_signed + self.leeway.as_secs() as i64 {
            return Err(refuse("the DPoP proof is too old or from the future (iat); check this device's clock"));
        }
        if claims.ath.as_deref() != Some(&token_hash(presented.access_token)) {
            return Err(refuse("the DPoP proof is not for this access token (ath)"));
        }
        if let Some(nonces) = &self.nonces
            && !claims.nonce.as_deref().is_some_and(|nonce| nonces.is_valid(nonce, now))
        {
            return Err(Rejection::Dpop(DpopRefusal::UseNonce(nonces.current(now))));
        }
        if claims.jti.is_empty() || claims.jti.chars().count() > MAX_JTI_CHARS {
            return Err(refuse("the DPoP proof's jti is empty or too long"));
        }
        // Kept one second past the last second the age check accepts it.
        let expires_at = u64::try_from(claims.iat.saturating_add(lifetime + 1)).unwrap_or(0);
        self.replay.remember(presented.bound_to, &claims.jti, expires_at, now)
    }

    /// A fresh nonce, when the API demands them: for `DPoP-Nonce` headers.
    pub fn current_nonce(&self, now: u64) -> Option<String> {
        self.nonces.as_ref().map(|nonces| nonces.current(now))
    }
}

/// `base64url(SHA-256(token))`: a proof's `ath` (§4.2).
pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

/// The RFC 7638 SHA-256 thumbprint of a public key, as in `cnf.jkt`.
pub fn thumbprint(jwk: &Jwk) -> Option<String> {
    jwk.thumbprint(ThumbprintHash::SHA256).ok()
}

/// Is `alg` one of [`PROOF_ALGORITHM_NAMES`], and the key of the kind it
/// needs (curve and coordinate sizes for EC and Ed25519)? Any other
/// algorithm (HS256, none, RS384…) fits no key. `jsonwebtoken` checks the
/// family only, so the same point could otherwise be written in several
/// shapes, each with its own thumbprint.
fn key_fits_algorithm(jwk: &Jwk, alg: Algorithm) -> bool {
    use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};
    let bytes = |value: &str| URL_SAFE_NO_PAD.decode(value).map_or(0, |bytes| bytes.len());
    match (&jwk.algorithm, alg) {
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == EllipticCurve::P256 && bytes(&ec.x) == 32 && bytes(&ec.y) == 32
        }
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => {
            ec.curve == EllipticCurve::P384 && bytes(&ec.x) == 48 && bytes(&ec.y) == 48
        }
        (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => {
            okp.curve == EllipticCurve::Ed25519 && bytes(&okp.x) == 32
        }
        // 2048 to 4096 bits, written without a leading zero byte.
        (AlgorithmParameters::RSA(rsa), Algorithm::RS256 | Algorithm::PS256) => {
            let modulus = URL_SAFE_NO_PAD.decode(&rsa.n).unwrap_or_default();
            (256..=512).contains(&modulus.len()) && modulus.first().is_some_and(|first| *first != 0)
        }
        _ => false,
    }
}

/// Does the proof's `jwk` carry a private or symmetric key member? The
/// parsed `Jwk` drops unknown members, so the header is read again as JSON.
fn has_private_members(proof: &str) -> bool {
    const PRIVATE: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
    let header = proof.split('.').next().and_then(|header| URL_SAFE_NO_PAD.decode(header).ok());
    let header: Option<serde_json::Value> = header.and_then(|bytes| serde_json::from_slice(&bytes).ok());
    match header.as_ref().and_then(|header| header.get("jwk")).and_then(|jwk| jwk.as_object()) {
        Some(jwk) => PRIVATE.iter().any(|member| jwk.contains_key(*member)),
        None => true,
    }
}

/// `scheme://host[:port]` in lower case, without a default port; `None`
/// for anything with a path, a query, a user or another scheme.
fn normalise_origin(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    plain.then(|| url.origin().ascii_serialization())
}

/// A proof's `htu` as compared (§4.3 step 9): origin normalised, path kept,
/// query and fragment dropped (RFC 9449 §4.2).
fn normalise_url(htu: &str) -> Option<String> {
    let url = url::Url::parse(htu).ok()?;
    if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some(format!("{}{}", url.origin().ascii_serialization(), url.path()))
}

/// The `jti`s of proofs seen while they could still be replayed. Bounded:
/// when full of live entries it refuses new proofs (fails closed) rather
/// than forget one that still guards against a replay.
struct ReplayCache {
    capacity: usize,
    state: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// A 64-bit digest of each key's `jti`, to the second it expires. A
    /// collision only refuses a proof; finding one for a given `jti` takes
    /// 2^64 tries.
    expiry: HashMap<u64, u64>,
    /// The same, by expiry second, to drop the expired cheaply.
    by_expiry: BTreeMap<u64, Vec<u64>>,
    /// The latest `now` seen: expiry follows it even if the clock steps
    /// back, or a slow request arrives with an older `now`.
    latest: u64,
}

impl ReplayCache {
    fn new(capacity: usize) -> Self {
        Self { capacity, state: Mutex::new(Seen::default()) }
    }

    /// Keeps the proof's `jti` (per key: two clients may pick the same)
    /// until `expires_at`, or refuses it as a replay, as too old for the
    /// cache to guard, or because the cache is full.
    fn remember(&self, jkt: &str, jti: &str, expires_at: u64, now: u64) -> Result<(), Rejection> {
        let mut context = digest::Context::new(&digest::SHA256);
        for part in [jkt.as_bytes(), b"\0", jti.as_bytes()] {
            context.update(part);
        }
        let key = u64::from_be_bytes(context.finish().as_ref()[..8].try_into().unwrap_or_default());
        let mut seen = self.lock();
        seen.forget_expired(now);
        if expires_at <= seen.latest {
            return Err(Rejection::Dpop(DpopRefusal::InvalidProof("the DPoP proof is too old")));
        }
        if seen.expiry.contains_key(&key) {
            return Err(Rejection::Dpop(DpopRefusal::InvalidProof("the DPoP proof was used before")));
        }
        if let Some(retry_after) = seen.full_for(self.capacity) {
            return Err(Rejection::ReplayCacheFull { retry_after });
        }
        seen.expiry.insert(key, expires_at);
        seen.by_expiry.entry(expires_at).or_default().push(key);
        Ok(())
    }

    /// When full of proofs still live at `now`, the seconds until one
    /// expires: refused before any signature check is spent.
    fn full_for(&self, now: u64) -> Option<u64> {
        let mut seen = self.lock();
        seen.forget_expired(now);
        seen.full_for(self.capacity)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Seen {
    fn full_for(&self, capacity: usize) -> Option<u64> {
        let earliest = self.by_expiry.keys().next().copied().unwrap_or(self.latest + 1);
        (self.expiry.len() >= capacity).then(|| earliest.saturating_sub(self.latest).max(1))
    }

    /// Drops what expired by the latest `now` seen.
    fn forget_expired(&mut self, now: u64) {
        self.latest = self.latest.max(now);
        while let Some(entry) = self.by_expiry.first_entry() {
            if *entry.key() > self.latest {
                break;
            }
            for key in entry.remove() {
                self.expiry.remove(&key);
            }
        }
    }
}

/// Server nonces (RFC 9449 §9) without shared state: an HMAC of the
/// current minute under a secret made at start-up. The current and the
/// previous minute's are accepted. They prove a proof was made after the
/// API said so, whatever the client's clock; the `iat` window still applies.
struct Nonces {
    key: hmac::Key,
}

const NONCE_PERIOD_SECONDS: u64 = 60;

impl Nonces {
    /// Fails without system randomness: predictable nonces are worse than none.
    fn new() -> Result<Self, String> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rand::SystemRandom::new())
            .map_err(|_| "no system randomness for the DPoP nonce secret".to_owned())?;
        Ok(Self { key })
    }

    fn for_period(&self, period: u64) -> String {
        URL_SAFE_NO_PAD.encode(&hmac::sign(&self.key, &period.to_be_bytes()).as_ref()[..16])
    }

    fn current(&self, now: u64) -> String {
        self.for_period(now / NONCE_PERIOD_SECONDS)
    }

    fn is_valid(&self, nonce: &str, now: u64) -> bool {
        let period = now / NONCE_PERIOD_SECONDS;
        [period, period.saturating_sub(1)].iter().any(|period| {
            constant_time::verify_slices_are_equal(self.for_period(*period).as_bytes(), nonce.as_bytes()).is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn htu_is_compared_without_query_fragment_case_or_default_port() {
        assert_eq!(normalise_url("HTTP://127.0.0.1:3000/api/greeting?x=1#y").as_deref(), Some("http://127.0.0.1:3000/api/greeting"));
        assert_eq!(normalise_url("https://API.example.com:443/a").as_deref(), Some("https://api.example.com/a"));
        assert_eq!(normalise_url("ftp://example.com/a"), None);
        assert_eq!(normalise_url("not a url"), None);
        assert_eq!(normalise_url("http://user@127.0.0.1:3000/api/greeting"), None);
        assert_eq!(normalise_origin("http://127.0.0.1:3000/").as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(normalise_origin("http://127.0.0.1:3000/api"), None);
        assert_eq!(normalise_origin("urn:example:api"), None);
    }

    #[test]
    fn the_replay_cache_refuses_a_seen_jti_forgets_it_when_expired_and_fails_closed_when_full() {
        let cache = ReplayCache::new(2);
        assert!(cache.remember("key", "a", 100, 50).is_ok());
        assert!(matches!(cache.remember("key", "a", 100, 60), Err(Rejection::Dpop(_))), "a replay");
        assert!(cache.remember("other key", "a", 100, 60).is_ok(), "another key's jti");
        let full = cache.remember("key", "c", 100, 60);
        assert_eq!(full, Err(Rejection::ReplayCacheFull { retry_after: 40 }), "full until the first expires");
        assert_eq!(cache.full_for(60), Some(40));
        assert_eq!(cache.len(), 2);
        // Once expired, entries make room.
        assert!(cache.remember("key", "c", 200, 100).is_ok());
        assert_eq!(cache.len(), 1);
        // A request that arrives with an older clock reading cannot slip
        // a proof past what the cache already let go.
        assert!(matches!(cache.remember("key", "a", 100, 90), Err(Rejection::Dpop(_))), "expired by the latest now");
    }

    #[test]
    fn a_nonce_lasts_its_minute_and_the_next_only() {
        let nonces = Nonces::new().unwrap();
        let issued = nonces.current(6_000);
        assert!(nonces.is_valid(&issued, 6_000));
        assert!(nonces.is_valid(&issued, 6_059 + NONCE_PERIOD_SECONDS), "the next minute");
        assert!(!nonces.is_valid(&issued, 6_000 + 2 * NONCE_PERIOD_SECONDS), "two minutes on");
        assert!(!nonces.is_valid("made-up", 6_000));
        assert!(!Nonces::new().unwrap().is_valid(&issued, 6_000), "another instance's secret");
    }

    /// A `jwk` from its JSON members.
    fn jwk_with(members: Value) -> Jwk {
        serde_json::from_value(members).unwrap()
    }

    /// `size` bytes in base64url, the first of them `first`.
    fn b64(size: usize, first: u8) -> String {
        let mut bytes = vec![0x5a; size];
        if let Some(byte) = bytes.first_mut() {
            *byte = first;
        }
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The same point could be written in other shapes, each with its own
    /// thumbprint: ES384 wants P-384 and two 48-byte coordinates, no less.
    #[test]
    fn es384_fits_only_a_p384_key_with_48_byte_coordinates() {
        let ec = |crv: &str, x: usize, y: usize| {
            jwk_with(json!({"kty": "EC", "crv": crv, "x": b64(x, 1), "y": b64(y, 1)}))
        };
        assert!(key_fits_algorithm(&ec("P-384", 48, 48), Algorithm::ES384));
        assert!(!key_fits_algorithm(&ec("P-256", 48, 48), Algorithm::ES384), "P-256 labelled for ES384");
        assert!(!key_fits_algorithm(&ec("P-521", 48, 48), Algorithm::ES384), "P-521");
        assert!(!key_fits_algorithm(&ec("P-384", 47, 48), Algorithm::ES384), "x one byte short");
        assert!(!key_fits_algorithm(&ec("P-384", 48, 49), Algorithm::ES384), "y one byte long");
        assert!(!key_fits_algorithm(&ec("P-384", 32, 32), Algorithm::ES384), "P-256 sizes");
        assert!(!key_fits_algorithm(&ec("P-384", 48, 48), Algorithm::ES256), "a P-384 key for ES256");
    }

    /// EdDSA means Ed25519 here: a 32-byte `x` on that curve and nothing else.
    #[test]
    fn eddsa_fits_only_an_ed25519_key_of_32_bytes() {
        let okp = |crv: &str, x: usize| jwk_with(json!({"kty": "OKP", "crv": crv, "x": b64(x, 1)}));
        assert!(key_fits_algorithm(&okp("Ed25519", 32), Algorithm::EdDSA));
        assert!(!key_fits_algorithm(&okp("Ed25519", 31), Algorithm::EdDSA), "x one byte short");
        assert!(!key_fits_algorithm(&okp("Ed25519", 57), Algorithm::EdDSA), "Ed448's size");
        assert!(!key_fits_algorithm(&okp("P-256", 32), Algorithm::EdDSA), "another curve");
        assert!(!key_fits_algorithm(&okp("Ed25519", 32), Algorithm::ES256), "an Ed25519 key for ES256");
    }

    /// RS256 and PS256 want a 2048- to 4096-bit modulus written without a
    /// leading zero byte, so that each key has one shape and one thumbprint.
    #[test]
    fn rs256_and_ps256_fit_only_a_2048_to_4096_bit_modulus_without_a_leading_zero() {
        let rsa = |bytes: usize, first: u8| jwk_with(json!({"kty": "RSA", "n": b64(bytes, first), "e": "AQAB"}));
        for alg in [Algorithm::RS256, Algorithm::PS256] {
            assert!(key_fits_algorithm(&rsa(256, 0xc1), alg), "2048 bits, {alg:?}");
            assert!(key_fits_algorithm(&rsa(512, 0x81), alg), "4096 bits, {alg:?}");
            assert!(!key_fits_algorithm(&rsa(128, 0xc1), alg), "1024 bits, {alg:?}");
            assert!(!key_fits_algorithm(&rsa(255, 0xc1), alg), "2040 bits, {alg:?}");
            assert!(!key_fits_algorithm(&rsa(513, 0xc1), alg), "4104 bits, {alg:?}");
            assert!(!key_fits_algorithm(&rsa(257, 0), alg), "2048 bits behind a zero byte, {alg:?}");
            assert!(!key_fits_algorithm(&rsa(256, 0), alg), "a leading zero byte, {alg:?}");
        }
        assert!(!key_fits_algorithm(&rsa(256, 0xc1), Algorithm::RS384), "RS384 is off the list");
    }

    /// Retry-After is the seconds until the earliest proof expires, and at
    /// least one; the cache counts from any `now`, time zero included (what
    /// the API reads from a clock set before 1970).
    #[test]
    fn a_full_cache_asks_for_a_retry_when_its_earliest_proof_expires_even_from_time_zero() {
        let cache = ReplayCache::new(1);
        assert_eq!(cache.full_for(0), None, "empty");
        assert!(cache.remember("key", "a", 61, 0).is_ok());
        assert_eq!(cache.full_for(0), Some(61));
        assert_eq!(cache.full_for(60), Some(1), "in its last second");
        assert_eq!(cache.full_for(61), None, "expired, so room again");
        let no_room = ReplayCache::new(0);
        assert_eq!(no_room.full_for(0), Some(1), "nothing to wait for: a second");
        assert_eq!(no_room.full_for(1_000), Some(1));
    }
}
