//! Pages and components. Each page renders one `AuthState`.

mod api_demo;
mod pages;

use leptos::prelude::*;

use crate::auth::{AuthState, Progress, provide_auth};
pub use pages::{ErrorPage, LoadingPage, SignedInPage, SignedOutPage};

/// The whole app: provides the auth context and shows the page for the
/// current state.
#[component]
pub fn App() -> impl IntoView {
    let auth = provide_auth(AuthState::Loading(Progress::Starting));
    auth.start();
    view! { <Shell /> }
}

/// The layout and the page for the current state, given an auth context.
/// Separate from `App` so tests can render any state without a provider.
#[component]
pub fn Shell() -> impl IntoView {
    let auth = crate::auth::use_auth();
    view! {
        <header class="top">
            <span class="brand">"Rust OIDC SPA"</span>
            <span class="tagline">"Code flow + PKCE · tokens in memory only"</span>
        </header>
        <main>
            {move || match auth.state().get() {
                AuthState::Loading(progress) => view! { <LoadingPage progress /> }.into_any(),
                AuthState::SignedOut(notice) => view! { <SignedOutPage notice /> }.into_any(),
                AuthState::SignedIn(session) => view! { <SignedInPage session /> }.into_any(),
                AuthState::Failed(error) => view! { <ErrorPage error /> }.into_any(),
            }}
        </main>
    }
}
