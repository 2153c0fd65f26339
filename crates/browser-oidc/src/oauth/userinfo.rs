//! The UserInfo response (OpenID Connect Core §5.3) and its one safety
//! rule: its `sub` must be the ID token's `sub` (§5.3.2), or the claims may
//! describe someone else (token substitution).

use miniserde::Deserialize;
use crate::messages::{Describe, Text, display_in_english};

/// The UserInfo claims this client reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserinfoClaims {
    /// The subject; must equal the ID token's `sub`.
    pub sub: String,
    /// The person's full name, for display.
    pub name: Option<String>,
    /// The name the person prefers to be shown as; not unique, not an identifier.
    pub preferred_username: Option<String>,
    /// The person's email address; not necessarily verified.
    pub email: Option<String>,
}

/// Why the UserInfo claims could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserinfoError {
    /// The discovery document names no `userinfo_endpoint`.
    NotOffered,
    /// The endpoint answered with this HTTP status instead of 200.
    Status(u16),
    /// The body is not a JSON object with a string `sub`.
    Malformed,
    /// The claims describe another subject than the ID token (§5.3.2).
    SubjectMismatch,
}

/// Reads a UserInfo answer and checks its `sub` against the ID token's.
pub fn parse_userinfo(
    status: u16,
    body: &str,
    id_token_subject: &str,
) -> Result<UserinfoClaims, UserinfoError> {
    if status != 200 {
        return Err(UserinfoError::Status(status));
    }
    let claims: UserinfoClaims = crate::json::parse(body).ok_or(UserinfoError::Malformed)?;
    if claims.sub != id_token_subject {
        return Err(UserinfoError::SubjectMismatch);
    }
    Ok(claims)
}

impl Describe for UserinfoError {
    fn text(&self) -> Text {
        match self {
            Self::NotOffered => Text::new("userinfo.not_offered"),
            Self::Status(status) => Text::new("userinfo.status").quoting("status", status),
            Self::Malformed => Text::new("userinfo.malformed"),
            Self::SubjectMismatch => Text::new("userinfo.subject_mismatch"),
        }
    }
}

display_in_english!(UserinfoError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_with_the_same_subject_is_accepted() {
        let claims = parse_userinfo(200, r#"{"sub":"alice","email":"a@example.com"}"#, "alice").unwrap();
        assert_eq!(claims.email.as_deref(), Some("a@example.com"));
    }

    #[test]
    fn userinfo_invalid_sub_is_rejected() {
        assert_eq!(parse_userinfo(200, r#"{"sub":"mallory"}"#, "alice"), Err(UserinfoError::SubjectMismatch));
    }

    #[test]
    fn userinfo_without_sub_or_json_is_malformed() {
        assert_eq!(parse_userinfo(200, r#"{"name":"x"}"#, "alice"), Err(UserinfoError::Malformed));
        assert_eq!(parse_userinfo(200, "eyJhbGciOi.signed.jwt", "alice"), Err(UserinfoError::Malformed));
        assert_eq!(parse_userinfo(401, "", "alice"), Err(UserinfoError::Status(401)));
    }
}
