//! The transit data of one sign-in or sign-out attempt in this tab's
//! sessionStorage: read once and deleted when the core consumes it.

use browser_oidc::json::{Deserialize, Serialize};

use super::storage::{self, Area};
use browser_oidc::session::error::StorageUnavailable;

/// Keeps `value` under `key` in this tab's sessionStorage.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), StorageUnavailable> {
    storage::set(Area::Session, key, value).then_some(()).ok_or(StorageUnavailable)
}

/// The entry, if any and if it parses; a corrupt or foreign entry reads as none.
pub fn peek<T: Deserialize>(key: &str) -> Option<T> {
    storage::get(Area::Session, key)
}

/// Deletes the entry under `key`.
pub fn delete(key: &str) {
    storage::delete(Area::Session, key);
}

/// Reads and deletes the entry: it can be used at most once.
pub fn take<T: Deserialize>(key: &str) -> Option<T> {
    let value = peek(key);
    delete(key);
    value
}
