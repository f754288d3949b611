//! The builder of [`Client`] and its error, shared by the client on wasm32 and the one that the
//! `ssr` feature compiles on other targets.

use std::fmt;
use std::rc::Rc;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::config::{
    check_header, cut_for_message, is_clean_token, is_header_name, quoted, Api, ClientConfig,
    Duplicates, Setting, TokenStorage,
};
use super::error::Error;
use super::replay::{BusinessCodes, ReplayPolicy};
use super::Client;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// Returns true when `fetch` would drop the header `name` with `value` from a request
    /// without an error, as a browser does with the forbidden request headers, such as `Cookie`,
    /// and with `X-HTTP-Method-Override: TRACE`. Without a value it checks the name alone.
    #[wasm_bindgen(js_name = droppedHeader)]
    fn dropped_header(name: &str, value: Option<&str>) -> bool;
}

/// Returns false: on other targets the client sends no request, so no browser drops a header.
#[cfg(not(target_arch = "wasm32"))]
fn dropped_header(_name: &str, _value: Option<&str>) -> bool {
    false
}

/// Checks a header's name and value as [`check_header`] does, and rejects a header that `fetch`
/// would drop.
pub(crate) fn check_sent_header(name: &str, value: &str) -> Result<(), String> {
    check_header(name, value)?;
    if dropped_header(name, None) {
        return Err(format!(
            "{} is a header that the browser sets itself and fetch drops from a page's request \
             without an error; remove it",
            quoted(name)
        ));
    }
    if dropped_header(name, Some(value)) {
        return Err(format!(
            "the value {} of header {} lists CONNECT, TRACE or TRACK, which a browser never \
             sends, so fetch drops the header from a page's request without an error; name \
             another method or remove the header",
            quoted(value),
            quoted(name)
        ));
    }
    Ok(())
}

/// Checks a token for `set_token`: it must be non-empty visible ASCII, as a JWT is, and not the
/// text `null` or `undefined`. `api` spells the method that clears the token.
pub(crate) fn check_token(token: &str, api: Api) -> Result<(), ConfigError> {
    if crate::protocol::is_missing_value_text(token) {
        return Err(ConfigError::new(format!(
            "the token is the text \"{token}\", which a missing value turns into; pass the token \
             from the login response, or call {} to log out",
            api.name(Setting::ClearToken)
        )));
    }
    if is_clean_token(token) {
        return Ok(());
    }
    Err(ConfigError::new(
        "the token is empty or contains a character other than visible ASCII (! to ~); pass the \
         token alone, without a scheme such as \"Bearer \"",
    ))
}

/// Checks a header for `set_header`: a valid header that `fetch` keeps, and not the client's
/// auth header, which it fills from the stored token. `api` spells the method to call instead.
pub(crate) fn check_set_header(
    name: &str,
    value: Option<&str>,
    auth_header: &str,
    api: Api,
) -> Result<(), ConfigError> {
    match value {
        Some(value) => check_sent_header(name, value),
        None => check_header(name, ""),
    }
    .map_err(ConfigError::new)?;
    if name.eq_ignore_ascii_case(auth_header) {
        return Err(ConfigError::new(format!(
            "{} is the header that the client fills from the stored token on allowed origins; \
             call {} instead, or set the header on the requests that need a fixed value",
            quoted(name),
            api.name(Setting::SetToken)
        )));
    }
    Ok(())
}

/// An invalid client setting or token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Builds a [`Client`]. Every setting has the default that its method names.
#[derive(Debug, Default)]
pub struct ClientBuilder {
    config: ClientConfig,
    error: Option<ConfigError>,
}

impl ClientBuilder {
    /// Sets the prefix of relative URLs. A relative base is resolved against the page. Without a
    /// page, as in Node, the client is built and each of its calls fails with
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest). Default: none.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config.base_url = Some(base_url.into());
        self
    }

    /// Sets the timeout of each call in milliseconds, 0 for none. Default: 0. Above
    /// [`MAX_TIMEOUT_MS`](crate::client::config::MAX_TIMEOUT_MS), [`build`](Self::build) fails.
    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.config.timeout_ms = timeout_ms;
        self
    }

    /// Adds a header sent with every call. Default: none. In a browser, a header that the
    /// browser sets itself, such as `Cookie`, makes [`build`](Self::build) fail, because `fetch`
    /// would drop it without an error. So does a method override header, such as
    /// `X-HTTP-Method-Override`, whose value names `TRACE`, `TRACK` or `CONNECT`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Err(message) = check_sent_header(name, value) {
            self.fail(message);
        }
        self.config
            .headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets where the token is kept. Default: [`TokenStorage::Local`].
    pub fn token_storage(mut self, storage: TokenStorage) -> Self {
        self.config.storage = storage;
        self
    }

    /// Sets the storage key of the token. Clients with the same key in the same storage share
    /// one token. Default: `renew-fetch.token`, followed by `@` and the origin of the base URL
    /// when that is not the page's origin. Otherwise, a client whose allowed origins leave out
    /// the page's takes the first of them in sorted order. So a client for another API does not
    /// pick up the page's token.
    pub fn token_key(mut self, key: impl Into<String>) -> Self {
        self.config.token_key = Some(key.into());
        self
    }

    /// Sets the header that carries the token both ways. Default: `Authorization`.
    ///
    /// `fetch` drops `Authorization` on a redirect to another origin but keeps any other header,
    /// so with another header a call that sends the token does not follow redirects, and fails
    /// with kind http. In a browser, a header that the browser sets itself, such as `Cookie`,
    /// makes [`build`](Self::build) fail.
    pub fn auth_header(mut self, name: &str) -> Self {
        if !is_header_name(name) {
            self.fail(format!(
                "auth_header {} is not a valid header name",
                quoted(name)
            ));
        } else if dropped_header(name, None) {
            self.fail(format!(
                "auth_header {} names a header that the browser sets itself, so fetch would drop \
                 the token without an error; use a header of the app's own, such as \
                 \"Authorization\"",
                quoted(name)
            ));
        }
        self.config.auth_header = name.to_owned();
        self
    }

    /// Sets the scheme before the token, or empty for the raw token. Default: `Bearer`.
    pub fn auth_scheme(mut self, scheme: impl Into<String>) -> Self {
        let scheme = scheme.into();
        // An auth scheme is a token, as a header name is (RFC 9110).
        if !scheme.is_empty() && !is_header_name(&scheme) {
            self.fail(format!(
                "auth_scheme {} must be one word of ASCII letters, digits and \
                 !#$%&'*+-.^_`|~, such as \"Bearer\", or \"\" for the raw token",
                debug_quoted(&scheme)
            ));
        }
        self.config.auth_scheme = scheme;
        self
    }

    /// Sets the origins that receive the token. Default: the base URL's origin, or the page's.
    pub fn allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.allowed_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the business codes. Default: [`BusinessCodes::default`].
    pub fn codes(mut self, codes: BusinessCodes) -> Self {
        let max_retries = self.config.policy.max_retries();
        self.config.policy = ReplayPolicy::new(codes, max_retries);
        self
    }

    /// Sets the maximum number of replays per call. Default: 5. Above
    /// [`MAX_RENEW_RETRIES`](crate::client::config::MAX_RENEW_RETRIES),
    /// [`build`](Self::build) fails.
    pub fn max_renew_retries(mut self, max_retries: u32) -> Self {
        let codes = self.config.policy.codes().clone();
        self.config.policy = ReplayPolicy::new(codes, max_retries);
        self
    }

    /// Sets the duplicates policy. Default: [`Duplicates::CancelPrevious`].
    pub fn duplicates(mut self, duplicates: Duplicates) -> Self {
        self.config.duplicates = duplicates;
        self
    }

    /// Sets the callback for when the user has to log in again. Default: none.
    ///
    /// It runs once per session, and again only after a new token is stored. So a callback that
    /// makes a call which needs the session cannot call itself again. To act on every call that
    /// needs a login, check [`Error::is_login_required`] where the call fails.
    ///
    /// The callback runs after the call that received the login-required code has settled, so
    /// a [`Client::cancel_all`] inside it cancels the other pending calls, and that call still
    /// fails with [`ErrorKind::LoginRequired`](super::ErrorKind::LoginRequired). By then the client has cleared the token that
    /// the server rejected, unless another token was stored while the call was in flight.
    ///
    /// The callback cannot capture the client that [`build`](Self::build) returns. To call
    /// `cancel_all` from it, capture an `Rc<std::cell::OnceCell<WeakClient>>` and set it to
    /// [`Client::downgrade`] after `build`. A captured `Client` would keep the client alive
    /// through its own callback.
    pub fn on_login_required(mut self, callback: impl Fn() + 'static) -> Self {
        self.config.callbacks.on_login_required = Some(Rc::new(callback));
        self
    }

    /// Sets the callback for the loading state: `true` when the first counted call starts,
    /// `false` when the last one ends. Default: none.
    ///
    /// It runs in a microtask after the change, never inside the call that starts or ends a
    /// request, so it may set a framework's signal or state even when a call starts while a
    /// component renders. It gets the state at the time it runs and runs only when that differs
    /// from the last state it got, so a call that starts and ends in one turn is not reported.
    pub fn on_loading_change(mut self, callback: impl Fn(bool) + 'static) -> Self {
        self.config.callbacks.on_loading_change = Some(Rc::new(callback));
        self
    }

    /// Sets the callback for every error, login_required included, except kind canceled and
    /// the errors of calls with [`RequestBuilder::no_error_callback`](super::RequestBuilder::no_error_callback). Default: none.
    pub fn on_error(mut self, callback: impl Fn(&Error) + 'static) -> Self {
        self.config.callbacks.on_error = Some(Rc::new(callback));
        self
    }

    /// Sets the callback for a change of the token: the new token, or `None` once it was
    /// removed. Default: none.
    ///
    /// It reports every change after [`build`](Self::build). A change comes from
    /// [`Client::set_token`], [`Client::clear_token`], a renewal or the clear of a token that the
    /// server rejected. It also comes from a login or logout by another client of the page, or
    /// by another tab, with the same token key. So a page can show the user of the current token
    /// and follow a logout in another tab. Like `on_loading_change`, it runs in a microtask after the
    /// change, with the token at the time it runs, and only when that differs from the token it
    /// got last.
    pub fn on_token_change(mut self, callback: impl Fn(Option<&str>) + 'static) -> Self {
        self.config.callbacks.on_token_change = Some(Rc::new(callback));
        self
    }

    /// Creates the client and loads the stored token.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] for an invalid header name or value, or an auth scheme that is
    /// not one word. It also returns one for an empty token key, an allowed origin that is not an
    /// absolute URL, a timeout or replay budget above its maximum, and business codes that
    /// overlap.
    pub fn build(self) -> Result<Client, ConfigError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.config.token_key.as_deref() == Some("") {
            return Err(ConfigError::new("token_key must not be empty"));
        }
        // A fixed auth header would replace the stored token on every call, so renewal, replay
        // and on_login_required would never run, and it would go to every origin.
        let auth = &self.config.auth_header;
        if let Some((name, _)) = self
            .config
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(auth))
        {
            return Err(ConfigError::new(format!(
                "header({}, …) sets the header that the client fills from the stored token on \
                 allowed origins; call Client::set_token instead, or set the header on the \
                 requests that need a fixed value",
                quoted(name)
            )));
        }
        Client::from_config(self.config)
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(ConfigError::new(message));
        }
    }
}

/// Quotes `text` with `{:?}`, which escapes control characters, cut as
/// [`cut_for_message`] does. Only the Rust API uses it, so the package's wasm leaves out the
/// escaping code.
fn debug_quoted(text: &str) -> String {
    match cut_for_message(text) {
        (head, None) => format!("{head:?}"),
        (head, Some(count)) => format!("{head:?}... ({count} characters)"),
    }
}
