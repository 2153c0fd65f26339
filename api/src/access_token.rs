//! Verifying a JWT access token (RFC 9068 §4) and the extractor that hands
//! handlers only verified claims.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::{Deserialize, Serialize};

use crate::dpop::{DpopMode, Presented};
use crate::keys::KeyStore;
use crate::rejection::{DpopRefusal, Rejection};
use crate::token_cache::{Cached, VerifiedTokens};
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
    /// Not before (RFC 7519 §4.1.5), if the token says.
    #[serde(default)]
    pub nbf: Option<u64>,
    /// Space-separated (RFC 9068 §2.2.3); absent means no scopes.
    #[serde(default)]
    pub scope: String,
    /// Required by RFC 9068 §2.2: a token's unique identifier.
    pub jti: String,
    /// The key the token is bound to (RFC 9449 §6), if any.
    #[serde(default)]
    pub cnf: Option<Confirmation>,
}

/// A token's `cnf` claim (RFC 7800).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The RFC 7638 SHA-256 thumbprint of the key the token is bound to.
    pub jkt: Option<String>,
}

impl AccessClaims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    /// The thumbprint of the key the token is bound to by DPoP, if it is.
    pub fn bound_to(&self) -> Option<&str> {
        self.cnf.as_ref()?.jkt.as_deref()
    }

    /// Bound to anything at all (DPoP, mTLS…): never a bearer token.
    pub fn is_bound(&self) -> bool {
        self.cnf.is_some()
    }
}

pub struct AccessTokenVerifier {
    leeway: Duration,
    keys: KeyStore,
    /// One `Validation` per allowed algorithm (issuer, audience, required
    /// claims, leeway), built once rather than on every request.
    validations: Vec<(Algorithm, Validation)>,
    /// Tokens verified before, if the cache is on.
    verified: Option<VerifiedTokens>,
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
        Self { leeway, keys, validations: ALLOWED_ALGORITHMS.map(validation_for).into(), verified: None }
    }

    /// Keeps up to `capacity` verified tokens, so that a token seen before
    /// skips its signature check (see [`crate::token_cache`]).
    pub fn with_token_cache(mut self, capacity: NonZeroUsize) -> Self {
        self.verified = Some(VerifiedTokens::new(capacity));
        self
    }

    /// The verified-token cache, if it is on.
    pub fn token_cache(&self) -> Option<&VerifiedTokens> {
        self.verified.as_ref()
    }

    pub async fn verify(&self, token: &str) -> Result<AccessClaims, Rejection> {
        self.verify_at(token, now_seconds()).await
    }

    /// [`Self::verify`], with `now` as the clock a cached token's times are
    /// checked against: for tests. A first verification's time checks are
    /// jsonwebtoken's, against the system clock, whatever `now` says.
    #[doc(hidden)]
    pub async fn verify_at(&self, token: &str, now: u64) -> Result<AccessClaims, Rejection> {
        let Some(verified) = &self.verified else { return self.verify_in_full(token).await.map(|(claims, _)| claims) };
        match verified.get(token, now, self.leeway.as_secs(), |kid| self.keys.current_key(kid)) {
            Cached::Valid(claims) => return Ok(claims),
            Cached::Expired => return Err(Rejection::InvalidToken(EXPIRED)),
            Cached::Unknown => {}
        }
        let (claims, (kid, key)) = self.verify_in_full(token).await?;
        verified.insert(token, &claims, kid.as_deref(), key);
        Ok(claims)
    }

    /// Every check, the signature included; with the `kid` and the key that
    /// verified it.
    async fn verify_in_full(&self, token: &str) -> Result<(AccessClaims, (Option<String>, Arc<DecodingKey>)), Rejection> {
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
        Ok((claims, (header.kid, key)))
    }
}

const EXPIRED: &str = "the access token has expired";

const MISSING_CLAIM: &str = "the access token lacks a required claim";

fn describe(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::ExpiredSignature => EXPIRED,
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

/// How the token came: `Authorization: Bearer` or `Authorization: DPoP`
/// with a proof. A refusal answers with a challenge for the same scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// Verified claims, extracted from `Authorization: Bearer <token>` or,
/// with its proof, `Authorization: DPoP <token>`.
pub struct VerifiedToken {
    pub claims: AccessClaims,
    pub scheme: Scheme,
}

impl VerifiedToken {
    /// Refuses a token without `scope`, in the scheme it came with.
    pub fn require_scope(&self, scope: &'static str) -> Result<(), Rejection> {
        match (self.claims.scopes().any(|s| s == scope), self.scheme) {
            (true, _) => Ok(()),
            (false, Scheme::Bearer) => Err(Rejection::InsufficientScope(scope)),
            (false, Scheme::Dpop) => Err(Rejection::Dpop(DpopRefusal::InsufficientScope(scope))),
        }
    }
}

impl FromRequestParts<AppState> for VerifiedToken {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer_accepted = state.dpop.mode == DpopMode::Allowed;
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
        let (scheme, token) = credentials(parts, bearer_accepted)?;
        if scheme == Scheme::Bearer && !bearer_accepted {
            return Err(Rejection::Dpop(DpopRefusal::InvalidToken("this API accepts only DPoP-bound access tokens")));
        }
        let under_scheme = |rejection| match (scheme, rejection) {
            (Scheme::Dpop, Rejection::InvalidToken(why)) => Rejection::Dpop(DpopRefusal::InvalidToken(why)),
            (Scheme::Dpop, Rejection::InvalidRequest(why)) => Rejection::Dpop(DpopRefusal::InvalidRequest(why)),
            (_, rejection) => rejection,
        };
        let claims = state.verifier.verify(token).await.map_err(under_scheme)?;
        match (scheme, claims.bound_to()) {
            // RFC 9449 §7.1: a bound token is useless without its key.
            (Scheme::Bearer, _) if claims.is_bound() => Err(Rejection::Dpop(DpopRefusal::InvalidToken(
                "the access token is bound to a key: send it with the DPoP scheme and a proof",
            ))),
            (Scheme::Bearer, _) => Ok(Self { claims, scheme }),
            (Scheme::Dpop, None) => Err(Rejection::Dpop(DpopRefusal::InvalidToken(
                "the access token is not bound to a DPoP key (no cnf.jkt)",
            ))),
            (Scheme::Dpop, Some(bound_to)) => {
                let proof = match single_header(parts, "dpop") {
                    Ok(proof) => proof,
                    Err(_) if !parts.headers.contains_key("dpop") => {
                        return Err(Rejection::Dpop(DpopRefusal::InvalidProof("the request has no DPoP proof")));
                    }
                    Err(why) => return Err(Rejection::Dpop(DpopRefusal::InvalidRequest(why))),
                };
                let presented = Presented {
                    proof,
                    method: parts.method.as_str(),
                    path: parts.uri.path(),
                    access_token: token,
                    bound_to,
                };
                state.dpop.check(&presented, now_seconds())?;
                Ok(Self { claims, scheme })
            }
        }
    }
}

/// The scheme and token of the one `Authorization` header.
fn credentials(parts: &Parts, bearer_accepted: bool) -> Result<(Scheme, &str), Rejection> {
    let missing = Rejection::MissingToken { bearer: bearer_accepted };
    let header = match single_header(parts, AUTHORIZATION.as_str()) {
        Ok(header) => header,
        Err(_) if !parts.headers.contains_key(AUTHORIZATION) => return Err(missing),
        Err(why) => return Err(Rejection::InvalidRequest(why)),
    };
    let Some((scheme, token)) = header.split_once(' ') else { return Err(missing) };
    // Schemes are case-insensitive (RFC 9110 §11.1).
    let scheme = match scheme {
        s if s.eq_ignore_ascii_case("Bearer") => Scheme::Bearer,
        s if s.eq_ignore_ascii_case("DPoP") => Scheme::Dpop,
        _ => return Err(missing),
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(Rejection::InvalidRequest("the Authorization header has no token"));
    }
    Ok((scheme, token))
}

/// The value of the one header `name`; two or more, or an unreadable one,
/// are refused with the reason.
fn single_header<'a>(parts: &'a Parts, name: &str) -> Result<&'a str, &'static str> {
    let mut values = parts.headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value.to_str().map_err(|_| "a header is malformed"),
        (None, _) => Err("a required header is missing"),
        (Some(_), Some(_)) => Err("send exactly one Authorization header and at most one DPoP header"),
    }
}

/// Shared so tests and `main` build the state the same way.
pub type SharedVerifier = Arc<AccessTokenVerifier>;
