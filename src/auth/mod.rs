//! The reactive layer: one `AuthState` in a `Copy` context handle.

pub mod api;
pub mod error;
pub mod flow;
pub mod gates;
pub mod session;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::fetch::Fetch;
use crate::browser::transit::{self, SIGN_OUT_KEY, SignOutTransit};
use crate::browser::{clock, page};
use crate::config::{CONFIG_PATH, Config, ConfigError};
use crate::oauth::http::{HttpClient, HttpRequest};
use crate::oauth::logout::{EndSessionRequest, LogoutReturn, check_logout_return};
use crate::oauth::random::random_url_safe_string;
use crate::oauth::revocation::revocation_body;
use crate::oauth::secret::CsrfState;

pub use error::AuthError;
pub use gates::{Authenticated, Unauthenticated};
pub use session::{Session, User};

/// What the app shows is a function of this, and of nothing else.
#[derive(Debug, Clone)]
pub enum AuthState {
    Loading(Progress),
    SignedOut(Option<Notice>),
    SignedIn(Arc<Session>),
    Failed(AuthError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Starting,
    RedirectingToProvider,
    CompletingSignIn,
    SigningOut,
}

impl Progress {
    pub fn message(self) -> &'static str {
        match self {
            Self::Starting => "Loading…",
            Self::RedirectingToProvider => "Taking you to the sign-in page…",
            Self::CompletingSignIn => "Signing you in…",
            Self::SigningOut => "Signing you out…",
        }
    }
}

/// Something worth telling a signed-out person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    SignInCancelled,
    SignedOut,
    /// Signed out here, but the provider could not be told.
    SignedOutLocally,
}

impl Notice {
    pub fn message(self) -> &'static str {
        match self {
            Self::SignInCancelled => "Sign-in was cancelled.",
            Self::SignedOut => "You have been signed out.",
            Self::SignedOutLocally => {
                "You are signed out of this app, but the sign-in provider could not be reached to end its session."
            }
        }
    }
}

/// The handle components use: `Copy`, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Auth {
    state: RwSignal<AuthState>,
    config: StoredValue<Option<Config>>,
}

/// The auth handle of the enclosing `App`. Panics outside one, which is a
/// programming error; use [`try_use_auth`] where that can happen.
pub fn use_auth() -> Auth {
    try_use_auth().expect("use_auth() called outside the app: provide_auth() first")
}

pub fn try_use_auth() -> Option<Auth> {
    use_context::<Auth>()
}

/// Creates the auth state in `state` and makes it available to children.
pub fn provide_auth(state: AuthState) -> Auth {
    let auth = Auth { state: RwSignal::new(state), config: StoredValue::new(None) };
    provide_context(auth);
    auth
}

impl Auth {
    pub fn state(&self) -> ReadSignal<AuthState> {
        self.state.read_only()
    }

    pub fn session(&self) -> Option<Arc<Session>> {
        self.state.with(|state| match state {
            AuthState::SignedIn(session) => Some(session.clone()),
            _ => None,
        })
    }

    pub fn config(&self) -> Option<Config> {
        self.config.get_value()
    }

    /// Loads the configuration, then finishes a sign-in (at the redirect
    /// URI), confirms a sign-out, or shows the signed-out view.
    pub fn start(self) {
        spawn_local(async move {
            let next = self.initialize().await;
            self.state.set(next);
        });
    }

    async fn initialize(self) -> AuthState {
        let config = match load_config(&Fetch, &page::origin()).await {
            Ok(config) => config,
            Err(error) => return AuthState::Failed(error.into()),
        };
        self.config.set_value(Some(config.clone()));
        let (path, query) = page::current_location();

        if config.redirect_uri == format!("{}{path}", page::origin()) {
            // RFC 9700 §4.3: get code, state and iss out of the address bar
            // and history before anything else can see them.
            page::replace_url("/");
            self.state.set(AuthState::Loading(Progress::CompletingSignIn));
            return match flow::finish_sign_in(&Fetch, &config, &query, clock::now_millis).await {
                Ok(signed_in) => {
                    page::replace_url(&signed_in.return_path);
                    AuthState::SignedIn(Arc::new(signed_in.session))
                }
                Err(error) if error.is_cancellation() => AuthState::SignedOut(Some(Notice::SignInCancelled)),
                Err(error) => AuthState::Failed(error),
            };
        }

        let expected: Option<SignOutTransit> = transit::take(SIGN_OUT_KEY);
        match check_logout_return(&query, expected.as_ref().map(|t| &t.state)) {
            LogoutReturn::Confirmed => {
                page::replace_url(&path);
                AuthState::SignedOut(Some(Notice::SignedOut))
            }
            LogoutReturn::Unrecognised => {
                page::replace_url(&path);
                AuthState::SignedOut(None)
            }
            LogoutReturn::NotALogoutReturn => AuthState::SignedOut(None),
        }
    }

    /// Sends the person to the provider to sign in, to come back here.
    pub fn sign_in(self) {
        let Some(config) = self.config() else { return };
        let return_path = match self.state.get_untracked() {
            AuthState::Failed(_) => "/".to_owned(),
            _ => page::current_path_and_query(),
        };
        self.state.set(AuthState::Loading(Progress::RedirectingToProvider));
        spawn_local(async move {
            match flow::start_sign_in(&Fetch, &config, &return_path).await {
                Ok(url) => page::navigate(&url),
                Err(error) => self.state.set(AuthState::Failed(error)),
            }
        });
    }

    /// Forgets the error and shows the signed-out view.
    pub fn dismiss_error(self) {
        self.state.set(AuthState::SignedOut(None));
    }

    /// Revokes the tokens, forgets them, and ends the provider's session.
    pub fn sign_out(self) {
        let Some(config) = self.config() else { return };
        let Some(session) = self.session() else { return };
        // Memory is cleared first: nothing below can leave tokens behind.
        self.state.set(AuthState::Loading(Progress::SigningOut));
        spawn_local(async move {
            if let Some(notice) = end_provider_session(&Fetch, &config, session).await {
                self.state.set(AuthState::SignedOut(Some(notice)));
            }
        });
    }
}

/// Revokes the refresh and access tokens (RFC 7009), then navigates to the
/// end-session endpoint. Returns the notice to show when it did not navigate.
async fn end_provider_session(
    http: &impl HttpClient,
    config: &Config,
    session: Arc<Session>,
) -> Option<Notice> {
    let Ok(metadata) = flow::discover(http, &config.issuer).await else {
        return Some(Notice::SignedOutLocally);
    };
    if let Some(endpoint) = &metadata.revocation_endpoint {
        let tokens = [
            session.refresh_token.as_ref().map(|t| (t.secret(), "refresh_token")),
            Some((session.access_token.secret(), "access_token")),
        ];
        for (token, hint) in tokens.into_iter().flatten() {
            // Best effort: the session ends either way.
            let _ = http
                .send(HttpRequest::post_form(endpoint, revocation_body(token, hint, &config.client_id)))
                .await;
        }
    }
    let (Some(endpoint), Ok(state)) = (&metadata.end_session_endpoint, random_url_safe_string()) else {
        return Some(Notice::SignedOut);
    };
    let state = CsrfState::new(state);
    let url = EndSessionRequest {
        end_session_endpoint: endpoint,
        id_token_hint: &session.id_token,
        client_id: &config.client_id,
        post_logout_redirect_uri: &config.post_logout_redirect_uri,
        state: &state,
    }
    .url();
    drop(session);
    if transit::save(SIGN_OUT_KEY, &SignOutTransit { state }).is_err() {
        return Some(Notice::SignedOutLocally);
    }
    page::navigate(&url);
    None
}

async fn load_config(http: &impl HttpClient, origin: &str) -> Result<Config, ConfigError> {
    let response = http
        .send(HttpRequest::get(CONFIG_PATH))
        .await
        .map_err(|_| ConfigError::Unavailable("the server did not answer".into()))?;
    if response.status != 200 {
        return Err(ConfigError::Unavailable(format!("HTTP {}", response.status)));
    }
    Config::parse(&response.body, origin)
}
