//! The client's Rust API on the native target with the `ssr` feature, as the server build of a
//! Leptos SSR or Dioxus fullstack app runs it. The client builds and keeps its token, and every
//! call fails with invalid_request instead of panicking.

#![cfg(all(feature = "ssr", not(target_arch = "wasm32")))]

mod client_usage;

use std::cell::Cell;
use std::rc::Rc;

use client_usage::{app_client, every_call, manage, read_error};
use renew_fetch::client::{BusinessCodes, Client, ErrorKind, TokenStorage};

fn quiet_client() -> Client {
    app_client(|_| {}, |_| {}).expect("the usage client's settings are valid")
}

#[tokio::test(flavor = "current_thread")]
async fn every_call_fails_as_invalid_request() {
    let client = quiet_client();
    for (label, call) in every_call(&client, None) {
        let error = call.await.expect_err(label);
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidRequest,
            "{label}: expected kind invalid_request, got {error:?}"
        );
        assert!(
            error
                .message()
                .contains("only from WebAssembly in a browser"),
            "{label}: expected the message to name where calls run, got {:?}",
            error.message()
        );
        assert!(
            error.message().contains("LocalResource"),
            "{label}: expected the message to name where to make the call, got {:?}",
            error.message()
        );
        assert!(
            !read_error(&error).is_empty(),
            "{label}: expected the accessors to read the error"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn call_error_names_method_and_url() {
    let client = quiet_client();
    let error = client
        .request("delete", "https://user:secret@api.example.test/items/7")
        .send::<()>()
        .await
        .expect_err("a call fails on the native target");
    assert_eq!(
        error.method(),
        "DELETE",
        "expected the method in upper case"
    );
    assert_eq!(
        error.url(),
        "https://api.example.test/items/7",
        "expected the URL without its user name and password"
    );
    assert_eq!(
        error.status(),
        None,
        "expected no status without a response"
    );
    assert!(
        error.data().is_none(),
        "expected no data without a response"
    );
    assert!(
        error.body().is_none(),
        "expected no body without a response"
    );
    assert!(error.cause().is_none(), "expected no cause without a fetch");
    assert!(
        matches!(error.data_as::<Vec<String>>(), Ok(None)),
        "expected data_as to give Ok(None)"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn invalid_call_header_keeps_its_message() {
    let client = quiet_client();
    let error = client
        .request("GET", "/items")
        .header("X-Trace", "line\nbreak")
        .send::<()>()
        .await
        .expect_err("a call with an invalid header fails");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(
        error.message().contains("X-Trace"),
        "expected the message of the invalid header, got {:?}",
        error.message()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn callbacks_are_not_called() {
    let errors = Rc::new(Cell::new(0));
    let changes = Rc::new(Cell::new(0));
    let client = {
        let errors = errors.clone();
        let changes = changes.clone();
        app_client(
            move |_| errors.set(errors.get() + 1),
            move |_| changes.set(changes.get() + 1),
        )
        .expect("the usage client's settings are valid")
    };
    client
        .set_token("header.payload.signature")
        .expect("a clean token");
    client.clear_token();
    let _ = client.get::<()>("/items").await;
    assert_eq!(errors.get(), 0, "expected on_error not to run");
    assert_eq!(changes.get(), 0, "expected on_token_change not to run");
}

#[test]
fn token_kept_in_memory() {
    let client = quiet_client();
    assert_eq!(client.token(), None, "expected no token at first");
    client
        .set_token("header.payload.signature")
        .expect("a clean token");
    assert_eq!(
        client.clone().token().as_deref(),
        Some("header.payload.signature"),
        "expected a clone to read the stored token"
    );
    client.clear_token();
    assert_eq!(client.token(), None, "expected no token after clear_token");
    assert_eq!(
        client.token_storage(),
        TokenStorage::Memory,
        "expected memory, because no web storage exists"
    );
}

#[test]
fn weak_client_drops_with_last_clone() {
    let (client, weak) =
        client_usage::client_with_weak_callback().expect("the client's settings are valid");
    assert!(
        weak.upgrade() == Some(client.clone()),
        "expected the weak reference to reach the client while a clone lives"
    );
    drop(client);
    assert!(
        weak.upgrade().is_none(),
        "expected no client once the last clone is dropped"
    );
}

#[test]
fn clone_moves_to_another_thread() {
    client_usage::context_bounds();
    let client = quiet_client();
    let clone = client.clone();
    std::thread::spawn(move || {
        clone
            .set_token("header.payload.signature")
            .expect("a clean token");
        drop(clone);
    })
    .join()
    .expect("the thread that used and dropped the clone ends without a panic");
    assert_eq!(
        client.token().as_deref(),
        Some("header.payload.signature"),
        "expected the token stored on the other thread"
    );
}

#[test]
fn token_with_scheme_rejected() {
    let client = quiet_client();
    let error = client
        .set_token("Bearer header.payload.signature")
        .expect_err("a token with a space is rejected");
    assert!(
        error.to_string().contains("without a scheme"),
        "expected the fix in the message, got {error}"
    );
    assert_eq!(
        client.token(),
        None,
        "expected the rejected token not stored"
    );
}

#[test]
fn missing_value_token_rejected() {
    let client = quiet_client();
    let error = client
        .set_token("undefined")
        .expect_err("the text of a missing value is rejected");
    assert!(
        error.to_string().contains("Client::clear_token()"),
        "expected the Rust method that logs out named in the message, got {error}"
    );
    assert_eq!(
        client.token(),
        None,
        "expected the rejected token not stored"
    );
}

#[test]
fn set_header_checks_name_and_auth_header() {
    let client = quiet_client();
    let error = client
        .set_header("authorization", Some("Bearer fixed"))
        .expect_err("the auth header is rejected");
    assert!(
        error.to_string().contains("set_token"),
        "expected set_token named as the fix, got {error}"
    );
    let error = client
        .set_header("bad name", Some("1"))
        .expect_err("an invalid name is rejected");
    assert!(
        error.to_string().contains("bad name"),
        "expected the name in the message, got {error}"
    );
}

#[test]
fn nothing_pending_or_loading() {
    let client = quiet_client();
    manage(&client).expect("every management call succeeds");
    assert_eq!(client.pending_count(), 0, "expected no pending call");
    assert!(!client.is_loading(), "expected no loading state");
    assert_eq!(
        client.clone(),
        client,
        "expected a clone to equal its original"
    );
    assert_ne!(quiet_client(), client, "expected two clients to differ");
}

#[test]
fn builder_checks_settings() {
    let cases: Vec<(&str, renew_fetch::client::ClientBuilder, &str)> = vec![
        (
            "header name",
            Client::builder().header("bad name", "1"),
            "bad name",
        ),
        (
            "fixed auth header",
            Client::builder().header("Authorization", "Bearer fixed"),
            "set_token",
        ),
        (
            "empty token key",
            Client::builder().token_key(""),
            "token_key",
        ),
        (
            "auth scheme",
            Client::builder().auth_scheme("Bearer token"),
            "auth_scheme",
        ),
        (
            "timeout",
            Client::builder().timeout_ms(u32::MAX),
            "timeout_ms",
        ),
        (
            "replay budget",
            Client::builder().max_renew_retries(1_000),
            "max_renew_retries",
        ),
        (
            "overlapping codes",
            Client::builder().codes(BusinessCodes {
                success: 200,
                overdue: 200,
                login_required: vec![1006],
            }),
            "200",
        ),
    ];
    for (label, builder, expected) in cases {
        let error = builder.build().expect_err(label);
        assert!(
            error.to_string().contains(expected),
            "{label}: expected {expected:?} in the message, got {error}"
        );
    }
}
