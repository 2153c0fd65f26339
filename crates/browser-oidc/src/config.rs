//! Runtime configuration, fetched from `/config.json` at start so that one
//! build serves any environment and any standard OpenID Provider.

use serde_json::{Map, Value};

use crate::oauth::endpoint_url::parse_endpoint_url;

pub const CONFIG_PATH: &str = "/config.json";
const DEFAULT_LEEWAY_SECONDS: i64 = 60;
const MAX_LEEWAY_SECONDS: i64 = 600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The OpenID Provider's issuer identifier; discovery starts here.
    pub issuer: String,
    pub client_id: String,
    /// Registered exactly at the provider; must be on this app's origin.
    pub redirect_uri: String,
    pub post_logout_redirect_uri: String,
    /// Space-separated; always includes `openid`.
    pub scopes: String,
    /// The protected API the app calls with the access token.
    pub api_base_url: String,
    /// Tolerance for clock differences in `exp`/`iat` checks.
    pub clock_leeway_seconds: i64,
    /// Also fetch the UserInfo endpoint after sign-in (off when the ID
    /// token carries the profile, or when the access token is for an API).
    pub fetch_userinfo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration could not be loaded from {CONFIG_PATH}: {0}")]
    Unavailable(String),
    #[error("the configuration in {CONFIG_PATH} is not a JSON object")]
    NotAnObject,
    #[error("the configuration in {CONFIG_PATH} is missing \"{0}\"")]
    MissingField(&'static str),
    #[error("the configuration value \"{field}\" is invalid: {reason}")]
    InvalidField { field: &'static str, reason: &'static str },
}

impl Config {
    /// Parses and checks `config.json`; `app_origin` is where the app runs
    /// (e.g. `http://127.0.0.1:8080`).
    pub fn parse(body: &str, app_origin: &str) -> Result<Self, ConfigError> {
        let value: Value = serde_json::from_str(body).map_err(|_| ConfigError::NotAnObject)?;
        let fields = value.as_object().ok_or(ConfigError::NotAnObject)?;

        let issuer = secure_url(fields, "issuer")?;
        let client_id = string(fields, "client_id")?;
        let redirect_uri = secure_url(fields, "redirect_uri")?;
        if !on_origin(&redirect_uri, app_origin) {
            return Err(invalid("redirect_uri", "it must be on this app's own origin"));
        }
        let post_logout_redirect_uri = match fields.get("post_logout_redirect_uri") {
            None => format!("{app_origin}/"),
            Some(_) => secure_url(fields, "post_logout_redirect_uri")?,
        };
        if !on_origin(&post_logout_redirect_uri, app_origin) {
            return Err(invalid("post_logout_redirect_uri", "it must be on this app's own origin"));
        }
        let scopes = string(fields, "scopes")?;
        if !scopes.split(' ').any(|scope| scope == "openid") {
            return Err(invalid("scopes", "it must include \"openid\""));
        }
        let api_base_url = secure_url(fields, "api_base_url")?.trim_end_matches('/').to_owned();
        let clock_leeway_seconds = match fields.get("clock_leeway_seconds") {
            None => DEFAULT_LEEWAY_SECONDS,
            Some(value) => value
                .as_i64()
                .filter(|s| (0..=MAX_LEEWAY_SECONDS).contains(s))
                .ok_or(invalid("clock_leeway_seconds", "it must be a whole number from 0 to 600"))?,
        };
        let fetch_userinfo = match fields.get("fetch_userinfo") {
            None => false,
            Some(value) => value.as_bool().ok_or(invalid("fetch_userinfo", "it must be true or false"))?,
        };
        Ok(Self {
            fetch_userinfo,
            issuer,
            client_id,
            redirect_uri,
            post_logout_redirect_uri,
            scopes,
            api_base_url,
            clock_leeway_seconds,
        })
    }
}

fn invalid(field: &'static str, reason: &'static str) -> ConfigError {
    ConfigError::InvalidField { field, reason }
}

fn string(fields: &Map<String, Value>, field: &'static str) -> Result<String, ConfigError> {
    let value = fields.get(field).ok_or(ConfigError::MissingField(field))?;
    let text = value.as_str().ok_or(invalid(field, "it must be a string"))?.trim();
    if text.is_empty() {
        return Err(invalid(field, "it must not be empty"));
    }
    Ok(text.to_owned())
}

fn secure_url(fields: &Map<String, Value>, field: &'static str) -> Result<String, ConfigError> {
    let url = string(fields, field)?;
    parse_endpoint_url(&url).map_err(|problem| invalid(field, problem.reason()))?;
    Ok(url)
}

/// Is `url` (already checked) on `origin`, with a path?
fn on_origin(url: &str, origin: &str) -> bool {
    let same_origin = parse_endpoint_url(url).is_ok_and(|parts| parts.origin() == origin);
    same_origin && url.strip_prefix(origin).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    fn good() -> Value {
        json!({
            "issuer": "http://127.0.0.1:9000",
            "client_id": "demo-spa",
            "redirect_uri": "http://127.0.0.1:8080/callback",
            "scopes": "openid profile email api:read",
            "api_base_url": "http://127.0.0.1:3000/"
        })
    }

    fn parse(value: Value) -> Result<Config, ConfigError> {
        Config::parse(&value.to_string(), ORIGIN)
    }

    fn with(key: &str, value: Value) -> Value {
        let mut config = good();
        config[key] = value;
        config
    }

    #[test]
    fn a_complete_config_parses_with_defaults() {
        let config = parse(good()).unwrap();
        assert_eq!(config.post_logout_redirect_uri, "http://127.0.0.1:8080/");
        assert_eq!(config.api_base_url, "http://127.0.0.1:3000");
        assert_eq!(config.clock_leeway_seconds, 60);
        assert!(!config.fetch_userinfo);
    }

    #[test]
    fn every_missing_required_field_is_named() {
        for field in ["issuer", "client_id", "redirect_uri", "scopes", "api_base_url"] {
            let mut config = good();
            config.as_object_mut().unwrap().remove(field);
            assert_eq!(parse(config), Err(ConfigError::MissingField(field)));
        }
    }

    #[test]
    fn malformed_configs_are_clear_errors() {
        assert_eq!(Config::parse("not json", ORIGIN), Err(ConfigError::NotAnObject));
        assert_eq!(Config::parse("[]", ORIGIN), Err(ConfigError::NotAnObject));
        assert!(matches!(
            parse(with("client_id", json!(7))),
            Err(ConfigError::InvalidField { field: "client_id", .. })
        ));
        assert!(matches!(
            parse(with("client_id", json!("  "))),
            Err(ConfigError::InvalidField { field: "client_id", .. })
        ));
        assert!(matches!(
            parse(with("issuer", json!("http://id.example.com"))),
            Err(ConfigError::InvalidField { field: "issuer", .. })
        ));
        assert!(matches!(
            parse(with("scopes", json!("profile"))),
            Err(ConfigError::InvalidField { field: "scopes", .. })
        ));
        assert!(matches!(
            parse(with("fetch_userinfo", json!("yes"))),
            Err(ConfigError::InvalidField { field: "fetch_userinfo", .. })
        ));
        assert!(matches!(
            parse(with("clock_leeway_seconds", json!(-1))),
            Err(ConfigError::InvalidField { field: "clock_leeway_seconds", .. })
        ));
    }

    #[test]
    fn a_url_with_userinfo_is_refused_wherever_it_is_configured() {
        for field in ["issuer", "redirect_uri", "post_logout_redirect_uri", "api_base_url"] {
            let evil = json!("http://127.0.0.1:8080@evil.example/callback");
            assert!(
                matches!(parse(with(field, evil)), Err(ConfigError::InvalidField { field: f, .. }) if f == field),
                "{field}"
            );
        }
    }

    #[test]
    fn redirect_uris_must_be_on_this_origin() {
        for uri in ["http://127.0.0.1:9999/callback", "http://127.0.0.1:8080.evil.example/callback"] {
            assert!(matches!(
                parse(with("redirect_uri", json!(uri))),
                Err(ConfigError::InvalidField { field: "redirect_uri", .. })
            ));
        }
        assert!(matches!(
            parse(with("post_logout_redirect_uri", json!("https://evil.example/"))),
            Err(ConfigError::InvalidField { field: "post_logout_redirect_uri", .. })
        ));
    }
}
