//! Settings from the environment, with the local demo's values as defaults.

use std::net::SocketAddr;
use std::time::Duration;

use crate::dpop::DpopMode;

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
    /// `DEMO_API_DPOP`: `allowed` (the default: a bound token needs its
    /// proof, an unbound one may come as Bearer) or `required`.
    pub dpop: DpopMode,
    /// `DEMO_API_DPOP_NONCE`: `on` to demand server nonces in proofs (off by default).
    pub dpop_nonces: bool,
    /// `DEMO_API_DPOP_REPLAY_CAPACITY`: how many proofs the replay cache
    /// holds before it refuses new ones (each costs about 50 bytes).
    /// `DEMO_API_PUBLIC_ORIGIN` is checked by `DpopPolicy::new`.
    pub dpop_replay_capacity: usize,
    /// `DEMO_API_PUBLIC_ORIGIN`: where browsers reach the API, for a
    /// proof's `htu` (by default the audience's origin).
    pub public_origin: String,
    /// `DEMO_API_TOKEN_CACHE`: how many verified tokens to keep, so that a
    /// token seen before skips its signature check (each costs about half a
    /// KB); `0` turns the cache off. By default 10,000, at most 1,000,000.
    pub token_cache: usize,
}

/// About half a GB of verified tokens: more is a typo, refused at start
/// (the cache reserves its room up front).
pub const MAX_TOKEN_CACHE: usize = 1_000_000;

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        let bind = var("DEMO_API_BIND", "127.0.0.1:3000");
        let leeway = var("DEMO_API_LEEWAY_SECONDS", "30");
        let audience = var("DEMO_API_AUDIENCE", "http://127.0.0.1:3000");
        let dpop = match var("DEMO_API_DPOP", "allowed").as_str() {
            "allowed" => DpopMode::Allowed,
            "required" => DpopMode::Required,
            other => return Err(format!("DEMO_API_DPOP must be allowed or required, not {other}")),
        };
        let dpop_nonces = match var("DEMO_API_DPOP_NONCE", "off").as_str() {
            "off" => false,
            "on" => true,
            other => return Err(format!("DEMO_API_DPOP_NONCE must be on or off, not {other}")),
        };
        let capacity = var("DEMO_API_DPOP_REPLAY_CAPACITY", "1000000");
        let token_cache = var("DEMO_API_TOKEN_CACHE", "10000");
        Ok(Self {
            issuer: var("DEMO_API_ISSUER", "http://127.0.0.1:9000"),
            public_origin: var("DEMO_API_PUBLIC_ORIGIN", &audience),
            audience,
            dpop,
            dpop_nonces,
            dpop_replay_capacity: capacity
                .parse()
                .ok()
                .filter(|capacity| *capacity > 0)
                .ok_or(format!("DEMO_API_DPOP_REPLAY_CAPACITY is not a positive number: {capacity}"))?,
            token_cache: token_cache
                .parse()
                .ok()
                .filter(|tokens| *tokens <= MAX_TOKEN_CACHE)
                .ok_or(format!(
                    "DEMO_API_TOKEN_CACHE is not a number of tokens from 0 (off) to {MAX_TOKEN_CACHE}: {token_cache}"
                ))?,
            allowed_origin: var("DEMO_API_ALLOWED_ORIGIN", "http://127.0.0.1:8080"),
            bind: bind.parse().map_err(|_| format!("DEMO_API_BIND is not an address: {bind}"))?,
            leeway: Duration::from_secs(
                leeway.parse().map_err(|_| format!("DEMO_API_LEEWAY_SECONDS is not a number: {leeway}"))?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests below set variables that `Settings::from_env` reads: one at a time.
    static ENVIRONMENT: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// A replay cache with no room would refuse every proof: the capacity
    /// must be a positive number, and one is enough.
    #[test]
    fn the_replay_capacity_must_be_a_positive_number() {
        const NAME: &str = "DEMO_API_DPOP_REPLAY_CAPACITY";
        let _one_at_a_time = ENVIRONMENT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let with_capacity = |value: &str| {
            // SAFETY: the other tests that touch the environment wait for ENVIRONMENT.
            unsafe { std::env::set_var(NAME, value) };
            let settings = Settings::from_env();
            unsafe { std::env::remove_var(NAME) };
            settings
        };
        assert_eq!(with_capacity("1").map(|settings| settings.dpop_replay_capacity), Ok(1));
        for refused in ["0", "-1", "many"] {
            let error = with_capacity(refused).map(|settings| settings.dpop_replay_capacity).unwrap_err();
            assert_eq!(error, format!("{NAME} is not a positive number: {refused}"));
        }
    }

    /// The verified-token cache: a number of tokens, 0 for none, by default
    /// 10,000; anything else stops the API with the reason.
    #[test]
    fn the_token_cache_is_a_number_of_tokens_and_0_turns_it_off() {
        const NAME: &str = "DEMO_API_TOKEN_CACHE";
        let _one_at_a_time = ENVIRONMENT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let with_cache = |value: Option<&str>| {
            // SAFETY: the other tests that touch the environment wait for ENVIRONMENT.
            if let Some(value) = value {
                unsafe { std::env::set_var(NAME, value) };
            }
            let settings = Settings::from_env();
            unsafe { std::env::remove_var(NAME) };
            settings.map(|settings| settings.token_cache)
        };
        assert_eq!(with_cache(None), Ok(10_000));
        assert_eq!(with_cache(Some("0")), Ok(0));
        assert_eq!(with_cache(Some("50")), Ok(50));
        assert_eq!(with_cache(Some("1000000")), Ok(MAX_TOKEN_CACHE));
        for refused in ["lots", "-1", "1000001"] {
            assert_eq!(
                with_cache(Some(refused)),
                Err(format!("{NAME} is not a number of tokens from 0 (off) to 1000000: {refused}"))
            );
        }
    }
}
