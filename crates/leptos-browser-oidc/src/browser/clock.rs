//! The wall clock, read in one place so flows and the session core take it
//! as a parameter. (The monotonic `performance.now()` stops while a laptop
//! sleeps on some systems, and ID-token times are wall-clock times; the
//! session core guards itself against the wall clock being set back.)

/// Milliseconds since the Unix epoch, from `Date.now()`.
pub fn now_millis() -> u64 {
    js_sys::Date::now() as u64
}
