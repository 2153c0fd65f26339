//! [`User`]: who is signed in.

use std::sync::Arc;

use browser_oidc::oauth::jwt::parse_jws;
use browser_oidc::session::tokens::Session;
use browser_oidc::json::{self, Object, Value};
use serde::de::DeserializeOwned;

/// The person signed in, from the verified ID token (and UserInfo, when
/// the configuration asks for it). Holds no token.
#[derive(Clone)]
pub struct User {
    /// `sub`: the provider's stable identifier for the person.
    pub subject: String,
    /// `name`, else `preferred_username`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// Every claim of the verified ID token, read once.
    claims: Arc<Object>,
}

impl User {
    pub(crate) fn of(session: &Session) -> Self {
        let user = &session.user;
        let claims = parse_jws(session.id_token.secret())
            .ok()
            .and_then(|jws| json::parse(std::str::from_utf8(&jws.payload).ok()?))
            .unwrap_or_default();
        Self {
            subject: user.subject.clone(),
            name: user.name.clone(),
            email: user.email.clone(),
            claims: Arc::new(claims),
        }
    }

    /// The name to greet the person by: their name, else their subject.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.subject)
    }

    /// Any claim of the verified ID token, typed as the app expects it:
    /// `user.claim::<Vec<String>>("roles")`. `None` when the token has no
    /// such claim, or it does not have that type. Read with serde, so the
    /// app's own claim types derive `serde::Deserialize`; serde_json is in
    /// the app's wasm only if it calls this. (A number that is not an
    /// integer may come back off in its last binary digit.)
    pub fn claim<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        serde_json::from_str(&json::to_string(self.claims.get(name)?)).ok()
    }
}

/// Claims that change with every ID token of one session.
const PER_TOKEN_CLAIMS: [&str; 7] = ["iat", "exp", "nbf", "jti", "nonce", "at_hash", "c_hash"];

/// The same person with the same claims: a refreshed ID token with only a
/// new `iat` or `exp` is the same `User`, so views of it are not rebuilt.
impl PartialEq for User {
    fn eq(&self, other: &Self) -> bool {
        // A JSON value has no `==`: claims compare as the JSON they are.
        fn lasting(user: &User) -> impl Iterator<Item = (&String, String)> {
            let lasting = user.claims.iter().filter(|(name, _)| !PER_TOKEN_CLAIMS.contains(&name.as_str()));
            lasting.map(|(name, value): (&String, &Value)| (name, json::to_string(value)))
        }
        (&self.subject, &self.name, &self.email) == (&other.subject, &other.name, &other.email)
            && lasting(self).eq(lasting(other))
    }
}

/// Shows the profile; the other claims (a `nonce`, a `sid`) are left out.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("subject", &self.subject)
            .field("name", &self.name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use browser_oidc::oauth::id_token::parse_claims;
    use browser_oidc::oauth::secret::{AccessToken, IdToken};
    use browser_oidc::session::tokens;

    /// A user from an ID token with these claims (the signature is not
    /// looked at here: the session holds only verified tokens).
    fn user_with(claims: &str) -> User {
        let b64 = |text: &str| URL_SAFE_NO_PAD.encode(text);
        let id_token = format!("{}.{}.{}", b64(r#"{"alg":"RS256"}"#), b64(claims), b64("sig"));
        let session = Session {
            access_token: AccessToken::new("at"),
            refresh_token: None,
            id_token: IdToken::new(id_token),
            id_token_claims: parse_claims(claims.as_bytes()).unwrap(),
            user: tokens::User { subject: "alice".into(), name: None, email: None },
            received_at_ms: 0,
            access_token_expires_at_ms: None,
            scope: None,
            dpop: false,
        };
        User::of(&session)
    }

    #[test]
    fn any_claim_reads_into_the_apps_own_serde_type() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Address {
            locality: String,
        }
        let user = user_with(
            r#"{"sub":"alice","roles":["admin","reader"],"address":{"locality":"Oxford"},"level":3,"exp":1}"#,
        );
        assert_eq!(user.claim::<Vec<String>>("roles"), Some(vec!["admin".to_owned(), "reader".to_owned()]));
        assert_eq!(user.claim::<Address>("address"), Some(Address { locality: "Oxford".into() }));
        assert_eq!(user.claim::<u8>("level"), Some(3));
        assert_eq!(user.claim::<String>("roles"), None, "another type");
        assert_eq!(user.claim::<String>("groups"), None, "no such claim");
    }

    #[test]
    fn the_same_person_with_a_new_token_is_the_same_user() {
        let user = user_with(r#"{"sub":"alice","roles":["admin"],"iat":1,"exp":2}"#);
        assert_eq!(user, user_with(r#"{"sub":"alice","roles":["admin"],"iat":5,"exp":9}"#));
        assert_ne!(user, user_with(r#"{"sub":"alice","roles":["reader"],"iat":1,"exp":2}"#));
        assert_ne!(user, user_with(r#"{"sub":"alice","iat":1,"exp":2}"#));
    }
}
