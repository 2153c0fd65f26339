//! Pages and components. Each page renders one `AuthState`.

mod announce;
mod api_demo;
mod countdown;
pub mod messages;
mod pages;

use leptos::prelude::*;
use leptos::task::spawn_local;

use announce::{Announcer, LiveRegions, focus_heading, focus_is_in_main, use_announcer};
use leptos_browser_oidc::{
    AuthConfig, AuthError, AuthState, Describe, MessagesError, Notice, Progress, Text, Translator, provide_auth,
    provide_messages, use_auth, use_messages,
};
use messages::LanguageStatus;
use pages::{ErrorPage, LoadingPage, SignedInPage, SignedOutPage};

/// Where the demo's settings are: one build serves every environment.
const CONFIG_URL: &str = "/config.json";

/// The whole app: sets up sign-in and shows the page for the current state.
#[component]
pub fn App() -> impl IntoView {
    let translator = provide_messages(messages::english());
    let language = messages::initial_language();
    // Someone who reads another language sees and hears nothing in English
    // first: the page waits for its words (at most LANGUAGE_WAIT; then it
    // shows English rather than nothing, and says why).
    let status = LanguageStatus::provide(language.file.is_none());
    if !status.ready.get_untracked() {
        spawn_local(async move {
            status.problem.set(messages::switch_to(translator, language).await.err());
            status.ready.set(true);
        });
        set_timeout(move || status.ready.set(true), LANGUAGE_WAIT);
    }
    provide_auth(AuthConfig::from_url(CONFIG_URL));
    view! { <Shell /> }
}

/// The longest the first page waits for its language's file.
const LANGUAGE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Which page to show. A refresh replaces the session but not the page, so
/// the signed-in page (and the API answer on it) stays put.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Page {
    /// Before the page's words have arrived: a spinner, and nothing to read.
    WaitingForWords,
    Loading(Progress),
    SignedOut(Option<Notice>),
    SignedIn,
    Failed(AuthError),
}

impl Page {
    fn of(state: &AuthState) -> Self {
        match state {
            AuthState::Loading(progress) => Self::Loading(*progress),
            AuthState::SignedOut(notice) => Self::SignedOut(*notice),
            AuthState::SignedIn(_) => Self::SignedIn,
            AuthState::Failed(error) => Self::Failed(error.clone()),
            // A state a later version of the library adds.
            _ => Self::Loading(Progress::Starting),
        }
    }
}

/// The layout and the page for the current state, given an auth context.
/// Separate from `App` so tests can render any state without a provider.
#[component]
pub fn Shell() -> impl IntoView {
    let auth = use_auth();
    let t = use_messages();
    let language = LanguageStatus::get();
    let words_ready = move || language.ready.get();
    let page = Memo::new(move |_| match words_ready() {
        true => auth.state().with(Page::of),
        false => Page::WaitingForWords,
    });
    let announcer = Announcer::provide();
    let shown = std::cell::Cell::new(None);
    view! {
        // From the first render, so what the first real page says is heard.
        <LiveRegions />
        <Show when=words_ready>
            <header class="top">
                <span class="brand">"Rust OIDC SPA"</span>
                <span class="tagline">{t.sentence("ui.tagline")}</span>
            </header>
        </Show>
        <main>
            {move || {
                let page = page.get();
                // A new kind of page (never a refresh, which keeps it): focus
                // moves to its heading, and what it has to say is announced.
                // A page of the same kind may be rebuilt too (Loading to Loading,
                // one error to another): focus it loses goes to the new heading.
                let kind = std::mem::discriminant(&page);
                let previous = shown.replace(Some(kind));
                let focus_was_in_main = previous.is_some() && focus_is_in_main();
                let same_kind = previous == Some(kind);
                match previous {
                    None => {} // the first page: where the browser starts reading
                    Some(_) if !same_kind => focus_heading(false),
                    Some(_) if focus_was_in_main => focus_heading(true),
                    Some(_) => {}
                }
                // The heading says what the page is when it takes focus.
                untrack(|| announce(t, announcer, &page, same_kind && !focus_was_in_main));
                show(page)
            }}
        </main>
        // After the page, so the keyboard reaches its actions first.
        <Show when=words_ready>
            <footer class="bottom">
                <LanguageSwitch translator=t language />
            </footer>
        </Show>
    }
}

/// Says what a page has to say beyond its heading; a spinner's caption
/// only when its heading does not take focus to say it.
fn announce(t: Translator, announcer: Announcer, page: &Page, unheard_progress: bool) {
    match page {
        Page::Loading(progress) if unheard_progress => announcer.status(t.text(progress)),
        Page::SignedOut(Some(notice)) => announcer.status(t.text(notice)),
        Page::Failed(error) => announcer.alert(t.text(error)),
        _ => announcer.clear(),
    }
}

fn show(page: Page) -> AnyView {
    match page {
        Page::WaitingForWords => view! {
            <section class="card" data-testid="loading" aria-busy="true">
                <div class="spinner" aria-hidden="true"></div>
            </section>
        }
        .into_any(),
        Page::Loading(progress) => view! { <LoadingPage progress /> }.into_any(),
        Page::SignedOut(notice) => view! { <SignedOutPage notice /> }.into_any(),
        Page::SignedIn => view! { <SignedInPage /> }.into_any(),
        Page::Failed(error) => view! { <ErrorPage error /> }.into_any(),
    }
}

/// Switches the page to the demo's other language, and remembers the
/// choice. A button, not a `<select>`: for two languages it does the same
/// for 1.6 KB brotli of download, where the select cost 5.5 KB.
#[component]
fn LanguageSwitch(translator: Translator, language: LanguageStatus) -> impl IntoView {
    let other = move || {
        let current = translator.language();
        messages::LANGUAGES.into_iter().find(|language| language.tag != current).unwrap_or(messages::LANGUAGES[0])
    };
    let announcer = use_announcer();
    let switching = RwSignal::new(false);
    let failed = language.problem;
    let switch = move |_| {
        if switching.get_untracked() {
            return;
        }
        let language = other();
        switching.set(true);
        spawn_local(async move {
            let switched = messages::switch_to(translator, language).await;
            // Cleared first, so that the same failure twice is said twice.
            announcer.clear();
            match &switched {
                Ok(()) => messages::remember(language),
                // Offline, say: the page stays as it was, and says why.
                Err(error) => announcer.alert(translator.render(&switch_failed(error))),
            }
            failed.set(switched.err());
            switching.set(false);
        });
    };
    // Named in its own language, and marked so, as language pickers are.
    view! {
        <button
            class="secondary"
            data-testid="language"
            lang=move || other().tag
            aria-disabled=move || switching.get().then_some("true")
            on:click=switch
        >
            {move || other().name}
        </button>
        {move || failed.get().map(|error| view! { <p class="api-error" data-testid="language-error">{translator.render(&switch_failed(&error))}</p> })}
    }
}

fn switch_failed(error: &MessagesError) -> Text {
    Text::new("ui.language.failed").with("reason", error.text())
}
