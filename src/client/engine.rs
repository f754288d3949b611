//! The core of a client: starting a call, applying the duplicates policy, and the attempt loop
//! that reads the envelope and replays after an overdue response.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::abort::{AbortCause, CallAbort};
use super::config::{shortened, Api, ClientConfig, Duplicates, Setting};
use super::error::{CancelReason, Error, ErrorKind};
use super::loading::LoadingCounter;
use super::pending::{Pending, SharedRequest};
use super::replay::{read_renewed_in_scheme, Decision, Renewed, Reply};
use super::request::{self, has_header, CallInput, Prepared, Target};
use super::response::{self, Body};
use super::storage::TokenStore;
use super::transport::{self, is_offline, Attempt, SendError};
use crate::protocol::{BEARER_SCHEME, MAX_AUTHORIZATION_LEN};

/// The result of a call: the envelope object or the raw body, or the error.
pub(crate) type CallFuture = Pin<Box<dyn Future<Output = Result<Success, Error>>>>;

/// A call that settled with a value, and the facts of its response.
#[derive(Clone)]
pub(crate) struct Success {
    /// The envelope object, or the raw body.
    pub value: JsValue,
    /// The HTTP status of the response.
    pub status: u16,
    /// The response's `Headers` object.
    pub headers: JsValue,
    /// The request, with its absolute URL.
    pub request: Rc<Prepared>,
    /// How many times the call was replayed.
    pub replays: u32,
    /// Whether a response to the call brought a renewed token that the client stored.
    pub renewed: bool,
}

/// The state of one client, shared by its calls.
pub(crate) struct Inner {
    pub config: ClientConfig,
    pub target: Target,
    /// The headers of every call, which start as the config's and change with `set_header`.
    pub headers: RefCell<Vec<(String, String)>>,
    pub tokens: TokenStore,
    pub pending: Pending,
    loading: Rc<LoadingCounter>,
    /// The token store's count of stored tokens when `onLoginRequired` was last called, so
    /// the callback runs once until a token is stored again, here or in another tab.
    login_reported_at: Cell<Option<u64>>,
    /// The JavaScript function that an attempt calls with the renewed-token header and the
    /// token's generation at sending, as soon as the response arrives. It stores a
    /// valid token, so concurrent calls see it at once, unless the token was set or cleared
    /// other than by a renewal after the attempt was sent.
    store_renewed: Function,
}

impl Inner {
    /// Returns true while a call that counts as loading runs.
    pub(crate) fn is_loading(&self) -> bool {
        self.loading.is_active()
    }

    /// Creates a client's state from `config`.
    ///
    /// # Errors
    ///
    /// Returns a message when a setting is out of range ([`ClientConfig::check`]), the base URL
    /// is invalid, or an allowed origin is not an absolute URL.
    pub(crate) fn new(config: ClientConfig) -> Result<Rc<Self>, String> {
        config.check()?;
        let target = Target::resolve(&config)?;
        let key = match &config.token_key {
            Some(key) => key.clone(),
            None => target.default_token_key(),
        };
        let on_token_change = config.callbacks.on_token_change.clone();
        let tokens = TokenStore::open(config.storage, &key, on_token_change);
        let loading = LoadingCounter::new(config.callbacks.on_loading_change.clone());
        Ok(Rc::new_cyclic(|weak: &Weak<Self>| {
            let weak = weak.clone();
            // Returns true when it stored the token.
            let store = Closure::<dyn Fn(String, u32) -> bool>::new(
                move |header: String, generation: u32| {
                    let Some(inner) = weak.upgrade() else {
                        return false;
                    };
                    // A token renewed after a setToken, a clearToken or another tab's change, made
                    // while the attempt was in flight, would undo that change, so it is dropped.
                    // Another tab's change may be in the storage before its event arrives.
                    inner.tokens.sync();
                    if inner.tokens.generation() != generation {
                        return false;
                    }
                    let scheme = &inner.config.auth_scheme;
                    match read_renewed_in_scheme(Some(&header), scheme) {
                        (_, Some(token)) => {
                            inner.tokens.set_renewed(token);
                            true
                        }
                        _ => false,
                    }
                },
            );
            Self {
                headers: RefCell::new(config.headers.clone()),
                config,
                target,
                tokens,
                pending: Pending::default(),
                loading,
                login_reported_at: Cell::new(None),
                // The function is dropped when JavaScript collects it, after the last attempt
                // that references it has settled.
                store_renewed: store.into_js_value().unchecked_into(),
            }
        }))
    }

    /// Stores `token` in place of the current one, as after a login, which re-arms
    /// `onLoginRequired`. The renewed tokens of the calls in flight are then dropped.
    pub(crate) fn store_token(&self, token: &str) {
        self.tokens.replace(token);
    }

    /// Calls `onLoginRequired` unless it ran after the last token was stored. So a callback that
    /// makes a call which needs the session, such as to a logout route, cannot call itself again
    /// without end.
    fn report_login_required(&self) {
        let stored = Some(self.tokens.stored_count());
        if self.login_reported_at.replace(stored) == stored {
            return;
        }
        if let Some(callback) = &self.config.callbacks.on_login_required {
            callback();
        }
    }

    pub(crate) fn report_error(&self, error: &Error) {
        if error.is_canceled() {
            return;
        }
        if let Some(callback) = &self.config.callbacks.on_error {
            callback(error);
        }
    }
}

/// Starts a call. The call is registered, counted and deduplicated before this returns, so calls
/// made in one synchronous run see each other.
pub(crate) fn start(inner: &Rc<Inner>, input: CallInput) -> CallFuture {
    let reports = !input.options.no_error_callback;
    let prepared = match request::prepare(
        &inner.target,
        &inner.config,
        &inner.headers.borrow(),
        &input,
    ) {
        Ok(prepared) => Rc::new(prepared),
        Err(error) => return settled(inner, error, reports),
    };
    if is_offline() {
        let message = "The browser is offline (navigator.onLine is false); retry once it is online";
        return settled(inner, prepared.error(ErrorKind::Offline, message), reports);
    }

    let options = input.options;
    let user_signal = options.signal.clone();
    let timeout_ms = options.timeout_ms.unwrap_or(inner.config.timeout_ms);
    let abort = CallAbort::start(options.signal.as_ref(), timeout_ms);
    let duplicates = options.duplicates.unwrap_or(inner.config.duplicates);
    // A call whose signal has already aborted never runs, so it neither cancels nor joins
    // its duplicates, and it does not count as loading. Only a caller's signal can have
    // aborted by now.
    let aborted = options.signal.is_some() && abort.aborted();
    let key = prepared
        .key
        .clone()
        .filter(|_| duplicates != Duplicates::Off && !aborted);

    let mut cancel_key = None;
    let mut joined = None;
    let work: CallFuture = match (duplicates, key) {
        (Duplicates::Share, Some(key)) => {
            let shared = join_shared(inner, key, &prepared);
            let wait = shared.wait();
            joined = Some(shared);
            Box::pin(wait)
        }
        (Duplicates::CancelPrevious, Some(key)) => {
            inner.pending.cancel_key(&key);
            cancel_key = Some(key);
            Box::pin(attempts(
                Rc::clone(inner),
                Rc::clone(&prepared),
                abort.signal(),
            ))
        }
        _ => Box::pin(attempts(
            Rc::clone(inner),
            Rc::clone(&prepared),
            abort.signal(),
        )),
    };

    let joins = joined.is_some();
    let guard = CallGuard {
        id: inner.pending.register(abort.clone(), cancel_key, joined),
        inner: Rc::clone(inner),
        abort: abort.clone(),
        counted: !options.no_loading && !aborted,
        settled: false,
    };
    if guard.counted {
        inner.loading.start();
    }
    let inner = Rc::clone(inner);
    Box::pin(async move {
        // A call of its own ends soon after an abort, because fetch and the body read reject
        // once the signal aborts. A call that joined a shared request waits on the request,
        // which its abort does not end, so it races the abort.
        let raced = if joins {
            abort.race(work).await
        } else {
            Ok(work.await)
        };
        let login_required = matches!(&raced, Ok(Err(error)) if error.is_login_required());
        let cause = abort.abort_cause();
        let result = match (raced, cause) {
            (Ok(Ok(value)), _) => Ok(value),
            // The abort and the failure it caused can arrive in one turn, and the abort wins.
            (Ok(Err(_)), Some(cause)) | (Err(cause), _) => {
                let message = inner.pending.cancel_message(guard.id);
                let error = abort_error(&prepared, cause, message, timeout_ms, inner.config.api);
                Err(match (cause, &user_signal) {
                    (AbortCause::Canceled(CancelReason::User), Some(signal)) => {
                        error.with_cause(signal.reason())
                    }
                    _ => error,
                })
            }
            (Ok(Err(error)), None) => Err(error),
        };
        guard.settle();
        // onLoginRequired runs once the call has left the pending registry, so a cancel_all in
        // the callback cannot turn this call's error into a cancel. It also runs when an abort
        // in the same turn won over the login-required response.
        if login_required {
            inner.report_login_required();
        }
        match &result {
            Err(error) if reports => inner.report_error(error),
            _ => {}
        }
        result
    })
}

/// Unregisters a call, ends its loading count and clears its timer when the call settles or its
/// future is dropped.
struct CallGuard {
    id: u64,
    inner: Rc<Inner>,
    abort: CallAbort,
    counted: bool,
    /// False until the call has its result, so a guard dropped while this is false belongs to
    /// a future that its caller dropped.
    settled: bool,
}

impl CallGuard {
    /// Ends a call that has its result.
    fn settle(mut self) {
        self.settled = true;
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        // A dropped future has no caller left, so its fetch and body read are aborted as
        // cancel_all aborts them, and no error is built or reported for it. A call that joined
        // a shared request does not fetch with this controller. Its SharedWait leaves the
        // request, which is aborted only when no other call waits for it.
        if !self.settled {
            self.abort.abort(AbortCause::Canceled(CancelReason::All));
        }
        self.abort.finish();
        self.inner.pending.unregister(self.id);
        if self.counted {
            self.inner.loading.end();
        }
    }
}

/// Returns a call that already failed, reporting its error when it is awaited and `reports`.
fn settled(inner: &Rc<Inner>, error: Error, reports: bool) -> CallFuture {
    let inner = Rc::clone(inner);
    Box::pin(async move {
        if reports {
            inner.report_error(&error);
        }
        Err(error)
    })
}

/// Returns the running shared request for `key`, or starts one.
fn join_shared(inner: &Rc<Inner>, key: String, prepared: &Rc<Prepared>) -> Rc<SharedRequest> {
    match inner.pending.shared(&key) {
        Some(shared) => shared,
        None => {
            let shared = Rc::new(SharedRequest::new());
            inner.pending.insert_shared(key.clone(), Rc::clone(&shared));
            let inner = Rc::clone(inner);
            let prepared = Rc::clone(prepared);
            let running = Rc::clone(&shared);
            wasm_bindgen_futures::spawn_local(async move {
                let signal = running.abort.signal();
                let result = attempts(Rc::clone(&inner), prepared, signal).await;
                inner.pending.remove_shared(&key, &running);
                running.complete(result);
            });
            shared
        }
    }
}

/// Sends `request` and replays it after overdue responses, up to the replay budget.
async fn attempts(
    inner: Rc<Inner>,
    request: Rc<Prepared>,
    signal: AbortSignal,
) -> Result<Success, Error> {
    let policy = &inner.config.policy;
    // A call sends none of the client's tokens when the responding origin never receives the
    // token, or when the caller set the auth header itself. Its renewed tokens are then not
    // stored, and the policy settles its overdue and login-required codes as business errors,
    // with no replay and no call of onLoginRequired.
    let own_header = has_header(&request.headers, &inner.config.auth_header);
    let sends_token = request.token_allowed && !own_header;
    // fetch drops Authorization on a redirect to another origin but keeps every other header, so
    // an attempt with a token in another auth header, the client's or the caller's own, does not
    // follow redirects.
    let custom_header = !inner
        .config
        .auth_header
        .eq_ignore_ascii_case("authorization");
    let mut replays = 0;
    let mut renewed_any = false;
    loop {
        // Send with the token stored now, which a replay picks up after a renewal.
        let sent_token = sends_token.then(|| inner.tokens.get()).flatten();
        let generation = inner.tokens.generation();
        let stored_count = inner.tokens.stored_count();
        let attempt = Attempt {
            headers: request.attempt_headers(&inner.config, sent_token.as_deref()),
            body: request.body.clone(),
            signal: &signal,
            response_type: request.response_type,
            auth_header: &inner.config.auth_header,
            hold_redirects: custom_header && (sent_token.is_some() || own_header),
            // A renewed token is stored as soon as the response arrives, before the body is
            // read, so concurrent calls see it at once. Only the successor of a token that this
            // attempt sent is stored, so a response cannot log in a client that has no token.
            store: sent_token.is_some().then_some(&inner.store_renewed),
            generation,
        };
        let response = match transport::send(&request.url, &request.method, attempt).await {
            Ok(response) => response,
            Err(SendError::Build(message)) => {
                return Err(request.error(ErrorKind::InvalidRequest, message))
            }
            Err(SendError::Fetch(cause)) => return Err(fetch_error(&request).with_cause(cause)),
        };
        let status = response.status();
        let renewed = if request.token_allowed {
            read_renewed_in_scheme(response.header().as_deref(), &inner.config.auth_scheme).0
        } else {
            Renewed::Absent
        };
        // Tokens stored since the request was sent, other than the one this response brought,
        // came from setToken, clearToken, another call or another tab.
        let own_store = u64::from(response.stored());
        let moved_by_others = inner.tokens.generation() != generation
            || inner.tokens.stored_count() - stored_count > own_store;

        // After a redirect to another origin the response is that origin's.
        let in_session = sends_token && !response.foreign();
        let Some(body) = response.body() else {
            return Err(body_error(&request, status));
        };
        renewed_any |= response.stored();
        let success = |value| {
            Ok(Success {
                value,
                status,
                headers: response.headers(),
                request: Rc::clone(&request),
                replays,
                renewed: renewed_any,
            })
        };
        // Set for a bodiless 401 to HEAD without a renewed token, whose message differs.
        let mut head_without_token = false;
        let envelope = match body {
            Body::Redirect => {
                return Err(redirect_error(&request, &inner.config.auth_header, status))
            }
            Body::Raw(value) => return success(value),
            Body::Envelope(envelope) => envelope,
            Body::Empty if response.ok() => {
                return success(response::empty_envelope(policy.codes().success))
            }
            // A reply to HEAD has no body, so the layer's codes show only as HTTP 401: with a
            // renewed token header it is the overdue code, and without one a login-required
            // code, which the layer sends without a token.
            Body::Empty if request.method == "HEAD" && status == 401 && in_session => {
                let codes = policy.codes();
                head_without_token = renewed == Renewed::Absent;
                let code = match renewed {
                    Renewed::Absent => codes.login_required.first().copied(),
                    Renewed::Valid | Renewed::Invalid => Some(codes.overdue),
                };
                let Some(code) = code else {
                    let api = inner.config.api;
                    return Err(unreadable(&request, status, false, Body::Empty, api));
                };
                response::Envelope {
                    value: response::empty_envelope(code),
                    code,
                }
            }
            other => {
                let api = inner.config.api;
                return Err(unreadable(&request, status, response.ok(), other, api));
            }
        };

        // Decide on the envelope: settle, replay with the current token, or give up.
        let current_token = inner.tokens.get();
        let reply = Reply {
            code: envelope.code,
            renewed,
            moved_by_others,
            sent_token: sent_token.as_deref(),
            current_token: current_token.as_deref(),
            in_session,
        };
        match policy.decide(&reply, replays) {
            Decision::Settle if envelope.code == policy.codes().success => {
                return success(envelope.value)
            }
            Decision::Settle => return Err(business_error(&request, status, &envelope)),
            Decision::Replay => replays += 1,
            Decision::RenewalExhausted => {
                return Err(exhausted_error(
                    &request,
                    status,
                    envelope.code,
                    replays,
                    inner.config.api,
                ));
            }
            // start() calls onLoginRequired after the call has settled.
            Decision::LoginRequired { header_missing } => {
                // The server rejected the token, so sending it again would fail the same way.
                if let Some(sent) = &sent_token {
                    inner.tokens.clear_rejected(sent);
                }
                // A token that this reply brought goes too, because a reply that ends the
                // session cannot also extend it. One that another call, setToken or another tab
                // stored since stays. NOTE: a login-required reply that another call's renewal
                // made stale ends as renewal_exhausted when no replay is left, and the token that
                // it brought, stored over that renewal, then stays.
                if response.stored() && !moved_by_others {
                    if let Some(brought) = &current_token {
                        inner.tokens.clear_rejected(brought);
                    }
                }
                // A call whose token was cleared meanwhile ends for that reason alone.
                let missing = match (header_missing, head_without_token) {
                    (true, _) => Missing::Overdue,
                    (false, true) if current_token.is_some() => Missing::Head,
                    (false, _) => Missing::NotExpected,
                };
                let hidden = response.cors();
                return Err(login_error(
                    &inner, &request, status, &envelope, missing, hidden,
                ));
            }
            Decision::InvalidRenewedToken => {
                return Err(invalid_token_error(&inner, &request, status))
            }
        }
    }
}

fn fetch_error(request: &Prepared) -> Error {
    if is_offline() {
        return request.error(
            ErrorKind::Offline,
            "The request failed and the browser is offline (navigator.onLine is false)",
        );
    }
    request.error(
        ErrorKind::Network,
        "The request failed before a response arrived: the server is unreachable, the connection \
         dropped, or CORS blocked the response",
    )
}

fn body_error(request: &Prepared, status: u16) -> Error {
    request
        .error(
            ErrorKind::Network,
            "Reading the response body failed: the connection dropped, or the body did not \
             match its Content-Encoding",
        )
        .with_status(status)
}

/// Creates the error of a response without an envelope. It carries the body, when there was
/// one: the text when it is not JSON, or the parsed JSON.
fn unreadable(request: &Prepared, status: u16, ok: bool, body: Body, api: Api) -> Error {
    let (not_json, value) = match body {
        Body::NotJson(value) => (true, Some(value)),
        Body::NotEnvelope(value) => (false, Some(value)),
        _ => (false, None),
    };
    let error = if !ok {
        let message = format!("The server responded with HTTP {status} without an envelope");
        request.error(ErrorKind::Http, message)
    } else if not_json {
        let message = format!(
            "The server responded with HTTP {status} with a body that is not JSON; for other \
             bodies {}",
            api.name(Setting::RawBody)
        );
        request.error(ErrorKind::InvalidResponse, message)
    } else {
        let message = format!(
            "The server responded with HTTP {status} with JSON that is not an envelope \
             {{code, msg, data}} whose code is a whole number of at most 2^53 either way"
        );
        request.error(ErrorKind::InvalidResponse, message)
    };
    let error = error.with_status(status);
    match value {
        Some(value) => error.with_body(value),
        None => error,
    }
}

/// Creates the error of a redirect that was not followed, because `fetch` would have sent the
/// token in the `auth_header` header to the redirect target. A browser hides the status of a
/// redirect that it does not follow, so the error has a status only in Node.
fn redirect_error(request: &Prepared, auth_header: &str, status: u16) -> Error {
    let auth_header = shortened(auth_header);
    let message = format!(
        "The server redirected the request, and the client does not follow a redirect of a \
         request that carries the token in the {auth_header} header, because fetch would send \
         that header to the redirect target; request the final URL, or send the token in the \
         Authorization header, which fetch drops on a redirect to another origin"
    );
    let error = request.error(ErrorKind::Http, message);
    match status {
        0 => error,
        status => error.with_status(status),
    }
}

fn business_error(request: &Prepared, status: u16, envelope: &response::Envelope) -> Error {
    let mut message = envelope.msg();
    if message.is_empty() {
        message = format!("The server responded with business code {}", envelope.code);
    }
    envelope_error(request, ErrorKind::Business, message, status, envelope)
}

/// Creates an error of `kind` for a response with an envelope, with the envelope's code and,
/// when there is one, its `data`.
fn envelope_error(
    request: &Prepared,
    kind: ErrorKind,
    message: String,
    status: u16,
    envelope: &response::Envelope,
) -> Error {
    let error = request
        .error(kind, message)
        .with_status(status)
        .with_code(envelope.code);
    match envelope.data() {
        Some(data) => error.with_data(data),
        None => error,
    }
}

fn exhausted_error(request: &Prepared, status: u16, code: i64, replays: u32, api: Api) -> Error {
    let message = format!(
        "The server still responded overdue after {replays} replays with renewed tokens; check \
         that it accepts the tokens it renews, or raise {}",
        api.name(Setting::MaxRenewRetries)
    );
    request
        .error(ErrorKind::RenewalExhausted, message)
        .with_status(status)
        .with_code(code)
}

/// The renewed token that a login-required error lacks, for its message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// No token was expected: the code was a login-required code, or the token was cleared.
    NotExpected,
    /// The overdue code came without a renewed token.
    Overdue,
    /// A bodiless 401 to HEAD came without a renewed token.
    Head,
}

/// Builds the error of a call whose user has to log in again. `hidden` is true when the
/// browser may have hidden the renewed-token header of a cross-origin response.
fn login_error(
    inner: &Inner,
    request: &Prepared,
    status: u16,
    envelope: &response::Envelope,
    missing: Missing,
    hidden: bool,
) -> Error {
    let header = shortened(&inner.config.auth_header);
    let code = envelope.code;
    let expose = format!(
        "a cross-origin server does not list {header} in Access-Control-Expose-Headers, which \
         the browser needs to let the client read it"
    );
    let message = match missing {
        Missing::Overdue => {
            // The server's msg shows what it meant by the code, as for a server that sends the
            // overdue code to ask for a new login.
            let msg = envelope.msg();
            let quoted = if msg.is_empty() {
                String::new()
            } else {
                format!(" and the message \"{msg}\"")
            };
            let missing = format!(
                "The server responded with the overdue code {code}{quoted} but without a renewed \
                 token in the {header} header"
            );
            if hidden {
                format!(
                    "{missing}. Either {expose}, or the app's handler sent code {code} itself; \
                     handlers must use codes of their own"
                )
            } else {
                format!(
                    "{missing}. The app's handler sent code {code} itself, or a proxy removed \
                     the header; handlers must use codes of their own"
                )
            }
        }
        Missing::Head if hidden => format!(
            "The server responded to HEAD with status 401 and without a renewed token in the \
             {header} header. Either the session has ended, or {expose}"
        ),
        Missing::Head | Missing::NotExpected => {
            let message = envelope.msg();
            if message.is_empty() {
                "The server requires a new login".to_owned()
            } else {
                message
            }
        }
    };
    envelope_error(request, ErrorKind::LoginRequired, message, status, envelope)
}

fn invalid_token_error(inner: &Inner, request: &Prepared, status: u16) -> Error {
    let scheme = match inner.config.auth_scheme.as_str() {
        "" => BEARER_SCHEME.to_owned(),
        scheme => shortened(scheme),
    };
    let message = format!(
        "The server responded overdue with an invalid renewed token in the {} header, so it \
         was not stored; send the raw token or \"{scheme} <token>\", at most \
         {MAX_AUTHORIZATION_LEN} bytes, with only letters, digits, - . _ ~ + / and a trailing =",
        shortened(&inner.config.auth_header)
    );
    request
        .error(ErrorKind::InvalidResponse, message)
        .with_status(status)
        .with_code(inner.config.policy.codes().overdue)
}

fn abort_error(
    request: &Prepared,
    cause: AbortCause,
    message: Option<String>,
    timeout_ms: u32,
    api: Api,
) -> Error {
    match cause {
        AbortCause::Timeout => {
            let message = format!(
                "The request timed out after {timeout_ms} ms; raise {} on the client or for \
                 this call if the server needs longer",
                api.name(Setting::TimeoutMs)
            );
            request.error(ErrorKind::Timeout, message)
        }
        AbortCause::SignalTimeout => request.error(
            ErrorKind::Timeout,
            "The request timed out: its AbortSignal aborted with a TimeoutError",
        ),
        AbortCause::Canceled(reason) => {
            let message = match (reason, message) {
                (CancelReason::All, Some(message)) => message,
                (CancelReason::All, None) => {
                    format!(
                        "The request was canceled by {}",
                        api.name(Setting::CancelAll)
                    )
                }
                (CancelReason::Duplicate, _) => format!(
                    "The request was canceled by a newer request with the same method, URL, \
                     params and body; {}",
                    api.name(Setting::KeepDuplicates)
                ),
                (CancelReason::User, _) => "The request was canceled by its AbortSignal".to_owned(),
            };
            request
                .error(ErrorKind::Canceled, message)
                .with_reason(reason)
        }
    }
}
