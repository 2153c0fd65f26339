//! [`User`]: who is signed in.

use std::sync::Arc;

use browser_oidc::oauth::jwt::parse_jws;
use browser_oidc::session::tokens::Session;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The person signed in, from the verified ID token (and UserInfo, when
/// the configuration asks for it).
#[derive(Clone)]
pub struct User {
    /// `sub`: the provider's stable identifier for the person.
    pub subject: String,
    /// `name`, else `preferred_username`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    session: Arc<Session>,
}

impl User {
    pub(crate) fn of(session: &Arc<Session>) -> Self {
        let user = &session.user;
        Self { subject: user.subject.clone(), name: user.name.clone(), email: user.email.clone(), session: session.clone() }
    }

    /// The name to greet the person by: their name, else their subject.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.subject)
    }

    /// Any claim of the verified ID token, typed as the app expects it:
    /// `user.claim::<Vec<String>>("roles")`. `None` when the token has no
    /// such claim, or it does not have that type.
    pub fn claim<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let jws = parse_jws(self.session.id_token.secret()).ok()?;
        let mut claims: Map<String, Value> = serde_json::from_slice(&jws.payload).ok()?;
        serde_json::from_value(claims.remove(name)?).ok()
    }
}

/// The same person with the same profile: a refresh does not change a `User`.
impl PartialEq for User {
    fn eq(&self, other: &Self) -> bool {
        (&self.subject, &self.name, &self.email) == (&other.subject, &other.name, &other.email)
    }
}

/// Shows the profile, never a token.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("subject", &self.subject).field("name", &self.name).field("email", &self.email).finish()
    }
}
