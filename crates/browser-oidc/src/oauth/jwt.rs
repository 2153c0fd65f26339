//! Compact JWS parsing (RFC 7515 §7.1) with an algorithm allow-list.
//!
//! This only takes a token apart. Nothing read here is trusted until the
//! signature has been verified (in `browser::webcrypto`) and the claims checked.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniserde::Deserialize;
use crate::messages::{Describe, Text, display_in_english};

/// The signature algorithms a public client accepts. Never `none`, and never
/// HS*: a public client has no shared secret, and accepting HS256 would let
/// anyone "sign" with the provider's public key (algorithm confusion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, the one OIDC requires providers to support.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA with P-256 and SHA-256.
    Es256,
}

impl SigningAlgorithm {
    /// The algorithm a header's `alg` names, if it is on the allow-list.
    pub fn from_name(name: &str) -> Result<Self, JwtError> {
        match name {
            "RS256" => Ok(Self::Rs256),
            "PS256" => Ok(Self::Ps256),
            "ES256" => Ok(Self::Es256),
            "none" => Err(JwtError::Unsigned),
            other => Err(JwtError::AlgorithmNotAllowed(other.to_owned())),
        }
    }

    /// The JWK key type (`kty`) this algorithm needs.
    pub fn key_type(self) -> &'static str {
        match self {
            Self::Rs256 | Self::Ps256 => "RSA",
            Self::Es256 => "EC",
        }
    }

    /// The algorithm's `alg` name (RFC 7518 §3.1).
    pub fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
        }
    }
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
}

/// The JOSE header's parameters this client uses, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsHeader {
    /// The signature algorithm, from the allow-list.
    pub alg: SigningAlgorithm,
    /// The key ID, which picks the key from the provider's JWKS.
    pub kid: Option<String>,
    /// The token's media type, as written; never another kind of token's.
    pub typ: Option<String>,
}

/// A JWS taken apart; `signing_input` and `signature` go to verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jws<'a> {
    /// The checked header.
    pub header: JwsHeader,
    /// The decoded payload: the claims, untrusted until the signature is verified.
    pub payload: Vec<u8>,
    /// `header.payload` as sent: the bytes the signature covers.
    pub signing_input: &'a str,
    /// The decoded signature; never empty.
    pub signature: Vec<u8>,
}

/// Why a token could not be taken apart, or is refused before any key is tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three dot-separated parts.
    NotCompactJws,
    /// A part (named) is not valid unpadded base64url.
    BadEncoding(&'static str),
    /// The header is not a JSON object, names a parameter twice, or has no
    /// string `alg`.
    BadHeader,
    /// `alg` is `none`, or the signature is empty.
    Unsigned,
    /// `alg` (given) is not on the allow-list, e.g. HS256 (algorithm confusion).
    AlgorithmNotAllowed(String),
    /// The header has `crit`: extensions that must be understood, and none are (RFC 7515 §4.1.11).
    CriticalExtension,
    /// `typ` (given) marks another kind of token, e.g. an access token (RFC 8725 §3.11).
    WrongTokenType(String),
}

/// Takes an ID token apart. (Only ID tokens come here: `typ` is checked as one.)
pub fn parse_jws(compact: &str) -> Result<Jws<'_>, JwtError> {
    let mut parts = compact.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::NotCompactJws);
    };
    let decode = |part: &str, what| URL_SAFE_NO_PAD.decode(part).map_err(|_| JwtError::BadEncoding(what));
    let header_bytes = decode(header, "header")?;
    // RFC 7515 §4: a header that names a parameter twice is refused, so
    // that no two readers can take a different `alg` or `crit` from it.
    let text = std::str::from_utf8(&header_bytes).map_err(|_| JwtError::BadHeader)?;
    let names = crate::json::member_names(text).ok_or(JwtError::BadHeader)?;
    let raw: RawHeader = crate::json::parse(text).ok_or(JwtError::BadHeader)?;
    let alg = SigningAlgorithm::from_name(&raw.alg)?;
    // RFC 7515 §4.1.11: unknown critical extensions must be rejected, and
    // none is known here. Any `crit`, even a `null`, is refused.
    if names.iter().any(|name| name == "crit") {
        return Err(JwtError::CriticalExtension);
    }
    if let Some(typ) = raw.typ.as_deref() {
        check_id_token_type(typ)?;
    }
    let signature = decode(signature, "signature")?;
    if signature.is_empty() {
        return Err(JwtError::Unsigned);
    }
    Ok(Jws {
        header: JwsHeader { alg, kid: raw.kid, typ: raw.typ },
        payload: decode(payload, "payload")?,
        signing_input: &compact[..header.len() + 1 + payload.len()],
        signature,
    })
}

/// RFC 8725 §3.11: a JWT explicitly typed as another kind of token (an
/// access token, a DPoP proof, a logout token) must not pass as an ID token,
/// even though it is signed by the same provider. OIDC defines no `typ` for
/// ID tokens, so anything else (usually `JWT`, or none) is accepted.
fn check_id_token_type(typ: &str) -> Result<(), JwtError> {
    // RFC 7515 §4.1.9: media types are case-insensitive, and `application/`
    // is implied when there is no `/`. Parameters (`; ...`) do not change the type.
    let media_type = typ.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let media_type = media_type.strip_prefix("application/").unwrap_or(&media_type);
    match media_type {
        "at+jwt" | "dpop+jwt" | "logout+jwt" => Err(JwtError::WrongTokenType(typ.to_owned())),
        _ => Ok(()),
    }
}

impl Describe for JwtError {
    fn text(&self) -> Text {
        match self {
            Self::NotCompactJws => Text::new("jwt.not_compact_jws"),
            Self::BadEncoding(part) => {
                let part = match *part {
                    "header" => "jwt.part.header",
                    "payload" => "jwt.part.payload",
                    _ => "jwt.part.signature",
                };
                Text::new("jwt.bad_encoding").with("part", Text::new(part))
            }
            Self::BadHeader => Text::new("jwt.bad_header"),
            Self::Unsigned => Text::new("jwt.unsigned"),
            Self::AlgorithmNotAllowed(alg) => Text::new("jwt.algorithm_not_allowed").quoting("alg", alg),
            Self::CriticalExtension => Text::new("jwt.critical_extension"),
            Self::WrongTokenType(typ) => Text::new("jwt.wrong_token_type").quoting("typ", typ),
        }
    }
}

display_in_english!(JwtError);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn b64(json: &serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    fn token(header: serde_json::Value) -> String {
        format!(
            "{}.{}.{}",
            b64(&header),
            b64(&serde_json::json!({"sub": "alice"})),
            URL_SAFE_NO_PAD.encode(b"sig")
        )
    }

    #[test]
    fn takes_a_token_apart() {
        let compact = token(serde_json::json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}));
        let jws = parse_jws(&compact).unwrap();
        assert_eq!(jws.header.alg, SigningAlgorithm::Rs256);
        assert_eq!(jws.header.kid.as_deref(), Some("k1"));
        assert_eq!(jws.signature, b"sig");
        assert_eq!(jws.payload, br#"{"sub":"alice"}"#);
        assert_eq!(format!("{}.{}", jws.signing_input, URL_SAFE_NO_PAD.encode(b"sig")), compact);
    }

    /// RFC 7515 §4 lets a parser refuse a repeated header parameter or take
    /// its last value. Ours refuses: `alg` or `crit` cannot be read one way
    /// here and another way elsewhere, or a `crit` erased by a later `null`.
    #[test]
    fn a_repeated_header_parameter_is_refused() {
        let header = |text: &str| {
            let sig = URL_SAFE_NO_PAD.encode(b"sig");
            format!("{}.{}.{sig}", URL_SAFE_NO_PAD.encode(text), URL_SAFE_NO_PAD.encode("{}"))
        };
        for text in [
            r#"{"alg":"RS256","alg":"none"}"#,
            r#"{"alg":"none","alg":"ES256"}"#,
            r#"{"alg":"RS256","crit":["b64"],"crit":null}"#,
            r#"{"alg":"RS256","kid":"a","typ":"JWT","kid":"a"}"#,
            r#"{"alg":"none","\u0061lg":"RS256"}"#,
        ] {
            assert_eq!(parse_jws(&header(text)), Err(JwtError::BadHeader), "{text}");
        }
        assert!(parse_jws(&header(r#"{"alg":"RS256","kid":"a","x":{"kid":1,"kid":2}}"#)).is_ok());
    }

    #[test]
    fn idtoken_sig_none_is_rejected() {
        let compact =
            format!("{}.{}.", b64(&serde_json::json!({"alg": "none"})), b64(&serde_json::json!({})));
        assert_eq!(parse_jws(&compact), Err(JwtError::Unsigned));
    }

    #[test]
    fn hs256_and_unknown_algorithms_are_rejected() {
        for alg in ["HS256", "HS512", "RS1", "rs256", ""] {
            assert_eq!(
                parse_jws(&token(serde_json::json!({"alg": alg}))),
                Err(JwtError::AlgorithmNotAllowed(alg.to_owned()))
            );
        }
    }

    #[test]
    fn alg_null_or_missing_is_rejected() {
        assert_eq!(parse_jws(&token(serde_json::json!({"alg": null}))), Err(JwtError::BadHeader));
        assert_eq!(parse_jws(&token(serde_json::json!({"typ": "JWT"}))), Err(JwtError::BadHeader));
    }

    #[test]
    fn tokens_typed_as_another_kind_are_rejected() {
        for typ in [
            "at+jwt",
            "application/at+jwt",
            "AT+JWT",
            "Application/At+Jwt",
            "dpop+jwt",
            "application/dpop+jwt",
            "logout+jwt",
            "application/logout+jwt",
            "application/logout+jwt; charset=utf-8",
        ] {
            assert_eq!(
                parse_jws(&token(serde_json::json!({"alg": "RS256", "typ": typ}))),
                Err(JwtError::WrongTokenType(typ.to_owned())),
                "{typ}"
            );
        }
    }

    #[test]
    fn jwt_or_missing_typ_is_accepted() {
        assert!(parse_jws(&token(serde_json::json!({"alg": "RS256"}))).is_ok());
        for typ in ["JWT", "jwt", "application/jwt", "Application/JWT"] {
            assert!(parse_jws(&token(serde_json::json!({"alg": "RS256", "typ": typ}))).is_ok(), "{typ}");
        }
    }

    #[test]
    fn an_empty_signature_is_rejected() {
        let compact =
            format!("{}.{}.", b64(&serde_json::json!({"alg": "RS256"})), b64(&serde_json::json!({})));
        assert_eq!(parse_jws(&compact), Err(JwtError::Unsigned));
    }

    #[test]
    fn malformed_tokens_are_typed_errors() {
        assert_eq!(parse_jws("abc"), Err(JwtError::NotCompactJws));
        assert_eq!(parse_jws("a.b.c.d"), Err(JwtError::NotCompactJws));
        assert_eq!(parse_jws("!!.e30.c2ln"), Err(JwtError::BadEncoding("header")));
        assert_eq!(parse_jws("e30.e30.c2ln"), Err(JwtError::BadHeader));
        // RFC 7515 §4.1.11: `crit` is an array of names; any value, even
        // `null` (which reads as absent elsewhere), is refused.
        for crit in [serde_json::json!(["exp"]), serde_json::Value::Null, serde_json::json!([])] {
            assert_eq!(
                parse_jws(&token(serde_json::json!({"alg": "RS256", "crit": crit}))),
                Err(JwtError::CriticalExtension)
            );
        }
    }
}
