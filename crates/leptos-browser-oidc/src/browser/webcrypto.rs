//! JWS signature verification and the PKCE hash with WebCrypto, so no RSA,
//! ECDSA or SHA-256 code is compiled into the wasm.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

use browser_oidc::oauth::jwks::Jwk;
use browser_oidc::oauth::jwt::SigningAlgorithm;
use browser_oidc::oauth::pkce::{PkceCodeChallenge, PkceCodeVerifier};
use browser_oidc::session::error::CryptoError;

/// The S256 PKCE challenge of `verifier`, hashed by the browser.
pub async fn pkce_challenge(verifier: &PkceCodeVerifier) -> Result<PkceCodeChallenge, CryptoError> {
    let digest = subtle()?
        .digest_with_str_and_u8_array("SHA-256", verifier.secret().as_bytes())
        .map_err(|_| CryptoError::Unavailable)?;
    let digest = JsFuture::from(digest).await.map_err(|_| CryptoError::Unavailable)?;
    Ok(PkceCodeChallenge::from_sha256(&js_sys::Uint8Array::new(&digest).to_vec()))
}

pub(crate) fn subtle() -> Result<web_sys::SubtleCrypto, CryptoError> {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle()).ok_or(CryptoError::Unavailable)
}

/// Does `signature` over `signing_input` verify with the public `key`?
pub async fn verify_signature(
    alg: SigningAlgorithm,
    key: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let subtle = subtle()?;
    let (import_params, verify_params) = algorithm_params(alg);
    let usages = Array::of1(&"verify".into());
    let import = subtle
        .import_key_with_object("jwk", &public_jwk(key), &import_params, false, &usages)
        .map_err(|_| CryptoError::UnusableKey)?;
    let crypto_key: CryptoKey =
        JsFuture::from(import).await.map_err(|_| CryptoError::UnusableKey)?.unchecked_into();
    let verify = subtle
        .verify_with_object_and_u8_array_and_u8_array(&verify_params, &crypto_key, signature, signing_input)
        .map_err(|_| CryptoError::UnusableKey)?;
    // A rejected promise means the inputs were unusable (e.g. a wrong-length
    // ECDSA signature): that is "not verified", not an error of ours.
    Ok(JsFuture::from(verify).await.is_ok_and(|valid| valid.as_bool() == Some(true)))
}

/// Does the signature verify with one of `keys` (tried in turn)?
pub async fn verify_with_any_key<'a>(
    alg: SigningAlgorithm,
    keys: impl IntoIterator<Item = &'a Jwk>,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    for key in keys {
        if verify_signature(alg, key, signing_input, signature).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// WebCrypto parameters for importing the key and for verifying with it.
fn algorithm_params(alg: SigningAlgorithm) -> (Object, Object) {
    match alg {
        SigningAlgorithm::Rs256 => {
            let params = object(&[("name", "RSASSA-PKCS1-v1_5".into()), ("hash", "SHA-256".into())]);
            (params.clone(), params)
        }
        SigningAlgorithm::Ps256 => (
            object(&[("name", "RSA-PSS".into()), ("hash", "SHA-256".into())]),
            // RFC 7518 §3.5: the salt is as long as the hash.
            object(&[("name", "RSA-PSS".into()), ("saltLength", 32.into())]),
        ),
        SigningAlgorithm::Es256 => (
            object(&[("name", "ECDSA".into()), ("namedCurve", "P-256".into())]),
            object(&[("name", "ECDSA".into()), ("hash", "SHA-256".into())]),
        ),
    }
}

/// Only the public members, so `alg`/`use`/`key_ops` quirks of a provider's
/// JWKS cannot make the import fail or widen what the key may do.
fn public_jwk(key: &Jwk) -> Object {
    let members = [
        ("kty", Some(&key.kty)),
        ("n", key.n.as_ref()),
        ("e", key.e.as_ref()),
        ("crv", key.crv.as_ref()),
        ("x", key.x.as_ref()),
        ("y", key.y.as_ref()),
    ];
    let present: Vec<(&str, JsValue)> =
        members.into_iter().filter_map(|(name, value)| Some((name, JsValue::from_str(value?)))).collect();
    object(&present)
}

pub(crate) fn object(entries: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in entries {
        let _ = Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object
}
