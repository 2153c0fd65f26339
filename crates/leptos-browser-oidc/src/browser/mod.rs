//! Every side effect of the app, kept thin: fetch, WebCrypto, sessionStorage
//! for one login's transit data, IndexedDB for the DPoP key across that
//! login's redirect, a hidden frame for a renewal, the address bar, and
//! the clock.

pub mod activity;
pub mod clock;
pub mod dpop;
pub mod fetch;
pub mod frame;
pub mod key_store;
pub mod names;
pub mod page;
pub mod session_hint;
pub mod storage;
pub mod tabs;
pub mod transit;
pub mod webcrypto;
