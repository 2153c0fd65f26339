//! The protected demo API. It trusts nothing it did not verify: every
//! request needs a JWT access token (RFC 9068) signed by the provider,
//! for this API's audience, unexpired, with the route's scope; a token
//! bound to a key (DPoP, RFC 9449) also needs a fresh proof made with it.

pub mod access_token;
pub mod dpop;
pub mod keys;
pub mod rejection;
pub mod routes;
pub mod settings;
pub mod token_cache;

pub use routes::{AppState, app};
