//! Fresh random values for `state`, `nonce` and the PKCE verifier, from the
//! operating system's CSPRNG (`crypto.getRandomValues` in the browser).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use crate::messages::{Describe, Text, display_in_english};

/// 32 bytes = 256 bits of entropy, which RFC 7636 §7.1 asks of the verifier.
pub const RANDOM_BYTES: usize = 32;

/// The platform has no CSPRNG: no sign-in can start without one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RandomUnavailable;

/// 256 random bits as 43 base64url characters (all in PKCE's unreserved set).
pub fn random_url_safe_string() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl Describe for RandomUnavailable {
    fn text(&self) -> Text {
        Text::new("random_unavailable")
    }
}

display_in_english!(RandomUnavailable);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_43_url_safe_chars_and_differ() {
        let a = random_url_safe_string().unwrap();
        let b = random_url_safe_string().unwrap();
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
    }
}
