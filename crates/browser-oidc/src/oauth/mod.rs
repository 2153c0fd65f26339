//! The protocol core: plain Rust with no browser or UI types, so every rule
//! is unit-tested natively. Modules are named after the RFCs' own terms.

pub mod authorize;
pub mod bearer;
pub mod callback;
pub mod discovery;
pub mod dpop;
pub mod endpoint_url;
pub mod http;
pub mod id_token;
pub mod jwks;
pub mod jwt;
pub mod logout;
pub mod pkce;
pub mod provider_error;
pub mod random;
pub mod return_path;
pub mod revocation;
pub mod secret;
pub mod token;
pub mod userinfo;
