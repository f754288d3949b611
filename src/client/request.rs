//! Request building: the absolute URL with its query, the headers, the body and the duplicate
//! key.

use std::fmt;

use js_sys::{ArrayBuffer, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, Blob, FormData, ReadableStream, Url, UrlSearchParams};

use super::config::{
    check_timeout, cut_for_message, is_header_name, quoted, Api, ClientConfig, Duplicates,
    HeaderNames, ResponseType, Setting, DEFAULT_TOKEN_KEY,
};
use super::error::{Error, ErrorKind};
use super::key::{duplicate_key, stringify_query, BodyKey};
use super::url::{
    append_query, clean_url, href_without_parser, is_absolute, join_url, starts_with_origin,
    without_any_credentials, without_credentials,
};
use super::values::{js_string, to_key_value, type_name};

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// Returns the JSON text with the keys of every object sorted.
    #[wasm_bindgen(js_name = sortedJson)]
    fn sorted_json(json: &JsString) -> String;

    /// Returns the message for positional params that hold a request option, such as
    /// `{ headers }`, or `None`.
    #[wasm_bindgen(js_name = optionsInParams, catch)]
    fn options_in_params(
        params: &JsValue,
        method: &str,
        positional: bool,
    ) -> Result<Option<String>, JsValue>;

    /// Returns the origin that the page's or worker's requests come from, or `None` in Node.
    #[wasm_bindgen(js_name = pageOrigin)]
    fn page_origin() -> Option<String>;

    /// Returns the message for a body made of request options, such as ky's
    /// `{ json, headers }`, or `None`.
    #[wasm_bindgen(js_name = optionsInBody, catch)]
    fn options_in_body(
        body: &JsValue,
        method: &str,
        auth_header: &str,
    ) -> Result<Option<String>, JsValue>;
}

/// One call as the caller asked for it. Its `Debug` output hides the header values and the
/// params and body, which may carry a token, a password or other personal data.
pub(crate) struct CallInput {
    /// The HTTP method, in any case.
    pub method: String,
    /// The URL, relative to the base URL or absolute.
    pub url: String,
    /// The query parameters, or undefined.
    pub params: JsValue,
    /// The body, or undefined.
    pub body: JsValue,
    /// The per-call options.
    pub options: CallOptions,
}

impl fmt::Debug for CallInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallInput")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("params", &Presence(&self.params))
            .field("body", &Presence(&self.body))
            .field("options", &self.options)
            .finish()
    }
}

/// A params or body value in `Debug` output: only whether the caller gave one.
struct Presence<'a>(&'a JsValue);

impl fmt::Debug for Presence<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_undefined() {
            "<none>"
        } else {
            "<hidden>"
        })
    }
}

/// The per-call options. `None` falls back to the client's setting. Their `Debug` output hides
/// the header values and the params.
#[derive(Default)]
pub(crate) struct CallOptions {
    pub headers: Vec<(String, String)>,
    /// The `params` option, used when the call has no params argument.
    pub params: Option<JsValue>,
    pub timeout_ms: Option<u32>,
    pub signal: Option<AbortSignal>,
    pub no_loading: bool,
    pub duplicates: Option<Duplicates>,
    pub response_type: ResponseType,
    /// Whether the call resolves to the status, the headers and the result, in place of the
    /// result alone.
    pub full_response: bool,
    /// Whether the call's error stays away from the `on_error` callback.
    pub no_error_callback: bool,
    /// Whether the call goes without the stored token, as to an origin that gets none.
    pub no_token: bool,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("headers", &HeaderNames(&self.headers))
            .field("params", &self.params.as_ref().map(Presence))
            .field("timeout_ms", &self.timeout_ms)
            .field("signal", &self.signal.is_some())
            .field("no_loading", &self.no_loading)
            .field("duplicates", &self.duplicates)
            .field("response_type", &self.response_type)
            .field("full_response", &self.full_response)
            .field("no_error_callback", &self.no_error_callback)
            .field("no_token", &self.no_token)
            .finish()
    }
}

/// The base URL, page URL and allowed origins of a client, resolved once when it is created.
pub(crate) struct Target {
    /// The base URL, absolute when it could be resolved.
    pub base_url: Option<String>,
    /// The URL that relative URLs resolve against: the document's base URL when it has the
    /// page's origin. None in Node.
    pub page_url: Option<String>,
    /// The origin that the page's requests come from. None in Node.
    pub page_origin: Option<String>,
    /// The origins that receive the token, in their serialized form such as
    /// `http://127.0.0.1:8080`.
    pub allowed_origins: Vec<String>,
    /// The message of every call when the base URL is relative and there is no page to resolve
    /// it against, as in Node or while a framework renders on the server. The client is created,
    /// so that a module that creates it can load there, and its calls reject.
    pub unresolved_base: Option<String>,
}

impl Target {
    /// Returns the storage key of a client that sets none: [`DEFAULT_TOKEN_KEY`], followed by `@`
    /// and the origin of the API when that is not the page's. A base URL on another origin than
    /// the page's names the API. Otherwise, a client whose allowed origins leave out the page's
    /// origin serves another API, and the first of those origins in sorted order names it.
    /// Clients of one API share a token, and a client for another API does not pick up the
    /// page's token and send it there, whether it names that API in its base URL or in its
    /// allowed origins.
    pub(crate) fn default_token_key(&self) -> String {
        let is_page = |origin: &String| self.page_origin.as_ref() == Some(origin);
        let base = self
            .base_url
            .as_deref()
            .filter(|url| !url.is_empty())
            .and_then(|url| Url::new(url).ok())
            .map(|url| url.origin());
        let api = match base {
            Some(base) if !is_page(&base) => Some(base),
            _ if self.allowed_origins.iter().any(is_page) => None,
            _ => self.allowed_origins.iter().min().cloned(),
        };
        match api {
            Some(origin) => format!("{DEFAULT_TOKEN_KEY}@{origin}"),
            None => DEFAULT_TOKEN_KEY.to_owned(),
        }
    }

    /// Resolves the base URL and the allowed origins of `config`.
    ///
    /// # Errors
    ///
    /// Returns a message when the base URL is invalid, and when an allowed origin is not an
    /// absolute URL.
    pub(crate) fn resolve(config: &ClientConfig) -> Result<Self, String> {
        let page_origin = page_origin();
        let page_url = page_url(page_origin.as_deref());
        let base_name = config.api.name(Setting::BaseUrl);
        let mut unresolved_base = None;
        // A browser resolves "http:" or "http:api" against a page of the same scheme, as a path
        // on the page's origin, so a base URL that lost its host would go there.
        if let Some(base) = config.base_url.as_deref() {
            if let Some(scheme) = hostless_scheme(base) {
                let base = without_any_credentials(base);
                return Err(format!(
                    "{base_name} \"{base}\" has the scheme {scheme}: but no host; write \
                     {scheme}:// and the host, such as {scheme}://127.0.0.1:8080/api, or use a \
                     path such as /api"
                ));
            }
        }
        let base_url = match config.base_url.as_deref() {
            None => None,
            // An empty base URL leaves request URLs as they are.
            Some("") => Some(String::new()),
            Some(base) => match (resolve(base, page_url.as_deref()), page_url.as_deref()) {
                (Some(url), _) => Some(base_href(&without_credentials(base), &url, config.api)?),
                (None, None) if !is_absolute(base) => {
                    let base = without_any_credentials(base);
                    unresolved_base = Some(format!(
                        "{base_name} \"{base}\" is relative, and there is no page to resolve it \
                         against, as in Node or in server rendering; in server rendering, send \
                         the calls from the browser, such as from an effect, and in Node use an \
                         absolute URL such as http://127.0.0.1:8080/api"
                    ));
                    None
                }
                // The page's URL has a scheme such as data: or blob:, which relative URLs cannot
                // be resolved against. Against an http: or https: page, the base itself is
                // invalid, such as `//` without a host.
                (None, Some(page)) if takes_page_scheme(base) && !is_http(page) => {
                    let base = without_any_credentials(base);
                    let scheme = page.split(':').next().unwrap_or_default();
                    let example = example_url(page_origin.as_deref());
                    return Err(format!(
                        "{base_name} \"{base}\" is relative, and the URL of the page or worker \
                         has the scheme {scheme}:, which it cannot be resolved against; use an \
                         absolute URL such as {example}"
                    ));
                }
                _ => {
                    let base = without_any_credentials(base);
                    return Err(format!(
                        "{base_name} \"{base}\" is not a valid URL; use a path such as /api or \
                         an absolute URL such as http://127.0.0.1:8080/api"
                    ));
                }
            },
        };
        let allowed_origins = match &config.allowed_origins {
            Some(origins) => origins
                .iter()
                .map(|origin| allowed_origin(origin, config.api))
                .collect::<Result<Vec<_>, _>>()?,
            None => match base_url.as_deref() {
                Some(url) => Url::new(url).ok().map(|url| url.origin()),
                None => page_origin.clone(),
            }
            .into_iter()
            .collect(),
        };
        Ok(Self {
            base_url,
            page_url,
            page_origin,
            allowed_origins,
            unresolved_base,
        })
    }
}

/// A call ready to send: everything that stays the same across its replays.
pub(crate) struct Prepared {
    /// The method, in uppercase.
    pub method: String,
    /// The absolute URL, with the params in its query.
    pub url: String,
    /// True when the URL's origin is allowed to receive the token.
    pub token_allowed: bool,
    /// The client's headers merged with the call's.
    pub headers: Vec<(String, String)>,
    /// The body as `fetch` takes it.
    pub body: Option<JsValue>,
    /// The duplicate key, or None for a body that is never deduplicated.
    pub key: Option<String>,
    /// How to read the response.
    pub response_type: ResponseType,
}

impl Prepared {
    /// Creates an error of `kind` about this request.
    pub(crate) fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(kind, self.method.as_str(), self.url.as_str(), message)
    }
}

/// Builds the parts of a call that stay the same across its replays.
///
/// # Errors
///
/// Returns an [`ErrorKind::InvalidRequest`] error when the method, the URL, the params, the
/// headers or the body are unusable.
pub(crate) fn prepare(
    target: &Target,
    config: &ClientConfig,
    client_headers: &[(String, String)],
    input: &CallInput,
) -> Result<Prepared, Error> {
    let method = input.method.to_ascii_uppercase();
    let invalid =
        |url: &str, message: String| Error::new(ErrorKind::InvalidRequest, &method, url, message);
    if !is_header_name(&method) {
        // The error's method is cut as its message quotes it, because the invalid text may be a
        // token passed in the wrong place.
        let (shown, _) = cut_for_message(&method);
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            shown,
            &input.url,
            format!("the method {} is not a valid HTTP method", quoted(&method)),
        ));
    }
    if let Some(message) = &target.unresolved_base {
        return Err(invalid(&input.url, message.clone()));
    }

    let cleaned = clean_url(&input.url);
    // A browser resolves "http:items" against a page of the same scheme, as a path on the
    // page's origin, while the client takes it as absolute and leaves out the base URL.
    if let Some(scheme) = hostless_scheme(&cleaned) {
        let redacted = without_any_credentials(&cleaned);
        let message = format!(
            "The URL \"{redacted}\" has the scheme {scheme}: but no host; pass a path such as \
             /items, or write {scheme}:// and the host, such as {scheme}://127.0.0.1:8080/api/items"
        );
        return Err(invalid(&redacted, message));
    }
    let mut url = join_url(target.base_url.as_deref(), &cleaned);
    let positional =
        Some(&input.params).filter(|params| !params.is_undefined() && !params.is_null());
    if positional.is_some() && input.options.params.is_some() {
        return Err(invalid(
            &url,
            "The params were given twice, as an argument and as options.params; pass them once"
                .to_owned(),
        ));
    }
    let params = positional.or(input.options.params.as_ref());
    // A getter that throws is reported by query_string below.
    let mistake = params.and_then(|params| {
        options_in_params(params, &method, positional.is_some())
            .ok()
            .flatten()
    });
    if let Some(message) = mistake {
        return Err(invalid(&url, message));
    }
    if let Some(params) = params {
        let query = query_string(params).map_err(|message| invalid(&url, message))?;
        url = append_query(&url, &query);
    }
    if let Some(timeout_ms) = input.options.timeout_ms {
        check_timeout(timeout_ms, config.api).map_err(|message| invalid(&url, message))?;
    }
    let Some(Resolved {
        href,
        scheme,
        origin,
    }) = resolve_url(&url, target)
    else {
        let redacted = without_any_credentials(&url);
        let base_name = config.api.name(Setting::BaseUrl);
        let message = match target.page_url.as_deref() {
            // The URL of the page or worker has a scheme such as data: or blob:.
            Some(page) if takes_page_scheme(&url) && !is_http(page) => format!(
                "The URL \"{redacted}\" is relative, and the URL of the page or worker has the \
                 scheme {}:, which it cannot be resolved against; set {base_name} to an absolute \
                 URL or pass an absolute URL such as {}",
                page.split(':').next().unwrap_or_default(),
                example_url(target.page_origin.as_deref()),
            ),
            Some(_) => format!(
                "The URL \"{redacted}\" is not valid; pass a path such as /items or an absolute \
                 URL such as http://127.0.0.1:8080/api/items"
            ),
            None => format!(
                "The URL \"{redacted}\" is not valid, or is relative with no page to resolve it \
                 against; set {base_name} or pass an absolute URL such as \
                 http://127.0.0.1:8080/api"
            ),
        };
        return Err(invalid(&redacted, message));
    };
    let relative = takes_page_scheme(&url);
    let as_given = url;
    // fetch never sends the fragment, so calls that differ in it alone are one request.
    let url = match href.split_once('#') {
        Some((url, _)) => url.to_owned(),
        None => href,
    };
    if !matches!(scheme.as_str(), "http:" | "https:" | "data:" | "blob:") {
        let redacted = without_credentials(&url);
        let message = if relative {
            // The scheme came from the URL of the page or worker, such as file:.
            format!(
                "The URL \"{}\" is relative, and the URL of the page or worker has the scheme \
                 {scheme}, which fetch does not send; pass an absolute http: or https: URL",
                without_credentials(&as_given)
            )
        } else {
            format!(
                "The URL \"{redacted}\" has the scheme {scheme}, which fetch does not send; use \
                 an http: or https: URL"
            )
        };
        return Err(invalid(&url, message));
    }
    // fetch rejects such a URL, and its message would repeat the password. A blob: URL wraps
    // the origin of the page that made it, which has no user name or password, so one with
    // them names no blob.
    if (scheme.starts_with("http") || scheme == "blob:") && without_credentials(&url) != url {
        return Err(invalid(
            &url,
            "The URL contains a user name or password, which fetch rejects; remove them from \
             the URL and send credentials in a header"
                .to_owned(),
        ));
    }
    let token_allowed = !input.options.no_token && target.allowed_origins.contains(&origin);

    let mut headers = merge_headers(client_headers, &input.options.headers);
    let (body, body_key, content_type) =
        read_body(&input.body, &method, config).map_err(|message| invalid(&url, message))?;
    if body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        return Err(invalid(
            &url,
            format!(
                "A {method} request cannot have a body; send the data as params, or set the \
                 method to one that takes a body, such as POST"
            ),
        ));
    }
    drop_content_type(&mut headers, content_type, &input.options.headers);
    let is_json = matches!(body_key, Some(BodyKey::Json(_)));
    if is_json {
        if let Some(message) = form_type_for_json(&headers) {
            return Err(invalid(&url, message));
        }
    }
    if is_json && !has_header(&headers, "content-type") {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    let response_type = input.options.response_type;
    let key = body_key.map(|body_key| {
        let key = duplicate_key(&method, &url, &body_key);
        // Calls that read the body in different forms resolve to different values, so they are
        // never duplicates of each other.
        let key = match response_type {
            ResponseType::Json => key,
            ResponseType::Text => ["text\n", &key].concat(),
            ResponseType::Blob => ["blob\n", &key].concat(),
            ResponseType::ArrayBuffer => ["arrayBuffer\n", &key].concat(),
        };
        // Nor are calls with and without the token, because the server may reply to them
        // differently.
        if token_allowed {
            key
        } else {
            ["anonymous\n", &key].concat()
        }
    });

    Ok(Prepared {
        method,
        url,
        token_allowed,
        headers,
        body,
        key,
        response_type,
    })
}

impl Prepared {
    /// Returns the headers of one attempt as a flat list of names and values: the merged
    /// headers, and the token in the auth header unless the caller set that header.
    pub(crate) fn attempt_headers(
        &self,
        config: &ClientConfig,
        token: Option<&str>,
    ) -> Vec<String> {
        let mut headers = Vec::with_capacity(self.headers.len() * 2 + 2);
        for (name, value) in &self.headers {
            headers.push(name.clone());
            headers.push(value.clone());
        }
        if let Some(token) = token {
            if !has_header(&self.headers, &config.auth_header) {
                let mut value = String::with_capacity(config.auth_scheme.len() + token.len() + 1);
                if !config.auth_scheme.is_empty() {
                    value.push_str(&config.auth_scheme);
                    value.push(' ');
                }
                value.push_str(token);
                headers.push(config.auth_header.clone());
                headers.push(value);
            }
        }
        headers
    }
}

/// Returns the URL that relative URLs resolve against, or None in Node. In a window it is the
/// base URL of the document, which fetch uses too. A `<base>` element sets it, and an about:blank
/// or about:srcdoc frame, or a popup opened with `window.open("")`, inherits it from the page that
/// created it. A base URL on another origin is not used, so that a relative base URL of the client
/// cannot send the page's token there. The page's location serves in its place, or the root of
/// its origin when the location is an about: URL. So does a base URL that fetch cannot resolve
/// against, such as a blob: URL or one with a password. A worker uses its location.
/// A document whose location has no origin, such as a sandboxed srcdoc frame, has no page
/// origin, and uses its location, which resolves no relative URL.
fn page_url(page_origin: Option<&str>) -> Option<String> {
    let read = |object: &JsValue, name: &str| {
        js_sys::Reflect::get(object, &JsValue::from_str(name))
            .ok()
            .filter(|value| !value.is_undefined() && !value.is_null())
    };
    let global = js_sys::global();
    let href = read(&global, "location")
        .and_then(|location| read(&location, "href"))
        .and_then(|href| href.as_string())?;
    let Some(page_origin) = page_origin else {
        return Some(href);
    };
    let about = href.starts_with("about:");
    read(&global, "document")
        .and_then(|document| read(&document, "baseURI"))
        .and_then(|base| base.as_string())
        .filter(|base| Url::new(base).is_ok_and(|url| usable_base(&url, page_origin)))
        .or_else(|| (!about).then_some(href))
        .or_else(|| Some(format!("{page_origin}/")))
}

/// Returns true when `url` takes its scheme from the URL that it is resolved against: a path,
/// or a URL that starts with `//`.
fn takes_page_scheme(url: &str) -> bool {
    !is_absolute(url) || url.starts_with("//")
}

/// Returns true when `page_url` is an http: or https: URL. Every valid relative URL resolves
/// against such a page URL.
fn is_http(page_url: &str) -> bool {
    page_url.starts_with("http:") || page_url.starts_with("https:")
}

/// Returns the scheme, `http` or `https` in lower case, of a `url` that starts with it but not
/// with `//` or `\\` after it, so that it has no host of its own. Returns None otherwise.
fn hostless_scheme(url: &str) -> Option<String> {
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let (scheme, rest) = url.split_once(':')?;
    let special = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    // The URL parser drops tabs and newlines, and reads a backslash as a slash in these schemes.
    let mut rest = rest.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let mut slash = || rest.next().is_some_and(|c| matches!(c, '/' | '\\'));
    (special && !(slash() && slash())).then(|| scheme.to_ascii_lowercase())
}

/// Returns true when a document's base URL can resolve the client's relative URLs: it has the
/// page's origin and the scheme http: or https:, and no user name or password, which fetch
/// rejects.
fn usable_base(base: &Url, page_origin: &str) -> bool {
    let href = base.href();
    base.origin() == page_origin
        && matches!(base.protocol().as_str(), "http:" | "https:")
        && without_credentials(&href) == href
}

/// Returns an absolute API URL for a message: one on `page_origin`, such as the origin of a
/// blob: worker, whose relative URLs fetch cannot resolve, or else the demo server's default.
fn example_url(page_origin: Option<&str>) -> String {
    match page_origin {
        Some(origin) => format!("{origin}/api"),
        None => "http://127.0.0.1:8080/api".to_owned(),
    }
}

/// Returns the href of the resolved base URL `url`, or a message when its scheme is not http:
/// or https:, when it has a user name or password, which fetch rejects, or when it has a query
/// or a fragment, after which a joined path would not be a path.
fn base_href(base: &str, url: &Url, api: Api) -> Result<String, String> {
    let base_name = api.name(Setting::BaseUrl);
    let scheme = url.protocol();
    if scheme != "http:" && scheme != "https:" {
        // A relative base takes the scheme of the page's URL, such as file:.
        return Err(if !takes_page_scheme(base) {
            format!(
                "{base_name} \"{base}\" has the scheme {scheme}; use a path such as /api or an \
                 http: or https: URL such as http://127.0.0.1:8080/api"
            )
        } else {
            format!(
                "{base_name} \"{base}\" is relative, and the URL of the page or worker has the \
                 scheme {scheme}, which fetch does not send; use an absolute URL such as \
                 http://127.0.0.1:8080/api"
            )
        });
    }
    let href = url.href();
    if without_credentials(&href) != href {
        return Err(format!(
            "{base_name} \"{base}\" contains a user name or password, which fetch rejects; \
             remove them from the URL and send credentials in a header"
        ));
    }
    if href.contains(['?', '#']) {
        return Err(format!(
            "{base_name} \"{base}\" has a query or a fragment, which the request path would be \
             appended to; move the query to {} and remove the fragment",
            api.name(Setting::Params)
        ));
    }
    Ok(href)
}

/// Returns the origin that an entry of the allowed origins names, or a message when the entry is
/// not an absolute URL or has more than a scheme, host and port.
fn allowed_origin(entry: &str, api: Api) -> Result<String, String> {
    let origins_name = api.name(Setting::AllowedOrigins);
    let url = Url::new(entry).map_err(|_| {
        let redacted = without_any_credentials(entry);
        format!(
            "{origins_name} holds {}, which is not an absolute URL; write it like \
             \"http://127.0.0.1:8080\"",
            quoted(&redacted)
        )
    })?;
    let origin = url.origin();
    let href = url.href();
    // The message leaves the user name and password out, so it names them as the cause.
    if without_credentials(&href) != href {
        let redacted = without_credentials(entry);
        return Err(format!(
            "{origins_name} contains \"{redacted}\" with a user name or password, which an \
             origin does not have; write only the scheme, host and port, like \
             \"http://127.0.0.1:8080\""
        ));
    }
    if href != format!("{origin}/") {
        let redacted = without_credentials(entry);
        return Err(format!(
            "{origins_name} holds \"{redacted}\", which is not an origin; write only the scheme, \
             host and port, like \"http://127.0.0.1:8080\""
        ));
    }
    Ok(origin)
}

/// A request URL as the URL parser writes it, with its scheme and origin.
struct Resolved {
    href: String,
    /// The scheme with its colon, such as `https:`.
    scheme: String,
    origin: String,
}

/// Resolves a request URL against the page's URL. It skips the URL parser for a path or an
/// absolute URL whose text the parser would keep unchanged (see [`href_without_parser`]), which
/// covers most calls.
fn resolve_url(url: &str, target: &Target) -> Option<Resolved> {
    // A path such as `/items` resolves to the origin of the page's URL. A page's URL on another
    // scheme, such as the blob: URL of a worker, resolves no path.
    let page = target.page_origin.as_deref().filter(|origin| {
        target
            .page_url
            .as_deref()
            .is_some_and(|url| starts_with_origin(url, origin))
    });
    if let Some((href, origin)) = href_without_parser(url, page, &target.allowed_origins) {
        let scheme = if origin.starts_with("https:") {
            "https:"
        } else {
            "http:"
        };
        return Some(Resolved {
            href,
            scheme: scheme.to_owned(),
            origin: origin.to_owned(),
        });
    }
    let parsed = resolve(url, target.page_url.as_deref())?;
    Some(Resolved {
        href: parsed.href(),
        scheme: parsed.protocol(),
        origin: parsed.origin(),
    })
}

/// Parses `url`, relative to `page_url` when there is one.
fn resolve(url: &str, page_url: Option<&str>) -> Option<Url> {
    match page_url {
        Some(page) => Url::new_with_base(url, page).ok(),
        None => Url::new(url).ok(),
    }
}

/// Returns the client's headers with the call's over them, matching names without regard to
/// case.
fn merge_headers(client: &[(String, String)], call: &[(String, String)]) -> Vec<(String, String)> {
    let mut merged: Vec<(String, String)> = client
        .iter()
        .filter(|(name, _)| !has_header(call, name))
        .cloned()
        .collect();
    merged.extend(call.iter().cloned());
    merged
}

/// The `Content-Type` headers that a request keeps, by the kind of its body.
#[derive(Clone, Copy)]
enum ContentType {
    /// A string, JSON or binary body keeps the client's or the call's type.
    Any,
    /// No body, a `URLSearchParams` or a `Blob` keeps only the call's own type.
    CallOnly,
    /// A `FormData` body keeps none.
    Never,
}

/// Removes a `Content-Type` that fetch has to set itself or that the request cannot use.
///
/// - A `FormData` body goes without any `Content-Type` from the client's or the call's headers,
///   because the browser generates the boundary that `multipart/form-data` needs.
/// - A `URLSearchParams` or `Blob` body, or no body, goes without the client's `Content-Type`,
///   so a client-wide `application/json` does not label a form, a file or a GET. fetch then sets
///   the type of the body itself. A `Content-Type` in the call's own headers is kept.
fn drop_content_type(
    headers: &mut Vec<(String, String)>,
    content_type: ContentType,
    call: &[(String, String)],
) {
    let keep = match content_type {
        ContentType::Any => true,
        ContentType::CallOnly => has_header(call, "content-type"),
        ContentType::Never => false,
    };
    if !keep {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    }
}

/// Returns the message for a JSON body under a form `Content-Type`, which no server parses as
/// the form that the header names.
fn form_type_for_json(headers: &[(String, String)]) -> Option<String> {
    let (_, value) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))?;
    let essence = value.split(';').next().unwrap_or("").trim_ascii();
    let fix = if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        "pass a URLSearchParams"
    } else if essence.eq_ignore_ascii_case("multipart/form-data") {
        "pass a FormData"
    } else {
        return None;
    };
    Some(format!(
        "The body is an object, which is sent as JSON, but the headers set Content-Type {}; \
         {fix} for a form, or remove the Content-Type to send JSON",
        quoted(value)
    ))
}

pub(crate) fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers
        .iter()
        .any(|(header, _)| header.eq_ignore_ascii_case(name))
}

/// Serializes the params: an object or an array as `qs` does, or a `URLSearchParams` as it is.
///
/// # Errors
///
/// Returns a message for a string, number or boolean, which `qs` would drop, and for params
/// that cannot be serialized.
pub(crate) fn query_string(params: &JsValue) -> Result<String, String> {
    if let Some(search) = params.dyn_ref::<UrlSearchParams>() {
        return Ok(search.to_string().into());
    }
    if !params.is_object() {
        return Err(format!(
            "The params must be an object or a URLSearchParams, got {}; a query string \
             goes in the URL itself",
            type_name(params)
        ));
    }
    let tree = to_key_value(params)
        .map_err(|message| format!("The params cannot be serialized: {message}"))?;
    Ok(stringify_query(&tree))
}

/// Turns the caller's body into what `fetch` takes, its duplicate-key part and the
/// `Content-Type` headers that it keeps. A JavaScript caller's body made of request options,
/// such as ky's, is rejected.
///
/// The key part is None for FormData, Blob, ArrayBuffer, typed arrays, URLSearchParams and
/// streams, which are never deduplicated.
fn read_body(
    body: &JsValue,
    method: &str,
    config: &ClientConfig,
) -> Result<(Option<JsValue>, Option<BodyKey>, ContentType), String> {
    if body.is_undefined() || body.is_null() {
        return Ok((None, Some(BodyKey::Empty), ContentType::CallOnly));
    }
    if let Some(text) = body.as_string() {
        return Ok((
            Some(body.clone()),
            Some(BodyKey::Text(text)),
            ContentType::Any,
        ));
    }
    // fetch sends a stream only with `duplex: "half"`, and a replay could not read it again.
    if body.is_instance_of::<ReadableStream>() {
        return Err(
            "A ReadableStream body cannot be sent, because a replay after renewal would \
                    need it again; read it into a Blob first, such as with \
                    await new Response(stream).blob()"
                .to_owned(),
        );
    }
    let passthrough = if body.is_instance_of::<FormData>() {
        Some(ContentType::Never)
    } else if body.is_instance_of::<Blob>() || body.is_instance_of::<UrlSearchParams>() {
        Some(ContentType::CallOnly)
    } else if body.is_instance_of::<ArrayBuffer>() || ArrayBuffer::is_view(body) {
        Some(ContentType::Any)
    } else {
        None
    };
    if let Some(content_type) = passthrough {
        return Ok((Some(body.clone()), None, content_type));
    }
    // A Rust caller's body is its own serialized data, never a ky habit.
    if config.api == Api::JavaScript {
        // A proxy whose traps throw is reported by JSON.stringify below.
        let auth_header = &config.auth_header;
        if let Some(message) = options_in_body(body, method, auth_header).ok().flatten() {
            return Err(message);
        }
    }

    let json: JsString = js_sys::JSON::stringify(body).map_err(|error| {
        format!(
            "The body cannot be serialized as JSON ({}); pass a string or plain data",
            js_string(&error)
        )
    })?;
    // JSON.stringify writes a Map or a Set as {} and an invalid date as null, which this check
    // rejects.
    to_key_value(body).map_err(|message| format!("The body cannot be serialized: {message}"))?;
    let json: JsValue = json.into();
    if json.is_undefined() {
        return Err(
            "The body has no JSON form (a function or a symbol?); pass a string or plain data"
                .to_owned(),
        );
    }
    // The key is made from the JSON that is sent, so bodies whose toJSON results differ, or
    // whose values differ only in type, such as 1 and "1", are never duplicates.
    let sorted = sorted_json(json.unchecked_ref());
    Ok((Some(json), Some(BodyKey::Json(sorted)), ContentType::Any))
}
