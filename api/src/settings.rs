//! Settings from the environment, with the local demo's values as defaults.

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The provider's issuer identifier (exactly as in its tokens).
    pub issuer: String,
    /// This API's resource identifier: the `aud` its tokens must carry.
    pub audience: String,
    /// The one browser origin allowed to call the API (CORS).
    pub allowed_origin: String,
    pub bind: SocketAddr,
    /// Tolerance for clock differences in `exp`, `nbf` and `iat`.
    pub leeway: Duration,
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        let bind = var("DEMO_API_BIND", "127.0.0.1:3000");
        let leeway = var("DEMO_API_LEEWAY_SECONDS", "30");
        Ok(Self {
            issuer: var("DEMO_API_ISSUER", "http://127.0.0.1:9000"),
            audience: var("DEMO_API_AUDIENCE", "http://127.0.0.1:3000"),
            allowed_origin: var("DEMO_API_ALLOWED_ORIGIN", "http://127.0.0.1:8080"),
            bind: bind.parse().map_err(|_| format!("DEMO_API_BIND is not an address: {bind}"))?,
            leeway: Duration::from_secs(
                leeway.parse().map_err(|_| format!("DEMO_API_LEEWAY_SECONDS is not a number: {leeway}"))?,
            ),
        })
    }
}
