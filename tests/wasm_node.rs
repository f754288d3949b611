//! Client tests that need no DOM. They run in Node, and tests/wasm_browser.rs includes them so
//! they also run in headless Chrome and Firefox. Each one talks to the real demo server that
//! scripts/test-wasm.sh starts with `--scenarios`.

#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
pub mod wasm_support;

#[path = "client_usage/mod.rs"]
mod client_usage;

mod node_cases {
    use js_sys::{Array, Promise, Uint8Array};
    use renew_fetch::client::{
        Client, Duplicates, ErrorKind, HttpClient, RequestBuilder, TokenStorage,
    };
    use serde::{Deserialize, Serialize};
    use serde_json::Value as JsonValue;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::AbortController;

    use super::wasm_support::*;

    fn str(value: &str) -> JsValue {
        JsValue::from_str(value)
    }

    fn options(fields: &[(&str, JsValue)]) -> JsValue {
        object(fields)
    }

    fn expect_error(result: Result<JsValue, JsValue>, what: &str) -> JsValue {
        match result {
            Ok(value) => panic!("{what}: expected a rejection, got {value:?}"),
            Err(error) => error,
        }
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

    // The envelope is read whatever the HTTP status.

    #[wasm_bindgen_test]
    async fn envelope_read_on_401() {
        let client = client(&[]);
        let key = unique("envelope-401");
        let url = format!("/scenario/login-required?code=4444&key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "401 with code 4444",
        );
        assert_eq!(
            kind(&error),
            "business",
            "an unknown code on a 401 is a business error, read from the body"
        );
        assert_eq!(
            number(&error, "status"),
            Some(401.0),
            "the HTTP status is kept"
        );
        assert_eq!(
            number(&error, "code"),
            Some(4444.0),
            "the envelope's code is read from the 401 body"
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("login required"),
            "the envelope's msg is the message"
        );
    }

    // Overdue replay.

    #[wasm_bindgen_test]
    async fn overdue_replays_with_renewed_token() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("overdue-replay");
        let url = format!("/scenario/overdue-once?key={key}");
        let envelope = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue then success",
        );
        assert_eq!(
            number(&envelope, "code"),
            Some(200.0),
            "the replay succeeded"
        );
        let sent = text(&envelope, "data.authorization").unwrap_or_default();
        let stored = client.get_token().unwrap_or_default();
        assert_eq!(
            sent,
            format!("Bearer {stored}"),
            "the replay carried the renewed token"
        );
        assert_ne!(
            stored, "old-token",
            "the renewed token replaced the old one"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "one overdue answer and one replay reached the server"
        );
    }

    #[wasm_bindgen_test]
    async fn overdue_forever_exhausts_renewals() {
        let client = client(&[("maxRenewRetries", JsValue::from(3))]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("overdue-forever");
        let url = format!("/scenario/overdue-forever?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue forever",
        );
        assert_eq!(
            kind(&error),
            "renewal_exhausted",
            "kind after maxRenewRetries replays"
        );
        assert_eq!(
            number(&error, "status"),
            Some(401.0),
            "the last answer's status"
        );
        assert_eq!(
            server_count(&key).await,
            4.0,
            "the first request and 3 replays reached the server"
        );
    }

    #[wasm_bindgen_test]
    async fn overdue_default_max_is_five() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("overdue-default");
        let url = format!("/scenario/overdue-forever?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue forever",
        );
        assert_eq!(
            kind(&error),
            "renewal_exhausted",
            "kind after the default 5 replays"
        );
        assert_eq!(
            server_count(&key).await,
            6.0,
            "the first request and 5 replays reached the server"
        );
    }

    #[wasm_bindgen_test]
    async fn concurrent_overdue_all_succeed() {
        let client = client(&[("duplicates", str("off"))]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("overdue-concurrent");
        let calls: Vec<Promise> = (0..10)
            .map(|i| {
                client.get(
                    JsValue::from(format!("/scenario/overdue-once?key={key}&call={i}")),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                )
            })
            .collect();
        let results = settle_all(calls).await;
        for (i, result) in results.into_iter().enumerate() {
            let envelope = expect_ok(result, &format!("concurrent call {i}"));
            assert_eq!(
                number(&envelope, "code"),
                Some(200.0),
                "call {i} succeeded after its replay"
            );
        }
        let url = format!("/scenario/overdue-once/newest?key={key}");
        let check = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "newest check",
        );
        assert_eq!(
            number(&check, "data.issued"),
            Some(10.0),
            "each of the 10 calls got its own overdue answer"
        );
        assert_eq!(
            path(&check, "data.newest"),
            JsValue::TRUE,
            "the store ends with the last token the server issued"
        );
    }

    #[wasm_bindgen_test]
    async fn older_token_replays_without_header() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("first-token"))
            .expect("a clean token");
        let key = unique("older-token");
        let url = format!("/scenario/overdue-no-header?accept=second-token&delay_ms=300&key={key}");
        let call = track(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED));
        sleep(50).await;
        client
            .set_token(JsValue::from("second-token"))
            .expect("a clean token");
        let envelope = expect_ok(call.await, "a call sent with the older token");
        assert_eq!(
            text(&envelope, "data.authorization").as_deref(),
            Some("Bearer second-token"),
            "the replay carried the token stored while the call was in flight"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "the overdue response and the replay reached the server"
        );
    }

    #[wasm_bindgen_test]
    async fn overdue_without_header_names_expose_headers() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("overdue-no-header");
        let url = format!("/scenario/overdue-no-header?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue without a header",
        );
        assert_eq!(
            kind(&error),
            "login_required",
            "no renewed token means a new login"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("app's handler sent code 401 itself"),
            "the message points at a handler that used the overdue code: {message}"
        );
        assert!(
            message.contains("code 401 and the message \"token overdue\" but without"),
            "the message quotes the server's msg: {message}"
        );
        assert_names_hidden_header(&message);
    }

    /// Checks that the message of an overdue reply without a renewed token names the cause that
    /// the runtime allows. The browser tests' page has another origin than the server, so the
    /// browser may hide the header, and Node hides none, so only a proxy could have removed it.
    fn assert_names_hidden_header(message: &str) {
        if in_browser() {
            assert!(
                message.contains("Access-Control-Expose-Headers"),
                "for a cross-origin reply, the message points at the CORS header: {message}"
            );
        } else {
            assert!(
                message.contains("or a proxy removed the header"),
                "in Node, where no header is hidden, the message points at a proxy: {message}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn renewed_token_in_own_scheme_stored() {
        let client = client(&[("authScheme", str("Token"))]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/renewed?form=token"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "a renewed token after the scheme Token",
        );
        let issued = text(&envelope, "data.token");
        assert!(issued.is_some(), "the route issued a token");
        assert_eq!(
            client.get_token(),
            issued,
            "the token after the client's own scheme was stored"
        );
    }

    #[wasm_bindgen_test]
    async fn login_reply_after_renewal_replays() {
        let client = client(&[("duplicates", str("off"))]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("login-after-renewal");
        let slow = client.get(
            JsValue::from(format!(
                "/scenario/login-required?code=1007&form=token&delay_ms=300&key={key}"
            )),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        );
        let renewal = client.get(
            JsValue::from("/scenario/renewed"),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        );
        expect_ok(settle(renewal).await, "another call's renewal");
        let error = expect_error(settle(slow).await, "the slow invalid-token reply");
        assert_eq!(
            kind(&error),
            "login_required",
            "the replay gets the invalid-token code again"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "another call's renewal made the first reply stale, so it was replayed once"
        );
    }

    /// Sends HEAD `url` from `client`.
    fn head(client: &HttpClient, url: JsValue) -> Promise {
        client.request(object(&[("url", url), ("method", str("HEAD"))]))
    }

    #[wasm_bindgen_test]
    async fn head_overdue_replays() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("head-overdue");
        let envelope = expect_ok(
            settle(head(
                &client,
                str(&format!("/scenario/overdue-once?key={key}")),
            ))
            .await,
            "HEAD, overdue then success",
        );
        assert_eq!(
            number(&envelope, "code"),
            Some(200.0),
            "the replay resolved to the success envelope of an empty reply"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "one overdue request and one replay"
        );
        assert_ne!(
            client.get_token().as_deref(),
            Some("old-token"),
            "the renewed token replaced the old one"
        );
    }

    #[wasm_bindgen_test]
    async fn head_login_required_ends_session() {
        let login = Recorder::new();
        let client = client(&[("onLoginRequired", login.function.clone().into())]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let error = expect_error(
            settle(head(&client, str("/scenario/login-required?code=1007"))).await,
            "HEAD, 401 without a renewed token",
        );
        assert_eq!(
            kind(&error),
            "login_required",
            "a bodiless 401 without a token ends the session"
        );
        assert_eq!(login.calls().len(), 1, "onLoginRequired runs once");
    }

    #[wasm_bindgen_test]
    async fn head_401_message_names_cors() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let error = expect_error(
            settle(head(&client, str("/scenario/login-required?code=1007"))).await,
            "HEAD, 401 without a renewed token",
        );
        let message = text(&error, "message").unwrap_or_default();
        // The browser tests' page has another origin than the server, and Node hides nothing.
        if in_browser() {
            assert!(
                message.contains("Access-Control-Expose-Headers"),
                "for a cross-origin reply, the message names the CORS header: {message}"
            );
            assert!(
                message.contains("the session has ended"),
                "for a cross-origin reply, the message names the end of the session: {message}"
            );
        } else {
            assert_eq!(
                message, "The server requires a new login",
                "in Node, where no header is hidden, the session has ended"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn head_401_after_clear_token() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let call = settle(head(
            &client,
            str("/scenario/login-required?code=1007&delay_ms=200"),
        ));
        client.clear_token();
        let error = expect_error(call.await, "HEAD, 401 after clearToken");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("The server requires a new login"),
            "a call whose token was cleared ends for that reason, with no CORS cause"
        );
    }

    #[wasm_bindgen_test]
    async fn head_bad_header_invalid_response() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let error = expect_error(
            settle(head(
                &client,
                str("/scenario/bad-header?form=space&status=401"),
            ))
            .await,
            "HEAD, 401 with a malformed renewed token",
        );
        assert_eq!(
            kind(&error),
            "invalid_response",
            "a malformed renewed token is the server's fault, as for GET"
        );
    }

    #[wasm_bindgen_test]
    async fn head_401_outside_session_is_http() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        // The localhost name of the test server is another origin, which gets no token.
        let other = server().replace("127.0.0.1", "localhost");
        let error = expect_error(
            settle(head(
                &client,
                str(&format!("{other}/scenario/login-required")),
            ))
            .await,
            "HEAD to an origin that gets no token, 401 without a body",
        );
        assert_eq!(
            kind(&error),
            "http",
            "a bodiless 401 outside the session has no code to read"
        );
        assert!(
            number(&error, "code").is_none(),
            "the error carries no made-up code"
        );
    }

    #[wasm_bindgen_test]
    async fn login_code_with_token_not_replayed() {
        let login = Recorder::new();
        let client = client(&[("onLoginRequired", login.function.clone().into())]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("login-code-with-token");
        let url = format!("/scenario/login-required?code=1007&form=token&key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "invalid-token code with a token",
        );
        assert_eq!(
            kind(&error),
            "login_required",
            "the invalid-token code ends the session"
        );
        assert_eq!(
            server_count(&key).await,
            1.0,
            "the token that the reply brought does not replay it"
        );
        assert_eq!(login.calls().len(), 1, "onLoginRequired runs once");
    }

    #[wasm_bindgen_test]
    async fn overdue_with_malformed_header_is_invalid_response() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("overdue-bad-header");
        let url = format!("/scenario/bad-header?form=space&status=401&key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue with a bad header",
        );
        assert_eq!(
            kind(&error),
            "invalid_response",
            "a malformed renewed token is the server's fault"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("send the raw token or \"Bearer <token>\", at most 8192 bytes"),
            "the message names the forms that the client reads: {message}"
        );
        assert_eq!(
            client.get_token().as_deref(),
            Some("old-token"),
            "the malformed token was not stored"
        );
    }

    #[wasm_bindgen_test]
    async fn login_required_calls_callback_once() {
        let recorder = Recorder::new();
        let client = client(&[
            ("duplicates", str("off")),
            ("onLoginRequired", recorder.function.clone().into()),
        ]);
        let key = unique("login-required");
        let calls: Vec<Promise> = (0..3)
            .map(|_| {
                client.get(
                    JsValue::from(format!("/scenario/login-required?key={key}")),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                )
            })
            .collect();
        for (i, result) in settle_all(calls).await.into_iter().enumerate() {
            let error = expect_error(result, &format!("login-required call {i}"));
            assert_eq!(kind(&error), "login_required", "call {i} needs a login");
            assert_eq!(
                number(&error, "code"),
                Some(1006.0),
                "call {i} carries the need-login code"
            );
        }
        assert_eq!(
            recorder.calls().len(),
            1,
            "onLoginRequired is called once for three failures"
        );
    }

    #[wasm_bindgen_test]
    async fn login_required_once_per_session() {
        let recorder = Recorder::new();
        let client = client(&[("onLoginRequired", recorder.function.clone().into())]);
        let url = format!(
            "/scenario/login-required?code=1006&key={}",
            unique("login-once")
        );
        // The second call starts after the callback ran, as a logout call made by the callback
        // would, and must not call it again.
        for i in 0..2 {
            let error = expect_error(
                settle(client.get(
                    JsValue::from(url.clone()),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                ))
                .await,
                &format!("login-required call {i}"),
            );
            assert_eq!(kind(&error), "login_required", "call {i} needs a login");
        }
        assert_eq!(
            recorder.calls().len(),
            1,
            "expected onLoginRequired once until a new token is stored"
        );
    }

    #[wasm_bindgen_test]
    async fn login_required_rearmed_by_new_token() {
        let recorder = Recorder::new();
        let client = client(&[("onLoginRequired", recorder.function.clone().into())]);
        let key = unique("login-rearm");
        let url = format!("/scenario/login-required?code=1007&key={key}");
        let _ = settle(client.get(
            JsValue::from(url.clone()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ))
        .await;
        client
            .set_token(JsValue::from("fresh-login"))
            .expect("a clean token");
        let _ =
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
        assert_eq!(
            recorder.calls().len(),
            2,
            "a new token lets the next failure call onLoginRequired again"
        );
    }

    /// Stores `rejected-token` in `client`, sends GET `url`, whose reply is login-required, and
    /// checks that the call rejects with kind `login_required`.
    async fn reject_stored_token(client: &HttpClient, url: &str, what: &str) {
        client
            .set_token(JsValue::from("rejected-token"))
            .expect("a clean token");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            what,
        );
        assert_eq!(
            kind(&error),
            "login_required",
            "{what}: expected the server to reject the token"
        );
    }

    #[wasm_bindgen_test]
    async fn login_required_clears_rejected_token() {
        let client = client(&[]);
        reject_stored_token(
            &client,
            "/scenario/login-required?code=1007",
            "a login-required reply to the stored token",
        )
        .await;
        assert_eq!(
            client.get_token(),
            None,
            "expected the rejected token to be cleared"
        );
    }

    #[wasm_bindgen_test]
    async fn login_required_clears_token_it_brought() {
        let client = client(&[]);
        // The reply carries a token, which is stored before the body is read, and the
        // login-required code then rejects the session that the token would extend.
        reject_stored_token(
            &client,
            "/scenario/login-required?code=1007&form=token",
            "a login-required reply with a token",
        )
        .await;
        assert_eq!(
            client.get_token(),
            None,
            "expected the token of the login-required reply to be cleared"
        );
    }

    // Renewed tokens on success.

    #[wasm_bindgen_test]
    async fn sliding_renewal_on_success() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("sliding");
        let url = format!("/scenario/renewed?form=raw&key={key}");
        let envelope = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "success with a renewed token",
        );
        let issued = text(&envelope, "data.token").expect("the scenario returns the token it sent");
        assert_eq!(
            client.get_token(),
            Some(issued),
            "the renewed token was stored silently"
        );
        assert_eq!(server_count(&key).await, 1.0, "a success is never replayed");
    }

    #[wasm_bindgen_test]
    async fn clear_token_outlasts_renewal_in_flight() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("clear-in-flight");
        let url = format!("/scenario/renewed?delay_ms=400&key={key}");
        let call = client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED);
        sleep(100).await;
        client.clear_token();
        expect_ok(settle(call).await, "success with a renewed token");
        assert_eq!(
            client.get_token(),
            None,
            "a token renewed from the cleared one is not stored"
        );
    }

    #[wasm_bindgen_test]
    async fn set_token_outlasts_overdue_in_flight() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("token-a"))
            .expect("a clean token");
        let key = unique("set-in-flight");
        let url = format!("/scenario/storm?key={key}&call=one&delay_ms=400&overdue=true");
        let call = client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED);
        sleep(100).await;
        client
            .set_token(JsValue::from("token-b"))
            .expect("a clean token");
        let envelope = expect_ok(settle(call).await, "overdue, then the replay");
        assert_eq!(
            client.get_token().as_deref(),
            Some("token-b"),
            "a token renewed from token-a does not replace token-b"
        );
        assert_eq!(
            text(&envelope, "data.authorization").as_deref(),
            Some("Bearer token-b"),
            "the replay carried token-b"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "one overdue reply and one replay"
        );
    }

    #[wasm_bindgen_test]
    async fn clear_token_ends_overdue_in_flight() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("token-a"))
            .expect("a clean token");
        let key = unique("clear-overdue");
        let url = format!("/scenario/storm?key={key}&call=one&delay_ms=400&overdue=true");
        let call = client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED);
        sleep(100).await;
        client.clear_token();
        let error = expect_error(settle(call).await, "overdue after clearToken");
        assert_eq!(
            kind(&error),
            "login_required",
            "a call whose token was cleared needs a login"
        );
        assert_eq!(client.get_token(), None, "the renewed token is not stored");
        assert_eq!(
            server_count(&key).await,
            1.0,
            "no replay is sent without a token"
        );
    }

    #[wasm_bindgen_test]
    async fn own_auth_header_renewal_not_stored() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("client-token"))
            .expect("a clean token");
        let key = unique("own-header-renewal");
        let url = format!("/scenario/renewed?key={key}");
        let call_options = options(&[(
            "headers",
            object(&[("Authorization", str("Bearer caller-token"))]),
        )]);
        expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, call_options)).await,
            "success with a renewed token",
        );
        assert_eq!(
            client.get_token().as_deref(),
            Some("client-token"),
            "a token renewed from the caller's own header is not the client's"
        );
    }

    #[wasm_bindgen_test]
    async fn bearer_prefixed_header_accepted() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("bearer-header");
        let url = format!("/scenario/renewed?form=bearer&key={key}");
        let envelope = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "Bearer-prefixed header",
        );
        let issued = text(&envelope, "data.token").expect("the scenario returns the token it sent");
        assert_eq!(
            client.get_token(),
            Some(issued),
            "the token is stored without the Bearer prefix"
        );
    }

    #[wasm_bindgen_test]
    async fn non_token68_header_rejected() {
        for form in ["space", "tab", "comma", "scheme", "long"] {
            let client = client(&[]);
            client
                .set_token(JsValue::from("old-token"))
                .expect("a clean token");
            let key = unique("bad-header");
            let url = format!("/scenario/bad-header?form={form}&key={key}");
            let envelope = expect_ok(
                settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
                    .await,
                "success with a bad header",
            );
            assert_eq!(
                number(&envelope, "code"),
                Some(200.0),
                "the call itself succeeds ({form})"
            );
            assert_eq!(
                client.get_token().as_deref(),
                Some("old-token"),
                "a renewed token that is no token68 ({form}) is not stored"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn missing_value_header_not_stored() {
        for form in ["undefined", "null"] {
            let client = client(&[]);
            client
                .set_token(JsValue::from("old-token"))
                .expect("a clean token");
            let key = unique("missing-value-header");
            let url = format!("/scenario/bad-header?form={form}&key={key}");
            expect_ok(
                settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
                    .await,
                "success with a missing value as the renewed token",
            );
            assert_eq!(
                client.get_token().as_deref(),
                Some("old-token"),
                "a renewed token that is the text of a missing value ({form}) is not stored"
            );
        }
    }

    // Errors.

    #[wasm_bindgen_test]
    async fn business_error_calls_on_error() {
        let recorder = Recorder::new();
        let client = client(&[("onError", recorder.function.clone().into())]);
        let key = unique("business");
        let url = format!("/scenario/business?code=4001&key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "business code",
        );
        assert_eq!(kind(&error), "business", "kind of a non-success code");
        assert_eq!(number(&error, "code"), Some(4001.0), "the business code");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("out of stock"),
            "the envelope's msg"
        );
        assert_eq!(number(&error, "status"), Some(200.0), "the HTTP status");
        assert_eq!(
            text(&error, "name").as_deref(),
            Some("RenewFetchError"),
            "the error class name"
        );
        assert!(
            error.is_instance_of::<js_sys::Error>(),
            "the error is an Error"
        );
        assert!(
            renew_fetch::client::is_renew_fetch_error(&error),
            "the error is a RenewFetchError"
        );
        let calls = recorder.calls();
        assert_eq!(calls.len(), 1, "onError is called once");
        assert_eq!(
            kind(&calls[0]),
            "business",
            "onError gets the business error"
        );
    }

    #[wasm_bindgen_test]
    async fn callback_exception_is_reported() {
        // Records what reportError receives, in place of the runtime's own report, which a
        // browser test runner would count as an uncaught error. Node 20 has no reportError.
        let global = js_sys::global();
        let name = JsValue::from("reportError");
        let original = js_sys::Reflect::get(&global, &name).expect("the global can be read");
        let reported = Recorder::new();
        js_sys::Reflect::set(&global, &name, &reported.function).expect("the global can be set");

        let throwing = js_sys::Function::new_no_args("throw new Error('callback boom');");
        let client = client(&[
            ("onError", throwing.clone().into()),
            ("onLoadingChange", throwing.into()),
        ]);
        let key = unique("callback-throws");
        let url = format!("/scenario/business?code=4001&key={key}");
        let result =
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
        let calls = reported.calls();
        if original.is_undefined() {
            js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &name)
                .expect("the global can be deleted");
        } else {
            js_sys::Reflect::set(&js_sys::global(), &name, &original)
                .expect("the global can be restored");
        }

        let error = expect_error(result, "business code");
        assert_eq!(
            kind(&error),
            "business",
            "the call settles as without the callbacks"
        );
        assert_eq!(
            calls.len(),
            3,
            "each exception is reported: onLoadingChange twice and onError once"
        );
        for call in &calls {
            assert_eq!(
                text(call, "message").as_deref(),
                Some("callback boom"),
                "the callback's own exception is reported"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn html_502_is_http_error() {
        let client = client(&[]);
        let key = unique("html-502");
        let url = format!("/scenario/html-502?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "HTML 502",
        );
        assert_eq!(kind(&error), "http", "an error status without an envelope");
        assert_eq!(number(&error, "status"), Some(502.0), "the status");
        assert_eq!(path(&error, "code"), JsValue::NULL, "no business code");
        assert_eq!(path(&error, "data"), JsValue::NULL, "no envelope data");
        assert_eq!(
            text(&error, "body").as_deref(),
            Some("<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "the body is the page's text"
        );
        assert_eq!(text(&error, "method").as_deref(), Some("GET"), "the method");
        let url = text(&error, "url").unwrap_or_default();
        assert!(
            url.starts_with(server()) && url.contains("/scenario/html-502"),
            "the absolute URL: {url}"
        );
    }

    #[wasm_bindgen_test]
    async fn json_error_without_envelope_keeps_body() {
        let client = client(&[]);
        let key = unique("json-429");
        let url = format!("/scenario/json-429?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "JSON 429",
        );
        assert_eq!(kind(&error), "http", "an error status without an envelope");
        assert_eq!(number(&error, "status"), Some(429.0), "the status");
        assert_eq!(
            text(&error, "body.error").as_deref(),
            Some("rate limited"),
            "the body is the parsed JSON"
        );
        assert_eq!(
            number(&error, "body.retryAfter"),
            Some(2.0),
            "every field of the JSON is kept"
        );
        assert_eq!(path(&error, "data"), JsValue::NULL, "no envelope data");
    }

    #[wasm_bindgen_test]
    async fn business_error_has_no_body() {
        let client = client(&[]);
        let key = unique("business-body");
        let url = format!("/scenario/business?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "business code",
        );
        assert_eq!(kind(&error), "business", "the envelope's error code");
        assert_eq!(
            path(&error, "body"),
            JsValue::NULL,
            "an envelope's error carries data, not body"
        );
    }

    /// Returns the value of the header `name` in the `Headers` object at `headers` of `value`.
    fn header_of(value: &JsValue, name: &str) -> Option<String> {
        let headers: web_sys::Headers = path(value, "headers").dyn_into().ok()?;
        headers.get(name).ok().flatten()
    }

    #[wasm_bindgen_test]
    async fn full_response_gives_status_headers_and_data() {
        let client = client(&[]);
        let full = || options(&[("fullResponse", JsValue::TRUE)]);
        let calls = vec![
            client.get(JsValue::from("/scenario/ok"), JsValue::UNDEFINED, full()),
            client.get(
                JsValue::from("/scenario/raw"),
                JsValue::UNDEFINED,
                options(&[
                    ("fullResponse", JsValue::TRUE),
                    ("responseType", str("arrayBuffer")),
                ]),
            ),
            client.delete(
                JsValue::from("/scenario/empty-204"),
                JsValue::UNDEFINED,
                full(),
            ),
        ];

        let results = settle_all(calls).await;
        let [ok, raw, empty] = <[_; 3]>::try_from(results).expect("three results");
        let ok = expect_ok(ok, "an envelope");
        assert_eq!(
            path(&ok, "status"),
            JsValue::from(200),
            "the status of the envelope"
        );
        assert_eq!(
            header_of(&ok, "content-type").as_deref(),
            Some("application/json"),
            "the envelope's headers"
        );
        assert_eq!(
            path(&ok, "data.code"),
            JsValue::from(200),
            "data is the envelope"
        );

        let raw = expect_ok(raw, "a raw body");
        assert!(
            path(&raw, "data").is_instance_of::<js_sys::ArrayBuffer>(),
            "data is the raw body"
        );
        assert_eq!(
            header_of(&raw, "content-type").as_deref(),
            Some("application/octet-stream"),
            "the raw body's headers"
        );

        let empty = expect_ok(empty, "an empty 204");
        assert_eq!(
            path(&empty, "status"),
            JsValue::from(204),
            "the status of a 204"
        );
        assert_eq!(
            path(&empty, "data.msg"),
            JsValue::from(""),
            "data is the empty envelope"
        );
    }

    #[wasm_bindgen_test]
    async fn full_response_counts_replays_and_renewal() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let full = || options(&[("fullResponse", JsValue::TRUE)]);
        let key = unique("full-replays");
        let cases = [
            ("/scenario/ok".to_owned(), 0, false, "a plain reply"),
            (
                "/scenario/renewed".to_owned(),
                0,
                true,
                "a reply with a renewed token",
            ),
            (
                format!("/scenario/overdue-once?key={key}"),
                1,
                true,
                "an overdue reply and its replay",
            ),
        ];
        for (url, replays, renewed, what) in cases {
            let call = client.get(JsValue::from(url), JsValue::UNDEFINED, full());
            let result = expect_ok(settle(call).await, what);
            assert_eq!(
                path(&result, "replays"),
                JsValue::from(replays),
                "the replays of {what}"
            );
            assert_eq!(
                path(&result, "renewed"),
                JsValue::from(renewed),
                "whether {what} renewed the token"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn full_response_is_per_caller_in_share() {
        let client = client(&[("duplicates", str("share"))]);
        let url = || JsValue::from(format!("/scenario/slow?delay_ms=200&key={}", "share-full"));
        let calls = vec![
            client.get(
                url(),
                JsValue::UNDEFINED,
                options(&[("fullResponse", JsValue::TRUE)]),
            ),
            client.get(url(), JsValue::UNDEFINED, JsValue::UNDEFINED),
        ];
        let results = settle_all(calls).await;
        let [full, plain] = <[_; 2]>::try_from(results).expect("two results");
        let full = expect_ok(full, "the caller that asked for the full response");
        let plain = expect_ok(plain, "the caller that shares it");
        assert_eq!(
            path(&full, "status"),
            JsValue::from(200),
            "the first gets the status"
        );
        assert_eq!(
            path(&plain, "code"),
            JsValue::from(200),
            "the second gets the envelope"
        );
        assert_eq!(
            path(&full, "data"),
            plain,
            "both read the one shared envelope"
        );
    }

    #[wasm_bindgen_test]
    async fn bare_envelope_gets_empty_msg_and_null_data() {
        let client = client(&[]);
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/bare-envelope"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "an envelope with only a code",
        );
        assert_eq!(
            text(&envelope, "msg").as_deref(),
            Some(""),
            "a missing msg reads as the empty string"
        );
        assert_eq!(
            path(&envelope, "data"),
            JsValue::NULL,
            "missing data reads as null"
        );
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/bare-envelope?code=4001"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "a business code with no msg",
        );
        assert_eq!(kind(&error), "business", "the envelope's error code");
        assert_eq!(
            path(&error, "data"),
            JsValue::NULL,
            "a business error without data has null data"
        );
    }

    #[wasm_bindgen_test]
    async fn slow_response_times_out() {
        let client = client(&[("timeoutMs", JsValue::from(5000))]);
        let key = unique("timeout");
        let url = format!("/scenario/slow?delay_ms=3000&key={key}");
        let per_call = options(&[("timeoutMs", JsValue::from(100))]);
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, per_call)).await,
            "slow response",
        );
        assert_eq!(kind(&error), "timeout", "the call's timeout fired");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some(
                "The request timed out after 100 ms; raise timeoutMs on the client or for this \
                 call if the server needs longer"
            ),
            "the message names the timeout and the setting"
        );
        assert_eq!(
            path(&error, "reason"),
            JsValue::NULL,
            "a timeout has no cancel reason"
        );
    }

    #[wasm_bindgen_test]
    async fn closed_port_is_network_error() {
        let port = closed_port().await;
        let client = client(&[("baseUrl", str(&format!("http://127.0.0.1:{port}")))]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/x".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "closed port",
        );
        assert_eq!(kind(&error), "network", "a failed fetch");
        assert_eq!(
            path(&error, "status"),
            JsValue::NULL,
            "no response, no status"
        );
        assert!(
            path(&error, "cause").is_instance_of::<js_sys::TypeError>(),
            "the cause is the TypeError that fetch rejected with, got {:?}",
            path(&error, "cause")
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_network_error_keeps_fetch_error() {
        let port = closed_port().await;
        let error = rust_client()
            .get::<JsonValue>(&format!("http://127.0.0.1:{port}/x"))
            .await
            .expect_err("a closed port");
        assert!(error.is_network(), "kind network, got {error:?}");
        assert!(
            error
                .cause()
                .is_some_and(|cause| cause.is_instance_of::<js_sys::TypeError>()),
            "Error::cause is the TypeError that fetch rejected with, got {:?}",
            error.cause()
        );
    }

    #[wasm_bindgen_test]
    async fn non_json_success_is_invalid_response() {
        let client = client(&[]);
        let key = unique("not-json");
        let url = format!("/scenario/not-json?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "200 text",
        );
        assert_eq!(kind(&error), "invalid_response", "JSON was expected");
        assert_eq!(number(&error, "status"), Some(200.0), "the status");
        assert_eq!(
            text(&error, "body").as_deref(),
            Some("plain text, not JSON"),
            "the body is the text"
        );
    }

    #[wasm_bindgen_test]
    async fn undecodable_body_names_encoding() {
        let client = client(&[]);
        let key = unique("bad-encoding");
        let url = format!("/scenario/bad-encoding?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a body that is not the gzip its header names",
        );
        assert_eq!(kind(&error), "network", "the body read failed");
        assert_eq!(number(&error, "status"), Some(200.0), "the status arrived");
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("Content-Encoding"),
            "expected the message to name Content-Encoding, got {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn huge_code_is_invalid_response() {
        let client = client(&[]);
        let key = unique("huge-code");
        let url = format!("/scenario/huge-code?key={key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "code 10^20",
        );
        assert_eq!(
            kind(&error),
            "invalid_response",
            "a code beyond 2^53 is not read as a business code"
        );
        assert_eq!(path(&error, "code"), JsValue::NULL, "no code is reported");
        assert_eq!(
            text(&error, "body.msg").as_deref(),
            Some("huge"),
            "the body is the parsed JSON"
        );
    }

    #[wasm_bindgen_test]
    async fn empty_204_resolves_success() {
        let client = client(&[]);
        let key = unique("empty-204");
        let url = format!("/scenario/empty-204?key={key}");
        let envelope = expect_ok(
            settle(client.delete(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "empty 204",
        );
        assert_eq!(
            number(&envelope, "code"),
            Some(200.0),
            "an empty 2xx is the success code"
        );
        assert_eq!(path(&envelope, "data"), JsValue::NULL, "with null data");
    }

    #[wasm_bindgen_test]
    async fn raw_text_skips_envelope() {
        let client = client(&[]);
        let key = unique("raw-text");
        let url = format!("/scenario/not-json?key={key}");
        let raw = options(&[("responseType", str("text"))]);
        let body = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, raw)).await,
            "text body",
        );
        assert_eq!(
            body.as_string().as_deref(),
            Some("plain text, not JSON"),
            "the raw text"
        );
    }

    #[wasm_bindgen_test]
    async fn raw_array_buffer_skips_envelope() {
        let client = client(&[]);
        let key = unique("raw-buffer");
        let url = format!("/scenario/raw?key={key}");
        let raw = options(&[("responseType", str("arrayBuffer"))]);
        let body = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, raw)).await,
            "arrayBuffer body",
        );
        assert!(
            body.is_instance_of::<js_sys::ArrayBuffer>(),
            "an ArrayBuffer"
        );
        assert_eq!(
            Uint8Array::new(&body).to_vec(),
            vec![0, 1, 2, 3, 255],
            "the bytes"
        );
    }

    #[wasm_bindgen_test]
    async fn raw_blob_skips_envelope() {
        let client = client(&[]);
        let key = unique("raw-blob");
        let url = format!("/scenario/raw?key={key}");
        let raw = options(&[("responseType", str("blob"))]);
        let body = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, raw)).await,
            "blob body",
        );
        let blob: web_sys::Blob = body.dyn_into().expect("a Blob");
        assert_eq!(blob.size(), 5.0, "the five bytes");
    }

    #[wasm_bindgen_test]
    async fn raw_type_replays_overdue() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("raw-overdue");
        let url = format!("/scenario/overdue-once?key={key}");
        let raw = options(&[("responseType", str("text"))]);
        let body = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, raw)).await,
            "text body after overdue",
        );
        let body = body.as_string().unwrap_or_default();
        assert!(
            body.starts_with("{\"code\":200"),
            "the replay's raw body: {body}"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "the 401 was read as an envelope and replayed"
        );
    }

    #[wasm_bindgen_test]
    async fn raw_type_error_status_is_http() {
        let client = client(&[]);
        let raw = options(&[("responseType", str("blob"))]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/html-502".to_owned()),
                JsValue::UNDEFINED,
                raw,
            ))
            .await,
            "blob of a 502",
        );
        assert_eq!(kind(&error), "http", "an error status without an envelope");
        assert_eq!(number(&error, "status"), Some(502.0), "the status");
        assert!(
            text(&error, "body").is_some_and(|body| body.contains("502 Bad Gateway")),
            "an error body is text whatever the responseType, got {:?}",
            path(&error, "body")
        );
    }

    // Duplicates.

    async fn storm(policy: &str) -> (String, Vec<Result<JsValue, JsValue>>) {
        let client = client(&[("duplicates", str(policy))]);
        let key = unique(&format!("storm-{policy}"));
        let url = format!("/scenario/slow?delay_ms=200&key={key}");
        let calls: Vec<Promise> = (0..100)
            .map(|_| {
                client.get(
                    JsValue::from(url.clone()),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                )
            })
            .collect();
        let results = settle_all(calls).await;
        assert_eq!(
            client.pending_count(),
            0,
            "pendingCount is 0 after the {policy} storm"
        );
        (key, results)
    }

    #[wasm_bindgen_test]
    async fn storm_cancel_previous_keeps_last() {
        let (key, results) = storm("cancel-previous").await;
        let (last, earlier) = results.split_last().expect("100 results");
        for (i, result) in earlier.iter().enumerate() {
            let error = expect_error(result.clone(), &format!("storm call {i}"));
            assert_eq!(kind(&error), "canceled", "call {i} was canceled");
            assert_eq!(
                reason(&error).as_deref(),
                Some("duplicate"),
                "call {i} was replaced by a duplicate"
            );
        }
        expect_ok(last.clone(), "the last storm call");
        let count = server_count(&key).await;
        assert!(
            count >= 1.0,
            "the last call reached the server, count {count}"
        );
        assert!(count <= 100.0, "no call was sent twice, count {count}");
    }

    #[wasm_bindgen_test]
    async fn storm_share_sends_one_request() {
        let (key, results) = storm("share").await;
        for (i, result) in results.into_iter().enumerate() {
            let envelope = expect_ok(result, &format!("shared call {i}"));
            assert_eq!(
                number(&envelope, "code"),
                Some(200.0),
                "call {i} got the shared result"
            );
        }
        assert_eq!(
            server_count(&key).await,
            1.0,
            "100 shared calls sent exactly one request"
        );
    }

    #[wasm_bindgen_test]
    async fn storm_off_sends_every_request() {
        let client = client(&[("duplicates", str("off"))]);
        let key = unique("storm-off");
        let url = format!("/scenario/slow?delay_ms=0&key={key}");
        let calls: Vec<Promise> = (0..100)
            .map(|_| {
                client.get(
                    JsValue::from(url.clone()),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                )
            })
            .collect();
        for (i, result) in settle_all(calls).await.into_iter().enumerate() {
            expect_ok(result, &format!("call {i} with duplicates off"));
        }
        assert_eq!(
            client.pending_count(),
            0,
            "pendingCount is 0 after the off storm"
        );
        assert_eq!(
            server_count(&key).await,
            100.0,
            "every call reached the server"
        );
    }

    #[wasm_bindgen_test]
    async fn duplicate_key_ignores_param_order() {
        let client = client(&[]);
        let key = unique("param-order");
        let url = format!("/scenario/slow?delay_ms=200&key={key}");
        let first = object(&[("a", JsValue::from(1)), ("b", JsValue::from(2))]);
        let second = object(&[("b", JsValue::from(2)), ("a", JsValue::from(1))]);
        let earlier = track(client.get(JsValue::from(url.clone()), first, JsValue::UNDEFINED));
        let later = track(client.get(JsValue::from(url), second, JsValue::UNDEFINED));
        let error = expect_error(earlier.await, "the earlier call");
        assert_eq!(
            reason(&error).as_deref(),
            Some("duplicate"),
            "the same params in another order are a duplicate"
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some(
                "The request was canceled by a newer request with the same method, URL, params \
                 and body; set duplicates to \"share\" on the client or on both calls to give \
                 them one response, or to \"off\" on the newer call to send both"
            ),
            "expected the message to name the policies that keep both calls"
        );
        expect_ok(later.await, "the later call");
    }

    #[wasm_bindgen_test]
    async fn newer_call_off_keeps_older_call() {
        let client = client(&[]);
        let key = unique("newer-off");
        let url = format!("/scenario/slow?delay_ms=200&key={key}");
        let earlier = track(client.get(
            JsValue::from(url.clone()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ));
        let later = track(client.get(
            JsValue::from(url),
            JsValue::UNDEFINED,
            options(&[("duplicates", str("off"))]),
        ));
        expect_ok(
            earlier.await,
            "the earlier call beside a newer one with duplicates off",
        );
        expect_ok(later.await, "the newer call with duplicates off");
        assert_eq!(server_count(&key).await, 2.0, "expected both requests sent");
    }

    #[wasm_bindgen_test]
    async fn different_bodies_are_not_duplicates() {
        let client = client(&[]);
        let key = unique("bodies");
        let url = format!("/scenario/slow?delay_ms=100&key={key}");
        let first = track(client.post(
            JsValue::from(url.clone()),
            object(&[("n", JsValue::from(1))]),
            JsValue::UNDEFINED,
        ));
        let second = track(client.post(
            JsValue::from(url),
            object(&[("n", JsValue::from(2))]),
            JsValue::UNDEFINED,
        ));
        expect_ok(first.await, "the first body");
        expect_ok(second.await, "the second body");
        assert_eq!(server_count(&key).await, 2.0, "both bodies were sent");
    }

    #[wasm_bindgen_test]
    async fn duplicate_key_ignores_body_key_order() {
        let client = client(&[]);
        let key = unique("body-order");
        let url = format!("/scenario/slow?delay_ms=200&key={key}");
        let first = js_sys::JSON::parse(r#"{"a":1,"b":{"c":[{"d":1,"e":2}],"f":null}}"#)
            .expect("the fixture is JSON");
        let second = js_sys::JSON::parse(r#"{"b":{"f":null,"c":[{"e":2,"d":1}]},"a":1}"#)
            .expect("the fixture is JSON");
        let earlier = track(client.post(JsValue::from(url.clone()), first, JsValue::UNDEFINED));
        let later = track(client.post(JsValue::from(url), second, JsValue::UNDEFINED));
        let error = expect_error(earlier.await, "the earlier call");
        assert_eq!(
            reason(&error).as_deref(),
            Some("duplicate"),
            "expected the same body with its keys in another order to be a duplicate"
        );
        expect_ok(later.await, "the later call");
    }

    #[wasm_bindgen_test]
    async fn bodies_with_other_json_not_duplicates() {
        // Each pair is sent as two different JSON texts.
        let parse = |json: &str| js_sys::JSON::parse(json).expect("the fixture is JSON");
        let with_to_json = js_function("n", "return { toJSON() { return { n: n }; } };");
        let to_json = |n: i32| {
            with_to_json
                .call1(&JsValue::UNDEFINED, &JsValue::from(n))
                .expect("the fixture runs")
        };
        let pairs = [
            (
                "number and string",
                parse(r#"{"n":1}"#),
                parse(r#"{"n":"1"}"#),
            ),
            (
                "null and empty string",
                parse(r#"{"n":null}"#),
                parse(r#"{"n":""}"#),
            ),
            (
                "empty array and no field",
                parse(r#"{"n":[]}"#),
                parse("{}"),
            ),
            ("array and object", parse("[1]"), parse(r#"{"0":1}"#)),
            (
                "__proto__ field and no field",
                parse(r#"{"__proto__":1}"#),
                parse("{}"),
            ),
            ("toJSON results", to_json(1), to_json(2)),
        ];
        for (name, first_body, second_body) in pairs {
            let client = client(&[]);
            let key = unique("json-bodies");
            let url = format!("/scenario/slow?delay_ms=100&key={key}");
            let first =
                track(client.post(JsValue::from(url.clone()), first_body, JsValue::UNDEFINED));
            let second = track(client.post(JsValue::from(url), second_body, JsValue::UNDEFINED));
            expect_ok(first.await, &format!("{name}: the first body"));
            expect_ok(second.await, &format!("{name}: the second body"));
            assert_eq!(
                server_count(&key).await,
                2.0,
                "{name}: expected both bodies to reach the server"
            );
        }
    }

    /// Sends `body` with `method` from a client with `client_type` as its `Content-Type` and
    /// a call with `call_type`, and returns the `Content-Type` that the echo received.
    async fn sent_content_type(
        client_type: Option<&str>,
        call_type: Option<&str>,
        method: &str,
        body: JsValue,
    ) -> Option<String> {
        let header = |value: Option<&str>| match value {
            Some(value) => vec![("headers", object(&[("Content-Type", str(value))]))],
            None => Vec::new(),
        };
        let client = client(&header(client_type));
        let mut config = vec![
            ("url", str("/scenario/echo-auth")),
            ("method", str(method)),
            ("body", body),
        ];
        config.extend(header(call_type));
        let envelope = expect_ok(settle(client.request(object(&config))).await, "echo");
        text(&envelope, "data.contentType")
    }

    /// What a case sends, the client's and the call's `Content-Type`, the method, the body, and
    /// the start of the `Content-Type` that the server should receive.
    type ContentTypeCase = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
        JsValue,
        Option<&'static str>,
    );

    #[wasm_bindgen_test]
    async fn content_type_follows_body() {
        let form = || {
            let form = web_sys::FormData::new().expect("FormData exists");
            form.append_with_str("field", "value")
                .expect("a string field");
            JsValue::from(form)
        };
        let search = || {
            JsValue::from(web_sys::UrlSearchParams::new_with_str("a=1").expect("URLSearchParams"))
        };
        let json = "application/json";
        let multipart = "multipart/form-data";
        let form_type = "application/x-www-form-urlencoded;charset=UTF-8";
        // A slice is the way to give a Blob a type with the web-sys features that the crate
        // enables.
        let blob = || {
            let parts = js_sys::Array::of1(&JsValue::from("a,b"));
            let untyped = web_sys::Blob::new_with_str_sequence(&parts).expect("a Blob");
            JsValue::from(
                untyped
                    .slice_with_i32_and_i32_and_content_type(0, 3, "text/csv")
                    .expect("a typed Blob"),
            )
        };
        let bytes = || JsValue::from(js_sys::Uint8Array::from(&b"abc"[..]));
        let cases: [ContentTypeCase; 11] = [
            (
                "FormData, client JSON type",
                Some(json),
                None,
                "POST",
                form(),
                Some("multipart/form-data; boundary="),
            ),
            (
                "FormData, call multipart type",
                None,
                Some(multipart),
                "POST",
                form(),
                Some("multipart/form-data; boundary="),
            ),
            (
                "FormData, call JSON type",
                None,
                Some(json),
                "POST",
                form(),
                Some("multipart/form-data; boundary="),
            ),
            (
                "URLSearchParams, client JSON type",
                Some(json),
                None,
                "POST",
                search(),
                Some(form_type),
            ),
            (
                "URLSearchParams, call text type",
                None,
                Some("text/plain"),
                "POST",
                search(),
                Some("text/plain"),
            ),
            (
                "Blob, client JSON type",
                Some(json),
                None,
                "POST",
                blob(),
                Some("text/csv"),
            ),
            (
                "Blob, call text type",
                Some(json),
                Some("text/plain"),
                "POST",
                blob(),
                Some("text/plain"),
            ),
            (
                "Uint8Array, client binary type",
                Some("application/octet-stream"),
                None,
                "POST",
                bytes(),
                Some("application/octet-stream"),
            ),
            (
                "string body, client JSON type",
                Some(json),
                None,
                "POST",
                JsValue::from("{}"),
                Some(json),
            ),
            (
                "GET without body, client JSON type",
                Some(json),
                None,
                "GET",
                JsValue::UNDEFINED,
                None,
            ),
            (
                "object body, client JSON type",
                Some("application/json;charset=utf-8"),
                None,
                "POST",
                object(&[("a", JsValue::from(1))]),
                Some("application/json;charset=utf-8"),
            ),
        ];
        for (what, client_type, call_type, method, body, expected) in cases {
            let sent = sent_content_type(client_type, call_type, method, body).await;
            match expected {
                Some(prefix) => assert!(
                    sent.as_deref().is_some_and(|sent| sent.starts_with(prefix)),
                    "{what}: expected a Content-Type that starts with {prefix:?}, got {sent:?}"
                ),
                None => assert_eq!(sent, None, "{what}: expected no Content-Type"),
            }
        }
    }

    #[wasm_bindgen_test]
    async fn json_body_under_form_type_rejected() {
        let cases = [
            (
                "application/x-www-form-urlencoded",
                "pass a URLSearchParams",
            ),
            ("multipart/form-data; boundary=x", "pass a FormData"),
        ];
        for (content_type, fix) in cases {
            let client = client(&[]);
            let key = unique("json-form-type");
            let error = expect_error(
                settle(client.request(object(&[
                    ("url", str(&format!("/scenario/ok?key={key}"))),
                    ("method", str("POST")),
                    ("body", object(&[("a", JsValue::from(1))])),
                    ("headers", object(&[("Content-Type", str(content_type))])),
                ])))
                .await,
                content_type,
            );
            assert_eq!(
                kind(&error),
                "invalid_request",
                "{content_type}: expected the caller's error"
            );
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(fix),
                "{content_type}: expected the message to say {fix:?}: {message}"
            );
            assert_eq!(
                server_count(&key).await,
                0.0,
                "{content_type}: expected nothing sent"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn form_data_never_deduplicated() {
        let client = client(&[]);
        let key = unique("form-data");
        let url = format!("/scenario/slow?delay_ms=100&key={key}");
        let form = web_sys::FormData::new().expect("FormData exists");
        form.append_with_str("field", "value")
            .expect("a string field");
        let first = track(client.post(
            JsValue::from(url.clone()),
            form.clone().into(),
            JsValue::UNDEFINED,
        ));
        let second = track(client.post(JsValue::from(url), form.into(), JsValue::UNDEFINED));
        expect_ok(first.await, "the first FormData post");
        expect_ok(second.await, "the second FormData post");
        assert_eq!(
            server_count(&key).await,
            2.0,
            "FormData bodies are never deduplicated"
        );
    }

    #[wasm_bindgen_test]
    async fn params_serialized_like_qs() {
        let client = client(&[]);
        let nested = object(&[("c", Array::of2(&JsValue::from(1), &str("x y")).into())]);
        let params = object(&[
            ("b", JsValue::TRUE),
            ("a", nested),
            ("skip", JsValue::UNDEFINED),
            ("n", JsValue::NULL),
        ]);
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                params,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            text(&envelope, "data.query").as_deref(),
            Some("a%5Bc%5D%5B0%5D=1&a%5Bc%5D%5B1%5D=x%20y&b=true&n="),
            "sorted keys, qs brackets and indices, null as empty, undefined left out"
        );
    }

    #[wasm_bindgen_test]
    async fn request_options_in_params_rejected() {
        let client = client(&[]);
        let signal = web_sys::AbortController::new()
            .expect("an AbortController")
            .signal();
        let cases = [
            ("get", "params", object(&[("page", JsValue::from(2))])),
            (
                "get",
                "headers",
                object(&[("Authorization", str("Bearer secret-token"))]),
            ),
            ("get", "signal", signal.into()),
            ("get", "responseType", str("blob")),
            ("get", "fullResponse", JsValue::TRUE),
            (
                "get",
                "auth",
                object(&[("username", str("u")), ("password", str("secret-token"))]),
            ),
            (
                "get",
                "headers",
                array(&[array(&[str("Authorization"), str("Bearer secret-token")])]),
            ),
            ("get", "timeoutMs", JsValue::from(100)),
            ("delete", "data", object(&[("id", JsValue::from(1))])),
        ];
        for (method, name, value) in cases {
            let params = object(&[(name, value)]);
            let url = JsValue::from("/scenario/echo-auth".to_owned());
            let call = match method {
                "get" => client.get(url, params, JsValue::UNDEFINED),
                _ => client.delete(url, params, JsValue::UNDEFINED),
            };
            let error = expect_error(settle(call).await, name);
            assert_eq!(
                kind(&error),
                "invalid_request",
                "{method} with {name} in the params is the caller's error"
            );
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(&format!(
                    "The params contain \"{name}\", which is a request option, not a query field; \
                     pass the options third, as in {method}(url, undefined, {{ {name} }})"
                )),
                "the message names {name} and the fix: {message}"
            );
            assert!(
                !message.contains("secret-token")
                    && !text(&error, "url").unwrap_or_default().contains("secret"),
                "neither the message nor the URL holds the header value: {message}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn request_options_in_options_params_rejected() {
        let client = client(&[]);
        let leaking = || {
            object(&[(
                "headers",
                object(&[("Authorization", str("Bearer secret-token"))]),
            )])
        };
        let calls = [
            (
                "get",
                client.get(
                    JsValue::from("/scenario/echo-auth"),
                    JsValue::UNDEFINED,
                    options(&[("params", leaking())]),
                ),
            ),
            (
                "request",
                client.request(object(&[
                    ("url", str("/scenario/echo-auth")),
                    ("params", leaking()),
                ])),
            ),
        ];
        for (what, call) in calls {
            let error = expect_error(settle(call).await, what);
            assert_eq!(
                kind(&error),
                "invalid_request",
                "{what}: the caller's error"
            );
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(
                    "The params contain \"headers\", which is a request option, not a query field; \
                     set it beside params, as in { params, headers }"
                ),
                "{what}: the message names headers and the fix: {message}"
            );
            assert!(
                !message.contains("secret-token"),
                "{what}: the message leaves out the header value: {message}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn options_params_names_sent() {
        let client = client(&[]);
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth"),
                JsValue::UNDEFINED,
                options(&[(
                    "params",
                    object(&[("data", object(&[("type", str("csv"))]))]),
                )]),
            ))
            .await,
            "options.params with a query field named data",
        );
        assert_eq!(
            text(&envelope, "data.query").as_deref(),
            Some("data%5Btype%5D=csv"),
            "options.params are query fields whatever their names"
        );
        let envelope = expect_ok(
            settle(client.request(object(&[
                ("url", str("/scenario/echo-auth")),
                ("params", object(&[("timeout", JsValue::from(5))])),
            ])))
            .await,
            "request() with a query field named timeout",
        );
        assert_eq!(
            text(&envelope, "data.query").as_deref(),
            Some("timeout=5"),
            "the params of request() are query fields whatever their names"
        );
    }

    #[wasm_bindgen_test]
    async fn argument_option_names_message() {
        let client = client(&[]);
        let params = object(&[("data", object(&[("type", str("csv"))]))]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/echo-auth"),
                params,
                JsValue::UNDEFINED,
            ))
            .await,
            "get's params of one option name",
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.ends_with(
                "or, to send query fields of these names, pass the params as options.params"
            ),
            "the message names options.params as the way to send them: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn credentials_beside_query_fields_rejected() {
        let client = client(&[]);
        let params = object(&[
            ("q", JsValue::from(1)),
            (
                "auth",
                object(&[("username", str("u")), ("password", str("hunter2"))]),
            ),
        ]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/echo-auth"),
                params,
                JsValue::UNDEFINED,
            ))
            .await,
            "axios's auth beside a query field",
        );
        assert_eq!(kind(&error), "invalid_request", "the caller's error");
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("The params contain \"auth\""),
            "the message names auth: {message}"
        );
        assert!(
            !message.contains("hunter2"),
            "no password in the message: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn backslash_url_with_credentials_not_joined_to_base() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let url = server().replace("http://", "\\\\127.0.0.1:pw@") + "/scenario/echo-auth";
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a URL with two backslashes, user info and a password",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "\\\\ starts a protocol-relative URL, whose credentials are refused"
        );
    }

    #[wasm_bindgen_test]
    fn allowed_origin_as_url_object() {
        let origins = array(&[url_object(&format!("{}/", server()))]);
        if let Err(error) = renew_fetch::client::HttpClient::new(object(&[
            ("allowedOrigins", origins),
            ("tokenStorage", str("memory")),
        ])) {
            panic!(
                "a URL object in allowedOrigins is accepted, got {:?}",
                text(&error, "message")
            );
        }
    }

    #[wasm_bindgen_test]
    async fn query_fields_named_like_options_sent() {
        let client = client(&[]);
        let params = object(&[
            ("data", object(&[("type", str("csv"))])),
            ("headers", JsValue::from(1)),
            ("responseType", str("json")),
            ("page", JsValue::from(1)),
        ]);
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                params,
                JsValue::UNDEFINED,
            ))
            .await,
            "query fields whose values no option takes",
        );
        assert_eq!(
            text(&envelope, "data.query").as_deref(),
            Some("data%5Btype%5D=csv&headers=1&page=1&responseType=json"),
            "option names beside a query field, other than headers as an object, are query fields"
        );
    }

    #[wasm_bindgen_test]
    async fn params_given_twice_rejected() {
        let client = client(&[]);
        let key = unique("params-twice");
        let url = format!("/scenario/ok?key={key}");
        let error = expect_error(
            settle(client.get(
                JsValue::from(url),
                object(&[("a", JsValue::from(1))]),
                options(&[("params", object(&[("p", JsValue::from(1))]))]),
            ))
            .await,
            "params as an argument and in the options",
        );
        assert_eq!(kind(&error), "invalid_request", "the caller's input");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some(
                "The params were given twice, as an argument and as options.params; pass them once"
            ),
            "the message names both places"
        );
        assert_eq!(server_count(&key).await, 0.0, "nothing was sent");
    }

    #[wasm_bindgen_test]
    async fn json_body_sent_with_content_type() {
        let client = client(&[]);
        let body = object(&[("name", str("widget"))]);
        let envelope = expect_ok(
            settle(client.post(
                JsValue::from("/scenario/echo-auth".to_owned()),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            text(&envelope, "data.body").as_deref(),
            Some(r#"{"name":"widget"}"#),
            "the JSON body"
        );
        assert_eq!(
            text(&envelope, "data.contentType").as_deref(),
            Some("application/json"),
            "the JSON content type"
        );
        assert_eq!(
            text(&envelope, "data.method").as_deref(),
            Some("POST"),
            "the method"
        );
    }

    #[wasm_bindgen_test]
    async fn ky_options_as_body_rejected() {
        let client = client(&[]);
        let body = object(&[
            ("json", object(&[("name", str("widget"))])),
            (
                "headers",
                object(&[("Authorization", str("Bearer secret-token"))]),
            ),
        ]);
        let error = expect_error(
            settle(client.post(
                JsValue::from("/scenario/echo-auth".to_owned()),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "ky's post(url, { json, headers })",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "ky's options as the body are the caller's error"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains(
                "The body contains \"json\", which is ky's option for the data; pass the data \
                 itself, as in post(url, data, { headers })"
            ),
            "the message names json and the fix: {message}"
        );
        assert!(
            !message.contains("secret-token"),
            "the message leaves out the header value: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn fetch_options_as_body_rejected() {
        let client = client(&[]);
        let headers = || object(&[("Authorization", str("Bearer secret-token"))]);
        let bodies = [
            (
                "json",
                object(&[
                    ("json", object(&[("a", JsValue::from(1))])),
                    ("headers", headers()),
                    ("mode", str("cors")),
                ]),
            ),
            (
                "headers",
                object(&[("body", str("{}")), ("headers", headers())]),
            ),
            (
                "headers",
                object(&[
                    ("searchParams", object(&[("a", JsValue::from(1))])),
                    ("headers", headers()),
                ]),
            ),
        ];
        for (name, body) in bodies {
            let error = expect_error(
                settle(client.post(
                    JsValue::from("/scenario/echo-auth"),
                    body,
                    JsValue::UNDEFINED,
                ))
                .await,
                name,
            );
            assert_eq!(
                kind(&error),
                "invalid_request",
                "{name}: the caller's error"
            );
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.starts_with(&format!("The body contains \"{name}\"")),
                "{name}: the message names the option: {message}"
            );
            assert!(
                !message.contains("secret-token"),
                "{name}: the message leaves out the header value: {message}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn own_options_body_rejected() {
        let client = client(&[]);
        for other in ["params", "timeoutMs", "data", "withCredentials"] {
            let body = object(&[
                (
                    "headers",
                    object(&[("Authorization", str("Bearer secret-token"))]),
                ),
                (other, JsValue::TRUE),
            ]);
            let error = expect_error(
                settle(client.post(
                    JsValue::from("/scenario/echo-auth"),
                    body,
                    JsValue::UNDEFINED,
                ))
                .await,
                other,
            );
            assert_eq!(
                kind(&error),
                "invalid_request",
                "headers beside {other} as the body are the caller's error"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn plain_headers_body_rejected() {
        let client = client(&[]);
        let body = object(&[
            ("headers", object(&[("Accept", str("application/json"))])),
            ("timeout", JsValue::from(5000)),
        ]);
        let error = expect_error(
            settle(client.post(
                JsValue::from("/scenario/echo-auth"),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "headers without a token beside timeout",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "headers beside another option are options"
        );
    }

    #[wasm_bindgen_test]
    async fn table_with_column_headers_sent() {
        let client = client(&[]);
        let body = object(&[
            ("headers", object(&[("name", str("Name"))])),
            ("data", array(&[array(&[str("x")])])),
        ]);
        let envelope = expect_ok(
            settle(client.post(
                JsValue::from("/scenario/echo-auth"),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "a table whose headers name no request header",
        );
        assert_eq!(
            text(&envelope, "data.body").as_deref(),
            Some(r#"{"headers":{"name":"Name"},"data":[["x"]]}"#),
            "the body as JSON"
        );
    }

    #[wasm_bindgen_test]
    async fn boolean_json_field_sent() {
        let client = client(&[]);
        let body = object(&[("json", JsValue::TRUE), ("cache", JsValue::FALSE)]);
        let envelope = expect_ok(
            settle(client.post(
                JsValue::from("/scenario/echo-auth"),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "data whose names are fetch and ky options, with json a boolean",
        );
        assert_eq!(
            text(&envelope, "data.body").as_deref(),
            Some(r#"{"json":true,"cache":false}"#),
            "the body as JSON"
        );
    }

    #[wasm_bindgen_test]
    async fn json_field_beside_data_fields_sent() {
        let client = client(&[]);
        let body = object(&[("json", JsValue::TRUE), ("name", str("widget"))]);
        let envelope = expect_ok(
            settle(client.post(
                JsValue::from("/scenario/echo-auth".to_owned()),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "a body with a json field beside a field that is no ky option",
        );
        assert_eq!(
            text(&envelope, "data.body").as_deref(),
            Some(r#"{"json":true,"name":"widget"}"#),
            "the body as JSON"
        );
    }

    #[wasm_bindgen_test]
    async fn request_config_sends_method_and_params() {
        let client = client(&[]);
        let config = object(&[
            ("url", str("/scenario/echo-auth")),
            ("method", str("put")),
            ("params", object(&[("page", JsValue::from(2))])),
            ("body", str("plain")),
        ]);
        let envelope = expect_ok(settle(client.request(config)).await, "request(config)");
        assert_eq!(
            text(&envelope, "data.method").as_deref(),
            Some("PUT"),
            "the method in uppercase"
        );
        assert_eq!(
            text(&envelope, "data.query").as_deref(),
            Some("page=2"),
            "the params"
        );
        assert_eq!(
            text(&envelope, "data.body").as_deref(),
            Some("plain"),
            "a string body as it is"
        );
    }

    #[wasm_bindgen_test]
    async fn invalid_option_rejects_invalid_request() {
        let client = client(&[]);
        let bad = options(&[("responseType", str("xml"))]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/ok".to_owned()),
                JsValue::UNDEFINED,
                bad,
            ))
            .await,
            "bad option",
        );
        assert_eq!(kind(&error), "invalid_request", "a bad per-call option");
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("\"xml\""),
            "the message names the value: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn invalid_header_value_rejects_invalid_request() {
        let client = client(&[]);
        // U+20AC is outside ISO-8859-1, so Headers.set throws for it.
        let bad = options(&[("headers", object(&[("X-Note", str("5 \u{20ac}"))]))]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/ok".to_owned()),
                JsValue::UNDEFINED,
                bad,
            ))
            .await,
            "a header value outside ISO-8859-1",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "a header value fetch cannot send"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("\"X-Note\""),
            "the message names the header: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn url_with_credentials_rejects_invalid_request() {
        let client = client(&[]);
        let url = server().replace("http://", "http://user:secret@") + "/scenario/ok";
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a URL with credentials",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "a request that fetch refuses to build is the caller's error, not the network's"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            !message.contains("secret"),
            "the message leaves out the password: {message}"
        );
        assert_eq!(
            text(&error, "url"),
            Some(format!("{}/scenario/ok", server())),
            "the error's URL has no user name or password"
        );
    }

    #[wasm_bindgen_test]
    fn invalid_client_option_throws_type_error() {
        let result = renew_fetch::client::HttpClient::new(object(&[("duplicates", str("never"))]));
        let error = match result {
            Ok(_) => panic!("expected a TypeError for duplicates: \"never\""),
            Err(error) => error,
        };
        assert!(error.is_instance_of::<js_sys::TypeError>(), "a TypeError");
    }

    fn array(items: &[JsValue]) -> JsValue {
        items.iter().collect::<Array>().into()
    }

    /// Returns the object that a JavaScript expression creates, such as one with a getter.
    fn js_object(source: &str) -> JsValue {
        js_sys::Function::new_no_args(&format!("return {source};"))
            .call0(&JsValue::UNDEFINED)
            .expect("the test's expression runs")
    }

    /// Returns each invalid client option, with the message that names it.
    fn invalid_client_options() -> Vec<(JsValue, &'static str)> {
        let with_option = |name: &str, value: JsValue| object(&[(name, value)]);
        let codes = |fields: &[(&str, JsValue)]| with_option("codes", object(fields));
        vec![
            (
                JsValue::from(5),
                "the options must be an object, such as { baseUrl: \"/api\" }, got number",
            ),
            (
                array(&[]),
                "the options must be an object, such as { baseUrl: \"/api\" }, got an array",
            ),
            (
                with_option("baseUrl", JsValue::from(5)),
                "baseUrl must be a string or a URL object, such as \"/items\", got number",
            ),
            (
                with_option("baseURL", str("/api")),
                "baseURL is not an option of renew-fetch; use baseUrl",
            ),
            (
                with_option("timeout", JsValue::from(100)),
                "timeout is not an option of renew-fetch; use timeoutMs",
            ),
            (
                object(&[("baseURL", str("/api")), ("timeout", JsValue::from(100))]),
                "baseURL is not an option of renew-fetch; use baseUrl. timeout is not an option \
                 of renew-fetch; use timeoutMs",
            ),
            (
                object(&[
                    ("onLoginRequire", js_sys::Function::new_no_args("").into()),
                    ("timeout", JsValue::from(100)),
                ]),
                "onLoginRequire is not an option of renew-fetch; did you mean onLoginRequired? \
                 timeout is not an option of renew-fetch; use timeoutMs",
            ),
            (
                with_option("timeoutMs", JsValue::from(-1)),
                "timeoutMs must be a whole number from 0 to 2147483647, got -1",
            ),
            (
                with_option("timeoutMs", JsValue::from(1.5)),
                "timeoutMs must be a whole number from 0 to 2147483647, got 1.5",
            ),
            (
                with_option("timeoutMs", str("100")),
                "timeoutMs must be a whole number from 0 to 2147483647, got \"100\"",
            ),
            (
                with_option("timeoutMs", JsValue::from(2_147_483_648u32)),
                "timeoutMs must be a whole number from 0 to 2147483647, got 2147483648",
            ),
            (
                with_option("headers", JsValue::from(5)),
                "headers must be an object of header names and values, such as { \"X-Client\": \"web\" }, got number",
            ),
            (
                with_option("headers", array(&[str("X-Test")])),
                "headers[0] must be a [name, value] pair, such as [\"X-Client\", \"web\"], got string",
            ),
            (
                with_option("headers", js_object("[['X-Test']]")),
                "headers[0] must be a [name, value] pair, such as [\"X-Client\", \"web\"], got an array of 1 item",
            ),
            (
                with_option("headers", js_object("[['X-A', '1'], ['X-B', '2', '3']]")),
                "headers[1] must be a [name, value] pair, such as [\"X-Client\", \"web\"], got an array of 3 items",
            ),
            (
                with_option("headers", js_object("new Set([['X-A', '1'], null])")),
                "headers[1] must be a [name, value] pair, such as [\"X-Client\", \"web\"], got null",
            ),
            (
                with_option("headers", object(&[("X Bad", str("1"))])),
                "headers contains \"X Bad\", which is not a valid header name",
            ),
            (
                with_option("headers", object(&[("X-Note", JsValue::NULL)])),
                "headers.X-Note must be a string, a number or a boolean, got null",
            ),
            (
                with_option(
                    "headers",
                    object(&[("common", object(&[("X-Note", str("1"))]))]),
                ),
                "headers.common must be a string, a number or a boolean, got object; \
                 headers.common is axios's group of headers, so put its headers in headers itself",
            ),
            (
                with_option("headers", object(&[("X-Note", str("a\nb"))])),
                "the value of header \"X-Note\" is not a valid header value; remove line breaks, NUL and characters above U+00FF",
            ),
            (
                js_object("{ get headers() { throw new Error('boom'); } }"),
                "reading headers failed: Error: boom",
            ),
            (
                with_option("tokenStorage", str("disk")),
                "tokenStorage must be \"local\", \"session\" or \"memory\", got \"disk\"",
            ),
            (
                js_object("{ get tokenStorage() { throw new Error('boom'); } }"),
                "reading tokenStorage failed: Error: boom",
            ),
            (with_option("tokenKey", str("")), "tokenKey must not be empty"),
            (
                with_option("authHeader", str("Auth Header")),
                "authHeader \"Auth Header\" is not a valid header name",
            ),
            (
                with_option("authScheme", str("Be\u{2003}arer")),
                "authScheme \"Be\u{2003}arer\" must be one word of ASCII letters, digits and \
                 !#$%&'*+-.^_`|~, such as \"Bearer\", or \"\" for the raw token",
            ),
            (
                with_option("authScheme", str("Bearer\u{0}")),
                "authScheme \"Bearer\\u0000\" must be one word of ASCII letters, digits and \
                 !#$%&'*+-.^_`|~, such as \"Bearer\", or \"\" for the raw token",
            ),
            (
                with_option("authScheme", str("Tok\u{e9}n")),
                "authScheme \"Tok\u{e9}n\" must be one word of ASCII letters, digits and \
                 !#$%&'*+-.^_`|~, such as \"Bearer\", or \"\" for the raw token",
            ),
            (
                with_option("allowedOrigins", str("http://127.0.0.1")),
                "allowedOrigins must be an array of strings, such as [\"http://127.0.0.1:8080\"], \
                 got \"http://127.0.0.1\"",
            ),
            (
                with_option("allowedOrigins", array(&[str("http://a"), JsValue::from(5)])),
                "allowedOrigins must be an array of strings, such as [\"http://127.0.0.1:8080\"], \
                 got an array holding 5",
            ),
            (
                with_option("onLoginRequire", js_sys::Function::new_no_args("").into()),
                "onLoginRequire is not an option of renew-fetch; did you mean onLoginRequired?",
            ),
            (
                with_option("baseurl", str("/api")),
                "baseurl is not an option of renew-fetch; did you mean baseUrl?",
            ),
            (
                with_option("prefixUrl", str("/api")),
                "prefixUrl is not an option of renew-fetch; use baseUrl",
            ),
            (
                with_option("withCredentials", JsValue::TRUE),
                "withCredentials is not an option of renew-fetch; the client sends cookies to the \
                 page's own origin only, as fetch does by default, and authenticates with the token",
            ),
            (
                with_option("interceptors", object(&[])),
                "interceptors is not an option of renew-fetch; the client has no hooks, so set \
                 headers with headers or setHeader, and handle errors in onError or where the call's \
                 promise rejects",
            ),
            (
                with_option(
                    "validateStatus",
                    js_sys::Function::new_with_args("status", "return status < 500").into(),
                ),
                "validateStatus is not an option of renew-fetch; the client reads the envelope's \
                 code whatever the status, and rejects an error status without an envelope with \
                 kind http",
            ),
            (
                with_option("codes", object(&[("sucess", JsValue::from(0))])),
                "codes contains \"sucess\", which is not a code of renew-fetch; use success, overdue or \
                 loginRequired",
            ),
            (
                with_option("headers", object(&[("authorization", str("Bearer fixed"))])),
                "headers contains \"authorization\", which the client fills from the stored token on \
                 allowed origins; call setToken(token) instead, or set the header on the calls that \
                 need a fixed value",
            ),
            (
                object(&[
                    ("authHeader", str("X-Token")),
                    ("headers", object(&[("x-token", str("fixed"))])),
                ]),
                "headers contains \"x-token\", which the client fills from the stored token on \
                 allowed origins; call setToken(token) instead, or set the header on the calls that \
                 need a fixed value",
            ),
            (
                with_option("allowedOrigins", array(&[str("http://127.0.0.1:8080/api")])),
                "allowedOrigins holds \"http://127.0.0.1:8080/api\", which is not an origin; \
                 write only the scheme, host and port, like \"http://127.0.0.1:8080\"",
            ),
            (
                with_option("baseUrl", str("http://127.0.0.1:8080/api?v=1")),
                "baseUrl \"http://127.0.0.1:8080/api?v=1\" has a query or a fragment, which the \
                 request path would be appended to; move the query to params and remove the \
                 fragment",
            ),
            (
                with_option("baseUrl", str("http://127.0.0.1:8080/api#top")),
                "baseUrl \"http://127.0.0.1:8080/api#top\" has a query or a fragment, which the \
                 request path would be appended to; move the query to params and remove the \
                 fragment",
            ),
            (
                with_option("baseUrl", str("http://user:secret@127.0.0.1:8080/api")),
                "baseUrl \"http://127.0.0.1:8080/api\" contains a user name or password, which \
                 fetch rejects; remove them from the URL and send credentials in a header",
            ),
            (
                with_option("baseUrl", str("http://user:secret@127.0.0.1:8080/api?v=1")),
                "baseUrl \"http://127.0.0.1:8080/api?v=1\" contains a user name or password, \
                 which fetch rejects; remove them from the URL and send credentials in a header",
            ),
            (
                with_option("allowedOrigins", array(&[str("http://user:secret@127.0.0.1:8080")])),
                "allowedOrigins contains \"http://127.0.0.1:8080\" with a user name or password, \
                 which an origin does not have; write only the scheme, host and port, like \
                 \"http://127.0.0.1:8080\"",
            ),
            (
                with_option("allowedOrigins", array(&[str("http://user:secret@[::1")])),
                "allowedOrigins holds \"http://[::1\", which is not an absolute URL; write it \
                 like \"http://127.0.0.1:8080\"",
            ),
            (
                with_option("baseUrl", str("http://127.0.0.1:8080/api?mail=ada@example.org")),
                "baseUrl \"http://127.0.0.1:8080/api?mail=ada@example.org\" has a query or a \
                 fragment, which the request path would be appended to; move the query to params \
                 and remove the fragment",
            ),
            (
                with_option("baseUrl", str("http://user:se#cret@127.0.0.1:8080/api")),
                "baseUrl \"http://127.0.0.1:8080/api\" is not a valid URL; use a path such as \
                 /api or an absolute URL such as http://127.0.0.1:8080/api",
            ),
            (
                with_option("allowedOrigins", array(&[str("http://user:se#cret@127.0.0.1")])),
                "allowedOrigins holds \"http://127.0.0.1\", which is not an absolute URL; write \
                 it like \"http://127.0.0.1:8080\"",
            ),
            (
                with_option("baseUrl", str("http:")),
                "baseUrl \"http:\" has the scheme http: but no host; write http:// and the \
                 host, such as http://127.0.0.1:8080/api, or use a path such as /api",
            ),
            (
                with_option("baseUrl", str("HTTPS:/api")),
                "baseUrl \"HTTPS:/api\" has the scheme https: but no host; write https:// and \
                 the host, such as https://127.0.0.1:8080/api, or use a path such as /api",
            ),
            (
                with_option("baseUrl", str("ftp://127.0.0.1/api")),
                "baseUrl \"ftp://127.0.0.1/api\" has the scheme ftp:; use a path such as /api or \
                 an http: or https: URL such as http://127.0.0.1:8080/api",
            ),
            (
                with_option("codes", JsValue::from(401)),
                "codes must be an object, such as { overdue: 401 }, got number",
            ),
            (
                with_option("codes", array(&[JsValue::from(200)])),
                "codes must be an object, such as { overdue: 401 }, got an array",
            ),
            (
                codes(&[("overdue", JsValue::from(1.5))]),
                "codes.overdue must be a whole number, got 1.5",
            ),
            (
                codes(&[("success", JsValue::from(2f64.powi(60)))]),
                "codes.success must be a whole number, got 1152921504606847000",
            ),
            (
                codes(&[("loginRequired", JsValue::from(1006))]),
                "codes.loginRequired must be an array of numbers, such as [1006, 1007], got number",
            ),
            (
                codes(&[("loginRequired", array(&[JsValue::from(1006), str("1007")]))]),
                "codes.loginRequired must contain whole numbers only, such as [1006, 1007], got \
                 \"1007\"",
            ),
            (
                codes(&[("overdue", JsValue::from(200))]),
                "codes.overdue and codes.success must differ, and both are 200",
            ),
            (
                codes(&[("loginRequired", array(&[JsValue::from(200)]))]),
                "codes.loginRequired must not contain codes.success, which is 200",
            ),
            (
                with_option("maxRenewRetries", JsValue::from(-2)),
                "maxRenewRetries must be a whole number from 0 to 20, got -2",
            ),
            (
                with_option("maxRenewRetries", JsValue::from(21)),
                "maxRenewRetries must be a whole number from 0 to 20, got 21",
            ),
            (
                with_option("duplicates", str("never")),
                "duplicates must be \"cancel-previous\", \"share\" or \"off\", got \"never\"",
            ),
            (with_option("onError", str("log")), "onError must be a function, got string"),
            (
                with_option("onLoadingChange", JsValue::TRUE),
                "onLoadingChange must be a function, got boolean",
            ),
        ]
    }

    #[wasm_bindgen_test]
    fn each_invalid_client_option_is_named() {
        for (options, expected) in invalid_client_options() {
            let error = match renew_fetch::client::HttpClient::new(options) {
                Ok(_) => panic!("expected a TypeError: {expected}"),
                Err(error) => error,
            };
            assert!(
                error.is_instance_of::<js_sys::TypeError>(),
                "a TypeError for: {expected}"
            );
            assert_eq!(
                text(&error, "message").as_deref(),
                Some(expected),
                "the TypeError's message"
            );
        }
    }

    /// Returns a string of 303 characters shaped like a token, as an app might pass to the wrong
    /// option.
    fn long_secret() -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}", "s3cr3t".repeat(47))
    }

    /// Returns the message of the TypeError that `new HttpClient(options)` throws, where `case`
    /// names the options for the panic of a client that builds.
    fn constructor_message(options: JsValue, case: &str) -> String {
        match renew_fetch::client::HttpClient::new(options) {
            Ok(_) => panic!("expected a TypeError for {case}"),
            Err(error) => text(&error, "message").unwrap_or_default(),
        }
    }

    /// Checks that `message` quotes the first 24 characters of `value` and its length, and not
    /// its whole text.
    fn assert_cut(message: &str, value: &str, setting: &str) {
        assert_cut_within(message, value, setting, "\"");
    }

    /// Checks that `message` gives the first 24 characters of `value` between `quote` marks,
    /// followed by its length, and not its whole text.
    fn assert_cut_within(message: &str, value: &str, setting: &str, quote: &str) {
        let head: String = value.chars().take(24).collect();
        let count = value.chars().count();
        let expected = format!("{quote}{head}{quote}... ({count} characters)");
        assert!(
            message.contains(&expected),
            "expected {setting} cut as {expected}: {message}"
        );
        assert!(
            !message.to_ascii_lowercase().contains("s3cr3ts3cr3t"),
            "expected no more of {setting} than its start: {message}"
        );
    }

    #[wasm_bindgen_test]
    fn quote_counts_characters_not_code_units() {
        // Each emoji is one character and two UTF-16 code units.
        let forty = "😀".repeat(40);
        let message = constructor_message(object(&[("tokenStorage", str(&forty))]), "40 emoji");
        assert!(
            message.ends_with(&format!("got \"{forty}\"")),
            "expected 40 characters quoted whole: {message}"
        );

        let forty_one = "😀".repeat(41);
        let message = constructor_message(object(&[("tokenStorage", str(&forty_one))]), "41 emoji");
        let head = "😀".repeat(24);
        assert!(
            message.ends_with(&format!("got \"{head}\"... (41 characters)")),
            "expected 41 characters cut to 24: {message}"
        );
    }

    #[wasm_bindgen_test]
    fn long_option_values_cut_in_messages() {
        let with_option = |name: &str, value: JsValue| object(&[(name, value)]);
        let secret = long_secret();
        let scheme = format!("Bearer {secret}");
        let sec_header = format!("Sec-{secret}");
        let mut cases = vec![
            (
                with_option("authScheme", str(&scheme)),
                scheme.as_str(),
                "authScheme",
            ),
            (
                with_option("authHeader", str(&scheme)),
                scheme.as_str(),
                "authHeader",
            ),
            (
                with_option("tokenStorage", str(&secret)),
                secret.as_str(),
                "tokenStorage",
            ),
            (
                with_option("timeoutMs", str(&secret)),
                secret.as_str(),
                "timeoutMs",
            ),
            (
                with_option("headers", object(&[(scheme.as_str(), str("1"))])),
                scheme.as_str(),
                "a header name",
            ),
            (
                with_option("allowedOrigins", array(&[str(&secret)])),
                secret.as_str(),
                "an allowedOrigins entry",
            ),
            (
                with_option("headers", object(&[(secret.as_str(), str("a\nb"))])),
                secret.as_str(),
                "the name of a header with an invalid value",
            ),
            (
                with_option("codes", object(&[(secret.as_str(), JsValue::from(1))])),
                secret.as_str(),
                "a codes key",
            ),
        ];
        // Only a browser drops such a header, so only a browser rejects it.
        if in_browser() {
            cases.push((
                with_option("headers", object(&[(sec_header.as_str(), str("1"))])),
                sec_header.as_str(),
                "a header name that the browser sets",
            ));
        }
        for (options, value, setting) in cases {
            let message = constructor_message(options, setting);
            assert_cut(&message, value, setting);
        }

        // A header name in a path such as headers.NAME is cut without quotes.
        let options = with_option("headers", object(&[(secret.as_str(), object(&[]))]));
        let message = constructor_message(options, "a header value that is an object");
        let head: String = secret.chars().take(24).collect();
        let expected = format!(
            "headers.{head}... ({} characters) must be",
            secret.chars().count()
        );
        assert!(
            message.starts_with(&expected),
            "expected the header name cut as {expected}: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn long_call_values_cut_in_messages() {
        let client = client(&[]);
        let secret = long_secret();
        let scheme = format!("Bearer {secret}");

        let thrown = client
            .set_header(str(&scheme), str("1"))
            .expect_err("expected setHeader to throw for a header name with a space");
        assert_cut(
            &text(&thrown, "message").unwrap_or_default(),
            &scheme,
            "setHeader's name",
        );

        let thrown = client
            .set_header(str(&secret), str("a\nb"))
            .expect_err("expected setHeader to throw for a value with a line break");
        let message = text(&thrown, "message").unwrap_or_default();
        assert_cut(
            &message,
            &secret,
            "the name of a header with an invalid value",
        );

        let content_type = format!("multipart/form-data; boundary={secret}");
        let options = object(&[("headers", object(&[("Content-Type", str(&content_type))]))]);
        let body = object(&[("a", JsValue::from(1))]);
        let error = expect_error(
            settle(client.post(str("/scenario/ok"), body, options)).await,
            "an object body with a form Content-Type",
        );
        let message = text(&error, "message").unwrap_or_default();
        assert_cut(&message, &content_type, "the Content-Type value");

        let method = format!("GET {secret}");
        let config = object(&[("url", str("/scenario/ok")), ("method", str(&method))]);
        let error = expect_error(
            settle(client.request(config)).await,
            "a method with a space",
        );
        let message = text(&error, "message").unwrap_or_default();
        assert_cut(&message, &method.to_ascii_uppercase(), "the method");
        let error_method = text(&error, "method").unwrap_or_default();
        assert!(
            !error_method.to_ascii_lowercase().contains("s3cr3ts3cr3t"),
            "expected error.method cut as the message quotes it: {error_method}"
        );

        let override_value = format!("TRACE, {secret}");
        let options = object(&[(
            "headers",
            object(&[("X-HTTP-Method-Override", str(&override_value))]),
        )]);
        let result = settle(client.get(str("/scenario/ok"), JsValue::UNDEFINED, options)).await;
        // Only a browser drops such a header, so only a browser rejects it.
        if in_browser() {
            let error = expect_error(result, "a method override that lists TRACE");
            let message = text(&error, "message").unwrap_or_default();
            assert_cut(&message, &override_value, "the method override value");
        } else {
            expect_ok(result, "Node's fetch sends X-HTTP-Method-Override: TRACE");
        }
    }

    #[wasm_bindgen_test]
    async fn long_scheme_cut_in_reply_messages() {
        let secret = long_secret();
        let client = client(&[("authScheme", str(&secret))]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let key = unique("long-scheme");
        let url = format!("/scenario/bad-header?form=space&status=401&key={key}");
        let error = expect_error(
            settle(client.get(str(&url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "an overdue reply with a malformed renewed token",
        );
        assert_eq!(
            kind(&error),
            "invalid_response",
            "expected the malformed renewed token as invalid_response"
        );
        let message = text(&error, "message").unwrap_or_default();
        // The message names the scheme without quotes of its own.
        assert_cut_within(&message, &secret, "the scheme", "");
    }

    #[wasm_bindgen_test]
    async fn long_rust_method_cut_in_errors() {
        use renew_fetch::client::{Client, TokenStorage};

        let client = Client::builder()
            .token_storage(TokenStorage::Memory)
            .base_url(server())
            .build()
            .expect("a valid client");
        let method = format!("GET {}", long_secret());
        let error = client
            .request(&method, "/scenario/ok")
            .send::<serde_json::Value>()
            .await
            .expect_err("expected a method with a space rejected");
        assert!(
            !error.method().to_ascii_lowercase().contains("s3cr3ts3cr3t"),
            "expected the error's method cut: {}",
            error.method()
        );
        assert!(
            !error
                .to_string()
                .to_ascii_lowercase()
                .contains("s3cr3ts3cr3t"),
            "expected the error's Display without the whole method: {error}"
        );

        // A body that fails to serialize ends the call before the method is checked.
        struct Unserializable;
        impl serde::Serialize for Unserializable {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no JSON form"))
            }
        }
        let error = client
            .request(&method, "/scenario/ok")
            .json(&Unserializable)
            .send::<serde_json::Value>()
            .await
            .expect_err("expected a body that cannot be serialized rejected");
        assert!(
            error.message().contains("cannot be serialized"),
            "expected the body's error: {error}"
        );
        assert!(
            !error.method().to_ascii_lowercase().contains("s3cr3ts3cr3t"),
            "expected the method of the body's error cut: {}",
            error.method()
        );
    }

    #[wasm_bindgen_test]
    fn long_builder_values_cut_in_messages() {
        use renew_fetch::client::{Client, TokenStorage};

        let scheme = format!("Bearer {}", long_secret());
        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .auth_scheme(scheme.as_str())
            .build()
            .expect_err("expected a scheme with a space rejected");
        assert_cut(&error.to_string(), &scheme, "auth_scheme");

        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .auth_header(&scheme)
            .build()
            .expect_err("expected a header name with a space rejected");
        assert_cut(&error.to_string(), &scheme, "auth_header");

        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .header(&scheme, "1")
            .build()
            .expect_err("expected a header name with a space rejected");
        assert_cut(&error.to_string(), &scheme, "a header name");
    }

    #[wasm_bindgen_test]
    fn every_client_option_accepted() {
        let callback = js_sys::Function::new_no_args("");
        let codes = object(&[
            ("success", JsValue::from(0)),
            ("overdue", JsValue::from(-401)),
            ("loginRequired", array(&[JsValue::from(1006)])),
        ]);
        let options = object(&[
            ("baseUrl", str(server())),
            ("timeoutMs", JsValue::from(2_147_483_647u32)),
            (
                "headers",
                object(&[("X-Count", JsValue::from(2)), ("X-Flag", JsValue::TRUE)]),
            ),
            ("tokenStorage", str("memory")),
            ("tokenKey", str("key")),
            ("authHeader", str("X-Auth")),
            ("authScheme", str("")),
            ("allowedOrigins", array(&[str(server())])),
            ("codes", codes),
            ("maxRenewRetries", JsValue::from(20)),
            ("duplicates", str("share")),
            ("onLoginRequired", callback.clone().into()),
            ("onLoadingChange", callback.clone().into()),
            ("onError", callback.into()),
        ]);
        if let Err(error) = renew_fetch::client::HttpClient::new(options) {
            panic!(
                "expected every option to be accepted, got {:?}",
                text(&error, "message")
            );
        }
    }

    #[wasm_bindgen_test]
    async fn is_loading_follows_counted_calls() {
        let client = client(&[]);
        assert!(!client.is_loading(), "no call runs yet");
        let quiet = track(client.get(
            JsValue::from(format!(
                "/scenario/slow?delay_ms=200&key={}",
                unique("quiet")
            )),
            JsValue::UNDEFINED,
            options(&[("noLoading", JsValue::TRUE)]),
        ));
        assert!(!client.is_loading(), "a noLoading call does not count");
        let counted = track(client.get(
            JsValue::from(format!(
                "/scenario/slow?delay_ms=200&key={}",
                unique("counted")
            )),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ));
        assert!(client.is_loading(), "a counted call runs");
        expect_ok(counted.await, "the counted call");
        expect_ok(quiet.await, "the quiet call");
        assert!(!client.is_loading(), "every call settled");
    }

    #[wasm_bindgen_test]
    async fn set_header_changes_later_calls() {
        let client = client(&[
            ("headers", object(&[("X-Test", str("first"))])),
            ("duplicates", str("off")),
        ]);
        let echo = || {
            client.get(
                JsValue::from("/scenario/echo-auth"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            )
        };

        let started = echo();
        client
            .set_header(str("x-test"), str("second"))
            .expect("a valid header");
        let later = echo();
        let started = expect_ok(settle(started).await, "a call started before setHeader");
        assert_eq!(
            text(&started, "data.xTest").as_deref(),
            Some("first"),
            "a call already started keeps its headers"
        );
        let later = expect_ok(settle(later).await, "a call after setHeader");
        assert_eq!(
            text(&later, "data.xTest").as_deref(),
            Some("second"),
            "the new value replaces the header of any case"
        );

        client
            .set_header(str("X-Test"), JsValue::NULL)
            .expect("null removes the header");
        let removed = expect_ok(settle(echo()).await, "a call after the removal");
        assert_eq!(
            path(&removed, "data.xTest"),
            JsValue::NULL,
            "null removes it"
        );
    }

    #[wasm_bindgen_test]
    fn set_header_rejects_bad_input() {
        let client = client(&[]);
        for (name, value, expected) in [
            (
                str("Authorization"),
                str("Bearer fixed"),
                "\"Authorization\" is the header that the client fills from the stored token on \
                 allowed origins; call setToken(token) instead, or set the header on the requests \
                 that need a fixed value",
            ),
            (
                str("X Test"),
                str("1"),
                "\"X Test\" is not a valid header name",
            ),
            (
                str("X-Test"),
                object(&[]),
                "the value of header \"X-Test\" must be a string, a number, a boolean or null, got \
                 object",
            ),
            (
                JsValue::from(5),
                str("1"),
                "the header name must be a string, such as \"Accept-Language\", got number",
            ),
        ] {
            let error = match client.set_header(name, value) {
                Ok(()) => panic!("expected a TypeError: {expected}"),
                Err(error) => error,
            };
            assert!(
                error.is_instance_of::<js_sys::TypeError>(),
                "a TypeError for: {expected}"
            );
            assert_eq!(
                text(&error, "message").as_deref(),
                Some(expected),
                "the TypeError's message"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn base_url_as_url_object() {
        let base = url_object(&format!("{}/scenario", server()));
        let client = match renew_fetch::client::HttpClient::new(object(&[
            ("baseUrl", base),
            ("tokenStorage", str("memory")),
        ])) {
            Ok(client) => client,
            Err(error) => panic!(
                "a URL object as baseUrl is accepted, got {:?}",
                text(&error, "message")
            ),
        };
        expect_ok(
            settle(client.get(JsValue::from("ok"), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a call joined to a URL object's href",
        );
    }

    #[wasm_bindgen_test]
    async fn unrelated_unknown_options_ignored() {
        let shared = object(&[("baseUrl", str(server())), ("appVersion", str("1.2"))]);
        let client = match renew_fetch::client::HttpClient::new(shared) {
            Ok(client) => client,
            Err(error) => panic!(
                "a name far from every option is ignored, got {:?}",
                text(&error, "message")
            ),
        };
        expect_ok(
            settle(client.get(
                JsValue::from("/scenario/ok"),
                JsValue::UNDEFINED,
                object(&[("traceLabel", str("x")), ("url", str("/other"))]),
            ))
            .await,
            "call options with names far from every option",
        );
    }

    /// Sends a GET with `options` and returns its rejection's message, after checking its kind.
    async fn invalid_call_message(
        client: &renew_fetch::client::HttpClient,
        params: JsValue,
        options: JsValue,
    ) -> String {
        let call = client.get(JsValue::from("/scenario/ok"), params, options);
        let error = expect_error(settle(call).await, "an invalid call");
        assert_eq!(
            kind(&error),
            "invalid_request",
            "the kind of an invalid call"
        );
        text(&error, "message").unwrap_or_default()
    }

    #[wasm_bindgen_test]
    async fn each_invalid_call_option_is_named() {
        let client = client(&[]);
        let with_option = |name: &str, value: JsValue| object(&[(name, value)]);
        let cases = [
            (
                JsValue::from(5),
                "the request options must be an object, such as { timeoutMs: 5000 }, got number",
            ),
            (with_option("signal", object(&[])), "signal must be an AbortSignal, got object"),
            (
                with_option("noLoading", str("yes")),
                "noLoading must be true or false, got string",
            ),
            (
                with_option("fullResponse", JsValue::from(1)),
                "fullResponse must be true or false, got number",
            ),
            (
                with_option("timeout", JsValue::from(100)),
                "timeout is not an option of renew-fetch; use timeoutMs",
            ),
            (
                object(&[("baseURL", str("/api")), ("timeout", JsValue::from(100))]),
                "baseURL is not an option of renew-fetch; pass an absolute URL, or give the client \
                 a baseUrl. timeout is not an option of renew-fetch; use timeoutMs",
            ),
            (
                object(&[("noLoadng", JsValue::TRUE), ("timeout", JsValue::from(100))]),
                "noLoadng is not an option of renew-fetch; did you mean noLoading? timeout is not \
                 an option of renew-fetch; use timeoutMs",
            ),
            (
                with_option("cancelToken", object(&[])),
                "cancelToken is not an option of renew-fetch; pass an AbortSignal as signal",
            ),
            (
                with_option("transformResponse", array(&[])),
                "transformResponse is not an option of renew-fetch; change the envelope that the \
                 call resolves to, or use responseType",
            ),
            (
                with_option("retry", JsValue::from(2)),
                "retry is not an option of renew-fetch; the client replays a call only after an \
                 overdue response, so retry other failures where the call's promise rejects",
            ),
            (
                with_option("baseUrl", str("http://127.0.0.1:1")),
                "baseUrl is an option of new HttpClient, not of a call; pass an absolute URL, or \
                 create another client with that baseUrl",
            ),
            (
                with_option("allowedOrigins", array(&[str("http://127.0.0.1:1")])),
                "allowedOrigins is an option of new HttpClient, not of a call; create another \
                 client with it for these calls",
            ),
            (
                object(&[("onError", js_object("() => {}")), ("timeout", JsValue::from(100))]),
                "onError is an option of new HttpClient, not of a call; handle the error where \
                 the call's promise rejects, and pass noErrorCallback: true to skip the client's \
                 onError. timeout is not an option of renew-fetch; use timeoutMs",
            ),
            (
                with_option("method", str("POST")),
                "method is not an option of renew-fetch; call the method of that name, such as \
                 post, or request({ method })",
            ),
            (
                with_option("body", str("x")),
                "body is not an option of renew-fetch; pass the body as the second argument of \
                 post, put or patch",
            ),
            (
                with_option("searchParams", object(&[])),
                "searchParams is not an option of renew-fetch; use params",
            ),
            (
                with_option("credentials", str("include")),
                "credentials is not an option of renew-fetch; the client sends cookies to the \
                 page's own origin only, as fetch does by default, and authenticates with the token",
            ),
            (
                with_option("baseURL", str("http://127.0.0.1:1")),
                "baseURL is not an option of renew-fetch; pass an absolute URL, or give the client \
                 a baseUrl",
            ),
            (
                with_option("responsetype", str("blob")),
                "responsetype is not an option of renew-fetch; did you mean responseType?",
            ),
            (
                with_option("noLoadng", JsValue::TRUE),
                "noLoadng is not an option of renew-fetch; did you mean noLoading?",
            ),
            (
                with_option("timeoutMs", JsValue::from(-5)),
                "timeoutMs must be a whole number from 0 to 2147483647, got -5",
            ),
            (
                with_option("timeoutMs", JsValue::from(2_147_483_648u32)),
                "timeoutMs must be a whole number from 0 to 2147483647, got 2147483648",
            ),
            (
                with_option("headers", JsValue::from(5)),
                "headers must be an object of header names and values, such as { \"X-Client\": \"web\" }, got number",
            ),
            (
                with_option("headers", js_object("[['X-Test']]")),
                "headers[0] must be a [name, value] pair, such as [\"X-Client\", \"web\"], got an array of 1 item",
            ),
            (
                with_option("duplicates", str("all")),
                "duplicates must be \"cancel-previous\", \"share\" or \"off\", got \"all\"",
            ),
            (
                with_option("responseType", str("xml")),
                "responseType must be \"json\", \"text\", \"blob\" or \"arrayBuffer\", got \"xml\"",
            ),
            (
                js_object("{ get signal() { throw new Error('boom'); } }"),
                "reading signal failed: Error: boom",
            ),
        ];
        for (options, expected) in cases {
            let message = invalid_call_message(&client, JsValue::UNDEFINED, options).await;
            assert!(
                message.contains(expected),
                "expected {expected:?} in the message {message:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn each_invalid_params_is_named() {
        let client = client(&[]);
        let cases = [
            (
                str("q=1"),
                "The params must be an object or a URLSearchParams, got string; a query string goes in the URL itself",
            ),
            (
                js_object("{ get q() { throw new Error('boom'); } }"),
                "The params cannot be serialized: reading a property failed (Error: boom)",
            ),
        ];
        for (params, expected) in cases {
            let message = invalid_call_message(&client, params, JsValue::UNDEFINED).await;
            assert!(
                message.contains(expected),
                "expected {expected:?} in the message {message:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn each_invalid_request_config_is_named() {
        let client = client(&[]);
        let cases = [
            (
                JsValue::from(5),
                "request(config) needs an object, such as { url: \"/items\" }, got number",
            ),
            (
                object(&[]),
                "request(config) needs a url, such as { url: \"/items\" }",
            ),
            (
                object(&[("url", JsValue::from(5))]),
                "url must be a string or a URL object, such as \"/items\", got number",
            ),
            (
                object(&[("url", object(&[]))]),
                "url must be a string or a URL object, such as \"/items\", got object",
            ),
            (
                object(&[("url", str("/scenario/ok")), ("method", JsValue::TRUE)]),
                "method must be a string, got boolean",
            ),
            (
                object(&[("url", str("/scenario/ok")), ("data", object(&[]))]),
                "data is not an option of renew-fetch; use body",
            ),
            (
                object(&[("url", str("/scenario/ok")), ("methd", str("POST"))]),
                "methd is not an option of renew-fetch; did you mean method?",
            ),
            (
                object(&[
                    ("url", str("/scenario/ok")),
                    ("baseUrl", str("http://127.0.0.1:1")),
                ]),
                "baseUrl is an option of new HttpClient, not of a call; pass an absolute URL, or \
                 create another client with that baseUrl",
            ),
            (
                object(&[("url", str("/scenario/ok")), ("tokenKey", str("other"))]),
                "tokenKey is an option of new HttpClient, not of a call; create another client \
                 with it for these calls",
            ),
            (
                object(&[("url", str("/scenario/ok")), ("body", str("a=1"))]),
                "A GET request cannot have a body; send the data as params, or set the method to \
                 one that takes a body, such as POST",
            ),
            (
                object(&[
                    ("url", str("/scenario/ok")),
                    ("method", str("head")),
                    ("body", object(&[("a", JsValue::from(1))])),
                ]),
                "A HEAD request cannot have a body",
            ),
            (
                object(&[
                    ("url", str("/scenario/ok")),
                    ("method", str("POST")),
                    ("body", js_object("new ReadableStream()")),
                ]),
                "A ReadableStream body cannot be sent, because a replay after renewal would need \
                 it again; read it into a Blob first, such as with await new \
                 Response(stream).blob()",
            ),
            (
                object(&[("url", str("/scenario/ok")), ("responseType", str("xml"))]),
                "responseType must be \"json\", \"text\", \"blob\" or \"arrayBuffer\", got \"xml\"",
            ),
        ];
        for (config, expected) in cases {
            let error = expect_error(settle(client.request(config)).await, expected);
            assert_eq!(kind(&error), "invalid_request", "the kind for: {expected}");
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(expected),
                "expected {expected:?} in the message {message:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn invalid_config_error_names_request() {
        let client = client(&[]);
        let config = object(&[
            ("url", str("/scenario/ok")),
            ("method", str("post")),
            ("timeoutMs", JsValue::from(-1)),
        ]);
        let error = expect_error(settle(client.request(config)).await, "timeoutMs -1");
        assert_eq!(
            text(&error, "method").as_deref(),
            Some("POST"),
            "the config's method"
        );
        assert_eq!(
            text(&error, "url").as_deref(),
            Some("/scenario/ok"),
            "the config's URL"
        );
    }

    #[wasm_bindgen_test]
    async fn non_string_url_rejects_invalid_request() {
        let client = client(&[]);
        let error = expect_error(
            settle(client.get(JsValue::from(5), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a number as the URL",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "a URL that is not a string"
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("the URL must be a string or a URL object, such as \"/items\", got number"),
            "the message names the type"
        );
        let error = expect_error(
            settle(client.get(object(&[]), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a plain object as the URL",
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("the URL must be a string or a URL object, such as \"/items\", got object"),
            "an object that is not a URL"
        );
        let fake = js_object("{ [Symbol.toStringTag]: 'URL', href: 5 }");
        let error = expect_error(
            settle(client.get(fake, JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "an object tagged URL whose href is a number",
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("the URL must be a string or a URL object, such as \"/items\", got object"),
            "an object tagged URL without a string href"
        );
    }

    /// Creates `new URL(href)`.
    fn url_object(href: &str) -> JsValue {
        js_sys::Function::new_with_args("href", "return new URL(href);")
            .call1(&JsValue::UNDEFINED, &str(href))
            .expect("the test's URL parses")
    }

    /// Creates an object whose tag is "URL", as a URL of another realm or a polyfill has, with
    /// `href` and a `toString` that returns another URL.
    fn tagged_url(href: &str) -> JsValue {
        let source = "return { [Symbol.toStringTag]: 'URL', href, \
                      toString() { return 'http://127.0.0.1:1/wrong'; } };";
        js_sys::Function::new_with_args("href", source)
            .call1(&JsValue::UNDEFINED, &str(href))
            .expect("the test's object is created")
    }

    #[wasm_bindgen_test]
    async fn url_object_sent_as_href() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let href = format!("{}/scenario/echo-auth?from=url", server());
        let names = ["get", "post", "request", "an object tagged URL"];
        let calls = vec![
            client.get(url_object(&href), JsValue::UNDEFINED, JsValue::UNDEFINED),
            client.post(url_object(&href), str("body"), JsValue::UNDEFINED),
            client.request(object(&[
                ("url", url_object(&href)),
                ("method", str("put")),
                ("body", str("body")),
            ])),
            client.get(
                tagged_url(&href),
                object(&[("page", JsValue::from(2))]),
                JsValue::UNDEFINED,
            ),
        ];
        for (what, result) in names.into_iter().zip(settle_all(calls).await) {
            let envelope = expect_ok(result, what);
            assert!(
                text(&envelope, "data.query")
                    .unwrap_or_default()
                    .starts_with("from=url"),
                "{what}: the query of the href is sent"
            );
            assert_eq!(
                text(&envelope, "data.authorization").as_deref(),
                Some("Bearer mine"),
                "{what}: the href's origin is allowed, so the token is sent"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn url_object_checked_like_string() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let href = format!("{}/scenario/echo-auth", other_origin());
        let envelope = expect_ok(
            settle(client.get(url_object(&href), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a URL object of another origin",
        );
        assert_eq!(
            text(&envelope, "data.authorization"),
            None,
            "an origin that is not allowed gets no token"
        );

        let error = expect_error(
            settle(client.get(
                url_object("ftp://127.0.0.1/file"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "a URL object with the ftp: scheme",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "a scheme fetch does not send"
        );
        assert_eq!(
            text(&error, "url").as_deref(),
            Some("ftp://127.0.0.1/file"),
            "the error carries the href"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("has the scheme ftp:"),
            "the message of a string URL with that scheme: {message}"
        );

        let config = object(&[
            ("url", url_object(&format!("{}/scenario/ok", server()))),
            ("timeoutMs", JsValue::from(-1)),
        ]);
        let error = expect_error(settle(client.request(config)).await, "timeoutMs -1");
        assert_eq!(
            text(&error, "url").as_deref(),
            Some(format!("{}/scenario/ok", server()).as_str()),
            "an invalid config's error names the href"
        );
    }

    #[wasm_bindgen_test]
    async fn base_url_needs_page_or_origin() {
        let relative = renew_fetch::client::HttpClient::new(object(&[("baseUrl", str("/api"))]))
            .expect("expected a relative baseUrl to be accepted, with a page or without one");
        if !has_page() {
            let error = expect_error(
                settle(relative.get(str("/items"), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
                "a call with a relative baseUrl and no page",
            );
            assert_eq!(
                kind(&error),
                "invalid_request",
                "expected the caller's error"
            );
            assert_eq!(
                text(&error, "message").as_deref(),
                Some(
                    "baseUrl \"/api\" is relative, and there is no page to resolve it against, \
                     as in Node or in server rendering; in server rendering, send the calls \
                     from the browser, such as from an effect, and in Node use an absolute URL \
                     such as http://127.0.0.1:8080/api"
                ),
                "expected the message to name the baseUrl and the fix"
            );
        }
        let invalid =
            renew_fetch::client::HttpClient::new(object(&[("baseUrl", str("http://[::1/api"))]));
        let error = invalid.err().expect("an invalid absolute baseUrl throws");
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.starts_with("baseUrl \"http://[::1/api\" is not a valid URL"),
            "the message names the baseUrl: {message}"
        );
    }

    #[wasm_bindgen_test]
    fn map_as_client_options_throws_type_error() {
        let options = js_object("new Map([['baseUrl', '/api']])");
        let error = match renew_fetch::client::HttpClient::new(options) {
            Ok(_) => panic!("expected a TypeError for a Map as the options"),
            Err(error) => error,
        };
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("the options must be an object, such as { baseUrl: \"/api\" }, got a Map"),
            "the message names the Map"
        );
    }

    #[wasm_bindgen_test]
    async fn map_as_call_options_rejects_invalid_request() {
        let client = client(&[]);
        let options = js_object("new Map([['timeoutMs', 5]])");
        let error = expect_error(
            settle(client.get(JsValue::from("/scenario/ok"), JsValue::UNDEFINED, options)).await,
            "a Map as the request options",
        );
        assert_eq!(kind(&error), "invalid_request", "the kind");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("the request options must be an object, such as { timeoutMs: 5000 }, got a Map"),
            "the message names the Map"
        );
    }

    #[wasm_bindgen_test]
    async fn collections_in_params_and_bodies_are_rejected() {
        let client = client(&[]);
        let url = || JsValue::from("/scenario/ok");
        let none = || JsValue::UNDEFINED;
        // Each call starts only after the one before has settled, so that no two are duplicates.
        let cases: [(&dyn Fn() -> Promise, &str); 3] = [
            (
                &|| client.get(url(), js_object("new Map([['page', 1]])"), none()),
                "a Map has no JSON or query form; convert it with Object.fromEntries(map) first",
            ),
            (
                &|| client.post(url(), js_object("new Set([1, 2])"), none()),
                "a Set has no JSON or query form; convert it with Array.from(set) first",
            ),
            (
                &|| {
                    client.post(
                        url(),
                        js_object("{ filter: new URLSearchParams('a=1') }"),
                        none(),
                    )
                },
                "a URLSearchParams has no JSON or query form",
            ),
        ];
        for (call, expected) in cases {
            let error = expect_error(settle(call()).await, expected);
            assert_eq!(kind(&error), "invalid_request", "the kind for: {expected}");
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(expected),
                "expected {expected:?} in the message {message:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn path_with_colon_joins_base_url() {
        let client = client(&[("baseUrl", JsValue::from(format!("{}/scenario", server())))]);
        let result = settle(client.get(
            JsValue::from("items:search"),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ))
        .await;
        let error = expect_error(result, "a path that the demo server does not route");
        assert_eq!(
            text(&error, "url"),
            Some(format!("{}/scenario/items:search", server())),
            "items:search is a path under the base URL, not a URL with the scheme items:"
        );
        assert_eq!(kind(&error), "http", "the server's 404");
    }

    #[wasm_bindgen_test]
    async fn url_scheme_other_than_http_rejects_invalid_request() {
        let client = client(&[]);
        for (url, scheme) in [
            ("ftp://127.0.0.1/file.txt", "ftp:"),
            ("javascript:void(0)", "javascript:"),
        ] {
            let error = expect_error(
                settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
                    .await,
                url,
            );
            assert_eq!(kind(&error), "invalid_request", "the kind for {url}");
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(&format!(
                    "has the scheme {scheme}, which fetch does not send"
                )),
                "the message names the scheme of {url}: {message}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn url_without_host_rejects_invalid_request() {
        let client = client(&[]);
        let cases = [
            ("http:items", "http"),
            ("HTTPS:/items", "https"),
            ("http:\\items", "http"),
            (" http:user:secret@items", "http"),
        ];
        for (url, scheme) in cases {
            let error = expect_error(
                settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
                    .await,
                url,
            );
            assert_eq!(kind(&error), "invalid_request", "the kind for {url:?}");
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(&format!("has the scheme {scheme}: but no host")),
                "expected the message for {url:?} to name the missing host, got {message:?}"
            );
            assert!(
                !message.contains("secret"),
                "expected the message for {url:?} to leave out the password, got {message:?}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn rejected_url_never_repeats_password() {
        let client = client(&[]);
        let bad_timeout = options(&[("timeoutMs", JsValue::from(-1))]);
        for (url, call_options, shown) in [
            (
                "ftp://user:secret@127.0.0.1/file.txt",
                JsValue::UNDEFINED,
                "\"ftp://127.0.0.1/file.txt\" has the scheme ftp:",
            ),
            (
                "http://user:secret@[::1/x",
                JsValue::UNDEFINED,
                "\"http://[::1/x\" is not valid",
            ),
            ("http://user:secret@127.0.0.1/x", bad_timeout, "timeoutMs"),
            (
                "http://user:se#cret@[::1/x",
                JsValue::UNDEFINED,
                "\"http://[::1/x\" is not valid",
            ),
            (
                "http://user:se/cret@[::1/x",
                JsValue::UNDEFINED,
                "\"http://[::1/x\" is not valid",
            ),
            (
                "http://127.0.0.1:se#cret@127.0.0.1/x",
                options(&[("timeoutMs", JsValue::from(-5))]),
                "timeoutMs",
            ),
            (
                "http://127.0.0.1:se?cret@127.0.0.1/x",
                options(&[("headers", object(&[("bad header", str("1"))]))]),
                "bad header",
            ),
        ] {
            let error = expect_error(
                settle(client.get(JsValue::from(url), JsValue::UNDEFINED, call_options)).await,
                url,
            );
            assert_eq!(kind(&error), "invalid_request", "the kind for {url}");
            let message = text(&error, "message").unwrap_or_default();
            assert!(
                message.contains(shown),
                "the message for {url} contains {shown:?}: {message}"
            );
            assert!(
                !message.contains("secret"),
                "the message for {url} leaves out the password: {message}"
            );
            let error_url = text(&error, "url").unwrap_or_default();
            assert!(
                !error_url.contains("secret"),
                "the error's URL for {url} leaves out the password: {error_url}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn url_with_spaces_and_credentials_not_joined_to_base() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let url = format!(
            " \n{}/scenario/echo-auth\t",
            server().replace("http://", "http://user:secret@")
        );
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "an absolute URL with credentials and spaces around it",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "the URL is read as the absolute URL that it is, and its credentials are refused"
        );
        let error_url = text(&error, "url").unwrap_or_default();
        assert_eq!(
            error_url,
            format!("{}/scenario/echo-auth", server()),
            "the error's URL is the absolute URL without the credentials"
        );
    }

    #[wasm_bindgen_test]
    async fn calls_that_differ_in_fragment_share_one_request() {
        let client = client(&[("duplicates", str("share"))]);
        let key = unique("fragment");
        let url = |fragment: &str| {
            JsValue::from(format!("/scenario/slow?delay_ms=200&key={key}#{fragment}"))
        };
        let results = settle_all(vec![
            client.get(url("a"), JsValue::UNDEFINED, JsValue::UNDEFINED),
            client.get(url("b"), JsValue::UNDEFINED, JsValue::UNDEFINED),
        ])
        .await;
        for result in results {
            expect_ok(result, "a call with a fragment");
        }
        assert_eq!(
            server_count(&key).await,
            1.0,
            "fetch never sends the fragment, so both calls are one request"
        );
    }

    #[wasm_bindgen_test]
    async fn blob_url_error_never_repeats_password() {
        let client = client(&[]);
        let url = server().replace("http://", "blob:http://user:secret@") + "/0000";
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a blob: URL that names no blob",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "expected a blob: URL with a password rejected before fetch, as an http: one is"
        );
        let error_url = text(&error, "url").unwrap_or_default();
        assert!(
            !error_url.contains("secret"),
            "the error's URL leaves out the password: {error_url}"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            !message.contains("secret"),
            "the message leaves out the password: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn body_error_names_the_thrown_error() {
        let client = client(&[]);
        let body = js_object("{ toJSON() { throw new Error('boom'); } }");
        let error = expect_error(
            settle(client.post(JsValue::from("/scenario/ok"), body, JsValue::UNDEFINED)).await,
            "a body whose toJSON throws",
        );
        assert_eq!(
            kind(&error),
            "invalid_request",
            "a body that cannot be sent"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("(Error: boom)"),
            "the message carries the thrown error: {message}"
        );
    }

    #[wasm_bindgen_test]
    async fn redirected_renewal_not_stored() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let url = "/scenario/cross-origin-redirect?to=%2Fscenario%2Frenewed%3Fform%3Draw";
        // A browser sends the redirected request with the origin null, which the demo server
        // with --scenarios lets read the scenario routes, so the call resolves there as in Node.
        let envelope =
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
                .await
                .expect("the redirect reaches the renewed route");
        assert!(
            text(&envelope, "data.token").is_some(),
            "the renewed route issued a token"
        );
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "a token renewed by another origin after a redirect is not stored"
        );
    }

    #[wasm_bindgen_test]
    async fn overdue_after_detour_names_cause() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        // 127.0.0.1 redirects to localhost, which redirects back to an overdue route without a
        // renewed token. The reply is "cors" in Node too, where every header stays readable.
        let url = "/scenario/cross-origin-redirect?to=%2Fscenario%2Fcross-origin-redirect%3Fto%3D\
                   %252Fscenario%252Foverdue-no-header";
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue without a token after a detour",
        );
        assert_eq!(kind(&error), "login_required", "no renewed token came");
        let message = text(&error, "message").unwrap_or_default();
        assert_names_hidden_header(&message);
    }

    #[wasm_bindgen_test]
    async fn custom_auth_header_redirect_not_followed() {
        // The demo server's CORS rules allow X-Test, so a browser sends the first request.
        let client = client(&[("authHeader", str("X-Test"))]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("custom-header-redirect");
        let url = format!("/scenario/cross-origin-redirect?to=%2Fscenario%2Fok%3Fkey%3D{key}");
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "a redirect of a call with the token in X-Test",
        );
        assert_eq!(kind(&error), "http", "the redirect is an http error");
        let message = text(&error, "message").unwrap_or_default();
        assert!(
            message.contains("X-Test header"),
            "the message names the header: {message}"
        );
        assert_eq!(
            server_count(&key).await,
            0.0,
            "the redirect target got no request, so no token"
        );
    }

    #[wasm_bindgen_test]
    async fn caller_auth_header_redirect_not_followed() {
        // The client has no token, and the call sets the X-Test auth header itself.
        let client = client(&[("authHeader", str("X-Test"))]);
        let key = unique("caller-header-redirect");
        let url = format!("/scenario/cross-origin-redirect?to=%2Fscenario%2Fok%3Fkey%3D{key}");
        let call_options = options(&[("headers", object(&[("X-Test", str("caller-secret"))]))]);
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, call_options)).await,
            "a redirect of a call that sets X-Test itself",
        );
        assert_eq!(kind(&error), "http", "the redirect is an http error");
        assert_eq!(
            server_count(&key).await,
            0.0,
            "the redirect target got no request, so not the caller's header"
        );
    }

    #[wasm_bindgen_test]
    async fn redirected_overdue_not_replayed() {
        let login = Recorder::new();
        let client = client(&[("onLoginRequired", login.function.clone().into())]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("overdue-redirected");
        let url = format!(
            "/scenario/cross-origin-redirect?to=%2Fscenario%2Foverdue-forever%3Fkey%3D{key}"
        );
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue from the origin a redirect led to",
        );
        // A browser sends the redirected request with the origin null, which the demo server
        // with --scenarios lets read the scenario routes, so the reply arrives there as in Node.
        assert_eq!(kind(&error), "business", "overdue with no token to renew");
        assert_eq!(server_count(&key).await, 1.0, "one request, no replay");
        assert!(login.calls().is_empty(), "no login is required");
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "the token is kept"
        );
    }

    #[wasm_bindgen_test]
    async fn overdue_from_other_origin_not_replayed() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("overdue-other-origin");
        let url = format!("{}/scenario/overdue-forever?key={key}", other_origin());
        let error = expect_error(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "overdue from an origin that gets no token",
        );
        assert_eq!(kind(&error), "business", "overdue with no token to renew");
        assert_eq!(number(&error, "code"), Some(401.0), "the overdue code");
        assert_eq!(server_count(&key).await, 1.0, "one request, no replay");
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "the token is kept"
        );
    }

    #[wasm_bindgen_test]
    async fn login_code_from_other_origin_not_replayed() {
        let recorder = Recorder::new();
        let client = client(&[("onLoginRequired", recorder.function.clone().into())]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("login-other-origin");
        let url = format!("{}/scenario/login-required?key={key}", other_origin());
        let error = expect_error(
            settle(client.post(JsValue::from(url), str("{}"), JsValue::UNDEFINED)).await,
            "need-login from an origin that gets no token",
        );
        assert_eq!(kind(&error), "business", "a code outside the session");
        assert_eq!(number(&error, "code"), Some(1006.0), "the need-login code");
        assert_eq!(server_count(&key).await, 1.0, "one request, no replay");
        assert_eq!(recorder.calls().len(), 0, "onLoginRequired is not called");
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "the token is kept"
        );
    }

    #[wasm_bindgen_test]
    async fn invalid_request_reported_to_on_error() {
        let recorder = Recorder::new();
        let client = client(&[("onError", recorder.function.clone().into())]);
        let bad = options(&[("responseType", str("xml"))]);
        let _ = settle(client.get(JsValue::from("/scenario/ok"), JsValue::UNDEFINED, bad)).await;
        let _ = settle(client.get(JsValue::from(5), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
        let _ = settle(client.request(object(&[]))).await;
        let calls = recorder.calls();
        assert_eq!(calls.len(), 3, "onError runs for each invalid call");
        for error in &calls {
            assert_eq!(kind(error), "invalid_request", "the reported kind");
        }
    }

    #[wasm_bindgen_test]
    async fn no_error_callback_skips_on_error() {
        let recorder = Recorder::new();
        let client = client(&[("onError", recorder.function.clone().into())]);
        let quiet = || options(&[("noErrorCallback", JsValue::TRUE)]);
        let bad_option = options(&[
            ("noErrorCallback", JsValue::TRUE),
            ("responseType", str("xml")),
        ]);
        let config = object(&[
            ("url", str("/scenario/business?code=4001")),
            ("noErrorCallback", JsValue::TRUE),
        ]);
        // Each call starts only when its case runs, so that calls to one URL do not cancel each
        // other as duplicates.
        type StartCall<'a> = Box<dyn Fn() -> Promise + 'a>;
        let cases: [(StartCall, &str, &str); 4] = [
            (
                Box::new(|| {
                    client.get(
                        JsValue::from("/scenario/business?code=4001"),
                        JsValue::UNDEFINED,
                        quiet(),
                    )
                }),
                "business",
                "a business code",
            ),
            (
                Box::new(|| {
                    client.get(
                        JsValue::from("/scenario/ok"),
                        js_object("new Map([['page', 1]])"),
                        quiet(),
                    )
                }),
                "invalid_request",
                "params given as a Map",
            ),
            (
                Box::new(|| {
                    client.get(
                        JsValue::from("/scenario/ok"),
                        JsValue::UNDEFINED,
                        bad_option.clone(),
                    )
                }),
                "invalid_request",
                "an invalid responseType",
            ),
            (
                Box::new(|| client.request(config.clone())),
                "business",
                "request(config)",
            ),
        ];
        for (call, expected, what) in cases {
            let error = expect_error(settle(call()).await, what);
            assert_eq!(kind(&error), expected, "{what}: rejects as without it");
            assert!(recorder.calls().is_empty(), "{what}: onError skips it");
        }

        let reported = client.get(
            JsValue::from("/scenario/business?code=4001"),
            JsValue::UNDEFINED,
            options(&[("noErrorCallback", JsValue::FALSE)]),
        );
        let _ = settle(reported).await;
        assert_eq!(
            recorder.calls().len(),
            1,
            "noErrorCallback: false reports the error"
        );
    }

    #[wasm_bindgen_test]
    fn set_token_rejects_bad_tokens() {
        let client = client(&[]);
        let cases = [
            (
                str("\u{442}\u{43e}\u{43a}\u{435}\u{43d}"),
                "the token is empty or contains a character other than visible ASCII (! to ~); pass the token alone, without a scheme such as \"Bearer \"",
            ),
            (JsValue::from(42), "the token must be a string, got number"),
            (JsValue::NULL, "the token must be a string, got null"),
            (
                str("undefined"),
                "the token is the text \"undefined\", which a missing value turns into; pass the token from the login response, or call clearToken() to log out",
            ),
            (
                str("Null"),
                "the token is the text \"Null\", which a missing value turns into; pass the token from the login response, or call clearToken() to log out",
            ),
        ];
        for (token, expected) in cases {
            let error = match client.set_token(token) {
                Ok(()) => panic!("expected a TypeError: {expected}"),
                Err(error) => error,
            };
            assert!(
                error.is_instance_of::<js_sys::TypeError>(),
                "a TypeError for: {expected}"
            );
            assert_eq!(
                text(&error, "message").as_deref(),
                Some(expected),
                "the message"
            );
        }
        assert_eq!(client.get_token(), None, "no token was stored");
    }

    #[wasm_bindgen_test]
    fn cancel_all_rejects_non_string_reason() {
        let client = client(&[]);
        let error = match client.cancel_all(JsValue::from(42)) {
            Ok(()) => panic!("expected a TypeError for cancelAll(42)"),
            Err(error) => error,
        };
        assert!(error.is_instance_of::<js_sys::TypeError>(), "a TypeError");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("the reason of cancelAll must be a string, got number"),
            "the message"
        );
    }

    #[wasm_bindgen_test]
    async fn share_keeps_response_types_apart() {
        let client = client(&[("duplicates", str("share"))]);
        let url = "/scenario/slow?delay_ms=100&n=share-types";
        let as_text = options(&[("responseType", str("text"))]);
        let text_call = track(client.get(JsValue::from(url), JsValue::UNDEFINED, as_text));
        let json_call =
            track(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED));
        let results = await_all(vec![text_call, json_call]).await;
        let text_body = expect_ok(results[0].clone(), "the text call");
        let envelope = expect_ok(results[1].clone(), "the JSON call");
        assert!(text_body.is_string(), "the text call resolves to text");
        assert_eq!(
            number(&envelope, "code"),
            Some(200.0),
            "the JSON call resolves to the envelope"
        );
    }

    #[wasm_bindgen_test]
    async fn url_search_params_sent_as_query() {
        let client = client(&[]);
        let params = web_sys::UrlSearchParams::new_with_str("q=1&tag=a%20b")
            .expect("URLSearchParams exists");
        let echo = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/ok"),
                params.into(),
                JsValue::UNDEFINED,
            ))
            .await,
            "URLSearchParams params",
        );
        assert_eq!(
            text(&echo, "data.query").as_deref(),
            Some("q=1&tag=a+b"),
            "the query as URLSearchParams writes it"
        );
    }

    // pendingCount and cancellation.

    #[wasm_bindgen_test]
    async fn pending_count_zero_on_every_path() {
        let client = client(&[("duplicates", str("off"))]);
        let port = closed_port().await;
        let controller = AbortController::new().expect("AbortController exists");
        let aborted = options(&[("signal", controller.signal().into())]);
        let timed = options(&[("timeoutMs", JsValue::from(50))]);
        let calls: Vec<Promise> = vec![
            client.get(
                JsValue::from("/scenario/ok".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            client.get(
                JsValue::from("/scenario/business".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            client.get(
                JsValue::from("/scenario/html-502".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            client.get(
                JsValue::from("/scenario/not-json".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            client.get(
                JsValue::from("/scenario/overdue-no-header".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            client.get(
                JsValue::from("/scenario/slow?delay_ms=2000".to_owned()),
                JsValue::UNDEFINED,
                timed,
            ),
            client.get(
                JsValue::from("/scenario/slow?delay_ms=2000".to_owned()),
                JsValue::UNDEFINED,
                aborted,
            ),
            client.get(
                JsValue::from(format!("http://127.0.0.1:{port}/x")),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            client.get(
                JsValue::from("/scenario/slow?delay_ms=2000&share=1".to_owned()),
                JsValue::UNDEFINED,
                options(&[("duplicates", str("share"))]),
            ),
        ];
        let calls: Vec<_> = calls.into_iter().map(track).collect();
        assert_eq!(
            client.pending_count(),
            9,
            "nine calls are pending before any settles"
        );
        controller.abort();
        sleep(100).await;
        client
            .cancel_all(JsValue::UNDEFINED)
            .expect("cancelAll without a reason");
        let results = await_all(calls).await;
        assert_eq!(
            results.iter().filter(|result| result.is_ok()).count(),
            1,
            "only the ok call succeeded"
        );
        assert_eq!(
            client.pending_count(),
            0,
            "pendingCount is 0 once every call settled"
        );
    }

    #[wasm_bindgen_test]
    async fn abort_signal_cancels_with_user_reason() {
        let client = client(&[]);
        let controller = AbortController::new().expect("AbortController exists");
        let call = track(client.get(
            JsValue::from(format!(
                "/scenario/slow?delay_ms=2000&key={}",
                unique("abort")
            )),
            JsValue::UNDEFINED,
            options(&[("signal", controller.signal().into())]),
        ));
        sleep(50).await;
        let reason_given = js_sys::Error::new("the user left the page");
        controller.abort_with_reason(&reason_given);
        let error = expect_error(call.await, "aborted call");
        assert_eq!(kind(&error), "canceled", "the caller's signal cancels");
        assert_eq!(reason(&error).as_deref(), Some("user"), "reason user");
        assert_eq!(
            path(&error, "cause"),
            JsValue::from(reason_given),
            "the error's cause is the signal's reason"
        );
    }

    #[wasm_bindgen_test]
    async fn cancel_without_signal_has_no_cause() {
        let client = client(&[]);
        let call = track(client.get(
            JsValue::from(format!(
                "/scenario/slow?delay_ms=2000&key={}",
                unique("cancel-all-cause")
            )),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ));
        sleep(50).await;
        client
            .cancel_all(JsValue::UNDEFINED)
            .expect("cancelAll runs");
        let error = expect_error(call.await, "canceled call");
        assert_eq!(reason(&error).as_deref(), Some("all"), "reason all");
        assert!(
            !js_sys::Reflect::has(&error, &JsValue::from("cause")).unwrap_or(true),
            "a call canceled by cancelAll has no cause"
        );
    }

    #[wasm_bindgen_test]
    async fn aborted_signal_never_sends() {
        let loading = Recorder::new();
        let client = client(&[("onLoadingChange", loading.function.clone().into())]);
        let controller = AbortController::new().expect("AbortController exists");
        controller.abort();
        let key = unique("pre-aborted");
        let call = client.get(
            JsValue::from(format!("/scenario/ok?key={key}")),
            JsValue::UNDEFINED,
            options(&[("signal", controller.signal().into())]),
        );
        let error = expect_error(settle(call).await, "call with an aborted signal");
        assert_eq!(reason(&error).as_deref(), Some("user"), "reason user");
        assert_eq!(server_count(&key).await, 0.0, "nothing was sent");
        assert!(
            loading.calls().is_empty(),
            "a call that never runs is not loading"
        );
    }

    #[wasm_bindgen_test]
    async fn timeout_error_signal_times_out() {
        let client = client(&[]);
        let signals = [
            (
                "AbortSignal.timeout(50)",
                "a signal that times out during the call",
            ),
            (
                "AbortSignal.abort(new DOMException('late', 'TimeoutError'))",
                "a signal that already timed out",
            ),
        ];
        for (signal, what) in signals {
            let call = client.get(
                JsValue::from("/scenario/slow?delay_ms=2000"),
                JsValue::UNDEFINED,
                options(&[("signal", js_object(signal))]),
            );
            let error = expect_error(settle(call).await, what);
            assert_eq!(kind(&error), "timeout", "the kind for {what}");
            assert_eq!(reason(&error), None, "no cancel reason for {what}");
            assert_eq!(
                text(&error, "message").as_deref(),
                Some("The request timed out: its AbortSignal aborted with a TimeoutError"),
                "the message for {what}"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn aborted_call_keeps_pending_duplicate() {
        let client = client(&[]);
        let key = unique("aborted-duplicate");
        let url = format!("/scenario/slow?delay_ms=100&key={key}");
        let running = track(client.get(
            JsValue::from(url.clone()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ));
        let controller = AbortController::new().expect("AbortController exists");
        controller.abort();
        let aborted = options(&[("signal", controller.signal().into())]);
        let doomed = track(client.get(JsValue::from(url), JsValue::UNDEFINED, aborted));
        let error = expect_error(doomed.await, "the call with an aborted signal");
        assert_eq!(
            reason(&error).as_deref(),
            Some("user"),
            "it is canceled by its own signal"
        );
        expect_ok(
            running.await,
            "the pending duplicate is not canceled by a call that never runs",
        );
    }

    #[wasm_bindgen_test]
    async fn cancel_all_cancels_with_all_reason() {
        let client = client(&[("duplicates", str("off"))]);
        let calls: Vec<_> = (0..3)
            .map(|i| {
                track(client.get(
                    JsValue::from(format!("/scenario/slow?delay_ms=2000&i={i}")),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                ))
            })
            .collect();
        sleep(50).await;
        client
            .cancel_all(JsValue::from("leaving the page"))
            .expect("a string reason");
        for (i, result) in await_all(calls).await.into_iter().enumerate() {
            let error = expect_error(result, &format!("call {i}"));
            assert_eq!(kind(&error), "canceled", "call {i} canceled");
            assert_eq!(
                reason(&error).as_deref(),
                Some("all"),
                "call {i} reason all"
            );
            assert_eq!(
                text(&error, "message").as_deref(),
                Some("leaving the page"),
                "call {i} carries the cancelAll reason"
            );
        }
        assert_eq!(client.pending_count(), 0, "nothing pending after cancelAll");
    }

    // Loading.

    #[wasm_bindgen_test]
    async fn loading_reports_first_start_and_last_end() {
        let recorder = Recorder::new();
        let client = client(&[
            ("duplicates", str("off")),
            ("onLoadingChange", recorder.function.clone().into()),
        ]);
        let quiet = options(&[("noLoading", JsValue::TRUE)]);
        let background = client.get(
            JsValue::from("/scenario/slow?delay_ms=50".to_owned()),
            JsValue::UNDEFINED,
            quiet,
        );
        expect_ok(settle(background).await, "the noLoading call");
        assert!(
            recorder.calls().is_empty(),
            "a noLoading call fires no loading change"
        );

        let first = track(client.get(
            JsValue::from("/scenario/slow?delay_ms=100".to_owned()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ));
        let second = track(client.get(
            JsValue::from("/scenario/slow?delay_ms=600".to_owned()),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ));
        assert!(
            recorder.calls().is_empty(),
            "the callback does not run inside get(), where a framework may be rendering"
        );
        sleep(0).await;
        assert_eq!(
            recorder.calls(),
            vec![JsValue::TRUE],
            "true once, after the first counted call starts"
        );
        expect_ok(first.await, "the first counted call");
        assert_eq!(
            recorder.calls().len(),
            1,
            "no change while the second call runs"
        );
        expect_ok(second.await, "the second counted call");
        assert_eq!(
            recorder.calls(),
            vec![JsValue::TRUE, JsValue::FALSE],
            "false once when the last one ends"
        );
    }

    // The Bearer header, in the cases that need no second origin.

    #[wasm_bindgen_test]
    async fn bearer_sent_to_base_origin() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("token-1"))
            .expect("a clean token");
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            text(&envelope, "data.authorization").as_deref(),
            Some("Bearer token-1"),
            "the Bearer header"
        );
    }

    #[wasm_bindgen_test]
    async fn no_header_without_token() {
        let client = client(&[]);
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            path(&envelope, "data.authorization"),
            JsValue::NULL,
            "no token, no header"
        );
    }

    #[wasm_bindgen_test]
    async fn token_not_sent_outside_allowed_origins() {
        let client = client(&[(
            "allowedOrigins",
            Array::of1(&str("http://127.0.0.1:1")).into(),
        )]);
        client
            .set_token(JsValue::from("token-1"))
            .expect("a clean token");
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            path(&envelope, "data.authorization"),
            JsValue::NULL,
            "the base origin is not in allowedOrigins"
        );
    }

    #[wasm_bindgen_test]
    async fn call_headers_override_client_headers() {
        let client = client(&[("headers", object(&[("X-Test", str("client"))]))]);
        let plain = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            text(&plain, "data.xTest").as_deref(),
            Some("client"),
            "the client's header is sent"
        );
        let call = options(&[("headers", object(&[("x-test", str("call"))]))]);
        let over = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                JsValue::UNDEFINED,
                call,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            text(&over, "data.xTest").as_deref(),
            Some("call"),
            "the call's header wins, whatever its case"
        );
    }

    #[wasm_bindgen_test]
    async fn headers_accepted_as_fetch_takes_them() {
        let headers = web_sys::Headers::new().expect("Headers exists");
        headers
            .set("X-Test", "from Headers")
            .expect("a valid header");
        let map = js_object("new Map([['X-Test', 'from a Map']])");
        let pairs = js_object("[['X-Test', 'from pairs']]");
        for (value, expected) in [
            (JsValue::from(headers), "from Headers"),
            (map, "from a Map"),
            (pairs, "from pairs"),
        ] {
            let client = client(&[("headers", value)]);
            let echo = expect_ok(
                settle(client.get(
                    JsValue::from("/scenario/echo-auth"),
                    JsValue::UNDEFINED,
                    JsValue::UNDEFINED,
                ))
                .await,
                expected,
            );
            assert_eq!(
                text(&echo, "data.xTest").as_deref(),
                Some(expected),
                "the header is sent"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn auth_header_and_scheme_configurable() {
        let client = client(&[("authHeader", str("X-Test")), ("authScheme", str(""))]);
        client
            .set_token(JsValue::from("raw-token"))
            .expect("a clean token");
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "echo",
        );
        assert_eq!(
            text(&envelope, "data.xTest").as_deref(),
            Some("raw-token"),
            "the raw token in the configured header"
        );
        assert_eq!(
            path(&envelope, "data.authorization"),
            JsValue::NULL,
            "nothing in Authorization"
        );
    }

    #[wasm_bindgen_test]
    fn set_token_rejects_whitespace() {
        let client = client(&[]);
        assert!(
            client.set_token(JsValue::from("two words")).is_err(),
            "a token with a space is rejected"
        );
        assert!(
            client.set_token(JsValue::from("")).is_err(),
            "an empty token is rejected"
        );
        assert_eq!(client.get_token(), None, "nothing was stored");
    }

    // Token storage where there may be no window.

    #[wasm_bindgen_test]
    fn local_storage_without_window_uses_memory() {
        let key = unique("node-local");
        let client = client(&[("tokenStorage", str("local")), ("tokenKey", str(&key))]);
        client
            .set_token(JsValue::from("kept"))
            .expect("a clean token");
        assert_eq!(
            client.get_token().as_deref(),
            Some("kept"),
            "the client keeps working"
        );
        let has_window = js_sys::Reflect::has(&js_sys::global(), &str("window")).unwrap_or(false);
        let expected = if has_window { "local" } else { "memory" };
        assert_eq!(
            client.token_storage(),
            expected,
            "local storage, or memory where there is no window"
        );
        client.clear_token();
    }

    #[wasm_bindgen_test]
    fn memory_storage_keeps_token() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("kept"))
            .expect("a clean token");
        assert_eq!(
            client.get_token().as_deref(),
            Some("kept"),
            "memory keeps the token"
        );
        client.clear_token();
        assert_eq!(client.get_token(), None, "clearToken forgets it");
    }

    // The real renewal layer of the demo API. scripts/test-wasm.sh starts the server with a
    // token lifetime of 2 minutes, a renewal window of 1 minute and a grace period of 2 minutes,
    // and these tests move its clock forward instead of waiting.

    async fn login(client: &renew_fetch::client::HttpClient) -> String {
        let body = object(&[
            ("username", str("alice")),
            ("password", str("alice-password")),
        ]);
        let envelope = expect_ok(
            settle(client.post(
                JsValue::from("/api/login".to_owned()),
                body,
                JsValue::UNDEFINED,
            ))
            .await,
            "login",
        );
        let token = text(&envelope, "data.token").expect("the login returns data.token");
        client
            .set_token(JsValue::from(&token))
            .expect("the issued token is clean");
        token
    }

    #[wasm_bindgen_test]
    async fn layer_renewal_window_slides_token() {
        let client = client(&[]);
        let first = login(&client).await;
        advance_clock(90).await;
        let profile = expect_ok(
            settle(client.get(
                JsValue::from("/api/profile".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "profile",
        );
        assert_eq!(
            text(&profile, "data.username").as_deref(),
            Some("alice"),
            "the layer let the request through"
        );
        let stored = client.get_token().unwrap_or_default();
        assert!(!stored.is_empty(), "a token is stored");
        assert_ne!(
            stored, first,
            "the renewed token from the layer replaced the first one"
        );
    }

    #[wasm_bindgen_test]
    async fn layer_overdue_replays_with_renewed_token() {
        let client = client(&[]);
        let first = login(&client).await;
        advance_clock(150).await;
        let profile = expect_ok(
            settle(client.get(
                JsValue::from("/api/profile".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "profile after expiry",
        );
        assert_eq!(
            text(&profile, "data.username").as_deref(),
            Some("alice"),
            "the replay passed the layer"
        );
        assert_ne!(
            client.get_token().unwrap_or_default(),
            first,
            "the overdue answer's token was stored"
        );
    }

    #[wasm_bindgen_test]
    async fn layer_without_token_requires_login() {
        let recorder = Recorder::new();
        let client = client(&[("onLoginRequired", recorder.function.clone().into())]);
        let error = expect_error(
            settle(client.get(
                JsValue::from("/api/profile".to_owned()),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "profile without a token",
        );
        assert_eq!(
            kind(&error),
            "login_required",
            "the layer's need-login code"
        );
        assert_eq!(number(&error, "code"), Some(1006.0), "need-login is 1006");
        assert_eq!(recorder.calls().len(), 1, "onLoginRequired was called");
    }

    /// Returns true in a browser, where relative URLs resolve against the page, and false in
    /// Node.
    fn has_page() -> bool {
        js_sys::Reflect::has(&js_sys::global(), &JsValue::from("location"))
            .expect("the global object can be inspected")
    }

    #[wasm_bindgen_test]
    async fn call_errors_name_js_options() {
        let client = client(&[("maxRenewRetries", JsValue::from(1))]);
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let get =
            |url: &str| client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED);

        let error = expect_error(
            settle(get("/scenario/overdue-forever")).await,
            "overdue forever",
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some(
                "The server still responded overdue after 1 replays with renewed tokens; check \
                 that it accepts the tokens it renews, or raise maxRenewRetries"
            ),
            "the renewal_exhausted message names maxRenewRetries"
        );

        let error = expect_error(settle(get("/scenario/not-json")).await, "a text body");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some(
                "The server responded with HTTP 200 with a body that is not JSON; for other \
                 bodies set responseType to \"text\", \"blob\" or \"arrayBuffer\""
            ),
            "the invalid_response message names responseType"
        );

        let slow = track(get("/scenario/slow?delay_ms=2000"));
        client
            .cancel_all(JsValue::UNDEFINED)
            .expect("cancelAll without a reason");
        let error = expect_error(slow.await, "the slow call");
        assert_eq!(
            text(&error, "message").as_deref(),
            Some("The request was canceled by cancelAll()"),
            "the canceled message names cancelAll()"
        );
    }

    #[wasm_bindgen_test]
    async fn relative_url_names_base_url_option() {
        if has_page() {
            // A browser resolves a relative request URL against the page.
            return;
        }
        let client =
            renew_fetch::client::HttpClient::new(object(&[("tokenStorage", str("memory"))]))
                .expect("valid options");
        let error = expect_error(
            settle(client.get(
                JsValue::from("/scenario/ok"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ))
            .await,
            "a relative URL without a baseUrl or a page",
        );
        assert_eq!(
            text(&error, "message").as_deref(),
            Some(
                "The URL \"/scenario/ok\" is not valid, or is relative with no page to resolve \
                 it against; set baseUrl or pass an absolute URL such as \
                 http://127.0.0.1:8080/api"
            ),
            "the invalid_request message names baseUrl"
        );
    }

    // The Rust API.

    #[derive(Debug, Deserialize)]
    struct Echo {
        method: String,
        authorization: Option<String>,
        query: String,
        #[serde(rename = "xTest")]
        x_test: Option<String>,
    }

    #[wasm_bindgen_test]
    async fn rust_api_typed_get() {
        let client = rust_memory_client();
        client.set_token("rust-token").expect("a clean token");
        let envelope = client
            .get::<Echo>("/scenario/echo-auth")
            .await
            .expect("the echo succeeds");
        let echo = envelope.data.expect("the echo has data");
        assert_eq!(envelope.code, 200, "the success code");
        assert_eq!(echo.method, "GET", "the method");
        assert_eq!(
            echo.authorization.as_deref(),
            Some("Bearer rust-token"),
            "the token was sent"
        );
    }

    #[derive(Serialize)]
    struct Page {
        z: u32,
        a: Vec<&'static str>,
    }

    #[wasm_bindgen_test]
    async fn rust_api_query_and_errors() {
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .duplicates(Duplicates::Off)
            .build()
            .expect("valid settings");
        let envelope = client
            .request("GET", "/scenario/echo-auth")
            .query(&Page {
                z: 1,
                a: vec!["x", "y"],
            })
            .send::<Echo>()
            .await
            .expect("the echo succeeds");
        let echo = envelope.data.expect("the echo has data");
        assert_eq!(
            echo.query, "a%5B0%5D=x&a%5B1%5D=y&z=1",
            "a struct serializes like a JS object"
        );

        let error = client
            .get::<Echo>("/scenario/business?code=4003")
            .await
            .expect_err("a business code");
        assert!(error.is_business(), "is_business for a business code");
        assert_eq!(error.kind(), ErrorKind::Business, "the kind");
        assert_eq!(error.code(), Some(4003), "the code");
        let sku = error
            .data()
            .map(|data| js_sys::Reflect::get(data, &JsValue::from("sku")).unwrap_or_default());
        assert_eq!(
            sku.and_then(|sku| sku.as_string()).as_deref(),
            Some("A-1"),
            "Error::data has the envelope's data"
        );
        let error = client
            .get::<Echo>("/scenario/html-502")
            .await
            .expect_err("a 502");
        assert!(error.is_http(), "is_http for an HTML 502");
        assert_eq!(error.status(), Some(502), "the status");
        assert!(
            error
                .body()
                .and_then(|body| body.as_string())
                .is_some_and(|body| body.contains("502 Bad Gateway")),
            "Error::body has the page's text, got {:?}",
            error.body()
        );
        let text = client
            .request("GET", "/scenario/not-json")
            .text()
            .await
            .expect("a text body");
        assert_eq!(text, "plain text, not JSON", "text() skips the envelope");
    }

    /// Returns a client of the scenario server with memory storage, and the number of errors
    /// that its `on_error` got.
    fn counting_client() -> (Client, std::rc::Rc<std::cell::Cell<u32>>) {
        let reported = std::rc::Rc::new(std::cell::Cell::new(0));
        let counter = std::rc::Rc::clone(&reported);
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .on_error(move |_| counter.set(counter.get() + 1))
            .build()
            .expect("valid settings");
        (client, reported)
    }

    #[wasm_bindgen_test]
    async fn rust_api_reports_invalid_request() {
        let (client, reported) = counting_client();
        let error = client
            .request("GET", "/scenario/ok")
            .header("X Bad", "1")
            .send::<Echo>()
            .await
            .expect_err("an invalid header name");
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "the kind");
        assert_eq!(reported.get(), 1, "onError runs for the invalid call");
    }

    #[wasm_bindgen_test]
    async fn rust_api_no_error_callback_skips_on_error() {
        let (client, reported) = counting_client();

        let error = client
            .request("GET", "/scenario/business?code=4001")
            .no_error_callback()
            .send::<JsonValue>()
            .await
            .expect_err("a business code");
        assert_eq!(
            error.kind(),
            ErrorKind::Business,
            "the call fails as without it"
        );
        assert_eq!(reported.get(), 0, "on_error skips the business error");

        let error = client
            .request("GET", "/scenario/ok")
            .no_error_callback()
            .send::<Vec<u32>>()
            .await
            .expect_err("data that is not a list");
        assert_eq!(error.kind(), ErrorKind::InvalidResponse, "a decode error");
        assert_eq!(reported.get(), 0, "on_error skips the decode error");

        let error = client
            .request("GET", "/scenario/ok")
            .no_error_callback()
            .send_full::<Vec<u32>>()
            .await
            .expect_err("data that is not a list");
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidResponse,
            "a decode error of send_full"
        );
        assert_eq!(
            reported.get(),
            0,
            "on_error skips the decode error of send_full"
        );

        let error = client
            .request("GET", "/scenario/ok")
            .header("X Bad", "1")
            .no_error_callback()
            .send::<Echo>()
            .await
            .expect_err("an invalid header name");
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "a builder error");
        assert_eq!(reported.get(), 0, "on_error skips the builder error");

        let _ = client
            .get::<JsonValue>("/scenario/business?code=4001")
            .await;
        assert_eq!(reported.get(), 1, "a call without it still reports");
    }

    #[wasm_bindgen_test]
    fn rust_api_rejects_large_limits() {
        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .timeout_ms(2_147_483_648)
            .build()
            .expect_err("a timeout above setTimeout's maximum");
        assert_eq!(
            error.to_string(),
            "timeout_ms must be at most 2147483647 ms (about 24.8 days), got 2147483648 ms",
            "the timeout's message names ClientBuilder::timeout_ms"
        );
        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .max_renew_retries(21)
            .build()
            .expect_err("a replay budget above 20");
        assert_eq!(
            error.to_string(),
            "max_renew_retries must be at most 20, got 21",
            "the replay budget's message names ClientBuilder::max_renew_retries"
        );
    }

    /// Returns the message of the error that `build` returns for `builder`.
    fn build_error(builder: renew_fetch::client::ClientBuilder) -> String {
        builder
            .token_storage(TokenStorage::Memory)
            .build()
            .expect_err("invalid settings")
            .to_string()
    }

    #[wasm_bindgen_test]
    fn rust_api_config_errors_name_methods() {
        use renew_fetch::client::BusinessCodes;
        let builder = Client::builder;
        let cases = [
            (
                builder().base_url("ftp://127.0.0.1/api"),
                "base_url \"ftp://127.0.0.1/api\" has the scheme ftp:; use a path such as /api or \
                 an http: or https: URL such as http://127.0.0.1:8080/api",
                "a base URL with another scheme",
            ),
            (
                builder().header("authorization", "Bearer fixed"),
                "header(\"authorization\", …) sets the header that the client fills from the stored \
                 token on allowed origins; call Client::set_token instead, or set the header on the \
                 requests that need a fixed value",
                "a fixed Authorization header",
            ),
            (
                builder().header("X-Token", "fixed").auth_header("x-token"),
                "header(\"X-Token\", …) sets the header that the client fills from the stored \
                 token on allowed origins; call Client::set_token instead, or set the header on the \
                 requests that need a fixed value",
                "a fixed value for a custom auth header",
            ),
            (
                builder().base_url("http://127.0.0.1:8080/api?v=1"),
                "base_url \"http://127.0.0.1:8080/api?v=1\" has a query or a fragment, which the \
                 request path would be appended to; move the query to RequestBuilder::query and \
                 remove the fragment",
                "a base URL with a query",
            ),
            (
                builder().base_url("http://[::1/api"),
                "base_url \"http://[::1/api\" is not a valid URL; use a path such as /api or an \
                 absolute URL such as http://127.0.0.1:8080/api",
                "a base URL that does not parse",
            ),
            (
                builder().allowed_origins(["http://127.0.0.1:8080/api"]),
                "allowed_origins holds \"http://127.0.0.1:8080/api\", which is not an origin; \
                 write only the scheme, host and port, like \"http://127.0.0.1:8080\"",
                "an allowed origin with a path",
            ),
            (
                builder().allowed_origins(["http://[::1"]),
                "allowed_origins holds \"http://[::1\", which is not an absolute URL; write it \
                 like \"http://127.0.0.1:8080\"",
                "an allowed origin that does not parse",
            ),
            (
                builder().codes(BusinessCodes {
                    overdue: 200,
                    ..BusinessCodes::default()
                }),
                "BusinessCodes::overdue and BusinessCodes::success must differ, and both are 200",
                "the overdue code equal to the success code",
            ),
            (
                builder().codes(BusinessCodes {
                    login_required: vec![1006, 200],
                    ..BusinessCodes::default()
                }),
                "BusinessCodes::login_required must not contain BusinessCodes::success, which is \
                 200",
                "the success code among the login-required codes",
            ),
            (
                builder().codes(BusinessCodes {
                    login_required: vec![401],
                    ..BusinessCodes::default()
                }),
                "BusinessCodes::login_required must not contain BusinessCodes::overdue, which is \
                 401",
                "the overdue code among the login-required codes",
            ),
            (
                builder().token_key(""),
                "token_key must not be empty",
                "an empty token key",
            ),
            (
                builder().auth_header("Auth Header"),
                "auth_header \"Auth Header\" is not a valid header name",
                "an auth header name with a space",
            ),
        ];
        for (settings, expected, what) in cases {
            assert_eq!(build_error(settings), expected, "{what}");
        }
    }

    #[wasm_bindgen_test]
    async fn rust_api_relative_base_names_base_url() {
        if has_page() {
            // A browser resolves a relative base URL against the page.
            return;
        }
        let client = Client::builder()
            .base_url("/api")
            .token_storage(TokenStorage::Memory)
            .build()
            .expect("expected a relative base URL to build without a page");
        let error = client
            .get::<JsonValue>("/items")
            .await
            .expect_err("a call with a relative base URL and no page");
        assert_eq!(
            error.message(),
            "base_url \"/api\" is relative, and there is no page to resolve it against, as in \
             Node or in server rendering; in server rendering, send the calls from the browser, \
             such as from an effect, and in Node use an absolute URL such as \
             http://127.0.0.1:8080/api",
            "expected the message to name ClientBuilder::base_url"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_relative_url_names_base_url() {
        if has_page() {
            // A browser resolves a relative request URL against the page.
            return;
        }
        let client = Client::builder()
            .token_storage(TokenStorage::Memory)
            .build()
            .expect("valid settings");
        let error = client
            .get::<JsonValue>("/scenario/ok")
            .await
            .expect_err("a relative URL without a base URL or a page");
        assert_eq!(
            error.message(),
            "The URL \"/scenario/ok\" is not valid, or is relative with no page to resolve it \
             against; set base_url or pass an absolute URL such as http://127.0.0.1:8080/api",
            "the message names ClientBuilder::base_url"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_call_timeout_names_method() {
        let error = rust_client()
            .request("GET", "/scenario/ok")
            .timeout_ms(2_147_483_648)
            .send::<JsonValue>()
            .await
            .expect_err("a call timeout above setTimeout's maximum");
        assert_eq!(
            error.message(),
            "timeout_ms must be at most 2147483647 ms (about 24.8 days), got 2147483648 ms",
            "the message names RequestBuilder::timeout_ms"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_body_replaces_json_content_type() {
        let echo = rust_client()
            .request("POST", "/scenario/echo-auth")
            .json(&serde_json::json!({ "name": "widget" }))
            .body("plain text")
            .send::<JsonValue>()
            .await
            .expect("the echo succeeds");
        let data = echo.data.expect("the echo has data");
        assert_eq!(data["body"], "plain text", "the later body is sent");
        assert_eq!(
            data["contentType"], "text/plain;charset=UTF-8",
            "fetch's type for a string body, not the JSON type that json() added"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_timeout_names_setting() {
        let key = unique("rust-timeout");
        let error = rust_client()
            .request("GET", &format!("/scenario/slow?delay_ms=3000&key={key}"))
            .timeout_ms(100)
            .send::<JsonValue>()
            .await
            .expect_err("a 3 s response after a 100 ms timeout");
        assert_eq!(
            error.message(),
            "The request timed out after 100 ms; raise timeout_ms on the client or for this call \
             if the server needs longer",
            "the message names the Rust setting"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_not_json_names_text() {
        let error = rust_client()
            .get::<JsonValue>("/scenario/not-json")
            .await
            .expect_err("a text body is no envelope");
        assert_eq!(
            error.message(),
            "The server responded with HTTP 200 with a body that is not JSON; for other bodies \
             use RequestBuilder::text() or bytes()",
            "the message names the Rust methods that read a raw body"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_cancel_all_names_method() {
        let client = rust_client();
        let key = unique("rust-cancel-all-message");
        let url = format!("/scenario/slow?delay_ms=2000&key={key}");
        let mut slow = Box::pin(client.get::<JsonValue>(&url));
        assert!(poll_once(slow.as_mut()), "the slow call waits");
        client.cancel_all(None);
        let error = slow.await.expect_err("the slow call is canceled");
        assert_eq!(
            error.message(),
            "The request was canceled by Client::cancel_all()",
            "the message names Client::cancel_all"
        );
    }

    #[derive(Serialize)]
    struct Filter {
        tag: &'static str,
        page: Option<u32>,
    }

    /// Returns a Rust client of the test server with its token in memory and the default
    /// duplicates policy.
    fn rust_memory_client() -> Client {
        Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .build()
            .expect("valid settings")
    }

    fn rust_client() -> Client {
        Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .duplicates(Duplicates::Off)
            .build()
            .expect("valid settings")
    }

    #[wasm_bindgen_test]
    async fn rust_api_query_forms() {
        let client = rust_client();
        let cases: [(RequestBuilder, &str, &str); 4] = [
            (
                client.request("GET", "/scenario/echo-auth").query(&[
                    ("sort", "asc"),
                    ("page", "1"),
                    ("sort", "name"),
                ]),
                "sort=asc&page=1&sort=name",
                "pairs in their order, as reqwest writes them",
            ),
            (
                client
                    .request("GET", "/scenario/echo-auth")
                    .query(&[("a", Some("1")), ("b", None)]),
                "a=1",
                "a pair whose value is None is left out",
            ),
            (
                client.request("GET", "/scenario/echo-auth").query(&Filter {
                    tag: "new",
                    page: None,
                }),
                "tag=new",
                "a None field is left out",
            ),
            (
                client
                    .request("GET", "/scenario/echo-auth?a=1")
                    .query(&[("b", 2)])
                    .query(&[("c", 3)]),
                "a=1&b=2&c=3",
                "each call adds to the query",
            ),
        ];
        for (request, expected, what) in cases {
            let envelope = request.send::<Echo>().await.expect("the echo succeeds");
            let echo = envelope.data.expect("the echo has data");
            assert_eq!(echo.query, expected, "{what}");
        }
    }

    #[wasm_bindgen_test]
    async fn rust_api_future_outlives_inputs() {
        let client = rust_client();
        let get = {
            let url = format!("/scenario/echo-auth?n={}", 1);
            client.clone().get::<Echo>(&url)
        };
        let post = {
            let body = serde_json::json!({ "n": 2 });
            client.post::<JsonValue>("/scenario/echo-auth", &body)
        };
        drop(client);
        let echo = get.await.expect("the GET succeeds").data;
        assert_eq!(
            echo.expect("the echo has data").query,
            "n=1",
            "the GET kept its URL after the string was dropped"
        );
        let echo = post.await.expect("the POST succeeds").data;
        assert_eq!(
            echo.expect("the echo has data")["body"],
            r#"{"n":2}"#,
            "the POST kept its body after the value was dropped"
        );
    }

    #[wasm_bindgen_test]
    fn rust_api_clients_equal_only_to_clones() {
        let client = rust_client();
        assert!(client == client.clone(), "a clone equals its original");
        assert!(client != rust_client(), "two clients built apart differ");
    }

    #[wasm_bindgen_test]
    async fn rust_api_query_tuple_rejected() {
        let client = rust_client();
        let error = client
            .request("GET", "/scenario/echo-auth")
            .query(&("a", "b"))
            .send::<Echo>()
            .await
            .expect_err("a tuple is no list of pairs");
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "the kind");
        assert_eq!(
            error.message(),
            "the params cannot be serialized: a list of params must hold (name, value) pairs \
             with string names; pass a struct, a map or pairs such as [(\"page\", 2)]",
            "the message names the forms that work"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_query_pair_with_list_rejected() {
        let client = rust_client();
        let error = client
            .request("GET", "/scenario/echo-auth")
            .query(&[("tags", vec!["x", "y"])])
            .send::<Echo>()
            .await
            .expect_err("a pair with a list value fails");
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "the kind");
        assert!(
            error
                .to_string()
                .contains(r#"("tags", "a"), ("tags", "b")"#),
            "the message shows one pair per value: {error}"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_json_sends_json() {
        let client = rust_client();
        let cases: [(RequestBuilder, &str, &str); 2] = [
            (
                client.request("POST", "/scenario/echo-auth").json("hello"),
                "\"hello\"",
                "a string as a JSON string",
            ),
            (
                client.request("POST", "/scenario/echo-auth").json(&()),
                "null",
                "the unit value as null",
            ),
        ];
        for (request, expected, what) in cases {
            let value = request
                .send::<JsonValue>()
                .await
                .expect("the echo succeeds");
            let echo = value.data.expect("the echo has data");
            assert_eq!(echo["body"], expected, "the body of {what}");
            assert_eq!(
                echo["contentType"], "application/json",
                "the content type of {what}"
            );
        }
    }

    #[wasm_bindgen_test]
    fn rust_api_rejects_bad_header_values() {
        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .header("X-Test", "bad\r\nvalue")
            .build()
            .expect_err("a header value with CR/LF");
        assert_eq!(
            error.to_string(),
            "the value of header \"X-Test\" must not contain line breaks, NUL or characters above U+00FF, which fetch rejects",
            "the header's message"
        );
        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .auth_scheme("Bearer ")
            .build()
            .expect_err("a scheme with a space");
        assert_eq!(
            error.to_string(),
            "auth_scheme \"Bearer \" must be one word of ASCII letters, digits and \
             !#$%&'*+-.^_`|~, such as \"Bearer\", or \"\" for the raw token",
            "the scheme's message names ClientBuilder::auth_scheme"
        );
        let error = Client::builder()
            .token_storage(TokenStorage::Memory)
            .auth_scheme("Token\n")
            .build()
            .expect_err("a scheme with a line break");
        assert!(
            error
                .to_string()
                .starts_with("auth_scheme \"Token\\n\" must be one word"),
            "the line break is escaped in the message: {error}"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_own_header_not_replayed() {
        let client = rust_client();
        client.set_token("stored").expect("a clean token");
        let key = unique("own-auth-header");
        let error = client
            .request("GET", &format!("/scenario/overdue-forever?key={key}"))
            .header("Authorization", "Bearer mine")
            .send::<Echo>()
            .await
            .expect_err("overdue for a header the client does not own");
        assert_eq!(
            error.kind(),
            ErrorKind::Business,
            "no replay, a business error"
        );
        assert_eq!(error.code(), Some(401), "the overdue code");
        assert_eq!(server_count(&key).await, 1.0, "one request");
    }

    #[wasm_bindgen_test]
    async fn rust_api_exhausted_error_has_code() {
        let codes = renew_fetch::client::BusinessCodes::default();
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .codes(codes)
            .max_renew_retries(1)
            .build()
            .expect("valid settings");
        client.set_token("stored").expect("a clean token");
        let error = client
            .get::<Echo>("/scenario/overdue-forever")
            .await
            .expect_err("overdue forever");
        assert_eq!(error.kind(), ErrorKind::RenewalExhausted, "the kind");
        assert_eq!(error.code(), Some(401), "the overdue code");
        assert_eq!(
            error.message(),
            "The server still responded overdue after 1 replays with renewed tokens; check that \
             it accepts the tokens it renews, or raise max_renew_retries",
            "the message names ClientBuilder::max_renew_retries"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_wrong_type_is_invalid_response() {
        let reported = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let record = std::rc::Rc::clone(&reported);
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .on_error(move |error| record.borrow_mut().push(error.kind()))
            .build()
            .expect("valid settings");
        let error = client
            .get::<Vec<u32>>("/scenario/echo-auth")
            .await
            .expect_err("an object is no Vec");
        assert!(
            error.is_invalid_response(),
            "a data type mismatch is invalid_response"
        );
        assert_eq!(error.status(), Some(200), "the status of the response");
        assert_eq!(error.code(), Some(200), "the envelope's code");
        assert_eq!(
            error.url(),
            format!("{}/scenario/echo-auth", server()),
            "the absolute URL"
        );
        let code = error
            .body()
            .and_then(|body| js_sys::Reflect::get(body, &JsValue::from("code")).ok())
            .and_then(|code| code.as_f64());
        assert_eq!(code, Some(200.0), "Error::body is the envelope");
        assert_eq!(
            *reported.borrow(),
            [ErrorKind::InvalidResponse],
            "on_error was called once with the decode error"
        );
    }

    /// The echo's `authorization` field, which contains the sent header, read as a number.
    #[derive(Debug, Deserialize)]
    struct AuthAsNumber {
        #[allow(dead_code)]
        authorization: u32,
    }

    #[wasm_bindgen_test]
    async fn rust_api_decode_error_hides_value() {
        let client = rust_client();
        let token = "decode-secret-value";
        client.set_token(token).expect("a clean token");
        let error = client
            .get::<AuthAsNumber>("/scenario/echo-auth")
            .await
            .expect_err("a header text is no u32");
        assert_eq!(
            error.message(),
            "The envelope does not match the expected type at data.authorization: expected u32",
            "the message names the field and the expected type"
        );
        assert!(
            !error.to_string().contains(token),
            "Display leaves the token out"
        );
        assert!(
            !format!("{error:?}").contains(token),
            "Debug leaves the token out"
        );
    }

    #[derive(Debug, Deserialize)]
    struct NeedsId {
        #[allow(dead_code)]
        id: u64,
    }

    #[wasm_bindgen_test]
    async fn rust_api_rounded_integer_named() {
        let client = rust_client();
        let login = client
            .post::<serde_json::Value>(
                "/api/login",
                &serde_json::json!({ "username": "alice", "password": "alice-password" }),
            )
            .await
            .expect("the demo login succeeds");
        let token = login
            .data
            .as_ref()
            .and_then(|data| data["token"].as_str())
            .expect("the login returns data.token");
        client.set_token(token).expect("the issued token is clean");
        let error = client
            .request("POST", "/api/echo")
            .header("Content-Type", "application/json")
            .body(r#"{"id": 9007199254740993}"#)
            .send::<NeedsId>()
            .await
            .expect_err("JSON.parse rounds 2^53 + 1 to a float");
        assert_eq!(
            error.message(),
            "The envelope does not match the expected type at data.id: expected an integer, got \
             a number beyond 2^53, which JSON.parse rounds to a float; send such numbers as \
             strings",
            "the message names the rounding as the cause"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_missing_field_named() {
        let client = rust_client();
        let error = client
            .get::<NeedsId>("/scenario/echo-auth")
            .await
            .expect_err("the echo has no id");
        assert_eq!(
            error.message(),
            "The envelope does not match the expected type at data: missing field `id`",
            "the message names the missing field"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_query_none_and_unit() {
        let client = rust_client();
        let none: Option<Filter> = None;
        let cases: [(RequestBuilder, &str, &str); 3] = [
            (
                client.request("GET", "/scenario/echo-auth").query(&none),
                "",
                "None as the params adds nothing",
            ),
            (
                client.request("GET", "/scenario/echo-auth").query(&()),
                "",
                "() as the params adds nothing",
            ),
            (
                client
                    .request("GET", "/scenario/echo-auth?a=1")
                    .query(&none),
                "a=1",
                "None keeps the URL's own query",
            ),
        ];
        for (request, expected, what) in cases {
            let envelope = request.send::<Echo>().await.expect("the echo succeeds");
            let echo = envelope.data.expect("the echo has data");
            assert_eq!(echo.query, expected, "{what}");
        }
    }

    #[wasm_bindgen_test]
    async fn rust_api_set_header() {
        let client = rust_client();
        client
            .set_header("X-Test", Some("rust"))
            .expect("a valid header");
        let envelope = client
            .request("GET", "/scenario/echo-auth")
            .send::<Echo>()
            .await
            .expect("the echo succeeds");
        let echo = envelope.data.expect("the echo has data");
        assert_eq!(
            echo.x_test.as_deref(),
            Some("rust"),
            "the header set later is sent"
        );
        let error = client
            .set_header("authorization", Some("Bearer fixed"))
            .expect_err("the auth header");
        assert_eq!(
            error.to_string(),
            "\"authorization\" is the header that the client fills from the stored token on \
             allowed origins; call Client::set_token instead, or set the header on the requests \
             that need a fixed value",
            "the message names the Rust method"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_send_full_gives_status_and_headers() {
        let client = rust_client();
        let full = client
            .request("GET", "/scenario/echo-auth")
            .send_full::<Echo>()
            .await
            .expect("the echo succeeds");
        assert_eq!(full.status, 200, "the HTTP status");
        assert_eq!(
            full.headers.get("content-type").ok().flatten().as_deref(),
            Some("application/json"),
            "the response headers"
        );
        assert_eq!(full.envelope.code, 200, "the decoded envelope");
        assert_eq!(full.replays, 0, "no replay");
        assert!(!full.renewed, "no renewed token");
    }

    #[wasm_bindgen_test]
    async fn rust_api_send_full_counts_replays() {
        let client = rust_client();
        client.set_token("old-token").expect("a clean token");
        let key = unique("rust-full-replays");
        let full = client
            .request("GET", &format!("/scenario/overdue-once?key={key}"))
            .send_full::<Echo>()
            .await
            .expect("the replay succeeds");
        assert_eq!(full.replays, 1, "one replay after the overdue reply");
        assert!(full.renewed, "the overdue reply renewed the token");
    }

    #[derive(Debug, Deserialize)]
    struct UserRow {
        id: u32,
        name: String,
    }

    #[derive(Debug, Deserialize)]
    struct UserPage {
        code: i64,
        rows: Vec<UserRow>,
        total: u64,
    }

    #[wasm_bindgen_test]
    async fn rust_api_envelope_extra_fields() {
        let client = rust_client();
        let page = client
            .request("GET", "/scenario/paged")
            .send_envelope::<UserPage>()
            .await
            .expect("the page succeeds");
        assert_eq!(page.code, 200, "the envelope's code");
        assert_eq!(page.total, 12, "total, beside data");
        let names: Vec<&str> = page.rows.iter().map(|row| row.name.as_str()).collect();
        assert_eq!(names, ["ada", "grace"], "the names of rows, beside data");
        assert_eq!(page.rows[1].id, 2, "the id of the second row");
    }

    #[derive(Debug, Deserialize)]
    struct WrongPage {
        #[allow(dead_code)]
        rows: Vec<String>,
    }

    #[wasm_bindgen_test]
    async fn rust_api_envelope_decode_error() {
        let (client, reported) = counting_client();
        let error = client
            .request("GET", "/scenario/paged")
            .send_envelope::<WrongPage>()
            .await
            .expect_err("rows of objects decoded as strings");
        assert_eq!(error.kind(), ErrorKind::InvalidResponse, "the kind");
        assert_eq!(
            error.message(),
            "The envelope does not match the expected type at rows[0]: expected a string",
            "the message names the field and the type"
        );
        assert_eq!(error.code(), Some(200), "the envelope's code");
        assert_eq!(reported.get(), 1, "on_error runs for the decode error");
    }

    #[wasm_bindgen_test]
    async fn rust_api_envelope_business_code() {
        let client = rust_client();
        let error = client
            .request("GET", "/scenario/paged?code=4001")
            .send_envelope::<UserPage>()
            .await
            .expect_err("a business code");
        assert_eq!(error.kind(), ErrorKind::Business, "the kind");
        assert_eq!(error.code(), Some(4001), "the business code");
    }

    #[derive(Serialize)]
    struct Ids {
        low: i64,
        high: u64,
    }

    #[wasm_bindgen_test]
    async fn rust_api_query_large_integers() {
        let client = rust_client();
        let cases: [(RequestBuilder, &str, &str); 2] = [
            (
                client
                    .request("GET", "/scenario/echo-auth")
                    .query(&[("id", u64::MAX)]),
                "id=18446744073709551615",
                "a u64 pair beyond 2^53 in full",
            ),
            (
                client.request("GET", "/scenario/echo-auth").query(&Ids {
                    low: i64::MIN,
                    high: (1 << 53) + 1,
                }),
                "high=9007199254740993&low=-9223372036854775808",
                "struct fields beyond 2^53 in full",
            ),
        ];
        for (request, expected, what) in cases {
            let envelope = request.send::<Echo>().await.expect("the echo succeeds");
            let echo = envelope.data.expect("the echo has data");
            assert_eq!(echo.query, expected, "{what}");
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sku {
        sku: String,
    }

    #[derive(Debug, Deserialize)]
    struct SkuAsNumber {
        #[allow(dead_code)]
        sku: u32,
    }

    #[wasm_bindgen_test]
    async fn rust_api_error_data_as_type() {
        let client = rust_client();
        let error = client
            .get::<Echo>("/scenario/business")
            .await
            .expect_err("a business code");
        assert_eq!(
            error.data_as::<Sku>(),
            Ok(Some(Sku {
                sku: "A-1".to_owned()
            })),
            "the data decodes as the given type"
        );
        let mismatch = error
            .data_as::<SkuAsNumber>()
            .expect_err("a text sku is no u32");
        assert_eq!(
            mismatch.kind(),
            ErrorKind::InvalidResponse,
            "a mismatch is invalid_response"
        );
        assert_eq!(
            mismatch.message(),
            "The error's data does not match the expected type at sku: expected u32",
            "the message names the field and the expected type"
        );
        assert_eq!(mismatch.url(), error.url(), "the same request URL");
        assert_eq!(mismatch.status(), error.status(), "the same HTTP status");
        assert_eq!(mismatch.code(), error.code(), "the same business code");

        let error = client
            .get::<Echo>("/scenario/html-502")
            .await
            .expect_err("a 502");
        assert_eq!(
            error.data_as::<Sku>(),
            Ok(None),
            "an error without data gives None"
        );
    }

    #[derive(Serialize)]
    struct LoginForm<'a> {
        username: &'a str,
    }

    #[wasm_bindgen_test]
    async fn rust_api_post_future_outlives_borrowed_body() {
        let client = rust_client();
        // The future of a body that borrows a String outlives the String, as a future that
        // spawn_local runs must.
        let post = {
            let username = String::from("ada");
            let form = LoginForm {
                username: &username,
            };
            client.post::<JsonValue>("/scenario/echo-auth", &form)
        };
        let echo = post.await.expect("the POST succeeds").data;
        assert_eq!(
            echo.expect("the echo has data")["body"],
            r#"{"username":"ada"}"#,
            "the POST kept its body after the String was dropped"
        );
    }

    // Dropping a Rust call's future.

    /// Polls `future` once with a waker that does nothing, which starts a call without awaiting
    /// it. Returns true while the future is still pending.
    fn poll_once<F: std::future::Future>(future: std::pin::Pin<&mut F>) -> bool {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        future.poll(&mut context).is_pending()
    }

    /// Waits up to 5 s until the scenario routes have counted `expected` requests under `key`.
    async fn wait_for_count(key: &str, expected: f64) {
        for _ in 0..250 {
            if server_count(key).await >= expected {
                return;
            }
            sleep(20).await;
        }
        panic!("the server did not count {expected} requests under {key} within 5 s");
    }

    #[wasm_bindgen_test]
    async fn loading_skips_call_dropped_at_once() {
        let loading = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let loading_log = std::rc::Rc::clone(&loading);
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .on_loading_change(move |state| loading_log.borrow_mut().push(state))
            .build()
            .expect("valid settings");
        let mut call = Box::pin(client.get::<JsonValue>("/scenario/slow?delay_ms=500"));
        assert!(poll_once(call.as_mut()), "the call starts and waits");
        assert!(client.is_loading(), "the started call counts as loading");
        drop(call);
        sleep(0).await;
        assert!(
            loading.borrow().is_empty(),
            "a call that starts and ends in the same turn is not reported, so no spinner flickers"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_api_abort_signal_ends_running_task() {
        let (client, reported) = counting_client();
        let controller = AbortController::new().expect("AbortController exists");
        let outcome = std::rc::Rc::new(std::cell::RefCell::new(None));
        // A framework task that runs the call to its end, as Leptos's LocalResource does after
        // its component unmounts.
        let task = {
            let client = client.clone();
            let signal = controller.signal();
            let outcome = std::rc::Rc::clone(&outcome);
            async move {
                let result = client
                    .request("GET", "/scenario/slow?delay_ms=2000")
                    .abort_signal(&signal)
                    .send::<JsonValue>()
                    .await;
                *outcome.borrow_mut() = Some(result.map(|_| ()));
            }
        };
        wasm_bindgen_futures::spawn_local(task);
        sleep(50).await;
        assert_eq!(client.pending_count(), 1, "the task's call is pending");
        controller.abort();
        // The server responds after 2 s, so a task that ends within 1 s ended through the abort.
        for _ in 0..50 {
            if outcome.borrow().is_some() {
                break;
            }
            sleep(20).await;
        }

        let error = outcome
            .borrow_mut()
            .take()
            .expect("the task ended within 1 s of the abort, before the server responded")
            .expect_err("the aborted call fails");
        assert_eq!(error.kind(), ErrorKind::Canceled, "the kind");
        assert_eq!(
            error.reason(),
            Some(renew_fetch::client::CancelReason::User),
            "the reason names the caller's signal"
        );
        assert_eq!(client.pending_count(), 0, "nothing is pending");
        assert!(!client.is_loading(), "loading ended");
        assert_eq!(reported.get(), 0, "on_error skips the canceled call");
    }

    #[wasm_bindgen_test]
    async fn rust_api_dropped_call_aborts() {
        let loading = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let loading_log = std::rc::Rc::clone(&loading);
        let reported = std::rc::Rc::new(std::cell::Cell::new(0));
        let reported_count = std::rc::Rc::clone(&reported);
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .on_loading_change(move |state| loading_log.borrow_mut().push(state))
            .on_error(move |_| reported_count.set(reported_count.get() + 1))
            .build()
            .expect("valid settings");
        client.set_token("before-drop").expect("a clean token");
        let key = unique("dropped-call");
        // The route responds after 1.5 s with a renewed token, which the client stores as soon
        // as the response arrives, so a request that outlives its future changes the token.
        let url = format!("/scenario/renewed?delay_ms=1500&key={key}");

        let mut call = Box::pin(client.get::<JsonValue>(&url));
        assert!(
            poll_once(call.as_mut()),
            "the call waits for the slow route"
        );
        assert_eq!(client.pending_count(), 1, "the started call is pending");
        wait_for_count(&key, 1.0).await;
        drop(call);

        assert_eq!(client.pending_count(), 0, "the dropped call is not pending");
        assert!(!client.is_loading(), "loading ends with the dropped call");
        sleep(0).await;
        assert_eq!(
            *loading.borrow(),
            vec![true, false],
            "on_loading_change reports the end after the drop"
        );
        sleep(1800).await;
        assert!(
            client.token().as_deref() == Some("before-drop"),
            "the token is unchanged because the dropped call's request was aborted"
        );
        assert_eq!(
            reported.get(),
            0,
            "onError is not called for a dropped call"
        );

        let envelope = client
            .get::<JsonValue>(&url)
            .await
            .expect("the same call after the drop succeeds");
        assert_eq!(envelope.code, 200, "the second call's code");
        assert_eq!(server_count(&key).await, 2.0, "each call sent one request");
        assert!(
            client.token().as_deref() != Some("before-drop"),
            "the second call stored its renewed token"
        );
        assert_eq!(reported.get(), 0, "no error was reported");
    }

    #[wasm_bindgen_test]
    async fn rust_api_dropped_share_call_keeps_others() {
        let client = Client::builder()
            .base_url(server())
            .token_storage(TokenStorage::Memory)
            .duplicates(Duplicates::Share)
            .build()
            .expect("valid settings");
        let key = unique("dropped-share");
        let url = format!("/scenario/slow?delay_ms=400&key={key}");

        let mut dropped_call = Box::pin(client.get::<JsonValue>(&url));
        assert!(poll_once(dropped_call.as_mut()), "the first call waits");
        let mut awaited_call = Box::pin(client.get::<JsonValue>(&url));
        assert!(
            poll_once(awaited_call.as_mut()),
            "the second call joins the first"
        );
        assert_eq!(client.pending_count(), 2, "both calls are pending");
        drop(dropped_call);
        assert_eq!(
            client.pending_count(),
            1,
            "only the awaited call is pending"
        );

        let envelope = awaited_call
            .await
            .expect("the shared request keeps running for the call that awaits it");
        assert_eq!(envelope.code, 200, "the awaited call's code");
        assert_eq!(
            server_count(&key).await,
            1.0,
            "the two calls sent one request"
        );
    }

    // cancelAll inside onLoginRequired.

    #[wasm_bindgen_test]
    async fn cancel_all_in_login_callback() {
        let holder = object(&[]);
        let on_login = js_function(
            "holder",
            "return () => holder.client.cancelAll(\"logged out\");",
        )
        .call1(&JsValue::UNDEFINED, &holder)
        .expect("the callback factory runs");
        let errors = Recorder::new();
        let client = JsValue::from(client(&[
            ("duplicates", str("off")),
            ("onLoginRequired", on_login),
            ("onError", errors.function.clone().into()),
        ]));
        js_sys::Reflect::set(&holder, &str("client"), &client).expect("the holder is an object");
        let key = unique("login-cancel-all");
        let run = js_function(
            "client, slowUrl, loginUrl",
            "const slow = client.get(slowUrl);
             const login = client.get(loginUrl);
             return Promise.allSettled([slow, login]);",
        );
        let results = run
            .call3(
                &JsValue::UNDEFINED,
                &client,
                &JsValue::from(format!("/scenario/slow?delay_ms=2000&key={key}")),
                &JsValue::from(format!("/scenario/login-required?key={key}")),
            )
            .expect("the calls start");
        let results = settle(results.unchecked_into())
            .await
            .expect("allSettled resolves");

        let slow = path(&results, "0.reason");
        assert_eq!(
            kind(&slow),
            "canceled",
            "the other pending call is canceled"
        );
        assert_eq!(reason(&slow).as_deref(), Some("all"), "by cancelAll");
        assert_eq!(
            text(&slow, "message").as_deref(),
            Some("logged out"),
            "with the callback's reason"
        );
        let login = path(&results, "1.reason");
        assert_eq!(
            kind(&login),
            "login_required",
            "the call that called onLoginRequired keeps its error"
        );
        assert_eq!(number(&login, "code"), Some(1006.0), "the need-login code");
        let reported: Vec<String> = errors.calls().iter().map(kind).collect();
        assert_eq!(
            reported,
            vec!["login_required".to_owned()],
            "onError gets the login_required error and not the canceled one"
        );
        let pending =
            js_sys::Reflect::get(&client, &str("pendingCount")).expect("pendingCount is readable");
        assert_eq!(pending.as_f64(), Some(0.0), "nothing is pending");
        js_sys::Reflect::delete_property(holder.unchecked_ref::<js_sys::Object>(), &str("client"))
            .expect("the holder is an object");
    }

    /// A Rust client whose `on_login_required` calls `cancel_all(Some("logged out"))`, with the
    /// kinds of the errors that its `on_error` got.
    struct CancelingOnLogin {
        client: Client,
        /// The client as its own callback reaches it, cleared on drop to end the cycle.
        holder: std::rc::Rc<std::cell::RefCell<Option<Client>>>,
        reported: std::rc::Rc<std::cell::RefCell<Vec<ErrorKind>>>,
    }

    impl CancelingOnLogin {
        fn new(duplicates: Duplicates) -> Self {
            let holder = std::rc::Rc::new(std::cell::RefCell::new(None::<Client>));
            let callback_holder = std::rc::Rc::clone(&holder);
            let reported = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let reported_log = std::rc::Rc::clone(&reported);
            let client = Client::builder()
                .base_url(server())
                .token_storage(TokenStorage::Memory)
                .duplicates(duplicates)
                .on_login_required(move || {
                    if let Some(client) = callback_holder.borrow().as_ref() {
                        client.cancel_all(Some("logged out"));
                    }
                })
                .on_error(move |error| reported_log.borrow_mut().push(error.kind()))
                .build()
                .expect("valid settings");
            *holder.borrow_mut() = Some(client.clone());
            Self {
                client,
                holder,
                reported,
            }
        }
    }

    impl Drop for CancelingOnLogin {
        fn drop(&mut self) {
            self.holder.borrow_mut().take();
        }
    }

    #[wasm_bindgen_test]
    async fn rust_api_cancel_all_in_login_callback() {
        let setup = CancelingOnLogin::new(Duplicates::Off);
        let client = &setup.client;
        let key = unique("rust-login-cancel-all");
        let slow_url = format!("/scenario/slow?delay_ms=2000&key={key}");
        let mut slow = Box::pin(client.get::<JsonValue>(&slow_url));
        assert!(poll_once(slow.as_mut()), "the slow call waits");

        let error = client
            .get::<JsonValue>(&format!("/scenario/login-required?key={key}"))
            .await
            .expect_err("the route requires a login");
        assert_eq!(
            error.kind(),
            ErrorKind::LoginRequired,
            "the call that called on_login_required keeps its error"
        );
        let error = slow.await.expect_err("the slow call is canceled");
        assert_eq!(error.kind(), ErrorKind::Canceled, "the other pending call");
        assert_eq!(error.message(), "logged out", "the cancel_all message");
        assert_eq!(
            *setup.reported.borrow(),
            vec![ErrorKind::LoginRequired],
            "on_error gets the login_required error and not the canceled one"
        );
        assert_eq!(client.pending_count(), 0, "nothing is pending");
    }

    #[wasm_bindgen_test]
    async fn rust_api_shared_login_survives_cancel_all() {
        let setup = CancelingOnLogin::new(Duplicates::Share);
        let client = &setup.client;
        let key = unique("rust-shared-login");
        let url = format!("/scenario/login-required?key={key}");
        let mut first = Box::pin(client.get::<JsonValue>(&url));
        assert!(poll_once(first.as_mut()), "the first call waits");
        let mut second = Box::pin(client.get::<JsonValue>(&url));
        assert!(
            poll_once(second.as_mut()),
            "the second call joins the first"
        );

        let first = first.await.expect_err("the route requires a login");
        let second = second.await.expect_err("the route requires a login");
        assert_eq!(
            first.kind(),
            ErrorKind::LoginRequired,
            "the first call keeps its error"
        );
        assert_eq!(
            second.kind(),
            ErrorKind::LoginRequired,
            "the call that shared the response keeps its error too"
        );
        assert_eq!(server_count(&key).await, 1.0, "the calls sent one request");
        assert_eq!(
            *setup.reported.borrow(),
            vec![ErrorKind::LoginRequired, ErrorKind::LoginRequired],
            "on_error gets both errors"
        );
        assert_eq!(client.pending_count(), 0, "nothing is pending");
    }

    /// The end of the message for a header that a browser sets itself.
    const BROWSER_SETS: &str =
        "the browser sets itself and fetch drops from a page's request without an error; remove it";

    #[wasm_bindgen_test]
    fn js_client_header_browser_sets_rejected_in_browsers() {
        let result = renew_fetch::client::HttpClient::new(object(&[(
            "headers",
            object(&[("Cookie", str("theme=dark"))]),
        )]));
        if in_browser() {
            let error = result.err().expect("a TypeError for headers: { Cookie }");
            assert_eq!(
                text(&error, "message").unwrap_or_default(),
                format!("headers contains \"Cookie\", which {BROWSER_SETS}"),
                "the message names the header and why it cannot be sent"
            );
        } else {
            assert!(
                result.is_ok(),
                "Node's fetch sends Cookie, so the client takes it"
            );
        }
    }

    #[wasm_bindgen_test]
    fn js_auth_header_browser_sets_rejected_in_browsers() {
        let result =
            renew_fetch::client::HttpClient::new(object(&[("authHeader", str("Set-Cookie"))]));
        if in_browser() {
            let error = result
                .err()
                .expect("a TypeError for authHeader: \"Set-Cookie\"");
            assert_eq!(
                text(&error, "message").unwrap_or_default(),
                "authHeader \"Set-Cookie\" names a header that the browser sets itself, so fetch \
                 would drop the token without an error; use a header of the app's own, such as \
                 \"Authorization\"",
                "the message names the auth header and a header to use"
            );
        } else {
            assert!(
                result.is_ok(),
                "Node's fetch sends Set-Cookie, so the client takes it"
            );
        }
    }

    #[wasm_bindgen_test]
    fn js_set_header_browser_sets_rejected_in_browsers() {
        let client = client(&[]);
        assert!(
            client
                .set_header(str("Proxy-Authorization"), JsValue::NULL)
                .is_ok(),
            "removing a header that the browser sets itself does nothing"
        );
        let result = client.set_header(str("Proxy-Authorization"), str("Basic dXNlcg=="));
        if in_browser() {
            let error = result.expect_err("a TypeError for setHeader(\"Proxy-Authorization\")");
            assert_eq!(
                text(&error, "message").unwrap_or_default(),
                format!("\"Proxy-Authorization\" is a header that {BROWSER_SETS}"),
                "the message names the header, whose name starts with Proxy-"
            );
        } else {
            assert!(result.is_ok(), "Node's fetch sends Proxy-Authorization");
        }
    }

    #[wasm_bindgen_test]
    async fn js_call_header_browser_sets_rejected_in_browsers() {
        let client = client(&[]);
        let options = object(&[("headers", object(&[("Sec-Fetch-Site", str("none"))]))]);
        let call = client.get(JsValue::from("/scenario/ok"), JsValue::UNDEFINED, options);
        let result = settle(call).await;
        if in_browser() {
            let error = expect_error(result, "a call with a Sec-Fetch-Site header");
            assert_eq!(kind(&error), "invalid_request", "the kind");
            assert_eq!(
                text(&error, "message").unwrap_or_default(),
                format!("headers contains \"Sec-Fetch-Site\", which {BROWSER_SETS}"),
                "the message names the header, whose name starts with Sec-"
            );
        } else {
            expect_ok(result, "Node's fetch sends Sec-Fetch-Site");
        }
    }

    #[wasm_bindgen_test]
    fn headers_like_browser_set_names_accepted() {
        let names = [
            "X-Cookie", "Cookies", "Hostname", "Secret", "Proxy", "Dated", "Vias",
        ];
        let fields: Vec<(&str, JsValue)> = names.iter().map(|name| (*name, str("1"))).collect();
        let result = renew_fetch::client::HttpClient::new(object(&[
            ("headers", object(&fields)),
            ("authHeader", str("X-Host")),
        ]));
        assert!(
            result.is_ok(),
            "names that only contain or start like a header the browser sets are kept"
        );
        for name in names {
            let built = Client::builder()
                .token_storage(TokenStorage::Memory)
                .header(name, "1")
                .build();
            assert!(built.is_ok(), "the Rust API keeps the header {name}");
        }
    }

    #[wasm_bindgen_test]
    fn rust_client_header_browser_sets_rejected_in_browsers() {
        let result = Client::builder()
            .token_storage(TokenStorage::Memory)
            .header("Host", "api.example.com")
            .build();
        if in_browser() {
            assert_eq!(
                result.err().map(|error| error.to_string()),
                Some(format!("\"Host\" is a header that {BROWSER_SETS}")),
                "the message names the header"
            );
        } else {
            assert!(
                result.is_ok(),
                "Node's fetch sends Host, so the client takes it"
            );
        }
    }

    #[wasm_bindgen_test]
    fn rust_auth_header_browser_sets_rejected_in_browsers() {
        let result = Client::builder()
            .token_storage(TokenStorage::Memory)
            .auth_header("Cookie")
            .build();
        if in_browser() {
            assert_eq!(
                result.err().map(|error| error.to_string()),
                Some(
                    "auth_header \"Cookie\" names a header that the browser sets itself, so fetch \
                     would drop the token without an error; use a header of the app's own, such \
                     as \"Authorization\""
                        .to_owned()
                ),
                "the message names the setting and a header to use"
            );
        } else {
            assert!(
                result.is_ok(),
                "Node's fetch sends Cookie, so the client takes it"
            );
        }
    }

    #[wasm_bindgen_test]
    fn rust_set_header_browser_sets_rejected_in_browsers() {
        let client = Client::builder()
            .token_storage(TokenStorage::Memory)
            .build()
            .expect("valid settings");
        assert!(
            client.set_header("Origin", None).is_ok(),
            "removing a header that the browser sets itself does nothing"
        );
        let result = client.set_header("Origin", Some("https://example.com"));
        if in_browser() {
            assert_eq!(
                result.err().map(|error| error.to_string()),
                Some(format!("\"Origin\" is a header that {BROWSER_SETS}")),
                "the message names the header"
            );
        } else {
            assert!(
                result.is_ok(),
                "Node's fetch sends Origin, so the client takes it"
            );
        }
    }

    #[wasm_bindgen_test]
    async fn rust_call_header_browser_sets_rejected_in_browsers() {
        let client = rust_memory_client();
        let result = client
            .request("GET", "/scenario/ok")
            .header("Content-Length", "0")
            .send::<Echo>()
            .await;
        if in_browser() {
            let error = result.expect_err("a call with a Content-Length header");
            assert_eq!(error.kind(), ErrorKind::InvalidRequest, "the kind");
            assert_eq!(
                error.message(),
                format!("\"Content-Length\" is a header that {BROWSER_SETS}"),
                "the message names the header"
            );
        } else {
            let echo = result.expect("Node's fetch sends Content-Length: 0 on a GET");
            assert_eq!(
                echo.data.map(|data| data.method),
                Some("GET".to_owned()),
                "the call reached the server"
            );
        }
    }

    /// The end of the message for a method override header that names a forbidden method.
    const OVERRIDE_DROPPED: &str = "lists CONNECT, TRACE or TRACK, which a browser never sends, \
        so fetch drops the header from a page's request without an error; name another method or \
        remove the header";

    #[wasm_bindgen_test]
    async fn js_call_method_override_trace_rejected_in_browsers() {
        let client = client(&[("baseUrl", str(server()))]);
        let headers = object(&[("X-HTTP-Method-Override", str("TRACE"))]);
        let call = client.get(
            JsValue::from("/scenario/ok"),
            JsValue::UNDEFINED,
            object(&[("headers", headers)]),
        );
        let result = settle(call).await;
        if in_browser() {
            let error = expect_error(result, "a call with X-HTTP-Method-Override: TRACE");
            assert_eq!(kind(&error), "invalid_request", "the kind");
            assert_eq!(
                text(&error, "message").unwrap_or_default(),
                format!(
                    "the value \"TRACE\" of header \"X-HTTP-Method-Override\" {OVERRIDE_DROPPED}"
                ),
                "the message names the value and the header"
            );
        } else {
            expect_ok(result, "Node's fetch sends X-HTTP-Method-Override: TRACE");
        }
    }

    #[wasm_bindgen_test]
    fn js_set_header_method_override_list_rejected_in_browsers() {
        let client = client(&[]);
        let result = client.set_header(str("X-Method-Override"), str("get, Trace"));
        if in_browser() {
            let error = result.expect_err("a TypeError for a list that contains Trace");
            assert_eq!(
                text(&error, "message").unwrap_or_default(),
                format!(
                    "the value \"get, Trace\" of header \"X-Method-Override\" {OVERRIDE_DROPPED}"
                ),
                "the message names the value and the header"
            );
        } else {
            assert!(result.is_ok(), "Node's fetch sends the header");
        }
    }

    #[wasm_bindgen_test]
    async fn rust_call_method_override_connect_rejected_in_browsers() {
        let client = rust_memory_client();
        let result = client
            .request("GET", "/scenario/ok")
            .header("X-HTTP-Method", "connect")
            .send::<Echo>()
            .await;
        if in_browser() {
            let error = result.expect_err("a call with X-HTTP-Method: connect");
            assert_eq!(error.kind(), ErrorKind::InvalidRequest, "the kind");
            assert_eq!(
                error.message(),
                format!("the value \"connect\" of header \"X-HTTP-Method\" {OVERRIDE_DROPPED}"),
                "the message names the value and the header"
            );
        } else {
            assert!(result.is_ok(), "Node's fetch sends X-HTTP-Method: connect");
        }
    }

    #[wasm_bindgen_test]
    fn method_override_other_methods_accepted() {
        let headers = object(&[
            ("X-HTTP-Method-Override", str("PATCH")),
            ("X-Method-Override", str("TRACES, PUT")),
        ]);
        let js = renew_fetch::client::HttpClient::new(object(&[("headers", headers)]));
        assert!(
            js.is_ok(),
            "overrides that name other methods are valid client headers"
        );
        let client = client(&[]);
        assert!(
            client
                .set_header(str("X-HTTP-Method"), str("connected"))
                .is_ok(),
            "setHeader takes a value that only starts like CONNECT"
        );
        let rust = Client::builder()
            .token_storage(TokenStorage::Memory)
            .header("X-HTTP-Method", "DELETE")
            .build();
        assert!(rust.is_ok(), "the Rust API takes X-HTTP-Method: DELETE");
    }

    // The token change callback.

    /// Returns a client whose `onTokenChange` goes to a new recorder.
    fn watched_client() -> (HttpClient, Recorder) {
        let recorder = Recorder::new();
        let client = client(&[("onTokenChange", recorder.function.clone().into())]);
        (client, recorder)
    }

    #[wasm_bindgen_test]
    async fn token_change_reports_set_and_clear() {
        let (client, recorder) = watched_client();
        client
            .set_token(JsValue::from("first-token"))
            .expect("a clean token");
        assert!(
            recorder.strings().is_empty(),
            "expected no report inside setToken()"
        );
        sleep(0).await;
        client.clear_token();
        sleep(0).await;
        assert_eq!(
            recorder.strings(),
            vec![Some("first-token".to_owned()), None],
            "expected the stored token, then null"
        );
    }

    #[wasm_bindgen_test]
    async fn token_change_reports_last_of_turn() {
        let (client, recorder) = watched_client();
        client
            .set_token(JsValue::from("a-token"))
            .expect("a clean token");
        client.clear_token();
        client
            .set_token(JsValue::from("b-token"))
            .expect("a clean token");
        sleep(0).await;
        client
            .set_token(JsValue::from("b-token"))
            .expect("a clean token");
        sleep(0).await;
        assert_eq!(
            recorder.strings(),
            vec![Some("b-token".to_owned())],
            "expected one report of the last token, and none for the same token again"
        );
    }

    #[wasm_bindgen_test]
    async fn token_change_reports_renewal() {
        let (client, recorder) = watched_client();
        client
            .set_token(JsValue::from("old-token"))
            .expect("a clean token");
        let url = format!(
            "/scenario/renewed?form=raw&key={}",
            unique("watched-renewal")
        );
        let envelope = expect_ok(
            settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "success with a renewed token",
        );
        let issued = text(&envelope, "data.token").expect("the scenario returns the token it sent");
        sleep(0).await;
        assert_eq!(
            recorder.strings(),
            vec![Some("old-token".to_owned()), Some(issued)],
            "expected the set token, then the renewed one"
        );
    }

    #[wasm_bindgen_test]
    async fn token_change_reports_rejected_clear() {
        let (client, recorder) = watched_client();
        reject_stored_token(
            &client,
            "/scenario/login-required?code=1007",
            "a login-required reply to the stored token",
        )
        .await;
        sleep(0).await;
        assert_eq!(
            recorder.strings(),
            vec![Some("rejected-token".to_owned()), None],
            "expected the rejected token, then null once the client cleared it"
        );
    }

    #[wasm_bindgen_test]
    async fn token_change_error_keeps_token() {
        let client = client(&[(
            "onTokenChange",
            js_function("", "throw new Error('callback failed');").into(),
        )]);
        client
            .set_token(JsValue::from("a-token"))
            .expect("a clean token");
        sleep(0).await;
        assert_eq!(
            client.get_token().as_deref(),
            Some("a-token"),
            "expected the token to stay stored after the callback threw"
        );
    }

    #[wasm_bindgen_test]
    fn token_change_must_be_function() {
        let result =
            renew_fetch::client::HttpClient::new(object(&[("onTokenChange", str("reload"))]));
        let error = result
            .err()
            .expect("a TypeError for onTokenChange: \"reload\"");
        assert_eq!(
            text(&error, "message").unwrap_or_default(),
            "onTokenChange must be a function, got string",
            "the message names the option and the value's type"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_token_change_reports_set_and_clear() {
        let reported = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = std::rc::Rc::clone(&reported);
        let client = Client::builder()
            .token_storage(TokenStorage::Memory)
            .on_token_change(move |token| log.borrow_mut().push(token.map(str::to_owned)))
            .build()
            .expect("valid settings");
        client.set_token("rust-token").expect("a clean token");
        sleep(0).await;
        client.clear_token();
        sleep(0).await;
        assert_eq!(
            *reported.borrow(),
            vec![Some("rust-token".to_owned()), None],
            "expected the stored token, then None"
        );
    }

    /// Returns the Authorization header that `/scenario/echo-auth` received for a GET with `options`.
    async fn echoed_auth(client: &HttpClient, call_options: JsValue) -> Option<String> {
        let envelope = expect_ok(
            settle(client.get(
                JsValue::from("/scenario/echo-auth"),
                JsValue::UNDEFINED,
                call_options,
            ))
            .await,
            "a call to echo-auth",
        );
        text(&envelope, "data.authorization")
    }

    #[wasm_bindgen_test]
    async fn no_token_call_sends_no_token() {
        let client = client(&[("duplicates", str("off"))]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let without = echoed_auth(&client, options(&[("noToken", JsValue::TRUE)])).await;
        assert_eq!(without, None, "expected no Authorization with noToken");
        let with = echoed_auth(&client, options(&[("noToken", JsValue::FALSE)])).await;
        assert_eq!(
            with.as_deref(),
            Some("Bearer mine"),
            "expected the token with noToken: false"
        );
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "expected the stored token to stay"
        );
    }

    #[wasm_bindgen_test]
    async fn no_token_call_keeps_own_auth_header() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let sent = echoed_auth(
            &client,
            options(&[
                ("noToken", JsValue::TRUE),
                (
                    "headers",
                    object(&[("Authorization", str("Basic dXNlcg=="))]),
                ),
            ]),
        )
        .await;
        assert_eq!(
            sent.as_deref(),
            Some("Basic dXNlcg=="),
            "expected the call's own Authorization header"
        );
    }

    #[wasm_bindgen_test]
    async fn no_token_overdue_not_replayed() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("no-token-overdue");
        let error = expect_error(
            settle(client.get(
                JsValue::from(format!("/scenario/overdue-forever?key={key}")),
                JsValue::UNDEFINED,
                options(&[("noToken", JsValue::TRUE)]),
            ))
            .await,
            "overdue for a call without the token",
        );
        assert_eq!(kind(&error), "business", "expected a business error");
        assert_eq!(
            number(&error, "code"),
            Some(401.0),
            "expected the overdue code"
        );
        assert_eq!(
            server_count(&key).await,
            1.0,
            "expected one request, no replay"
        );
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "expected the stored token, not the reply's"
        );
    }

    #[wasm_bindgen_test]
    async fn no_token_login_code_keeps_session() {
        let recorder = Recorder::new();
        let client = client(&[("onLoginRequired", recorder.function.clone().into())]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("no-token-login");
        let error = expect_error(
            settle(client.post(
                JsValue::from(format!("/scenario/login-required?key={key}")),
                str("{}"),
                options(&[("noToken", JsValue::TRUE)]),
            ))
            .await,
            "need-login for a call without the token",
        );
        assert_eq!(kind(&error), "business", "expected a business error");
        assert_eq!(
            number(&error, "code"),
            Some(1006.0),
            "expected the need-login code"
        );
        sleep(0).await;
        assert_eq!(recorder.calls().len(), 0, "expected no onLoginRequired");
        assert_eq!(
            client.get_token().as_deref(),
            Some("mine"),
            "expected the stored token to stay"
        );
    }

    #[wasm_bindgen_test]
    async fn no_token_call_not_shared_with_token_call() {
        let client = client(&[("duplicates", str("share"))]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("no-token-share");
        let url = format!("/scenario/slow?delay_ms=100&key={key}");
        let call = |no_token: bool| {
            client.get(
                JsValue::from(url.as_str()),
                JsValue::UNDEFINED,
                options(&[("noToken", JsValue::from_bool(no_token))]),
            )
        };
        let results = settle_all(vec![call(false), call(true), call(true)]).await;
        let sent: Vec<Option<String>> = results
            .iter()
            .map(|result| {
                let envelope = result.as_ref().expect("each call succeeds");
                text(envelope, "data.authorization")
            })
            .collect();
        assert_eq!(
            sent,
            vec![Some("Bearer mine".to_owned()), None, None],
            "expected the token call's reply apart from the two calls without it"
        );
        assert_eq!(
            server_count(&key).await,
            2.0,
            "expected one request with the token and one shared without it"
        );
    }

    #[wasm_bindgen_test]
    async fn no_token_option_checked() {
        let client = client(&[]);
        let message = invalid_call_message(
            &client,
            JsValue::UNDEFINED,
            options(&[("noToken", str("true"))]),
        )
        .await;
        assert_eq!(
            message, "noToken must be true or false, got string",
            "expected the option and the value's type"
        );
        let message = invalid_call_message(
            &client,
            options(&[("noToken", JsValue::TRUE)]),
            JsValue::UNDEFINED,
        )
        .await;
        assert!(
            message.contains("noToken"),
            "expected noToken in the params to name the option, got {message:?}"
        );
    }

    #[wasm_bindgen_test]
    async fn is_token_header_flag_rejected() {
        let client = client(&[]);
        let call = client.post(
            JsValue::from("/scenario/echo-auth"),
            object(&[("user", str("demo"))]),
            options(&[("headers", object(&[("isToken", JsValue::FALSE)]))]),
        );
        let error = expect_error(settle(call).await, "a call with headers.isToken");
        assert_eq!(
            kind(&error),
            "invalid_request",
            "expected an invalid request"
        );
        assert_eq!(
            text(&error, "message").unwrap_or_default(),
            "headers.isToken is an axios wrapper's flag, which fetch would send as a header; \
             remove it, and pass the option noToken: true for a call without the token",
            "expected the flag named with the option to use"
        );
    }

    #[wasm_bindgen_test]
    async fn repeat_submit_header_flag_rejected() {
        let client = client(&[]);
        let call = client.post(
            JsValue::from("/scenario/echo-auth"),
            object(&[("user", str("demo"))]),
            options(&[("headers", object(&[("repeatSubmit", JsValue::FALSE)]))]),
        );
        let error = expect_error(settle(call).await, "a call with headers.repeatSubmit");
        assert_eq!(
            kind(&error),
            "invalid_request",
            "expected an invalid request"
        );
        assert_eq!(
            text(&error, "message").unwrap_or_default(),
            "headers.repeatSubmit is an axios wrapper's flag, which fetch would send as a \
             header; remove it, and pass the option duplicates: \"off\" to send a call beside \
             its duplicates",
            "expected the flag named with the option to use"
        );

        // A string value is a header. The browsers' CORS preflight to the demo server, which
        // does not allow that header, fails such a call after the client passed it to fetch.
        let header = options(&[("headers", object(&[("repeatSubmit", str("false"))]))]);
        let call = client.get(JsValue::from("/scenario/ok"), JsValue::UNDEFINED, header);
        let result = settle(call).await;
        let rejected = result
            .as_ref()
            .err()
            .is_some_and(|error| kind(error) == "invalid_request");
        assert!(
            !rejected,
            "expected a string repeatSubmit to reach fetch as a header"
        );
    }

    #[wasm_bindgen_test]
    fn set_header_wrapper_flag_rejected() {
        let client = client(&[]);
        let error = client
            .set_header(str("isToken"), JsValue::FALSE)
            .expect_err("a boolean isToken is a flag, not a header");
        assert_eq!(
            text(&error, "message").unwrap_or_default(),
            "\"isToken\" is an axios wrapper's flag, which fetch would send as a header; remove \
             it, and pass the option noToken: true for a call without the token",
            "expected the flag named with the option to use"
        );
        let error = client
            .set_header(str("REPEATSUBMIT"), JsValue::TRUE)
            .expect_err("the flag's name in any case");
        assert!(
            text(&error, "message")
                .unwrap_or_default()
                .contains("duplicates: \"off\""),
            "expected the message to name the duplicates option"
        );
        client
            .set_header(str("repeatSubmit"), str("false"))
            .expect("a string value is a header");
    }

    #[wasm_bindgen_test]
    fn client_header_wrapper_flag_rejected() {
        let result = HttpClient::new(object(&[(
            "headers",
            object(&[("isToken", JsValue::FALSE)]),
        )]));
        let error = result
            .err()
            .expect("a TypeError for headers: { isToken: false }");
        assert_eq!(
            text(&error, "message").unwrap_or_default(),
            "headers.isToken is an axios wrapper's flag, which fetch would send as a header; \
             remove it, and pass the option noToken: true for a call without the token",
            "expected the flag named with the option to use"
        );
    }

    #[wasm_bindgen_test]
    async fn no_token_as_body_rejected() {
        let client = client(&[]);
        client
            .set_token(JsValue::from("mine"))
            .expect("a clean token");
        let key = unique("no-token-body");
        let call = client.post(
            JsValue::from(format!("/scenario/echo-auth?key={key}")),
            object(&[("noToken", JsValue::TRUE)]),
            JsValue::UNDEFINED,
        );
        let error = expect_error(settle(call).await, "noToken passed as the body");
        assert_eq!(
            kind(&error),
            "invalid_request",
            "expected an invalid request"
        );
        assert_eq!(
            text(&error, "message").unwrap_or_default(),
            "The body contains \"noToken\", which is a request option; pass the options third, \
             as in post(url, data, { noToken: true }), or pass JSON.stringify(body) to send a \
             field named noToken",
            "expected the option and where it goes"
        );
        assert_eq!(server_count(&key).await, 0.0, "expected no request");
        let data = object(&[("noToken", JsValue::TRUE), ("name", str("ada"))]);
        let call = client.post(
            JsValue::from("/scenario/echo-auth"),
            data,
            JsValue::UNDEFINED,
        );
        expect_ok(
            settle(call).await,
            "a body with data beside a noToken field, which is data",
        );
    }

    #[wasm_bindgen_test]
    async fn rust_no_token_call_sends_no_token() {
        let client = rust_client();
        client.set_token("stored").expect("a clean token");
        let echo = client
            .request("GET", "/scenario/echo-auth")
            .no_token()
            .send::<Echo>()
            .await
            .expect("the call succeeds")
            .data
            .expect("the echo has data");
        assert_eq!(echo.authorization, None, "expected no Authorization");
        let key = unique("rust-no-token-overdue");
        let error = client
            .request("GET", &format!("/scenario/overdue-forever?key={key}"))
            .no_token()
            .send::<Echo>()
            .await
            .expect_err("overdue for a call without the token");
        assert_eq!(
            error.kind(),
            ErrorKind::Business,
            "expected a business error"
        );
        assert_eq!(
            server_count(&key).await,
            1.0,
            "expected one request, no replay"
        );
        assert_eq!(
            client.token().as_deref(),
            Some("stored"),
            "expected the stored token to stay"
        );
    }

    #[wasm_bindgen_test]
    async fn rust_duplicate_message_names_policies() {
        let client = rust_memory_client();
        let key = unique("rust-duplicate");
        let url = format!("/scenario/slow?delay_ms=200&key={key}");
        let mut earlier = Box::pin(client.get::<JsonValue>(&url));
        assert!(
            poll_once(earlier.as_mut()),
            "expected the earlier call to wait"
        );
        let later = client.get::<JsonValue>(&url);
        let result = later.await;
        let error = earlier.await.expect_err("the earlier call is canceled");
        assert_eq!(
            error.reason(),
            Some(renew_fetch::client::CancelReason::Duplicate),
            "expected the duplicate reason"
        );
        assert_eq!(
            error.message(),
            "The request was canceled by a newer request with the same method, URL, params and \
             body; set duplicates(Duplicates::Share) on the client or on both calls to give them \
             one response, or Duplicates::Off on the newer call to send both",
            "expected the message to name the Rust policies"
        );
        result.expect("the later call succeeds");
    }

    /// Builds a client with the code of tests/client_usage, which the native ssr tests also
    /// compile, and checks that its calls send nothing until they are polled.
    #[wasm_bindgen_test]
    fn rust_usage_unpolled_sends_nothing() {
        let client = super::client_usage::app_client(|_| {}, |_| {})
            .expect("the usage client's settings are valid");
        let controller = AbortController::new().expect("AbortController exists");
        let calls = super::client_usage::every_call(&client, Some(&controller.signal()));
        assert_eq!(calls.len(), 12, "expected one call per method and option");
        assert_eq!(
            client.pending_count(),
            0,
            "expected no call pending before it is polled"
        );
        drop(calls);
        super::client_usage::context_bounds();
        super::client_usage::manage(&client).expect("every management call succeeds");
        assert_eq!(
            client.token(),
            None,
            "expected manage to end with the token cleared"
        );
    }

    /// A callback that reaches the client through a `WeakClient` does not keep it alive, where
    /// a captured `Client` would hold the client through its own callback.
    #[wasm_bindgen_test]
    fn weak_client_in_callback_drops() {
        let (client, weak) = super::client_usage::client_with_weak_callback()
            .expect("the client's settings are valid");
        assert!(
            weak.upgrade() == Some(client.clone()),
            "expected the weak reference to reach the client while a clone lives"
        );
        drop(client);
        assert!(
            weak.upgrade().is_none(),
            "expected the client dropped with its last clone, its callback included"
        );
    }

    // What settled calls release.

    /// Sends `count` calls one after another under the duplicates policy `policy`, and returns
    /// how many more JavaScript values the wasm module keeps afterwards than before.
    async fn live_values_after_calls(policy: &str, count: usize) -> i64 {
        let client = client(&[("duplicates", str(policy))]);
        let key = unique("live-values");
        let url = format!("/scenario/ok?key={key}");
        // The first call creates what every later call reuses.
        expect_ok(
            settle(client.get(str(&url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
            "the warm-up call",
        );
        sleep(20).await;
        let before = i64::from(wasm_bindgen::externref_heap_live_count());
        for _ in 0..count {
            expect_ok(
                settle(client.get(str(&url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await,
                "a call to /scenario/ok",
            );
        }
        sleep(20).await;
        i64::from(wasm_bindgen::externref_heap_live_count()) - before
    }

    /// A share call that settles releases what it used, as a call under "off" does.
    #[wasm_bindgen_test]
    async fn share_calls_release_js_values() {
        let calls = 100;
        let off = live_values_after_calls("off", calls).await;
        let share = live_values_after_calls("share", calls).await;
        assert!(
            off <= 4,
            "expected {calls} calls under \"off\" to leave no values behind, found {off} more"
        );
        assert!(
            share <= off + 4,
            "expected {calls} settled share calls to leave no more values behind than calls \
             under \"off\" ({off}), found {share} more"
        );
    }
}
