//! Proof Key for Code Exchange (RFC 7636), S256 only.
//!
//! There is deliberately no `plain` method: RFC 9700 §2.1.1 forbids falling
//! back to it, so the type system offers no way to send it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::random::{RandomUnavailable, random_url_safe_string};

/// The only `code_challenge_method` this client ever sends.
pub const CHALLENGE_METHOD: &str = "S256";

/// The secret PKCE verifier. Not `Clone`: it is consumed by value by the one
/// token request that proves possession of it.
pub struct PkceCodeVerifier(String);

/// A stored verifier that breaks RFC 7636 §4.1's length or character rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a PKCE verifier must be 43 to 128 characters from [A-Za-z0-9-._~]")]
pub struct InvalidVerifier;

impl PkceCodeVerifier {
    /// A fresh verifier with 256 bits of entropy (RFC 7636 §4.1, §7.1).
    pub fn generate() -> Result<Self, RandomUnavailable> {
        random_url_safe_string().map(Self)
    }

    /// The raw verifier, for the token request and the challenge's hash only.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PkceCodeVerifier {
    type Error = InvalidVerifier;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let unreserved = |c: u8| c.is_ascii_alphanumeric() || b"-._~".contains(&c);
        if (43..=128).contains(&value.len()) && value.bytes().all(unreserved) {
            Ok(Self(value))
        } else {
            Err(InvalidVerifier)
        }
    }
}

/// Serialized only into this tab's sign-in transit entry.
impl miniserde::Serialize for PkceCodeVerifier {
    fn begin(&self) -> miniserde::ser::Fragment<'_> {
        crate::json::text_fragment(&self.0)
    }
}

/// Read back from the transit entry, with RFC 7636's rules checked again.
impl miniserde::Deserialize for PkceCodeVerifier {
    fn begin(out: &mut Option<Self>) -> &mut dyn miniserde::de::Visitor {
        crate::json::text_visitor(out)
    }
}

impl crate::json::FromJsonText for PkceCodeVerifier {
    fn from_json_text(text: &str) -> Option<Self> {
        Self::try_from(text.to_owned()).ok()
    }
}

impl std::fmt::Debug for PkceCodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PkceCodeVerifier([redacted])")
    }
}

/// The public half, sent in the authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkceCodeChallenge(String);

impl PkceCodeChallenge {
    /// The S256 challenge, `BASE64URL(SHA256(ASCII(verifier)))`, from the
    /// verifier's SHA-256 digest (WebCrypto computes it in the browser:
    /// `browser::webcrypto::pkce_challenge`).
    pub fn from_sha256(digest: &[u8]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(digest))
    }

    /// The challenge as sent in `code_challenge`; not a secret.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// What WebCrypto computes in the browser (tests/browser.rs checks it).
    pub(crate) fn challenge_of(verifier: &PkceCodeVerifier) -> PkceCodeChallenge {
        PkceCodeChallenge::from_sha256(&Sha256::digest(verifier.secret()))
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier =
            PkceCodeVerifier::try_from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned()).unwrap();
        assert_eq!(challenge_of(&verifier).as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn generated_verifier_has_256_bits_and_valid_charset() {
        let verifier = PkceCodeVerifier::generate().unwrap();
        // 43 base64url chars carry 258 bits; the raw input was 32 random bytes.
        assert_eq!(verifier.secret().len(), 43);
        assert!(PkceCodeVerifier::try_from(verifier.secret().to_owned()).is_ok());
    }

    #[test]
    fn every_attempt_gets_a_fresh_verifier() {
        let a = PkceCodeVerifier::generate().unwrap();
        let b = PkceCodeVerifier::generate().unwrap();
        assert_ne!(a.secret(), b.secret());
        assert_ne!(challenge_of(&a), challenge_of(&b));
    }

    #[test]
    fn rejects_verifiers_of_wrong_length_or_charset() {
        assert!(PkceCodeVerifier::try_from("a".repeat(42)).is_err());
        assert!(PkceCodeVerifier::try_from("a".repeat(129)).is_err());
        assert!(PkceCodeVerifier::try_from(format!("{}+", "a".repeat(43))).is_err());
        assert!(PkceCodeVerifier::try_from("a".repeat(128)).is_ok());
    }

    /// Read back from this tab's transit data, a verifier is checked again.
    #[test]
    fn a_verifier_read_from_json_keeps_rfc_7636s_rules() {
        let verifier = PkceCodeVerifier::generate().unwrap();
        let written = crate::json::to_string(&verifier);
        let read: PkceCodeVerifier = crate::json::parse(&written).unwrap();
        assert_eq!(read.secret(), verifier.secret());
        for wrong in ["a".repeat(42), format!("{}+", "a".repeat(42)), "a".repeat(129)] {
            assert!(crate::json::parse::<PkceCodeVerifier>(&crate::json::to_string(&wrong)).is_none(), "{wrong}");
        }
        assert!(crate::json::parse::<PkceCodeVerifier>("43").is_none());
    }

    #[test]
    fn debug_is_redacted() {
        let verifier = PkceCodeVerifier::generate().unwrap();
        let shown = format!("{verifier:?}");
        assert!(!shown.contains(verifier.secret()));
        assert_eq!(shown, "PkceCodeVerifier([redacted])");
    }
}
