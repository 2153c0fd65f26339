//! The sign-in, refresh and ID-token flows: the protocol core plus the
//! browser's effects, in order. HTTP is a parameter so tests can play the
//! provider (including a misbehaving one).

use crate::browser::transit::{self, SIGN_IN_KEY, SignInTransit};
use crate::browser::webcrypto::{pkce_challenge, verify_signature};
use crate::config::Config;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::callback::{CallbackError, CallbackExpectations, check_callback, parse_callback_query};
use crate::oauth::discovery::{DiscoveryError, ProviderMetadata, discovery_url, parse_metadata};
use crate::oauth::http::{HttpClient, HttpRequest};
use crate::oauth::id_token::{
    ExpectedClaims, IdTokenClaims, check_refreshed_claims, parse_claims, verify_claims,
};
use crate::oauth::jwks::{JwkSet, KeyError, candidate_keys, parse_jwk_set};
use crate::oauth::jwt::parse_jws;
use crate::oauth::pkce::PkceCodeVerifier;
use crate::oauth::random::random_url_safe_string;
use crate::oauth::return_path::safe_return_path;
use crate::oauth::secret::{AccessToken, CsrfState, IdToken, Nonce};
use crate::oauth::token::{
    TokenError, TokenResponse, code_exchange_body, parse_token_response, refresh_body,
};
use crate::oauth::userinfo::{UserinfoClaims, UserinfoError, parse_userinfo};
use futures_util::future::join;

use super::error::AuthError;
use super::session::{Session, User, expiry_from};

/// Fetches and checks the provider's metadata (its `issuer` must be exactly
/// the configured one).
pub async fn discover(http: &impl HttpClient, issuer: &str) -> Result<ProviderMetadata, AuthError> {
    let response = http.send(HttpRequest::get(discovery_url(issuer))).await?;
    if response.status != 200 {
        return Err(DiscoveryError::Malformed(format!("HTTP {}", response.status)).into());
    }
    Ok(parse_metadata(&response.body, issuer)?)
}

/// Interactive, or a silent restore (`prompt=none`) that shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMode {
    Interactive,
    Silent,
}

/// Prepares a sign-in: fresh `state`, `nonce` and PKCE verifier, kept in
/// this tab's sessionStorage, and returns the authorization URL to visit.
pub async fn start_sign_in(
    http: &impl HttpClient,
    config: &Config,
    return_path: &str,
    mode: SignInMode,
) -> Result<String, AuthError> {
    let metadata = discover(http, &config.issuer).await?;
    let pending = SignInTransit {
        state: CsrfState::new(random_url_safe_string()?),
        nonce: Nonce::new(random_url_safe_string()?),
        verifier: PkceCodeVerifier::generate()?,
        return_path: safe_return_path(return_path),
        silent: mode == SignInMode::Silent,
        metadata: Some(metadata.clone()),
    };
    let challenge = pkce_challenge(&pending.verifier).await?;
    let url = AuthorizationRequest {
        authorization_endpoint: &metadata.authorization_endpoint,
        client_id: &config.client_id,
        redirect_uri: &config.redirect_uri,
        scope: &config.scopes,
        state: &pending.state,
        nonce: &pending.nonce,
        code_challenge: &challenge,
        prompt: (mode == SignInMode::Silent).then_some("none"),
    }
    .url();
    transit::save(SIGN_IN_KEY, &pending)?;
    Ok(url)
}

/// The errors with which a provider declines a `prompt=none` request.
const SILENT_REFUSALS: [&str; 4] =
    ["login_required", "interaction_required", "consent_required", "account_selection_required"];

/// A completed sign-in and where the person wanted to be.
#[derive(Debug)]
pub struct SignedIn {
    pub session: Session,
    /// The metadata the sign-in used, for the session's refreshes.
    pub metadata: ProviderMetadata,
    pub return_path: String,
    pub silent: bool,
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

    // The metadata this sign-in started with: one round trip less.
    let metadata = match pending.metadata {
        Some(kept) => kept.check(&config.issuer)?,
        None => discover(http, &config.issuer).await?,
    };
    let checked = check_callback(
        response,
        &CallbackExpectations {
            state: Some(&pending.state),
            issuer: &metadata.issuer,
            iss_required: metadata.authorization_response_iss_parameter_supported,
        },
    );
    let code = match checked {
        // OIDC Core §3.1.2.6: a silent attempt needs the person; say nothing.
        Err(CallbackError::Provider(e)) if pending.silent && SILENT_REFUSALS.contains(&e.error.as_str()) => {
            return Err(AuthError::SilentSignInDeclined);
        }
        Err(CallbackError::Cancelled) if pending.silent => return Err(AuthError::SilentSignInDeclined),
        other => other?,
    };

    let body = code_exchange_body(code, pending.verifier, &config.client_id, &config.redirect_uri);
    // The keys are fetched while the code is exchanged: one round trip less.
    let (tokens, keys) =
        join(request_tokens(http, &metadata, body, &now_millis), fetch_keys(http, &metadata.jwks_uri)).await;
    let (tokens, received_at) = tokens?;
    let id_token = tokens.id_token.clone().ok_or(TokenError::IdTokenMissing)?;
    let expected = expected_claims(config, &metadata, Some(&pending.nonce), &now_millis);
    let claims = verify_id_token(http, &metadata, keys.ok(), &id_token, &expected).await?;

    let mut user = User::from_claims(&claims);
    if config.fetch_userinfo {
        let userinfo = fetch_userinfo(http, &metadata, &tokens.access_token, &user.subject).await?;
        user = user.with_userinfo(userinfo);
    }
    Ok(SignedIn {
        session: new_session(tokens, id_token, claims, user, received_at),
        metadata,
        return_path: safe_return_path(&pending.return_path),
        silent: pending.silent,
    })
}

/// Exchanges the refresh token for new tokens. The new refresh token (if
/// rotated) replaces the old one in the returned session; a new ID token is
/// verified like the first and must keep its identity (§12.2).
pub async fn refresh(
    http: &impl HttpClient,
    config: &Config,
    metadata: &ProviderMetadata,
    session: &Session,
    now_millis: impl Fn() -> f64,
) -> Result<Session, AuthError> {
    let refresh_token = session.refresh_token.as_ref().ok_or(AuthError::NoRefreshToken)?;
    let body = refresh_body(refresh_token, &config.client_id);
    let (mut tokens, received_at) = request_tokens(http, metadata, body, &now_millis).await?;

    let (id_token, claims) = match tokens.id_token.take() {
        Some(id_token) => {
            let expected = expected_claims(config, metadata, None, &now_millis);
            let claims = verify_id_token(http, metadata, None, &id_token, &expected).await?;
            check_refreshed_claims(&session.id_token_claims, &claims)?;
            (id_token, claims)
        }
        None => (session.id_token.clone(), session.id_token_claims.clone()),
    };
    tokens.refresh_token = tokens.refresh_token.or_else(|| session.refresh_token.clone());
    let user = session.user.clone();
    Ok(new_session(tokens, id_token, claims, user, received_at))
}

/// Fetches UserInfo with the access token; its `sub` must be `subject`.
pub async fn fetch_userinfo(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    access_token: &AccessToken,
    subject: &str,
) -> Result<UserinfoClaims, AuthError> {
    let Some(endpoint) = &metadata.userinfo_endpoint else {
        return Err(UserinfoError::NotOffered.into());
    };
    let request =
        HttpRequest::get(endpoint).with_header("Authorization", format!("Bearer {}", access_token.secret()));
    let response = http.send(request).await?;
    Ok(parse_userinfo(response.status, &response.body, subject)?)
}

/// Verifies an ID token: its signature with a key from the provider's JWKS
/// (`keys` if already fetched; refetched once if the key is unknown, i.e.
/// rotated), then its claims.
pub async fn verify_id_token(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    keys: Option<JwkSet>,
    id_token: &IdToken,
    expected: &ExpectedClaims<'_>,
) -> Result<IdTokenClaims, AuthError> {
    let jws = parse_jws(id_token.secret())?;
    let mut keys = match keys {
        Some(keys) => keys,
        None => fetch_keys(http, &metadata.jwks_uri).await?,
    };
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

async fn request_tokens(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    body: String,
    now_millis: &impl Fn() -> f64,
) -> Result<(TokenResponse, f64), AuthError> {
    let response = http.send(HttpRequest::post_form(&metadata.token_endpoint, body)).await?;
    let received_at = now_millis();
    Ok((parse_token_response(response.status, &response.body)?, received_at))
}

fn expected_claims<'a>(
    config: &'a Config,
    metadata: &'a ProviderMetadata,
    nonce: Option<&'a Nonce>,
    now_millis: &impl Fn() -> f64,
) -> ExpectedClaims<'a> {
    ExpectedClaims {
        issuer: &metadata.issuer,
        client_id: &config.client_id,
        nonce,
        now_seconds: (now_millis() / 1000.0) as i64,
        leeway_seconds: config.clock_leeway_seconds,
    }
}

fn new_session(
    tokens: TokenResponse,
    id_token: IdToken,
    claims: IdTokenClaims,
    user: User,
    received_at: f64,
) -> Session {
    Session {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token,
        id_token_claims: claims,
        user,
        received_at_ms: received_at,
        access_token_expires_at_ms: expiry_from(received_at, tokens.expires_in),
        scope: tokens.scope,
    }
}

async fn fetch_keys(http: &impl HttpClient, jwks_uri: &str) -> Result<JwkSet, AuthError> {
    let response = http.send(HttpRequest::get(jwks_uri)).await?;
    if response.status != 200 {
        return Err(KeyError::MalformedKeySet.into());
    }
    Ok(parse_jwk_set(&response.body)?)
}
