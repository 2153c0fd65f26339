//! A signed-in session: the tokens (in memory only) and who signed in.

use crate::oauth::id_token::IdTokenClaims;
use crate::oauth::secret::{AccessToken, IdToken, RefreshToken};
use crate::oauth::userinfo::UserinfoClaims;

/// The person, from the verified ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The `sub` claim: the stable identifier to key the person's data on.
    pub subject: String,
    /// `name`, else `preferred_username`, for display only.
    pub name: Option<String>,
    /// The email address, for display only (not necessarily verified).
    pub email: Option<String>,
}

impl User {
    /// The person as the (verified) ID token's claims describe them.
    pub fn from_claims(claims: &IdTokenClaims) -> Self {
        Self {
            subject: claims.sub.clone().unwrap_or_default(),
            name: claims.name.clone().or_else(|| claims.preferred_username.clone()),
            email: claims.email.clone(),
        }
    }

    /// Adds what UserInfo knows (its `sub` was already checked to match).
    pub fn with_userinfo(self, userinfo: UserinfoClaims) -> Self {
        Self {
            subject: self.subject,
            name: userinfo.name.or(userinfo.preferred_username).or(self.name),
            email: userinfo.email.or(self.email),
        }
    }

    /// What to call the person: the name, else the subject.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.subject)
    }
}

/// Lives only in memory (a signal); its `Debug` redacts every token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The access token, for the protected APIs only.
    pub access_token: AccessToken,
    /// The refresh token, if the provider issued one; replaced when it rotates.
    pub refresh_token: Option<RefreshToken>,
    /// The latest verified ID token, as received (compact JWS).
    pub id_token: IdToken,
    /// The verified claims of the sign-in's ID token: refreshed ID tokens
    /// must keep its identity (OpenID Connect Core §12.2).
    pub id_token_claims: IdTokenClaims,
    /// Who signed in.
    pub user: User,
    /// Local time (ms since epoch) at which the token response arrived.
    pub received_at_ms: u64,
    /// Local time (ms since epoch) at which the access token expires,
    /// computed from `expires_in` and the local time the response arrived,
    /// so a skewed device clock does not matter.
    pub access_token_expires_at_ms: Option<u64>,
    /// The granted scopes, as a token response last named them.
    pub scope: Option<String>,
    /// The tokens are bound to this tab's DPoP key (`token_type` `DPoP`):
    /// each use needs a proof made with it.
    pub dpop: bool,
}

/// When a token with `expires_in` seconds, received at `received_at_ms`,
/// expires. Saturates: a provider's `expires_in` of 10^19 is "never", not
/// an overflow.
pub fn expiry_from(received_at_ms: u64, expires_in: Option<u64>) -> Option<u64> {
    expires_in.map(|seconds| received_at_ms.saturating_add(seconds.saturating_mul(1000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_measured_from_local_arrival_time() {
        assert_eq!(expiry_from(1_000, Some(600)), Some(601_000));
        assert_eq!(expiry_from(1_000, None), None);
        assert_eq!(expiry_from(1_000, Some(u64::MAX)), Some(u64::MAX));
    }

    #[test]
    fn display_name_falls_back_to_subject() {
        let user = User { subject: "alice".into(), name: None, email: None };
        assert_eq!(user.display_name(), "alice");
    }

    #[test]
    fn userinfo_adds_to_the_id_token_claims() {
        let user = User { subject: "alice".into(), name: None, email: Some("old@example.com".into()) };
        let userinfo = UserinfoClaims {
            sub: "alice".into(),
            name: Some("Alice".into()),
            preferred_username: None,
            email: None,
        };
        let merged = user.with_userinfo(userinfo);
        assert_eq!(merged.name.as_deref(), Some("Alice"));
        assert_eq!(merged.email.as_deref(), Some("old@example.com"));
    }

    #[test]
    fn session_debug_redacts_tokens() {
        let session = Session {
            access_token: AccessToken::new("AT-SECRET"),
            refresh_token: Some(RefreshToken::new("RT-SECRET")),
            id_token: IdToken::new("ID-SECRET"),
            id_token_claims: crate::oauth::id_token::parse_claims(b"{}").unwrap(),
            received_at_ms: 0,
            user: User { subject: "alice".into(), name: None, email: None },
            access_token_expires_at_ms: None,
            scope: None,
            dpop: false,
        };
        let shown = format!("{session:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
