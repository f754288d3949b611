//! A client with one method that sends a GET with a Bearer token and resolves to the parsed JSON
//! body, built with the allocator and release settings of the renew-fetch package.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(inline_js = r#"
export function getJson(url, token) {
  return fetch(url, { headers: { Authorization: `Bearer ${token}` } }).then((response) => response.json());
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = getJson)]
    fn get_json(url: &str, token: &str) -> js_sys::Promise;
}

/// A client that keeps one token.
#[wasm_bindgen]
pub struct Client {
    token: String,
}

#[wasm_bindgen]
impl Client {
    /// Creates a client that sends `token`.
    #[wasm_bindgen(constructor)]
    pub fn new(token: String) -> Client {
        Client { token }
    }

    /// Sends `GET url` and resolves to the parsed JSON body.
    pub fn get(&self, url: String) -> js_sys::Promise {
        let token = self.token.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            JsFuture::from(get_json(&url, &token)).await
        })
    }
}
