//! Reads the JavaScript options objects, and declares their TypeScript types.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use super::config::{is_header_name, ClientConfig, Duplicates, ResponseType, TokenStorage};
use super::js_error;
use super::replay::{BusinessCodes, ReplayPolicy, DEFAULT_MAX_RENEW_RETRIES};
use super::request::{CallInput, CallOptions};
use super::values::js_string;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The storage that keeps the token. */
export type TokenStorage = "local" | "session" | "memory";

/** The policy for a call while a call with the same method, URL, params and body is pending. */
export type DuplicatesPolicy = "cancel-previous" | "share" | "off";

/** The format that the client reads a response body in. */
export type ResponseType = "json" | "text" | "blob" | "arrayBuffer";

/** The JSON body of every API response. */
export interface Envelope<T = unknown> {
  /** The business code: the success code, or what went wrong. */
  code: number;
  /** A short human-readable message. */
  msg: string;
  /** The payload, or `null`. */
  data: T | null;
}

/** The business codes that the client acts on. Each one has the protocol's default. */
export interface BusinessCodes {
  /**
   * The code of a successful response.
   * @default 200
   */
  success?: number;
  /**
   * The code that makes the client store the renewed token from the response's
   * `Authorization` header and replay the request.
   * @default 401
   */
  overdue?: number;
  /**
   * The codes after which the user has to log in again: `onLoginRequired` is called and the call
   * rejects with kind `login_required`.
   * @default [1006, 1007]
   */
  loginRequired?: number[];
}

/** The options of `new HttpClient(options)`. Every option is optional. */
export interface HttpClientOptions {
  /**
   * The prefix of relative request URLs, joined with exactly one `/`. An absolute request URL
   * ignores it. A relative `baseUrl` is resolved against the page.
   * @default undefined (request URLs are resolved against the page)
   * @example "http://127.0.0.1:8080/api"
   */
  baseUrl?: string;
  /**
   * The timeout of each call in milliseconds, counted from the start of the call to the end of
   * the body, replays included. A call that takes longer rejects with kind `timeout`. `0` means
   * no timeout.
   * @default 0
   * @example 10000
   */
  timeoutMs?: number;
  /**
   * Headers sent with every request. A request's own `headers` override them by name.
   * @default {}
   * @example { "X-Client": "web" }
   */
  headers?: Record<string, string>;
  /**
   * The token storage. When the storage is missing or throws (private browsing, a full
   * quota, Node), the client keeps the token in memory and carries on.
   * @default "local"
   */
  tokenStorage?: TokenStorage;
  /**
   * The storage key of the token. Give each client its own key when several clients share an
   * origin.
   * @default "renew-fetch.token"
   */
  tokenKey?: string;
  /**
   * The request header that carries the token, and the response header that carries a renewed
   * token.
   * @default "Authorization"
   */
  authHeader?: string;
  /**
   * The scheme before the token in the request header. An empty string sends the raw token.
   * @default "Bearer"
   */
  authScheme?: string;
  /**
   * The origins that receive the token. Requests to any other origin go without it, and a
   * renewed token in their responses is ignored.
   * @default the origin of `baseUrl`, or the page's origin when `baseUrl` is relative or unset
   * @example ["https://api.example.com", "https://files.example.com"]
   */
  allowedOrigins?: string[];
  /** The business codes. */
  codes?: BusinessCodes;
  /**
   * The maximum number of replays of one call after overdue responses. The call after that
   * rejects with kind `renewal_exhausted`.
   * @default 5
   */
  maxRenewRetries?: number;
  /**
   * The policy for a call while a call with the same method, absolute URL, params and body is
   * pending. `"cancel-previous"` aborts the pending one (it rejects with kind `canceled`, reason
   * `duplicate`), `"share"` settles with the pending one's result, and `"off"` sends every call.
   * FormData, Blob, ArrayBuffer and stream bodies are never deduplicated.
   * @default "cancel-previous"
   */
  duplicates?: DuplicatesPolicy;
  /**
   * Called when the user has to log in again. It is called once, and again only after a new
   * token is stored, however many calls fail in the meantime.
   */
  onLoginRequired?: () => void;
  /**
   * Called with `true` when the first counted call starts and `false` when the last one ends.
   * Calls with `noLoading` are not counted.
   */
  onLoadingChange?: (active: boolean) => void;
  /** Called with every error a call rejects with, except kind `canceled`. */
  onError?: (error: RenewFetchError) => void;
}

/** The options of one call. Each one overrides the client's option of the same name. */
export interface RequestOptions {
  /**
   * Headers of this request, over the client's `headers`.
   * @example { "X-Request-Id": "42" }
   */
  headers?: Record<string, string>;
  /**
   * Query parameters, serialized as the `qs` package does with sorted keys: `{a: {b: 1}}` gives
   * `a%5Bb%5D=1` and `{a: ["x", "y"]}` gives `a%5B0%5D=x&a%5B1%5D=y`.
   * @example { page: 2, tags: ["new", "sale"] }
   */
  params?: Record<string, unknown>;
  /**
   * The timeout of this call in milliseconds. `0` means no timeout.
   * @default the client's `timeoutMs`
   */
  timeoutMs?: number;
  /** An `AbortSignal` that cancels this call. The call rejects with kind `canceled`, reason `user`. */
  signal?: AbortSignal;
  /**
   * Leaves this call out of the loading counter, for background polling.
   * @default false
   */
  noLoading?: boolean;
  /**
   * The duplicates policy of this call.
   * @default the client's `duplicates`
   */
  duplicates?: DuplicatesPolicy;
  /**
   * How to read the body. `"json"` checks the envelope and resolves to it. `"text"`, `"blob"`
   * and `"arrayBuffer"` resolve to the raw body of a 2xx response without an envelope check,
   * because file downloads carry no code. An error status is still read as an envelope, so an
   * overdue download is replayed.
   * @default "json"
   */
  responseType?: ResponseType;
}

/** The argument of `client.request(config)`. */
export interface RequestConfig extends RequestOptions {
  /**
   * The request URL, relative to `baseUrl` or absolute.
   * @example "/api/items"
   */
  url: string;
  /**
   * The HTTP method, in any case.
   * @default "GET"
   */
  method?: string;
  /**
   * The body. A string, FormData, Blob, ArrayBuffer, typed array or URLSearchParams is sent as
   * it is. Anything else is sent as JSON with `Content-Type: application/json`. A
   * ReadableStream is passed to `fetch` as it is, but browsers reject a stream body without
   * `duplex: "half"`, which this client does not set.
   */
  body?: unknown;
}

/** The kind of failure of a call. */
export type ErrorKind =
  | "business"
  | "http"
  | "timeout"
  | "canceled"
  | "network"
  | "offline"
  | "login_required"
  | "renewal_exhausted"
  | "invalid_response"
  | "invalid_request";

/** The cause of a canceled call. */
export type CancelReason = "duplicate" | "user" | "all";

/** The one error type that every call rejects with. Branch on `kind`, never on `message`. */
export interface RenewFetchError extends Error {
  name: "RenewFetchError";
  /** The kind of failure. */
  kind: ErrorKind;
  /** The HTTP status, or `null` when no response arrived. */
  status: number | null;
  /** The envelope's business code, or `null` when the body was no envelope. */
  code: number | null;
  /** The request method, in uppercase. */
  method: string;
  /** The absolute request URL. */
  url: string;
  /** The cause of the cancel, for kind `canceled`, otherwise `null`. */
  reason: CancelReason | null;
}
"#;

/// Reads the options of `new HttpClient(options)`.
///
/// # Errors
///
/// Returns a message naming the option, the value and the accepted values.
pub(crate) fn client_config(options: &JsValue) -> Result<ClientConfig, String> {
    let mut config = ClientConfig::default();
    if options.is_undefined() || options.is_null() {
        return Ok(config);
    }
    if !options.is_object() {
        return Err("the options must be an object, such as { baseUrl: \"/api\" }".to_owned());
    }

    config.base_url = string_field(options, "baseUrl")?;
    config.timeout_ms = u32_field(options, "timeoutMs")?.unwrap_or(0);
    config.headers = headers_field(options, "headers")?;
    if let Some(name) = string_field(options, "tokenStorage")? {
        config.storage = TokenStorage::parse(&name).ok_or_else(|| {
            format!("tokenStorage must be \"local\", \"session\" or \"memory\", got \"{name}\"")
        })?;
    }
    if let Some(key) = string_field(options, "tokenKey")? {
        if key.is_empty() {
            return Err("tokenKey must not be empty".to_owned());
        }
        config.token_key = key;
    }
    if let Some(name) = string_field(options, "authHeader")? {
        if !is_header_name(&name) {
            return Err(format!("authHeader \"{name}\" is not a valid header name"));
        }
        config.auth_header = name;
    }
    if let Some(scheme) = string_field(options, "authScheme")? {
        if scheme.contains(char::is_whitespace) {
            return Err(format!(
                "authScheme \"{scheme}\" must not contain whitespace"
            ));
        }
        config.auth_scheme = scheme;
    }
    config.allowed_origins = strings_field(options, "allowedOrigins")?;
    let max_retries = u32_field(options, "maxRenewRetries")?.unwrap_or(DEFAULT_MAX_RENEW_RETRIES);
    config.policy = ReplayPolicy::new(codes_field(options)?, max_retries);
    if let Some(name) = string_field(options, "duplicates")? {
        config.duplicates = parse_duplicates(&name)?;
    }

    if let Some(callback) = function_field(options, "onLoginRequired")? {
        config.callbacks.on_login_required = Some(Rc::new(move || {
            // An exception in a callback must not break the call that reports through it.
            let _ = callback.call0(&JsValue::UNDEFINED);
        }));
    }
    if let Some(callback) = function_field(options, "onLoadingChange")? {
        config.callbacks.on_loading_change = Some(Rc::new(move |active| {
            let _ = callback.call1(&JsValue::UNDEFINED, &JsValue::from_bool(active));
        }));
    }
    if let Some(callback) = function_field(options, "onError")? {
        config.callbacks.on_error = Some(Rc::new(move |error| {
            let _ = callback.call1(&JsValue::UNDEFINED, &js_error::to_js(error));
        }));
    }
    Ok(config)
}

/// Reads the per-call options of `get`, `post` and the others.
///
/// # Errors
///
/// Returns a message naming the option and the value.
pub(crate) fn call_options(options: &JsValue) -> Result<CallOptions, String> {
    let mut call = CallOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(call);
    }
    if !options.is_object() {
        return Err(
            "the request options must be an object, such as { timeoutMs: 5000 }".to_owned(),
        );
    }
    call.headers = headers_field(options, "headers")?;
    call.params = field(options, "params");
    call.timeout_ms = u32_field(options, "timeoutMs")?;
    if let Some(signal) = field(options, "signal") {
        let signal = signal
            .dyn_into::<AbortSignal>()
            .map_err(|_| "signal must be an AbortSignal".to_owned())?;
        call.signal = Some(signal);
    }
    call.no_loading = bool_field(options, "noLoading")?.unwrap_or(false);
    if let Some(name) = string_field(options, "duplicates")? {
        call.duplicates = Some(parse_duplicates(&name)?);
    }
    if let Some(name) = string_field(options, "responseType")? {
        call.response_type = ResponseType::parse(&name).ok_or_else(|| {
            format!(
                "responseType must be \"json\", \"text\", \"blob\" or \"arrayBuffer\", got \"{name}\""
            )
        })?;
    }
    Ok(call)
}

/// Reads the argument of `request(config)`.
///
/// # Errors
///
/// Returns a message naming the field and the value.
pub(crate) fn request_config(config: &JsValue) -> Result<CallInput, String> {
    if !config.is_object() {
        return Err("request(config) needs an object, such as { url: \"/items\" }".to_owned());
    }
    let url = string_field(config, "url")?
        .ok_or_else(|| "request(config) needs a url, such as { url: \"/items\" }".to_owned())?;
    let method = string_field(config, "method")?.unwrap_or_else(|| "GET".to_owned());
    Ok(CallInput {
        method,
        url,
        params: JsValue::UNDEFINED,
        body: field(config, "body").unwrap_or(JsValue::UNDEFINED),
        options: call_options(config)?,
    })
}

fn parse_duplicates(name: &str) -> Result<Duplicates, String> {
    Duplicates::parse(name).ok_or_else(|| {
        format!("duplicates must be \"cancel-previous\", \"share\" or \"off\", got \"{name}\"")
    })
}

fn codes_field(options: &JsValue) -> Result<BusinessCodes, String> {
    let mut codes = BusinessCodes::default();
    let Some(object) = field(options, "codes") else {
        return Ok(codes);
    };
    if let Some(success) = i64_field(&object, "codes.success", "success")? {
        codes.success = success;
    }
    if let Some(overdue) = i64_field(&object, "codes.overdue", "overdue")? {
        codes.overdue = overdue;
    }
    if let Some(list) = field(&object, "loginRequired") {
        if !Array::is_array(&list) {
            return Err(
                "codes.loginRequired must be an array of numbers, such as [1006, 1007]".to_owned(),
            );
        }
        let mut login_required = Vec::new();
        for item in list.unchecked_into::<Array>().iter() {
            login_required.push(to_i64(&item).ok_or_else(|| {
                "codes.loginRequired must hold whole numbers only, such as [1006, 1007]".to_owned()
            })?);
        }
        codes.login_required = login_required;
    }
    Ok(codes)
}

/// Returns the property `name` of `object`, or None when it is undefined, null or unreadable.
pub(crate) fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    let value = Reflect::get(object, &JsValue::from_str(name)).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

fn string_field(object: &JsValue, name: &str) -> Result<Option<String>, String> {
    match field(object, name) {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(Some)
            .ok_or_else(|| format!("{name} must be a string, got {}", type_name(&value))),
    }
}

fn bool_field(object: &JsValue, name: &str) -> Result<Option<bool>, String> {
    match field(object, name) {
        None => Ok(None),
        Some(value) => value
            .as_bool()
            .map(Some)
            .ok_or_else(|| format!("{name} must be true or false, got {}", type_name(&value))),
    }
}

fn u32_field(object: &JsValue, name: &str) -> Result<Option<u32>, String> {
    let Some(value) = field(object, name) else {
        return Ok(None);
    };
    match value.as_f64() {
        Some(number) if number >= 0.0 && number <= f64::from(u32::MAX) && number.fract() == 0.0 => {
            Ok(Some(number as u32))
        }
        _ => Err(format!(
            "{name} must be a whole number from 0 to {}, got {}",
            u32::MAX,
            describe(&value)
        )),
    }
}

fn i64_field(object: &JsValue, label: &str, name: &str) -> Result<Option<i64>, String> {
    match field(object, name) {
        None => Ok(None),
        Some(value) => to_i64(&value)
            .map(Some)
            .ok_or_else(|| format!("{label} must be a whole number, got {}", describe(&value))),
    }
}

fn to_i64(value: &JsValue) -> Option<i64> {
    let number = value.as_f64()?;
    // 2^53: beyond it a JavaScript number no longer represents every whole number.
    const MAX_SAFE: f64 = 9_007_199_254_740_992.0;
    (number.fract() == 0.0 && number.abs() <= MAX_SAFE).then_some(number as i64)
}

fn function_field(object: &JsValue, name: &str) -> Result<Option<Function>, String> {
    match field(object, name) {
        None => Ok(None),
        Some(value) => value
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|value| format!("{name} must be a function, got {}", type_name(&value))),
    }
}

fn strings_field(object: &JsValue, name: &str) -> Result<Option<Vec<String>>, String> {
    let Some(value) = field(object, name) else {
        return Ok(None);
    };
    let error =
        || format!("{name} must be an array of strings, such as [\"http://127.0.0.1:8080\"]");
    if !Array::is_array(&value) {
        return Err(error());
    }
    let mut strings = Vec::new();
    for item in value.unchecked_into::<Array>().iter() {
        strings.push(item.as_string().ok_or_else(error)?);
    }
    Ok(Some(strings))
}

/// Reads a headers object: a plain object whose values are strings, numbers or booleans.
fn headers_field(object: &JsValue, name: &str) -> Result<Vec<(String, String)>, String> {
    let Some(value) = field(object, name) else {
        return Ok(Vec::new());
    };
    if !value.is_object() || Array::is_array(&value) {
        return Err(format!("{name} must be an object of header names and values, such as {{ \"X-Client\": \"web\" }}"));
    }
    let mut headers = Vec::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let pair: Array = entry.unchecked_into();
        let header = pair.get(0).as_string().unwrap_or_default();
        let item = pair.get(1);
        if item.is_undefined() {
            continue;
        }
        if !is_header_name(&header) {
            return Err(format!(
                "{name} holds \"{header}\", which is not a valid header name"
            ));
        }
        let text = if let Some(text) = item.as_string() {
            text
        } else if item.as_f64().is_some() || item.as_bool().is_some() {
            js_string(&item)
        } else {
            return Err(format!(
                "{name}.{header} must be a string, got {}",
                type_name(&item)
            ));
        };
        headers.push((header, text));
    }
    Ok(headers)
}

fn type_name(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_default()
}

/// Describes a value for a message: a number or a string as written, anything else by its type.
fn describe(value: &JsValue) -> String {
    if value.as_f64().is_some() {
        return js_string(value);
    }
    if let Some(text) = value.as_string() {
        return format!("\"{text}\"");
    }
    type_name(value)
}
