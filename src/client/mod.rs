//! The request client, compiled to WebAssembly and published as the npm package `renew-fetch`.
//!
//! From JavaScript the client is the `HttpClient` class, which the default `js` feature exports
//! from the wasm. From Rust it is `Client`, built with `Client::builder()`, whose typed methods
//! such as `get::<T>()` return a [`protocol::Envelope`](crate::protocol::Envelope) or an
//! [`Error`]. Both send requests on wasm32 only, so their docs appear in
//! `cargo doc --target wasm32-unknown-unknown`. With the `ssr` feature, `Client` also compiles on
//! other targets, where it keeps its token in memory and each call fails with
//! [`ErrorKind::InvalidRequest`], so that code shared with an SSR app's server build needs no
//! `cfg`.

// The pure parts (the duplicate key, URL joining, the replay policy, the error type and the
// settings) compile on every target so that native tests cover them. Everything that touches
// the browser is compiled for wasm32 only. The modules of the key, the replay policy and URL
// joining are public for their doc tests only, so their docs are hidden.

// The settings are read only by the wasm32 parts, but their parsers have native tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub mod config;
pub mod error;
#[doc(hidden)]
pub mod key;
#[doc(hidden)]
pub mod replay;
#[doc(hidden)]
pub mod url;

pub use config::{Duplicates, ResponseType, TokenStorage};
pub use error::{CancelReason, Error, ErrorKind};
pub use replay::BusinessCodes;

#[cfg(target_arch = "wasm32")]
mod abort;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(any(target_arch = "wasm32", feature = "ssr"))]
mod builder;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod http_client;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod js_error;
#[cfg(target_arch = "wasm32")]
mod loading;
#[cfg(all(not(target_arch = "wasm32"), feature = "ssr"))]
mod native;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod options;
#[cfg(target_arch = "wasm32")]
mod pending;
#[cfg(target_arch = "wasm32")]
mod request;
#[cfg(target_arch = "wasm32")]
mod response;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod transport;
#[cfg(target_arch = "wasm32")]
mod values;

#[cfg(target_arch = "wasm32")]
pub use api::{Client, FullResponse, RequestBuilder, ResponseFuture, WeakClient};
#[cfg(any(target_arch = "wasm32", feature = "ssr"))]
pub use builder::{ClientBuilder, ConfigError};
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub use http_client::HttpClient;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub use js_error::is_renew_fetch_error;
#[cfg(all(not(target_arch = "wasm32"), feature = "ssr"))]
pub use native::{Client, FullResponse, RequestBuilder, ResponseFuture, WeakClient};

/// talc in place of Rust's default dlmalloc, because it compiles to less wasm.
#[cfg(all(target_arch = "wasm32", feature = "talc"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
