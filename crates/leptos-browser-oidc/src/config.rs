//! [`AuthConfig`]: the sign-in settings, written in code or loaded from a URL.

use browser_oidc::config::DpopMode;
use browser_oidc::json::{self, Array, Number, Object, Value};

/// The sign-in settings: built in code, or loaded from a JSON file at start
/// so that one build serves every environment.
///
/// Both are checked the same way when the app starts; a wrong value is
/// shown as an error naming the field and the reason.
///
/// ```
/// use leptos_browser_oidc::AuthConfig;
///
/// let config = AuthConfig::new("https://id.example.com", "my-app")
///     .scopes("openid profile email orders:read")
///     .protect("https://api.example.com");
/// # let _ = config;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuthConfig {
    pub(crate) source: Source,
}

#[derive(Debug, Clone)]
pub(crate) enum Source {
    Fields(Object),
    Url(String),
}

/// Settings in code are equal when their JSON is (a JSON value has no `==`).
impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Fields(a), Self::Fields(b)) => json::to_string(a) == json::to_string(b),
            (Self::Url(a), Self::Url(b)) => a == b,
            _ => false,
        }
    }
}

impl AuthConfig {
    /// Settings for the provider at `issuer` (its issuer identifier, exactly
    /// as its discovery document gives it) and this app's `client_id`,
    /// registered there as a public client.
    ///
    /// Defaults: `redirect_uri` is `<this origin>/callback`,
    /// `post_logout_redirect_uri` is `<this origin>/`, scopes are
    /// `openid profile`, no API gets the access token, 60 s clock leeway,
    /// and no UserInfo request.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        let mut fields = Object::new();
        fields.insert("issuer".into(), Value::String(issuer.into()));
        fields.insert("client_id".into(), Value::String(client_id.into()));
        Self { source: Source::Fields(fields) }
    }

    /// Settings fetched from `url` (such as `/config.json`) when the app
    /// starts. The file has the fields of the builder methods, in
    /// snake_case: `issuer`, `client_id`, `redirect_uri`,
    /// `post_logout_redirect_uri`, `scopes`, `protected_apis` (a list),
    /// `clock_leeway_seconds`, `fetch_userinfo`, `dpop`,
    /// `renew_when_idle_after_seconds`, `renew_at_page_changes` and
    /// `silent_redirect_uri`.
    pub fn from_url(url: impl Into<String>) -> Self {
        Self { source: Source::Url(url.into()) }
    }

    fn set(mut self, field: &str, value: Value) -> Self {
        if let Source::Fields(fields) = &mut self.source {
            fields.insert(field.into(), value);
        }
        self
    }

    /// Where the provider sends the person back; it must be on this app's
    /// origin and registered exactly at the provider.
    pub fn redirect_uri(self, uri: impl Into<String>) -> Self {
        self.set("redirect_uri", Value::String(uri.into()))
    }

    /// Where the provider sends the person after signing out; on this
    /// app's origin and registered at the provider.
    pub fn post_logout_redirect_uri(self, uri: impl Into<String>) -> Self {
        self.set("post_logout_redirect_uri", Value::String(uri.into()))
    }

    /// The scopes to ask for, separated by spaces; must include `openid`.
    pub fn scopes(self, scopes: impl Into<String>) -> Self {
        self.set("scopes", Value::String(scopes.into()))
    }

    /// Lets requests to `api` (an origin, or an origin and a path) carry
    /// the access token. A token goes nowhere else.
    pub fn protect(mut self, api: impl Into<String>) -> Self {
        if let Source::Fields(fields) = &mut self.source {
            let apis = fields.entry("protected_apis".into()).or_insert_with(|| Value::Array(Array::new()));
            if let Value::Array(apis) = apis {
                apis.push(Value::String(api.into()));
            }
        }
        self
    }

    /// Tolerance for clock differences in ID-token checks (at most 600 s).
    pub fn clock_leeway_seconds(self, seconds: u32) -> Self {
        self.set("clock_leeway_seconds", Value::Number(Number::U64(seconds.into())))
    }

    /// Also fetch the UserInfo endpoint after sign-in (for providers whose
    /// ID token carries no profile).
    pub fn fetch_userinfo(self, fetch: bool) -> Self {
        self.set("fetch_userinfo", Value::Bool(fetch))
    }

    /// For a provider that issues no refresh token: how long without
    /// input, with nothing the person typed unsaved, before the page counts
    /// as idle and may leave for a silent re-sign-in, from half the access
    /// token's life on (default 120 s, at most a day; 0: never). Page
    /// changes of the app's router renew too, whatever this says.
    pub fn renew_when_idle_after_seconds(self, seconds: u32) -> Self {
        self.set("renew_when_idle_after_seconds", Value::Number(Number::U64(seconds.into())))
    }

    /// For a provider that issues no refresh token: whether a page change
    /// of the app's router, with nothing the person typed unsaved, may
    /// renew the session (default `true`). An app that keeps unsaved work
    /// in memory across its pages turns it off and calls
    /// [`Auth::at_safe_moment`](crate::Auth::at_safe_moment) itself.
    pub fn renew_at_page_changes(self, renew: bool) -> Self {
        self.set("renew_at_page_changes", Value::Bool(renew))
    }

    /// For a provider that issues no refresh token and is same-site with
    /// the app: renew in a hidden frame (`prompt=none`) that comes back to
    /// `uri`, so the page never leaves. `uri` is a static page of this
    /// app's origin that runs no script (such as `/silent-callback.html`),
    /// registered at the provider like the `redirect_uri`, and framable by
    /// this origin only. If a frame renewal fails once (a cross-site
    /// provider whose cookies the browser keeps from frames), the page falls
    /// back to the safe moments above.
    pub fn silent_redirect_uri(self, uri: impl Into<String>) -> Self {
        self.set("silent_redirect_uri", Value::String(uri.into()))
    }

    /// Sender-constrained tokens (DPoP): `Required`, `IfSupported` (the
    /// default: when the provider advertises ES256 proofs) or `Off`.
    pub fn dpop(self, mode: DpopMode) -> Self {
        let name = match mode {
            DpopMode::Required => "required",
            DpopMode::IfSupported => "if_supported",
            DpopMode::Off => "off",
        };
        self.set("dpop", Value::String(name.into()))
    }

    /// The client id, when the settings are in code.
    pub(crate) fn client_id(&self) -> Option<&str> {
        match &self.source {
            Source::Fields(fields) => json::as_str(fields.get("client_id")?),
            Source::Url(_) => None,
        }
    }
}
