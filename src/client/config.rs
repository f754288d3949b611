//! The client's settings, shared by the JavaScript options object and the Rust builder.

use std::fmt;
use std::rc::Rc;

use super::error::Error;
#[cfg(test)]
use super::replay::BusinessCodes;
use super::replay::ReplayPolicy;
use crate::protocol::{AUTHORIZATION_HEADER, BEARER_SCHEME};

/// The default storage key of the token: `renew-fetch.token`. A client whose base URL names
/// another origin than the page's appends `@` and that origin.
pub const DEFAULT_TOKEN_KEY: &str = "renew-fetch.token";

/// The storage that keeps the token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenStorage {
    /// `window.localStorage`: shared by the tabs of one origin and kept across restarts. The
    /// clients of every tab with the same token key see each other's changes.
    #[default]
    Local,
    /// `window.sessionStorage`: one tab, until it closes. The clients of the tab with the same
    /// token key see each other's changes.
    Session,
    /// This client's memory only: gone on reload.
    Memory,
}

impl TokenStorage {
    /// Parses `"local"`, `"session"` or `"memory"`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "local" => Some(Self::Local),
            "session" => Some(Self::Session),
            "memory" => Some(Self::Memory),
            _ => None,
        }
    }
}

/// The policy for a call while a duplicate of it is pending: a call with the same method, URL,
/// query, body and response type. Headers do not count, so two calls that differ only in a
/// header are duplicates. A call with `no_token` is never a duplicate of one without it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Duplicates {
    /// Abort the pending call, which rejects with kind canceled and reason duplicate.
    #[default]
    CancelPrevious,
    /// Wait for the pending call and settle with its result. Only one request goes out.
    Share,
    /// Send every call.
    Off,
}

impl Duplicates {
    /// Parses `"cancel-previous"`, `"share"` or `"off"`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "cancel-previous" => Some(Self::CancelPrevious),
            "share" => Some(Self::Share),
            "off" => Some(Self::Off),
            _ => None,
        }
    }
}

/// The format that the client reads a response body in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseType {
    /// Parse JSON and check the envelope.
    #[default]
    Json,
    /// Return the body as a string, without an envelope check.
    Text,
    /// Return the body as a `Blob`, without an envelope check.
    Blob,
    /// Return the body as an `ArrayBuffer`, without an envelope check.
    ArrayBuffer,
}

impl ResponseType {
    /// Parses `"json"`, `"text"`, `"blob"` or `"arrayBuffer"`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "json" => Some(Self::Json),
            "text" => Some(Self::Text),
            "blob" => Some(Self::Blob),
            "arrayBuffer" => Some(Self::ArrayBuffer),
            _ => None,
        }
    }
}

/// The API that built a client. Messages name settings and methods as that API spells them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Api {
    /// `ClientBuilder` and `RequestBuilder`.
    #[default]
    Rust,
    /// The JavaScript class `HttpClient`.
    JavaScript,
}

/// A setting or method that a message names as the fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    BaseUrl,
    /// The query of one call.
    Params,
    TimeoutMs,
    AllowedOrigins,
    MaxRenewRetries,
    Success,
    Overdue,
    LoginRequired,
    CancelAll,
    SetToken,
    ClearToken,
    /// The way to read a body as it is, without the envelope check.
    RawBody,
    /// The duplicates policies that keep both of two duplicate calls.
    KeepDuplicates,
}

impl Api {
    /// Returns the name of `setting` in this API.
    pub(crate) fn name(self, setting: Setting) -> &'static str {
        let [rust, javascript] = match setting {
            Setting::BaseUrl => ["base_url", "baseUrl"],
            Setting::Params => ["RequestBuilder::query", "params"],
            Setting::TimeoutMs => ["timeout_ms", "timeoutMs"],
            Setting::AllowedOrigins => ["allowed_origins", "allowedOrigins"],
            Setting::MaxRenewRetries => ["max_renew_retries", "maxRenewRetries"],
            Setting::Success => ["BusinessCodes::success", "codes.success"],
            Setting::Overdue => ["BusinessCodes::overdue", "codes.overdue"],
            Setting::LoginRequired => ["BusinessCodes::login_required", "codes.loginRequired"],
            Setting::CancelAll => ["Client::cancel_all()", "cancelAll()"],
            Setting::SetToken => ["Client::set_token", "setToken(token)"],
            Setting::ClearToken => ["Client::clear_token()", "clearToken()"],
            Setting::RawBody => [
                "use RequestBuilder::text() or bytes()",
                "set responseType to \"text\", \"blob\" or \"arrayBuffer\"",
            ],
            Setting::KeepDuplicates => [
                "set duplicates(Duplicates::Share) on the client or on both calls to give them one \
                 response, or Duplicates::Off on the newer call to send both",
                "set duplicates to \"share\" on the client or on both calls to give them one \
                 response, or to \"off\" on the newer call to send both",
            ],
        };
        match self {
            Self::Rust => rust,
            Self::JavaScript => javascript,
        }
    }
}

/// A callback that receives an error.
pub(crate) type ErrorCallback = Rc<dyn Fn(&Error)>;

/// A callback that receives the client's token after it changed, or `None` after it was removed.
pub(crate) type TokenCallback = Rc<dyn Fn(Option<&str>)>;

/// The callbacks that a client reports through. Each one is optional.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    /// Called once when the user has to log in again, and again only after a new token is
    /// stored.
    pub on_login_required: Option<Rc<dyn Fn()>>,
    /// Called with true when the first counted call starts and false when the last one ends.
    pub on_loading_change: Option<Rc<dyn Fn(bool)>>,
    /// Called with every error that a call rejects with, except kind canceled.
    pub on_error: Option<ErrorCallback>,
    /// Called with the token after it changed, or `None` after it was removed.
    pub on_token_change: Option<TokenCallback>,
}

impl fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callbacks")
            .field("on_login_required", &self.on_login_required.is_some())
            .field("on_loading_change", &self.on_loading_change.is_some())
            .field("on_error", &self.on_error.is_some())
            .field("on_token_change", &self.on_token_change.is_some())
            .finish()
    }
}

/// Header names with their values hidden, for `Debug` output: a value may be a token or an API
/// key.
pub(crate) struct HeaderNames<'a>(pub(crate) &'a [(String, String)]);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = format_args!("<hidden>");
        f.debug_map()
            .entries(self.0.iter().map(|(name, _)| (name, &hidden)))
            .finish()
    }
}

/// The settings of one client. Its `Debug` output hides the header values.
#[derive(Clone)]
pub(crate) struct ClientConfig {
    /// The prefix of relative URLs. Default: none.
    pub base_url: Option<String>,
    /// The timeout of each call in milliseconds, 0 for none. Default: 0.
    pub timeout_ms: u32,
    /// Headers sent with every call.
    pub headers: Vec<(String, String)>,
    /// The token storage. Default: local storage.
    pub storage: TokenStorage,
    /// The storage key of the token, or None for the default: [`DEFAULT_TOKEN_KEY`], followed by
    /// `@` and the base URL's origin when that is not the page's origin.
    pub token_key: Option<String>,
    /// The request header that carries the token, and the response header that carries a renewed
    /// one. Default: `Authorization`.
    pub auth_header: String,
    /// The scheme before the token, or empty for the raw token. Default: `Bearer`.
    pub auth_scheme: String,
    /// The origins that receive the token. Default (None): the base URL's origin, or the page's.
    pub allowed_origins: Option<Vec<String>>,
    /// The business codes and the replay budget.
    pub policy: ReplayPolicy,
    /// The duplicates policy of calls that set none. Default: cancel-previous.
    pub duplicates: Duplicates,
    /// The callbacks.
    pub callbacks: Callbacks,
    /// The API that built the client, whose names its messages use. Default: the Rust API.
    pub api: Api,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("headers", &HeaderNames(&self.headers))
            .field("storage", &self.storage)
            .field("token_key", &self.token_key)
            .field("auth_header", &self.auth_header)
            .field("auth_scheme", &self.auth_scheme)
            .field("allowed_origins", &self.allowed_origins)
            .field("policy", &self.policy)
            .field("duplicates", &self.duplicates)
            .field("callbacks", &self.callbacks)
            .field("api", &self.api)
            .finish()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            timeout_ms: 0,
            headers: Vec::new(),
            storage: TokenStorage::default(),
            token_key: None,
            auth_header: AUTHORIZATION_HEADER.to_owned(),
            auth_scheme: BEARER_SCHEME.to_owned(),
            allowed_origins: None,
            policy: ReplayPolicy::default(),
            duplicates: Duplicates::default(),
            callbacks: Callbacks::default(),
            api: Api::default(),
        }
    }
}

/// The maximum timeout in milliseconds: the largest delay that `setTimeout` keeps. Chromium
/// runs a larger one at once, and Node after 1 ms.
pub const MAX_TIMEOUT_MS: u32 = 2_147_483_647;

/// The maximum number of replays of one call. A server that accepts the tokens it renews needs
/// one, so a larger budget only multiplies the requests to a server that does not.
pub const MAX_RENEW_RETRIES: u32 = 20;

impl ClientConfig {
    /// Checks the settings that a type alone does not bound: the timeout, the replay budget and
    /// business codes that would mean two things at once.
    ///
    /// # Errors
    ///
    /// Returns a message that names the setting and its value.
    pub(crate) fn check(&self) -> Result<(), String> {
        let name = |setting| self.api.name(setting);
        check_timeout(self.timeout_ms, self.api)?;
        let max_retries = self.policy.max_retries();
        if max_retries > MAX_RENEW_RETRIES {
            return Err(format!(
                "{} must be at most {MAX_RENEW_RETRIES}, got {max_retries}",
                name(Setting::MaxRenewRetries)
            ));
        }
        let codes = self.policy.codes();
        if codes.overdue == codes.success {
            return Err(format!(
                "{} and {} must differ, and both are {}",
                name(Setting::Overdue),
                name(Setting::Success),
                codes.success
            ));
        }
        for (setting, value) in [
            (Setting::Success, codes.success),
            (Setting::Overdue, codes.overdue),
        ] {
            if codes.login_required.contains(&value) {
                return Err(format!(
                    "{} must not contain {}, which is {value}",
                    name(Setting::LoginRequired),
                    name(setting)
                ));
            }
        }
        Ok(())
    }
}

/// Checks a timeout in milliseconds against [`MAX_TIMEOUT_MS`].
///
/// # Errors
///
/// Returns a message that names the setting of `api` and the value.
pub(crate) fn check_timeout(timeout_ms: u32, api: Api) -> Result<(), String> {
    if timeout_ms > MAX_TIMEOUT_MS {
        return Err(format!(
            "{} must be at most {MAX_TIMEOUT_MS} ms (about 24.8 days), got {timeout_ms} ms",
            api.name(Setting::TimeoutMs)
        ));
    }
    Ok(())
}

/// Returns true when `name` is a valid HTTP header name: one or more RFC 9110 token characters.
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// Returns true when `token` can be stored and sent: not empty, and free of whitespace and
/// control characters.
/// Returns true for a header value that `fetch` sends: Latin-1 characters, without CR, LF or
/// NUL.
pub(crate) fn is_header_value(value: &str) -> bool {
    value
        .chars()
        .all(|c| u32::from(c) <= 0xFF && !matches!(c, '\r' | '\n' | '\0'))
}

/// Returns `text` as a message quotes it: whole when it has at most 40 characters, and
/// otherwise its first 24 characters with its length in characters. So a token passed to the
/// wrong setting does not reach a message whole.
pub(crate) fn cut_for_message(text: &str) -> (&str, Option<usize>) {
    match text.char_indices().nth(24) {
        // Indexing would link its panic message, which formats with Debug and so brings Unicode
        // tables into the wasm. `get` cuts at the same character boundary without it.
        Some((end, _)) if text.chars().nth(40).is_some() => {
            (text.get(..end).unwrap_or(text), Some(text.chars().count()))
        }
        _ => (text, None),
    }
}

/// Returns a name for a message without quotes, cut as [`cut_for_message`] does, such as a
/// header name that a setting chose.
pub(crate) fn shortened(text: &str) -> String {
    match cut_for_message(text) {
        (head, None) => head.to_owned(),
        (head, Some(count)) => format!("{head}... ({count} characters)"),
    }
}

/// Quotes a string for a message, cut as [`cut_for_message`] does.
pub(crate) fn quoted(text: &str) -> String {
    match cut_for_message(text) {
        (head, None) => format!("\"{head}\""),
        (head, Some(count)) => format!("\"{head}\"... ({count} characters)"),
    }
}

/// Checks a header's name and value.
///
/// # Errors
///
/// Returns a message that names the header, for an invalid name or a value that `fetch`
/// rejects.
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), String> {
    if !is_header_name(name) {
        return Err(format!("{} is not a valid header name", quoted(name)));
    }
    if !is_header_value(value) {
        return Err(format!(
            "the value of header {} must not contain line breaks, NUL or characters \
             above U+00FF, which fetch rejects",
            quoted(name)
        ));
    }
    Ok(())
}

pub(crate) fn is_clean_token(token: &str) -> bool {
    crate::protocol::is_visible_ascii(token)
}

/// Returns the token in a value read from storage, or None when it contains none. A hand-written
/// wrapper may have stored the token as `Bearer <token>` or as a JSON string, such as `"eyJ…"`,
/// and both give the token inside, so that its users stay logged in.
pub(crate) fn stored_token(value: &str) -> Option<String> {
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value);
    let value = match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => value.get(7..)?.trim_start(),
        _ => value,
    };
    // A wrapper that stored a missing token as text left "null" or "undefined".
    let placeholder =
        value.eq_ignore_ascii_case("bearer") || crate::protocol::is_missing_value_text(value);
    (is_clean_token(value) && !placeholder).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_keeps_40_characters_whole() {
        let text = "é".repeat(40);
        assert_eq!(quoted(&text), format!("\"{text}\""), "40 characters");
    }

    #[test]
    fn quoted_cuts_41_characters() {
        let text = "é".repeat(41);
        let head = "é".repeat(24);
        assert_eq!(
            quoted(&text),
            format!("\"{head}\"... (41 characters)"),
            "41 characters"
        );
    }

    #[test]
    fn parse_names_match_javascript() {
        assert_eq!(
            TokenStorage::parse("session"),
            Some(TokenStorage::Session),
            "session"
        );
        assert_eq!(
            Duplicates::parse("cancel-previous"),
            Some(Duplicates::CancelPrevious),
            "cp"
        );
        assert_eq!(
            ResponseType::parse("arrayBuffer"),
            Some(ResponseType::ArrayBuffer),
            "ab"
        );
        assert_eq!(
            ResponseType::parse("arraybuffer"),
            None,
            "names are case sensitive"
        );
    }

    #[test]
    fn check_accepts_default_config() {
        assert_eq!(ClientConfig::default().check(), Ok(()), "the defaults");
    }

    #[test]
    fn check_rejects_long_timeout() {
        let config = ClientConfig {
            timeout_ms: MAX_TIMEOUT_MS + 1,
            ..ClientConfig::default()
        };
        assert_eq!(
            config.check(),
            Err(
                "timeout_ms must be at most 2147483647 ms (about 24.8 days), got 2147483648 ms"
                    .to_owned()
            ),
            "one past the maximum, named as the Rust builder method"
        );
        let config = ClientConfig {
            api: Api::JavaScript,
            ..config
        };
        assert_eq!(
            config.check(),
            Err(
                "timeoutMs must be at most 2147483647 ms (about 24.8 days), got 2147483648 ms"
                    .to_owned()
            ),
            "one past the maximum, named as the JavaScript option"
        );
        let config = ClientConfig {
            timeout_ms: MAX_TIMEOUT_MS,
            ..ClientConfig::default()
        };
        assert_eq!(config.check(), Ok(()), "the maximum itself");
    }

    #[test]
    fn check_rejects_large_replay_budget() {
        let config = ClientConfig {
            policy: ReplayPolicy::new(BusinessCodes::default(), MAX_RENEW_RETRIES + 1),
            ..ClientConfig::default()
        };
        assert_eq!(
            config.check(),
            Err("max_renew_retries must be at most 20, got 21".to_owned()),
            "one past the maximum, named as the Rust builder method"
        );
        let config = ClientConfig {
            api: Api::JavaScript,
            ..config
        };
        assert_eq!(
            config.check(),
            Err("maxRenewRetries must be at most 20, got 21".to_owned()),
            "one past the maximum, named as the JavaScript option"
        );
    }

    #[test]
    fn check_rejects_codes_that_overlap() {
        let cases = [
            (
                BusinessCodes {
                    overdue: 200,
                    ..BusinessCodes::default()
                },
                "BusinessCodes::overdue and BusinessCodes::success must differ, and both are 200",
                "codes.overdue and codes.success must differ, and both are 200",
                "overdue equal to success",
            ),
            (
                BusinessCodes {
                    login_required: vec![1006, 200],
                    ..BusinessCodes::default()
                },
                "BusinessCodes::login_required must not contain BusinessCodes::success, which is \
                 200",
                "codes.loginRequired must not contain codes.success, which is 200",
                "the success code in the login-required codes",
            ),
            (
                BusinessCodes {
                    login_required: vec![401],
                    ..BusinessCodes::default()
                },
                "BusinessCodes::login_required must not contain BusinessCodes::overdue, which is \
                 401",
                "codes.loginRequired must not contain codes.overdue, which is 401",
                "the overdue code in the login-required codes",
            ),
        ];
        for (codes, rust_message, javascript_message, what) in cases {
            let config = ClientConfig {
                policy: ReplayPolicy::new(codes, 5),
                ..ClientConfig::default()
            };
            assert_eq!(
                config.check(),
                Err(rust_message.to_owned()),
                "{what}, named as in the Rust API"
            );
            let config = ClientConfig {
                api: Api::JavaScript,
                ..config
            };
            assert_eq!(
                config.check(),
                Err(javascript_message.to_owned()),
                "{what}, named as in the JavaScript API"
            );
        }
    }

    #[test]
    fn setting_names_differ_by_api() {
        let settings = [
            Setting::BaseUrl,
            Setting::Params,
            Setting::TimeoutMs,
            Setting::AllowedOrigins,
            Setting::MaxRenewRetries,
            Setting::Success,
            Setting::Overdue,
            Setting::LoginRequired,
            Setting::CancelAll,
            Setting::SetToken,
            Setting::RawBody,
        ];
        assert_eq!(
            Api::Rust.name(Setting::RawBody),
            "use RequestBuilder::text() or bytes()",
            "the Rust way to read a raw body"
        );
        assert_eq!(
            Api::JavaScript.name(Setting::BaseUrl),
            "baseUrl",
            "the JavaScript option of the base URL"
        );
        for setting in settings {
            assert_ne!(
                Api::Rust.name(setting),
                Api::JavaScript.name(setting),
                "{setting:?} has a name of its own in each API"
            );
        }
    }

    #[test]
    fn header_name_rejects_space_and_colon() {
        assert!(is_header_name("X-Request-Id"), "ordinary name");
        assert!(!is_header_name("X Request"), "space");
        assert!(!is_header_name("X:1"), "colon");
        assert!(!is_header_name(""), "empty");
    }

    #[test]
    fn header_value_rejects_what_fetch_rejects() {
        assert!(is_header_value("caf\u{e9} 1"), "Latin-1 and a space");
        assert!(!is_header_value("a\r\nb"), "CR/LF");
        assert!(!is_header_value("a\u{0}b"), "NUL");
        assert!(!is_header_value("5 \u{20ac}"), "above U+00FF");
    }

    #[test]
    fn clean_token_rejects_whitespace() {
        assert!(is_clean_token("a.b.c"), "JWT");
        assert!(!is_clean_token("a b"), "space");
        assert!(!is_clean_token("a\r\nb"), "CR/LF");
        assert!(!is_clean_token(""), "empty");
        assert!(
            !is_clean_token("\u{442}\u{43e}\u{43a}\u{435}\u{43d}"),
            "Cyrillic"
        );
    }

    #[test]
    fn stored_token_reads_legacy_forms() {
        assert_eq!(
            stored_token("a.b.c").as_deref(),
            Some("a.b.c"),
            "a plain token"
        );
        assert_eq!(
            stored_token("Bearer a.b.c").as_deref(),
            Some("a.b.c"),
            "a token stored with its scheme"
        );
        assert_eq!(
            stored_token("\"a.b.c\"").as_deref(),
            Some("a.b.c"),
            "a token stored as a JSON string"
        );
        assert_eq!(
            stored_token("\"bearer a.b.c\"").as_deref(),
            Some("a.b.c"),
            "both, in any case"
        );
        assert_eq!(stored_token("Bearer "), None, "a scheme alone");
        assert_eq!(stored_token("null"), None, "a missing token stored as text");
        assert_eq!(stored_token("undefined"), None, "the other missing token");
        assert_eq!(stored_token("a b"), None, "a space inside");
        assert_eq!(stored_token("\"\""), None, "an empty JSON string");
    }
}
