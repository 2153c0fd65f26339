//! A hidden frame that visits the provider's authorization endpoint
//! (`prompt=none`) and comes back to a page of the app's own, whose query
//! is read here: a renewal that never leaves the page. The page it comes
//! back to runs no script; the frame is gone once its query is read.

use std::time::Duration;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlIFrameElement;

/// How long a renewal in a frame may take, the code exchange aside.
pub const FRAME_WAIT: Duration = Duration::from_secs(10);

/// How often the frame is looked at: a page of the app's own shows within
/// this of its arrival.
const LOOK_EVERY_MS: i32 = 50;

/// Loads `url` in a hidden frame and returns the query (`?code=…`) of the
/// first page it shows at `return_to` (origin and path compared; also
/// without `.html`, as Cloudflare Pages serves it), or `None` if it shows
/// none within `wait` (the provider kept it, the browser blocked the frame,
/// or the provider's page is another origin's).
pub async fn come_back(url: &str, return_to: &str, wait: Duration) -> Option<String> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let frame: HtmlIFrameElement = document.create_element("iframe").ok()?.unchecked_into();
    frame.set_hidden(true);
    let _ = frame.set_attribute("aria-hidden", "true");
    let _ = frame.set_attribute("tabindex", "-1");
    frame.set_referrer_policy("no-referrer");
    let return_to = return_to.split(['?', '#']).next().unwrap_or(return_to);
    let pretty = return_to.strip_suffix(".html");
    // The address is set before the frame joins the page: its first and
    // only navigation, which adds no entry to the tab's history.
    frame.set_src(url);
    let mut query = None;
    if document.body().is_some_and(|body| body.append_child(&frame).is_ok()) {
        // By a clock, not by counting looks: a background tab's timers are
        // slowed down. The page's own clock, which setting the device's
        // time does not move.
        let now = || window.performance().map_or(f64::INFINITY, |performance| performance.now());
        let deadline = now() + wait.as_secs_f64() * 1000.0;
        while now() < deadline {
            let pause = Promise::new(&mut |resolve, _| {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, LOOK_EVERY_MS);
            });
            let _ = JsFuture::from(pause).await;
            // Another origin's location cannot be read: still at the provider.
            let Some(location) = frame.content_window().map(|window| window.location()) else { continue };
            let (Ok(origin), Ok(path)) = (location.origin(), location.pathname()) else { continue };
            let here = |page: &str| page.strip_prefix(origin.as_str()) == Some(path.as_str());
            if here(return_to) || pretty.is_some_and(here) {
                query = location.search().ok();
                break;
            }
        }
    }
    frame.remove();
    query
}
