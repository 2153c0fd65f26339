//! Runtime configuration, fetched from `/config.json` at start so that one
//! build serves any environment and any standard OpenID Provider.

use crate::json::{self, Object, Value};

use crate::messages::{Describe, Text, display_in_english};
use crate::oauth::endpoint_url::{UrlProblem, parse_endpoint_url};

const DEFAULT_LEEWAY_SECONDS: i64 = 60;
/// The scopes asked for when the configuration names none.
pub const DEFAULT_SCOPES: &str = "openid profile";
const MAX_LEEWAY_SECONDS: i64 = 600;
/// Two minutes without input: long enough that someone reading is rarely
/// taken back to the top of the page, short enough to come within the
/// second half of most access tokens' lives.
const DEFAULT_IDLE_SECONDS: u32 = 120;
const MAX_IDLE_SECONDS: u32 = 86_400;

/// The app's checked settings: where the provider is, who the app is, and
/// which APIs get the access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The OpenID Provider's issuer identifier; discovery starts here.
    pub issuer: String,
    /// This app's client identifier, as registered at the provider.
    pub client_id: String,
    /// Registered exactly at the provider; must be on this app's origin.
    pub redirect_uri: String,
    /// Where the provider sends the browser back after logout; on this
    /// app's origin, like `redirect_uri`.
    pub post_logout_redirect_uri: String,
    /// Space-separated; always includes `openid`.
    pub scopes: String,
    /// The APIs that get the access token: a request goes out with it only
    /// when its URL is on one of these origins, below its path.
    pub protected_apis: Vec<String>,
    /// Tolerance for clock differences in `exp`/`iat` checks.
    pub clock_leeway_seconds: i64,
    /// Also fetch the UserInfo endpoint after sign-in (off when the ID
    /// token carries the profile, or when the access token is for an API).
    pub fetch_userinfo: bool,
    /// Sender-constrained tokens (DPoP, RFC 9449): whether to ask for them.
    pub dpop: DpopMode,
    /// For a provider that issues no refresh token: after how long without
    /// input (and with nothing the person typed unsaved) the page may leave
    /// by itself for a silent re-sign-in, from half the access token's
    /// life on; 0: never.
    pub renew_when_idle_after_seconds: u32,
    /// For a provider that issues no refresh token: whether a page change
    /// of the app's router, leaving nothing the person typed unsaved, may
    /// renew the session (an app that keeps unsaved work in memory across
    /// pages turns it off and names its own moments).
    pub renew_at_page_changes: bool,
    /// For a provider that issues no refresh token and is same-site with
    /// the app (or whose cookies the browser sends in frames): a page of the
    /// app's own, registered at the provider like `redirect_uri`, that a
    /// hidden frame comes back to with a renewal's code. When set, such a
    /// session is renewed in that frame (`prompt=none`) before its access
    /// token expires, without the page ever leaving; if the frame renewal
    /// fails once, the page falls back to the safe moments above. The page
    /// must run no script and be framable by the app's origin only
    /// (deploy-headers writes those headers). `None` (the default): no frame.
    pub silent_redirect_uri: Option<String>,
}

/// Whether tokens are bound to this tab's key with DPoP (`dpop` in the
/// configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DpopMode {
    /// Always: a provider that does not take ES256 proofs is refused, and
    /// so is a token response that is not `DPoP` (no silent downgrade).
    Required,
    /// When the provider advertises ES256 proofs (the default).
    #[default]
    IfSupported,
    /// Never: plain bearer tokens.
    Off,
}

/// Why the configuration could not be used; the app cannot start without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The configuration could not be fetched from `url`: no answer
    /// (`status` is `None`), or an HTTP status other than 200.
    Unavailable {
        /// Where the configuration was fetched from.
        url: String,
        /// The HTTP status, if the server answered.
        status: Option<u16>,
    },
    /// The body is not JSON, or not a JSON object.
    NotAnObject,
    /// A required field (named) is absent.
    MissingField(&'static str),
    /// A field is present but its value is unusable.
    InvalidField {
        /// The field's name in `config.json`.
        field: &'static str,
        /// What is wrong with the value.
        problem: FieldProblem,
    },
}

/// What is wrong with a configuration value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldProblem {
    /// Not a JSON string.
    NotAString,
    /// An empty string.
    Empty,
    /// A URL that is refused.
    Url(UrlProblem),
    /// A redirect URI that is not on the app's own origin.
    NotOnAppOrigin,
    /// `scopes` without `openid`.
    OpenidMissing,
    /// `protected_apis` is not a list of strings.
    NotAUrlList,
    /// A protected API with a query, or an empty, `.` or `..` path segment.
    NotAPlainApiUrl,
    /// `clock_leeway_seconds` is not a whole number from 0 to 600.
    LeewayOutOfRange,
    /// Not `true` or `false`.
    NotABoolean,
    /// `dpop` is not `required`, `if_supported` or `off`.
    NotADpopMode,
    /// `renew_when_idle_after_seconds` is not a whole number from 0 to 86400.
    IdleTimeOutOfRange,
    /// `silent_redirect_uri` is the app's start page or another redirect
    /// URI: the whole app would start in the hidden frame, or a server
    /// could not give that page headers of its own.
    NotAPageOfItsOwn,
}

impl Describe for ConfigError {
    fn text(&self) -> Text {
        match self {
            Self::Unavailable { url, status: Some(status) } => {
                Text::new("config.unavailable").quoting("url", url).quoting("status", status)
            }
            Self::Unavailable { url, status: None } => Text::new("config.unanswered").quoting("url", url),
            Self::NotAnObject => Text::new("config.not_an_object"),
            Self::MissingField(field) => Text::new("config.missing_field").quoting("field", field),
            Self::InvalidField { field, problem } => {
                Text::new("config.invalid_field").quoting("field", field).with("reason", problem.text())
            }
        }
    }
}

impl Describe for FieldProblem {
    fn text(&self) -> Text {
        Text::new(match self {
            Self::Url(problem) => return problem.text(),
            Self::NotAString => "field.not_a_string",
            Self::Empty => "field.empty",
            Self::NotOnAppOrigin => "field.not_on_app_origin",
            Self::OpenidMissing => "field.openid_missing",
            Self::NotAUrlList => "field.not_a_url_list",
            Self::NotAPlainApiUrl => "field.not_a_plain_api_url",
            Self::LeewayOutOfRange => "field.leeway_out_of_range",
            Self::IdleTimeOutOfRange => "field.idle_time_out_of_range",
            Self::NotABoolean => "field.not_a_boolean",
            Self::NotADpopMode => "field.not_a_dpop_mode",
            Self::NotAPageOfItsOwn => "field.not_a_page_of_its_own",
        })
    }
}

display_in_english!(ConfigError, FieldProblem);

impl Config {
    /// Parses and checks `config.json`; `app_origin` is where the app runs
    /// (e.g. `http://127.0.0.1:8080`).
    pub fn parse(body: &str, app_origin: &str) -> Result<Self, ConfigError> {
        let fields: Object = json::parse(body).ok_or(ConfigError::NotAnObject)?;
        Self::from_fields(&fields, app_origin)
    }

    /// Checks the fields of `config.json`, given as a JSON object (a
    /// configuration built in code is checked the same way).
    pub fn from_fields(fields: &Object, app_origin: &str) -> Result<Self, ConfigError> {
        let issuer = secure_url(fields, "issuer")?;
        let client_id = string(fields, "client_id")?;
        let redirect_uri = match fields.get("redirect_uri") {
            None => format!("{app_origin}/callback"),
            Some(_) => secure_url(fields, "redirect_uri")?,
        };
        if !on_origin(&redirect_uri, app_origin) {
            return Err(invalid("redirect_uri", FieldProblem::NotOnAppOrigin));
        }
        let post_logout_redirect_uri = match fields.get("post_logout_redirect_uri") {
            None => format!("{app_origin}/"),
            Some(_) => secure_url(fields, "post_logout_redirect_uri")?,
        };
        if !on_origin(&post_logout_redirect_uri, app_origin) {
            return Err(invalid("post_logout_redirect_uri", FieldProblem::NotOnAppOrigin));
        }
        let scopes = match fields.get("scopes") {
            None => DEFAULT_SCOPES.to_owned(),
            Some(_) => string(fields, "scopes")?,
        };
        if !scopes.split(' ').any(|scope| scope == "openid") {
            return Err(invalid("scopes", FieldProblem::OpenidMissing));
        }
        let protected_apis = match fields.get("protected_apis") {
            None => Vec::new(),
            Some(Value::Array(urls)) => urls
                .iter()
                .map(|url| {
                    let url = json::as_str(url).ok_or(invalid("protected_apis", FieldProblem::NotAUrlList))?;
                    let parts = parse_endpoint_url(url).map_err(|problem| invalid("protected_apis", FieldProblem::Url(problem)))?;
                    // Only the last segment may be empty (a trailing `/`).
                    let segments: Vec<&str> = parts.path.split('/').skip(1).collect();
                    let plain = !url.contains('?')
                        && !has_dot_segment(&parts.path)
                        && segments.iter().rev().skip(1).all(|segment| !segment.is_empty());
                    if !plain {
                        return Err(invalid("protected_apis", FieldProblem::NotAPlainApiUrl));
                    }
                    Ok(url.to_owned())
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid("protected_apis", FieldProblem::NotAUrlList)),
        };
        let clock_leeway_seconds = match fields.get("clock_leeway_seconds") {
            None => DEFAULT_LEEWAY_SECONDS,
            Some(value) => json::as_i64(value)
                .filter(|s| (0..=MAX_LEEWAY_SECONDS).contains(s))
                .ok_or(invalid("clock_leeway_seconds", FieldProblem::LeewayOutOfRange))?,
        };
        let fetch_userinfo = match fields.get("fetch_userinfo") {
            None => false,
            Some(value) => json::as_bool(value).ok_or(invalid("fetch_userinfo", FieldProblem::NotABoolean))?,
        };
        let dpop = match fields.get("dpop") {
            None => DpopMode::default(),
            Some(value) => match json::as_str(value) {
                Some("required") => DpopMode::Required,
                Some("if_supported") => DpopMode::IfSupported,
                Some("off") => DpopMode::Off,
                _ => return Err(invalid("dpop", FieldProblem::NotADpopMode)),
            },
        };
        let renew_when_idle_after_seconds = match fields.get("renew_when_idle_after_seconds") {
            None => DEFAULT_IDLE_SECONDS,
            Some(value) => json::as_u64(value)
                .filter(|s| *s <= u64::from(MAX_IDLE_SECONDS))
                .map(|s| s as u32)
                .ok_or(invalid("renew_when_idle_after_seconds", FieldProblem::IdleTimeOutOfRange))?,
        };
        let renew_at_page_changes = match fields.get("renew_at_page_changes") {
            None => true,
            Some(value) => json::as_bool(value).ok_or(invalid("renew_at_page_changes", FieldProblem::NotABoolean))?,
        };
        let silent_redirect_uri = match fields.get("silent_redirect_uri") {
            None => None,
            Some(_) => Some(secure_url(fields, "silent_redirect_uri")?),
        };
        if let Some(uri) = &silent_redirect_uri {
            if !on_origin(uri, app_origin) {
                return Err(invalid("silent_redirect_uri", FieldProblem::NotOnAppOrigin));
            }
            // Compared as a server would serve them: without `.html`
            // (Cloudflare Pages), case and dot segments aside.
            let page = |url: &str| {
                let path = parse_endpoint_url(url).map(|parts| parts.path).unwrap_or_default().to_ascii_lowercase();
                let path = path.strip_suffix(".html").unwrap_or(&path);
                path.strip_suffix("/index").unwrap_or(path).trim_end_matches('/').to_owned()
            };
            let others = [&redirect_uri, &post_logout_redirect_uri].map(|url| page(url));
            let silent = page(uri);
            // An index page is served at its folder's path too (`/dir/`).
            let path = parse_endpoint_url(uri).map(|parts| parts.path).unwrap_or_default().to_ascii_lowercase();
            let named_index = matches!(path.rsplit('/').next(), Some("index" | "index.html"));
            if silent.is_empty() || others.contains(&silent) || has_dot_segment(&silent) || named_index {
                return Err(invalid("silent_redirect_uri", FieldProblem::NotAPageOfItsOwn));
            }
        }
        Ok(Self {
            silent_redirect_uri,
            dpop,
            renew_when_idle_after_seconds,
            renew_at_page_changes,
            fetch_userinfo,
            issuer,
            client_id,
            redirect_uri,
            post_logout_redirect_uri,
            scopes,
            protected_apis,
            clock_leeway_seconds,
        })
    }
}

impl Config {
    /// Does a request to `url` get the access token? Only when `url` is on
    /// the origin of one of [`Config::protected_apis`] and at or below its
    /// path (on a `/` boundary). URLs are taken apart, never prefix-matched:
    /// `https://api.example.com@evil.example` is not on `https://api.example.com`.
    ///
    /// A target with a `.` or `..` segment (also written `%2e`) is never
    /// protected: the browser would resolve it to another path.
    pub fn protects(&self, url: &str) -> bool {
        let Ok(target) = parse_endpoint_url(url) else { return false };
        if has_dot_segment(&target.path) {
            return false;
        }
        self.protected_apis.iter().filter_map(|api| parse_endpoint_url(api).ok()).any(|api| {
            let base = api.path.trim_end_matches('/');
            api.origin() == target.origin()
                && (target.path == base || target.path.strip_prefix(base).is_some_and(|rest| rest.starts_with('/')))
        })
    }
}

/// A `.` or `..` path segment, in any spelling a browser resolves.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| matches!(segment.to_ascii_lowercase().replace("%2e", ".").as_str(), "." | ".."))
}

fn invalid(field: &'static str, problem: FieldProblem) -> ConfigError {
    ConfigError::InvalidField { field, problem }
}

fn string(fields: &Object, field: &'static str) -> Result<String, ConfigError> {
    let value = fields.get(field).ok_or(ConfigError::MissingField(field))?;
    let text = json::as_str(value).ok_or(invalid(field, FieldProblem::NotAString))?.trim();
    if text.is_empty() {
        return Err(invalid(field, FieldProblem::Empty));
    }
    Ok(text.to_owned())
}

fn secure_url(fields: &Object, field: &'static str) -> Result<String, ConfigError> {
    let url = string(fields, field)?;
    parse_endpoint_url(&url).map_err(|problem| invalid(field, FieldProblem::Url(problem)))?;
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
    use serde_json::{Value, json};

    const ORIGIN: &str = "http://127.0.0.1:8080";

    fn good() -> Value {
        json!({
            "issuer": "http://127.0.0.1:9000",
            "client_id": "demo-spa",
            "redirect_uri": "http://127.0.0.1:8080/callback",
            "scopes": "openid profile email api:read",
            "protected_apis": ["http://127.0.0.1:3000/"]
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
    fn dpop_is_asked_for_when_supported_unless_configured_otherwise() {
        assert_eq!(parse(good()).unwrap().dpop, DpopMode::IfSupported);
        assert_eq!(parse(with("dpop", json!("required"))).unwrap().dpop, DpopMode::Required);
        assert_eq!(parse(with("dpop", json!("off"))).unwrap().dpop, DpopMode::Off);
        assert_eq!(parse(with("dpop", json!("if_supported"))).unwrap().dpop, DpopMode::IfSupported);
        for wrong in [json!("yes"), json!(true), json!("Required")] {
            assert_eq!(
                parse(with("dpop", wrong)).unwrap_err(),
                ConfigError::InvalidField { field: "dpop", problem: FieldProblem::NotADpopMode }
            );
        }
    }

    #[test]
    fn idle_renewal_waits_two_minutes_unless_configured_from_0_to_a_day() {
        assert_eq!(parse(good()).unwrap().renew_when_idle_after_seconds, 120);
        let idle = |value| parse(with("renew_when_idle_after_seconds", value)).map(|c| c.renew_when_idle_after_seconds);
        assert_eq!(idle(json!(0)), Ok(0));
        assert_eq!(idle(json!(86_400)), Ok(86_400));
        for wrong in [json!(86_401), json!(-1), json!(1.5), json!("60"), json!(4_294_967_296u64)] {
            assert_eq!(
                idle(wrong),
                Err(ConfigError::InvalidField {
                    field: "renew_when_idle_after_seconds",
                    problem: FieldProblem::IdleTimeOutOfRange
                })
            );
        }
    }

    #[test]
    fn page_changes_renew_unless_turned_off() {
        assert!(parse(good()).unwrap().renew_at_page_changes);
        assert!(!parse(with("renew_at_page_changes", json!(false))).unwrap().renew_at_page_changes);
        assert_eq!(
            parse(with("renew_at_page_changes", json!("no"))).unwrap_err(),
            ConfigError::InvalidField { field: "renew_at_page_changes", problem: FieldProblem::NotABoolean }
        );
    }

    #[test]
    fn a_complete_config_parses_with_defaults() {
        let config = parse(good()).unwrap();
        assert_eq!(config.post_logout_redirect_uri, "http://127.0.0.1:8080/");
        assert_eq!(config.protected_apis, ["http://127.0.0.1:3000/"]);
        assert_eq!(config.clock_leeway_seconds, 60);
        assert!(!config.fetch_userinfo);
    }

    #[test]
    fn every_missing_required_field_is_named() {
        for field in ["issuer", "client_id"] {
            let mut config = good();
            config.as_object_mut().unwrap().remove(field);
            assert_eq!(parse(config), Err(ConfigError::MissingField(field)));
        }
    }

    #[test]
    fn the_optional_fields_have_their_documented_defaults() {
        let config = parse(json!({ "issuer": "http://127.0.0.1:9000", "client_id": "demo-spa" })).unwrap();
        assert_eq!(config.redirect_uri, "http://127.0.0.1:8080/callback");
        assert_eq!(config.post_logout_redirect_uri, "http://127.0.0.1:8080/");
        assert_eq!(config.scopes, "openid profile");
        assert!(config.protected_apis.is_empty());
        assert!(!config.protects("http://127.0.0.1:8080/api"), "no API is protected unless listed");
    }

    #[test]
    fn the_token_goes_only_to_a_listed_api_below_its_path() {
        let mut config = parse(good()).unwrap();
        config.protected_apis = vec!["https://api.example.com".into(), "https://other.example.com/v1/".into()];
        for url in [
            "https://api.example.com",
            "https://api.example.com/",
            "https://API.example.com:443/orders?id=1",
            "https://other.example.com/v1",
            "https://other.example.com/v1/orders",
        ] {
            assert!(config.protects(url), "{url}");
        }
        for url in [
            "http://api.example.com/",
            "https://api.example.com:8443/",
            "https://api.example.com.evil.example/",
            "https://api.example.com@evil.example/",
            "https://evil.example/?https://api.example.com",
            "https://other.example.com/v10",
            "https://other.example.com/",
            "https://other.example.com/v1/../admin",
            "https://other.example.com/v1/%2e%2E/admin",
            "https://other.example.com/v1/.%2e",
            "https://other.example.com/v1/./x",
            "https://api.example.com/..",
            "not a url",
        ] {
            assert!(!config.protects(url), "{url}");
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
        for field in ["issuer", "redirect_uri", "post_logout_redirect_uri", "protected_apis"] {
            let evil = json!("http://127.0.0.1:8080@evil.example/callback");
            let evil = if field == "protected_apis" { json!([evil]) } else { evil };
            assert!(
                matches!(parse(with(field, evil)), Err(ConfigError::InvalidField { field: f, .. }) if f == field),
                "{field}"
            );
        }
        for api in ["http://127.0.0.1:3000/v1?x=1", "http://127.0.0.1:3000/v1/../x", "http://127.0.0.1:3000//", "http://127.0.0.1:3000/a//b"] {
            assert!(
                matches!(parse(with("protected_apis", json!([api]))), Err(ConfigError::InvalidField { field: "protected_apis", .. })),
                "{api}"
            );
        }
        assert!(parse(with("protected_apis", json!(["http://127.0.0.1:3000/v1/"]))).is_ok());
        assert!(matches!(
            parse(with("protected_apis", json!("http://127.0.0.1:3000"))),
            Err(ConfigError::InvalidField { field: "protected_apis", problem: FieldProblem::NotAUrlList })
        ));
    }

    #[test]
    fn redirect_uris_must_be_on_this_origin() {
        // The same origin spelt otherwise is refused too: the provider and
        // the callback compare the redirect URI as a string.
        for uri in [
            "http://127.0.0.1:9999/callback",
            "http://127.0.0.1:8080.evil.example/callback",
            "HTTP://127.0.0.1:8080/callback",
        ] {
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

    #[test]
    fn a_silent_redirect_uri_is_a_page_of_its_own_on_this_origin() {
        assert_eq!(parse(good()).unwrap().silent_redirect_uri, None, "no frame unless asked for");
        let page = "http://127.0.0.1:8080/silent-callback.html";
        assert_eq!(parse(with("silent_redirect_uri", json!(page))).unwrap().silent_redirect_uri.as_deref(), Some(page));
        for (uri, wanted) in [
            ("https://evil.example/silent.html", FieldProblem::NotOnAppOrigin),
            ("http://127.0.0.1:8080/callback", FieldProblem::NotAPageOfItsOwn),
            ("http://127.0.0.1:8080/callback?frame=1", FieldProblem::NotAPageOfItsOwn),
            ("http://127.0.0.1:8080/", FieldProblem::NotAPageOfItsOwn),
            ("http://127.0.0.1:8080/index.html", FieldProblem::NotAPageOfItsOwn),
            ("http://127.0.0.1:8080/INDEX", FieldProblem::NotAPageOfItsOwn),
            ("http://127.0.0.1:8080/./index.html", FieldProblem::NotAPageOfItsOwn),
            ("http://127.0.0.1:8080/renew/index.html", FieldProblem::NotAPageOfItsOwn),
            // Cloudflare Pages serves /callback.html at /callback.
            ("http://127.0.0.1:8080/callback.html", FieldProblem::NotAPageOfItsOwn),
        ] {
            assert_eq!(
                parse(with("silent_redirect_uri", json!(uri))),
                Err(ConfigError::InvalidField { field: "silent_redirect_uri", problem: wanted }),
                "{uri}"
            );
        }
        let mut leaving = good();
        leaving["post_logout_redirect_uri"] = json!("http://127.0.0.1:8080/goodbye");
        leaving["silent_redirect_uri"] = json!("http://127.0.0.1:8080/goodbye.html");
        assert_eq!(
            parse(leaving),
            Err(ConfigError::InvalidField { field: "silent_redirect_uri", problem: FieldProblem::NotAPageOfItsOwn }),
            "not the page after sign-out either"
        );
        assert!(matches!(
            parse(with("silent_redirect_uri", json!(true))),
            Err(ConfigError::InvalidField { field: "silent_redirect_uri", problem: FieldProblem::NotAString })
        ));
    }
}
