//! Helpers shared by the wasm test files: the demo server's URL, option objects, promises and
//! error fields.

#![allow(dead_code)]

use js_sys::{Array, Object, Promise, Reflect};
use renew_fetch::client::HttpClient;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The demo server started by scripts/test-wasm.sh, such as `http://127.0.0.1:8181`.
pub fn server() -> &'static str {
    match option_env!("RENEW_FETCH_TEST_SERVER") {
        Some(url) => url.trim_end_matches('/'),
        None => panic!(
            "RENEW_FETCH_TEST_SERVER was not set when the tests were built; \
             run them with bash scripts/test-wasm.sh"
        ),
    }
}

/// The same server reached through `localhost`, which is another origin for the browser.
pub fn other_origin() -> String {
    server().replace("127.0.0.1", "localhost")
}

/// A key that no other test or run uses, for the scenario counters and the token storage.
pub fn unique(name: &str) -> String {
    let random = (js_sys::Math::random() * 1e9) as u64;
    format!("{name}-{}-{random}", js_sys::Date::now() as u64)
}

/// Creates a plain object from `fields`.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value)
            .expect("setting a field of a plain object");
    }
    object.into()
}

/// Creates a client for the demo server with memory storage, over `fields`.
pub fn client(fields: &[(&str, JsValue)]) -> HttpClient {
    let mut all: Vec<(&str, JsValue)> = vec![
        ("baseUrl", JsValue::from_str(server())),
        ("tokenStorage", JsValue::from_str("memory")),
    ];
    all.extend(fields.iter().cloned());
    HttpClient::new(object(&all)).expect("the test options are valid")
}

/// Returns true in a browser window, false in Node.
pub fn in_browser() -> bool {
    Reflect::has(&js_sys::global(), &JsValue::from_str("document")).unwrap_or(false)
}

/// Awaits a promise.
pub async fn settle(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

/// Reads a dotted path such as `data.token` from `value`.
pub fn path(value: &JsValue, dotted: &str) -> JsValue {
    let mut current = value.clone();
    for name in dotted.split('.') {
        current = Reflect::get(&current, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    }
    current
}

/// Reads a string at `dotted`, or None.
pub fn text(value: &JsValue, dotted: &str) -> Option<String> {
    path(value, dotted).as_string()
}

/// Reads a number at `dotted`, or None.
pub fn number(value: &JsValue, dotted: &str) -> Option<f64> {
    path(value, dotted).as_f64()
}

/// The `kind` of a rejected call.
pub fn kind(error: &JsValue) -> String {
    text(error, "kind").unwrap_or_else(|| "<no kind>".to_owned())
}

/// The `reason` of a rejected call.
pub fn reason(error: &JsValue) -> Option<String> {
    text(error, "reason")
}

/// The number of requests that the scenario routes counted under `key`.
pub async fn server_count(key: &str) -> f64 {
    let url = format!("{}/scenario/count?key={key}", server());
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .expect("the count route answers");
    let body = response.text().await.expect("the count route has a body");
    let value = js_sys::JSON::parse(&body).expect("the count route sends JSON");
    number(&value, "data.count").expect("the count route sends data.count")
}

/// Moves the demo server's clock forward by `secs` seconds, for every later request.
pub async fn advance_clock(secs: u32) {
    let url = format!("{}/test/clock/advance?secs={secs}", server());
    let response = gloo_net::http::Request::post(&url)
        .send()
        .await
        .expect("the clock route answers");
    assert_eq!(
        response.status(),
        200,
        "the clock route accepts {secs} seconds"
    );
}

/// A port of 127.0.0.1 that nothing listens on.
pub async fn closed_port() -> u16 {
    let url = format!("{}/scenario/closed-port", server());
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .expect("the closed-port route answers");
    let body = response
        .text()
        .await
        .expect("the closed-port route has a body");
    let value = js_sys::JSON::parse(&body).expect("the closed-port route sends JSON");
    number(&value, "data.port").expect("the closed-port route sends data.port") as u16
}

/// Attaches handlers to `promise` at once, so a rejection that comes before the test awaits it
/// is not an unhandled rejection (which ends the Node process).
pub fn track(promise: Promise) -> JsFuture {
    JsFuture::from(promise)
}

/// Awaits every promise, and returns the results in order. Handlers are attached to all of
/// them before the first one is awaited.
pub async fn settle_all(promises: Vec<Promise>) -> Vec<Result<JsValue, JsValue>> {
    let futures: Vec<JsFuture> = promises.into_iter().map(track).collect();
    await_all(futures).await
}

/// Awaits every tracked call, and returns the results in order.
pub async fn await_all(futures: Vec<JsFuture>) -> Vec<Result<JsValue, JsValue>> {
    let mut results = Vec::with_capacity(futures.len());
    for future in futures {
        results.push(future.await);
    }
    results
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout: js_sys::Function = Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .expect("setTimeout exists")
            .unchecked_into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms))
            .expect("setTimeout accepts a function");
    });
    JsFuture::from(promise)
        .await
        .expect("a timer never rejects");
}

/// Creates a JavaScript function from its parameter list and body, for small test fixtures.
pub fn js_function(params: &str, body: &str) -> js_sys::Function {
    js_sys::Function::new_with_args(params, body)
}

/// A JavaScript callback that counts its calls and records its arguments: call it through
/// `function`, read `calls()`.
pub struct Recorder {
    pub function: js_sys::Function,
    log: Array,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        let log = Array::new();
        let make = js_function("log", "return function (value) { log.push(value); };");
        let function = make
            .call1(&JsValue::UNDEFINED, &log)
            .expect("the recorder factory runs")
            .unchecked_into();
        Self { function, log }
    }

    pub fn calls(&self) -> Vec<JsValue> {
        self.log.iter().collect()
    }

    /// Returns the values that the function got as strings, with any other value as `None`.
    pub fn strings(&self) -> Vec<Option<String>> {
        self.log.iter().map(|value| value.as_string()).collect()
    }
}
