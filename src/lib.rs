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
//!
//! The client sends requests on wasm32 only, and the server layer exists on other targets only.
//! So these docs show one half: build them with `cargo doc --target wasm32-unknown-unknown` for
//! the client, or with `--features server` on the native target for the layer. On docs.rs, pick
//! the target in the platform menu. The `ssr` feature compiles the client's Rust API on other
//! targets too, for the server build of an SSR app, where each call fails with
//! [`ErrorKind::InvalidRequest`](client::ErrorKind::InvalidRequest).
#![deny(missing_docs)]

pub mod client;
pub mod protocol;

#[cfg(all(feature = "server", not(target_arch = "wasm32")))]
pub mod server;
