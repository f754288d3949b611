//! Reads the JavaScript options objects, and declares their TypeScript types.
//!
//! The checks run in JavaScript, because the package is smaller that way than with the same
//! checks in Rust. Each reader returns its options as an array of plain values in a fixed order,
//! and the Rust side only copies them into its settings.

use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::config::{Api, ClientConfig, Duplicates, ResponseType, TokenStorage};
use super::js_error;
use super::replay::{BusinessCodes, ReplayPolicy, DEFAULT_MAX_RENEW_RETRIES};
use super::request::{CallInput, CallOptions};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The storage that keeps the token. */
export type TokenStorage = "local" | "session" | "memory";

/** The policy for a call while a call with the same method, URL, params, body and `responseType` is pending. */
export type DuplicatesPolicy = "cancel-previous" | "share" | "off";

/** The format that the client reads a response body in. */
export type ResponseType = "json" | "text" | "blob" | "arrayBuffer";

/** The JSON body of every API response. */
export interface Envelope<T = unknown> {
  /** The business code: the success code, or what went wrong. */
  code: number;
  /** A short human-readable message. */
  msg: string;
  /**
   * The payload. It is `null` when the server sends none, as in the envelope of an empty 2xx
   * reply, so type an endpoint that may send no data as `Envelope<Data | null>`.
   */
  data: T;
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
   * The codes after which the user has to log in again: the client forgets the token that the
   * call sent, `onLoginRequired` is called and the call rejects with kind `login_required`.
   * @default [1006, 1007]
   */
  loginRequired?: number[];
}

/** The options of `new HttpClient(options)`. Every option is optional. */
export interface HttpClientOptions {
  /**
   * The prefix of relative request URLs, joined with exactly one `/`. An absolute request URL
   * ignores it. A relative `baseUrl` is resolved against the page. Without a page, as in Node
   * or while a framework renders on the server, the client is created and each of its calls
   * rejects with kind `invalid_request`, so a module that creates the client can load there.
   * It must not have a query or a fragment, and an absolute one must be an http: or https: URL.
   * @default undefined (request URLs are resolved against the page)
   * @example "http://127.0.0.1:8080/api"
   */
  baseUrl?: string | URL;
  /**
   * The timeout of each call in milliseconds, counted from the start of the call to the end of
   * the body, replays included. A call that takes longer rejects with kind `timeout`. `0` means
   * no timeout, and the maximum is 2147483647 (about 24.8 days), the longest delay of `setTimeout`.
   * @default 0
   * @example 10000
   */
  timeoutMs?: number;
  /**
   * Headers sent with every request: a plain object of names and values, or anything `fetch`
   * takes as headers, such as a Headers object or an array of `[name, value]` pairs. A number or
   * boolean value is sent as its text. A request's own `headers` override them by name. In a
   * browser, a header that the browser sets itself, such as `Cookie`, `Host` or `Sec-*`, throws,
   * because fetch would drop it without an error, and so does `X-HTTP-Method-Override` with the
   * value `TRACE`, `TRACK` or `CONNECT`. A `Content-Type` here is left off calls
   * without a body and calls with a FormData, URLSearchParams or Blob body, whose type fetch
   * sets from the body.
   * @default {}
   * @example { "X-Client": "web" }
   */
  headers?: HeadersInit | Record<string, string | number | boolean>;
  /**
   * The token storage. When the storage is missing or throws (private browsing, a full
   * quota, Node, a Web Worker), the client keeps the token in memory and carries on. A storage
   * that reads but throws on a write, as with a full quota, still gives the client the token
   * that it contains, and `clearToken()` still removes it there.
   * @default "local"
   */
  tokenStorage?: TokenStorage;
  /**
   * The storage key of the token. Clients with the same key in local or session storage share
   * one token: a `setToken`, renewal or `clearToken` in one reaches the others, on this page and
   * in other tabs. A `"memory"` client, and a client whose storage fell back to memory, as in
   * a Web Worker, shares its token with no other client. Give each client
   * its own key when they log in separately. The default is
   * `"renew-fetch.token"`, followed by `@` and the origin of `baseUrl` when that is not the
   * page's origin. Otherwise, a client whose `allowedOrigins` leave out the page's origin
   * takes the first of them in sorted order. So a client for another API does not pick up the
   * page's token.
   * @default "renew-fetch.token"
   */
  tokenKey?: string;
  /**
   * The request header that carries the token, and the response header that carries a renewed
   * token. fetch drops `Authorization` on a redirect to another origin but keeps any other
   * header, so a call that sends the token in another header does not follow redirects: it
   * rejects with kind `http`. In a browser, a header that the browser sets itself, such as
   * `Cookie`, throws.
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
   * renewed token in their responses is ignored, as it is after a redirect to another origin.
   * Their overdue responses are business errors, because no token could be replayed. Each entry
   * is an origin: a scheme, host and port, with no path.
   * @default the origin of `baseUrl`, or the page's origin when `baseUrl` is relative or unset
   * @example ["https://api.example.com", new URL("https://files.example.com")]
   */
  allowedOrigins?: (string | URL)[];
  /** The business codes. */
  codes?: BusinessCodes;
  /**
   * The maximum number of replays of one call after overdue responses. The call after that
   * rejects with kind `renewal_exhausted`. The maximum is 20.
   * @default 5
   */
  maxRenewRetries?: number;
  /**
   * The policy for a call while a call with the same method, absolute URL, params, body and
   * `responseType` is pending. `"cancel-previous"` aborts the pending one (it rejects with kind `canceled`, reason
   * `duplicate`), `"share"` joins a pending `"share"` call and settles with its result, the same
   * object for every caller, and `"off"` sends every call. FormData, Blob, ArrayBuffer, typed
   * array and URLSearchParams bodies are never deduplicated.
   * @default "cancel-previous"
   */
  duplicates?: DuplicatesPolicy;
  /**
   * Called when the user has to log in again, after the client has cleared the rejected token.
   * It is called once, and again only after a new token is stored, however many calls fail in
   * the meantime. So a callback that makes a call which needs the session, such as to a logout
   * route, cannot call itself again. To redirect on every call that needs a login, as an axios
   * 401 interceptor does, check `error.kind === "login_required"` in `onError`. A login-required
   * code from an origin that gets no token, or for a call that sets the auth header itself, does
   * not call it: that call rejects with kind `business`. It runs after the call that received
   * the code has left the pending calls, so a `cancelAll()` inside it cancels the others, and
   * that call still rejects with kind `login_required`.
   */
  onLoginRequired?: () => void;
  /**
   * Called with `true` when the first counted call starts and `false` when the last one ends.
   * Calls with `noLoading` are not counted. It runs in a microtask after the change, never
   * inside the method that starts a call, so it may update a UI store even when a call starts
   * while a component renders. It gets the state at the time it runs and runs only when that
   * differs from the last state it got, so a call that starts and ends in one turn of the event
   * loop is not reported.
   */
  onLoadingChange?: (active: boolean) => void;
  /**
   * Called with every error a call rejects with, `login_required` included, except kind
   * `canceled` and the errors of calls with `noErrorCallback`.
   */
  onError?: (error: RenewFetchError) => void;
  /**
   * Called with the token after it changed, or `null` once it was removed. A change comes from
   * `setToken`, `clearToken`, a renewal or the clear of a token that the server rejected. It
   * also comes from a login or logout by another client of the page, or by another tab, with
   * the same token key. So a page can show the user of the current token and follow a logout in
   * another tab. Like `onLoadingChange`, it runs in a microtask after the change, with the token at the
   * time it runs, and only when that differs from the token it got last.
   */
  onTokenChange?: (token: string | null) => void;
}

/**
 * The query fields that `get` and `delete` take as their second argument, written as `params`
 * are. The names `params`, `headers`, `auth` and `signal` are left out of the type, because
 * axios's habit of `get(url, { params, headers })` puts request options there, which the call
 * rejects at run time. Pass the options third, and a query field of one of those names in a
 * `URLSearchParams`.
 */
export type QueryParams =
  | URLSearchParams
  | (Record<string, any> & { params?: never; headers?: never; auth?: never; signal?: never });

/** The options of one call. Each one overrides the client's option of the same name. */
export interface RequestOptions {
  /**
   * Headers of this request, over the client's `headers`, in the same forms. A `Content-Type`
   * here is left off a FormData body, whose boundary the browser generates.
   * @example { "X-Request-Id": "42" }
   */
  headers?: HeadersInit | Record<string, string | number | boolean>;
  /**
   * Query parameters, serialized as the `qs` package does with sorted keys: `{a: {b: 1}}` gives
   * `a%5Bb%5D=1` and `{a: ["x", "y"]}` gives `a%5B0%5D=x&a%5B1%5D=y`. A URLSearchParams is sent
   * as it writes itself. The type takes `any` values so that an object typed by an interface,
   * which has no index signature, fits too.
   * @example { page: 2, tags: ["new", "sale"] }
   */
  params?: Record<string, any> | URLSearchParams;
  /**
   * The timeout of this call in milliseconds. `0` means no timeout, and the maximum is 2147483647.
   * @default the client's `timeoutMs`
   */
  timeoutMs?: number;
  /**
   * An `AbortSignal` that cancels this call. The call rejects with kind `canceled`, reason `user`,
   * or with kind `timeout` when the signal aborts with a `TimeoutError`, as
   * `AbortSignal.timeout()` does.
   */
  signal?: AbortSignal;
  /**
   * Leaves this call out of the loading counter, for background polling.
   * @default false
   */
  noLoading?: boolean;
  /**
   * Keeps this call's error from the client's `onError`, for a call whose caller shows the
   * error itself, such as a login form that shows a wrong password, or a query library that
   * retries. The promise rejects as it would without it.
   * @default false
   */
  noErrorCallback?: boolean;
  /**
   * Sends this call without the stored token, such as a login, sign-up or captcha call, or a
   * public route that returns other data to a signed-in user. The call stores no renewed token,
   * and it settles the overdue and login-required codes as business errors, with no replay and
   * no call of `onLoginRequired`. It is never a duplicate of a call without `noToken`.
   * @default false
   */
  noToken?: boolean;
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
  /**
   * Resolves to a `FullResponse` of the status, the headers and the result, in place of the
   * result alone, such as to read `X-Total-Count` or the file name in `Content-Disposition`.
   * @default false
   */
  fullResponse?: boolean;
}

/**
 * The options of a call that resolves to the envelope: `RequestOptions` without a raw
 * `responseType` or `fullResponse: true`. A wrapper that takes its caller's options as this type
 * keeps the `Envelope<T>` result.
 * @example
 * async function getData<T>(url: string, options?: JsonRequestOptions): Promise<T> {
 *   return (await client.get<T>(url, undefined, options)).data;
 * }
 */
export type JsonRequestOptions = RequestOptions & { responseType?: "json"; fullResponse?: false };

/** The result of a call with `fullResponse: true`. */
export interface FullResponse<D> {
  /** The HTTP status. */
  status: number;
  /**
   * The response headers. A browser shows only the headers that CORS exposes for a response
   * from another origin.
   */
  headers: Headers;
  /** The result of the call without `fullResponse`: the envelope or the raw body. */
  data: D;
  /**
   * How many times the client replayed the call: after an overdue reply, or after a reply to a
   * token that another call had replaced meanwhile. 0 for most calls.
   */
  replays: number;
  /**
   * True when a response to the call, an overdue reply included, brought a renewed token that
   * the client stored.
   */
  renewed: boolean;
}

/** The argument of `client.request(config)`. */
export interface RequestConfig extends RequestOptions {
  /**
   * The request URL, relative to `baseUrl` or absolute. A URL object is sent as its `href`.
   * @example "/api/items"
   */
  url: string | URL;
  /**
   * The HTTP method, in any case.
   * @default "GET"
   */
  method?: string;
  /**
   * The body. A string, FormData, Blob, ArrayBuffer, typed array or URLSearchParams is sent as
   * it is. Anything else is sent as JSON with `Content-Type: application/json`, and rejects
   * the call with kind `invalid_request` under a form `Content-Type`. A
   * ReadableStream, and any body of a GET or HEAD request, rejects the call with kind
   * `invalid_request`, because a replay after renewal would need the stream again.
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

/** The fields of every `RenewFetchError`. */
export interface RenewFetchErrorFields extends Error {
  name: "RenewFetchError";
  /** The kind of failure. */
  kind: ErrorKind;
  /** The HTTP status, or `null` when no response arrived. */
  status: number | null;
  /** The envelope's business code, or `null` when the body was no envelope. */
  code: number | null;
  /** The request method, in uppercase. */
  method: string;
  /**
   * The absolute request URL, or the URL as given when the call was rejected before it was
   * resolved, in both cases without a user name or password.
   */
  url: string;
  /** The cause of the cancel, for kind `canceled`, otherwise `null`. */
  reason: CancelReason | null;
  /**
   * The envelope's `data` for kind `business` or `login_required`, such as the field errors of a
   * rejected form, or `null` when the server sent none.
   */
  data: unknown;
  /**
   * The response body for kind `http` or `invalid_response`, such as the JSON error of a proxy
   * or the HTML page of a gateway: the parsed JSON when the body is JSON, otherwise its text.
   * `null` when the body was empty, and for the other kinds.
   */
  body: unknown;
  /**
   * For kind `canceled` with reason `user`, the reason that the caller's `AbortSignal` aborted
   * with. For kinds `network` and `offline`, the error that `fetch` rejected with, such as a
   * `TypeError` whose own `cause` names the system error in Node. Absent otherwise.
   */
  cause?: unknown;
}

/** An error with a business code: kind `business`, `login_required` or `renewal_exhausted`. */
export interface CodeError extends RenewFetchErrorFields {
  kind: "business" | "login_required" | "renewal_exhausted";
  /** The HTTP status of the response that carried the code. */
  status: number;
  /** The envelope's business code. */
  code: number;
  reason: null;
}

/** A canceled call. */
export interface CanceledError extends RenewFetchErrorFields {
  kind: "canceled";
  status: null;
  code: null;
  /** The cause of the cancel. */
  reason: CancelReason;
}

/** A failure of any other kind. */
export interface OtherError extends RenewFetchErrorFields {
  kind: "http" | "timeout" | "network" | "offline" | "invalid_response" | "invalid_request";
  reason: null;
}

/**
 * The one error type that every call rejects with. Branch on `kind`, never on `message`.
 * Checking `kind` narrows the fields: after `kind === "business"` the `status` and `code` are
 * numbers, and after `kind === "canceled"` the `reason` is set.
 */
export type RenewFetchError = CodeError | CanceledError | OtherError;
"#;

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// Checks the options of `new HttpClient(options)`. Throws a `TypeError` that names the
    /// option and the value.
    #[wasm_bindgen(catch, js_name = clientOptions)]
    fn client_options(options: &JsValue) -> Result<Array, JsValue>;

    /// Checks the options of one call. Throws a message that names the option and the value.
    #[wasm_bindgen(catch, js_name = callOptions)]
    fn js_call_options(options: &JsValue) -> Result<Array, JsValue>;

    /// Reports an exception that the callback `name` threw, through `reportError` where the
    /// runtime has it and `console.error` otherwise.
    #[wasm_bindgen(js_name = reportCallbackError)]
    fn report_callback_error(name: &str, error: &JsValue);

    /// Checks the argument of `request(config)`, and its options like `callOptions`.
    #[wasm_bindgen(catch, js_name = requestConfig)]
    fn js_request_config(config: &JsValue) -> Result<Array, JsValue>;

    /// Returns a string URL as it is and a URL object as its href. Throws a message with `name`
    /// as its subject for any other value.
    #[wasm_bindgen(catch, js_name = requestUrl)]
    fn js_request_url(url: &JsValue, name: &str) -> Result<String, JsValue>;
}

/// Reads the options of `new HttpClient(options)`.
///
/// # Errors
///
/// Returns the `TypeError` that names the option, the value and the accepted values.
pub(crate) fn client_config(options: &JsValue) -> Result<ClientConfig, JsValue> {
    let values = client_options(options)?;
    let get = |index| values.get(index);
    let defaults = ClientConfig::default();

    let mut codes = BusinessCodes::default();
    if let Some(success) = get(14).as_f64() {
        codes.success = success as i64;
    }
    if let Some(overdue) = get(15).as_f64() {
        codes.overdue = overdue as i64;
    }
    if let Some(list) = get(16).dyn_ref::<Array>() {
        codes.login_required = list
            .iter()
            .filter_map(|item| item.as_f64())
            .map(|code| code as i64)
            .collect();
    }
    let max_retries = whole(&get(8)).unwrap_or(DEFAULT_MAX_RENEW_RETRIES);

    let mut callbacks = defaults.callbacks;
    if let Ok(callback) = get(10).dyn_into::<Function>() {
        callbacks.on_login_required = Some(Rc::new(move || {
            // An exception in a callback is reported, and the call that reported through the
            // callback settles as it would without it.
            if let Err(error) = callback.call0(&JsValue::UNDEFINED) {
                report_callback_error("onLoginRequired", &error);
            }
        }));
    }
    if let Ok(callback) = get(11).dyn_into::<Function>() {
        callbacks.on_loading_change = Some(Rc::new(move |active| {
            if let Err(error) = callback.call1(&JsValue::UNDEFINED, &JsValue::from_bool(active)) {
                report_callback_error("onLoadingChange", &error);
            }
        }));
    }
    if let Ok(callback) = get(12).dyn_into::<Function>() {
        callbacks.on_error = Some(Rc::new(move |error| {
            if let Err(error) = callback.call1(&JsValue::UNDEFINED, &js_error::to_js(error)) {
                report_callback_error("onError", &error);
            }
        }));
    }
    if let Ok(callback) = get(13).dyn_into::<Function>() {
        callbacks.on_token_change = Some(Rc::new(move |token| {
            let token = token.map_or(JsValue::NULL, JsValue::from_str);
            if let Err(error) = callback.call1(&JsValue::UNDEFINED, &token) {
                report_callback_error("onTokenChange", &error);
            }
        }));
    }

    Ok(ClientConfig {
        base_url: get(0).as_string(),
        timeout_ms: whole(&get(1)).unwrap_or(0),
        headers: header_pairs(&get(2)),
        storage: match index(&get(3)) {
            Some(1) => TokenStorage::Session,
            Some(2) => TokenStorage::Memory,
            _ => TokenStorage::Local,
        },
        token_key: get(4).as_string(),
        auth_header: get(5).as_string().unwrap_or(defaults.auth_header),
        auth_scheme: get(6).as_string().unwrap_or(defaults.auth_scheme),
        allowed_origins: get(7)
            .dyn_ref::<Array>()
            .map(|origins| origins.iter().filter_map(|item| item.as_string()).collect()),
        policy: ReplayPolicy::new(codes, max_retries),
        duplicates: duplicates(&get(9)).unwrap_or(defaults.duplicates),
        callbacks,
        api: Api::JavaScript,
    })
}

/// Reads the per-call options of `get`, `post` and the others.
///
/// # Errors
///
/// Returns a message naming the option and the value.
pub(crate) fn call_options(options: &JsValue) -> Result<CallOptions, String> {
    // Most calls pass no options, and they skip the call into JavaScript.
    if options.is_undefined() || options.is_null() {
        return Ok(CallOptions::default());
    }
    js_call_options(options)
        .map(|values| read_call_options(&values))
        .map_err(|message| js_message(&message))
}

/// Reads the URL argument of `get`, `post` and the others: a string, or a URL object as its
/// href.
///
/// # Errors
///
/// Returns a message naming the type of any other value.
pub(crate) fn request_url(url: &JsValue) -> Result<String, String> {
    // Most calls pass a string, and they skip the call into JavaScript.
    if let Some(url) = url.as_string() {
        return Ok(url);
    }
    js_request_url(url, "the URL").map_err(|message| js_message(&message))
}

/// Reads the argument of `request(config)`.
///
/// # Errors
///
/// Returns a message naming the field and the value.
pub(crate) fn request_config(config: &JsValue) -> Result<CallInput, String> {
    let values = js_request_config(config).map_err(|message| js_message(&message))?;
    Ok(CallInput {
        method: values.get(1).as_string().unwrap_or_default(),
        url: values.get(0).as_string().unwrap_or_default(),
        params: JsValue::UNDEFINED,
        body: values.get(2),
        options: read_call_options(&values.get(3).unchecked_into()),
    })
}

fn read_call_options(values: &Array) -> CallOptions {
    let get = |index| values.get(index);
    let params = get(1);
    CallOptions {
        headers: header_pairs(&get(0)),
        params: (!params.is_undefined()).then_some(params),
        timeout_ms: whole(&get(2)),
        signal: get(3).dyn_into().ok(),
        no_loading: get(4).is_truthy(),
        duplicates: duplicates(&get(5)),
        response_type: match index(&get(6)) {
            Some(1) => ResponseType::Text,
            Some(2) => ResponseType::Blob,
            Some(3) => ResponseType::ArrayBuffer,
            _ => ResponseType::Json,
        },
        full_response: get(7).is_truthy(),
        no_error_callback: get(8).is_truthy(),
        no_token: get(9).is_truthy(),
    }
}

/// Returns the message that an option reader threw. Anything else it threw is passed on as its
/// `String()` text.
fn js_message(thrown: &JsValue) -> String {
    thrown
        .as_string()
        .unwrap_or_else(|| super::values::js_string(thrown))
}

/// Converts a number that the readers checked to be a whole number from 0 to `u32::MAX`.
fn whole(value: &JsValue) -> Option<u32> {
    value.as_f64().map(|number| number as u32)
}

/// Returns the index of a name in one of the readers' lists, or None for an option not given.
fn index(value: &JsValue) -> Option<u32> {
    value
        .as_f64()
        .filter(|number| *number >= 0.0)
        .map(|number| number as u32)
}

fn duplicates(value: &JsValue) -> Option<Duplicates> {
    match index(value)? {
        0 => Some(Duplicates::CancelPrevious),
        1 => Some(Duplicates::Share),
        _ => Some(Duplicates::Off),
    }
}

/// Splits the flat list of names and values into pairs.
fn header_pairs(list: &JsValue) -> Vec<(String, String)> {
    let Some(list) = list.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let strings: Vec<String> = list.iter().filter_map(|item| item.as_string()).collect();
    strings
        .chunks_exact(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect()
}
