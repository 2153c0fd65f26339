//! The clock, read in one place so flows and the session core take it as
//! a parameter.

/// Milliseconds since the Unix epoch as of the page's start, counted on
/// from there by the monotonic clock: the session's timers and intervals
/// do not jump when the device's clock is set back or forward.
pub fn now_millis() -> u64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now()) as u64
}
