//! A bounded cache of verified access tokens, as Envoy's `jwt_authn` and
//! Kong offer: a token seen before skips its signature check, and only that.
//!
//! - Keyed by the SHA-256 of the whole token, so any other byte (another
//!   signature, claim or header) is another token, verified in full.
//! - Bounded: at most `capacity` entries, the least recently used out first.
//! - `exp`, `nbf` and `iat` are checked on every request, against the clock
//!   of that request (which may have been set back); scope and DPoP proofs
//!   are checked by the caller on every request too.
//! - An entry holds the key that verified it: once the key set no longer
//!   gives that very key for the token's `kid` (it left the JWKS, or the set
//!   was fetched again), the entry is dropped and the token verified anew.
//! - Only verified tokens enter; a refused one is checked in full each time.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use aws_lc_rs::digest;
use jsonwebtoken::DecodingKey;
use lru::LruCache;

use crate::access_token::AccessClaims;

/// One verified token: its claims, and the key whose signature check it passed.
struct Entry {
    claims: Arc<AccessClaims>,
    kid: Option<String>,
    key: Arc<DecodingKey>,
}

/// What a look-up found.
pub enum Cached {
    /// Verified before, signed by a key still in use, not expired.
    Valid(AccessClaims),
    /// Verified before, but expired at `now`: refuse it.
    Expired,
    /// Not here (or dropped just now): verify it in full.
    Unknown,
}

pub struct VerifiedTokens {
    entries: Mutex<LruCache<[u8; 32], Entry>>,
}

impl VerifiedTokens {
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self { entries: Mutex::new(LruCache::new(capacity)) }
    }

    /// The token's entry, if its key is still `current_key(kid)` and it has
    /// not expired at `now` (give or take `leeway_seconds`).
    pub fn get(
        &self,
        token: &str,
        now: u64,
        leeway_seconds: u64,
        current_key: impl FnOnce(Option<&str>) -> Option<Arc<DecodingKey>>,
    ) -> Cached {
        let hash = hash(token);
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(entry) = entries.get(&hash) else { return Cached::Unknown };
        let key_still_used = current_key(entry.kid.as_deref()).is_some_and(|key| Arc::ptr_eq(&key, &entry.key));
        // Valid at first, not valid yet now: the clock was set back. A full
        // check says which claim it is.
        let not_before = entry.claims.nbf.unwrap_or(0).max(entry.claims.iat);
        if !key_still_used || now.saturating_add(leeway_seconds) < not_before {
            entries.pop(&hash);
            return Cached::Unknown;
        }
        if now > entry.claims.exp.saturating_add(leeway_seconds) {
            entries.pop(&hash);
            return Cached::Expired;
        }
        let claims = entry.claims.clone();
        drop(entries);
        Cached::Valid(AccessClaims::clone(&claims))
    }

    /// Remembers a token that passed every check, with the key that verified it.
    pub fn insert(&self, token: &str, claims: &AccessClaims, kid: Option<&str>, key: Arc<DecodingKey>) {
        let entry = Entry { claims: Arc::new(claims.clone()), kid: kid.map(str::to_owned), key };
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).put(hash(token), entry);
    }

    /// How many tokens it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn hash(token: &str) -> [u8; 32] {
    let digest = digest::digest(&digest::SHA256, token.as_bytes());
    let mut hash = [0; 32];
    hash.copy_from_slice(digest.as_ref());
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEEWAY: u64 = 30;

    fn claims(iat: u64, nbf: Option<u64>, exp: u64) -> AccessClaims {
        AccessClaims {
            iss: "https://op.example".into(),
            sub: "alice".into(),
            client_id: "spa".into(),
            exp,
            iat,
            nbf,
            scope: "api:read".into(),
            jti: "j".into(),
            cnf: None,
        }
    }

    /// A cache holding "t", verified by `key` under kid "k".
    fn holding(claims: &AccessClaims, key: &Arc<DecodingKey>) -> VerifiedTokens {
        let cache = VerifiedTokens::new(NonZeroUsize::new(4).unwrap());
        cache.insert("t", claims, Some("k"), key.clone());
        cache
    }

    fn look_up(cache: &VerifiedTokens, now: u64, key: &Arc<DecodingKey>) -> &'static str {
        match cache.get("t", now, LEEWAY, |kid| (kid == Some("k")).then(|| key.clone())) {
            Cached::Valid(_) => "valid",
            Cached::Expired => "expired",
            Cached::Unknown => "unknown",
        }
    }

    #[test]
    fn a_hit_is_valid_only_between_its_times_give_or_take_the_leeway() {
        let key = Arc::new(DecodingKey::from_secret(b"k").unwrap());
        let kept = claims(1_000, Some(1_100), 2_000);
        // From nbf (the later of nbf and iat) less the leeway…
        assert_eq!(look_up(&holding(&kept, &key), 1_070, &key), "valid");
        // …not a second before: the clock was set back; checked in full again.
        let cache = holding(&kept, &key);
        assert_eq!(look_up(&cache, 1_069, &key), "unknown");
        assert!(cache.is_empty(), "dropped, to be verified in full");
        // Without nbf, from iat less the leeway.
        assert_eq!(look_up(&holding(&claims(1_000, None, 2_000), &key), 969, &key), "unknown");
        assert_eq!(look_up(&holding(&claims(1_000, None, 2_000), &key), 970, &key), "valid");
        // Up to exp plus the leeway, and then refused and dropped.
        assert_eq!(look_up(&holding(&kept, &key), 2_030, &key), "valid");
        let cache = holding(&kept, &key);
        assert_eq!(look_up(&cache, 2_031, &key), "expired");
        assert!(cache.is_empty());
    }

    #[test]
    fn a_hit_counts_only_while_the_key_set_gives_the_very_key_that_verified_it() {
        let key = Arc::new(DecodingKey::from_secret(b"k").unwrap());
        let cache = holding(&claims(1_000, None, 2_000), &key);
        // The same bytes, but another key object: the set was fetched anew.
        let refetched = Arc::new(DecodingKey::from_secret(b"k").unwrap());
        assert_eq!(look_up(&cache, 1_500, &refetched), "unknown");
        assert!(cache.is_empty());
        let cache = holding(&claims(1_000, None, 2_000), &key);
        assert!(matches!(cache.get("t", 1_500, LEEWAY, |_| None), Cached::Unknown), "the kid left the set");
        assert!(matches!(cache.get("other", 1_500, LEEWAY, |_| Some(key.clone())), Cached::Unknown));
    }
}
