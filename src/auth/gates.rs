//! Small components that show their children only in one auth state.

use leptos::prelude::*;

use super::{AuthState, use_auth};

/// Renders `children` only while someone is signed in.
#[component]
pub fn Authenticated(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    move || matches!(auth.state().get(), AuthState::SignedIn(_)).then(|| children())
}

/// Renders `children` only while no one is signed in.
#[component]
pub fn Unauthenticated(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    move || matches!(auth.state().get(), AuthState::SignedOut(_)).then(|| children())
}
