//! The authorization request (RFC 6749 §4.1.1 with PKCE and OIDC `nonce`).

use super::pkce::{CHALLENGE_METHOD, PkceCodeChallenge};
use super::secret::{CsrfState, Nonce};

/// Everything one authorization request carries. Only `response_type=code`
/// exists here: the implicit and password grants are retired (RFC 9700 §2.1.2, §2.4).
pub struct AuthorizationRequest<'a> {
    /// The provider's authorization endpoint, from discovery.
    pub authorization_endpoint: &'a str,
    /// This app's client identifier.
    pub client_id: &'a str,
    /// Where the provider sends the browser back with the code.
    pub redirect_uri: &'a str,
    /// Space-separated scopes; includes `openid`.
    pub scope: &'a str,
    /// Binds the callback to this browser (CSRF protection, RFC 6749 §10.12).
    pub state: &'a CsrfState,
    /// Binds the ID token to this request (OIDC Core §3.1.2.1).
    pub nonce: &'a Nonce,
    /// The S256 challenge of this sign-in's PKCE verifier (RFC 7636 §4.2).
    pub code_challenge: &'a PkceCodeChallenge,
    /// The RFC 7638 thumbprint of the DPoP key the code is to be bound to
    /// (`dpop_jkt`, RFC 9449 §10): the code exchange must then carry a proof
    /// made with that key.
    pub dpop_jkt: Option<&'a str>,
    /// More parameters: `prompt=none` for a silent sign-in, or what the
    /// app asked of an interactive one (checked by `SignInOptions`).
    pub parameters: &'a [(String, String)],
}

impl AuthorizationRequest<'_> {
    /// The URL to send the browser to (a top-level redirect).
    pub fn url(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", self.client_id)
            .append_pair("redirect_uri", self.redirect_uri)
            .append_pair("scope", self.scope)
            .append_pair("state", self.state.secret())
            .append_pair("nonce", self.nonce.secret())
            .append_pair("code_challenge", self.code_challenge.as_str())
            .append_pair("code_challenge_method", CHALLENGE_METHOD);
        if let Some(thumbprint) = self.dpop_jkt {
            query.append_pair("dpop_jkt", thumbprint);
        }
        for (name, value) in self.parameters {
            query.append_pair(name, value);
        }
        append_query(self.authorization_endpoint, &query.finish())
    }
}

/// Appends `query` to an endpoint that may already carry a query of its own
/// (RFC 6749 §3.1 allows it and requires it to be kept).
pub fn append_query(endpoint: &str, query: &str) -> String {
    // RFC 6749 §3.1: an endpoint must not have a fragment; drop any.
    let base = endpoint.split('#').next().unwrap_or(endpoint);
    match base.find('?') {
        None => format!("{base}?{query}"),
        Some(_) if base.ends_with(['?', '&']) => format!("{base}{query}"),
        Some(_) => format!("{base}&{query}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::pkce::PkceCodeVerifier;
    use crate::oauth::pkce::tests::challenge_of;
    use std::collections::HashMap;
    use url::Url;

    fn query_of(url: &str) -> (Url, HashMap<String, String>) {
        let url = Url::parse(url).unwrap();
        let pairs = url.query_pairs().into_owned().collect();
        (url, pairs)
    }

    #[test]
    fn authorize_url_carries_code_flow_with_pkce_s256() {
        let verifier =
            PkceCodeVerifier::try_from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned()).unwrap();
        let state = CsrfState::new("the-state");
        let nonce = Nonce::new("the-nonce");
        let challenge = challenge_of(&verifier);
        let request = AuthorizationRequest {
            authorization_endpoint: "https://id.example.com/authorize",
            client_id: "demo-spa",
            redirect_uri: "http://127.0.0.1:8080/callback",
            scope: "openid profile email api:read",
            state: &state,
            nonce: &nonce,
            code_challenge: &challenge,
            dpop_jkt: None,
            parameters: &[],
        };
        let (url, query) = query_of(&request.url());
        assert_eq!(url.origin().ascii_serialization(), "https://id.example.com");
        assert_eq!(url.path(), "/authorize");
        let expected: HashMap<String, String> = [
            ("response_type", "code"),
            ("client_id", "demo-spa"),
            ("redirect_uri", "http://127.0.0.1:8080/callback"),
            ("scope", "openid profile email api:read"),
            ("state", "the-state"),
            ("nonce", "the-nonce"),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(query, expected);
        // Each parameter exactly once (RFC 6749 §3.1).
        assert_eq!(url.query_pairs().count(), expected.len());
    }

    #[test]
    fn prompt_none_is_added_for_silent_restore() {
        let verifier = PkceCodeVerifier::generate().unwrap();
        let (state, nonce, challenge) = (CsrfState::new("s"), Nonce::new("n"), challenge_of(&verifier));
        let silent = [("prompt".to_owned(), "none".to_owned()), ("login_hint".to_owned(), "a&b=c d".to_owned())];
        let request = AuthorizationRequest {
            authorization_endpoint: "https://id.example.com/authorize?tenant=a",
            client_id: "c",
            redirect_uri: "https://app.example/callback",
            scope: "openid",
            state: &state,
            nonce: &nonce,
            code_challenge: &challenge,
            dpop_jkt: None,
            parameters: &silent,
        };
        let (_, query) = query_of(&request.url());
        assert!(!query.contains_key("dpop_jkt"), "no key, no binding");
        assert_eq!(query["prompt"], "none");
        assert_eq!(query["login_hint"], "a&b=c d", "values are form-encoded");
        assert_eq!(query["tenant"], "a", "the endpoint's own query is kept");
    }

    #[test]
    fn the_code_is_bound_to_the_dpop_key_by_its_thumbprint() {
        let verifier = PkceCodeVerifier::generate().unwrap();
        let (state, nonce, challenge) = (CsrfState::new("s"), Nonce::new("n"), challenge_of(&verifier));
        // RFC 7638 §3.1's example thumbprint.
        let thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
        let request = AuthorizationRequest {
            authorization_endpoint: "https://id.example.com/authorize",
            client_id: "c",
            redirect_uri: "https://app.example/callback",
            scope: "openid",
            state: &state,
            nonce: &nonce,
            code_challenge: &challenge,
            dpop_jkt: Some(thumbprint),
            parameters: &[],
        };
        let url = Url::parse(&request.url()).unwrap();
        let bound: Vec<_> = url.query_pairs().filter(|(name, _)| name == "dpop_jkt").collect();
        assert_eq!(bound.len(), 1);
        assert_eq!(bound[0].1, thumbprint);
    }

    #[test]
    fn append_query_handles_existing_queries_and_fragments() {
        assert_eq!(append_query("https://a/x", "b=1"), "https://a/x?b=1");
        assert_eq!(append_query("https://a/x?t=1", "b=1"), "https://a/x?t=1&b=1");
        assert_eq!(append_query("https://a/x?", "b=1"), "https://a/x?b=1");
        assert_eq!(append_query("https://a/x#frag", "b=1"), "https://a/x?b=1");
    }
}
