//! The token endpoint (RFC 6749 §4.1.3–§5.2): the code exchange request and
//! the parsing of its success and error responses.

use miniserde::Deserialize;

use super::pkce::PkceCodeVerifier;
use crate::json;
use super::provider_error::ProviderError;
use super::secret::{AccessToken, AuthorizationCode, IdToken, RefreshToken};
use crate::messages::{Describe, Text, display_in_english};

/// The form body of the authorization-code exchange. Takes the verifier and
/// the code by value: each is used for exactly one request.
pub fn code_exchange_body(
    code: AuthorizationCode,
    verifier: PkceCodeVerifier,
    client_id: &str,
    redirect_uri: &str,
) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code.secret())
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("client_id", client_id)
        .append_pair("code_verifier", verifier.secret())
        .finish()
}

/// The form body of a refresh (RFC 6749 §6) for a public client.
pub fn refresh_body(refresh_token: &RefreshToken, client_id: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("refresh_token", refresh_token.secret())
        .append_pair("client_id", client_id)
        .finish()
}

/// A successful token response (RFC 6749 §5.1) for an OpenID Connect client.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// The access token, for the protected APIs.
    pub access_token: AccessToken,
    /// `Bearer` or, bound to the client's key, `DPoP` (compared
    /// case-insensitively).
    pub token_type: String,
    /// The access token's lifetime in seconds, if the provider says.
    pub expires_in: Option<u64>,
    /// A refresh token, if issued; a rotating provider issues a new one each time.
    pub refresh_token: Option<RefreshToken>,
    /// The ID token: required on a code exchange, optional on a refresh (OIDC Core §12.2).
    pub id_token: Option<IdToken>,
    /// The granted scopes; may be left out when they are those asked for (RFC 6749 §5.1).
    pub scope: Option<String>,
}

impl TokenResponse {
    /// Is the access token bound to the client's key (`token_type` `DPoP`)?
    pub fn is_dpop(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("DPoP")
    }

    /// Refuses a token type the request did not ask for: `DPoP` without a
    /// proof sent, or `Bearer` after one. A provider that took the proof may
    /// still have bound the refresh token (RFC 9449 §5), and a bearer
    /// answer to a proof is a downgrade: neither is guessed at.
    pub fn check_binding(&self, proof_sent: bool) -> Result<(), TokenError> {
        match (self.is_dpop(), proof_sent) {
            (true, false) => Err(TokenError::UnsupportedTokenType(self.token_type.clone())),
            (false, true) => Err(TokenError::NotBound),
            _ => Ok(()),
        }
    }
}

/// Why a token request gave no usable tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The provider's error response (RFC 6749 §5.2), e.g. `invalid_grant`.
    Provider(ProviderError),
    /// A success status with a body that is not a valid token response.
    Malformed {
        /// What is wrong, without quoting the body (it may hold tokens), in
        /// English for developers (`Debug`); a person reads only that the
        /// answer could not be read.
        reason: String,
    },
    /// The body is kept for a developer, never shown: an error page that
    /// echoes the request could echo a code or a refresh token.
    UnexpectedStatus {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 200 characters).
        body: ResponseExcerpt,
    },
    /// `token_type` (given) is not `Bearer`.
    UnsupportedTokenType(String),
    /// A code exchange answered without the ID token OpenID Connect requires.
    IdTokenMissing,
    /// A proof was sent (DPoP), and the provider issued a bearer token anyway.
    NotBound,
}

/// Parses the token endpoint's answer. Error bodies are kept (shortened) for
/// the message; a success body is never echoed, since it holds tokens.
pub fn parse_token_response(status: u16, body: &str) -> Result<TokenResponse, TokenError> {
    if !(200..300).contains(&status) {
        return Err(match json::parse::<ProviderError>(body) {
            Some(error) => TokenError::Provider(error),
            None => TokenError::UnexpectedStatus { status, body: ResponseExcerpt(shorten(body)) },
        });
    }
    let response: TokenResponse =
        json::parse(body).ok_or_else(|| TokenError::Malformed { reason: why_malformed(body) })?;
    // RFC 6749 §5.1: token_type is case-insensitive.
    if !response.token_type.eq_ignore_ascii_case("Bearer") && !response.is_dpop() {
        return Err(TokenError::UnsupportedTokenType(response.token_type));
    }
    Ok(response)
}

/// The start of an error response's body, for a developer to read on
/// purpose ([`ResponseExcerpt::text`]). `Debug` does not print it: an error
/// page may echo the request, and with it a code or a refresh token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseExcerpt(String);

impl ResponseExcerpt {
    /// The text, at most 200 characters.
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ResponseExcerpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseExcerpt([not shown])")
    }
}

fn shorten(body: &str) -> String {
    const MAX: usize = 200;
    match body.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_owned(),
    }
}

/// What is wrong with a success body, for a developer: it names a missing
/// field or the kind of fault, never a value (which could be a token).
fn why_malformed(body: &str) -> String {
    let Some(object) = json::parse::<json::Object>(body) else {
        return "not valid JSON, or not an object".to_owned();
    };
    match ["access_token", "token_type"].into_iter().find(|field| !object.contains_key(*field)) {
        Some(missing) => format!("missing field `{missing}`"),
        None => "a field has the wrong type".to_owned(),
    }
}

impl Describe for TokenError {
    fn text(&self) -> Text {
        match self {
            Self::Provider(error) => Text::new("token.provider").with("reason", error.text()),
            Self::Malformed { .. } => Text::new("token.malformed"),
            Self::UnexpectedStatus { status, .. } => Text::new("token.unexpected_status").quoting("status", status),
            Self::UnsupportedTokenType(token_type) => {
                Text::new("token.unsupported_token_type").quoting("token_type", token_type)
            }
            Self::IdTokenMissing => Text::new("token.id_token_missing"),
            Self::NotBound => Text::new("token.not_bound"),
        }
    }
}

display_in_english!(TokenError);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use crate::session::error::AuthError;

    #[test]
    fn code_exchange_body_has_every_parameter_once() {
        let verifier =
            PkceCodeVerifier::try_from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned()).unwrap();
        let body = code_exchange_body(
            AuthorizationCode::new("c o+de"),
            verifier,
            "demo-spa",
            "http://127.0.0.1:8080/callback",
        );
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        let map: HashMap<_, _> = pairs.iter().cloned().collect();
        assert_eq!(pairs.len(), 5);
        assert_eq!(map["grant_type"], "authorization_code");
        assert_eq!(map["code"], "c o+de");
        assert_eq!(map["redirect_uri"], "http://127.0.0.1:8080/callback");
        assert_eq!(map["client_id"], "demo-spa");
        assert_eq!(map["code_verifier"], "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert!(!map.contains_key("client_secret"), "a public client has no secret");
    }

    const OK: &str = r#"{"access_token":"at","token_type":"Bearer","expires_in":600,
        "refresh_token":"rt","id_token":"a.b.c","scope":"openid api:read"}"#;

    #[test]
    fn parses_a_success_response() {
        let response = parse_token_response(200, OK).unwrap();
        assert_eq!(response.access_token.secret(), "at");
        assert_eq!(response.expires_in, Some(600));
        assert_eq!(response.refresh_token.unwrap().secret(), "rt");
        assert_eq!(response.scope.as_deref(), Some("openid api:read"));
    }

    /// FAPI 2 client test module `token-type-case-insensitivity`.
    #[test]
    fn token_type_case_insensitivity() {
        assert!(!parse_token_response(200, &OK.replace("Bearer", "bEaReR")).unwrap().is_dpop());
        assert!(parse_token_response(200, &OK.replace("Bearer", "dpop")).unwrap().is_dpop());
        assert!(parse_token_response(200, &OK.replace("Bearer", "DPOP")).unwrap().is_dpop());
        assert_eq!(
            parse_token_response(200, &OK.replace("Bearer", "mac")).unwrap_err(),
            TokenError::UnsupportedTokenType("mac".into())
        );
    }

    #[test]
    fn a_bearer_token_answering_a_proof_is_refused_and_dpop_without_a_proof_too() {
        let bearer = parse_token_response(200, OK).unwrap();
        let bound = parse_token_response(200, &OK.replace("Bearer", "DPoP")).unwrap();
        assert_eq!(bearer.check_binding(true), Err(TokenError::NotBound), "a downgrade");
        assert_eq!(bearer.check_binding(false), Ok(()));
        assert_eq!(bound.check_binding(true), Ok(()));
        assert_eq!(bound.check_binding(false), Err(TokenError::UnsupportedTokenType("DPoP".into())));
    }

    #[test]
    fn a_response_without_id_token_parses_for_the_caller_to_judge() {
        let body = r#"{"access_token":"at","token_type":"Bearer"}"#;
        assert!(parse_token_response(200, body).unwrap().id_token.is_none());
    }

    #[test]
    fn refresh_body_names_grant_token_and_client() {
        let body = refresh_body(&RefreshToken::new("rt/1"), "demo-spa");
        assert_eq!(body, "grant_type=refresh_token&refresh_token=rt%2F1&client_id=demo-spa");
    }

    #[test]
    fn provider_errors_are_parsed() {
        let body = r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
        assert_eq!(
            parse_token_response(400, body).unwrap_err(),
            TokenError::Provider(ProviderError::new(
                "invalid_grant",
                Some("grant request is invalid".into())
            ))
        );
    }

    #[test]
    fn an_unparseable_error_body_is_kept_but_never_printed() {
        assert_eq!(
            parse_token_response(502, "<h1>Bad Gateway</h1>").unwrap_err(),
            TokenError::UnexpectedStatus { status: 502, body: ResponseExcerpt("<h1>Bad Gateway</h1>".into()) }
        );
        let echoing = parse_token_response(500, "<p>refresh_token=RT-SECRET</p>").unwrap_err();
        assert_eq!(echoing.to_string(), "the provider answered the token request with HTTP 500");
        // An error page may echo the request: the body is read on purpose,
        // never printed by `Debug` (an app may log its errors).
        assert!(!format!("{echoing:?}").contains("RT-SECRET"), "{echoing:?}");
        assert!(!format!("{:?}", AuthError::from(echoing.clone())).contains("RT-SECRET"));
        let TokenError::UnexpectedStatus { body, .. } = echoing else { unreachable!() };
        assert_eq!(body.text(), "<p>refresh_token=RT-SECRET</p>", "there for whoever looks on purpose");
    }

    #[test]
    fn malformed_success_bodies_never_echo_tokens() {
        let err = parse_token_response(
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":"SECRET-AT"}"#,
        )
        .unwrap_err();
        // The developer's reason (in Debug) names the fault, never the value.
        let reason = |err: TokenError| match err {
            TokenError::Malformed { reason } => reason,
            other => panic!("{other:?}"),
        };
        assert!(!format!("{err:?}").contains("SECRET-AT"), "{err:?}");
        assert_eq!(err.to_string(), "the provider's token response could not be read");
        assert_eq!(reason(err), "a field has the wrong type");
        let err = parse_token_response(200, r#"{"access_token":"#).unwrap_err();
        assert!(reason(err).starts_with("not valid JSON"));
        let err = parse_token_response(200, r#"{"token_type":"Bearer"}"#).unwrap_err();
        assert!(reason(err).starts_with("missing field `access_token`"));
    }
}
