//! The demo app: a Leptos single-page app that signs a person in with
//! `leptos-browser-oidc` and calls the protected demo API.

pub mod ui;
