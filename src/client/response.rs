//! The body of a response as the client classifies it, and the envelope of a response without a
//! body.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// The kind of body that a response carried.
pub(crate) enum Body {
    /// A 2xx body read as text, Blob or ArrayBuffer, without an envelope check.
    Raw(JsValue),
    /// A JSON object with a numeric `code`.
    Envelope(Envelope),
    /// No body at all.
    Empty,
    /// A body that is not JSON, as text.
    NotJson(JsValue),
    /// JSON that is not an envelope, parsed.
    NotEnvelope(JsValue),
    /// A redirect, not followed because the attempt carries the token in a header that `fetch`
    /// would send to the redirect target.
    Redirect,
}

/// An envelope as the caller gets it, with its code and message read out.
pub(crate) struct Envelope {
    /// The parsed JSON object, handed to the caller as it is.
    pub value: JsValue,
    /// The business code.
    pub code: i64,
}

impl Envelope {
    /// Returns the `data` field, or None when it is null, missing or unreadable.
    pub(crate) fn data(&self) -> Option<JsValue> {
        Reflect::get(&self.value, &JsValue::from_str("data"))
            .ok()
            .filter(|data| !data.is_undefined() && !data.is_null())
    }

    /// Returns the message, or an empty string when it is missing or not a string.
    pub(crate) fn msg(&self) -> String {
        Reflect::get(&self.value, &JsValue::from_str("msg"))
            .ok()
            .and_then(|msg| msg.as_string())
            .unwrap_or_default()
    }
}

/// Creates the envelope of a response without a body: `{code, msg: "", data: null}`. An empty
/// 2xx response resolves to it with the success code.
pub(crate) fn empty_envelope(code: i64) -> JsValue {
    let object = Object::new();
    // Setting a property on a fresh plain object cannot throw.
    let _ = Reflect::set(
        &object,
        &JsValue::from_str("code"),
        &JsValue::from_f64(code as f64),
    );
    let _ = Reflect::set(&object, &JsValue::from_str("msg"), &JsValue::from_str(""));
    let _ = Reflect::set(&object, &JsValue::from_str("data"), &JsValue::NULL);
    object.into()
}
