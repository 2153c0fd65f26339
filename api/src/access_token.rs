//! Verifying a JWT access token (RFC 9068 §4) and the extractor that hands
//! handlers only verified claims.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use serde::{Deserialize, Serialize};

use crate::keys::KeyStore;
use crate::rejection::Rejection;
use crate::routes::AppState;

/// Asymmetric algorithms only: an HS256 token "signed" with the provider's
/// public key must never verify (algorithm confusion); `none` cannot even
/// be parsed by `jsonwebtoken`.
const ALLOWED_ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256];

/// The claims of a verified access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub client_id: String,
    pub exp: u64,
    pub iat: u64,
    /// Space-separated (RFC 9068 §2.2.3); absent means no scopes.
    #[serde(default)]
    pub scope: String,
    /// Required by RFC 9068 §2.2: a token's unique identifier.
    pub jti: String,
}

impl AccessClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    pub fn require_scope(&self, scope: &'static str) -> Result<(), Rejection> {
        if self.scopes().any(|s| s == scope) { Ok(()) } else { Err(Rejection::InsufficientScope(scope)) }
    }
}

pub struct AccessTokenVerifier {
    leeway: Duration,
    keys: KeyStore,
    /// One `Validation` per allowed algorithm (issuer, audience, required
    /// claims, leeway), built once rather than on every request.
    validations: Vec<(Algorithm, Validation)>,
}

impl AccessTokenVerifier {
    pub fn new(issuer: &str, audience: &str, leeway: Duration, keys: KeyStore) -> Self {
        let validation_for = |alg: Algorithm| {
            let mut validation = Validation::new(alg);
            validation.algorithms = vec![alg];
            validation.set_issuer(&[issuer]);
            validation.set_audience(&[audience]);
            validation.required_spec_claims = HashSet::from(["exp", "iss", "aud", "sub"].map(String::from));
            validation.validate_exp = true;
            validation.validate_nbf = true;
            validation.leeway = leeway.as_secs();
            (alg, validation)
        };
        Self { leeway, keys, validations: ALLOWED_ALGORITHMS.map(validation_for).into() }
    }

    pub async fn verify(&self, token: &str) -> Result<AccessClaims, Rejection> {
        let header =
            decode_header(token).map_err(|_| Rejection::InvalidToken("the access token is malformed"))?;
        // RFC 9068 §4: the header's typ must be at+jwt, so that an ID token
        // (or any other JWT from the same provider) is not accepted here.
        let typ = header.typ.as_deref().unwrap_or_default();
        if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
            return Err(Rejection::InvalidToken("the token is not an access token (typ)"));
        }
        let Some((_, validation)) = self.validations.iter().find(|(alg, _)| *alg == header.alg) else {
            return Err(Rejection::InvalidToken("the token's signing algorithm is not allowed"));
        };
        let key = self
            .keys
            .key_for(header.kid.as_deref())
            .await
            .ok_or(Rejection::InvalidToken("the token was signed with an unknown key"))?;

        let claims = decode::<AccessClaims>(token, &key, validation)
            .map_err(|error| Rejection::InvalidToken(describe(error.kind())))?
            .claims;

        if claims.iat > now_seconds() + self.leeway.as_secs() {
            return Err(Rejection::InvalidToken("the token claims to be issued in the future"));
        }
        if claims.jti.is_empty() || claims.client_id.is_empty() {
            return Err(Rejection::InvalidToken(MISSING_CLAIM));
        }
        Ok(claims)
    }
}

const MISSING_CLAIM: &str = "the access token lacks a required claim";

fn describe(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::ExpiredSignature => "the access token has expired",
        ErrorKind::ImmatureSignature => "the access token is not valid yet",
        ErrorKind::InvalidIssuer => "the access token is from another issuer",
        ErrorKind::InvalidAudience => "the access token is not meant for this API",
        ErrorKind::InvalidSignature => "the access token's signature is not valid",
        ErrorKind::MissingRequiredClaim(_) => MISSING_CLAIM,
        // The claims this API reads itself (client_id, iat, jti) are
        // required by the type they are read into.
        ErrorKind::Json(error) if error.to_string().starts_with("missing field") => MISSING_CLAIM,
        // A key of the wrong family for the algorithm lands below too.
        _ => "the access token is malformed",
    }
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Verified claims, extracted from `Authorization: Bearer <token>` only.
pub struct VerifiedToken(pub AccessClaims);

impl FromRequestParts<AppState> for VerifiedToken {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // RFC 9700 §4.3 / RFC 6750 §5.3: a token in the URL leaks into logs
        // and history; refuse it outright rather than ignore it.
        let in_query = parts
            .uri
            .query()
            .is_some_and(|q| q.split('&').any(|pair| pair.split('=').next() == Some("access_token")));
        if in_query {
            return Err(Rejection::InvalidRequest(
                "send the access token in the Authorization header, not in the URL",
            ));
        }
        let mut headers = parts.headers.get_all(AUTHORIZATION).iter();
        let (Some(header), None) = (headers.next(), headers.next()) else {
            return Err(match parts.headers.contains_key(AUTHORIZATION) {
                true => Rejection::InvalidRequest("send exactly one Authorization header"),
                false => Rejection::MissingToken,
            });
        };
        let header = header
            .to_str()
            .map_err(|_| Rejection::InvalidRequest("the Authorization header is malformed"))?;
        let Some((scheme, token)) = header.split_once(' ') else {
            return Err(Rejection::MissingToken);
        };
        if !scheme.eq_ignore_ascii_case("Bearer") {
            return Err(Rejection::MissingToken);
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(Rejection::InvalidRequest("the Authorization header has no token"));
        }
        state.verifier.verify(token).await.map(VerifiedToken)
    }
}

/// Shared so tests and `main` build the state the same way.
pub type SharedVerifier = Arc<AccessTokenVerifier>;
