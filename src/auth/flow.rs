//! The sign-in and sign-out flows: the protocol core plus the browser's
//! effects, in order. HTTP is a parameter so tests can play the provider.

use crate::browser::transit::{self, SIGN_IN_KEY, SignInTransit};
use crate::browser::webcrypto::verify_signature;
use crate::config::Config;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::callback::{CallbackError, CallbackExpectations, check_callback, parse_callback_query};
use crate::oauth::discovery::{ProviderMetadata, discovery_url, parse_metadata};
use crate::oauth::http::{HttpClient, HttpRequest};
use crate::oauth::id_token::{ExpectedClaims, IdTokenClaims, parse_claims, verify_claims};
use crate::oauth::jwks::{JwkSet, KeyError, candidate_keys, parse_jwk_set};
use crate::oauth::jwt::parse_jws;
use crate::oauth::pkce::PkceCodeVerifier;
use crate::oauth::random::random_url_safe_string;
use crate::oauth::return_path::safe_return_path;
use crate::oauth::secret::{CsrfState, IdToken, Nonce};
use crate::oauth::token::{code_exchange_body, parse_token_response};

use super::error::AuthError;
use super::session::{Session, User, expiry_from};

/// Fetches and checks the provider's metadata (its `issuer` must be exactly
/// the configured one).
pub async fn discover(http: &impl HttpClient, issuer: &str) -> Result<ProviderMetadata, AuthError> {
    let response = http.send(HttpRequest::get(discovery_url(issuer))).await?;
    if response.status != 200 {
        return Err(
            crate::oauth::discovery::DiscoveryError::Malformed(format!("HTTP {}", response.status)).into()
        );
    }
    Ok(parse_metadata(&response.body, issuer)?)
}

/// Prepares a sign-in: fresh `state`, `nonce` and PKCE verifier, kept in
/// this tab's sessionStorage, and returns the authorization URL to visit.
pub async fn start_sign_in(
    http: &impl HttpClient,
    config: &Config,
    return_path: &str,
) -> Result<String, AuthError> {
    let metadata = discover(http, &config.issuer).await?;
    let pending = SignInTransit {
        state: CsrfState::new(random_url_safe_string()?),
        nonce: Nonce::new(random_url_safe_string()?),
        verifier: PkceCodeVerifier::generate()?,
        return_path: safe_return_path(return_path),
    };
    let challenge = pending.verifier.challenge();
    let url = AuthorizationRequest {
        authorization_endpoint: &metadata.authorization_endpoint,
        client_id: &config.client_id,
        redirect_uri: &config.redirect_uri,
        scope: &config.scopes,
        state: &pending.state,
        nonce: &pending.nonce,
        code_challenge: &challenge,
        prompt: None,
    }
    .url();
    transit::save(SIGN_IN_KEY, &pending)?;
    Ok(url)
}

/// A completed sign-in and where the person wanted to be.
#[derive(Debug)]
pub struct SignedIn {
    pub session: Session,
    pub return_path: String,
}

/// Finishes the sign-in from the callback's query string. The caller has
/// already removed the query from the address bar.
pub async fn finish_sign_in(
    http: &impl HttpClient,
    config: &Config,
    callback_query: &str,
    now_millis: impl Fn() -> f64,
) -> Result<SignedIn, AuthError> {
    // Read once and deleted whatever happens next: a state is never reused.
    let pending: Option<SignInTransit> = transit::take(SIGN_IN_KEY);
    let response = parse_callback_query(callback_query)?;
    // Not started in this tab: refuse before talking to anyone.
    let pending = pending.ok_or(CallbackError::NoSignInInProgress)?;

    let metadata = discover(http, &config.issuer).await?;
    let code = check_callback(
        response,
        &CallbackExpectations {
            state: Some(&pending.state),
            issuer: &metadata.issuer,
            iss_required: metadata.authorization_response_iss_parameter_supported,
        },
    )?;

    let body = code_exchange_body(code, pending.verifier, &config.client_id, &config.redirect_uri);
    let response = http.send(HttpRequest::post_form(&metadata.token_endpoint, body)).await?;
    let received_at = now_millis();
    let tokens = parse_token_response(response.status, &response.body)?;
    let id_token = tokens.id_token.ok_or(crate::oauth::token::TokenError::IdTokenMissing)?;

    let expected = ExpectedClaims {
        issuer: &metadata.issuer,
        client_id: &config.client_id,
        nonce: Some(&pending.nonce),
        now_seconds: (now_millis() / 1000.0) as i64,
        leeway_seconds: config.clock_leeway_seconds,
    };
    let claims = verify_id_token(http, &metadata, &id_token, &expected).await?;

    Ok(SignedIn {
        session: Session {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token,
            user: User::from_claims(claims),
            access_token_expires_at_ms: expiry_from(received_at, tokens.expires_in),
            scope: tokens.scope,
        },
        return_path: safe_return_path(&pending.return_path),
    })
}

/// Verifies an ID token: its signature with a key from the provider's JWKS
/// (refetched once if the key is unknown, i.e. rotated), then its claims.
pub async fn verify_id_token(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    id_token: &IdToken,
    expected: &ExpectedClaims<'_>,
) -> Result<IdTokenClaims, AuthError> {
    let jws = parse_jws(id_token.secret())?;
    let mut keys = fetch_keys(http, &metadata.jwks_uri).await?;
    let candidates = match candidate_keys(&keys, &jws.header) {
        Err(KeyError::UnknownKeyId(_)) => {
            keys = fetch_keys(http, &metadata.jwks_uri).await?;
            candidate_keys(&keys, &jws.header)?
        }
        other => other?,
    };
    let mut verified = false;
    for key in candidates {
        if verify_signature(jws.header.alg, key, jws.signing_input.as_bytes(), &jws.signature).await? {
            verified = true;
            break;
        }
    }
    if !verified {
        return Err(AuthError::InvalidSignature);
    }
    let claims = parse_claims(&jws.payload)?;
    verify_claims(&claims, expected)?;
    Ok(claims)
}

async fn fetch_keys(http: &impl HttpClient, jwks_uri: &str) -> Result<JwkSet, AuthError> {
    let response = http.send(HttpRequest::get(jwks_uri)).await?;
    if response.status != 200 {
        return Err(KeyError::MalformedKeySet.into());
    }
    Ok(parse_jwk_set(&response.body)?)
}
