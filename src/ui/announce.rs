//! What a screen-reader user is told when the page changes.
//!
//! - Focus moves to the new page's heading when the kind of page changes
//!   (signed out → signing in → signed in, an error, a sign-out). A token
//!   renewal keeps the same kind of page, so it never moves focus. When a
//!   page of the same kind replaces the one that had focus (one spinner
//!   caption to the next, one error to another), focus it lost goes to the
//!   new heading.
//! - Notices, errors, API results and a spinner caption no heading reads
//!   out go to two live regions that are in the layout from the first
//!   render. A region created together with its text may not be announced
//!   at all, so pages never make their own.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

/// The live regions' texts, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct Announcer {
    status: RwSignal<String>,
    alert: RwSignal<String>,
}

impl Announcer {
    /// Creates the announcer and puts it in context, for `LiveRegions` and the pages.
    pub fn provide() -> Self {
        let announcer = Self { status: RwSignal::new(String::new()), alert: RwSignal::new(String::new()) };
        provide_context(announcer);
        announcer
    }

    /// Says `text` politely, after what the reader is saying now.
    pub fn status(self, text: String) {
        self.alert.set(String::new());
        self.status.set(text);
    }

    /// Says `text` at once: for errors and warnings.
    pub fn alert(self, text: String) {
        self.status.set(String::new());
        self.alert.set(text);
    }

    /// Empties both regions, so the next message is news even if it repeats.
    pub fn clear(self) {
        self.status.set(String::new());
        self.alert.set(String::new());
    }
}

/// The announcer of the surrounding layout.
pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

/// The two live regions: visually hidden, present before any message.
#[component]
pub fn LiveRegions() -> impl IntoView {
    let Announcer { status, alert } = use_announcer();
    view! {
        <div class="visually-hidden" role="status" aria-atomic="true" data-testid="announced-status">
            {move || status.get()}
        </div>
        <div class="visually-hidden" role="alert" aria-atomic="true" data-testid="announced-alert">
            {move || alert.get()}
        </div>
    }
}

/// Whether focus is on something in `main`, which a new page replaces.
pub fn focus_is_in_main() -> bool {
    document().active_element().is_some_and(|focused| focused.closest("main").ok().flatten().is_some())
}

/// Moves focus to the page's heading once the new page is in the document;
/// with `only_if_lost`, only if the old page took focus away with it.
pub fn focus_heading(only_if_lost: bool) {
    request_animation_frame(move || {
        let document = document();
        let lost = match document.active_element() {
            None => true,
            Some(focused) => !focused.is_connected() || document.body().map(Element::from).as_ref() == Some(&focused),
        };
        if only_if_lost && !lost {
            return;
        }
        if let Ok(Some(heading)) = document.query_selector("main h1") {
            // `main h1` is an HTML element.
            let _ = heading.unchecked_into::<HtmlElement>().focus();
        }
    });
}
