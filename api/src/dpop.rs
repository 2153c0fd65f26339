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

/// The signature algorithms a proof may use: asymmetric only, so that a
/// proof can never be "signed" with a shared secret.
pub const PROOF_ALGORITHMS: [Algorithm; 5] =
    [Algorithm::ES256, Algorithm::ES384, Algorithm::PS256, Algorithm::RS256, Algorithm::EdDSA];

/// The same, as the `algs` of a `WWW-Authenticate: DPoP` challenge.
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
    /// A policy for the API at `origin`, with a replay cache of `capacity`
    /// proofs and, if `nonces`, server nonces that change every minute.
    pub fn new(mode: DpopMode, origin: &str, leeway: Duration, capacity: usize, nonces: bool) -> Self {
        Self {
            mode,
            origin: normalise_origin(origin).unwrap_or_default(),
            leeway,
            replay: ReplayCache::new(capacity),
            nonces: nonces.then(Nonces::new),
        }
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
        if !PROOF_ALGORITHMS.contains(&header.alg) {
            return Err(refuse("the DPoP proof's algorithm is not allowed"));
        }
        let jwk = header.jwk.as_ref().ok_or(refuse("the DPoP proof has no jwk"))?;
        if has_private_members(proof) {
            return Err(refuse("the DPoP proof's jwk holds a private key"));
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
        if thumbprint(jwk).as_deref() != Some(presented.bound_to) {
            return Err(Rejection::Dpop(DpopRefusal::InvalidToken("the access token is bound to another key")));
        }
        if let Some(nonces) = &self.nonces
            && !claims.nonce.as_deref().is_some_and(|nonce| nonces.is_valid(nonce, now))
        {
            return Err(Rejection::Dpop(DpopRefusal::UseNonce(nonces.current(now))));
        }
        if claims.jti.is_empty() || claims.jti.chars().count() > MAX_JTI_CHARS {
            return Err(refuse("the DPoP proof's jti is empty or too long"));
        }
        let expires_at = u64::try_from(claims.iat.saturating_add(lifetime)).unwrap_or(0);
        self.replay.remember(&claims.jti, expires_at, now)
    }

    /// A fresh nonce, when the API demands them: for `DPoP-Nonce` headers.
    pub fn current_nonce(&self, now: u64) -> Option<String> {
        self.nonces.as_ref().map(|nonces| nonces.current(now))
    }

    /// How many proofs the replay cache holds now.
    pub fn remembered_proofs(&self) -> usize {
        self.replay.len()
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

/// `scheme://host[:port]` in lower case, without a default port.
fn normalise_origin(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    Some(url.origin().ascii_serialization())
}

/// A proof's `htu` as compared (§4.3 step 9): origin normalised, path kept,
/// query and fragment dropped (RFC 9449 §4.2).
fn normalise_url(htu: &str) -> Option<String> {
    let url = url::Url::parse(htu).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
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
    /// A 128-bit digest of each `jti`, to the second it expires.
    expiry: HashMap<u128, u64>,
    /// The same, by expiry second, to drop the expired cheaply.
    by_expiry: BTreeMap<u64, Vec<u128>>,
}

impl ReplayCache {
    fn new(capacity: usize) -> Self {
        Self { capacity, state: Mutex::new(Seen::default()) }
    }

    fn remember(&self, jti: &str, expires_at: u64, now: u64) -> Result<(), Rejection> {
        let digest = digest::digest(&digest::SHA256, jti.as_bytes());
        let key = u128::from_be_bytes(digest.as_ref()[..16].try_into().unwrap_or_default());
        let mut seen = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.forget_expired(now);
        if seen.expiry.contains_key(&key) {
            return Err(Rejection::Dpop(DpopRefusal::InvalidProof("the DPoP proof was used before")));
        }
        if seen.expiry.len() >= self.capacity {
            return Err(Rejection::ReplayCacheFull);
        }
        seen.expiry.insert(key, expires_at);
        seen.by_expiry.entry(expires_at).or_default().push(key);
        Ok(())
    }

    fn len(&self) -> usize {
        self.state.lock().map_or(0, |seen| seen.expiry.len())
    }
}

impl Seen {
    fn forget_expired(&mut self, now: u64) {
        while let Some(entry) = self.by_expiry.first_entry() {
            if *entry.key() > now {
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
/// previous minute's are accepted, so a proof's useful life is at most two
/// minutes whatever its `iat` says.
struct Nonces {
    key: hmac::Key,
}

const NONCE_PERIOD_SECONDS: u64 = 60;

impl Nonces {
    fn new() -> Self {
        let rng = rand::SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng).unwrap_or_else(|_| {
            // No system randomness: nonces are then predictable, so the
            // secret comes from the clock and the process instead.
            let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
            hmac::Key::new(hmac::HMAC_SHA256, seed.as_bytes())
        });
        Self { key }
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
    use super::*;

    #[test]
    fn htu_is_compared_without_query_fragment_case_or_default_port() {
        assert_eq!(normalise_url("HTTP://127.0.0.1:3000/api/greeting?x=1#y").as_deref(), Some("http://127.0.0.1:3000/api/greeting"));
        assert_eq!(normalise_url("https://API.example.com:443/a").as_deref(), Some("https://api.example.com/a"));
        assert_eq!(normalise_url("ftp://example.com/a"), None);
        assert_eq!(normalise_url("not a url"), None);
    }

    #[test]
    fn the_replay_cache_refuses_a_seen_jti_forgets_it_when_expired_and_fails_closed_when_full() {
        let cache = ReplayCache::new(2);
        assert!(cache.remember("a", 100, 50).is_ok());
        assert!(matches!(cache.remember("a", 100, 60), Err(Rejection::Dpop(_))), "a replay");
        assert!(cache.remember("b", 100, 60).is_ok());
        assert!(matches!(cache.remember("c", 100, 60), Err(Rejection::ReplayCacheFull)), "full of live proofs");
        assert_eq!(cache.len(), 2);
        // Once expired, entries make room (and a jti may come back: its
        // proof's iat is too old by then to pass the age check anyway).
        assert!(cache.remember("c", 200, 100).is_ok());
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_nonce_lasts_its_minute_and_the_next_only() {
        let nonces = Nonces::new();
        let issued = nonces.current(6_000);
        assert!(nonces.is_valid(&issued, 6_000));
        assert!(nonces.is_valid(&issued, 6_059 + NONCE_PERIOD_SECONDS), "the next minute");
        assert!(!nonces.is_valid(&issued, 6_000 + 2 * NONCE_PERIOD_SECONDS), "two minutes on");
        assert!(!nonces.is_valid("made-up", 6_000));
        assert!(!Nonces::new().is_valid(&issued, 6_000), "another instance's secret");
    }
}
