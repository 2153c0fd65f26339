//! The API's routes. `app()` builds the router without a socket, so tests
//! drive it with `oneshot`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::cors::CorsLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use std::sync::Arc;

use crate::access_token::{AccessTokenVerifier, SharedVerifier, VerifiedToken};
use crate::dpop::DpopPolicy;
use crate::rejection::DPOP_NONCE;
use crate::rejection::Rejection;

pub const READ_SCOPE: &str = "api:read";

#[derive(Clone)]
pub struct AppState {
    pub verifier: SharedVerifier,
    pub dpop: Arc<DpopPolicy>,
}

impl AppState {
    pub fn new(verifier: AccessTokenVerifier, dpop: DpopPolicy) -> Self {
        Self { verifier: Arc::new(verifier), dpop: Arc::new(dpop) }
    }
}

pub fn app(state: AppState, allowed_origin: &str) -> Router {
    Router::new()
        .route("/api/greeting", get(greeting))
        .route("/healthz", get(|| async { "ok" }))
        // RFC 9449 §8.2: each answer carries the nonce to use next, when
        // the API demands them, so a client never waits for a refusal.
        .layer(axum::middleware::map_response_with_state(state.clone(), give_nonce))
        .layer(cors(allowed_origin))
        // Logs method, path and status, never the query or headers: a
        // misbehaving client's token must not end up in a log line.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

fn cors(allowed_origin: &str) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET])
        .allow_headers([header::AUTHORIZATION, HeaderName::from_static("dpop")])
        // Lets the app read why a token was refused (RFC 6750 §3) and the
        // nonce its next DPoP proof must carry (RFC 9449 §8).
        .expose_headers([
            HeaderName::from_static("www-authenticate"),
            DPOP_NONCE,
            // A client with a wrong clock learns the time from `Date` (DPoP
            // proofs carry it), and when to come back from `Retry-After`.
            header::DATE,
            header::RETRY_AFTER,
        ])
        .max_age(std::time::Duration::from_secs(600));
    match HeaderValue::from_str(allowed_origin) {
        Ok(origin) => layer.allow_origin(origin),
        Err(_) => layer, // no origin allowed at all
    }
}

async fn give_nonce(State(state): State<AppState>, mut response: axum::response::Response) -> axum::response::Response {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if let Some(nonce) = state.dpop.current_nonce(now)
        && !response.headers().contains_key(DPOP_NONCE)
        && let Ok(value) = HeaderValue::from_str(&nonce)
    {
        response.headers_mut().insert(DPOP_NONCE, value);
    }
    response
}

#[derive(Debug, Serialize)]
struct Greeting {
    message: String,
    subject: String,
    client_id: String,
    scopes: Vec<String>,
    token_expires_at: u64,
    server_time: u64,
}

async fn greeting(State(_): State<AppState>, token: VerifiedToken) -> Result<Json<Greeting>, Rejection> {
    token.require_scope(READ_SCOPE)?;
    let claims = token.claims;
    Ok(Json(Greeting {
        message: format!("Hello, {}! The API verified your access token.", claims.sub),
        subject: claims.sub.clone(),
        client_id: claims.client_id.clone(),
        scopes: claims.scopes().map(String::from).collect(),
        token_expires_at: claims.exp,
        server_time: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
    }))
}
