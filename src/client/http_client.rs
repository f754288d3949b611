//! The JavaScript class `HttpClient`, a thin layer over [`Client`].

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::api::Client;
use super::config::{quoted, TokenStorage};
use super::engine::CallFuture;
use super::error::{Error, ErrorKind};
use super::js_error;
use super::options;
use super::request::CallInput;
use super::values::type_name;

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// Returns `{ status, headers, data, replays, renewed }`, what a call with `fullResponse`
    /// resolves to.
    #[wasm_bindgen(js_name = fullResponse)]
    fn full_response_object(
        status: u16,
        headers: &JsValue,
        data: &JsValue,
        replays: u32,
        renewed: bool,
    ) -> JsValue;

    /// Returns the message for a boolean value under the name of an axios wrapper's flag, such
    /// as `isToken`, or undefined.
    #[wasm_bindgen(js_name = wrapperFlag)]
    fn wrapper_flag(label: &str, name: &str, value: &JsValue) -> Option<String>;
}

/// A request client that keeps the auth token, sends it as `Authorization: Bearer <token>` to
/// allowed origins, deduplicates calls, and replays a call after an overdue response that carries
/// a renewed token.
///
/// Every call resolves to the envelope `{code, msg, data}` (or the raw body for a raw
/// `responseType`) and rejects with a `RenewFetchError`.
///
/// `free()` releases the client, and the calls pending then still settle. In the npm package,
/// each later use of the client throws a `TypeError` that names the member, or rejects with one
/// for the request methods, and a second `free()` does nothing.
#[wasm_bindgen]
pub struct HttpClient {
    client: Client,
}

// The .d.ts declares the request methods in this interface, which TypeScript merges into the
// generated class `HttpClient`. wasm-bindgen 0.2.130 starts the TypeScript signature of an
// exported method at its "(", so it cannot declare the type parameter `T`, and the methods below
// carry `skip_typescript`. Their doc comments and type attributes still go into the JSDoc of the
// JS glue, so keep them in step with the declarations here. Each method has one overload for each
// literal `responseType`, one for each with `fullResponse: true`, and a last one for any
// `RequestOptions`. e2e/tests/types.test.js checks that the glue's parameters match that last
// overload and that every overload narrows them.
#[wasm_bindgen(typescript_custom_section)]
const TS_REQUEST_METHODS: &'static str = r#"
/**
 * A call resolves to the envelope `{code, msg, data}`, or to the raw body when its options set
 * `responseType` to `"text"`, `"blob"` or `"arrayBuffer"`, and with `fullResponse: true` to a
 * `FullResponse` whose `data` is that result. Each request method takes the type of the
 * envelope's `data` as an optional type argument: `client.get<User>(url)` resolves to an
 * `Envelope<User>`. The client does not check the data against that type, and without a type
 * argument `data` is `unknown`. A call whose `responseType` or `fullResponse` is not a literal
 * resolves to the union of the forms it may take.
 */
export interface HttpClient {
  /**
   * Sends `GET url?params` and resolves to the envelope. `T` is the type of its `data`.
   * @example const me: User = (await client.get<User>("/me")).data;
   */
  get<T = unknown>(url: string | URL, params?: QueryParams, options?: JsonRequestOptions): Promise<Envelope<T>>;
  /** Sends `GET url?params` and resolves to the body of a 2xx response as a string. */
  get<T extends string = string>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "text"; fullResponse?: false }): Promise<T>;
  /** Sends `GET url?params` and resolves to the body of a 2xx response as a Blob. */
  get<T extends Blob = Blob>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "blob"; fullResponse?: false }): Promise<T>;
  /** Sends `GET url?params` and resolves to the body of a 2xx response as an ArrayBuffer. */
  get<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse?: false }): Promise<T>;
  /**
   * Sends `GET url?params` and resolves to the status, the headers and the envelope. `T` is the type
   * of the envelope's `data`.
   */
  get<T = unknown>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType?: "json"; fullResponse: true }): Promise<FullResponse<Envelope<T>>>;
  /** Sends `GET url?params` and resolves to the status, the headers and the body of a 2xx response as a string. */
  get<T extends string = string>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "text"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `GET url?params` and resolves to the status, the headers and the body of a 2xx response as a Blob. */
  get<T extends Blob = Blob>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "blob"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `GET url?params` and resolves to the status, the headers and the body of a 2xx response as an ArrayBuffer. */
  get<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse: true }): Promise<FullResponse<T>>;
  /**
   * Sends `GET url?params` and resolves to the envelope for `responseType` `"json"`, or to the raw
   * body otherwise, each in a `FullResponse` when `fullResponse` is true. `T` is the type of the
   * envelope's `data`.
   */
  get<T = unknown>(url: string | URL, params?: QueryParams, options?: RequestOptions): Promise<Envelope<T> | string | Blob | ArrayBuffer | FullResponse<Envelope<T> | string | Blob | ArrayBuffer>>;

  /** Sends `DELETE url?params` and resolves to the envelope. `T` is the type of its `data`. */
  delete<T = unknown>(url: string | URL, params?: QueryParams, options?: JsonRequestOptions): Promise<Envelope<T>>;
  /** Sends `DELETE url?params` and resolves to the body of a 2xx response as a string. */
  delete<T extends string = string>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "text"; fullResponse?: false }): Promise<T>;
  /** Sends `DELETE url?params` and resolves to the body of a 2xx response as a Blob. */
  delete<T extends Blob = Blob>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "blob"; fullResponse?: false }): Promise<T>;
  /** Sends `DELETE url?params` and resolves to the body of a 2xx response as an ArrayBuffer. */
  delete<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse?: false }): Promise<T>;
  /**
   * Sends `DELETE url?params` and resolves to the status, the headers and the envelope. `T` is the type
   * of the envelope's `data`.
   */
  delete<T = unknown>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType?: "json"; fullResponse: true }): Promise<FullResponse<Envelope<T>>>;
  /** Sends `DELETE url?params` and resolves to the status, the headers and the body of a 2xx response as a string. */
  delete<T extends string = string>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "text"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `DELETE url?params` and resolves to the status, the headers and the body of a 2xx response as a Blob. */
  delete<T extends Blob = Blob>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "blob"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `DELETE url?params` and resolves to the status, the headers and the body of a 2xx response as an ArrayBuffer. */
  delete<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, params: QueryParams | undefined, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse: true }): Promise<FullResponse<T>>;
  /**
   * Sends `DELETE url?params` and resolves to the envelope for `responseType` `"json"`, or to the raw
   * body otherwise, each in a `FullResponse` when `fullResponse` is true. `T` is the type of the
   * envelope's `data`.
   */
  delete<T = unknown>(url: string | URL, params?: QueryParams, options?: RequestOptions): Promise<Envelope<T> | string | Blob | ArrayBuffer | FullResponse<Envelope<T> | string | Blob | ArrayBuffer>>;

  /**
   * Sends `POST url` with `body` and resolves to the envelope. `T` is the type of its `data`.
   * @example const created = await client.post<Item>("/items", { name: "pen" });
   */
  post<T = unknown>(url: string | URL, body?: unknown, options?: JsonRequestOptions): Promise<Envelope<T>>;
  /** Sends `POST url` with `body` and resolves to the body of a 2xx response as a string. */
  post<T extends string = string>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "text"; fullResponse?: false }): Promise<T>;
  /** Sends `POST url` with `body` and resolves to the body of a 2xx response as a Blob. */
  post<T extends Blob = Blob>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "blob"; fullResponse?: false }): Promise<T>;
  /** Sends `POST url` with `body` and resolves to the body of a 2xx response as an ArrayBuffer. */
  post<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse?: false }): Promise<T>;
  /**
   * Sends `POST url` with `body` and resolves to the status, the headers and the envelope. `T` is the type
   * of the envelope's `data`.
   */
  post<T = unknown>(url: string | URL, body: unknown, options: RequestOptions & { responseType?: "json"; fullResponse: true }): Promise<FullResponse<Envelope<T>>>;
  /** Sends `POST url` with `body` and resolves to the status, the headers and the body of a 2xx response as a string. */
  post<T extends string = string>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "text"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `POST url` with `body` and resolves to the status, the headers and the body of a 2xx response as a Blob. */
  post<T extends Blob = Blob>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "blob"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `POST url` with `body` and resolves to the status, the headers and the body of a 2xx response as an ArrayBuffer. */
  post<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse: true }): Promise<FullResponse<T>>;
  /**
   * Sends `POST url` with `body` and resolves to the envelope for `responseType` `"json"`, or to the raw
   * body otherwise, each in a `FullResponse` when `fullResponse` is true. `T` is the type of the
   * envelope's `data`.
   */
  post<T = unknown>(url: string | URL, body?: unknown, options?: RequestOptions): Promise<Envelope<T> | string | Blob | ArrayBuffer | FullResponse<Envelope<T> | string | Blob | ArrayBuffer>>;

  /** Sends `PUT url` with `body` and resolves to the envelope. `T` is the type of its `data`. */
  put<T = unknown>(url: string | URL, body?: unknown, options?: JsonRequestOptions): Promise<Envelope<T>>;
  /** Sends `PUT url` with `body` and resolves to the body of a 2xx response as a string. */
  put<T extends string = string>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "text"; fullResponse?: false }): Promise<T>;
  /** Sends `PUT url` with `body` and resolves to the body of a 2xx response as a Blob. */
  put<T extends Blob = Blob>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "blob"; fullResponse?: false }): Promise<T>;
  /** Sends `PUT url` with `body` and resolves to the body of a 2xx response as an ArrayBuffer. */
  put<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse?: false }): Promise<T>;
  /**
   * Sends `PUT url` with `body` and resolves to the status, the headers and the envelope. `T` is the type
   * of the envelope's `data`.
   */
  put<T = unknown>(url: string | URL, body: unknown, options: RequestOptions & { responseType?: "json"; fullResponse: true }): Promise<FullResponse<Envelope<T>>>;
  /** Sends `PUT url` with `body` and resolves to the status, the headers and the body of a 2xx response as a string. */
  put<T extends string = string>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "text"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `PUT url` with `body` and resolves to the status, the headers and the body of a 2xx response as a Blob. */
  put<T extends Blob = Blob>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "blob"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `PUT url` with `body` and resolves to the status, the headers and the body of a 2xx response as an ArrayBuffer. */
  put<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse: true }): Promise<FullResponse<T>>;
  /**
   * Sends `PUT url` with `body` and resolves to the envelope for `responseType` `"json"`, or to the raw
   * body otherwise, each in a `FullResponse` when `fullResponse` is true. `T` is the type of the
   * envelope's `data`.
   */
  put<T = unknown>(url: string | URL, body?: unknown, options?: RequestOptions): Promise<Envelope<T> | string | Blob | ArrayBuffer | FullResponse<Envelope<T> | string | Blob | ArrayBuffer>>;

  /** Sends `PATCH url` with `body` and resolves to the envelope. `T` is the type of its `data`. */
  patch<T = unknown>(url: string | URL, body?: unknown, options?: JsonRequestOptions): Promise<Envelope<T>>;
  /** Sends `PATCH url` with `body` and resolves to the body of a 2xx response as a string. */
  patch<T extends string = string>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "text"; fullResponse?: false }): Promise<T>;
  /** Sends `PATCH url` with `body` and resolves to the body of a 2xx response as a Blob. */
  patch<T extends Blob = Blob>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "blob"; fullResponse?: false }): Promise<T>;
  /** Sends `PATCH url` with `body` and resolves to the body of a 2xx response as an ArrayBuffer. */
  patch<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse?: false }): Promise<T>;
  /**
   * Sends `PATCH url` with `body` and resolves to the status, the headers and the envelope. `T` is the type
   * of the envelope's `data`.
   */
  patch<T = unknown>(url: string | URL, body: unknown, options: RequestOptions & { responseType?: "json"; fullResponse: true }): Promise<FullResponse<Envelope<T>>>;
  /** Sends `PATCH url` with `body` and resolves to the status, the headers and the body of a 2xx response as a string. */
  patch<T extends string = string>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "text"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `PATCH url` with `body` and resolves to the status, the headers and the body of a 2xx response as a Blob. */
  patch<T extends Blob = Blob>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "blob"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends `PATCH url` with `body` and resolves to the status, the headers and the body of a 2xx response as an ArrayBuffer. */
  patch<T extends ArrayBuffer = ArrayBuffer>(url: string | URL, body: unknown, options: RequestOptions & { responseType: "arrayBuffer"; fullResponse: true }): Promise<FullResponse<T>>;
  /**
   * Sends `PATCH url` with `body` and resolves to the envelope for `responseType` `"json"`, or to the raw
   * body otherwise, each in a `FullResponse` when `fullResponse` is true. `T` is the type of the
   * envelope's `data`.
   */
  patch<T = unknown>(url: string | URL, body?: unknown, options?: RequestOptions): Promise<Envelope<T> | string | Blob | ArrayBuffer | FullResponse<Envelope<T> | string | Blob | ArrayBuffer>>;

  /**
   * Sends the request that `config` describes and resolves to the envelope. `T` is the type of its `data`.
   * @example const items = await client.request<Item[]>({ url: "/items", params: { page: 2 } });
   */
  request<T = unknown>(config: RequestConfig & { responseType?: "json"; fullResponse?: false }): Promise<Envelope<T>>;
  /** Sends the request that `config` describes and resolves to the body of a 2xx response as a string. */
  request<T extends string = string>(config: RequestConfig & { responseType: "text"; fullResponse?: false }): Promise<T>;
  /** Sends the request that `config` describes and resolves to the body of a 2xx response as a Blob. */
  request<T extends Blob = Blob>(config: RequestConfig & { responseType: "blob"; fullResponse?: false }): Promise<T>;
  /** Sends the request that `config` describes and resolves to the body of a 2xx response as an ArrayBuffer. */
  request<T extends ArrayBuffer = ArrayBuffer>(config: RequestConfig & { responseType: "arrayBuffer"; fullResponse?: false }): Promise<T>;
  /**
   * Sends the request that `config` describes and resolves to the status, the headers and the envelope. `T` is the type
   * of the envelope's `data`.
   */
  request<T = unknown>(config: RequestConfig & { responseType?: "json"; fullResponse: true }): Promise<FullResponse<Envelope<T>>>;
  /** Sends the request that `config` describes and resolves to the status, the headers and the body of a 2xx response as a string. */
  request<T extends string = string>(config: RequestConfig & { responseType: "text"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends the request that `config` describes and resolves to the status, the headers and the body of a 2xx response as a Blob. */
  request<T extends Blob = Blob>(config: RequestConfig & { responseType: "blob"; fullResponse: true }): Promise<FullResponse<T>>;
  /** Sends the request that `config` describes and resolves to the status, the headers and the body of a 2xx response as an ArrayBuffer. */
  request<T extends ArrayBuffer = ArrayBuffer>(config: RequestConfig & { responseType: "arrayBuffer"; fullResponse: true }): Promise<FullResponse<T>>;
  /**
   * Sends the request that `config` describes and resolves to the envelope for `responseType` `"json"`, or to the raw
   * body otherwise, each in a `FullResponse` when `fullResponse` is true. `T` is the type of the
   * envelope's `data`.
   */
  request<T = unknown>(config: RequestConfig): Promise<Envelope<T> | string | Blob | ArrayBuffer | FullResponse<Envelope<T> | string | Blob | ArrayBuffer>>;
}
"#;

#[wasm_bindgen]
impl HttpClient {
    /// Creates a client and loads the stored token.
    ///
    /// Throws a `TypeError` that names the option when an option is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "HttpClientOptions")] options: JsValue,
    ) -> Result<HttpClient, JsValue> {
        let config = options::client_config(&options)?;
        let client = Client::from_config(config).map_err(|error| type_error(error.to_string()))?;
        Ok(Self { client })
    }

    /// Sends `GET url?params`. Resolves to the envelope, or to the raw body for a raw
    /// `responseType`.
    #[wasm_bindgen(skip_typescript, unchecked_return_type = "Promise<any>")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "QueryParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        self.call("GET", url, params, JsValue::UNDEFINED, &options)
    }

    /// Sends `DELETE url?params`. Resolves like `get`.
    #[wasm_bindgen(skip_typescript, unchecked_return_type = "Promise<any>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "QueryParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        self.call("DELETE", url, params, JsValue::UNDEFINED, &options)
    }

    /// Sends `POST url` with `body`: JSON unless it is a string, FormData, Blob, ArrayBuffer,
    /// typed array or URLSearchParams. Resolves like `get`.
    #[wasm_bindgen(skip_typescript, unchecked_return_type = "Promise<any>")]
    pub fn post(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "unknown")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        self.call("POST", url, JsValue::UNDEFINED, body, &options)
    }

    /// Sends `PUT url` with `body`, like `post`.
    #[wasm_bindgen(skip_typescript, unchecked_return_type = "Promise<any>")]
    pub fn put(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "unknown")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        self.call("PUT", url, JsValue::UNDEFINED, body, &options)
    }

    /// Sends `PATCH url` with `body`, like `post`.
    #[wasm_bindgen(skip_typescript, unchecked_return_type = "Promise<any>")]
    pub fn patch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "unknown")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: JsValue,
    ) -> Promise {
        self.call("PATCH", url, JsValue::UNDEFINED, body, &options)
    }

    /// Sends the request that `config` describes. Resolves like `get`.
    #[wasm_bindgen(skip_typescript, unchecked_return_type = "Promise<any>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestConfig")] config: JsValue,
    ) -> Promise {
        match options::request_config(&config) {
            Ok(input) => {
                let full_response = input.options.full_response;
                self.run(self.client.start(input), full_response)
            }
            Err(message) => {
                // The error names the config's method where it is a string, and its URL where it
                // is a string or a URL object.
                let read =
                    |name: &str| js_sys::Reflect::get(&config, &JsValue::from_str(name)).ok();
                let method = read("method")
                    .and_then(|method| method.as_string())
                    .unwrap_or_else(|| "GET".to_owned());
                let url = read("url")
                    .and_then(|url| options::request_url(&url).ok())
                    .unwrap_or_default();
                self.reject(&method, url, message, &config)
            }
        }
    }

    /// Stores `token`, for example after a login. Throws a `TypeError` when it is not a string, is
    /// empty, contains anything but visible ASCII, or is the text `null` or `undefined`, which a
    /// missing login field turns into. A call in flight that was sent with the
    /// earlier token does not store the token that its response renews from it.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> Result<(), JsValue> {
        let Some(token) = token.as_string() else {
            return Err(type_error(format!(
                "the token must be a string, got {}",
                type_name(&token)
            )));
        };
        self.client
            .set_token(&token)
            .map_err(|error| type_error(error.to_string()))
    }

    /// Sets a header of every call from now on, such as `Accept-Language` after the user picks
    /// another language, in place of a header of that name in any case. `null` removes it.
    /// Calls already started keep the headers they started with.
    ///
    /// Throws a `TypeError` when the name or the value is not a valid header, or when the name
    /// is the auth header, which the client fills from the stored token. It throws for a boolean
    /// under the name of an axios wrapper's flag, `isToken` or `repeatSubmit`, and names the
    /// option to use. In a browser, it also
    /// throws for setting a header that the browser sets itself, such as `Cookie`, because
    /// `fetch` would drop it. Removing such a header with `null` does nothing.
    #[wasm_bindgen(js_name = setHeader)]
    pub fn set_header(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number | boolean | null")] value: JsValue,
    ) -> Result<(), JsValue> {
        let Some(name) = name.as_string() else {
            return Err(type_error(format!(
                "the header name must be a string, such as \"Accept-Language\", got {}",
                type_name(&name)
            )));
        };
        if let Some(message) = wrapper_flag(&format!("\"{name}\""), &name, &value) {
            return Err(type_error(message));
        }
        let text = if value.is_null() || value.is_undefined() {
            None
        } else if let Some(text) = value.as_string() {
            Some(text)
        } else if value.as_f64().is_some() || value.as_bool().is_some() {
            Some(super::values::js_string(&value))
        } else {
            return Err(type_error(format!(
                "the value of header {} must be a string, a number, a boolean or null, got {}",
                quoted(&name),
                type_name(&value)
            )));
        };
        self.client
            .set_header(&name, text.as_deref())
            .map_err(|error| type_error(error.to_string()))
    }

    /// Returns the stored token, or undefined.
    #[wasm_bindgen(js_name = getToken)]
    pub fn get_token(&self) -> Option<String> {
        self.client.token()
    }

    /// Forgets the token, in memory and in storage, as on logout. A call in flight that was sent
    /// with the token does not store the token that its response renews from it.
    #[wasm_bindgen(js_name = clearToken)]
    pub fn clear_token(&self) {
        self.client.clear_token();
    }

    /// Cancels every pending call. Each rejects with kind `canceled`, reason `all`, and `reason`
    /// as its message when one is given.
    ///
    /// Throws a `TypeError` when `reason` is given and is not a string.
    #[wasm_bindgen(js_name = cancelAll)]
    pub fn cancel_all(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] reason: JsValue,
    ) -> Result<(), JsValue> {
        let reason = if reason.is_undefined() || reason.is_null() {
            None
        } else {
            let Some(reason) = reason.as_string() else {
                return Err(type_error(format!(
                    "the reason of cancelAll must be a string, got {}",
                    type_name(&reason)
                )));
            };
            Some(reason)
        };
        self.client.cancel_all(reason.as_deref());
        Ok(())
    }

    /// The number of calls that have not settled.
    #[wasm_bindgen(getter, js_name = pendingCount)]
    pub fn pending_count(&self) -> u32 {
        u32::try_from(self.client.pending_count()).unwrap_or(u32::MAX)
    }

    /// Returns true while a call runs that counts as loading, which every call does unless its
    /// options set `noLoading`. `onLoadingChange` reports each change.
    #[wasm_bindgen(getter, js_name = isLoading)]
    pub fn is_loading(&self) -> bool {
        self.client.is_loading()
    }

    /// The storage in use: the requested one, or `"memory"` after a fallback.
    #[wasm_bindgen(getter, js_name = tokenStorage, unchecked_return_type = "TokenStorage")]
    pub fn token_storage(&self) -> String {
        match self.client.token_storage() {
            TokenStorage::Local => "local",
            TokenStorage::Session => "session",
            TokenStorage::Memory => "memory",
        }
        .to_owned()
    }
}

impl HttpClient {
    /// Starts a call. GET and DELETE pass `params` and no body, and the other methods pass
    /// a body and no params.
    fn call(
        &self,
        method: &str,
        url: JsValue,
        params: JsValue,
        body: JsValue,
        options: &JsValue,
    ) -> Promise {
        let url = match options::request_url(&url) {
            Ok(url) => url,
            Err(message) => return self.reject(method, String::new(), message, options),
        };
        match options::call_options(options) {
            Ok(options) => {
                let full_response = options.full_response;
                let call = self.client.start(CallInput {
                    method: method.to_owned(),
                    url,
                    params,
                    body,
                    options,
                });
                self.run(call, full_response)
            }
            Err(message) => self.reject(method, url, message, options),
        }
    }

    /// Returns the promise of `call`, which resolves to the result, or with `full_response` to
    /// an object of the status, the headers and the result as `data`.
    fn run(&self, call: CallFuture, full_response: bool) -> Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            match call.await {
                Ok(success) if full_response => Ok(full_response_object(
                    success.status,
                    &success.headers,
                    &success.value,
                    success.replays,
                    success.renewed,
                )),
                Ok(success) => Ok(success.value),
                Err(error) => Err(js_error::to_js(&error)),
            }
        })
    }

    /// Rejects a call whose arguments or `options` are invalid. `onError` gets the error unless
    /// `options` sets `noErrorCallback: true`, which is read here without the other checks.
    fn reject(&self, method: &str, url: String, message: String, options: &JsValue) -> Promise {
        let error = Error::new(
            ErrorKind::InvalidRequest,
            method.to_ascii_uppercase(),
            url,
            message,
        );
        let quiet = options.is_object()
            && js_sys::Reflect::get(options, &JsValue::from_str("noErrorCallback"))
                .is_ok_and(|value| value.as_bool() == Some(true));
        if !quiet {
            self.client.report_error(&error);
        }
        Promise::reject(&js_error::to_js(&error))
    }
}

fn type_error(message: impl AsRef<str>) -> JsValue {
    js_sys::TypeError::new(message.as_ref()).into()
}
