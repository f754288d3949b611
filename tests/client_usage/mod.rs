//! Code that names every item of the client's Rust API, as an app's components do. The native
//! tests of tests/ssr_client.rs compile it with the `ssr` feature, and the wasm32 tests of
//! tests/wasm_node.rs compile it too, so the API keeps one shape on both targets.

#![allow(dead_code)]

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use renew_fetch::client::{
    BusinessCodes, Client, ClientBuilder, ConfigError, Duplicates, Error, ErrorKind, FullResponse,
    RequestBuilder, ResponseFuture, TokenStorage, WeakClient,
};
use renew_fetch::protocol::Envelope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
pub struct Item {
    pub name: String,
}

/// One call's future, with its data dropped so that calls of every return type fit one list.
pub type Call = Pin<Box<dyn Future<Output = Result<(), Error>>>>;

/// Builds a client with every setting of the builder.
pub fn app_client(
    on_error: impl Fn(&Error) + 'static,
    on_token_change: impl Fn(Option<&str>) + 'static,
) -> Result<Client, ConfigError> {
    let builder: ClientBuilder = Client::builder()
        .base_url("https://api.example.test/v1")
        .timeout_ms(5_000)
        .header("Accept-Language", "en")
        .token_storage(TokenStorage::Session)
        .token_key("usage.token")
        .auth_header("Authorization")
        .auth_scheme("Bearer")
        .allowed_origins(["https://api.example.test"])
        .codes(BusinessCodes::default())
        .max_renew_retries(3)
        .duplicates(Duplicates::Share)
        .on_login_required(|| {})
        .on_loading_change(|_active| {})
        .on_error(on_error)
        .on_token_change(on_token_change);
    builder.build()
}

fn call<T: 'static>(future: impl Future<Output = Result<T, Error>> + 'static) -> Call {
    Box::pin(async move { future.await.map(drop) })
}

/// Returns one unpolled call of each method and builder option, labelled. On wasm32 a call
/// sends its request only when polled.
pub fn every_call(
    client: &Client,
    signal: Option<&web_sys::AbortSignal>,
) -> Vec<(&'static str, Call)> {
    let item = Item {
        name: "usage".to_owned(),
    };
    let mut request: RequestBuilder = client
        .request("GET", "/items")
        .query(&[("page", "1")])
        .header("X-Trace", "1")
        .timeout_ms(1_000)
        .no_loading()
        .no_error_callback()
        .no_token()
        .duplicates(Duplicates::Off);
    if let Some(signal) = signal {
        request = request.abort_signal(signal);
    }
    let typed: ResponseFuture<Vec<Item>> = client.get("/items");
    vec![
        ("get", call(typed)),
        ("delete", call(client.delete::<()>("/items/1"))),
        ("post", call(client.post::<Item>("/items", &item))),
        ("put", call(client.put::<Item>("/items/1", &item))),
        ("patch", call(client.patch::<Item>("/items/1", &item))),
        (
            "request with every option",
            call(request.send::<Vec<Item>>()),
        ),
        (
            "json body",
            call(client.request("POST", "/items").json(&item).send::<Item>()),
        ),
        (
            "text body",
            call(client.request("POST", "/notes").body("a note").send::<()>()),
        ),
        (
            "send_full",
            call(client.request("GET", "/items").send_full::<Vec<Item>>()),
        ),
        (
            "send_envelope",
            call(
                client
                    .request("GET", "/items")
                    .send_envelope::<Envelope<Vec<Item>>>(),
            ),
        ),
        ("text", call(client.request("GET", "/report").text())),
        ("bytes", call(client.request("GET", "/report").bytes())),
    ]
}

/// Reads every accessor of an error.
pub fn read_error(error: &Error) -> String {
    let kind: ErrorKind = error.kind();
    let data: Result<Option<Item>, Error> = error.data_as();
    format!(
        "{} {} {} {} {:?} {:?} {:?} {} {} {} {} {}",
        kind.as_str(),
        error.message(),
        error.method(),
        error.url(),
        error.status(),
        error.code(),
        error.reason(),
        error.data().is_some(),
        error.body().is_some(),
        error.cause().is_some(),
        data.is_ok(),
        error.is_invalid_request(),
    )
}

/// Reads every field of a full response.
pub fn read_full(
    response: FullResponse<Item>,
) -> (u16, web_sys::Headers, Envelope<Item>, u32, bool) {
    (
        response.status,
        response.headers,
        response.envelope,
        response.replays,
        response.renewed,
    )
}

/// Names the bounds of a framework context, such as Leptos's `provide_context`, which the client
/// meets on both targets, so that one line provides it in the browser and on the server.
pub fn context_bounds() {
    fn bounds<T: Send + Sync + Clone + 'static>() {}
    bounds::<Client>();
    bounds::<WeakClient>();
}

/// Builds a client whose `on_login_required` cancels the other calls through a `WeakClient`,
/// and returns the client and its weak reference.
pub fn client_with_weak_callback() -> Result<(Client, WeakClient), ConfigError> {
    let cell: Rc<OnceCell<WeakClient>> = Rc::new(OnceCell::new());
    let captured = Rc::clone(&cell);
    let client = Client::builder()
        .on_login_required(move || {
            if let Some(client) = captured.get().and_then(WeakClient::upgrade) {
                client.cancel_all(Some("signed out"));
            }
        })
        .build()?;
    let weak = client.downgrade();
    let _ = cell.set(weak.clone());
    Ok((client, weak))
}

/// Calls every method of the client that is not a request.
pub fn manage(client: &Client) -> Result<(), ConfigError> {
    client.set_token("header.payload.signature")?;
    client.set_header("Accept-Language", Some("de"))?;
    client.set_header("Accept-Language", None)?;
    let _token: Option<String> = client.token();
    let _storage: TokenStorage = client.token_storage();
    let _pending: usize = client.pending_count();
    let _loading: bool = client.is_loading();
    let _same = client.clone() == *client;
    let _debug = format!("{client:?}");
    let weak: WeakClient = client.downgrade();
    let _upgraded: Option<Client> = weak.upgrade();
    let _weak_debug = format!("{weak:?}");
    client.cancel_all(Some("signed out"));
    client.clear_token();
    Ok(())
}
