//! Reading a response: the raw body, or the JSON envelope whatever the HTTP status.

use js_sys::{Object, Promise, Reflect};
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
}

impl Envelope {
    /// Returns the message, or an empty string when it is missing or not a string.
    pub(crate) fn msg(&self) -> String {
        Reflect::get(&self.value, &JsValue::from_str("msg"))
            .ok()
            .and_then(|msg| msg.as_string())
            .unwrap_or_default()
    }
}

#[wasm_bindgen(inline_js = r#"
export class BodyRead {
  constructor(kind, value, code) {
    this.kind = kind;
    this.value = value;
    this.code = code;
  }
}

export function readBody(response, type) {
  if (response.ok && type !== 0) {
    const promise = type === 2 ? response.blob() : type === 3 ? response.arrayBuffer() : response.text();
    return promise.then((value) => new BodyRead(0, value));
  }
  return response.text().then((text) => {
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      return new BodyRead(text.trim() === "" ? 2 : 3);
    }
    const envelope =
      value !== null && typeof value === "object" && !Array.isArray(value) && Number.isInteger(value.code);
    return envelope ? new BodyRead(1, value, value.code) : new BodyRead(4);
  });
}

export function renewedHeader(response, name) {
  return response.headers.get(name) ?? undefined;
}
"#)]
extern "C" {
    /// A body as `readBody` classified it.
    type BodyRead;

    /// 0 raw, 1 envelope, 2 empty, 3 not JSON, 4 JSON that is not an envelope.
    #[wasm_bindgen(method, getter)]
    fn kind(this: &BodyRead) -> u8;

    /// The raw body or the envelope object, undefined for the other kinds.
    #[wasm_bindgen(method, getter)]
    fn value(this: &BodyRead) -> JsValue;

    /// The envelope's code, a whole number.
    #[wasm_bindgen(method, getter)]
    fn code(this: &BodyRead) -> f64;

    /// Reads and classifies the body in JavaScript: 0 json, 1 text, 2 blob, 3 arrayBuffer. A
    /// JSON body is parsed as the string it arrives as, and the envelope is checked without a
    /// call between wasm and JavaScript for each property. Rejects when the body cannot be read.
    #[wasm_bindgen(js_name = readBody, catch)]
    fn read_body(response: &web_sys::Response, response_type: u8) -> Result<Promise, JsValue>;

    /// Returns the value of header `name` of `response`, or None.
    #[wasm_bindgen(js_name = renewedHeader)]
    pub(crate) fn header(response: &web_sys::Response, name: &str) -> Option<String>;
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
    let type_number = match response_type {
        ResponseType::Json => 0,
        ResponseType::Text => 1,
        ResponseType::Blob => 2,
        ResponseType::ArrayBuffer => 3,
    };
    let read: BodyRead = JsFuture::from(read_body(response, type_number)?)
        .await?
        .unchecked_into();
    Ok(match read.kind() {
        0 => Body::Raw(read.value()),
        1 => Body::Envelope(Envelope {
            value: read.value(),
            code: read.code() as i64,
        }),
        2 => Body::Empty,
        3 => Body::NotJson,
        _ => Body::NotEnvelope,
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
