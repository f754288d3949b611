//! renew-fetch: a request client for token-authenticated web apps, and the axum layer that
//! renews its tokens.
//!
//! The crate has two halves that speak one protocol:
//!
//! - [`client`] is compiled to WebAssembly and published as the npm package `renew-fetch`. It
//!   keeps the auth token, attaches it to allowed origins, cancels duplicate requests and replays
//!   a request when the server responds with the overdue code and a renewed token.
//! - `server`, behind the `server` cargo feature and never compiled for wasm32, is a tower layer
//!   for axum that verifies HS256 JWTs, renews them near expiry and answers overdue just after.
//!
//! [`protocol`] holds what both halves share: the envelope, the business codes and the header
//! names.
#![deny(missing_docs)]

pub mod client;
pub mod protocol;

#[cfg(all(feature = "server", not(target_arch = "wasm32")))]
pub mod server;
