//! Safe moments to leave the page, for a session that only a silent
//! re-sign-in renews: a page change of the app's own router, or a page
//! nobody has used for a while; either only when no form field holds
//! unsaved input. The session core decides what to do with them.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout, set_timeout_with_handle};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    AddEventListenerOptions, Document, EventTarget, HtmlInputElement, HtmlOptionElement, HtmlSelectElement,
    HtmlTextAreaElement, window,
};

use crate::browser::clock;

/// What the page reports to the session core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// The router showed another page and nothing typed is unsaved.
    SafeMoment,
    /// No input for the idle time, and nothing typed is unsaved.
    Idle,
    /// The first input after either of the above.
    InUse,
}

/// Input that means someone is using the page. Pointer moves are not:
/// they do not change anything that a reload would lose.
const INPUT_EVENTS: [&str; 5] = ["keydown", "pointerdown", "wheel", "touchstart", "input"];

struct Watch {
    idle_after_ms: Option<u32>,
    last_input_at: Cell<u64>,
    /// Something was reported since the last input: the next one is news.
    reported: Cell<bool>,
    idle_reported: Cell<bool>,
    idle_timer: Cell<Option<TimeoutHandle>>,
    report: Box<dyn Fn(Activity)>,
}

/// Starts watching the page for the rest of its life: `report` hears of
/// safe moments, idleness after `idle_after_ms` without input (never, when
/// `None`), and use again. Page changes are seen through the Navigation
/// API (all current browsers); without it only idleness is reported.
pub fn watch(idle_after_ms: Option<u32>, report: impl Fn(Activity) + 'static) {
    let Some(window) = window() else { return };
    let watch = Rc::new(Watch {
        idle_after_ms,
        last_input_at: Cell::new(clock::now_millis()),
        reported: Cell::new(false),
        idle_reported: Cell::new(false),
        idle_timer: Cell::new(None),
        report: Box::new(report),
    });

    let watching = watch.clone();
    let on_input = Closure::<dyn Fn()>::new(move || watching.on_input());
    let options = AddEventListenerOptions::new();
    options.set_capture(true);
    options.set_passive(true);
    for kind in INPUT_EVENTS {
        let callback = on_input.as_ref().unchecked_ref();
        let _ = window.add_event_listener_with_callback_and_add_event_listener_options(kind, callback, &options);
    }
    on_input.forget(); // lives as long as the page

    let navigation = js_sys::Reflect::get(&window, &JsValue::from_str("navigation")).ok();
    if let Some(navigation) = navigation.filter(JsValue::is_object) {
        let watching = watch.clone();
        let on_entry = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Some(from) = page_change(&event) {
                watching.on_page_change(from);
            }
        });
        let target = navigation.unchecked_into::<EventTarget>();
        let _ = target.add_event_listener_with_callback("currententrychange", on_entry.as_ref().unchecked_ref());
        on_entry.forget();
    }
    watch.arm_idle_timer();
}

/// The URL left by a push or a Back/Forward (`currententrychange`), if it
/// is another page: a replace is a redirect or the app's own bookkeeping
/// (a query kept in step with a search field), and a reload is no change.
fn page_change(event: &web_sys::Event) -> Option<String> {
    let read = |object: &JsValue, name: &str| js_sys::Reflect::get(object, &JsValue::from_str(name)).ok();
    let kind = read(event, "navigationType")?.as_string()?;
    if kind != "push" && kind != "traverse" {
        return None;
    }
    read(&read(event, "from")?, "url")?.as_string()
}

/// Whether going from `from` to `to` shows another page: the path or the
/// query changed, not only the fragment (a link within the page).
pub fn is_another_page(from: &str, to: &str) -> bool {
    let without_fragment = |url: &str| url.split('#').next().unwrap_or_default().to_owned();
    without_fragment(from) != without_fragment(to)
}

impl Watch {
    fn on_input(self: &Rc<Self>) {
        self.last_input_at.set(clock::now_millis());
        if self.reported.replace(false) {
            self.idle_reported.set(false);
            (self.report)(Activity::InUse);
            self.arm_idle_timer();
        }
    }

    fn on_page_change(self: &Rc<Self>, from: String) {
        let to = window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        if !is_another_page(&from, &to) {
            return;
        }
        // After the router has rendered the new page: the fields to check
        // are the ones still on screen.
        let watching = self.clone();
        set_timeout(
            move || {
                if !has_unsaved_input() {
                    watching.reported.set(true);
                    (watching.report)(Activity::SafeMoment);
                }
            },
            Duration::ZERO,
        );
    }

    /// Looks again once the idle time has passed since the last input.
    fn arm_idle_timer(self: &Rc<Self>) {
        let Some(idle_after) = self.idle_after_ms.map(u64::from) else { return };
        let since_input = clock::now_millis().saturating_sub(self.last_input_at.get());
        self.look_for_idleness_in(idle_after, idle_after.saturating_sub(since_input));
    }

    fn look_for_idleness_in(self: &Rc<Self>, idle_after: u64, delay_ms: u64) {
        let watching = self.clone();
        let look = move || watching.on_idle_timer(idle_after);
        let handle = set_timeout_with_handle(look, Duration::from_millis(delay_ms)).ok();
        if let Some(old) = self.idle_timer.replace(handle) {
            old.clear();
        }
    }

    fn on_idle_timer(self: &Rc<Self>, idle_after: u64) {
        if self.idle_reported.get() {
            return;
        }
        let since_input = clock::now_millis().saturating_sub(self.last_input_at.get());
        if since_input < idle_after {
            return self.look_for_idleness_in(idle_after, idle_after - since_input);
        }
        // Unsaved input stays until someone acts: look once per idle time.
        if has_unsaved_input() {
            return self.look_for_idleness_in(idle_after, idle_after);
        }
        self.idle_reported.set(true);
        self.reported.set(true);
        (self.report)(Activity::Idle);
    }
}

/// Whether a form field on the page holds input that leaving would lose:
/// a value, a check or a choice other than the page's own default, a
/// chosen file, or focus in an editable element (its content is unknown).
pub fn has_unsaved_input() -> bool {
    let Some(document) = window().and_then(|w| w.document()) else { return false };
    editing_rich_text(&document) || fields_changed(&document)
}

fn editing_rich_text(document: &Document) -> bool {
    let active = document.active_element();
    active.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|e| e.is_content_editable())
}

fn fields_changed(document: &Document) -> bool {
    let Ok(fields) = document.query_selector_all("input, textarea, select") else { return true };
    (0..fields.length()).filter_map(|i| fields.item(i)).any(|field| {
        if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
            match input.type_().as_str() {
                "checkbox" | "radio" => input.checked() != input.default_checked(),
                "hidden" | "submit" | "button" | "reset" | "image" => false,
                "file" => input.files().is_some_and(|files| files.length() > 0),
                _ => input.value() != input.default_value(),
            }
        } else if let Some(text) = field.dyn_ref::<HtmlTextAreaElement>() {
            !text.default_value().is_ok_and(|default| text.value() == default)
        } else if let Some(select) = field.dyn_ref::<HtmlSelectElement>() {
            choice_changed(select)
        } else {
            false
        }
    })
}

/// A choice other than the default: the options marked `selected` in the
/// page, or, in a single-choice list with none marked, the first one.
fn choice_changed(select: &HtmlSelectElement) -> bool {
    let options: Vec<HtmlOptionElement> =
        (0..select.length()).filter_map(|i| select.item(i)?.dyn_into().ok()).collect();
    if !select.multiple() && !options.iter().any(HtmlOptionElement::default_selected) {
        return select.selected_index() > 0;
    }
    options.iter().any(|option| option.selected() != option.default_selected())
}

#[cfg(test)]
mod tests {
    use super::is_another_page;

    #[test]
    fn another_page_is_another_path_or_query_not_another_fragment() {
        let app = "https://app.example/orders";
        assert!(is_another_page(app, "https://app.example/profile"));
        assert!(is_another_page(app, "https://app.example/orders?page=2"));
        assert!(is_another_page("https://app.example/orders?page=2", app));
        assert!(!is_another_page(app, "https://app.example/orders#details"));
        assert!(!is_another_page("https://app.example/orders#a", "https://app.example/orders#b"));
        assert!(!is_another_page(app, app));
        assert!(is_another_page("https://app.example/a#x", "https://app.example/b#x"));
    }
}
