//! One attempt on the wire: `fetch`, the renewed-token header and the body, in JavaScript.
//!
//! The attempt runs as one JavaScript promise, so a call crosses between wasm and JavaScript once
//! to start an attempt and once when it ends, and awaits one promise instead of one for the
//! response and one for its body.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::config::ResponseType;
use super::response::{Body, Envelope};

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// The response of one attempt, with its body read.
    pub(crate) type Received;

    /// Returns the HTTP status.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn status(this: &Received) -> u16;

    /// Returns true for a 2xx status.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn ok(this: &Received) -> bool;

    /// Returns the renewed-token header, or None. It is None after a redirect to another
    /// origin.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn header(this: &Received) -> Option<String>;

    /// Returns true when the renewed-token header was stored as the client's token.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn stored(this: &Received) -> bool;

    /// Returns true for a cross-origin response, whose headers the browser hides unless the
    /// server lists them in `Access-Control-Expose-Headers`. False in Node.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn cors(this: &Received) -> bool;

    /// Returns true when a redirect led to another origin, whose response it is.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn foreign(this: &Received) -> bool;

    /// Returns the body's kind: 0 raw, 1 envelope, 2 empty, 3 not JSON, 4 JSON that is not an
    /// envelope, 5 a body that could not be read, 6 a redirect that was not followed.
    #[wasm_bindgen(method, getter)]
    fn kind(this: &Received) -> u8;

    /// Returns the raw body or the envelope object, undefined for the other kinds.
    #[wasm_bindgen(method, getter)]
    fn value(this: &Received) -> JsValue;

    /// Returns the response's `Headers` object.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn headers(this: &Received) -> JsValue;

    /// Returns the envelope's code, a whole number.
    #[wasm_bindgen(method, getter)]
    fn code(this: &Received) -> f64;

    /// Starts one attempt and returns the promise of its `Received`. It throws a message for
    /// an invalid header value, and the promise rejects with a message when the browser
    /// rejects the request itself, such as a URL with credentials.
    #[wasm_bindgen(js_name = attempt, catch)]
    #[allow(clippy::too_many_arguments)]
    fn start_attempt(
        url: &str,
        method: &str,
        headers: Vec<String>,
        body: Option<JsValue>,
        signal: &AbortSignal,
        response_type: u8,
        auth_header: &str,
        hold_redirects: bool,
        store: Option<&Function>,
        generation: u32,
    ) -> Result<Promise, JsValue>;

    /// Returns true when `navigator.onLine` is false. Without a navigator, as in older Node, the
    /// client counts as online.
    #[wasm_bindgen(js_name = offline)]
    pub(crate) fn is_offline() -> bool;
}

impl Received {
    /// Returns the body, or None when it could not be read: the connection dropped or the call
    /// was aborted.
    pub(crate) fn body(&self) -> Option<Body> {
        Some(match self.kind() {
            0 => Body::Raw(self.value()),
            1 => Body::Envelope(Envelope {
                value: self.value(),
                code: self.code() as i64,
            }),
            2 => Body::Empty,
            3 => Body::NotJson(self.value()),
            4 => Body::NotEnvelope(self.value()),
            6 => Body::Redirect,
            _ => return None,
        })
    }
}

/// The parts of one attempt besides its URL and method.
pub(crate) struct Attempt<'a> {
    /// The headers as a flat list of names and values.
    pub headers: Vec<String>,
    /// The body as `fetch` takes it.
    pub body: Option<JsValue>,
    /// Aborts the attempt and its body read.
    pub signal: &'a AbortSignal,
    /// How to read a 2xx body.
    pub response_type: ResponseType,
    /// The header that carries a renewed token.
    pub auth_header: &'a str,
    /// True when the attempt must not follow redirects, because it carries a token in a header
    /// that `fetch` would send to another origin.
    pub hold_redirects: bool,
    /// Called with that header's value and `generation` as soon as the response arrives,
    /// before its body is read, or None when this origin's renewed tokens are ignored.
    pub store: Option<&'a Function>,
    /// The token's generation when the attempt is sent.
    pub generation: u32,
}

/// The outcome of an attempt that got no response.
pub(crate) enum SendError {
    /// The request could not be built from the caller's input.
    Build(String),
    /// `fetch` rejected, with this error: the network failed, CORS blocked the response, or the
    /// signal aborted.
    Fetch(JsValue),
}

/// Sends one attempt to `url` and reads its response.
///
/// `fetch` gets the URL and a plain init object, never a `Request`, because constructing a
/// `Request` for every call took 30 to 90 µs of main-thread time in Chromium. Only when `fetch`
/// rejects is a `Request` built, to tell a request that the browser refuses from a network
/// failure.
///
/// # Errors
///
/// Returns [`SendError::Build`] when a header value or the request is rejected by the browser,
/// and [`SendError::Fetch`] when no response arrived.
pub(crate) async fn send(
    url: &str,
    method: &str,
    attempt: Attempt<'_>,
) -> Result<Received, SendError> {
    let response_type = match attempt.response_type {
        ResponseType::Json => 0,
        ResponseType::Text => 1,
        ResponseType::Blob => 2,
        ResponseType::ArrayBuffer => 3,
    };
    let classify = |error: JsValue| match error.as_string() {
        Some(message) => SendError::Build(message),
        None => SendError::Fetch(error),
    };
    let promise = start_attempt(
        url,
        method,
        attempt.headers,
        attempt.body,
        attempt.signal,
        response_type,
        attempt.auth_header,
        attempt.hold_redirects,
        attempt.store,
        attempt.generation,
    )
    .map_err(classify)?;
    let received = JsFuture::from(promise).await.map_err(classify)?;
    Ok(received.unchecked_into())
}
