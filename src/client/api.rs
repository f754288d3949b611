//! The Rust API of the client, for Yew, Leptos, Dioxus and other Rust front ends.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use super::builder::{
    check_sent_header, check_set_header, check_token, ClientBuilder, ConfigError,
};
use super::config::{cut_for_message, ClientConfig, Duplicates, ResponseType, TokenStorage};
use super::engine::{self, CallFuture, Inner, Success};
use super::error::{Error, ErrorKind};
use super::request::{has_header, query_string, CallInput, CallOptions};
use super::url::append_query;
use crate::protocol::Envelope;

/// A request client that keeps the token, deduplicates calls and replays after overdue responses.
///
/// Cloning is cheap, and clones share the token, the pending calls and the callbacks. A clone
/// compares equal to its original.
///
/// With the `ssr` feature the type also compiles on targets other than wasm32, such as the
/// server build of a Leptos SSR app. There each call fails with [`ErrorKind::InvalidRequest`].
///
/// A `Client` is `Send` and `Sync` on wasm32 without the `atomics` target feature, where one
/// thread runs and no other can start, so a framework context that requires `Send + Sync`, such
/// as Leptos's `provide_context`, takes it as it is. With `atomics` it is neither, because its
/// shared state sits behind an `Rc`. The futures of its calls are not `Send`, so run them as
/// local tasks, such as with `wasm_bindgen_futures::spawn_local`, Leptos's `LocalResource` and
/// `Action::new_local`, or Yew's `use_future`.
///
/// Dropping a call's future before it settles aborts its request as
/// [`cancel_all`](Self::cancel_all) does. The call then leaves
/// [`pending_count`](Self::pending_count) and the loading count, and `on_error` is not called
/// for it. Under [`Duplicates::Share`] the shared request keeps running while another call
/// waits for it. Leptos's `LocalResource` and Yew's `use_future` do not drop the future when
/// their component unmounts: they run it to the end. To end a call on unmount, pass the signal
/// of a `web_sys::AbortController` to [`RequestBuilder::abort_signal`] and abort the controller
/// in the component's cleanup, such as Leptos's `on_cleanup` or the destructor that Yew's
/// `use_effect` returns. The call then fails with kind canceled, which `on_error` does not get.
///
/// # Examples
///
/// ```no_run
/// use renew_fetch::client::{Client, Duplicates};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Profile {
///     username: String,
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder()
///     .base_url("/api")
///     .duplicates(Duplicates::Share)
///     .on_login_required(|| { /* route to the login page */ })
///     .build()?;
/// let profile = client.get::<Profile>("/profile").await?;
/// let greeting = profile.data.map(|p| format!("hello {}", p.username));
/// # drop(greeting);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

// SAFETY: wasm32 without the atomics target feature has one thread, and std::thread::spawn
// fails there, so no Client and none of the Rc and JavaScript values inside it can reach
// another thread. A Web Worker runs its own instance with its own memory. With atomics, threads
// share the memory, so the impls are left out.
#[cfg(not(target_feature = "atomics"))]
unsafe impl Send for Client {}
#[cfg(not(target_feature = "atomics"))]
unsafe impl Sync for Client {}

/// Two clients are equal when one is a clone of the other, so they share the token and the
/// pending calls. A Yew `ContextProvider` needs this to hand the client down.
impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Client {}

/// A reference to a [`Client`] that does not keep it alive, from [`Client::downgrade`].
///
/// The client stores the builder's callbacks, so a callback that captures a clone of the client
/// keeps the client alive, with its `storage` listener, after the app dropped every other
/// clone. A callback that calls the client, such as an `on_login_required` that calls
/// `cancel_all`, captures a `WeakClient` instead.
#[derive(Clone)]
pub struct WeakClient {
    inner: Weak<Inner>,
}

// SAFETY: the same as for `Client`, because without the atomics target feature no thread can
// start.
#[cfg(not(target_feature = "atomics"))]
unsafe impl Send for WeakClient {}
#[cfg(not(target_feature = "atomics"))]
unsafe impl Sync for WeakClient {}

impl WeakClient {
    /// Returns the client, or `None` once every clone of it was dropped.
    pub fn upgrade(&self) -> Option<Client> {
        self.inner.upgrade().map(|inner| Client { inner })
    }
}

impl fmt::Debug for WeakClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakClient").finish_non_exhaustive()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("pending_count", &self.pending_count())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Returns a builder with every setting at its default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Returns a [`WeakClient`] that refers to this client without keeping it alive, for the
    /// builder's callbacks that call the client.
    pub fn downgrade(&self) -> WeakClient {
        WeakClient {
            inner: Rc::downgrade(&self.inner),
        }
    }

    pub(crate) fn from_config(config: ClientConfig) -> Result<Self, ConfigError> {
        Inner::new(config)
            .map(|inner| Self { inner })
            .map_err(ConfigError::new)
    }

    /// Sends `GET url` and decodes the envelope's data as `T`.
    ///
    /// The future owns what it needs, so it may outlive this handle and `url`, as a future that
    /// Yew's or Leptos's `spawn_local` runs has to. The call starts when the future is first
    /// polled.
    ///
    /// # Errors
    ///
    /// Returns an [`Error`] whose [`kind`](Error::kind) names what failed, as for
    /// [`RequestBuilder::send`].
    pub fn get<T: DeserializeOwned>(&self, url: &str) -> ResponseFuture<T> {
        self.request("GET", url).send()
    }

    /// Sends `DELETE url` and decodes the envelope's data as `T`. The future owns what it
    /// needs, as with [`get`](Self::get).
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`].
    pub fn delete<T: DeserializeOwned>(&self, url: &str) -> ResponseFuture<T> {
        self.request("DELETE", url).send()
    }

    /// Sends `POST url` with `body` as JSON and decodes the envelope's data as `T`, as in
    /// `client.post::<Created>("/items", &item)`. The body is serialized at once, and the future
    /// owns what it needs, as with [`get`](Self::get).
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`].
    pub fn post<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &(impl Serialize + ?Sized),
    ) -> ResponseFuture<T> {
        self.request("POST", url).json(body).send()
    }

    /// Sends `PUT url` with `body` as JSON and decodes the envelope's data as `T`, as
    /// [`post`](Self::post) does.
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`].
    pub fn put<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &(impl Serialize + ?Sized),
    ) -> ResponseFuture<T> {
        self.request("PUT", url).json(body).send()
    }

    /// Sends `PATCH url` with `body` as JSON and decodes the envelope's data as `T`, as
    /// [`post`](Self::post) does.
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`].
    pub fn patch<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &(impl Serialize + ?Sized),
    ) -> ResponseFuture<T> {
        self.request("PATCH", url).json(body).send()
    }

    /// Starts a request with any method, to add params, headers and options.
    pub fn request(&self, method: &str, url: &str) -> RequestBuilder {
        RequestBuilder {
            client: self.clone(),
            input: CallInput {
                method: method.to_owned(),
                url: url.to_owned(),
                params: JsValue::UNDEFINED,
                body: JsValue::UNDEFINED,
                options: CallOptions::default(),
            },
            error: None,
            json_type: false,
        }
    }

    /// Calls the `onError` callback with an error that the client raised before a call started.
    pub(crate) fn report_error(&self, error: &Error) {
        self.inner.report_error(error);
    }

    /// Stores `token`, for example after a login. A call in flight that was sent with the
    /// earlier token does not store the token that its response renews from it.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when the token is empty, contains anything but visible ASCII
    /// (`!` to `~`), the characters of a JWT, or is the text `null` or `undefined`.
    pub fn set_token(&self, token: &str) -> Result<(), ConfigError> {
        check_token(token, self.inner.config.api)?;
        self.inner.store_token(token);
        Ok(())
    }

    /// Sets a header of every call from now on, such as `Accept-Language` after the user picks
    /// another language, in place of a header of that name in any case. `None` removes it.
    /// Calls already started keep the headers they started with.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when the name or the value is not a valid header, or when the
    /// name is the auth header, which the client fills from the stored token. In a browser, it
    /// also returns one for setting a header that the browser sets itself, such as `Cookie`, or
    /// a method override header that names `TRACE`, `TRACK` or `CONNECT`, because `fetch` would
    /// drop it. Removing such a header with `None` does nothing.
    pub fn set_header(&self, name: &str, value: Option<&str>) -> Result<(), ConfigError> {
        let config = &self.inner.config;
        check_set_header(name, value, &config.auth_header, config.api)?;
        let mut headers = self.inner.headers.borrow_mut();
        headers.retain(|(header, _)| !header.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            headers.push((name.to_owned(), value.to_owned()));
        }
        Ok(())
    }

    /// Returns the stored token.
    pub fn token(&self) -> Option<String> {
        self.inner.tokens.get()
    }

    /// Forgets the token, for example on logout. A call in flight that was sent with the token
    /// does not store the token that its response renews from it.
    pub fn clear_token(&self) {
        self.inner.tokens.clear();
    }

    /// Returns the storage in use: the requested one, or memory after a fallback.
    pub fn token_storage(&self) -> TokenStorage {
        self.inner.tokens.active_storage(self.inner.config.storage)
    }

    /// Cancels every pending call. Each rejects with kind canceled, reason all, and `message` as
    /// its message when one is given.
    pub fn cancel_all(&self, message: Option<&str>) {
        self.inner.pending.cancel_all(message);
    }

    /// Returns the number of calls that have not settled.
    pub fn pending_count(&self) -> usize {
        self.inner.pending.count()
    }

    /// Returns true while a call runs that counts as loading, which every call does unless
    /// its builder set [`RequestBuilder::no_loading`]. `on_loading_change` reports each change.
    pub fn is_loading(&self) -> bool {
        self.inner.is_loading()
    }

    pub(crate) fn start(&self, input: CallInput) -> CallFuture {
        engine::start(&self.inner, input)
    }
}

/// One request of a [`Client`], with its params, body, headers and options.
#[derive(Debug)]
pub struct RequestBuilder {
    client: Client,
    input: CallInput,
    error: Option<Error>,
    /// Whether [`json`](Self::json) added the `Content-Type` header, which [`body`](Self::body)
    /// then removes with the JSON body.
    json_type: bool,
}

impl RequestBuilder {
    /// Adds query parameters to the URL. A struct or a map is serialized as the `qs` package
    /// does, with sorted keys, and a list of `(name, value)` pairs is written in its order, as
    /// reqwest writes it. Fields and pairs whose value is `None` are left out, and `None` or
    /// `()` as the whole params adds nothing. Integers are written in full, also beyond 2^53. A
    /// pair whose value is a list or a map fails the call with kind invalid_request: repeat the
    /// pair for each value instead. So does a list that is not of pairs, such as the tuple
    /// `("a", "b")`. Each call adds to the query that the earlier ones wrote.
    pub fn query<P: Serialize + ?Sized>(mut self, params: &P) -> Self {
        // 64-bit integers become BigInts, which the query writer prints in full.
        let serializer = serde_wasm_bindgen::Serializer::new()
            .serialize_maps_as_objects(true)
            .serialize_large_number_types_as_bigints(true);
        let query = params
            .serialize(&serializer)
            .map_err(|error| error.to_string())
            .and_then(pairs_as_search_params)
            .and_then(|value| {
                if value.is_undefined() || value.is_null() {
                    Ok(String::new())
                } else {
                    query_string(&value)
                }
            });
        match query {
            Ok(query) => self.input.url = append_query(&self.input.url, &query),
            Err(message) => self.fail(format!("the params cannot be serialized: {message}")),
        }
        self
    }

    /// Sets the body, sent as JSON with `Content-Type: application/json`. The value is converted
    /// to a JavaScript value and written by `JSON.stringify`, so a string becomes a JSON string
    /// and `()` or `None` becomes `null`, as with `serde_json`. Unlike `serde_json`, an integer
    /// beyond 2^53 in magnitude, such as `u64::MAX`, and a map whose keys are not strings fail
    /// the call with kind invalid_request.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        let text = to_js(body).and_then(|value| {
            js_sys::JSON::stringify(&value)
                .map(String::from)
                .map_err(|error| super::values::js_string(&error))
        });
        match text {
            Ok(text) => {
                self.input.body = JsValue::from(text);
                if !has_header(&self.input.options.headers, "content-type") {
                    self.input
                        .options
                        .headers
                        .push(("Content-Type".to_owned(), "application/json".to_owned()));
                    self.json_type = true;
                }
            }
            Err(message) => self.fail(format!("the body cannot be serialized: {message}")),
        }
        self
    }

    /// Sets a body that `fetch` takes as it is: a string, `FormData`, `Blob`, `ArrayBuffer` or
    /// `URLSearchParams`. Another JavaScript value, such as a plain object or a number, is
    /// written as JSON with `Content-Type: application/json`, as the npm package writes it. For
    /// a Rust value, call [`json`](Self::json) instead. `body` replaces a body that `json` set,
    /// and the `Content-Type` that `json` added.
    ///
    /// A `FormData` body goes without any `Content-Type` header, because the browser generates
    /// the boundary that `multipart/form-data` needs. A `URLSearchParams` or `Blob` body goes
    /// without the client's `Content-Type`, so fetch sets the type from the body, unless the
    /// request sets one with [`header`](Self::header).
    pub fn body(mut self, body: impl Into<JsValue>) -> Self {
        self.input.body = body.into();
        if std::mem::take(&mut self.json_type) {
            self.input
                .options
                .headers
                .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
        }
        self
    }

    /// Adds a header, over the client's header of the same name. In a browser, a header that
    /// the browser sets itself, such as `Cookie`, fails the call with kind invalid_request,
    /// because `fetch` would drop it without an error. So does a method override header, such
    /// as `X-HTTP-Method-Override`, whose value names `TRACE`, `TRACK` or `CONNECT`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Err(message) = check_sent_header(name, value) {
            self.fail(message);
        }
        self.input
            .options
            .headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets this call's timeout in milliseconds, 0 for none. Default: the client's. Above
    /// [`MAX_TIMEOUT_MS`](crate::client::config::MAX_TIMEOUT_MS) the call fails with kind
    /// invalid_request.
    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.input.options.timeout_ms = Some(timeout_ms);
        self
    }

    /// Leaves this call out of the loading counter.
    pub fn no_loading(mut self) -> Self {
        self.input.options.no_loading = true;
        self
    }

    /// Keeps this call's error from the client's `on_error` callback, for a call whose caller
    /// shows the error itself, such as a login form that shows a wrong password. The call fails
    /// as it would without it.
    pub fn no_error_callback(mut self) -> Self {
        self.input.options.no_error_callback = true;
        self
    }

    /// Sends this call without the stored token, such as a login or a public route that returns
    /// other data to a signed-in user. The call stores no renewed token and settles the overdue
    /// and login-required codes as business errors, with no replay and no call of
    /// `on_login_required`. It is never a duplicate of a call without `no_token`.
    pub fn no_token(mut self) -> Self {
        self.input.options.no_token = true;
        self
    }

    /// Returns the client that reports this call's errors, or `None` when the call keeps them
    /// from `on_error`.
    fn error_reporter(&self) -> Option<Client> {
        (!self.input.options.no_error_callback).then(|| self.client.clone())
    }

    /// Sets this call's duplicates policy. Default: the client's.
    pub fn duplicates(mut self, duplicates: Duplicates) -> Self {
        self.input.options.duplicates = Some(duplicates);
        self
    }

    /// Cancels the call when `signal` aborts. A signal made by `AbortSignal.timeout()` ends the
    /// call with [`ErrorKind::Timeout`], as the call's own timeout does, and any other abort with
    /// [`ErrorKind::Canceled`].
    pub fn abort_signal(mut self, signal: &AbortSignal) -> Self {
        self.input.options.signal = Some(signal.clone());
        self
    }

    /// Sends the request and decodes the envelope's data as `T`.
    ///
    /// The body is parsed by `JSON.parse`, and serde-wasm-bindgen decodes the parsed value, not
    /// the text as serde_json would. So a whole number beyond 2^53 arrives rounded and fails to
    /// decode as an integer type: send such ids as strings. And `#[serde(deny_unknown_fields)]`
    /// has no effect, because only the fields of `T` are read. To decode the text with
    /// serde_json instead, call [`text`](Self::text) and `serde_json::from_str`.
    ///
    /// # Errors
    ///
    /// Returns an [`Error`] whose [`ErrorKind`] names the failure:
    ///
    /// - business for a business code other than success, and http for an error status without
    ///   an envelope;
    /// - timeout, canceled, network and offline when no usable response arrived;
    /// - login_required and renewal_exhausted from the replay policy;
    /// - invalid_response for a body that is not an envelope, or whose data does not decode as
    ///   `T`;
    /// - invalid_request for params, a body or a header that cannot be sent.
    ///
    /// A decode error carries the status, the envelope's code and, in [`Error::body`], the
    /// envelope, and `on_error` is called with it. Its message names the field and the type
    /// that was expected, but not the value, which may be a token.
    ///
    /// `T = ()` accepts only data that is null or missing. To ignore whatever data the reply
    /// carries, as for a DELETE, decode it as `serde::de::IgnoredAny`.
    pub fn send<T: DeserializeOwned>(mut self) -> ResponseFuture<T> {
        self.input.options.response_type = ResponseType::Json;
        ResponseFuture {
            state: CallState::Ready(self),
            data: PhantomData,
        }
    }

    /// Sends the request like [`RequestBuilder::send`], and returns the HTTP status and the
    /// response headers with the envelope, such as to read `X-Total-Count` or an `ETag`. A server
    /// on another origin must list such a header in `Access-Control-Expose-Headers`, or the
    /// browser hides it.
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`].
    pub async fn send_full<T: DeserializeOwned>(mut self) -> Result<FullResponse<T>, Error> {
        self.input.options.response_type = ResponseType::Json;
        let reporter = self.error_reporter();
        let success = self.start().await?;
        let envelope = decode(&success).inspect_err(|error| report(reporter.as_ref(), error))?;
        Ok(FullResponse {
            status: success.status,
            headers: success.headers.unchecked_into(),
            envelope,
            replays: success.replays,
            renewed: success.renewed,
        })
    }

    /// Sends the request like [`RequestBuilder::send`], and decodes the whole envelope as `E`
    /// in place of its data. This is for a back end that puts a reply's payload in fields
    /// beside `data`, such as a page of a list as `{code, msg, rows, total}`, which
    /// [`Envelope`] would drop. `E` declares the fields that it reads, and may leave out
    /// `code` and `msg`.
    ///
    /// ```no_run
    /// use renew_fetch::client::{Client, Error};
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Page<T> {
    ///     rows: Vec<T>,
    ///     total: u64,
    /// }
    ///
    /// #[derive(Deserialize)]
    /// struct User {
    ///     name: String,
    /// }
    ///
    /// async fn first_page(client: &Client) -> Result<Page<User>, Error> {
    ///     client
    ///         .request("GET", "/system/user/list")
    ///         .query(&[("pageNum", 1), ("pageSize", 10)])
    ///         .send_envelope()
    ///         .await
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`]: the business code is checked before the decode, and a
    /// decode error names the field of `E` that failed.
    pub async fn send_envelope<E: DeserializeOwned>(mut self) -> Result<E, Error> {
        self.input.options.response_type = ResponseType::Json;
        let reporter = self.error_reporter();
        let success = self.start().await?;
        decode(&success).inspect_err(|error| report(reporter.as_ref(), error))
    }

    /// Sends the request and returns a 2xx body as text, without an envelope check.
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`], except that a 2xx body is never checked.
    pub async fn text(self) -> Result<String, Error> {
        let value = self.send_as(ResponseType::Text).await?;
        Ok(value.as_string().unwrap_or_default())
    }

    /// Sends the request and returns a 2xx body as bytes, without an envelope check.
    ///
    /// # Errors
    ///
    /// As for [`RequestBuilder::send`], except that a 2xx body is never checked.
    pub async fn bytes(self) -> Result<Vec<u8>, Error> {
        let value = self.send_as(ResponseType::ArrayBuffer).await?;
        Ok(js_sys::Uint8Array::new(&value).to_vec())
    }

    async fn send_as(mut self, response_type: ResponseType) -> Result<JsValue, Error> {
        self.input.options.response_type = response_type;
        Ok(self.start().await?.value)
    }

    /// Starts the call, or returns a call that fails with the error found while it was built.
    fn start(self) -> CallFuture {
        let reporter = self.error_reporter();
        match self.error {
            Some(error) => {
                report(reporter.as_ref(), &error);
                Box::pin(std::future::ready(Err(error)))
            }
            None => self.client.start(self.input),
        }
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            let method = self.input.method.to_ascii_uppercase();
            // Cut as the method check cuts it, in case the method is a token in the wrong place.
            let (method, _) = cut_for_message(&method);
            let url = self.input.url.clone();
            self.error = Some(Error::new(ErrorKind::InvalidRequest, method, url, message));
        }
    }
}

/// A settled call with its HTTP status and response headers, from
/// [`RequestBuilder::send_full`].
#[derive(Debug)]
#[non_exhaustive]
pub struct FullResponse<T> {
    /// The HTTP status.
    pub status: u16,
    /// The response headers, which the browser filters as it does for `fetch`.
    pub headers: web_sys::Headers,
    /// The envelope, with its data decoded as `T`.
    pub envelope: Envelope<T>,
    /// How many times the client replayed the call: after an overdue reply, or after a reply
    /// to a token that another call had replaced meanwhile.
    pub replays: u32,
    /// Whether a response to the call, an overdue reply included, brought a renewed token that
    /// the client stored.
    pub renewed: bool,
}

/// The future of a call that decodes the envelope's data as `T`, from [`RequestBuilder::send`]
/// and the request methods of [`Client`].
///
/// The call starts when the future is first polled. It owns what it needs, so it may outlive
/// the client handle, the URL and the body that it was made from. Dropping it before it settles
/// aborts the call.
#[must_use = "a call starts only when its future is polled"]
pub struct ResponseFuture<T> {
    state: CallState,
    data: PhantomData<fn() -> T>,
}

enum CallState {
    Ready(RequestBuilder),
    /// The call, and the client that reports a decode error, if any.
    Running(CallFuture, Option<Client>),
    Done,
}

/// Calls `on_error` of `reporter`, when there is one, with `error`.
fn report(reporter: Option<&Client>, error: &Error) {
    if let Some(client) = reporter {
        client.report_error(error);
    }
}

impl<T> fmt::Debug for ResponseFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            CallState::Ready(_) => "ready",
            CallState::Running(..) => "running",
            CallState::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Future for ResponseFuture<T> {
    type Output = Result<Envelope<T>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (mut call, reporter) = match std::mem::replace(&mut this.state, CallState::Done) {
            CallState::Ready(builder) => {
                let reporter = builder.error_reporter();
                (builder.start(), reporter)
            }
            CallState::Running(call, reporter) => (call, reporter),
            CallState::Done => panic!("ResponseFuture polled after it settled"),
        };
        match call.as_mut().poll(cx) {
            Poll::Pending => {
                this.state = CallState::Running(call, reporter);
                Poll::Pending
            }
            Poll::Ready(result) => Poll::Ready(result.and_then(|success| {
                decode(&success).inspect_err(|error| report(reporter.as_ref(), error))
            })),
        }
    }
}

/// Decodes a settled call's envelope as `E`, which is `Envelope<T>` or the type of
/// [`RequestBuilder::send_envelope`]. The error names the field that failed and the type that
/// was expected, and leaves out the value.
fn decode<E: DeserializeOwned>(success: &Success) -> Result<E, Error> {
    decode_value(&success.value, "The envelope").map_err(|message| {
        let code = js_sys::Reflect::get(&success.value, &JsValue::from_str("code"))
            .ok()
            .and_then(|code| code.as_f64());
        let error = success
            .request
            .error(ErrorKind::InvalidResponse, message)
            .with_status(success.status)
            .with_body(success.value.clone());
        match code {
            Some(code) => error.with_code(code as i64),
            None => error,
        }
    })
}

/// Decodes `value` as `T`. The message of a failure starts with `subject`, names the field that
/// failed and the type that was expected, and leaves out the value.
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: &JsValue,
    subject: &str,
) -> Result<T, String> {
    let deserializer = serde_wasm_bindgen::Deserializer::from(value.clone());
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let mut message = format!("{subject} does not match the expected type");
        if path != "." {
            message.push_str(" at ");
            message.push_str(&path);
        }
        if let Some(detail) = decode_detail(&error.inner().to_string()) {
            message.push_str(": ");
            message.push_str(detail);
        }
        message
    })
}

/// Returns the part of a serde error message that comes from the expected type, such as
/// `expected u32` or ``missing field `id` ``, and never the part that quotes the value.
///
/// A whole number beyond 2^53 reaches serde as a float, because `JSON.parse` rounds it, and
/// an integer type rejects it. The detail then names that cause.
fn decode_detail(message: &str) -> Option<&str> {
    let message = message.strip_prefix("Error: ").unwrap_or(message);
    if message.starts_with("missing field ") {
        return Some(message);
    }
    let expected = message.rfind(", expected ")?;
    if is_rounded_integer(message) {
        return Some(ROUNDED_INTEGER);
    }
    Some(&message[expected + ", ".len()..])
}

/// The detail for a whole number that `JSON.parse` rounded.
const ROUNDED_INTEGER: &str = "expected an integer, got a number beyond 2^53, which JSON.parse \
    rounds to a float; send such numbers as strings";

/// Returns true when `message` is serde's ``invalid type: floating point `N`, expected ...``
/// for a float `N` with no fraction and a magnitude of at least 2^53.
fn is_rounded_integer(message: &str) -> bool {
    let Some(rest) = message.strip_prefix("invalid type: floating point `") else {
        return false;
    };
    let Some((number, _)) = rest.split_once('`') else {
        return false;
    };
    number
        .parse::<f64>()
        .is_ok_and(|n| n.fract() == 0.0 && n.abs() >= 9_007_199_254_740_992.0)
}

/// Turns a serialized list of `(name, value)` pairs into `URLSearchParams` in their order, and
/// returns any other value as it is. A pair whose value is `None` is left out, and a pair whose
/// value is a list or a map is an error, because a query pair carries one value. Any other list,
/// such as a tuple `("a", "b")`, is an error too, because `qs` would write its items under
/// their indexes, as `0=a&1=b`.
fn pairs_as_search_params(value: JsValue) -> Result<JsValue, String> {
    let Some(list) = value.dyn_ref::<js_sys::Array>() else {
        return Ok(value);
    };
    let as_pair = |item: &JsValue| {
        item.dyn_ref::<js_sys::Array>()
            .filter(|pair| pair.length() == 2)
            .and_then(|pair| Some((pair.get(0).as_string()?, pair.get(1))))
    };
    if list.length() == 0 {
        return Ok(value);
    }
    if !list.iter().all(|item| as_pair(&item).is_some()) {
        return Err(
            "a list of params must hold (name, value) pairs with string names; pass a \
                    struct, a map or pairs such as [(\"page\", 2)]"
                .to_owned(),
        );
    }
    let params =
        web_sys::UrlSearchParams::new().map_err(|error| super::values::js_string(&error))?;
    for (name, value) in list.iter().filter_map(|item| as_pair(&item)) {
        if value.is_undefined() || value.is_null() {
            continue;
        }
        if value.is_object() {
            return Err(format!(
                "the query pair {name:?} has a list or map as its value; write one pair per \
                 value, such as [({name:?}, \"a\"), ({name:?}, \"b\")]"
            ));
        }
        params.append(&name, &super::values::js_string(&value));
    }
    Ok(params.into())
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| error.to_string())
}
