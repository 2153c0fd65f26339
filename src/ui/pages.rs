use leptos::prelude::*;

use super::announce::use_announcer;
use super::api_demo::ApiDemo;
use super::countdown::{remaining, seconds_left};
use leptos_browser_oidc::{AuthError, Describe, Notice, Progress, use_auth, use_messages};

fn now_millis() -> u64 {
    js_sys::Date::now() as u64
}

#[component]
pub fn LoadingPage(progress: Progress) -> impl IntoView {
    let t = use_messages();
    view! {
        <section class="card" data-testid="loading">
            <div class="spinner" aria-hidden="true"></div>
            <h1 tabindex="-1">{t.sentence_of(progress.text())}</h1>
        </section>
    }
}

#[component]
pub fn SignedOutPage(notice: Option<Notice>) -> impl IntoView {
    let auth = use_auth();
    let t = use_messages();
    view! {
        <section class="card" data-testid="signed-out">
            {notice.map(|notice| view! { <p class="notice" data-testid="notice">{t.sentence_of(notice.text())}</p> })}
            <h1 tabindex="-1">{t.sentence("ui.signed_out.heading")}</h1>
            <p>{t.sentence("ui.signed_out.about")}</p>
            <button class="primary" on:click=move |_| auth.sign_in()>{t.sentence("ui.sign_in")}</button>
        </section>
    }
}

#[component]
pub fn SignedInPage() -> impl IntoView {
    let auth = use_auth();
    let t = use_messages();
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
        Some(at) => t.render(&remaining(seconds_left(at, now.get()))),
        None => t.get("ui.expires_in.unknown"),
    };
    // The name sits where the language puts it: "Hello, {name}".
    let greeting = move || {
        let template = t.get("ui.signed_in.heading");
        let (before, after) = template.split_once("{name}").unwrap_or((&template, ""));
        (before.to_owned(), after.to_owned())
    };
    let email = user.email.clone();
    // Bound once for the session: a refresh keeps the binding.
    let bound = auth.is_sender_constrained();

    let renewal_problem = auth.renewal_problem();
    // Said once when renewals start failing, not at every retry.
    let announcer = use_announcer();
    let was_failing = std::cell::Cell::new(false);

    view! {
        <section class="card" data-testid="signed-in">
            {move || {
                let problem = renewal_problem.get();
                if !was_failing.replace(problem.is_some()) && let Some(problem) = &problem {
                    announcer.alert(t.render(&problem.reason()));
                }
                problem.map(|problem| view! { <p class="warning" data-testid="renewal-problem">{t.text(&problem)}</p> })
            }}
            <h1 tabindex="-1">
                {move || greeting().0}
                <span data-testid="user-name">{user.display_name().to_owned()}</span>
                {move || greeting().1}
            </h1>
            <dl class="facts">
                <dt>{t.sentence("ui.email")}</dt>
                <dd data-testid="user-email">{move || email.clone().unwrap_or_else(|| t.get("ui.email.not_shared"))}</dd>
                <dt>{t.sentence("ui.subject")}</dt>
                <dd><code>{user.subject.clone()}</code></dd>
                <dt>{t.sentence("ui.granted_scopes")}</dt>
                <dd><code>{scope}</code></dd>
                <dt>{t.sentence("ui.expires_in")}</dt>
                <dd data-testid="expires-in">{remaining}</dd>
                <dt>{t.sentence("ui.bound_to")}</dt>
                <dd data-testid="token-binding">{t.sentence(if bound { "ui.bound_to.this_tab" } else { "ui.bound_to.nothing" })}</dd>
            </dl>
            <ApiDemo />
            <div class="actions">
                <button class="secondary" on:click=move |_| auth.sign_out()>{t.sentence("ui.sign_out")}</button>
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
    let t = use_messages();
    view! {
        <section class="card error" data-testid="error">
            <h1 tabindex="-1">{t.sentence("ui.error.heading")}</h1>
            <p data-testid="error-message">{t.sentence_of(error.text())}</p>
            <div class="actions">
                <Show
                    when=move || configured
                    fallback=move || view! { <button class="primary" on:click=move |_| auth.retry()>{t.sentence("ui.error.reload")}</button> }
                >
                    <button class="primary" on:click=move |_| auth.sign_in()>{t.sentence("ui.error.sign_in_again")}</button>
                    <button class="secondary" on:click=move |_| auth.dismiss_error()>{t.sentence("ui.error.back_to_start")}</button>
                </Show>
            </div>
        </section>
    }
}
