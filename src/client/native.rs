//! The client's Rust API on targets other than wasm32, compiled by the `ssr` feature.
//!
//! An app whose components also build for the server, as in Leptos SSR or Dioxus fullstack,
//! names the client in code that the server compiles and may run while it renders. Here the
//! client keeps its token in memory and calls no callback, and every call fails with
//! [`ErrorKind::InvalidRequest`] when its future is first polled, because only a browser or a
//! worker on wasm32 sends requests. Nothing here touches JavaScript, so nothing panics
//! when the server runs it.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use super::builder::{
    check_sent_header, check_set_header, check_token, ClientBuilder, ConfigError,
};
use super::config::{Api, ClientConfig, Duplicates, TokenStorage};
use super::error::{Error, ErrorKind};
use super::url::{clean_url, join_url};
use crate::protocol::Envelope;

/// The message of every call on a target other than wasm32.
const NOT_SENT: &str = "renew-fetch sends requests only from WebAssembly in a browser or a \
     worker, and this call ran in a build for another target, such as the server build of an SSR \
     app; make the call in code that only the browser runs, such as a Leptos LocalResource, an \
     Effect, an event handler, or a Dioxus use_resource without suspend()";

/// A request client. On wasm32 it sends requests, and on other targets, which the `ssr` feature
/// compiles it for, each of its calls fails with [`ErrorKind::InvalidRequest`].
///
/// Here it keeps the token in memory, has no pending calls and calls none of
/// the builder's callbacks. Cloning is cheap, clones share the token, and a clone compares
/// equal to its original. It is `Send` and `Sync`, as on wasm32, so a server that renders on
/// several threads may move and drop it on any of them.
#[derive(Clone)]
pub struct Client {
    inner: Arc<State>,
}

struct State {
    api: Api,
    base_url: Option<String>,
    auth_header: String,
    token: Mutex<Option<String>>,
}

/// Locks `mutex`, and takes the value of a poisoned lock as it is: the token changes only by
/// whole assignments, which do not panic, so a panic elsewhere leaves it whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Client {}

/// A reference to a [`Client`] that does not keep it alive, from [`Client::downgrade`], as on
/// wasm32. This target calls no callback, so none of them keeps the client alive here.
#[derive(Clone)]
pub struct WeakClient {
    inner: Weak<State>,
}

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

    /// Returns a [`WeakClient`] that refers to this client without keeping it alive.
    pub fn downgrade(&self) -> WeakClient {
        WeakClient {
            inner: Arc::downgrade(&self.inner),
        }
    }

    /// Checks the settings that need no browser. The base URL and the allowed origins are
    /// checked on wasm32 only, where a relative URL resolves against the page. The callbacks
    /// are dropped, because this target calls none of them.
    pub(crate) fn from_config(config: ClientConfig) -> Result<Self, ConfigError> {
        config.check().map_err(ConfigError::new)?;
        Ok(Self {
            inner: Arc::new(State {
                api: config.api,
                base_url: config.base_url,
                auth_header: config.auth_header,
                token: Mutex::new(None),
            }),
        })
    }

    /// Returns a future of `GET url` that fails with [`ErrorKind::InvalidRequest`].
    pub fn get<T: DeserializeOwned>(&self, url: &str) -> ResponseFuture<T> {
        self.request("GET", url).send()
    }

    /// Returns a future of `DELETE url` that fails with [`ErrorKind::InvalidRequest`].
    pub fn delete<T: DeserializeOwned>(&self, url: &str) -> ResponseFuture<T> {
        self.request("DELETE", url).send()
    }

    /// Returns a future of `POST url` that fails with [`ErrorKind::InvalidRequest`].
    pub fn post<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &(impl Serialize + ?Sized),
    ) -> ResponseFuture<T> {
        self.request("POST", url).json(body).send()
    }

    /// Returns a future of `PUT url` that fails with [`ErrorKind::InvalidRequest`].
    pub fn put<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &(impl Serialize + ?Sized),
    ) -> ResponseFuture<T> {
        self.request("PUT", url).json(body).send()
    }

    /// Returns a future of `PATCH url` that fails with [`ErrorKind::InvalidRequest`].
    pub fn patch<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &(impl Serialize + ?Sized),
    ) -> ResponseFuture<T> {
        self.request("PATCH", url).json(body).send()
    }

    /// Starts a request with any method. Its errors name `url` joined to the base URL, as on
    /// wasm32, but without the params of [`RequestBuilder::query`].
    pub fn request(&self, method: &str, url: &str) -> RequestBuilder {
        RequestBuilder {
            method: method.to_ascii_uppercase(),
            url: join_url(self.inner.base_url.as_deref(), &clean_url(url)),
            error: None,
        }
    }

    /// Stores `token` in memory.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when the token is empty, contains anything but visible ASCII
    /// (`!` to `~`), or is the text `null` or `undefined`, as on wasm32.
    pub fn set_token(&self, token: &str) -> Result<(), ConfigError> {
        check_token(token, self.inner.api)?;
        *lock(&self.inner.token) = Some(token.to_owned());
        Ok(())
    }

    /// Checks a header of every call from now on, or its removal with `None`, as on wasm32.
    /// No call sends it on this target, so the client does not keep it.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when the name or the value is not a valid header, or when the
    /// name is the auth header, as on wasm32.
    pub fn set_header(&self, name: &str, value: Option<&str>) -> Result<(), ConfigError> {
        check_set_header(name, value, &self.inner.auth_header, self.inner.api)
    }

    /// Returns the token that [`set_token`](Self::set_token) stored.
    pub fn token(&self) -> Option<String> {
        lock(&self.inner.token).clone()
    }

    /// Forgets the token.
    pub fn clear_token(&self) {
        lock(&self.inner.token).take();
    }

    /// Returns [`TokenStorage::Memory`], because no web storage exists on this target.
    pub fn token_storage(&self) -> TokenStorage {
        TokenStorage::Memory
    }

    /// Does nothing, because no call is pending on this target.
    pub fn cancel_all(&self, message: Option<&str>) {
        let _ = message;
    }

    /// Returns 0, because no call is pending on this target.
    pub fn pending_count(&self) -> usize {
        0
    }

    /// Returns false, because no call runs on this target.
    pub fn is_loading(&self) -> bool {
        false
    }
}

/// One request of a [`Client`]. On this target it keeps only the method and the URL, and an
/// invalid header, which makes the call fail as on wasm32.
#[derive(Debug)]
pub struct RequestBuilder {
    method: String,
    url: String,
    error: Option<Error>,
}

impl RequestBuilder {
    /// Takes the params of the query, which this target does not send.
    pub fn query<P: Serialize + ?Sized>(self, params: &P) -> Self {
        let _ = params;
        self
    }

    /// Takes a JSON body, which this target does not send.
    pub fn json<B: Serialize + ?Sized>(self, body: &B) -> Self {
        let _ = body;
        self
    }

    /// Takes a body, which this target does not send. The value is dropped without a
    /// conversion to `JsValue`, which would need JavaScript.
    pub fn body(self, body: impl Into<JsValue>) -> Self {
        drop(body);
        self
    }

    /// Adds a header. An invalid name or value makes the call fail with that message, as on
    /// wasm32.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Err(message) = check_sent_header(name, value) {
            self.fail(message);
        }
        self
    }

    /// Takes the call's timeout, which this target does not start.
    pub fn timeout_ms(self, timeout_ms: u32) -> Self {
        let _ = timeout_ms;
        self
    }

    /// Leaves the call out of the loading state, which stays false on this target.
    pub fn no_loading(self) -> Self {
        self
    }

    /// Keeps the call's error from `on_error`, which this target never calls.
    pub fn no_error_callback(self) -> Self {
        self
    }

    /// Marks the call to go without the token, which no call on this target sends.
    pub fn no_token(self) -> Self {
        self
    }

    /// Takes the call's duplicates policy, which has no pending call to act on here.
    pub fn duplicates(self, duplicates: Duplicates) -> Self {
        let _ = duplicates;
        self
    }

    /// Takes the call's abort signal, which this target never reads.
    pub fn abort_signal(self, signal: &AbortSignal) -> Self {
        let _ = signal;
        self
    }

    /// Returns a future that fails with [`ErrorKind::InvalidRequest`], or with the error of an
    /// invalid header, when it is first polled. `on_error` is not called on this target.
    pub fn send<T: DeserializeOwned>(self) -> ResponseFuture<T> {
        ResponseFuture {
            error: Some(self.into_error()),
            data: PhantomData,
        }
    }

    /// Fails as [`send`](Self::send) does.
    ///
    /// # Errors
    ///
    /// Always, with [`ErrorKind::InvalidRequest`].
    pub async fn send_full<T: DeserializeOwned>(self) -> Result<FullResponse<T>, Error> {
        Err(self.into_error())
    }

    /// Fails as [`send`](Self::send) does.
    ///
    /// # Errors
    ///
    /// Always, with [`ErrorKind::InvalidRequest`].
    pub async fn send_envelope<E: DeserializeOwned>(self) -> Result<E, Error> {
        Err(self.into_error())
    }

    /// Fails as [`send`](Self::send) does.
    ///
    /// # Errors
    ///
    /// Always, with [`ErrorKind::InvalidRequest`].
    pub async fn text(self) -> Result<String, Error> {
        Err(self.into_error())
    }

    /// Fails as [`send`](Self::send) does.
    ///
    /// # Errors
    ///
    /// Always, with [`ErrorKind::InvalidRequest`].
    pub async fn bytes(self) -> Result<Vec<u8>, Error> {
        Err(self.into_error())
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(Error::new(
                ErrorKind::InvalidRequest,
                &*self.method,
                &self.url,
                message,
            ));
        }
    }

    fn into_error(self) -> Error {
        match self.error {
            Some(error) => error,
            None => Error::new(ErrorKind::InvalidRequest, self.method, self.url, NOT_SENT),
        }
    }
}

/// A settled call with its HTTP status and response headers. No call settles with one on
/// this target.
#[derive(Debug)]
#[non_exhaustive]
pub struct FullResponse<T> {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: web_sys::Headers,
    /// The envelope, with its data decoded as `T`.
    pub envelope: Envelope<T>,
    /// How many times the client replayed the call.
    pub replays: u32,
    /// Whether a response to the call brought a renewed token that the client stored.
    pub renewed: bool,
}

/// The future of a call, which fails with [`ErrorKind::InvalidRequest`] on this target.
#[must_use = "a call starts only when its future is polled"]
pub struct ResponseFuture<T> {
    error: Option<Error>,
    data: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ResponseFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.error.is_some() {
            "ready"
        } else {
            "done"
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<T> Future for ResponseFuture<T> {
    type Output = Result<Envelope<T>, Error>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let error = self
            .get_mut()
            .error
            .take()
            .expect("ResponseFuture polled after it settled");
        Poll::Ready(Err(error))
    }
}
