//! [`SignInOptions`]: what one interactive sign-in asks the provider for.

use crate::messages::{Describe, Text, display_in_english};

/// The parameters this crate sets itself, or that would replace them
/// (`request`, `request_uri`) or bind the code to a key it lacks
/// (`dpop_jkt`): no option may send them.
const RESERVED: [&str; 12] = [
    "response_type",
    "response_mode",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "request",
    "request_uri",
    "dpop_jkt",
];

/// The parameters with an option of their own, which checks them.
const TYPED: [&str; 6] = ["prompt", "login_hint", "max_age", "acr_values", "ui_locales", "resource"];

/// Options for one sign-in (OpenID Connect Core §3.1.2.1, RFC 8707).
///
/// ```
/// use browser_oidc::session::SignInOptions;
///
/// let options = SignInOptions::new().prompt("login").max_age(300).ui_locales("fr en");
/// # let _ = options;
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SignInOptions {
    prompt: Option<String>,
    login_hint: Option<String>,
    max_age: Option<u64>,
    acr_values: Option<String>,
    require_acr: bool,
    ui_locales: Option<String>,
    resources: Vec<String>,
    extra: Vec<(String, String)>,
}

/// Why the options cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignInOptionError {
    /// An extra parameter would replace one the library sets.
    Reserved(String),
    /// A `resource` is not an absolute URI without a fragment (RFC 8707 §2).
    BadResource(String),
    /// An extra parameter that has an option of its own.
    HasItsOwnOption(String),
    /// `prompt=none`, which only the library's silent sign-ins send.
    PromptNone,
    /// `acr_values` with no value.
    EmptyAcrValues,
}

impl SignInOptions {
    /// No options: the provider's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `prompt`: `login` (ask again even with a session), `consent`,
    /// `select_account` or `create`, space-separated.
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// `login_hint`: the account to suggest (an email, say).
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// `max_age`: the person must have authenticated within `seconds`. The
    /// ID token must then carry `auth_time` no older than that (plus the
    /// configured leeway), or the sign-in is refused.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// `acr_values`: the authentication context classes to ask for, in
    /// order of preference. With `require`, the ID token's `acr` must be one
    /// of them or the sign-in is refused; without it the request is a wish
    /// (providers may ignore it).
    pub fn acr_values(mut self, values: impl Into<String>, require: bool) -> Self {
        self.acr_values = Some(values.into());
        self.require_acr = require;
        self
    }

    /// `ui_locales`: the languages for the provider's pages, such as `fr en`.
    pub fn ui_locales(mut self, locales: impl Into<String>) -> Self {
        self.ui_locales = Some(locales.into());
        self
    }

    /// `ui_locales` as [`SignInOptions::ui_locales`], unless already given:
    /// the app's language, which a sign-in's own choice overrides.
    pub fn ui_locales_unless_given(self, locales: impl Into<String>) -> Self {
        if self.ui_locales.is_some() { self } else { self.ui_locales(locales) }
    }

    /// `resource` (RFC 8707): an API the access token is for. May be given
    /// more than once.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// Any other parameter the provider understands (Auth0's `audience`,
    /// say). The library's own parameters cannot be replaced.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// The `max_age` asked for.
    pub fn requested_max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// The `acr` values the ID token must match, when required.
    pub fn required_acr(&self) -> Option<Vec<String>> {
        let values = self.acr_values.as_deref().filter(|_| self.require_acr)?;
        Some(values.split(' ').filter(|v| !v.is_empty()).map(str::to_owned).collect())
    }

    /// The authorization request's parameters for these options, checked.
    pub fn parameters(&self) -> Result<Vec<(String, String)>, SignInOptionError> {
        if self.prompt.as_deref().is_some_and(|prompt| prompt.split(' ').any(|value| value == "none")) {
            return Err(SignInOptionError::PromptNone);
        }
        if self.acr_values.as_deref().is_some_and(|values| values.split(' ').all(str::is_empty)) {
            return Err(SignInOptionError::EmptyAcrValues);
        }
        let mut parameters = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                parameters.push((name.to_owned(), value));
            }
        };
        add("prompt", self.prompt.clone());
        add("login_hint", self.login_hint.clone());
        add("max_age", self.max_age.map(|seconds| seconds.to_string()));
        add("acr_values", self.acr_values.clone());
        add("ui_locales", self.ui_locales.clone());
        for resource in &self.resources {
            let absolute = resource.split_once(':').is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty());
            if !absolute || resource.contains('#') {
                return Err(SignInOptionError::BadResource(resource.clone()));
            }
            parameters.push(("resource".to_owned(), resource.clone()));
        }
        for (name, value) in &self.extra {
            if RESERVED.contains(&name.as_str()) {
                return Err(SignInOptionError::Reserved(name.clone()));
            }
            if TYPED.contains(&name.as_str()) {
                return Err(SignInOptionError::HasItsOwnOption(name.clone()));
            }
            parameters.push((name.clone(), value.clone()));
        }
        Ok(parameters)
    }
}

/// Shows which options are set; a login hint is personal data, so only
/// whether there is one.
impl std::fmt::Debug for SignInOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInOptions")
            .field("prompt", &self.prompt)
            .field("login_hint", &self.login_hint.as_ref().map(|_| "[redacted]"))
            .field("max_age", &self.max_age)
            .field("acr_values", &self.acr_values)
            .field("require_acr", &self.require_acr)
            .field("ui_locales", &self.ui_locales)
            .field("resources", &self.resources)
            .field("extra", &self.extra.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .finish()
    }
}

impl Describe for SignInOptionError {
    fn text(&self) -> Text {
        match self {
            Self::Reserved(name) => Text::new("sign_in_option.reserved").quoting("name", name),
            Self::BadResource(resource) => Text::new("sign_in_option.bad_resource").quoting("resource", resource),
            Self::HasItsOwnOption(name) => Text::new("sign_in_option.has_its_own_option").quoting("name", name),
            Self::PromptNone => Text::new("sign_in_option.prompt_none"),
            Self::EmptyAcrValues => Text::new("sign_in_option.empty_acr_values"),
        }
    }
}

display_in_english!(SignInOptionError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_option_becomes_its_parameter() {
        let options = SignInOptions::new()
            .prompt("login consent")
            .login_hint("alice@example.com")
            .max_age(300)
            .acr_values("urn:mace:incommon:iap:silver", true)
            .ui_locales("fr en")
            .resource("https://api.example.com")
            .resource("urn:example:orders")
            .param("audience", "https://api.example.com");
        let expected: Vec<(String, String)> = [
            ("prompt", "login consent"),
            ("login_hint", "alice@example.com"),
            ("max_age", "300"),
            ("acr_values", "urn:mace:incommon:iap:silver"),
            ("ui_locales", "fr en"),
            ("resource", "https://api.example.com"),
            ("resource", "urn:example:orders"),
            ("audience", "https://api.example.com"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .to_vec();
        assert_eq!(options.parameters(), Ok(expected));
        assert_eq!(options.required_acr(), Some(vec!["urn:mace:incommon:iap:silver".to_owned()]));
        assert_eq!(options.requested_max_age(), Some(300));
    }

    #[test]
    fn the_apps_language_is_sent_unless_the_sign_in_names_its_own() {
        let sent = |options: SignInOptions| options.parameters().unwrap();
        let ui_locales = |value: &str| vec![("ui_locales".to_owned(), value.to_owned())];
        assert_eq!(sent(SignInOptions::new().ui_locales_unless_given("fr")), ui_locales("fr"));
        assert_eq!(sent(SignInOptions::new().ui_locales("de en").ui_locales_unless_given("fr")), ui_locales("de en"));
    }

    #[test]
    fn no_option_replaces_a_parameter_the_sign_in_sets() {
        // Written out, not taken from the list under test.
        let reserved = [
            "response_type", "response_mode", "client_id", "redirect_uri", "scope", "state", "nonce",
            "code_challenge", "code_challenge_method", "request", "request_uri", "dpop_jkt",
        ];
        for name in reserved {
            let options = SignInOptions::new().param(name, "x");
            assert_eq!(options.parameters(), Err(SignInOptionError::Reserved(name.to_owned())), "{name}");
        }
        for name in ["prompt", "login_hint", "max_age", "acr_values", "ui_locales", "resource"] {
            let options = SignInOptions::new().param(name, "0");
            assert_eq!(options.parameters(), Err(SignInOptionError::HasItsOwnOption(name.to_owned())), "{name}");
        }
        assert_eq!(SignInOptions::new().prompt("login none").parameters(), Err(SignInOptionError::PromptNone));
        assert_eq!(SignInOptions::new().acr_values(" ", true).parameters(), Err(SignInOptionError::EmptyAcrValues));
        for resource in ["api", "https://api.example.com/#x", ":x"] {
            let options = SignInOptions::new().resource(resource);
            assert_eq!(options.parameters(), Err(SignInOptionError::BadResource(resource.to_owned())));
        }
    }

    #[test]
    fn an_acr_asked_for_without_require_is_only_a_wish() {
        assert_eq!(SignInOptions::new().acr_values("gold silver", false).required_acr(), None);
        assert_eq!(
            SignInOptions::new().acr_values("gold silver", true).required_acr(),
            Some(vec!["gold".to_owned(), "silver".to_owned()])
        );
    }

    #[test]
    fn debug_hides_the_login_hint_and_extra_values() {
        let options = SignInOptions::new().login_hint("alice@example.com").param("audience", "secret-ish");
        let shown = format!("{options:?}");
        assert!(!shown.contains("alice@example.com") && !shown.contains("secret-ish"), "{shown}");
        assert!(shown.contains("audience"));
    }
}
