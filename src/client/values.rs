//! Converts JavaScript params and bodies into [`KeyValue`] trees for the query string and the
//! duplicate key.

use js_sys::{Array, Date, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::key::KeyValue;

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// Returns the message for a Map, Set, URLSearchParams, Headers or FormData, whose entries
    /// `qs` and `JSON.stringify` do not see, or None for any other value.
    #[wasm_bindgen(js_name = collectionError)]
    fn collection_error(value: &JsValue) -> Option<String>;
}

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `String(value)`, which never throws for numbers, booleans and bigints.
    #[wasm_bindgen(js_name = String)]
    pub(crate) fn js_string(value: &JsValue) -> String;

    /// Calls `Object.entries(object)`, which fails when a getter or a Proxy trap throws.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn entries(object: &Object) -> Result<Array, JsValue>;
}

/// Names the type of a value for a message: `typeof`, with null apart from other objects.
pub(crate) fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        return "null".to_owned();
    }
    value.js_typeof().as_string().unwrap_or_default()
}

/// The deepest nesting that params or a body may have. Deeper values are most likely cyclic.
pub(crate) const MAX_DEPTH: usize = 32;

/// Converts `value` the way `qs.stringify` reads it: strings, numbers, booleans and bigints as
/// their `String()` text, dates as ISO text, arrays and plain objects as containers, and
/// functions and symbols as left out.
///
/// # Errors
///
/// Returns a message when `value` nests deeper than [`MAX_DEPTH`] levels, which is also what a
/// cyclic object gives, contains an invalid date, or has a getter or Proxy trap that throws.
pub(crate) fn to_key_value(value: &JsValue) -> Result<KeyValue, String> {
    convert(value, 0)
}

fn convert(value: &JsValue, depth: usize) -> Result<KeyValue, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "the value nests deeper than {MAX_DEPTH} levels; remove the cycle or flatten it"
        ));
    }
    if value.is_undefined() || value.is_function() || value.is_symbol() {
        return Ok(KeyValue::Undefined);
    }
    if value.is_null() {
        return Ok(KeyValue::Null);
    }
    if let Some(text) = value.as_string() {
        return Ok(KeyValue::Text(text));
    }
    if !value.is_object() {
        // Numbers, booleans and bigints, in the text that String(value) gives.
        return Ok(KeyValue::Text(js_string(value)));
    }
    if let Some(date) = value.dyn_ref::<Date>() {
        if date.get_time().is_nan() {
            return Err("a date in it is invalid; pass a valid Date or its ISO text".to_owned());
        }
        return Ok(KeyValue::Text(date.to_iso_string().into()));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            items.push(convert(&item, depth + 1)?);
        }
        return Ok(KeyValue::List(items));
    }

    if let Some(message) = collection_error(value) {
        return Err(message);
    }

    let object: &Object = value.unchecked_ref();
    let entries = entries(object)
        .map_err(|error| format!("reading a property failed ({})", js_string(&error)))?;
    let mut map = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        map.push((name, convert(&pair.get(1), depth + 1)?));
    }
    Ok(KeyValue::Map(map))
}
