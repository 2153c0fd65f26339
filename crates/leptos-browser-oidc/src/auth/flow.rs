//! The two coarse effects of a sign-in: preparing the authorization request
//! and finishing it at the callback (code exchange, ID-token verification,
//! UserInfo). HTTP is a parameter so tests can play the provider (including
//! a misbehaving one); the session core decides when each runs.

use crate::browser::dpop::CodeBinding;
use crate::browser::names::Names;
use crate::browser::transit;
use crate::browser::webcrypto::{pkce_challenge, verify_with_any_key};
use browser_oidc::config::DpopMode;
use browser_oidc::config::Config;
use browser_oidc::oauth::authorize::AuthorizationRequest;
use browser_oidc::oauth::callback::{CallbackError, CallbackExpectations, check_callback, parse_callback_query};
use browser_oidc::oauth::discovery::{DiscoveryError, ProviderMetadata, discovery_url, parse_metadata};
use browser_oidc::oauth::http::{HttpClient, HttpRequest};
use browser_oidc::oauth::id_token::{
    ExpectedClaims, IdTokenClaims, check_requested_authentication, parse_claims, verify_claims,
};
use browser_oidc::oauth::jwks::{Jwk, JwkSet, KeyError, candidate_keys, parse_jwk_set};
use browser_oidc::oauth::jwt::parse_jws;
use browser_oidc::oauth::pkce::PkceCodeVerifier;
use browser_oidc::oauth::random::random_url_safe_string;
use browser_oidc::oauth::revocation::revocation_body;
use browser_oidc::oauth::return_path::safe_return_path;
use browser_oidc::oauth::secret::{AccessToken, CsrfState, IdToken, Nonce};
use browser_oidc::oauth::token::{TokenError, TokenResponse, code_exchange_body, parse_token_response};
use browser_oidc::oauth::userinfo::{UserinfoClaims, UserinfoError, parse_userinfo};
use browser_oidc::session::error::{AuthError, CryptoError};
use browser_oidc::session::tokens::{Session, User, expiry_from};
use browser_oidc::session::transit::SignInTransit;
use browser_oidc::session::{SignInMode, SignInOptions, SignedIn};
use futures_util::future::join;

/// Fetches and checks the provider's metadata (its `issuer` must be exactly
/// the configured one).
pub async fn discover(http: &impl HttpClient, issuer: &str) -> Result<ProviderMetadata, AuthError> {
    // A public document: the page may have preloaded it (deploy-headers adds
    // the `<link rel="preload">`), in parallel with the wasm.
    let response = http.send(HttpRequest::get_public_document(discovery_url(issuer))).await?;
    if response.status != 200 {
        return Err(DiscoveryError::UnexpectedStatus(response.status).into());
    }
    Ok(parse_metadata(&response.body, issuer)?)
}

/// Gets ready for a click on Sign in while the signed-out page is read:
/// discovers the provider (whose document the page preloaded) and, if its
/// codes will be bound to this tab's key, makes the key and its database.
/// The provider's metadata is for that click's sign-in; `None` if
/// discovery failed (the click discovers again, and says why it fails).
pub async fn get_ready(http: &(impl HttpClient + CodeBinding), config: &Config, names: &Names) -> Option<ProviderMetadata> {
    let metadata = discover(http, &config.issuer).await.ok()?;
    if uses_dpop(config, &metadata) == Ok(true) {
        http.get_ready(names).await;
    }
    Some(metadata)
}

/// Prepares a sign-in: fresh `state`, `nonce` and PKCE verifier, kept in
/// this tab's sessionStorage under the app's `names`, and returns the
/// authorization URL to visit. With DPoP, the code is bound to this tab's
/// key, kept for the callback. `discovered` is the provider's metadata if
/// [`get_ready`] found it already; otherwise it is discovered now.
pub async fn start_sign_in(
    http: &(impl HttpClient + CodeBinding),
    config: &Config,
    names: &Names,
    discovered: Option<ProviderMetadata>,
    return_path: &str,
    mode: SignInMode,
    options: &SignInOptions,
) -> Result<String, AuthError> {
    let sign_in = SignInRequest { keep_key_as: Some(names), discovered, return_path, mode };
    let (url, pending) = authorization_request(http, config, sign_in, options).await?;
    transit::save(&names.sign_in(), &pending)?;
    Ok(url)
}

/// Renews the session without leaving the page: a silent sign-in in a
/// hidden frame (`frame` loads the URL and gives the query of the page it
/// comes back to), answering at `silent_redirect_uri`. Its transit data
/// stays in memory, and its code is bound to this tab's key as it is; the
/// code is exchanged and the ID token verified as at a callback.
pub async fn renew_in_frame(
    http: &(impl HttpClient + CodeBinding),
    config: &Config,
    names: &Names,
    frame: impl AsyncFnOnce(&str, &str) -> Option<String>,
    now_millis: impl Fn() -> f64,
) -> Result<SignedIn, AuthError> {
    let Some(silent_redirect_uri) = &config.silent_redirect_uri else { return Err(AuthError::SilentSignInDeclined) };
    let config = Config { redirect_uri: silent_redirect_uri.clone(), ..config.clone() };
    let sign_in = SignInRequest { keep_key_as: None, discovered: None, return_path: "/", mode: SignInMode::Renewal };
    let (url, pending) = authorization_request(http, &config, sign_in, &SignInOptions::default()).await?;
    // No page came back in time: the provider kept the frame, or the
    // browser blocked it. Declined, as far as the session can tell.
    let query = frame(&url, &config.redirect_uri).await.ok_or(AuthError::SilentSignInDeclined)?;
    finish_sign_in(http, &config, names, &query, Some(pending), now_millis).await
}

/// What differs between the sign-ins [`authorization_request`] prepares.
struct SignInRequest<'a> {
    /// With DPoP, where the key is kept for a callback after a redirect;
    /// `None` for a frame, which binds the key as it is.
    keep_key_as: Option<&'a Names>,
    /// The provider's metadata, if already discovered.
    discovered: Option<ProviderMetadata>,
    return_path: &'a str,
    mode: SignInMode,
}

/// The authorization URL of a sign-in, and its transit data. With DPoP,
/// the code is bound to this tab's key.
async fn authorization_request(
    http: &(impl HttpClient + CodeBinding),
    config: &Config,
    sign_in: SignInRequest<'_>,
    options: &SignInOptions,
) -> Result<(String, SignInTransit), AuthError> {
    let SignInRequest { keep_key_as, discovered, return_path, mode } = sign_in;
    // A silent sign-in asks for nothing but `prompt=none`.
    let parameters = match mode.is_silent() {
        true => vec![("prompt".to_owned(), "none".to_owned())],
        false => options.parameters()?,
    };
    let metadata = match discovered.filter(|metadata| metadata.issuer == config.issuer) {
        Some(metadata) => metadata,
        None => discover(http, &config.issuer).await?,
    };
    // Refused before the person leaves, not after they signed in.
    let dpop = uses_dpop(config, &metadata)?;
    let mut pending = SignInTransit {
        state: CsrfState::new(random_url_safe_string()?),
        nonce: Nonce::new(random_url_safe_string()?),
        verifier: PkceCodeVerifier::generate()?,
        return_path: safe_return_path(return_path),
        silent: mode.is_silent(),
        renewal: mode == SignInMode::Renewal,
        metadata: Some(metadata.clone()),
        max_age: options.requested_max_age().filter(|_| !mode.is_silent()),
        requested_at: Some((crate::browser::clock::now_millis() / 1000) as i64),
        required_acr: options.required_acr().filter(|_| !mode.is_silent()),
        dpop_key: None,
    };
    let challenge = pkce_challenge(&pending.verifier).await?;
    // Kept last: nothing after it fails but saving the transit.
    let (kept_key, thumbprint) = match keep_key_as {
        _ if !dpop => (None, None),
        Some(names) => {
            let kept = http.keep_key(names).await;
            let thumbprint = kept.as_ref().map(|kept| kept.thumbprint.clone());
            (kept.map(|kept| kept.id), thumbprint)
        }
        None => (None, http.thumbprint().await),
    };
    pending.dpop_key = kept_key;
    let url = AuthorizationRequest {
        authorization_endpoint: &metadata.authorization_endpoint,
        client_id: &config.client_id,
        redirect_uri: &config.redirect_uri,
        scope: &config.scopes,
        state: &pending.state,
        nonce: &pending.nonce,
        code_challenge: &challenge,
        dpop_jkt: thumbprint.as_deref(),
        parameters: &parameters,
    }
    .url();
    Ok((url, pending))
}

/// The errors with which a provider declines a `prompt=none` request.
const SILENT_REFUSALS: [&str; 4] =
    ["login_required", "interaction_required", "consent_required", "account_selection_required"];

/// Finishes the sign-in from the callback's query string, with the transit
/// data of the sign-in this tab started (read once, already deleted). The
/// caller has already removed the query from the address bar.
pub async fn finish_sign_in(
    http: &(impl HttpClient + CodeBinding),
    config: &Config,
    names: &Names,
    callback_query: &str,
    pending: Option<SignInTransit>,
    now_millis: impl Fn() -> f64,
) -> Result<SignedIn, AuthError> {
    // The key the code is bound to, taken back (and forgotten where it was
    // kept) however the sign-in ends.
    let key_back = match pending.as_ref().and_then(|pending| pending.dpop_key.as_deref()) {
        Some(id) => http.take_key(names, id).await,
        None => true,
    };
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
            iss_required: metadata.requires_iss_parameter(),
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
    if !key_back {
        // A restore says nothing: the person simply is not signed in.
        return Err(match pending.silent {
            true => AuthError::SilentSignInDeclined,
            false => CallbackError::BoundKeyMissing.into(),
        });
    }

    let body = code_exchange_body(code, pending.verifier, &config.client_id, &config.redirect_uri);
    let dpop = uses_dpop(config, &metadata)?;
    // The keys are fetched while the code is exchanged: one round trip less.
    let (tokens, keys) =
        join(request_tokens(http, &metadata, body, dpop, &now_millis), fetch_keys(http, &metadata.jwks_uri)).await;
    let (tokens, received_at) = tokens?;
    // The provider has issued tokens: if the sign-in refuses them, they are
    // revoked, so none outlives it.
    let checked = async {
        tokens.check_binding(dpop)?;
        let id_token = tokens.id_token.clone().ok_or(TokenError::IdTokenMissing)?;
        let expected = expected_claims(config, &metadata, Some(&pending.nonce), &now_millis);
        let (claims, keys) = verify_id_token_with_keys(http, &metadata, keys.ok(), &id_token, &expected).await?;
        let required_acr = pending.required_acr.as_deref();
        let requested_at = pending.requested_at.unwrap_or(expected.now_seconds);
        check_requested_authentication(&claims, pending.max_age, required_acr, requested_at, expected.leeway_seconds)?;
        let mut user = User::from_claims(&claims);
        if config.fetch_userinfo {
            let userinfo = fetch_userinfo(http, &metadata, &tokens.access_token, tokens.is_dpop(), &user.subject).await?;
            user = user.with_userinfo(userinfo);
        }
        Ok::<_, AuthError>((id_token, claims, keys, user))
    };
    let (id_token, claims, keys, user) = match checked.await {
        Ok(checked) => checked,
        Err(error) => {
            revoke(http, &metadata, &config.client_id, &tokens).await;
            return Err(error);
        }
    };
    Ok(SignedIn {
        session: new_session(tokens, id_token, claims, user, received_at),
        metadata,
        keys: Some(keys),
        return_path: safe_return_path(&pending.return_path),
        silent: pending.silent,
    })
}

/// Revokes refused tokens (RFC 7009), the refresh token first; best effort,
/// so a provider without the endpoint or unreachable changes nothing.
async fn revoke(http: &impl HttpClient, metadata: &ProviderMetadata, client_id: &str, tokens: &TokenResponse) {
    let Some(endpoint) = &metadata.revocation_endpoint else { return };
    let refresh = tokens.refresh_token.as_ref().map(|token| (token.secret(), "refresh_token"));
    for (token, hint) in refresh.into_iter().chain([(tokens.access_token.secret(), "access_token")]) {
        let _ = http.send(HttpRequest::post_form(endpoint, revocation_body(token, hint, client_id))).await;
    }
}

/// Fetches UserInfo with the access token (bound by DPoP if `dpop`); its
/// `sub` must be `subject`.
pub async fn fetch_userinfo(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    access_token: &AccessToken,
    dpop: bool,
    subject: &str,
) -> Result<UserinfoClaims, AuthError> {
    let Some(endpoint) = &metadata.userinfo_endpoint else {
        return Err(UserinfoError::NotOffered.into());
    };
    let scheme = if dpop { "DPoP" } else { "Bearer" };
    let request = HttpRequest::get(endpoint)
        .with_header("Authorization", format!("{scheme} {}", access_token.secret()))
        .with_dpop(dpop);
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
    Ok(verify_id_token_with_keys(http, metadata, keys, id_token, expected).await?.0)
}

/// [`verify_id_token`], also returning the key set that verified it, for
/// the session to keep.
async fn verify_id_token_with_keys(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    keys: Option<JwkSet>,
    id_token: &IdToken,
    expected: &ExpectedClaims<'_>,
) -> Result<(IdTokenClaims, JwkSet), AuthError> {
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
    if !verify_with_any_key(jws.header.alg, candidates, jws.signing_input.as_bytes(), &jws.signature).await? {
        return Err(AuthError::InvalidSignature);
    }
    let claims = parse_claims(&jws.payload)?;
    verify_claims(&claims, expected)?;
    Ok((claims, keys))
}

/// Does the signature of `id_token` verify with one of `keys` (WebCrypto)?
/// A token that cannot be taken apart does not verify.
pub async fn check_signature(id_token: &IdToken, keys: &[Jwk]) -> Result<bool, CryptoError> {
    let Ok(jws) = parse_jws(id_token.secret()) else { return Ok(false) };
    verify_with_any_key(jws.header.alg, keys, jws.signing_input.as_bytes(), &jws.signature).await
}

/// Whether this sign-in asks for tokens bound to the tab's key: the
/// configuration's `dpop`, and what the provider advertises.
fn uses_dpop(config: &Config, metadata: &ProviderMetadata) -> Result<bool, AuthError> {
    match config.dpop {
        DpopMode::Off => Ok(false),
        DpopMode::IfSupported => Ok(metadata.supports_dpop()),
        DpopMode::Required if metadata.supports_dpop() => Ok(true),
        DpopMode::Required => Err(DiscoveryError::DpopUnsupported.into()),
    }
}

async fn request_tokens(
    http: &impl HttpClient,
    metadata: &ProviderMetadata,
    body: String,
    dpop: bool,
    now_millis: &impl Fn() -> f64,
) -> Result<(TokenResponse, u64), AuthError> {
    let response = http.send(HttpRequest::post_form(&metadata.token_endpoint, body).with_dpop(dpop)).await?;
    let received_at = now_millis() as u64;
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
    received_at: u64,
) -> Session {
    Session {
        dpop: tokens.is_dpop(),
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
