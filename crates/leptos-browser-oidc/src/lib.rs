//! OpenID Connect sign-in for Leptos apps in the browser.

pub mod auth;
pub mod browser;
