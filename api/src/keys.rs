//! The provider's signing keys, fetched from its `jwks_uri` and cached.
//! An unknown `kid` means the provider rotated its keys: the set is
//! refetched, at most once per `min_refetch_interval`, so a flood of tokens
//! with made-up `kid`s cannot turn the API into a flood of JWKS requests.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;

/// How often, at most, an unknown `kid` may trigger a refetch.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum KeyFetchError {
    #[error("could not fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("the key set at {url} is not a valid JWKS: {reason}")]
    Invalid { url: String, reason: String },
}

struct Remote {
    client: reqwest::Client,
    jwks_uri: String,
    min_refetch_interval: Duration,
    /// Held across a refetch, so concurrent misses cause one request.
    last_fetch: tokio::sync::Mutex<Instant>,
}

pub struct KeyStore {
    keys: RwLock<Arc<Keys>>,
    remote: Option<Remote>,
}

/// Keys by `kid`, plus the key to use for a token without `kid` when the
/// set holds exactly one key.
#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Arc<DecodingKey>>,
    only: Option<Arc<DecodingKey>>,
}

impl KeyStore {
    /// A fixed key set (tests, or a provider whose keys never change).
    pub fn fixed(set: &JwkSet) -> Self {
        Self { keys: RwLock::new(Arc::new(Keys::from_set(set))), remote: None }
    }

    /// Fetches the set now, and again when an unknown `kid` shows up.
    pub async fn remote(
        client: reqwest::Client,
        jwks_uri: String,
        min_refetch_interval: Duration,
    ) -> Result<Self, KeyFetchError> {
        let set = fetch(&client, &jwks_uri).await?;
        Ok(Self {
            keys: RwLock::new(Arc::new(Keys::from_set(&set))),
            remote: Some(Remote {
                client,
                jwks_uri,
                min_refetch_interval,
                last_fetch: tokio::sync::Mutex::new(Instant::now()),
            }),
        })
    }

    fn current(&self) -> Arc<Keys> {
        self.keys.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The key for `kid` in the set held now, without fetching.
    pub fn current_key(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        self.current().find(kid)
    }

    /// The key for a token's `kid` (or the only key, for a token without one).
    pub async fn key_for(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        if let Some(key) = self.current().find(kid) {
            return Some(key);
        }
        let remote = self.remote.as_ref()?;
        let kid = kid?; // no kid and several keys: refetching cannot help
        let mut last_fetch = remote.last_fetch.lock().await;
        // Another request may have refetched while we waited for the lock.
        if let Some(key) = self.current().find(Some(kid)) {
            return Some(key);
        }
        if last_fetch.elapsed() < remote.min_refetch_interval {
            return None;
        }
        *last_fetch = Instant::now();
        match fetch(&remote.client, &remote.jwks_uri).await {
            Ok(set) => {
                tracing::info!(keys = set.keys.len(), "refetched the provider's signing keys");
                let keys = Arc::new(Keys::from_set(&set));
                *self.keys.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = keys.clone();
                keys.find(Some(kid))
            }
            Err(error) => {
                tracing::warn!(%error, "could not refetch the provider's signing keys");
                None
            }
        }
    }
}

impl Keys {
    fn from_set(set: &JwkSet) -> Self {
        let usable: Vec<(Option<String>, Arc<DecodingKey>)> = set
            .keys
            .iter()
            .filter(|jwk| {
                jwk.common
                    .public_key_use
                    .as_ref()
                    .is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature)
            })
            .filter_map(|jwk| Some((jwk.common.key_id.clone(), Arc::new(DecodingKey::from_jwk(jwk).ok()?))))
            .collect();
        let only = match usable.as_slice() {
            [(_, key)] => Some(key.clone()),
            _ => None,
        };
        let by_kid = usable.into_iter().filter_map(|(kid, key)| Some((kid?, key))).collect();
        Self { by_kid, only }
    }

    fn find(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        match kid {
            Some(kid) => self.by_kid.get(kid).cloned(),
            None => self.only.clone(),
        }
    }
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<JwkSet, KeyFetchError> {
    let fail = |reason: String| KeyFetchError::Fetch { url: url.to_owned(), reason };
    let response = client.get(url).send().await.map_err(|e| fail(e.to_string()))?;
    if !response.status().is_success() {
        return Err(fail(format!("HTTP {}", response.status())));
    }
    response
        .json::<JwkSet>()
        .await
        .map_err(|e| KeyFetchError::Invalid { url: url.to_owned(), reason: e.to_string() })
}
