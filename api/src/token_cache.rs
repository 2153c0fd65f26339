//! A bounded cache of verified access tokens, as Envoy's `jwt_authn` and
//! Kong offer: a token seen before skips its signature check, and only that.
//!
//! - Keyed by the SHA-256 of the whole token, so any other byte (another
//!   signature, claim or header) is another token, verified in full.
//! - Bounded: at most `capacity` entries, the least recently used out first.
//! - `exp` is checked on every request, against the clock of that request;
//!   scope and DPoP proofs are checked by the caller on every request too.
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
    claims: AccessClaims,
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
        if !key_still_used {
            entries.pop(&hash);
            return Cached::Unknown;
        }
        if now > entry.claims.exp.saturating_add(leeway_seconds) {
            entries.pop(&hash);
            return Cached::Expired;
        }
        Cached::Valid(entry.claims.clone())
    }

    /// Remembers a token that passed every check, with the key that verified it.
    pub fn insert(&self, token: &str, claims: &AccessClaims, kid: Option<&str>, key: Arc<DecodingKey>) {
        let entry = Entry { claims: claims.clone(), kid: kid.map(str::to_owned), key };
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
