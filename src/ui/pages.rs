use leptos::prelude::*;

use super::announce::use_announcer;
use super::api_demo::ApiDemo;
use super::countdown::{describe_remaining, seconds_left};
use leptos_browser_oidc::{AuthError, Notice, Progress, use_auth};

fn now_millis() -> u64 {
    js_sys::Date::now() as u64
}

#[component]
pub fn LoadingPage(progress: Progress) -> impl IntoView {
    view! {
        <section class="card" data-testid="loading">
            <div class="spinner" aria-hidden="true"></div>
            <h1 tabindex="-1">{progress.message()}</h1>
        </section>
    }
}

#[component]
pub fn SignedOutPage(notice: Option<Notice>) -> impl IntoView {
    let auth = use_auth();
    view! {
        <section class="card" data-testid="signed-out">
            {notice.map(|notice| view! { <p class="notice" data-testid="notice">{notice.message()}</p> })}
            <h1 tabindex="-1">"Sign in with OpenID Connect"</h1>
            <p>
                "This app signs you in with the authorization code flow and PKCE, verifies the ID token's "
                "signature in your browser, and keeps every token in memory only: nothing is stored, "
                "so closing the tab forgets it all."
            </p>
            <button class="primary" on:click=move |_| auth.sign_in()>"Sign in"</button>
        </section>
    }
}

#[component]
pub fn SignedInPage() -> impl IntoView {
    let auth = use_auth();
    // Who signed in does not change with a refresh; expiry and scope do.
    let user = auth.user();
    let expires_at = move || auth.access_token_expires_at();
    let scope = move || auth.granted_scopes().unwrap_or_default();
    let Some(user) = user else { return ().into_any() };

    // A live countdown: ticks once a second while this page is shown.
    let now = RwSignal::new(now_millis());
    if let Ok(ticker) =
        set_interval_with_handle(move || now.set(now_millis()), std::time::Duration::from_secs(1))
    {
        on_cleanup(move || ticker.clear());
    }
    let remaining = move || match expires_at() {
        Some(at) => describe_remaining(seconds_left(at, now.get())),
        None => "unknown (the provider did not say)".to_owned(),
    };

    let renewal_problem = auth.renewal_problem();
    // Said once when renewals start failing, not at every retry.
    let announcer = use_announcer();
    let was_failing = std::cell::Cell::new(false);

    view! {
        <section class="card" data-testid="signed-in">
            {move || {
                let problem = renewal_problem.get();
                if !was_failing.replace(problem.is_some()) && let Some(problem) = &problem {
                    announcer.alert(problem.reason());
                }
                problem.map(|problem| view! { <p class="warning" data-testid="renewal-problem">{problem.to_string()}</p> })
            }}
            <h1 tabindex="-1">"Hello, " <span data-testid="user-name">{user.display_name().to_owned()}</span></h1>
            <dl class="facts">
                <dt>"Email"</dt>
                <dd data-testid="user-email">{user.email.clone().unwrap_or_else(|| "not shared".into())}</dd>
                <dt>"Subject"</dt>
                <dd><code>{user.subject.clone()}</code></dd>
                <dt>"Granted scopes"</dt>
                <dd><code>{scope}</code></dd>
                <dt>"Access token expires in"</dt>
                <dd data-testid="expires-in">{remaining}</dd>
            </dl>
            <ApiDemo />
            <div class="actions">
                <button class="secondary" on:click=move |_| auth.sign_out()>"Sign out"</button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
pub fn ErrorPage(error: AuthError) -> impl IntoView {
    let auth = use_auth();
    // Without a configuration there is nothing to sign in with: load it again.
    let configured = auth.is_configured();
    view! {
        <section class="card error" data-testid="error">
            <h1 tabindex="-1">"Something went wrong"</h1>
            <p data-testid="error-message">{error.to_string()}</p>
            <div class="actions">
                <Show
                    when=move || configured
                    fallback=move || view! { <button class="primary" on:click=move |_| auth.retry()>"Try again"</button> }
                >
                    <button class="primary" on:click=move |_| auth.sign_in()>"Try signing in again"</button>
                    <button class="secondary" on:click=move |_| auth.dismiss_error()>"Back to start"</button>
                </Show>
            </div>
        </section>
    }
}
