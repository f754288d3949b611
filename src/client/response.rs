//! Reading a response: the raw body, or the JSON envelope whatever the HTTP status.

use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::config::ResponseType;

/// The kind of body that a response carried.
pub(crate) enum Body {
    /// A 2xx body read as text, Blob or ArrayBuffer, without an envelope check.
    Raw(JsValue),
    /// A JSON object with a numeric `code`.
    Envelope(Envelope),
    /// No body at all.
    Empty,
    /// A body that is not JSON.
    NotJson,
    /// JSON that is not an envelope.
    NotEnvelope,
}

/// An envelope as the caller gets it, with its code and message read out.
pub(crate) struct Envelope {
    /// The parsed JSON object, handed to the caller as it is.
    pub value: JsValue,
    /// The business code.
    pub code: i64,
    /// The message, or empty when it is missing or not a string.
    pub msg: String,
}

/// Reads the body of `response` in the format that `response_type` requests.
///
/// A raw response type applies to 2xx responses only. Any other status is read as JSON, so
/// an overdue response to a download still replays.
///
/// # Errors
///
/// Returns the JavaScript error when the body cannot be read: the connection dropped or the
/// call was aborted.
pub(crate) async fn read(
    response: &web_sys::Response,
    response_type: ResponseType,
) -> Result<Body, JsValue> {
    if response.ok() && response_type != ResponseType::Json {
        let promise = match response_type {
            ResponseType::Blob => response.blob()?,
            ResponseType::ArrayBuffer => response.array_buffer()?,
            ResponseType::Text | ResponseType::Json => response.text()?,
        };
        return Ok(Body::Raw(JsFuture::from(promise).await?));
    }

    // The body stays a JavaScript string on the common path, so it is not copied into wasm
    // memory and back. Only a body that JSON.parse rejects is read here, to tell an empty body
    // from one that is not JSON.
    let text = JsFuture::from(response.text()?).await?;
    if let Ok(value) = parse_json(text.unchecked_ref()) {
        return Ok(envelope(value).map_or(Body::NotEnvelope, Body::Envelope));
    }
    if text.as_string().unwrap_or_default().trim().is_empty() {
        return Ok(Body::Empty);
    }
    Ok(Body::NotJson)
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JavaScript string.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_json(text: &JsString) -> Result<JsValue, JsValue>;
}

/// Returns the envelope in `value`: a JSON object whose `code` is a whole number.
fn envelope(value: JsValue) -> Option<Envelope> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return None;
    }
    let code = Reflect::get(&value, &JsValue::from_str("code"))
        .ok()?
        .as_f64()?;
    if code.fract() != 0.0 || !code.is_finite() {
        return None;
    }
    let msg = Reflect::get(&value, &JsValue::from_str("msg"))
        .ok()
        .and_then(|msg| msg.as_string())
        .unwrap_or_default();
    Some(Envelope {
        value,
        code: code as i64,
        msg,
    })
}

/// Creates the envelope that an empty 2xx response resolves to: `{code: success, msg: "",
/// data: null}`.
pub(crate) fn empty_success(success: i64) -> JsValue {
    let object = Object::new();
    // Setting a property on a fresh plain object cannot throw.
    let _ = Reflect::set(
        &object,
        &JsValue::from_str("code"),
        &JsValue::from_f64(success as f64),
    );
    let _ = Reflect::set(&object, &JsValue::from_str("msg"), &JsValue::from_str(""));
    let _ = Reflect::set(&object, &JsValue::from_str("data"), &JsValue::NULL);
    object.into()
}
