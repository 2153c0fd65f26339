//! Safe moments to leave the page, for a session that only a silent
//! re-sign-in renews: a page change of the app's own router, or a page
//! nobody has used for a while, either only when nothing the person typed
//! is unsaved; or a moment the app names. The session core decides what to
//! do with them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventTarget, VisibilityState, window};

use crate::browser::clock;

/// What the page reports to the session core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// The router showed another page, or the app named the moment.
    SafeMoment,
    /// No input for the idle time, and nothing typed is unsaved.
    Idle,
    /// The first input after either of the above.
    InUse,
}

/// Input that means someone is using the page. Pointer moves are not:
/// they change nothing that leaving would lose. `input` and `change` also
/// say which field the person changed.
const INPUT_EVENTS: [&str; 6] = ["keydown", "pointerdown", "wheel", "touchstart", "input", "change"];

/// The page being watched, for as long as it lives.
#[derive(Clone)]
pub struct PageWatch(Rc<Watch>);

struct Watch {
    idle_after_ms: Option<u32>,
    last_input_at: Cell<u64>,
    /// Something was reported since the last input: the next one is news.
    reported: Cell<bool>,
    idle_reported: Cell<bool>,
    idle_timer: Cell<Option<TimeoutHandle>>,
    /// Fields and editors the person changed (dropped once they leave the page).
    touched: RefCell<Vec<JsValue>>,
    report: Box<dyn Fn(Activity)>,
}

/// Starts watching the page for the rest of its life: `report` hears of
/// safe moments (the router's page changes if `page_changes`, and the
/// app's), idleness after `idle_after_ms` without input (never, when
/// `None`), and use again. Page changes are seen through the Navigation
/// API; without it only idleness and the app's moments are reported.
pub fn watch(idle_after_ms: Option<u32>, page_changes: bool, report: impl Fn(Activity) + 'static) -> PageWatch {
    let watch = Rc::new(Watch {
        idle_after_ms,
        last_input_at: Cell::new(clock::now_millis()),
        reported: Cell::new(false),
        idle_reported: Cell::new(false),
        idle_timer: Cell::new(None),
        touched: RefCell::new(Vec::new()),
        report: Box::new(report),
    });
    let Some(window) = window() else { return PageWatch(watch) };

    let watching = watch.clone();
    let on_input = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let kind = event.type_();
        if kind == "input" || kind == "change" {
            // The field itself, also inside a shadow root.
            watching.touch(event.composed_path().get(0));
        }
        // A tab shown again, or a page back from the back/forward cache:
        // the person is back.
        let hidden = || web_sys::window().and_then(|w| w.document()).map(|d| d.visibility_state()) == Some(VisibilityState::Hidden);
        if kind != "visibilitychange" || !hidden() {
            watching.on_input();
        }
    });
    // Capturing, so a handler that stops propagation cannot hide input.
    // (Browsers make window-level wheel and touch listeners passive.)
    let callback = on_input.as_ref().unchecked_ref();
    for kind in INPUT_EVENTS.iter().chain(&["pageshow"]) {
        let _ = window.add_event_listener_with_callback_and_bool(kind, callback, true);
    }
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback("visibilitychange", callback);
    }
    on_input.forget(); // lives as long as the page

    let navigation = js_sys::Reflect::get(&window, &JsValue::from_str("navigation")).ok();
    if let Some(navigation) = navigation.filter(JsValue::is_object) {
        let watching = watch.clone();
        let on_entry = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Some(from) = page_change(&event) {
                watching.on_page_change(from, page_changes);
            }
        });
        let target = navigation.unchecked_into::<EventTarget>();
        let _ = target.add_event_listener_with_callback("currententrychange", on_entry.as_ref().unchecked_ref());
        on_entry.forget();
    }
    watch.arm_idle_timer();
    PageWatch(watch)
}

impl PageWatch {
    /// The app says leaving the page now loses nothing: it is taken at its
    /// word (it knows its unsaved state), so the fields and editors changed
    /// so far no longer count, and the next input ends the moment.
    pub fn moment_named(&self) {
        self.0.touched.borrow_mut().clear();
        self.0.reported.set(true);
        (self.0.report)(Activity::SafeMoment);
    }

    /// Whether leaving now would lose something the person did: a field
    /// they changed that is still on the page and differs from the page's
    /// own default (a value, a check, a choice, a chosen file); text in a
    /// rich-text editor they typed in or are in; or focus in a frame
    /// (typing there is not seen from here). Fields and editors changed
    /// before the app's last [`PageWatch::moment_named`] do not count, nor
    /// does a field the app filled in itself.
    pub fn has_unsaved_input(&self) -> bool {
        let Some(document) = window().and_then(|w| w.document()) else { return false };
        let active = property(&document, "activeElement");
        let in_frame = property(&active, "tagName").as_string().is_some_and(|tag| tag == "IFRAME");
        let touched = self.0.still_on_page();
        in_frame || holds_text(&active) || touched.iter().any(|field| holds_text(field) || differs_from_default(field))
    }
}

/// The URL left by a push or a Back/Forward (`currententrychange`), if it
/// is another page: a replace is a redirect or the app's own bookkeeping
/// (a query kept in step with a search field), and a reload is no change.
fn page_change(event: &web_sys::Event) -> Option<String> {
    let kind = property(event, "navigationType").as_string()?;
    if kind != "push" && kind != "traverse" {
        return None;
    }
    property(&property(event, "from"), "url").as_string()
}

/// Whether going from `from` to `to` shows another page: the path or the
/// query changed, not only the fragment (a link within the page).
pub fn is_another_page(from: &str, to: &str) -> bool {
    from.split('#').next() != to.split('#').next()
}

impl Watch {
    fn touch(&self, field: JsValue) {
        let mut touched = self.still_on_page();
        if field.is_object() && !touched.contains(&field) {
            touched.push(field);
        }
    }

    /// The touched fields, forgetting those no longer on the page.
    fn still_on_page(&self) -> std::cell::RefMut<'_, Vec<JsValue>> {
        let mut touched = self.touched.borrow_mut();
        touched.retain(|field| property(field, "isConnected") == JsValue::TRUE);
        touched
    }

    /// Time since the last input; a clock set back counts from now.
    fn since_input(&self) -> u64 {
        let now = clock::now_millis();
        if self.last_input_at.get() > now {
            self.last_input_at.set(now);
        }
        now - self.last_input_at.get()
    }

    fn on_input(self: &Rc<Self>) {
        self.last_input_at.set(clock::now_millis());
        if self.reported.replace(false) {
            self.idle_reported.set(false);
            (self.report)(Activity::InUse);
            self.arm_idle_timer();
        }
    }

    fn unsaved(self: &Rc<Self>) -> bool {
        PageWatch(self.clone()).has_unsaved_input()
    }

    fn on_page_change(self: &Rc<Self>, from: String, safe_moment: bool) {
        let to = window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        if !is_another_page(&from, &to) {
            return;
        }
        // Someone changed pages (a link, or Back in the toolbar, which
        // fires no input): the page is in use, no longer idle.
        self.on_input();
        if !safe_moment {
            return;
        }
        // After the router has rendered the new page: the fields to check
        // are the ones still on screen.
        self.after(0, Self::on_rendered);
    }

    fn on_rendered(self: &Rc<Self>) {
        if !self.unsaved() {
            self.reported.set(true);
            (self.report)(Activity::SafeMoment);
        }
    }

    /// Calls `then` after `delay_ms` (one closure type for every timer).
    fn after(self: &Rc<Self>, delay_ms: u64, then: fn(&Rc<Self>)) -> Option<TimeoutHandle> {
        let watching = self.clone();
        set_timeout_with_handle(move || then(&watching), Duration::from_millis(delay_ms)).ok()
    }

    /// Looks again once the idle time has passed since the last input.
    fn arm_idle_timer(self: &Rc<Self>) {
        let Some(idle_after) = self.idle_after_ms.map(u64::from) else { return };
        self.look_for_idleness_in(idle_after.saturating_sub(self.since_input()));
    }

    fn look_for_idleness_in(self: &Rc<Self>, delay_ms: u64) {
        if let Some(old) = self.idle_timer.replace(self.after(delay_ms, Self::on_idle_timer)) {
            old.clear();
        }
    }

    fn on_idle_timer(self: &Rc<Self>) {
        let Some(idle_after) = self.idle_after_ms.map(u64::from) else { return };
        if self.idle_reported.get() {
            return;
        }
        let since_input = self.since_input();
        if since_input < idle_after {
            return self.look_for_idleness_in(idle_after - since_input);
        }
        // Unsaved input stays until someone acts: look once per idle time.
        if self.unsaved() {
            return self.look_for_idleness_in(idle_after);
        }
        self.idle_reported.set(true);
        self.reported.set(true);
        (self.report)(Activity::Idle);
    }
}

/// A property read through `Reflect`: one import for every element type,
/// where typed bindings cost wasm glue per type and property.
fn property(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A rich-text editor with text in it (its content cannot be compared
/// with a default).
fn holds_text(element: &JsValue) -> bool {
    property(element, "isContentEditable") == JsValue::TRUE
        && property(element, "textContent").as_string().is_some_and(|text| !text.trim().is_empty())
}

/// A field's state against the one the page gave it.
fn differs_from_default(field: &JsValue) -> bool {
    let changed = |now: &str, default: &str| property(field, now) != property(field, default);
    // `type` is the input's type, "textarea", or "select-one"/"select-multiple".
    match property(field, "type").as_string().unwrap_or_default().as_str() {
        "checkbox" | "radio" => changed("checked", "defaultChecked"),
        "file" => property(&property(field, "files"), "length").as_f64().is_some_and(|n| n > 0.0),
        "select-one" | "select-multiple" => {
            let options = property(field, "options");
            let count = property(&options, "length").as_f64().unwrap_or(0.0) as u32;
            (0..count).any(|i| {
                let option = js_sys::Reflect::get_u32(&options, i).unwrap_or(JsValue::UNDEFINED);
                property(&option, "selected") != property(&option, "defaultSelected")
            })
        }
        _ => changed("value", "defaultValue"),
    }
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
