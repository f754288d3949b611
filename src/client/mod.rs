//! The request client, compiled to WebAssembly and published as the npm package `renew-fetch`.
//!
//! The pure parts (the duplicate key, the replay policy) compile on every target so native unit
//! tests cover them. Everything that touches the browser is compiled for wasm32 only, and this
//! file is the one place that switches on the target.
