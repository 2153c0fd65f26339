//! A hidden frame that visits the provider's authorization endpoint
//! (`prompt=none`) and comes back to a page of the app's own, whose query
//! is read here: a renewal that never leaves the page. The page it comes
//! back to runs no script; the frame is gone once its query is read.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use leptos::prelude::set_timeout_with_handle;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::HtmlIFrameElement;

/// How long a renewal in a frame may take, the code exchange aside.
pub const FRAME_WAIT: Duration = Duration::from_secs(10);

/// Loads `url` in a hidden frame and returns the query (`?code=…`) of the
/// first page it shows at `return_to` (origin and path compared), or
/// `None` if it shows none within `wait` (the provider kept it, the browser
/// blocked the frame, or the provider's page is another origin's).
pub async fn come_back(url: &str, return_to: &str, wait: Duration) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let frame: HtmlIFrameElement = document.create_element("iframe").ok()?.unchecked_into();
    frame.set_hidden(true);
    let _ = frame.set_attribute("aria-hidden", "true");
    let _ = frame.set_attribute("tabindex", "-1");
    frame.set_referrer_policy("no-referrer");
    let return_to = return_to.split(['?', '#']).next().unwrap_or(return_to).to_owned();

    let (sender, receiver) = oneshot::channel::<Option<String>>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let answer = {
        let sender = sender.clone();
        move |query: Option<String>| {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(query);
            }
        }
    };
    let on_load = {
        let (frame, answer) = (frame.clone(), answer.clone());
        Closure::<dyn Fn()>::new(move || {
            // Another origin's location cannot be read: still at the provider.
            let Some(location) = frame.content_window().map(|window| window.location()) else { return };
            let (Ok(origin), Ok(path)) = (location.origin(), location.pathname()) else { return };
            if format!("{origin}{path}") == return_to {
                answer(location.search().ok());
            }
        })
    };
    frame.set_onload(Some(on_load.as_ref().unchecked_ref()));
    let timeout = set_timeout_with_handle(move || answer(None), wait).ok();
    // The address is set before the frame joins the page: its first and
    // only navigation, which adds no entry to the tab's history.
    frame.set_src(url);
    let shown = document.body().is_some_and(|body| body.append_child(&frame).is_ok());
    let query = if shown { receiver.await.ok().flatten() } else { None };
    if let Some(timeout) = timeout {
        timeout.clear();
    }
    frame.set_onload(None);
    frame.remove();
    drop(on_load);
    query
}
