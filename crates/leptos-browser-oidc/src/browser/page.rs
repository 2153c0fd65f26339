//! The address bar and top-level navigation.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::window;

use browser_oidc::session::Location;

/// Where the page is now.
pub fn current_location() -> Location {
    let location = window().map(|w| w.location());
    let read = |get: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        location.as_ref().and_then(|l| get(l).ok()).unwrap_or_default()
    };
    Location {
        origin: read(web_sys::Location::origin),
        path: read(web_sys::Location::pathname),
        query: read(web_sys::Location::search),
        fragment: read(web_sys::Location::hash),
    }
}

/// Path, query and fragment: where to come back to after signing in.
pub fn current_path_and_query() -> String {
    let location = window().map(|w| w.location());
    location
        .and_then(|l| Some(format!("{}{}{}", l.pathname().ok()?, l.search().ok()?, l.hash().ok()?)))
        .unwrap_or_else(|| "/".to_owned())
}

/// The page's origin (`https://app.example.com`).
pub fn origin() -> String {
    window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// Replaces the address bar's URL without a reload or a history entry, so
/// `code`, `state` and `iss` vanish from the address bar and from history.
/// Then a `popstate` event tells a router (leptos_router re-reads the
/// location on it) that the page is now at `path`: the callback route and
/// the return to the page the person started from go through the router.
pub fn replace_url(path: &str) {
    let Some(window) = window() else { return };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
    if let Ok(event) = web_sys::PopStateEvent::new("popstate") {
        let _ = window.dispatch_event(&event);
    }
}

/// Calls `on_visible` each time the page becomes visible again (timers in
/// background tabs are throttled or frozen, so they may have fired late).
pub fn on_visible(on_visible: impl Fn() + 'static) {
    let Some(document) = window().and_then(|w| w.document()) else { return };
    let watched = document.clone();
    let listener = Closure::<dyn Fn()>::new(move || {
        if watched.visibility_state() == web_sys::VisibilityState::Visible {
            on_visible();
        }
    });
    let _ = document.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    listener.forget(); // lives as long as the page
}

/// Calls `on_restored` when the page comes back from the back/forward
/// cache (`pageshow` with `persisted`): frozen there, it heard nothing.
pub fn on_restored_from_cache(on_restored: impl Fn() + 'static) {
    let Some(window) = window() else { return };
    let listener =
        Closure::<dyn Fn(web_sys::PageTransitionEvent)>::new(move |event: web_sys::PageTransitionEvent| {
            if event.persisted() {
                on_restored();
            }
        });
    let _ = window.add_event_listener_with_callback("pageshow", listener.as_ref().unchecked_ref());
    listener.forget(); // lives as long as the page
}

/// A top-level navigation (to the provider).
pub fn navigate(url: &str) {
    if let Some(window) = window() {
        let _ = window.location().assign(url);
    }
}
