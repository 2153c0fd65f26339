//! OpenID Connect sign-in for Leptos apps in the browser: the authorization
//! code flow with PKCE as a public client (no secret in the browser), every
//! token in memory only, the ID token verified in full, and renewal that
//! neither races on a rotating refresh token nor loses the session.
//!
//! ```no_run
//! use leptos::prelude::*;
//! use leptos_browser_oidc::{AuthConfig, Authenticated, Unauthenticated, provide_auth, use_auth};
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     provide_auth(AuthConfig::new("https://id.example.com", "my-app").protect("https://api.example.com"));
//!     let auth = use_auth();
//!     view! {
//!         <Unauthenticated><button on:click=move |_| auth.sign_in()>"Sign in"</button></Unauthenticated>
//!         <Authenticated><p>"Hello, " {move || auth.user().map(|u| u.display_name().to_owned())}</p></Authenticated>
//!     }
//! }
//! ```
//!
//! The protocol and the session state machine are in the pure crate
//! `browser-oidc`; this crate performs their effects with fetch, WebCrypto,
//! web storage (for one sign-in's transit data and non-secret hints only),
//! history, timers and BroadcastChannel.

#![deny(missing_docs)]

mod auth;
mod browser;
mod config;
mod messages;

pub use auth::gates::{Authenticated, Unauthenticated};
pub use auth::{Auth, AuthState, User, provide_auth, provide_auth_showing, try_use_auth, use_auth};
pub use browser_oidc::oauth::http::Method;
pub use browser_oidc::session::api::{ApiCallError, ApiError, ApiRequest, ApiResponse};
pub use browser_oidc::session::error::AuthError;
pub use browser_oidc::session::options::{SignInOptionError, SignInOptions};
pub use browser_oidc::session::state::{Notice, Progress, RenewalProblem};
pub use browser_oidc::messages::{Describe, Messages, MessagesError, PluralCategory, Text};
pub use browser_oidc::config::DpopMode;
pub use config::AuthConfig;
pub use messages::{Translator, provide_messages, use_messages};

/// The pieces the crate's own browser tests drive directly. Not a public
/// API: it may change in any release.
#[doc(hidden)]
pub mod internal {
    pub use crate::auth::flow;
    pub use crate::browser::{activity, clock, dpop, frame, key_store, names, page, session_hint, tabs, transit, webcrypto};
}
