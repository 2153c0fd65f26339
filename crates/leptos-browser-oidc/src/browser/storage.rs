//! Web storage, read and written as JSON. Only the sign-in transit data
//! (sessionStorage) and the non-secret session hint (localStorage) use it.

use browser_oidc::json::{self, Deserialize, Serialize};
use web_sys::{Storage, window};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// This tab only, gone when it closes.
    Session,
    /// Every tab of this origin, kept across restarts.
    Local,
}

fn storage(area: Area) -> Option<Storage> {
    let window = window()?;
    match area {
        Area::Session => window.session_storage().ok()?,
        Area::Local => window.local_storage().ok()?,
    }
}

/// Stores `value`; false when storage is unavailable or full.
pub fn set<T: Serialize>(area: Area, key: &str, value: &T) -> bool {
    let Some(storage) = storage(area) else { return false };
    storage.set_item(key, &json::to_string(value)).is_ok()
}

/// The stored value, if any and if it parses.
pub fn get<T: Deserialize>(area: Area, key: &str) -> Option<T> {
    json::parse(&storage(area)?.get_item(key).ok()??)
}

pub fn delete(area: Area, key: &str) {
    if let Some(storage) = storage(area) {
        let _ = storage.remove_item(key);
    }
}
