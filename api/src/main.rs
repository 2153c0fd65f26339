//! Starts the demo API: waits for the provider, loads its keys, serves.

use std::time::{Duration, Instant};

use demo_api::access_token::AccessTokenVerifier;
use demo_api::dpop::DpopPolicy;
use demo_api::keys::{DEFAULT_MIN_REFETCH_INTERVAL, KeyStore};
use demo_api::settings::Settings;
use demo_api::{AppState, app};
use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// How long to wait for the provider to come up before giving up.
const PROVIDER_WAIT: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

#[tokio::main]
async fn main() {
    // One JSON object per line: method, path, status and latency per request.
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    if let Err(message) = run().await {
        tracing::error!("{message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::from_env()?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;

    let discovery = discover(&client, &settings.issuer).await?;
    let keys = KeyStore::remote(client, discovery.jwks_uri, DEFAULT_MIN_REFETCH_INTERVAL)
        .await
        .map_err(|e| e.to_string())?;
    let mut verifier = AccessTokenVerifier::new(&settings.issuer, &settings.audience, settings.leeway, keys);
    if let Some(capacity) = std::num::NonZeroUsize::new(settings.token_cache) {
        verifier = verifier.with_token_cache(capacity);
    }
    let dpop = DpopPolicy::new(
        settings.dpop,
        &settings.public_origin,
        settings.leeway,
        settings.dpop_replay_capacity,
        settings.dpop_nonces,
    )?;
    let router = app(AppState::new(verifier, dpop), &settings.allowed_origin);

    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    tracing::info!(address = %settings.bind, issuer = %settings.issuer, audience = %settings.audience, "demo API listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// Fetches the provider's discovery document, retrying while it starts.
async fn discover(client: &reqwest::Client, issuer: &str) -> Result<Discovery, String> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let started = Instant::now();
    loop {
        let attempt = async {
            let response = client.get(&url).send().await.map_err(|e| e.to_string())?;
            let response = response.error_for_status().map_err(|e| e.to_string())?;
            response.json::<Discovery>().await.map_err(|e| e.to_string())
        };
        match attempt.await {
            Ok(discovery) if discovery.issuer == issuer => return Ok(discovery),
            Ok(discovery) => {
                return Err(format!(
                    "the provider at {url} says its issuer is {}, not {issuer}",
                    discovery.issuer
                ));
            }
            Err(reason) if started.elapsed() < PROVIDER_WAIT => {
                tracing::info!(%reason, "waiting for the provider at {url}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(reason) => return Err(format!("the provider at {url} did not answer: {reason}")),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("cannot install the SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
