//! Small components that show their children only in one auth state.

use leptos::prelude::*;

use super::{AuthState, use_auth};

/// Renders `children` only while someone is signed in. A refresh replaces
/// the session but not the children: only a change of state rebuilds them.
#[component]
pub fn Authenticated(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let signed_in = Memo::new(move |_| matches!(auth.state().get(), AuthState::SignedIn(_)));
    view! { <Show when=move || signed_in.get()>{children()}</Show> }
}

/// Renders `children` only while no one is signed in.
#[component]
pub fn Unauthenticated(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let signed_out = Memo::new(move |_| matches!(auth.state().get(), AuthState::SignedOut(_)));
    view! { <Show when=move || signed_out.get()>{children()}</Show> }
}
