//! The smallest app: sign in, show the name, call the demo API, sign out.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_browser_oidc::{AuthConfig, AuthState, Authenticated, Unauthenticated, provide_auth, use_auth};

const API: &str = "http://127.0.0.1:3000";

#[component]
fn App() -> impl IntoView {
    provide_auth(AuthConfig::new("http://127.0.0.1:9000", "demo-spa").scopes("openid profile api:read").protect(API));
    let auth = use_auth();
    let answer = RwSignal::new(String::new());
    let call_api = move |_| {
        spawn_local(async move {
            let url = format!("{API}/api/greeting");
            answer.set(auth.get(&url).await.map_or_else(|error| error.to_string(), |response| response.body));
        })
    };
    let error = move || match auth.state().get() {
        AuthState::Failed(error) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <p role="alert">{error}</p>
        <Unauthenticated>
            <button on:click=move |_| auth.sign_in()>"Sign in"</button>
        </Unauthenticated>
        <Authenticated>
            <p>"Hello, " {move || auth.user().map(|user| user.display_name().to_owned())}</p>
            <button on:click=call_api>"Call the API"</button>
            <pre>{answer}</pre>
            <button on:click=move |_| auth.sign_out()>"Sign out"</button>
        </Authenticated>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
