//! The one error type of the client, with a kind that callers branch on.
//!
//! JavaScript reads the same fields on a `RenewFetchError` object. A caller branches on the kind,
//! never on the message, which is for people.
//!
//! # Examples
//!
//! ```
//! use renew_fetch::client::error::{CancelReason, Error, ErrorKind};
//!
//! let error = Error::new(ErrorKind::Canceled, "GET", "http://127.0.0.1/x", "Canceled")
//!     .with_reason(CancelReason::Duplicate);
//! assert!(error.is_canceled());
//! assert_eq!(error.reason(), Some(CancelReason::Duplicate));
//! ```

use std::fmt;

/// The kind of failure of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The envelope's code is neither success nor one the client acts on.
    Business,
    /// The HTTP status is an error and the body is not an envelope.
    Http,
    /// The call took longer than its timeout.
    Timeout,
    /// The call was aborted: see [`Error::reason`].
    Canceled,
    /// The request failed before a response arrived: DNS, connection, CORS. Also a body that
    /// failed to arrive or to decode after the response's headers, such as one with a broken
    /// `Content-Encoding`, whose error carries the response's [`status`](Error::status).
    Network,
    /// `navigator.onLine` was false.
    Offline,
    /// The user has to log in again.
    LoginRequired,
    /// The server kept responding overdue after the maximum number of replays.
    RenewalExhausted,
    /// A success status carried a body that is not JSON or not an envelope, an overdue reply
    /// carried a malformed renewed-token header, or the data did not match the expected Rust
    /// type. A malformed renewed-token header on any other reply is ignored.
    InvalidResponse,
    /// The request could not be built from the caller's input: a URL that does not parse, a body
    /// that cannot be serialized, an invalid header name.
    InvalidRequest,
}

impl ErrorKind {
    /// Returns the name that JavaScript reads in `error.kind`, such as `"login_required"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Business => "business",
            Self::Http => "http",
            Self::Timeout => "timeout",
            Self::Canceled => "canceled",
            Self::Network => "network",
            Self::Offline => "offline",
            Self::LoginRequired => "login_required",
            Self::RenewalExhausted => "renewal_exhausted",
            Self::InvalidResponse => "invalid_response",
            Self::InvalidRequest => "invalid_request",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cause of a canceled call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CancelReason {
    /// A newer call with the same duplicate key replaced it.
    Duplicate,
    /// The caller's `AbortSignal` fired.
    User,
    /// `cancelAll()` was called.
    All,
}

impl CancelReason {
    /// Returns the name that JavaScript reads in `error.reason`, such as `"duplicate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::User => "user",
            Self::All => "all",
        }
    }
}

/// A failed call: its kind, a message for people, and the request and response facts.
///
/// `Debug` shows whether the error has `data` and a `body`, but not their content, which comes
/// from the server and may hold a token.
#[derive(Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    method: String,
    url: String,
    status: Option<u16>,
    code: Option<i64>,
    reason: Option<CancelReason>,
    #[cfg(target_arch = "wasm32")]
    data: Option<wasm_bindgen::JsValue>,
    #[cfg(target_arch = "wasm32")]
    body: Option<wasm_bindgen::JsValue>,
    #[cfg(target_arch = "wasm32")]
    cause: Option<wasm_bindgen::JsValue>,
}

impl Error {
    /// Creates an error of `kind` for the request `method url`. The error keeps `url` without
    /// a user name and password, which fetch rejects and which a log of the error would repeat.
    /// In a URL that does not parse, everything up to the last `@` counts as the user info,
    /// because a password may hold an unencoded `#`, `/` or `?`.
    pub fn new(
        kind: ErrorKind,
        method: impl Into<String>,
        url: impl AsRef<str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            method: method.into(),
            url: shown_url(url.as_ref()),
            status: None,
            code: None,
            reason: None,
            #[cfg(target_arch = "wasm32")]
            data: None,
            #[cfg(target_arch = "wasm32")]
            body: None,
            #[cfg(target_arch = "wasm32")]
            cause: None,
        }
    }

    /// Sets the envelope's `data`, which a server may fill with details such as field errors.
    #[cfg(target_arch = "wasm32")]
    pub fn with_data(mut self, data: wasm_bindgen::JsValue) -> Self {
        self.data = Some(data);
        self
    }

    /// Returns the envelope's `data` of a business or login-required error, or None when the
    /// response had no envelope or its `data` was null or missing.
    #[cfg(target_arch = "wasm32")]
    pub fn data(&self) -> Option<&wasm_bindgen::JsValue> {
        self.data.as_ref()
    }

    /// Decodes the envelope's `data` as `T`, such as the field errors of a rejected form.
    /// Returns `Ok(None)` when the error has no `data`.
    ///
    /// # Errors
    ///
    /// Returns an error of kind invalid_response for the same request, with the same status and
    /// business code, when the data does not decode as `T`. Its message names the field and the
    /// type that was expected, but not the value.
    #[cfg(target_arch = "wasm32")]
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        super::api::decode_value(data, "The error's data")
            .map(Some)
            .map_err(|message| Self {
                status: self.status,
                code: self.code,
                ..Self::new(
                    ErrorKind::InvalidResponse,
                    &*self.method,
                    &*self.url,
                    message,
                )
            })
    }

    /// Sets the body of a response without an envelope: the text, or the parsed JSON.
    #[cfg(target_arch = "wasm32")]
    pub fn with_body(mut self, body: wasm_bindgen::JsValue) -> Self {
        self.body = Some(body);
        self
    }

    /// Returns the response body of an http or invalid_response error, such as the JSON error
    /// of a proxy or the HTML page of a gateway: the parsed JSON when the body is JSON, and
    /// otherwise its text as a string. For an envelope whose data does not decode as the
    /// expected Rust type, it is the envelope. Returns None when the body was empty, and for the
    /// other kinds.
    #[cfg(target_arch = "wasm32")]
    pub fn body(&self) -> Option<&wasm_bindgen::JsValue> {
        self.body.as_ref()
    }

    /// Sets the cause: the reason that the caller's `AbortSignal` aborted with, or the error that
    /// `fetch` rejected with.
    #[cfg(target_arch = "wasm32")]
    pub fn with_cause(mut self, cause: wasm_bindgen::JsValue) -> Self {
        self.cause = Some(cause);
        self
    }

    /// Returns the reason that the caller's `AbortSignal` aborted with, for a call canceled
    /// by that signal, and the error that `fetch` rejected with, for a network or offline
    /// error, such as a `TypeError` whose own `cause` names the system error in Node. Returns
    /// None otherwise.
    #[cfg(target_arch = "wasm32")]
    pub fn cause(&self) -> Option<&wasm_bindgen::JsValue> {
        self.cause.as_ref()
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the envelope's business code.
    pub fn with_code(mut self, code: i64) -> Self {
        self.code = Some(code);
        self
    }

    /// Sets the cancel reason.
    pub fn with_reason(mut self, reason: CancelReason) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Returns the kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Returns the message, a sentence for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Returns the request method: in uppercase in the errors of the client's calls, and as
    /// given in an error made with [`Error::new`].
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Returns the absolute request URL, or the URL as the call gave it when the call was
    /// rejected before the URL was resolved, such as for a header that cannot be sent.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Returns the HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Returns the envelope's business code, when the body was an envelope.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// Returns why the call was canceled, for [`ErrorKind::Canceled`].
    pub fn reason(&self) -> Option<CancelReason> {
        self.reason
    }

    /// Returns true for [`ErrorKind::Business`].
    pub fn is_business(&self) -> bool {
        self.kind == ErrorKind::Business
    }

    /// Returns true for [`ErrorKind::Http`].
    pub fn is_http(&self) -> bool {
        self.kind == ErrorKind::Http
    }

    /// Returns true for [`ErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }

    /// Returns true for [`ErrorKind::Canceled`].
    pub fn is_canceled(&self) -> bool {
        self.kind == ErrorKind::Canceled
    }

    /// Returns true for [`ErrorKind::Network`].
    pub fn is_network(&self) -> bool {
        self.kind == ErrorKind::Network
    }

    /// Returns true for [`ErrorKind::Offline`].
    pub fn is_offline(&self) -> bool {
        self.kind == ErrorKind::Offline
    }

    /// Returns true for [`ErrorKind::LoginRequired`].
    pub fn is_login_required(&self) -> bool {
        self.kind == ErrorKind::LoginRequired
    }

    /// Returns true for [`ErrorKind::RenewalExhausted`].
    pub fn is_renewal_exhausted(&self) -> bool {
        self.kind == ErrorKind::RenewalExhausted
    }

    /// Returns true for [`ErrorKind::InvalidResponse`].
    pub fn is_invalid_response(&self) -> bool {
        self.kind == ErrorKind::InvalidResponse
    }

    /// Returns true for [`ErrorKind::InvalidRequest`].
    pub fn is_invalid_request(&self) -> bool {
        self.kind == ErrorKind::InvalidRequest
    }
}

/// The accessors of the JavaScript values that an error carries on wasm32. On other targets,
/// which the `ssr` feature compiles the client for, no call reaches a server, so an error
/// carries none of them.
#[cfg(all(not(target_arch = "wasm32"), feature = "ssr"))]
impl Error {
    /// Returns None: no response arrives on this target.
    pub fn data(&self) -> Option<&wasm_bindgen::JsValue> {
        None
    }

    /// Returns `Ok(None)`: no response arrives on this target.
    ///
    /// # Errors
    ///
    /// Never on this target.
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        Ok(None)
    }

    /// Returns None: no response arrives on this target.
    pub fn body(&self) -> Option<&wasm_bindgen::JsValue> {
        None
    }

    /// Returns None: no call is aborted and no `fetch` rejects on this target.
    pub fn cause(&self) -> Option<&wasm_bindgen::JsValue> {
        None
    }
}

/// Returns `url` without its user info, as [`Error::new`] keeps it.
fn shown_url(url: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    if web_sys::Url::new(url).is_err() {
        return super::url::without_any_credentials(url);
    }
    super::url::without_credentials(url)
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("status", &self.status)
            .field("code", &self.code)
            .field("reason", &self.reason);
        #[cfg(target_arch = "wasm32")]
        debug
            .field("data", &self.data.as_ref().map(|_| Hidden))
            .field("body", &self.body.as_ref().map(|_| Hidden))
            .field("cause", &self.cause.as_ref().map(|_| Hidden));
        debug.finish()
    }
}

/// Stands for a JavaScript value in `Debug` output, without its content.
#[cfg(target_arch = "wasm32")]
struct Hidden;

#[cfg(target_arch = "wasm32")]
impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error for {} {}", self.kind, self.method, self.url)?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_method_url_and_status() {
        let error =
            Error::new(ErrorKind::Http, "GET", "http://h/x", "Bad gateway").with_status(502);
        assert_eq!(
            error.to_string(),
            "http error for GET http://h/x (status 502): Bad gateway",
            "display shows every fact"
        );
    }

    #[test]
    fn kind_names_match_javascript() {
        assert_eq!(
            ErrorKind::LoginRequired.as_str(),
            "login_required",
            "snake case"
        );
        assert_eq!(
            ErrorKind::RenewalExhausted.as_str(),
            "renewal_exhausted",
            "snake case"
        );
        assert_eq!(
            ErrorKind::InvalidResponse.as_str(),
            "invalid_response",
            "snake case"
        );
    }

    #[test]
    fn checks_match_kind() {
        let error = Error::new(ErrorKind::Timeout, "GET", "http://h/x", "Timed out");
        assert!(error.is_timeout(), "a timeout error is_timeout");
        assert!(!error.is_network(), "a timeout error is not is_network");
    }
}
