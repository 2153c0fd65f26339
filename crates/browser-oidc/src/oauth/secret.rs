//! Types for protocol values that must never be shown: tokens, codes, the
//! PKCE verifier, `state` and `nonce`. `Debug` prints `[redacted]`, there is
//! no `Display` or `Deref`, and the value is read explicitly via `.secret()`.

use subtle::ConstantTimeEq;

use crate::json::{FromJsonText, text_fragment, text_visitor};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident $(, $derive:ident)*) => {
        $(#[$doc])*
        #[derive($($derive),*)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value received or generated; `Debug` will not show it.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The raw value, for the one place that must send it.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Compares in constant time (no early exit on the first
            /// differing byte), as RFC 9700 asks for `state` and `nonce`.
            pub fn matches(&self, other: &str) -> bool {
                self.0.as_bytes().ct_eq(other.as_bytes()).into()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// An OAuth 2.0 access token (RFC 6749 §1.4).
    AccessToken, Clone
);
secret_type!(
    /// An OAuth 2.0 refresh token (RFC 6749 §1.5).
    RefreshToken, Clone
);
secret_type!(
    /// A compact, signed OpenID Connect ID token, as received.
    IdToken, Clone
);
secret_type!(
    /// The one-time authorization code from the callback (RFC 6749 §4.1.2).
    AuthorizationCode
);
secret_type!(
    /// The CSRF `state` of one sign-in or sign-out attempt (RFC 6749 §10.12).
    CsrfState
);
secret_type!(
    /// The OpenID Connect `nonce` that binds the ID token to one attempt.
    Nonce
);
secret_type!(
    /// A URL or query string that carries secrets: an authorization request
    /// (`state`, `nonce`), a callback (`code`), an end-session request
    /// (`id_token_hint`).
    SecretUrl, Clone
);

/// Read from JSON: the tokens of a token response, and the `state` and
/// `nonce` of this tab's transit data.
macro_rules! read_from_json {
    ($($name:ident),*) => {$(
        impl miniserde::Deserialize for $name {
            fn begin(out: &mut Option<Self>) -> &mut dyn miniserde::de::Visitor {
                text_visitor(out)
            }
        }

        impl FromJsonText for $name {
            fn from_json_text(text: &str) -> Option<Self> {
                Some(Self(text.to_owned()))
            }
        }
    )*};
}
read_from_json!(AccessToken, RefreshToken, IdToken, CsrfState, Nonce);

/// Written only into this tab's transit data. No token type can be written
/// as JSON at all, so none can reach storage by mistake.
macro_rules! written_to_transit {
    ($($name:ident),*) => {$(
        impl miniserde::Serialize for $name {
            fn begin(&self) -> miniserde::ser::Fragment<'_> {
                text_fragment(&self.0)
            }
        }
    )*};
}
written_to_transit!(CsrfState, Nonce);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_value() {
        let shown = format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            AccessToken::new("at-secret-value"),
            RefreshToken::new("rt-secret-value"),
            IdToken::new("eyJ.id.token"),
            AuthorizationCode::new("code-secret-value"),
            CsrfState::new("state-secret-value"),
            Nonce::new("nonce-secret-value"),
            SecretUrl::new("https://op.test/logout?id_token_hint=eyJ.secret-value"),
        );
        assert!(!shown.contains("secret-value"), "{shown}");
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(shown.contains("AccessToken([redacted])"));
    }

    #[test]
    fn matches_compares_whole_values() {
        let state = CsrfState::new("abc123");
        assert!(state.matches("abc123"));
        assert!(!state.matches("abc124"));
        assert!(!state.matches("abc12"));
        assert!(!state.matches(""));
    }
}
