//! The provider's signing keys (RFC 7517) and the choice of which key may
//! verify a given token.

use miniserde::Deserialize;

use super::jwt::{JwsHeader, SigningAlgorithm};
use crate::messages::{Describe, Text, display_in_english};

/// A public key as published at `jwks_uri`. Only public members are read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Jwk {
    /// The key type: `RSA` or `EC` for the allowed algorithms.
    pub kty: String,
    /// The key ID, matched against a token's `kid`.
    pub kid: Option<String>,
    /// The key's intended use (`use`); if present, must be `sig`.
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    /// The one algorithm the key is for, if the provider says.
    pub alg: Option<String>,
    // RSA
    /// The RSA modulus, base64url.
    pub n: Option<String>,
    /// The RSA public exponent, base64url.
    pub e: Option<String>,
    // EC
    /// The elliptic curve; only `P-256` is used.
    pub crv: Option<String>,
    /// The EC public point's x coordinate, base64url.
    pub x: Option<String>,
    /// The EC public point's y coordinate, base64url.
    pub y: Option<String>,
}

/// The document at `jwks_uri` (RFC 7517 §5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JwkSet {
    /// The published keys, current and (during a rotation) next.
    pub keys: Vec<Jwk>,
}

/// Why no key could be picked to verify a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key set is not JSON of the expected shape.
    MalformedKeySet,
    /// No fitting key has the token's `kid` (given): refetch the set once, as the keys may have rotated.
    UnknownKeyId(String),
    /// The token has no `kid` and no key fits its algorithm.
    NoSuitableKey,
}

/// Reads the document fetched from `jwks_uri`.
pub fn parse_jwk_set(body: &str) -> Result<JwkSet, KeyError> {
    crate::json::parse(body).ok_or(KeyError::MalformedKeySet)
}

impl Jwk {
    /// Can this key verify a signature made with `alg`?
    fn fits(&self, alg: SigningAlgorithm) -> bool {
        let complete = match alg.key_type() {
            "RSA" => self.n.is_some() && self.e.is_some(),
            _ => self.crv.as_deref() == Some("P-256") && self.x.is_some() && self.y.is_some(),
        };
        self.kty == alg.key_type()
            && complete
            && self.key_use.as_deref().is_none_or(|u| u == "sig")
            && self.alg.as_deref().is_none_or(|a| a == alg.name())
    }
}

/// The keys worth trying for a token with this header.
///
/// With a `kid`, only that key (an unknown `kid` means the provider rotated
/// its keys: the caller refetches the set once, then gives up). Without a
/// `kid`, every key of the right type: the only one, or each in turn.
pub fn candidate_keys<'a>(set: &'a JwkSet, header: &JwsHeader) -> Result<Vec<&'a Jwk>, KeyError> {
    let fitting = set.keys.iter().filter(|key| key.fits(header.alg));
    let candidates: Vec<&Jwk> = match &header.kid {
        Some(kid) => fitting.filter(|key| key.kid.as_deref() == Some(kid)).collect(),
        None => fitting.collect(),
    };
    match (&header.kid, candidates.is_empty()) {
        (Some(kid), true) => Err(KeyError::UnknownKeyId(kid.clone())),
        (None, true) => Err(KeyError::NoSuitableKey),
        _ => Ok(candidates),
    }
}

impl Describe for KeyError {
    fn text(&self) -> Text {
        match self {
            Self::MalformedKeySet => Text::new("key.malformed_key_set"),
            Self::UnknownKeyId(kid) => Text::new("key.unknown_key_id").quoting("kid", kid),
            Self::NoSuitableKey => Text::new("key.no_suitable_key"),
        }
    }
}

display_in_english!(KeyError);

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa(kid: Option<&str>) -> Jwk {
        Jwk {
            kty: "RSA".into(),
            kid: kid.map(Into::into),
            key_use: Some("sig".into()),
            alg: None,
            n: Some("n".into()),
            e: Some("AQAB".into()),
            crv: None,
            x: None,
            y: None,
        }
    }

    fn header(alg: SigningAlgorithm, kid: Option<&str>) -> JwsHeader {
        JwsHeader { alg, kid: kid.map(Into::into), typ: None }
    }

    #[test]
    fn kid_selects_exactly_that_key() {
        let set = JwkSet { keys: vec![rsa(Some("a")), rsa(Some("b"))] };
        let keys = candidate_keys(&set, &header(SigningAlgorithm::Rs256, Some("b"))).unwrap();
        assert_eq!(keys, vec![&set.keys[1]]);
    }

    #[test]
    fn unknown_kid_asks_for_a_refetch() {
        let set = JwkSet { keys: vec![rsa(Some("a"))] };
        assert_eq!(
            candidate_keys(&set, &header(SigningAlgorithm::Rs256, Some("rotated"))),
            Err(KeyError::UnknownKeyId("rotated".into()))
        );
    }

    #[test]
    fn kid_absent_single_jwks_uses_the_only_key() {
        let set = JwkSet { keys: vec![rsa(Some("a"))] };
        assert_eq!(candidate_keys(&set, &header(SigningAlgorithm::Rs256, None)).unwrap().len(), 1);
    }

    #[test]
    fn kid_absent_multiple_jwks_tries_each_key() {
        let set = JwkSet { keys: vec![rsa(Some("a")), rsa(Some("b"))] };
        assert_eq!(candidate_keys(&set, &header(SigningAlgorithm::Rs256, None)).unwrap().len(), 2);
    }

    #[test]
    fn keys_of_the_wrong_type_or_use_never_qualify() {
        let mut enc = rsa(Some("a"));
        enc.key_use = Some("enc".into());
        let mut other_alg = rsa(Some("b"));
        other_alg.alg = Some("RS512".into());
        let set = JwkSet { keys: vec![enc, other_alg, rsa(Some("c"))] };
        // An RSA key can never verify ES256.
        assert_eq!(
            candidate_keys(&set, &header(SigningAlgorithm::Es256, None)),
            Err(KeyError::NoSuitableKey)
        );
        assert_eq!(candidate_keys(&set, &header(SigningAlgorithm::Rs256, None)).unwrap(), vec![&set.keys[2]]);
        // A key that names its algorithm qualifies for that one.
        let named = Jwk { alg: Some("RS256".into()), ..rsa(Some("d")) };
        let set = JwkSet { keys: vec![named] };
        assert_eq!(candidate_keys(&set, &header(SigningAlgorithm::Rs256, None)).unwrap().len(), 1);
    }

    #[test]
    fn incomplete_keys_never_qualify() {
        let ec = |crv: Option<&str>, x: Option<&str>, y: Option<&str>| Jwk {
            kty: "EC".into(),
            crv: crv.map(Into::into),
            x: x.map(Into::into),
            y: y.map(Into::into),
            n: None,
            e: None,
            ..rsa(None)
        };
        let es256 = header(SigningAlgorithm::Es256, None);
        let complete = JwkSet { keys: vec![ec(Some("P-256"), Some("x"), Some("y"))] };
        assert_eq!(candidate_keys(&complete, &es256).unwrap().len(), 1);
        for key in [
            ec(Some("P-384"), Some("x"), Some("y")),
            ec(None, Some("x"), Some("y")),
            ec(Some("P-256"), None, Some("y")),
            ec(Some("P-256"), Some("x"), None),
        ] {
            assert_eq!(candidate_keys(&JwkSet { keys: vec![key] }, &es256), Err(KeyError::NoSuitableKey));
        }
        let rs256 = header(SigningAlgorithm::Rs256, None);
        for (n, e) in [(None, Some("AQAB")), (Some("n"), None)] {
            let key = Jwk { n: n.map(Into::into), e: e.map(Into::into), ..rsa(None) };
            assert_eq!(candidate_keys(&JwkSet { keys: vec![key] }, &rs256), Err(KeyError::NoSuitableKey));
        }
    }

    #[test]
    fn parses_a_published_key_set() {
        let set =
            parse_jwk_set(r#"{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y","kid":"e"}]}"#).unwrap();
        assert_eq!(set.keys[0].crv.as_deref(), Some("P-256"));
        assert_eq!(parse_jwk_set("[]"), Err(KeyError::MalformedKeySet));
    }
}
