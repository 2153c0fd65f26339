//! A reference single-page app that signs a person in with OpenID Connect
//! (authorization code flow + PKCE, as a public client), keeps every token
//! in memory only, and calls a protected API.
//!
//! - [`oauth`]: the protocol, pure and natively tested;
//! - [`browser`]: every side effect (fetch, WebCrypto, storage, history);
//! - [`auth`]: the reactive sign-in state and the flows that drive it;
//! - [`ui`]: pages and components.

pub mod auth;
pub mod browser;
pub mod config;
pub mod oauth;
pub mod session;
pub mod ui;
