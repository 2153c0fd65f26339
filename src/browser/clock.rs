//! The wall clock, read in one place so flows can take it as a parameter.

/// Milliseconds since the Unix epoch, from `Date.now()`.
pub fn now_millis() -> f64 {
    js_sys::Date::now()
}
