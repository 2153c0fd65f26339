//! This tab's DPoP key (RFC 9449) and the proofs it signs, with WebCrypto.
//! The private key is made non-extractable: script can use it while the
//! tab is open, but cannot read it out. It is kept (as a handle) only across
//! a sign-in's redirect, for the code bound to it (`key_store`).

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, CryptoKeyPair};

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use browser_oidc::oauth::dpop::{ProofClaims, PublicKey, asks_for_nonce, signing_input};
use browser_oidc::oauth::endpoint_url::parse_endpoint_url;
use browser_oidc::oauth::http::{HttpClient, HttpRequest, HttpResponse, Unreachable};
use browser_oidc::oauth::random::random_url_safe_string;
use browser_oidc::session::error::CryptoError;

use super::clock;
use super::fetch::Fetch;
use super::key_store;
use super::names::Names;
use super::webcrypto::{object, subtle};

/// This tab's key pair: the private half never leaves WebCrypto.
pub struct DpopKey {
    private: CryptoKey,
    public: PublicKey,
}

impl DpopKey {
    /// A fresh ES256 key pair, its private half non-extractable.
    pub async fn generate() -> Result<Self, CryptoError> {
        let subtle = subtle()?;
        let params = object(&[("name", "ECDSA".into()), ("namedCurve", "P-256".into())]);
        let usages = Array::of1(&"sign".into());
        let generated = subtle.generate_key_with_object(&params, false, &usages).map_err(|_| CryptoError::Unavailable)?;
        let pair: CryptoKeyPair = JsFuture::from(generated).await.map_err(|_| CryptoError::Unavailable)?.unchecked_into();
        let public_key: CryptoKey = Reflect::get(&pair, &"publicKey".into()).map_err(|_| CryptoError::Unavailable)?.unchecked_into();
        let private: CryptoKey = Reflect::get(&pair, &"privateKey".into()).map_err(|_| CryptoError::Unavailable)?.unchecked_into();
        // The public half of a pair is always exportable.
        let exported = subtle.export_key("jwk", &public_key).map_err(|_| CryptoError::Unavailable)?;
        let jwk = JsFuture::from(exported).await.map_err(|_| CryptoError::Unavailable)?;
        let member = |name: &str| Reflect::get(&jwk, &name.into()).ok().and_then(|value| value.as_string());
        let (Some(x), Some(y)) = (member("x"), member("y")) else { return Err(CryptoError::Unavailable) };
        Ok(Self { private, public: PublicKey { x, y } })
    }

    /// Whether the private half could be exported: never, it is made so.
    pub fn is_extractable(&self) -> bool {
        self.private.extractable()
    }

    /// The RFC 7638 thumbprint of the public half: the `dpop_jkt` that
    /// binds a code to this key, and the tokens' `cnf.jkt`.
    pub async fn thumbprint(&self) -> Result<String, CryptoError> {
        sha256(&self.public.canonical_jwk()).await
    }

    /// The private half (a handle, not its bytes) and the public half, to keep.
    pub(crate) fn parts(&self) -> (&CryptoKey, &PublicKey) {
        (&self.private, &self.public)
    }

    pub(crate) fn from_parts(private: CryptoKey, public: PublicKey) -> Self {
        Self { private, public }
    }

    /// A signed proof: `claims` under this key.
    pub async fn proof(&self, claims: &ProofClaims<'_>) -> Result<String, CryptoError> {
        let input = signing_input(&self.public, claims);
        let params = object(&[("name", "ECDSA".into()), ("hash", "SHA-256".into())]);
        let signing = subtle()?
            .sign_with_object_and_u8_array(&params, &self.private, input.as_bytes())
            .map_err(|_| CryptoError::Unavailable)?;
        // WebCrypto's ECDSA signature is r || s, exactly what JWS wants (RFC 7518 §3.4).
        let signature = JsFuture::from(signing).await.map_err(|_| CryptoError::Unavailable)?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(Uint8Array::new(&signature).to_vec())))
    }
}

/// `base64url(SHA-256(text))`: a proof's `ath`, or a key's thumbprint of
/// its canonical JWK.
pub async fn sha256(text: &str) -> Result<String, CryptoError> {
    let digest = subtle()?.digest_with_str_and_u8_array("SHA-256", text.as_bytes()).map_err(|_| CryptoError::Unavailable)?;
    let digest = JsFuture::from(digest).await.map_err(|_| CryptoError::Unavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(Uint8Array::new(&digest).to_vec()))
}

/// Sends requests, adding a proof to those marked for one (and only
/// those), and keeps the newest nonce each server gave (§8, §9). The key
/// is made on first use and lives as long as the page.
#[derive(Default)]
pub struct DpopClient {
    key: RefCell<Option<Rc<DpopKey>>>,
    /// The newest `DPoP-Nonce`, by origin.
    nonces: RefCell<Vec<(String, String)>>,
    /// The provider's clock minus this device's, in ms: proofs carry the
    /// server's time, so a device clock minutes off does not get them refused.
    clock_offset_ms: Cell<i64>,
}

impl DpopClient {
    async fn key(&self) -> Result<Rc<DpopKey>, CryptoError> {
        if let Some(key) = self.key.borrow().clone() {
            return Ok(key);
        }
        let key = Rc::new(DpopKey::generate().await?);
        // Two first uses at once: the first key made wins, for both.
        Ok(self.key.borrow_mut().get_or_insert(key).clone())
    }

    /// Whether this tab's key has been made (for tests).
    #[doc(hidden)]
    pub fn has_key(&self) -> bool {
        self.key.borrow().is_some()
    }

    /// Learns the server's clock from a time it stated (`server_ms`, such
    /// as an ID token's `iat`) and the local time its answer arrived. The
    /// network's delay makes the learnt time a little early, which a
    /// proof's age window absorbs. A difference under 5 s is noise, and one
    /// over a day is not a clock: both leave the device's time in use.
    pub fn learn_server_time(&self, server_ms: i64, local_ms: u64) {
        const NOISE_MS: i64 = 5_000;
        const ABSURD_MS: i64 = 86_400_000;
        let offset = server_ms.saturating_sub(i64::try_from(local_ms).unwrap_or(i64::MAX));
        let offset = if (NOISE_MS..=ABSURD_MS).contains(&offset.saturating_abs()) { offset } else { 0 };
        self.clock_offset_ms.set(offset);
    }

    /// A proof for `method` on `url`, bound to `access_token` if given.
    pub async fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, CryptoError> {
        let key = self.key().await?;
        let ath = match access_token {
            Some(token) => Some(sha256(token).await?),
            None => None,
        };
        let jti = random_url_safe_string().map_err(|_| CryptoError::Unavailable)?;
        let nonce = origin(url).and_then(|origin| {
            self.nonces.borrow().iter().find(|(known, _)| *known == origin).map(|(_, nonce)| nonce.clone())
        });
        let iat = (clock::now_millis() as i64).saturating_add(self.clock_offset_ms.get()) / 1000;
        let claims = ProofClaims { jti: &jti, htm: method, url, iat, ath: ath.as_deref(), nonce: nonce.as_deref() };
        key.proof(&claims).await
    }

    async fn send_with_proof(&self, request: &HttpRequest) -> Result<HttpResponse, Unreachable> {
        let unreachable = || Unreachable { url: request.url.clone() };
        let token = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("Authorization"))
            .and_then(|(_, value)| value.strip_prefix("DPoP "));
        let proof = self.proof(request.method.as_str(), &request.url, token).await.map_err(|_| unreachable())?;
        let response = Fetch.send(request.clone().with_header("DPoP", proof)).await?;
        if let (Some(origin), Some(nonce)) = (origin(&request.url), &response.dpop_nonce) {
            let mut nonces = self.nonces.borrow_mut();
            nonces.retain(|(known, _)| *known != origin);
            nonces.push((origin, nonce.clone()));
        }
        Ok(response)
    }
}

impl HttpClient for DpopClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        if !request.dpop {
            return Fetch.send(request).await;
        }
        let response = self.send_with_proof(&request).await?;
        // Exactly one retry, with the nonce the server just gave.
        if asks_for_nonce(&response) {
            return self.send_with_proof(&request).await;
        }
        Ok(response)
    }
}

/// Binds a sign-in's code to this tab's DPoP key (`dpop_jkt`, RFC 9449
/// §10), which must then outlive the redirect to the provider. The default
/// binds nothing; the tokens are still bound at the code exchange.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait CodeBinding {
    /// Keeps this tab's key for the callback; `None` if it cannot be kept.
    async fn keep_key(&self, _names: &Names) -> Option<KeptKey> {
        None
    }

    /// Makes the key kept as `id` this tab's key again, and forgets it
    /// there; false if it is gone.
    async fn take_key(&self, _names: &Names, _id: &str) -> bool {
        false
    }

    /// The thumbprint of this tab's key as it is, for a code exchanged
    /// without leaving the page (a renewal in a hidden frame).
    async fn thumbprint(&self) -> Option<String> {
        None
    }

    /// Makes what [`Self::keep_key`] needs ahead of the sign-in, while the
    /// person reads the signed-out page. A failure here is met again, and
    /// handled, by the sign-in itself.
    async fn get_ready(&self, _names: &Names) {}
}

/// Where a key was kept, and its thumbprint (the `dpop_jkt`).
pub struct KeptKey {
    /// Names the kept key (no secret: the key cannot be read out).
    pub id: String,
    /// The key's RFC 7638 thumbprint.
    pub thumbprint: String,
}

impl CodeBinding for DpopClient {
    async fn keep_key(&self, names: &Names) -> Option<KeptKey> {
        let key = self.key().await.ok()?;
        let thumbprint = key.thumbprint().await.ok()?;
        let id = random_url_safe_string().ok()?;
        key_store::keep(&names.dpop_keys(), &id, &key).await.ok()?;
        Some(KeptKey { id, thumbprint })
    }

    async fn take_key(&self, names: &Names, id: &str) -> bool {
        match key_store::take(&names.dpop_keys(), id).await {
            Ok(Some(key)) => {
                *self.key.borrow_mut() = Some(Rc::new(key));
                true
            }
            _ => false,
        }
    }

    async fn thumbprint(&self) -> Option<String> {
        self.key().await.ok()?.thumbprint().await.ok()
    }

    async fn get_ready(&self, names: &Names) {
        if self.key().await.is_ok() {
            let _ = key_store::get_ready(&names.dpop_keys()).await;
        }
    }
}

fn origin(url: &str) -> Option<String> {
    parse_endpoint_url(url).ok().map(|parts| parts.origin())
}
