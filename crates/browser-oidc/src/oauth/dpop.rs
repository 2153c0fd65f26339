//! DPoP (RFC 9449) for a browser client, the pure part: the proof's
//! signing input, the key's thumbprint input, the `htu` of a URL, and
//! whether a server asked for a nonce. Making the key, signing and
//! hashing are WebCrypto's, in the browser layer.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::http::HttpResponse;

/// The public half of a tab's P-256 key (its JWK coordinates, base64url).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The JWK's `x`.
    pub x: String,
    /// The JWK's `y`.
    pub y: String,
}

impl PublicKey {
    /// The key as a JWK with its required members only, in lexical order:
    /// exactly what RFC 7638 hashes for the thumbprint (`dpop_jkt`,
    /// `cnf.jkt`), and what a proof's header carries.
    pub fn canonical_jwk(&self) -> String {
        format!(r#"{{"crv":"P-256","kty":"EC","x":{},"y":{}}}"#, json_string(&self.x), json_string(&self.y))
    }
}

/// What one proof says (RFC 9449 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofClaims<'a> {
    /// A fresh random identifier, never reused.
    pub jti: &'a str,
    /// The request's method.
    pub htm: &'a str,
    /// The request's URL; the query and fragment are left out ([`htu`]).
    pub url: &'a str,
    /// When the proof was made, in seconds, on the server's clock if known.
    pub iat: i64,
    /// `base64url(SHA-256(access token))`, for a request that carries one.
    pub ath: Option<&'a str>,
    /// The newest nonce this server gave, if any.
    pub nonce: Option<&'a str>,
}

/// The proof's signing input, `base64url(header).base64url(claims)`, for
/// an ES256 signature with `key`'s private half.
pub fn signing_input(key: &PublicKey, claims: &ProofClaims<'_>) -> String {
    let header = format!(r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{}}}"#, key.canonical_jwk());
    let mut payload = format!(
        r#"{{"jti":{},"htm":{},"htu":{},"iat":{}"#,
        json_string(claims.jti),
        json_string(claims.htm),
        json_string(htu(claims.url)),
        claims.iat
    );
    for (name, value) in [("ath", claims.ath), ("nonce", claims.nonce)] {
        if let Some(value) = value {
            payload.push_str(&format!(r#","{name}":{}"#, json_string(value)));
        }
    }
    payload.push('}');
    format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload))
}

/// A proof's `htu`: the URL without its query and fragment (§4.2).
pub fn htu(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// Did the server refuse for want of a nonce (§8, §9)? The token endpoint
/// answers 400 `{"error":"use_dpop_nonce"}`, a resource server 401 with
/// `error="use_dpop_nonce"` in its `WWW-Authenticate: DPoP` challenge.
/// Either way the nonce to use is in the response's `DPoP-Nonce`.
pub fn asks_for_nonce(response: &HttpResponse) -> bool {
    let in_body = || {
        crate::json::parse::<crate::json::Object>(&response.body)
            .is_some_and(|body| body.get("error").and_then(crate::json::as_str) == Some("use_dpop_nonce"))
    };
    let in_challenge =
        || response.www_authenticate.as_deref().is_some_and(|challenge| challenge.contains(r#"error="use_dpop_nonce""#));
    response.dpop_nonce.is_some()
        && match response.status {
            400 => in_body(),
            401 => in_challenge(),
            _ => false,
        }
}

/// `value` as a JSON string, escaped by the one JSON writer the wasm has.
fn json_string(value: &str) -> String {
    crate::json::to_string(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn key() -> PublicKey {
        // RFC 7638 has no P-256 example; these are RFC 7515 A.3's coordinates.
        PublicKey {
            x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU".into(),
            y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0".into(),
        }
    }

    #[test]
    fn a_proof_says_what_rfc_9449_asks_and_nothing_else() {
        let claims = ProofClaims {
            jti: "e1j3V_bKic8-LAEB",
            htm: "GET",
            url: "http://127.0.0.1:3000/api/greeting?page=2#top",
            iat: 1_562_262_618,
            ath: Some("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"),
            nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
        };
        let input = signing_input(&key(), &claims);
        let (header, payload) = input.split_once('.').unwrap();
        assert_eq!(
            decode(header),
            json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"crv": "P-256", "kty": "EC", "x": key().x, "y": key().y}})
        );
        assert_eq!(
            decode(payload),
            json!({
                "jti": "e1j3V_bKic8-LAEB", "htm": "GET", "htu": "http://127.0.0.1:3000/api/greeting",
                "iat": 1_562_262_618, "ath": "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo",
                "nonce": "eyJ7S_zG.eyJH0-Z.HX4w-7v"
            })
        );
        let bare = signing_input(&key(), &ProofClaims { ath: None, nonce: None, ..claims });
        let payload = decode(bare.split_once('.').unwrap().1);
        assert!(payload.get("ath").is_none() && payload.get("nonce").is_none(), "{payload}");
    }

    #[test]
    fn a_nonce_the_server_chose_cannot_break_out_of_its_string() {
        let claims = ProofClaims {
            jti: "j",
            htm: "POST",
            url: "https://op.example/token",
            iat: 1,
            ath: None,
            nonce: Some("n\",\"htm\":\"GET\\\u{1}"),
        };
        let payload = decode(signing_input(&key(), &claims).split_once('.').unwrap().1);
        assert_eq!(payload["htm"], "POST");
        assert_eq!(payload["nonce"], "n\",\"htm\":\"GET\\\u{1}");
    }

    #[test]
    fn the_thumbprint_input_is_rfc_7638_canonical() {
        // Members in lexical order, no whitespace: what every party hashes.
        let canonical = key().canonical_jwk();
        assert_eq!(
            canonical,
            r#"{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#
        );
    }

    #[test]
    fn htu_drops_the_query_and_the_fragment() {
        assert_eq!(htu("https://op.example/token"), "https://op.example/token");
        assert_eq!(htu("https://api.example/a?b=c#d"), "https://api.example/a");
        assert_eq!(htu("https://api.example/a#d?e"), "https://api.example/a");
    }

    fn response(status: u16, challenge: Option<&str>, body: &str, nonce: Option<&str>) -> HttpResponse {
        HttpResponse {
            status,
            www_authenticate: challenge.map(str::to_owned),
            retry_after: None,
            dpop_nonce: nonce.map(str::to_owned),
            body: body.to_owned(),
        }
    }

    #[test]
    fn a_nonce_demand_is_read_from_the_provider_and_from_an_api() {
        let provider = response(400, None, r#"{"error":"use_dpop_nonce","error_description":"x"}"#, Some("n1"));
        assert!(asks_for_nonce(&provider));
        let api = response(401, Some(r#"DPoP algs="ES256", error="use_dpop_nonce""#), "", Some("n2"));
        assert!(asks_for_nonce(&api));
        // Without a nonce to use, a retry would fail the same way.
        assert!(!asks_for_nonce(&response(400, None, r#"{"error":"use_dpop_nonce"}"#, None)));
        // Other refusals are not nonce demands.
        assert!(!asks_for_nonce(&response(400, None, r#"{"error":"invalid_grant"}"#, Some("n"))));
        assert!(!asks_for_nonce(&response(401, Some(r#"DPoP error="invalid_dpop_proof""#), "", Some("n"))));
        assert!(!asks_for_nonce(&response(200, None, r#"{"error":"use_dpop_nonce"}"#, Some("n"))));
    }

    #[test]
    fn json_strings_escape_quotes_backslashes_and_control_characters_only() {
        assert_eq!(json_string("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(json_string("tab\there\u{1f}"), r#""tab\there\u001f""#);
        for text in ["a \"b\" \\ c", "tab\there\u{1f}", "\u{0}\n\r", "space é ✓"] {
            assert_eq!(serde_json::from_str::<String>(&json_string(text)).unwrap(), text, "reads back as written");
        }
        assert_eq!(json_string("space é ✓"), r#""space é ✓""#, "a space and non-ASCII stay as they are");
    }
}
