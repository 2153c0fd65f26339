//! OpenID Connect sign-in for browser-based apps (RFC 10017, BCP 212),
//! as pure Rust with no I/O: no browser types, no async runtime, no clock.
//!
//! - [`oauth`]: the protocol. PKCE (S256), the authorization request and
//!   its callback (`state`, RFC 9207 `iss`), discovery, token and error
//!   responses, JWT and JWKS handling, every ID-token check of OIDC Core
//!   §3.1.3.7, UserInfo, revocation and RP-initiated logout.
//! - [`session`]: the session as a state machine. Events go in (a page
//!   load, an HTTP answer, a timer, a message from another tab) and
//!   commands come out (send this request, set that timer, show this
//!   state); the caller performs them. It renews tokens without racing
//!   on a rotating refresh token and without losing the session.
//! - [`config`]: the app's settings, checked.
//! - [`json`]: the one JSON parser and writer every document goes
//!   through (miniserde), and the repeated-name check for JOSE headers
//!   and claims.
//!
//! The browser side (fetch, WebCrypto, storage, history, timers) and a
//! Leptos API live in `leptos-browser-oidc`.

#![deny(missing_docs)]

pub mod config;
pub mod json;
pub mod messages;
pub mod oauth;
pub mod session;
