//! Storm and fault tests of the wasm client in a browser, against the real demo server that
//! scripts/test-wasm.sh starts with `--scenarios`.
//!
//! The storm sends 1,000 calls with random duplicates (under cancel-previous or share), caller
//! aborts, timeouts and overdue responses from a seeded xorshift generator. A failing assert names its seed, and a build with
//! `RENEW_FETCH_STORM_SEED=<seed>` in the environment replays the same storm. The other tests
//! each cover one fault: storage that throws on every call, a renewed-token header holding
//! CR LF, a body that never ends, and a 5 MiB JSON body.

#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod wasm_support;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::AbortController;

use wasm_support::*;

wasm_bindgen_test_configure!(run_in_browser);

fn str(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn expect_ok(result: Result<JsValue, JsValue>, what: &str) -> JsValue {
    match result {
        Ok(value) => value,
        Err(error) => panic!(
            "{what}: expected success, got kind {} message {:?}",
            kind(&error),
            text(&error, "message")
        ),
    }
}

fn expect_error(result: Result<JsValue, JsValue>, what: &str) -> JsValue {
    match result {
        Ok(value) => panic!("{what}: expected a rejection, got {value:?}"),
        Err(error) => error,
    }
}

// The storm.

/// The number of calls in the storm.
const STORM_CALLS: usize = 1000;

/// Calls started in one synchronous run. Duplicates only repeat a call of their own batch, so
/// the earlier call is always still pending when its duplicate starts.
const STORM_BATCH: usize = 25;

/// The chance in 100 that a batch sends its calls with the share policy instead of the
/// client's default, cancel-previous.
const SHARE_BATCH_PERCENT: u64 = 25;

/// How long the storm waits for all its calls to settle before it fails, in milliseconds.
const STORM_DEADLINE_MS: f64 = 90_000.0;

/// The delay of the slow storm route, in milliseconds. Calls sent there end by their timeout
/// or their caller's abort long before the server would respond.
const SLOW_DELAY_MS: u32 = 10_000;

/// A xorshift64* generator, so that a seed replays the same storm.
struct Xorshift(u64);

impl Xorshift {
    fn new(seed: u64) -> Self {
        // Zero is the one state that xorshift never leaves.
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Returns a number in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// Returns true with a chance of `percent` in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn storm_seed() -> u64 {
    if let Some(seed) = option_env!("RENEW_FETCH_STORM_SEED") {
        return seed
            .parse()
            .expect("RENEW_FETCH_STORM_SEED is a decimal u64");
    }
    let time = js_sys::Date::now() as u64;
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u64;
    time ^ (random << 20)
}

/// What the storm does with one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// A fast success from the base origin.
    Ok,
    /// A fast success from `localhost`, which is not an allowed origin.
    OtherOrigin,
    /// Overdue with a renewed token first, then a success on the replay.
    Overdue,
    /// The slow route with a short `timeoutMs`.
    Timeout,
    /// The caller's signal aborts before the call starts.
    AbortBefore,
    /// The caller's signal aborts right after the call starts, in the same synchronous run.
    AbortAfterStart,
    /// The slow route, and the caller's signal aborts once the next batch starts.
    AbortInFlight,
}

impl Plan {
    fn draw(rng: &mut Xorshift) -> Self {
        match rng.below(100) {
            0..=44 => Self::Ok,
            45..=54 => Self::OtherOrigin,
            55..=61 => Self::Overdue,
            62..=73 => Self::Timeout,
            74..=79 => Self::AbortBefore,
            80..=87 => Self::AbortAfterStart,
            _ => Self::AbortInFlight,
        }
    }

    fn is_caller_abort(self) -> bool {
        matches!(
            self,
            Self::AbortBefore | Self::AbortAfterStart | Self::AbortInFlight
        )
    }
}

/// The outcome that a storm call must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    Success,
    /// Success, and the server had sent this call an overdue response before.
    Replayed,
    Timeout,
    Canceled(&'static str),
}

/// One call of the storm, as planned before it starts.
struct StormCall {
    plan: Plan,
    url: String,
    /// The JSON body of a POST, or None for a GET.
    body: Option<JsValue>,
    /// The earlier call of the same batch that this one repeats.
    duplicate_of: Option<usize>,
    /// True when the call is sent with `duplicates: "share"`, so its duplicates join it.
    share: bool,
    /// True once a later call with the same key started while this one was pending.
    superseded: bool,
}

impl StormCall {
    fn expected(&self) -> Expected {
        match self.plan {
            // These abort before any later duplicate can start, so a duplicate finds them
            // already canceled.
            Plan::AbortBefore | Plan::AbortAfterStart => Expected::Canceled("user"),
            _ if self.superseded => Expected::Canceled("duplicate"),
            Plan::Ok | Plan::OtherOrigin => Expected::Success,
            Plan::Overdue => Expected::Replayed,
            Plan::Timeout => Expected::Timeout,
            Plan::AbortInFlight => Expected::Canceled("user"),
        }
    }
}

/// Plans a new call, or a duplicate of an earlier call in `batch_calls`. `share` is true when
/// the batch uses the share policy.
fn plan_call(
    rng: &mut Xorshift,
    key: &str,
    (batch, share): (usize, bool),
    index: usize,
    batch_calls: &[usize],
    calls: &[StormCall],
) -> StormCall {
    if !batch_calls.is_empty() && rng.chance(15) {
        let original = batch_calls[rng.below(batch_calls.len() as u64) as usize];
        let earlier = &calls[original];
        return StormCall {
            plan: earlier.plan,
            url: earlier.url.clone(),
            body: earlier.body.clone(),
            duplicate_of: Some(original),
            share,
            superseded: false,
        };
    }
    let plan = Plan::draw(rng);
    let delay_ms = match plan {
        Plan::Timeout | Plan::AbortInFlight => SLOW_DELAY_MS,
        Plan::Overdue => 0,
        _ => rng.below(20) as u32,
    };
    let path = format!("/scenario/storm?key={key}&batch={batch}&call={index}&delay_ms={delay_ms}");
    let url = match plan {
        Plan::OtherOrigin => format!("{}{path}", other_origin()),
        Plan::Overdue => format!("{path}&overdue=true"),
        _ => path,
    };
    let body = rng
        .chance(50)
        .then(|| object(&[("call", JsValue::from(index as u32))]));
    StormCall {
        plan,
        url,
        body,
        duplicate_of: None,
        share,
        superseded: false,
    }
}

/// The storm's record of settled calls and unhandled rejections, kept in JavaScript so that
/// promise handlers can write to it.
struct StormRecord {
    record: Object,
    track: js_sys::Function,
    listener: js_sys::Function,
}

impl StormRecord {
    fn install() -> Self {
        let record = Object::new();
        Reflect::set(&record, &str("settled"), &JsValue::from(0)).expect("a plain object");
        Reflect::set(&record, &str("unhandled"), &JsValue::from(0)).expect("a plain object");
        Reflect::set(&record, &str("results"), &Array::new()).expect("a plain object");
        let track = js_function(
            "record, promise, index",
            "promise.then(
               (value) => { record.settled++; record.results[index] = { ok: true, value }; },
               (error) => { record.settled++; record.results[index] = { ok: false, value: error }; },
             );",
        );
        let listener = js_function("record", "return () => { record.unhandled++; };")
            .call1(&JsValue::UNDEFINED, &record)
            .expect("the listener factory runs")
            .unchecked_into::<js_sys::Function>();
        web_sys::window()
            .expect("the storm runs in a window")
            .add_event_listener_with_callback("unhandledrejection", &listener)
            .expect("the unhandledrejection listener is added");
        Self {
            record,
            track,
            listener,
        }
    }

    fn track(&self, promise: &Promise, index: usize) {
        self.track
            .call3(
                &JsValue::UNDEFINED,
                &self.record,
                promise,
                &JsValue::from(index as u32),
            )
            .expect("the tracker runs");
    }

    fn count(&self, name: &str) -> usize {
        Reflect::get(&self.record, &str(name))
            .ok()
            .and_then(|value| value.as_f64())
            .unwrap_or(0.0) as usize
    }

    /// Returns the result of call `index`, or None while it has not settled.
    fn result(&self, index: usize) -> Option<Result<JsValue, JsValue>> {
        let results = Reflect::get(&self.record, &str("results")).ok()?;
        let entry = Reflect::get_u32(&results, index as u32).ok()?;
        if entry.is_undefined() {
            return None;
        }
        let value = path(&entry, "value");
        Some(if path(&entry, "ok") == JsValue::TRUE {
            Ok(value)
        } else {
            Err(value)
        })
    }

    /// Waits until `calls` calls have settled or the deadline passes, checking every 50 ms.
    async fn wait_settled(&self, calls: usize) {
        let start = js_sys::Date::now();
        while self.count("settled") < calls && js_sys::Date::now() - start < STORM_DEADLINE_MS {
            sleep(50).await;
        }
    }
}

impl Drop for StormRecord {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ =
                window.remove_event_listener_with_callback("unhandledrejection", &self.listener);
        }
    }
}

/// Describes how a settled result differs from `expected`, or returns None when it matches.
fn mismatch(expected: Expected, result: &Result<JsValue, JsValue>) -> Option<String> {
    let got = match result {
        Ok(envelope) => {
            let replayed = path(envelope, "data.replayed") == JsValue::TRUE;
            match expected {
                Expected::Success if !replayed => return None,
                Expected::Replayed if replayed => return None,
                _ => format!("success with data.replayed {replayed}"),
            }
        }
        Err(error) => {
            let kind = kind(error);
            let reason = reason(error);
            match (expected, kind.as_str(), reason.as_deref()) {
                (Expected::Timeout, "timeout", _) => return None,
                (Expected::Canceled(want), "canceled", Some(got)) if want == got => return None,
                _ => format!(
                    "kind {kind}, reason {reason:?}, message {:?}",
                    text(error, "message")
                ),
            }
        }
    };
    Some(format!("expected {expected:?}, got {got}"))
}

/// Starts call `index` with a signal and a timeout as its plan sets, and returns the
/// controller of an in-flight abort.
fn start_call(
    client: &renew_fetch::client::HttpClient,
    record: &StormRecord,
    call: &StormCall,
    index: usize,
    rng: &mut Xorshift,
) -> Option<AbortController> {
    let controller = call
        .plan
        .is_caller_abort()
        .then(|| AbortController::new().expect("AbortController exists"));
    let mut options: Vec<(&str, JsValue)> = Vec::new();
    if let Some(controller) = &controller {
        options.push(("signal", controller.signal().into()));
    }
    if call.plan == Plan::Timeout {
        options.push(("timeoutMs", JsValue::from(20 + rng.below(80) as u32)));
    }
    if call.share {
        options.push(("duplicates", str("share")));
    }
    if call.plan == Plan::AbortBefore {
        controller.as_ref()?.abort();
    }
    let options = object(&options);
    let promise = match &call.body {
        Some(body) => client.post(JsValue::from(call.url.clone()), body.clone(), options),
        None => client.get(JsValue::from(call.url.clone()), JsValue::UNDEFINED, options),
    };
    record.track(&promise, index);
    match call.plan {
        Plan::AbortAfterStart => {
            controller.as_ref()?.abort();
            None
        }
        Plan::AbortInFlight => controller,
        _ => None,
    }
}

/// Marks every pending call of the batch with the key of `call` as superseded by it. A call
/// whose signal aborted before it started never cancels its duplicates, and a shared call
/// joins them instead.
fn supersede(calls: &mut [StormCall], batch_calls: &[usize], call: &StormCall) {
    if call.plan == Plan::AbortBefore || call.share {
        return;
    }
    if let Some(original) = call.duplicate_of {
        let url = calls[original].url.clone();
        for &earlier in batch_calls {
            if calls[earlier].url == url {
                calls[earlier].superseded = true;
            }
        }
    }
}

#[wasm_bindgen_test]
async fn storm_of_1000_calls_settles_cleanly() {
    let seed = storm_seed();
    let replay = format!("seed {seed}, replay with RENEW_FETCH_STORM_SEED={seed}");
    let mut rng = Xorshift::new(seed);
    let key = unique("storm");
    // The default allowedOrigins is the baseUrl's origin, 127.0.0.1, so localhost is not allowed.
    let client = client(&[]);
    client
        .set_token(JsValue::from("storm-initial-token"))
        .expect("a clean token");
    let record = StormRecord::install();

    let mut calls: Vec<StormCall> = Vec::with_capacity(STORM_CALLS);
    let mut in_flight: Vec<AbortController> = Vec::new();
    let mut share_batches = 0;
    for batch in 0..STORM_CALLS / STORM_BATCH {
        let share = rng.chance(SHARE_BATCH_PERCENT);
        share_batches += usize::from(share);
        sleep(rng.below(15) as i32).await;
        for controller in in_flight.drain(..) {
            controller.abort();
        }
        let mut batch_calls: Vec<usize> = Vec::with_capacity(STORM_BATCH);
        for _ in 0..STORM_BATCH {
            let index = calls.len();
            let call = plan_call(&mut rng, &key, (batch, share), index, &batch_calls, &calls);
            supersede(&mut calls, &batch_calls, &call);
            in_flight.extend(start_call(&client, &record, &call, index, &mut rng));
            calls.push(call);
            batch_calls.push(index);
        }
    }
    sleep(rng.below(15) as i32).await;
    for controller in in_flight.drain(..) {
        controller.abort();
    }

    record.wait_settled(STORM_CALLS).await;
    // An unhandled rejection is reported in a later task than the rejection itself.
    sleep(200).await;
    let settled = record.count("settled");
    let unhandled = record.count("unhandled");
    let pending = client.pending_count();

    let mut mismatches = Vec::new();
    for (index, call) in calls.iter().enumerate() {
        let expected = call.expected();
        let found = match record.result(index) {
            Some(result) => mismatch(expected, &result),
            None => Some(format!("expected {expected:?}, but it never settled")),
        };
        if let Some(found) = found {
            mismatches.push(format!("call {index} ({:?}): {found}", call.plan));
        }
    }

    let inspect = format!("/scenario/storm/inspect?key={key}");
    let inspected = expect_ok(
        settle(client.get(
            JsValue::from(inspect),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ))
        .await,
        "the storm inspect route",
    );
    let issued = number(&inspected, "data.issued").unwrap_or(-1.0);
    let localhost_requests = number(&inspected, "data.localhostRequests").unwrap_or(-1.0);
    let token_leaks = number(&inspected, "data.localhostTokens").unwrap_or(-1.0);
    let newest = path(&inspected, "data.newest");

    let count = |wanted: &dyn Fn(&StormCall) -> bool| calls.iter().filter(|c| wanted(c)).count();
    let duplicates = count(&|c| c.duplicate_of.is_some());
    let superseded = count(&|c| c.expected() == Expected::Canceled("duplicate"));
    let shared = count(&|c| c.share && c.duplicate_of.is_some());
    let aborts = count(&|c| c.plan.is_caller_abort());
    let timeouts = count(&|c| c.expected() == Expected::Timeout);
    // Shared calls with one URL send one request, so the server counts URLs, not calls.
    let urls = |wanted: &dyn Fn(&StormCall) -> bool| {
        let matching = calls.iter().filter(|c| wanted(c)).map(|c| c.url.as_str());
        matching.collect::<std::collections::HashSet<_>>().len()
    };
    let replayed = urls(&|c| c.expected() == Expected::Replayed);
    let other_origin = urls(&|c| c.plan == Plan::OtherOrigin && c.expected() == Expected::Success);
    console_log!(
        "storm: calls {STORM_CALLS}, share batches {share_batches} of {}, duplicates \
         {duplicates} (superseded {superseded}, shared {shared}), caller aborts {aborts}, timeouts {timeouts}, overdue replays {issued}, settled {settled}, \
         unhandled rejections {unhandled}, final pendingCount {pending}, requests to the other \
         origin {localhost_requests}, token leaks {token_leaks}, outcome mismatches {}",
        STORM_CALLS / STORM_BATCH,
        mismatches.len()
    );

    assert_eq!(
        settled, STORM_CALLS,
        "every call settles within {STORM_DEADLINE_MS} ms; {replay}"
    );
    assert_eq!(
        unhandled, 0,
        "no rejection of the storm goes unhandled; {replay}"
    );
    assert!(
        mismatches.is_empty(),
        "every call settles as planned, but {} did not, such as {:?}; {replay}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(10)]
    );
    assert_eq!(
        pending, 0,
        "pendingCount is 0 once every call settled; {replay}"
    );
    assert!(
        replayed > 0,
        "the storm planned at least one overdue replay; {replay}"
    );
    assert_eq!(
        issued, replayed as f64,
        "the server sent one overdue response per URL of a planned overdue call; {replay}"
    );
    assert_eq!(
        newest,
        JsValue::TRUE,
        "the token store ends with the newest token the server issued; {replay}"
    );
    assert!(
        other_origin > 0,
        "the storm planned at least one call to the other origin; {replay}"
    );
    assert_eq!(
        localhost_requests, other_origin as f64,
        "each URL of a planned call to the other origin reached the server once; {replay}"
    );
    assert_eq!(
        token_leaks, 0.0,
        "no request to the other origin carried an Authorization header; {replay}"
    );
}

// Storage that throws on every call.

/// Replaces every method of `Storage.prototype` with one that throws, as storage blocked by
/// the browser's settings or a full quota does, until dropped.
struct ThrowingStorage {
    restore: js_sys::Function,
}

impl ThrowingStorage {
    fn install() -> Self {
        let install = js_function(
            "g",
            "const names = ['getItem', 'setItem', 'removeItem', 'clear', 'key'];
             const originals = names.map((name) => g.Storage.prototype[name]);
             for (const name of names) {
               g.Storage.prototype[name] = function () {
                 throw new DOMException('storage is blocked', 'SecurityError');
               };
             }
             return () => {
               names.forEach((name, i) => { g.Storage.prototype[name] = originals[i]; });
             };",
        );
        let restore = install
            .call1(&JsValue::UNDEFINED, &js_sys::global())
            .expect("the storage override installs")
            .unchecked_into();
        Self { restore }
    }
}

impl Drop for ThrowingStorage {
    fn drop(&mut self) {
        let _ = self.restore.call0(&JsValue::UNDEFINED);
    }
}

/// What a client did while every storage method threw.
struct ThrowingStorageRun {
    storage_in_use: String,
    token_after_set: Option<String>,
    sent_header: Option<String>,
    replay: Result<JsValue, JsValue>,
    renewed_token: Option<String>,
    token_after_clear: Option<String>,
    storage_item: Option<String>,
}

async fn run_with_throwing_storage(storage: &str) -> ThrowingStorageRun {
    let key = unique("throwing-storage");
    // The override is dropped before any assert, so a failing assert leaves storage working
    // for the tests that follow.
    let throwing = ThrowingStorage::install();
    let client = client(&[("tokenStorage", str(storage)), ("tokenKey", str(&key))]);
    let storage_in_use = client.token_storage();
    client
        .set_token(JsValue::from("memory-only-token"))
        .expect("a clean token");
    let token_after_set = client.get_token();
    let echo = settle(client.get(
        JsValue::from("/scenario/echo-auth".to_owned()),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await;
    let sent_header = echo
        .ok()
        .and_then(|envelope| text(&envelope, "data.authorization"));
    let replay = settle(client.get(
        JsValue::from(format!("/scenario/overdue-once?key={key}")),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await;
    let renewed_token = client.get_token();
    client.clear_token();
    let token_after_clear = client.get_token();
    drop(throwing);

    let window = web_sys::window().expect("the browser tests run in a window");
    let area = match storage {
        "session" => window.session_storage(),
        _ => window.local_storage(),
    };
    let storage_item = area
        .ok()
        .flatten()
        .and_then(|area| area.get_item(&key).ok().flatten());
    ThrowingStorageRun {
        storage_in_use,
        token_after_set,
        sent_header,
        replay,
        renewed_token,
        token_after_clear,
        storage_item,
    }
}

#[wasm_bindgen_test]
async fn storage_throwing_on_every_call_uses_memory() {
    for storage in ["local", "session"] {
        let run = run_with_throwing_storage(storage).await;
        assert_eq!(
            run.storage_in_use, "memory",
            "{storage} storage that throws on every call is replaced by memory"
        );
        assert!(
            run.token_after_set.as_deref() == Some("memory-only-token"),
            "with {storage} storage throwing, setToken keeps the token in memory"
        );
        assert!(
            run.sent_header.as_deref() == Some("Bearer memory-only-token"),
            "with {storage} storage throwing, a call carries the token kept in memory"
        );
        let replayed = expect_ok(run.replay, "an overdue call while storage throws");
        let sent = text(&replayed, "data.authorization");
        assert!(
            run.renewed_token
                .as_deref()
                .is_some_and(|token| token != "memory-only-token"),
            "with {storage} storage throwing, the renewed token replaces the old one in memory"
        );
        assert!(
            sent == run.renewed_token.map(|token| format!("Bearer {token}")),
            "with {storage} storage throwing, the replay carries the renewed token"
        );
        assert_eq!(
            run.token_after_clear, None,
            "with {storage} storage throwing, clearToken forgets the token"
        );
        assert_eq!(
            run.storage_item, None,
            "nothing reached {storage} storage under the token key"
        );
    }
}

// A renewed-token header holding CR LF.

/// Returns the port of the demo server's hand-written HTTP/1.1 listener.
async fn raw_http_port() -> u16 {
    let url = format!("{}/scenario/raw-http-port", server());
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .expect("the raw-http-port route answers");
    let body = response
        .text()
        .await
        .expect("the raw-http-port route has a body");
    let value = js_sys::JSON::parse(&body).expect("the raw-http-port route sends JSON");
    number(&value, "data.port").expect("the raw-http-port route sends data.port") as u16
}

/// Creates a client that sends its token to the demo server and to the raw listener at `raw_origin`.
/// The timeout turns a hang into a failure of a kind assert instead of a stuck test.
fn raw_client(raw_origin: &str) -> renew_fetch::client::HttpClient {
    let origins = Array::of2(&str(server()), &str(raw_origin));
    let client = client(&[
        ("allowedOrigins", origins.into()),
        ("timeoutMs", JsValue::from(10_000)),
    ]);
    client
        .set_token(JsValue::from("before-token"))
        .expect("a clean token");
    client
}

/// Chromium 156 and Firefox ESR 153 join a header folded over CR LF into one value with a
/// space, which the client rejects on an overdue response and ignores on a success.
#[wasm_bindgen_test]
async fn folded_renewed_header_never_stored() {
    let raw_origin = format!("http://127.0.0.1:{}", raw_http_port().await);
    for status in ["200", "401"] {
        let case = format!("folded header with status {status}");
        let client = raw_client(&raw_origin);
        let key = unique("crlf-fold");
        let url = format!("{raw_origin}/fold?status={status}&key={key}");
        let result =
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
        if status == "200" {
            let envelope = expect_ok(result, &case);
            assert_eq!(
                number(&envelope, "code"),
                Some(200.0),
                "the {case} resolves with its envelope"
            );
        } else {
            let error = expect_error(result, &case);
            assert_eq!(
                kind(&error),
                "invalid_response",
                "the {case} rejects with invalid_response"
            );
        }
        assert!(
            client.get_token().as_deref() == Some("before-token"),
            "the {case} leaves the stored token as it was"
        );
        assert_eq!(
            server_count(&key).await,
            1.0,
            "the {case} was sent once and not replayed"
        );
        assert_eq!(
            client.pending_count(),
            0,
            "the {case} leaves no pending call"
        );
    }
}

/// Reads the `Authorization` response header of `url` with a plain `fetch`, as the browser
/// exposes it.
async fn exposed_authorization(url: &str) -> Option<String> {
    let window = web_sys::window().expect("the browser tests run in a window");
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .expect("the raw listener answers a plain fetch");
    let response: web_sys::Response = response.unchecked_into();
    response
        .headers()
        .get("authorization")
        .expect("reading a response header does not throw")
}

/// The raw listener sends `Authorization: renewed-before-cr\rafter-cr`. Firefox ESR 153 drops
/// the header. Chromium 156 exposes `renewed-before-cr`, the part before the CR, and the client
/// cannot tell that value from a real token. The test reads what
/// this browser exposes, and checks that the client acts on exactly that and never stores a
/// value with CR or LF.
#[wasm_bindgen_test]
async fn bare_cr_renewed_header_follows_browser() {
    let raw_origin = format!("http://127.0.0.1:{}", raw_http_port().await);
    let exposed = exposed_authorization(&format!("{raw_origin}/cr?status=200")).await;
    console_log!("bare CR header: the browser exposes {exposed:?}");
    let cut_at_cr = exposed.as_deref() == Some("renewed-before-cr");
    assert!(
        exposed.is_none() || cut_at_cr,
        "the browser drops the header or cuts it at the CR, got {exposed:?}"
    );

    let client = raw_client(&raw_origin);
    let key = unique("crlf-cr-200");
    let url = format!("{raw_origin}/cr?status=200&key={key}");
    let envelope = expect_ok(
        settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
        "a success with a bare CR header",
    );
    assert_eq!(
        number(&envelope, "code"),
        Some(200.0),
        "a success with a bare CR header resolves with its envelope"
    );
    let expected_token = if cut_at_cr {
        "renewed-before-cr"
    } else {
        "before-token"
    };
    assert_eq!(
        client.get_token().as_deref(),
        Some(expected_token),
        "after a success the store holds what the browser exposed, or the old token"
    );
    assert_eq!(server_count(&key).await, 1.0, "the success was sent once");

    let client = raw_client(&raw_origin);
    let key = unique("crlf-cr-401");
    let url = format!("{raw_origin}/cr?status=401&key={key}");
    let error = expect_error(
        settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
        "an overdue response with a bare CR header",
    );
    // A cut header is a usable token to the client, so it replays until maxRenewRetries (5).
    let (expected_kind, expected_requests) = if cut_at_cr {
        ("renewal_exhausted", 6.0)
    } else {
        ("login_required", 1.0)
    };
    assert_eq!(
        kind(&error),
        expected_kind,
        "an overdue response with a bare CR header rejects with {expected_kind}"
    );
    assert_eq!(
        server_count(&key).await,
        expected_requests,
        "the overdue call was sent {expected_requests} times"
    );
    // A login-required end clears the token, so the store may hold none.
    assert!(
        !client
            .get_token()
            .is_some_and(|token| token.contains(['\r', '\n'])),
        "no value with CR or LF reaches the token store"
    );
    assert_eq!(client.pending_count(), 0, "no pending call remains");
}

// A response whose body never ends.

#[wasm_bindgen_test]
async fn never_ending_body_sends_headers() {
    let key = unique("never-ends-fetch");
    let controller = AbortController::new().expect("AbortController exists");
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(&controller.signal()));
    let url = format!("{}/scenario/never-ends?key={key}", server());
    let window = web_sys::window().expect("the browser tests run in a window");
    let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .expect("fetch resolves once the headers arrive");
    let response: web_sys::Response = response.unchecked_into();
    controller.abort();
    assert_eq!(
        response.status(),
        200,
        "the route sends its status and headers before the body stalls"
    );
}

#[wasm_bindgen_test]
async fn never_ending_body_times_out() {
    let cases = [
        ("a JSON body", object(&[("timeoutMs", JsValue::from(300))])),
        (
            "a text body",
            object(&[
                ("timeoutMs", JsValue::from(300)),
                ("responseType", str("text")),
            ]),
        ),
    ];
    for (what, options) in cases {
        let client = client(&[]);
        let key = unique("never-ends");
        let url = format!("/scenario/never-ends?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, options)).await,
            what,
        );
        assert_eq!(
            kind(&error),
            "timeout",
            "{what} that never ends rejects with timeout"
        );
        assert_eq!(
            client.pending_count(),
            0,
            "pendingCount is 0 after {what} timed out"
        );
        assert_eq!(
            server_count(&key).await,
            1.0,
            "the call for {what} reached the server once"
        );
    }
}

#[wasm_bindgen_test]
async fn never_ending_body_uses_client_timeout() {
    let client = client(&[("timeoutMs", JsValue::from(300))]);
    let url = format!("/scenario/never-ends?key={}", unique("never-ends-client"));
    let error = expect_error(
        settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
        "a never-ending body under the client's timeoutMs",
    );
    assert_eq!(
        kind(&error),
        "timeout",
        "the client's timeoutMs covers reading the body"
    );
    assert_eq!(client.pending_count(), 0, "no pending call remains");
}

// A 5 MiB JSON body.

/// Item `index` of `/scenario/large`: `item-`, the index in 8 digits, a dash, and `x` up to
/// 100 characters.
fn large_item(index: u32) -> String {
    format!("{:x<100}", format!("item-{index:08}-"))
}

#[wasm_bindgen_test]
async fn five_mib_json_body_resolves_intact() {
    let client = client(&[]);
    let url = format!("/scenario/large?size_mib=5&key={}", unique("large"));
    let envelope = expect_ok(
        settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
        "a 5 MiB JSON body",
    );
    let items: Array = path(&envelope, "data.items").unchecked_into();
    let count = number(&envelope, "data.count").unwrap_or(0.0) as u32;
    let json_length = js_sys::JSON::stringify(&envelope)
        .map(|json| json.length())
        .unwrap_or(0);

    assert!(
        json_length > 5 * 1024 * 1024,
        "the envelope is more than 5 MiB of JSON, got {json_length} characters"
    );
    assert!(
        count > 50_000,
        "the body holds over 50,000 items, got {count}"
    );
    assert_eq!(items.length(), count, "every item arrived");
    assert_eq!(
        items.get(0).as_string(),
        Some(large_item(0)),
        "the first item is intact"
    );
    assert_eq!(
        items.get(count / 2).as_string(),
        Some(large_item(count / 2)),
        "the middle item is intact"
    );
    assert_eq!(
        items.get(count - 1).as_string(),
        Some(large_item(count - 1)),
        "the last item is intact"
    );
    assert_eq!(client.pending_count(), 0, "no pending call remains");
}
