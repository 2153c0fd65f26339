//! On a server (an SSR app's server side) the crate compiles and does
//! nothing: no browser API is touched, and the state stays Loading until
//! the client hydrates.

use leptos::prelude::*;
use leptos_browser_oidc::{AuthConfig, AuthState, Progress, provide_auth};

#[test]
fn on_a_server_provide_auth_stays_loading_and_touches_no_browser_api() {
    let owner = Owner::new();
    owner.with(|| {
        for config in [AuthConfig::new("https://id.example.com", "my-app"), AuthConfig::from_url("/config.json")] {
            let auth = provide_auth(config);
            assert_eq!(auth.state().get_untracked(), AuthState::Loading(Progress::Starting));
            assert!(auth.user().is_none() && !auth.is_configured());
        }
    });
}
