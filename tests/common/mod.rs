//! Helpers shared by the browser test files: keys made by the browser's own
//! WebCrypto, and tokens signed with them.
#![allow(dead_code)] // each test file uses a different part

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use js_sys::{Array, Object, Reflect, Uint8Array};
use browser_oidc::oauth::jwks::Jwk;
use browser_oidc::oauth::jwt::SigningAlgorithm;
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A key pair made by the browser's own WebCrypto, and a signer for tokens.
pub struct TestKey {
    pub alg: SigningAlgorithm,
    pub private_key: web_sys::CryptoKey,
    /// As published in a JWKS, and as the app parses it.
    pub published: serde_json::Value,
    pub public_jwk: Jwk,
}

pub fn object(entries: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in entries {
        Reflect::set(&object, &(*name).into(), value).unwrap();
    }
    object
}

pub fn subtle() -> web_sys::SubtleCrypto {
    web_sys::window().unwrap().crypto().unwrap().subtle()
}

impl TestKey {
    pub async fn generate(alg: SigningAlgorithm, kid: &str) -> Self {
        let exponent: JsValue = Uint8Array::from(&[1u8, 0, 1][..]).into();
        let params = match alg {
            SigningAlgorithm::Rs256 => object(&[
                ("name", "RSASSA-PKCS1-v1_5".into()),
                ("modulusLength", 2048.into()),
                ("publicExponent", exponent),
                ("hash", "SHA-256".into()),
            ]),
            SigningAlgorithm::Ps256 => object(&[
                ("name", "RSA-PSS".into()),
                ("modulusLength", 2048.into()),
                ("publicExponent", exponent),
                ("hash", "SHA-256".into()),
            ]),
            SigningAlgorithm::Es256 => object(&[("name", "ECDSA".into()), ("namedCurve", "P-256".into())]),
        };
        let usages = Array::of2(&"sign".into(), &"verify".into());
        let pair =
            JsFuture::from(subtle().generate_key_with_object(&params, true, &usages).unwrap()).await.unwrap();
        let private_key: web_sys::CryptoKey =
            Reflect::get(&pair, &"privateKey".into()).unwrap().unchecked_into();
        let public_key: web_sys::CryptoKey =
            Reflect::get(&pair, &"publicKey".into()).unwrap().unchecked_into();
        let exported = JsFuture::from(subtle().export_key("jwk", &public_key).unwrap()).await.unwrap();
        let mut published: serde_json::Value =
            serde_json::from_str(&String::from(js_sys::JSON::stringify(&exported).unwrap())).unwrap();
        published["kid"] = kid.into();
        published["alg"] = alg.name().into();
        published["use"] = "sig".into();
        let public_jwk = browser_oidc::json::parse(&published.to_string()).unwrap();
        Self { alg, private_key, published, public_jwk }
    }

    pub async fn sign(&self, header: serde_json::Value, claims: serde_json::Value) -> String {
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let params = match self.alg {
            SigningAlgorithm::Rs256 => object(&[("name", "RSASSA-PKCS1-v1_5".into())]),
            SigningAlgorithm::Ps256 => object(&[("name", "RSA-PSS".into()), ("saltLength", 32.into())]),
            SigningAlgorithm::Es256 => object(&[("name", "ECDSA".into()), ("hash", "SHA-256".into())]),
        };
        let promise = subtle()
            .sign_with_object_and_u8_array(&params, &self.private_key, signing_input.as_bytes())
            .unwrap();
        let signature = Uint8Array::new(&JsFuture::from(promise).await.unwrap()).to_vec();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    pub fn header(&self) -> serde_json::Value {
        json!({"alg": self.alg.name(), "kid": self.public_jwk.kid, "typ": "JWT"})
    }

    pub fn jwks(&self) -> String {
        json!({"keys": [self.published]}).to_string()
    }
}

/// An HS256 "signature" made with `secret` (e.g. a public key's bytes).
pub async fn hmac_sha256(secret: &[u8], data: &[u8]) -> Vec<u8> {
    let params = object(&[("name", "HMAC".into()), ("hash", "SHA-256".into())]);
    let raw: Object = Uint8Array::from(secret).unchecked_into();
    let usages = Array::of1(&"sign".into());
    let key: web_sys::CryptoKey =
        JsFuture::from(subtle().import_key_with_object("raw", &raw, &params, false, &usages).unwrap())
            .await
            .unwrap()
            .unchecked_into();
    let promise = subtle().sign_with_str_and_u8_array("HMAC", &key, data).unwrap();
    Uint8Array::new(&JsFuture::from(promise).await.unwrap()).to_vec()
}
