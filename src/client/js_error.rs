//! The JavaScript face of [`Error`]: a `RenewFetchError` class that extends `Error`.

use wasm_bindgen::prelude::*;

use super::error::Error;

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    #[wasm_bindgen(js_name = RenewFetchError)]
    type JsRenewFetchError;

    #[wasm_bindgen(constructor, js_class = RenewFetchError)]
    fn new(
        kind: &str,
        message: &str,
        status: Option<u16>,
        code: Option<f64>,
        method: &str,
        url: &str,
        reason: Option<String>,
        data: Option<JsValue>,
        body: Option<JsValue>,
        cause: Option<JsValue>,
    ) -> JsRenewFetchError;

    // A name apart from the export's, because a bundler that binds the wasm's imports and
    // exports in one scope, as Turbopack does, rejects a name that is both.
    #[wasm_bindgen(js_name = isRenewFetchErrorInstance)]
    fn is_renew_fetch_error_js(value: &JsValue) -> bool;
}

/// Creates the `RenewFetchError` object for `error`. Absent facts become `null`.
pub(crate) fn to_js(error: &Error) -> JsValue {
    // Business codes are JavaScript numbers. Codes beyond 2^53 lose precision, as they would
    // in JSON.parse.
    let code = error.code().map(|code| code as f64);
    let reason = error.reason().map(|reason| reason.as_str().to_owned());
    JsRenewFetchError::new(
        error.kind().as_str(),
        error.message(),
        error.status(),
        code,
        error.method(),
        error.url(),
        reason,
        error.data().cloned(),
        error.body().cloned(),
        error.cause().cloned(),
    )
    .into()
}

/// Returns true when `value` is a `RenewFetchError` thrown by this package.
#[wasm_bindgen(js_name = isRenewFetchError, unchecked_return_type = "value is RenewFetchError")]
pub fn is_renew_fetch_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue,
) -> bool {
    is_renew_fetch_error_js(value)
}
