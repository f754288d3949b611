//! Client tests that need a browser: local and session storage, `storage` events, a second
//! origin and `navigator.onLine`. The DOM-free tests of tests/wasm_node.rs are included, so
//! they run in the browsers too. Each test talks to the real demo server that
//! scripts/test-wasm.sh starts with `--scenarios`.

#![cfg(target_arch = "wasm32")]

#[path = "wasm_node.rs"]
mod node;

use js_sys::{Array, Reflect};
use node::wasm_support::*;
use renew_fetch::client::{Client, HttpClient};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn str(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn storage_client(storage: &str, key: &str) -> HttpClient {
    client(&[("tokenStorage", str(storage)), ("tokenKey", str(key))])
}

fn window() -> web_sys::Window {
    web_sys::window().expect("the browser tests run in a window")
}

fn local_storage() -> web_sys::Storage {
    window()
        .local_storage()
        .ok()
        .flatten()
        .expect("localStorage is available")
}

/// Replaces a property of a browser object for the length of a test, and puts the original
/// back when dropped, even when the test fails.
struct Override {
    restore: js_sys::Function,
}

impl Override {
    /// Runs `install`, a function body that receives `globalThis` and returns a function that
    /// undoes it.
    fn new(install: &str) -> Self {
        let install = js_function("g", install);
        let restore = install
            .call1(&JsValue::UNDEFINED, &js_sys::global())
            .expect("the override installs");
        Self {
            restore: restore.into(),
        }
    }

    /// Makes `Storage.prototype.setItem` throw a QuotaExceededError.
    fn failing_set_item() -> Self {
        Self::new(
            "const original = g.Storage.prototype.setItem;
             g.Storage.prototype.setItem = function () {
               throw new DOMException('quota exceeded', 'QuotaExceededError');
             };
             return () => { g.Storage.prototype.setItem = original; };",
        )
    }

    /// Makes reading `window.localStorage` throw a SecurityError, as blocked storage does.
    fn blocked_local_storage() -> Self {
        Self::new(
            "const own = Object.getOwnPropertyDescriptor(g, 'localStorage');
             Object.defineProperty(g, 'localStorage', {
               configurable: true,
               get() { throw new DOMException('storage is blocked', 'SecurityError'); },
             });
             return () => {
               if (own) { Object.defineProperty(g, 'localStorage', own); }
               else { delete g.localStorage; }
             };",
        )
    }

    /// Makes `navigator.onLine` false.
    fn offline() -> Self {
        Self::new(
            "Object.defineProperty(g.navigator, 'onLine', { configurable: true, get: () => false });
             return () => { delete g.navigator.onLine; };",
        )
    }
}

impl Drop for Override {
    fn drop(&mut self) {
        let _ = self.restore.call0(&JsValue::UNDEFINED);
    }
}

// Token storage.

#[wasm_bindgen_test]
fn local_storage_keeps_token_across_clients() {
    let key = unique("local-token");
    let first = storage_client("local", &key);
    first
        .set_token(JsValue::from("local-token"))
        .expect("a clean token");
    assert_eq!(first.token_storage(), "local", "local storage is in use");
    assert_eq!(
        local_storage().get_item(&key).ok().flatten().as_deref(),
        Some("local-token"),
        "the token is written to localStorage under tokenKey"
    );
    let second = storage_client("local", &key);
    assert_eq!(
        second.get_token().as_deref(),
        Some("local-token"),
        "a new client loads the stored token"
    );
    second.clear_token();
    assert_eq!(
        local_storage().get_item(&key).ok().flatten(),
        None,
        "clearToken removes it from localStorage"
    );
}

#[wasm_bindgen_test]
fn default_key_apart_for_other_api_origin() {
    let storage = local_storage();
    let page_key = "renew-fetch.token";
    let api_origin = web_sys::Url::new(server())
        .expect("the test server's URL parses")
        .origin();
    let api_key = format!("renew-fetch.token@{api_origin}");
    let _ = storage.remove_item(page_key);
    let _ = storage.remove_item(&api_key);
    let local_client = |base: Option<&str>| {
        let mut fields = vec![("tokenStorage", str("local"))];
        if let Some(base) = base {
            fields.push(("baseUrl", str(base)));
        }
        HttpClient::new(object(&fields)).expect("valid options")
    };

    let page = local_client(None);
    page.set_token(JsValue::from("page-token"))
        .expect("a clean token");
    // The test page is served from another port than the demo server, so another origin.
    let api = local_client(Some(server()));
    assert_eq!(
        api.get_token(),
        None,
        "a client for another origin does not load the page's token"
    );
    api.set_token(JsValue::from("api-token"))
        .expect("a clean token");
    assert_eq!(
        storage.get_item(&api_key).ok().flatten().as_deref(),
        Some("api-token"),
        "its token is stored under the key with its origin"
    );
    assert_eq!(
        page.get_token().as_deref(),
        Some("page-token"),
        "the page's client keeps its own token"
    );
    assert_eq!(
        local_client(Some("/api")).get_token().as_deref(),
        Some("page-token"),
        "a client of the page's origin shares the page's key"
    );
    assert_eq!(
        local_client(Some(&format!("{api_origin}/v2")))
            .get_token()
            .as_deref(),
        Some("api-token"),
        "a second client of the same API origin shares its key"
    );
    page.clear_token();
    api.clear_token();
}

#[wasm_bindgen_test]
fn default_key_apart_for_allowed_origin() {
    let storage = local_storage();
    let page_key = "renew-fetch.token";
    let api_origin = web_sys::Url::new(server())
        .expect("the test server's URL parses")
        .origin();
    let api_key = format!("renew-fetch.token@{api_origin}");
    let _ = storage.remove_item(page_key);
    let _ = storage.remove_item(&api_key);
    let page_origin = window()
        .location()
        .origin()
        .expect("the page has an origin");
    let allowed_client = |origins: &[&str]| {
        let list = Array::new();
        for origin in origins {
            list.push(&str(origin));
        }
        let fields = [
            ("tokenStorage", str("local")),
            ("allowedOrigins", list.into()),
        ];
        HttpClient::new(object(&fields)).expect("valid options")
    };

    let page = allowed_client(&[&page_origin]);
    page.set_token(JsValue::from("page-token"))
        .expect("a clean token");
    // No baseUrl: the client sends absolute URLs, and its allowed origin is another API's.
    let api = allowed_client(&[&api_origin]);
    assert_eq!(
        api.get_token(),
        None,
        "a client that sends its token to another origin does not load the page's token"
    );
    api.set_token(JsValue::from("api-token"))
        .expect("a clean token");
    assert_eq!(
        storage.get_item(&api_key).ok().flatten().as_deref(),
        Some("api-token"),
        "its token is stored under the key with the allowed origin"
    );
    assert_eq!(
        page.get_token().as_deref(),
        Some("page-token"),
        "the page's client keeps its own token"
    );
    assert_eq!(
        allowed_client(&[&page_origin, &api_origin])
            .get_token()
            .as_deref(),
        Some("page-token"),
        "a client whose allowed origins include the page's shares the page's key"
    );
    for origins in [
        [api_origin.as_str(), "http://zz.test"],
        ["http://zz.test", api_origin.as_str()],
    ] {
        assert_eq!(
            allowed_client(&origins).get_token().as_deref(),
            Some("api-token"),
            "the key takes the first allowed origin in sorted order, whatever the order given"
        );
    }
    let page_api = HttpClient::new(object(&[
        ("tokenStorage", str("local")),
        ("baseUrl", str("/api")),
        (
            "allowedOrigins",
            Array::of2(&str(&page_origin), &str(&api_origin)).into(),
        ),
    ]))
    .expect("valid options");
    assert_eq!(
        page_api.get_token().as_deref(),
        Some("page-token"),
        "a client whose base URL is on the page's origin shares the page's key"
    );
    let page_base_api = HttpClient::new(object(&[
        ("tokenStorage", str("local")),
        ("baseUrl", str("/api")),
        ("allowedOrigins", Array::of1(&str(&api_origin)).into()),
    ]))
    .expect("valid options");
    assert_eq!(
        page_base_api.get_token().as_deref(),
        Some("api-token"),
        "a base URL on the page's origin with allowed origins that leave it out takes the API's key"
    );
    page.clear_token();
    api.clear_token();
}

#[wasm_bindgen_test]
fn clients_sharing_key_see_set_token() {
    let key = unique("shared-set");
    let first = storage_client("local", &key);
    let second = storage_client("local", &key);
    first
        .set_token(JsValue::from("from-first"))
        .expect("a clean token");
    assert_eq!(
        second.get_token().as_deref(),
        Some("from-first"),
        "a client of the same page with the same key reads the new token"
    );
}

#[wasm_bindgen_test]
fn clients_sharing_key_see_clear_token() {
    let key = unique("shared-clear");
    let first = storage_client("local", &key);
    first
        .set_token(JsValue::from("signed-in"))
        .expect("a clean token");
    let second = storage_client("local", &key);
    second.clear_token();
    assert_eq!(
        first.get_token(),
        None,
        "a logout through one client of the page reaches the other"
    );
}

#[wasm_bindgen_test]
fn clients_with_other_key_or_storage_unaffected() {
    let key = unique("shared-apart");
    let local = storage_client("local", &key);
    let other_key = storage_client("local", &unique("shared-apart-other"));
    let session = storage_client("session", &key);
    other_key
        .set_token(JsValue::from("other-key"))
        .expect("a clean token");
    session
        .set_token(JsValue::from("session"))
        .expect("a clean token");
    local
        .set_token(JsValue::from("local"))
        .expect("a clean token");
    assert_eq!(
        other_key.get_token().as_deref(),
        Some("other-key"),
        "a client with another key keeps its token"
    );
    assert_eq!(
        session.get_token().as_deref(),
        Some("session"),
        "a client with the same key in session storage keeps its token"
    );
}

#[wasm_bindgen_test]
async fn clients_sharing_key_see_renewal() {
    let key = unique("shared-renewal");
    let first = storage_client("local", &key);
    let second = storage_client("local", &key);
    first
        .set_token(JsValue::from("before-renewal"))
        .expect("a clean token");
    let url = format!(
        "/scenario/renewed?form=raw&key={}",
        unique("shared-renewal-call")
    );
    settle(first.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the renewal scenario answers");
    let renewed = first.get_token();
    assert_ne!(
        renewed.as_deref(),
        Some("before-renewal"),
        "the first client stored the renewed token"
    );
    // The tokens are compared without printing them.
    assert!(
        second.get_token() == renewed,
        "the second client reads the token that the first one renewed"
    );
}

#[wasm_bindgen_test]
fn dropped_client_leaves_others_working() {
    let key = unique("shared-dropped");
    let remaining = storage_client("local", &key);
    drop(storage_client("local", &key));
    remaining
        .set_token(JsValue::from("after-drop"))
        .expect("a clean token");
    assert_eq!(
        remaining.get_token().as_deref(),
        Some("after-drop"),
        "a client dropped before the write does not break the write"
    );
}

#[wasm_bindgen_test]
fn session_storage_keeps_token_across_clients() {
    let key = unique("session-token");
    let first = storage_client("session", &key);
    first
        .set_token(JsValue::from("session-token"))
        .expect("a clean token");
    let session = window()
        .session_storage()
        .ok()
        .flatten()
        .expect("sessionStorage is available");
    assert_eq!(
        session.get_item(&key).ok().flatten().as_deref(),
        Some("session-token"),
        "written to sessionStorage"
    );
    assert_eq!(
        local_storage().get_item(&key).ok().flatten(),
        None,
        "not written to localStorage"
    );
    let second = storage_client("session", &key);
    assert_eq!(
        second.get_token().as_deref(),
        Some("session-token"),
        "a new client loads it"
    );
}

#[wasm_bindgen_test]
fn memory_storage_writes_nothing() {
    let key = unique("memory-token");
    let first = storage_client("memory", &key);
    first
        .set_token(JsValue::from("memory-token"))
        .expect("a clean token");
    assert_eq!(
        local_storage().get_item(&key).ok().flatten(),
        None,
        "memory writes no storage"
    );
    let second = storage_client("memory", &key);
    assert_eq!(
        second.get_token(),
        None,
        "another client does not see a memory token"
    );
}

#[wasm_bindgen_test]
fn throwing_storage_falls_back_to_memory() {
    let key = unique("quota-token");
    let client = {
        let _quota = Override::failing_set_item();
        let client = storage_client("local", &key);
        assert_eq!(
            client.token_storage(),
            "memory",
            "a storage whose writes throw is replaced by memory"
        );
        client
            .set_token(JsValue::from("kept-in-memory"))
            .expect("a clean token");
        client
    };
    assert_eq!(
        client.get_token().as_deref(),
        Some("kept-in-memory"),
        "the client keeps working"
    );
    assert_eq!(
        local_storage().get_item(&key).ok().flatten(),
        None,
        "nothing reached localStorage"
    );
}

#[wasm_bindgen_test]
fn throwing_storage_loads_stored_token() {
    let key = unique("quota-stored");
    local_storage()
        .set_item(&key, "stored-before")
        .expect("the storage takes the write");
    let client = {
        let _quota = Override::failing_set_item();
        storage_client("local", &key)
    };
    assert_eq!(
        client.token_storage(),
        "memory",
        "expected memory for a storage whose writes throw"
    );
    assert_eq!(
        client.get_token().as_deref(),
        Some("stored-before"),
        "expected the token that the storage contains"
    );
    client.clear_token();
    assert_eq!(
        local_storage().get_item(&key).ok().flatten(),
        None,
        "expected the logout to clear the storage too"
    );
}

#[wasm_bindgen_test]
fn storage_throwing_later_falls_back_to_memory() {
    let key = unique("late-quota");
    let client = storage_client("local", &key);
    assert_eq!(
        client.token_storage(),
        "local",
        "local storage works at first"
    );
    {
        let _quota = Override::failing_set_item();
        client
            .set_token(JsValue::from("after-quota"))
            .expect("a clean token");
    }
    assert_eq!(
        client.get_token().as_deref(),
        Some("after-quota"),
        "the token is kept in memory"
    );
    assert_eq!(
        client.token_storage(),
        "memory",
        "the client keeps to memory after a failed write"
    );
}

/// A write that throws, as with a full quota, moves the client to memory while the storage
/// still contains the earlier token. A logout must still remove that token, or the next page load
/// reads it back and the user is logged in again.
#[wasm_bindgen_test]
fn fallback_logout_clears_storage() {
    let key = unique("fallback-logout");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("before-quota"))
        .expect("a clean token");
    {
        let _quota = Override::failing_set_item();
        client
            .set_token(JsValue::from("after-quota"))
            .expect("a clean token");
    }
    assert_eq!(
        client.token_storage(),
        "memory",
        "the client fell back to memory"
    );
    client.clear_token();
    assert_eq!(client.get_token(), None, "the client forgot its token");
    assert_eq!(
        local_storage().get_item(&key).ok().flatten(),
        None,
        "expected clearToken to remove the token that localStorage still holds"
    );
    let reloaded = storage_client("local", &key);
    assert_eq!(
        reloaded.get_token(),
        None,
        "expected a client created after the logout, as on the next page load, to have no token"
    );
}

/// A client whose storage fell back to memory shares its token with no other client, so another
/// client's login leaves its token alone.
#[wasm_bindgen_test]
fn fallback_client_keeps_own_token() {
    let key = unique("fallback-peer");
    let fallen = storage_client("local", &key);
    let other = storage_client("local", &key);
    {
        let _quota = Override::failing_set_item();
        fallen
            .set_token(JsValue::from("memory-token"))
            .expect("a clean token");
    }
    assert_eq!(
        fallen.token_storage(),
        "memory",
        "the client fell back to memory"
    );
    other
        .set_token(JsValue::from("other-login"))
        .expect("a clean token");
    assert_eq!(
        fallen.get_token().as_deref(),
        Some("memory-token"),
        "expected the memory client to keep its own token"
    );
}

/// A freed client releases the JavaScript values that it held, such as its storage, at once,
/// and not only when another client writes a token.
#[wasm_bindgen_test]
fn freed_storage_clients_release_js_values() {
    let key = unique("freed-clients");
    drop(storage_client("local", &key));
    let before = i64::from(wasm_bindgen::externref_heap_live_count());
    for _ in 0..50 {
        drop(storage_client("local", &key));
    }
    let after_free = i64::from(wasm_bindgen::externref_heap_live_count());
    let writer = storage_client("local", &key);
    writer
        .set_token(JsValue::from("after-free"))
        .expect("a clean token");
    drop(writer);
    let after_write = i64::from(wasm_bindgen::externref_heap_live_count());
    assert!(
        after_free - before <= 4,
        "expected 50 freed clients to leave no values behind, found {} more; after another \
         client's setToken, {} more",
        after_free - before,
        after_write - before
    );
}

#[wasm_bindgen_test]
fn missing_storage_falls_back_to_memory() {
    let key = unique("blocked-token");
    let client = {
        let _blocked = Override::blocked_local_storage();
        storage_client("local", &key)
    };
    assert_eq!(
        client.token_storage(),
        "memory",
        "blocked localStorage is replaced by memory"
    );
    client
        .set_token(JsValue::from("in-memory"))
        .expect("a clean token");
    assert_eq!(
        client.get_token().as_deref(),
        Some("in-memory"),
        "the client keeps working"
    );
}

#[wasm_bindgen_test]
async fn legacy_stored_token_loaded_and_sent() {
    for (stored, form) in [
        ("Bearer legacy-1", "with its scheme"),
        ("\"legacy-1\"", "as a JSON string"),
    ] {
        let key = unique("legacy-token");
        local_storage()
            .set_item(&key, stored)
            .expect("the test writes localStorage");
        let client = storage_client("local", &key);
        assert_eq!(
            client.get_token().as_deref(),
            Some("legacy-1"),
            "a token stored {form} loads as the token"
        );
        let envelope = settle(client.get(
            JsValue::from("/scenario/echo-auth"),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ))
        .await
        .expect("the echo answers");
        assert_eq!(
            text(&envelope, "data.authorization").as_deref(),
            Some("Bearer legacy-1"),
            "a token stored {form} is sent once, with one scheme"
        );
        client.clear_token();
    }
}

#[wasm_bindgen_test]
fn storage_event_updates_token() {
    let key = unique("event-token");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("this-tab"))
        .expect("a clean token");

    dispatch_storage_event(&unique("other-key"), Some("ignored"));
    assert_eq!(
        client.get_token().as_deref(),
        Some("this-tab"),
        "an event for another key is ignored"
    );

    write_from_other_tab(&key, Some("other-tab"));
    assert_eq!(
        client.get_token().as_deref(),
        Some("other-tab"),
        "a login in another tab reaches this client"
    );

    write_from_other_tab(&key, None);
    assert_eq!(
        client.get_token(),
        None,
        "a logout in another tab reaches this client"
    );
}

/// Returns a client of localStorage under `key` whose `onTokenChange` goes to a new recorder.
fn watched_storage_client(key: &str) -> (HttpClient, Recorder) {
    let recorder = Recorder::new();
    let client = client(&[
        ("tokenStorage", str("local")),
        ("tokenKey", str(key)),
        ("onTokenChange", recorder.function.clone().into()),
    ]);
    (client, recorder)
}

#[wasm_bindgen_test]
async fn token_change_reports_other_tab() {
    let key = unique("watched-tab");
    let (_client, recorder) = watched_storage_client(&key);
    write_from_other_tab(&key, Some("other-tab"));
    sleep(0).await;
    write_from_other_tab(&key, None);
    sleep(0).await;
    assert_eq!(
        recorder.strings(),
        vec![Some("other-tab".to_owned()), None],
        "expected the other tab's login, then its logout"
    );
}

#[wasm_bindgen_test]
async fn token_change_reports_other_client() {
    let key = unique("watched-peer");
    let (_watched, recorder) = watched_storage_client(&key);
    let other = storage_client("local", &key);
    other
        .set_token(JsValue::from("peer-token"))
        .expect("a clean token");
    sleep(0).await;
    other.clear_token();
    sleep(0).await;
    assert_eq!(
        recorder.strings(),
        vec![Some("peer-token".to_owned()), None],
        "expected the other client's login, then its logout"
    );
}

#[wasm_bindgen_test]
fn late_storage_event_keeps_logout() {
    let key = unique("late-event");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("this-tab"))
        .expect("a clean token");
    client.clear_token();

    // Another tab stored a token before this tab's logout, and its event arrives after it.
    dispatch_storage_event(&key, Some("other-tab"));
    assert_eq!(
        client.get_token(),
        None,
        "expected the logout to stay after a late event of an older write"
    );
}

#[wasm_bindgen_test]
async fn renewal_after_other_tab_logout_dropped() {
    let key = unique("logout-race");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("before-logout"))
        .expect("a clean token");
    // Another tab logged out, and its storage event has not reached this tab yet.
    local_storage()
        .remove_item(&key)
        .expect("the item is removed");

    let url = format!(
        "/scenario/renewed?form=raw&key={}",
        unique("logout-race-call")
    );
    settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the renewal scenario answers");
    assert_eq!(
        client.get_token(),
        None,
        "expected the client to take the other tab's logout, not the renewed token"
    );
    assert_eq!(
        local_storage().get_item(&key).expect("the storage reads"),
        None,
        "expected no renewed token in the storage after the other tab's logout"
    );
}

#[wasm_bindgen_test]
async fn login_required_keeps_other_tab_login() {
    let key = unique("rejected-after-login");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("rejected-token"))
        .expect("a clean token");
    let call = client.get(
        JsValue::from("/scenario/login-required?code=1007&delay_ms=200"),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    // Another tab logged in while the call ran, and its storage event has not reached this tab.
    local_storage()
        .set_item(&key, "other-tab-login")
        .expect("the storage takes the write");
    let error = settle(call)
        .await
        .expect_err("expected the rejected token's reply to reject the call");
    assert_eq!(
        kind(&error),
        "login_required",
        "the server rejected the token"
    );
    assert_eq!(
        local_storage().get_item(&key).expect("the storage reads"),
        Some("other-tab-login".to_owned()),
        "expected the other tab's login to stay in the storage"
    );
    assert_eq!(
        client.get_token(),
        Some("other-tab-login".to_owned()),
        "expected the client to take the other tab's login"
    );
}

#[wasm_bindgen_test]
async fn login_required_clears_token_for_other_clients() {
    let key = unique("rejected-shared");
    let client = storage_client("local", &key);
    let other = storage_client("local", &key);
    client
        .set_token(JsValue::from("rejected-token"))
        .expect("a clean token");
    let error = settle(client.get(
        JsValue::from("/scenario/login-required?code=1007"),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await
    .expect_err("expected the rejected token's reply to reject the call");
    assert_eq!(
        kind(&error),
        "login_required",
        "the server rejected the token"
    );
    assert_eq!(
        local_storage().get_item(&key).expect("the storage reads"),
        None,
        "expected the rejected token to leave the storage"
    );
    assert_eq!(
        other.get_token(),
        None,
        "expected the client that shares the key to forget the rejected token"
    );
}

#[wasm_bindgen_test]
async fn logout_of_renewed_token_reaches_renewing_tab() {
    let key = unique("logout-after-renewal");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("before-renewal"))
        .expect("a clean token");
    let url = format!(
        "/scenario/renewed?form=raw&key={}",
        unique("logout-after-renewal-call")
    );
    settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the renewal scenario answers");
    assert!(
        client
            .get_token()
            .is_some_and(|token| token != "before-renewal"),
        "expected the renewed token to be stored"
    );

    // Another tab logged out before it saw the renewal: its removal names the token that the
    // renewal replaced, and the storage has the renewed token, written after the removal.
    dispatch_storage_change(&key, Some("before-renewal"), None);

    assert_eq!(
        client.get_token(),
        None,
        "expected the other tab's logout to reach the tab that renewed"
    );
    assert_eq!(
        local_storage().get_item(&key).expect("the storage reads"),
        None,
        "expected the renewed token removed from the storage for every tab"
    );
}

/// Another tab logged out before it saw this tab's renewal and then logged in again, and the
/// event of its logout arrives when the storage already contains its new login. The logout is
/// older than that login, so it must not remove it.
#[wasm_bindgen_test]
async fn late_logout_event_keeps_newer_login() {
    let key = unique("late-logout-newer-login");
    let client = storage_client("local", &key);
    client
        .set_token(JsValue::from("before-renewal"))
        .expect("a clean token");
    let url = format!(
        "/scenario/renewed?form=raw&key={}",
        unique("late-logout-newer-login-call")
    );
    settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the renewal scenario answers");
    assert!(
        client
            .get_token()
            .is_some_and(|token| token != "before-renewal"),
        "expected the renewed token to be stored"
    );

    local_storage()
        .set_item(&key, "other-tab-login")
        .expect("the storage takes the write");
    dispatch_storage_change(&key, Some("before-renewal"), None);
    dispatch_storage_change(&key, None, Some("other-tab-login"));

    assert_eq!(
        local_storage()
            .get_item(&key)
            .expect("the storage reads")
            .as_deref(),
        Some("other-tab-login"),
        "expected the other tab's newer login to stay in the storage"
    );
    assert_eq!(
        client.get_token().as_deref(),
        Some("other-tab-login"),
        "expected this tab to follow the other tab's newer login"
    );
}

/// Writes `value` to localStorage under `key` and dispatches the event that the write causes
/// in the other tabs, as another tab's login (`Some`) or logout (`None`) would.
fn write_from_other_tab(key: &str, value: Option<&str>) {
    let storage = local_storage();
    match value {
        Some(value) => storage.set_item(key, value),
        None => storage.remove_item(key),
    }
    .expect("the storage takes the write");
    dispatch_storage_event(key, value);
}

/// Dispatches the `storage` event that another tab's write to localStorage would cause.
fn dispatch_storage_event(key: &str, new_value: Option<&str>) {
    dispatch_storage_change(key, None, new_value);
}

/// Dispatches the `storage` event of another tab's write that replaced `old_value` with
/// `new_value`.
fn dispatch_storage_change(key: &str, old_value: Option<&str>, new_value: Option<&str>) {
    let init = web_sys::StorageEventInit::new();
    init.set_key(Some(key));
    init.set_old_value(old_value);
    init.set_new_value(new_value);
    init.set_storage_area(Some(&local_storage()));
    let event =
        web_sys::StorageEvent::new_with_event_init_dict("storage", &init).expect("a StorageEvent");
    window()
        .dispatch_event(&event)
        .expect("the event is dispatched");
}

// Debug output of the Rust API.

#[wasm_bindgen_test]
fn builders_debug_hides_secrets() {
    let builder = Client::builder()
        .token_storage(renew_fetch::client::TokenStorage::Memory)
        .header("X-Api-Key", "key-in-client-header");
    let debug_output = format!("{builder:?}");
    assert!(
        debug_output.contains("X-Api-Key"),
        "the client builder names its headers: {debug_output}"
    );
    assert!(
        !debug_output.contains("key-in-client-header"),
        "the client builder hides header values: {debug_output}"
    );

    let client = builder.build().expect("valid settings");
    let request = client
        .request("POST", "/login")
        .header("Authorization", "Bearer token-in-call-header")
        .json(&serde_json::json!({ "user": "ada", "password": "password-in-body" }));
    let debug_output = format!("{request:?}");
    assert!(
        debug_output.contains("/login"),
        "the request builder shows its URL: {debug_output}"
    );
    assert!(
        !debug_output.contains("token-in-call-header"),
        "the request builder hides header values: {debug_output}"
    );
    assert!(
        !debug_output.contains("password-in-body"),
        "the request builder hides the body: {debug_output}"
    );
}

// The token goes to allowed origins only.

#[wasm_bindgen_test]
async fn token_not_sent_to_other_origin() {
    let client = client(&[]);
    client
        .set_token(JsValue::from("secret-token"))
        .expect("a clean token");
    let url = format!("{}/scenario/echo-auth", other_origin());
    let envelope = settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the other origin answers");
    assert_eq!(
        path(&envelope, "data.authorization"),
        JsValue::NULL,
        "no token to localhost when baseUrl is 127.0.0.1"
    );
}

#[wasm_bindgen_test]
async fn token_sent_to_listed_origin() {
    let origins = Array::of2(&str(server()), &str(&other_origin()));
    let client = client(&[("allowedOrigins", origins.into())]);
    client
        .set_token(JsValue::from("shared-token"))
        .expect("a clean token");
    let url = format!("{}/scenario/echo-auth", other_origin());
    let envelope = settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the other origin answers");
    assert_eq!(
        text(&envelope, "data.authorization").as_deref(),
        Some("Bearer shared-token"),
        "allowedOrigins lists localhost"
    );
}

#[wasm_bindgen_test]
async fn renewed_token_ignored_from_other_origin() {
    let client = client(&[]);
    client
        .set_token(JsValue::from("mine"))
        .expect("a clean token");
    let url = format!("{}/scenario/renewed?form=raw", other_origin());
    settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the other origin answers");
    assert_eq!(
        client.get_token().as_deref(),
        Some("mine"),
        "a token from a disallowed origin is not stored"
    );
}

#[wasm_bindgen_test]
async fn renewal_not_stored_without_token() {
    let client = client(&[]);
    let url = format!(
        "/scenario/renewed?form=raw&key={}",
        unique("no-token-renewal")
    );
    settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the renewal scenario answers");
    assert!(
        client.get_token().is_none(),
        "a client that sent no token stores no token from a response"
    );
}

#[wasm_bindgen_test]
async fn overdue_without_token_needs_login() {
    let client = client(&[]);
    let key = unique("no-token-overdue");
    let url = format!("/scenario/storm?key={key}&call=one&overdue=true");
    // The result is not printed, because a success would carry the renewed token.
    let Err(error) =
        settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await
    else {
        panic!("an overdue reply to a call without a token should reject, and it succeeded");
    };
    assert_eq!(
        kind(&error),
        "login_required",
        "a call without a token needs a login"
    );
    assert!(
        client.get_token().is_none(),
        "the renewed token is not stored"
    );
    assert_eq!(server_count(&key).await, 1.0, "the call is not replayed");
}

#[wasm_bindgen_test]
async fn default_origin_is_page_without_base() {
    let client =
        HttpClient::new(object(&[("tokenStorage", str("memory"))])).expect("valid options");
    client
        .set_token(JsValue::from("page-token"))
        .expect("a clean token");
    let url = format!("{}/scenario/echo-auth", server());
    let envelope = settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .expect("the server answers");
    // The test page is served by wasm-bindgen-test on another port of 127.0.0.1.
    assert_eq!(
        path(&envelope, "data.authorization"),
        JsValue::NULL,
        "without baseUrl only the page's origin gets the token"
    );
}

// Offline: navigator.onLine is overridden with Object.defineProperty, and the override
// is removed when the test ends.

#[wasm_bindgen_test]
async fn offline_rejects_without_sending() {
    let client = client(&[]);
    let key = unique("offline");
    let result = {
        let _offline = Override::offline();
        let online = Reflect::get(&window().navigator(), &str("onLine")).unwrap_or(JsValue::TRUE);
        assert_eq!(
            online,
            JsValue::FALSE,
            "the override makes navigator.onLine false"
        );
        settle(client.get(
            JsValue::from(format!("/scenario/ok?key={key}")),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        ))
        .await
    };
    let error = match result {
        Ok(value) => panic!("expected an offline rejection, got {value:?}"),
        Err(error) => error,
    };
    assert_eq!(
        kind(&error),
        "offline",
        "navigator.onLine false gives offline"
    );
    assert_eq!(
        server_count(&key).await,
        0.0,
        "nothing was sent while offline"
    );
    assert_ne!(
        Reflect::get(&window().navigator(), &str("onLine")).unwrap_or(JsValue::FALSE),
        JsValue::FALSE,
        "the override was removed"
    );
}

#[wasm_bindgen_test]
async fn login_required_rearmed_by_other_tab() {
    let recorder = Recorder::new();
    let key = unique("rearm-tab");
    let client = client(&[
        ("tokenStorage", str("local")),
        ("tokenKey", str(&key)),
        ("onLoginRequired", recorder.function.clone().into()),
    ]);
    let url = format!("/scenario/login-required?key={key}");
    let _ = settle(client.get(
        JsValue::from(url.clone()),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await;
    write_from_other_tab(&key, Some("login-in-other-tab"));
    let _ = settle(client.get(JsValue::from(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(
        recorder.calls().len(),
        2,
        "a login in another tab lets the next failure call onLoginRequired again"
    );
}

/// Adds a `<base>` element with `href` to the test page, and removes it when dropped.
///
/// A panic in wasm runs no `Drop`, so a failed test leaves its `<base>` on the page. `new`
/// removes every `<base>` first, so that the next test that adds one starts from the location.
struct BaseElement(web_sys::Element);

impl BaseElement {
    fn new(href: &str) -> Self {
        let document = window().document().expect("the test page has a document");
        while let Some(left) = document
            .query_selector("base")
            .expect("\"base\" is a valid selector")
        {
            left.remove();
        }
        let base = document
            .create_element("base")
            .expect("a base element is created");
        base.set_attribute("href", href).expect("href is set");
        document
            .head()
            .expect("the test page has a head")
            .append_with_node_1(&base)
            .expect("the base element is added");
        Self(base)
    }
}

impl Drop for BaseElement {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// Sends GET `url` from a client with the `baseUrl` given, or none, and returns the absolute URL
/// that its error names. No route of the test page's server responds with an envelope.
async fn resolved_url(base_url: Option<&str>, url: &str) -> String {
    let mut fields = vec![("tokenStorage", str("memory"))];
    if let Some(base) = base_url {
        fields.push(("baseUrl", str(base)));
    }
    let client = HttpClient::new(object(&fields)).expect("valid options");
    match settle(client.get(str(url), JsValue::UNDEFINED, JsValue::UNDEFINED)).await {
        Ok(value) => panic!("expected a rejection from a path without an envelope, got {value:?}"),
        Err(error) => text(&error, "url").unwrap_or_default(),
    }
}

#[wasm_bindgen_test]
async fn relative_urls_follow_base_element() {
    let origin = window()
        .location()
        .origin()
        .expect("the page has an origin");
    let _base = BaseElement::new(&format!("{origin}/base-dir/"));
    assert_eq!(
        resolved_url(None, "missing").await,
        format!("{origin}/base-dir/missing"),
        "a relative URL resolves against the page's <base>, as fetch resolves it"
    );
    assert_eq!(
        resolved_url(Some("api"), "missing").await,
        format!("{origin}/base-dir/api/missing"),
        "a relative baseUrl resolves against the page's <base>"
    );
}

#[wasm_bindgen_test]
async fn relative_urls_skip_unusable_base() {
    let location = window().location();
    let origin = location.origin().expect("the page has an origin");
    let host = location.host().expect("the page has a host");
    let path = location.pathname().expect("the page has a path");
    let directory = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
    let blob = web_sys::Blob::new().expect("an empty blob");
    let blob_url = web_sys::Url::create_object_url_with_blob(&blob).expect("a blob URL");
    let bases = [
        ("on another origin", format!("{}/base-dir/", server())),
        (
            "with a user name and password",
            format!("http://user:pw@{host}/base-dir/"),
        ),
        ("with the scheme blob:", blob_url.clone()),
    ];
    for (what, href) in bases {
        let _base = BaseElement::new(&href);
        assert_eq!(
            resolved_url(Some("api"), "missing").await,
            format!("{origin}{directory}api/missing"),
            "a relative baseUrl ignores a <base> {what} and resolves against the location"
        );
    }
    let _ = web_sys::Url::revoke_object_url(&blob_url);
}

/// Returns what fetch sends for `url` on the test page: the URL parser's result against the
/// document's base URL, without the fragment.
fn parsed_href(url: &str) -> String {
    let document = window().document().expect("the test page has a document");
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .expect("the test page has a base URI");
    let href = web_sys::Url::new_with_base(url, &base)
        .map(|parsed| parsed.href())
        .unwrap_or_else(|_| panic!("the URL parser takes {url:?}"));
    href.split('#').next().unwrap_or_default().to_owned()
}

#[wasm_bindgen_test]
async fn request_urls_match_url_parser() {
    let origin = window()
        .location()
        .origin()
        .expect("the page has an origin");
    // Each printable ASCII character in the path and in the query, where the URL parser keeps
    // some as they are and encodes or reads others, and the paths that it rewrites.
    let mut urls: Vec<String> = (b' '..=b'~')
        .flat_map(|byte| {
            let c = char::from(byte);
            [format!("/missing/a{c}b?q=1"), format!("/missing/a?q={c}1")]
        })
        .collect();
    urls.extend(
        [
            "/missing/./a",
            "/missing/../a",
            "/missing/.",
            "/missing/%2e/a",
            "/missing/.%2E/a",
            "/missing/.hidden/a",
            "/missing/a?x=/./y",
            "/missing/a?",
            "/missing/a?#f",
            "/missing//a",
            "/missing/a/",
            "/missing/%41",
            "/missing/\u{e9}?q=\u{e9}",
            "/missing/a?b?c",
            "/missing/A:B@C",
            "/\\missing",
            "/",
        ]
        .map(String::from),
    );
    for path in ["/missing/a?q=1", "/missing/./a", "/missing/a%20b", "/"] {
        urls.push(format!("{origin}{path}"));
    }
    urls.push(format!("{}/missing", origin.replace("http://", "HTTP://")));
    for url in &urls {
        assert_eq!(
            resolved_url(None, url).await,
            parsed_href(url),
            "the client resolves {url:?} as the URL parser does"
        );
    }
    for url in urls.iter().filter(|url| url.starts_with('/')) {
        let joined = renew_fetch::client::url::join_url(Some(&origin), url);
        assert_eq!(
            resolved_url(Some(&origin), url).await,
            parsed_href(&joined),
            "the client resolves {url:?} against baseUrl {origin} as the URL parser does"
        );
    }
}

#[wasm_bindgen_test]
async fn hostless_url_message_on_http_page() {
    // An http: page resolves every relative URL, so "//" fails for its empty host, not for the
    // page's scheme.
    let constructed = HttpClient::new(object(&[("baseUrl", str("//"))]));
    let error = constructed.err().expect("a baseUrl of // throws");
    assert_eq!(
        text(&error, "message").as_deref(),
        Some(
            "baseUrl \"//\" is not a valid URL; use a path such as /api or an absolute URL such \
             as http://127.0.0.1:8080/api"
        ),
        "the message blames the baseUrl, not the page's scheme"
    );
    let client =
        HttpClient::new(object(&[("tokenStorage", str("memory"))])).expect("valid options");
    let error = match settle(client.get(str("//"), JsValue::UNDEFINED, JsValue::UNDEFINED)).await {
        Ok(value) => panic!("expected GET // to reject, got {value:?}"),
        Err(error) => error,
    };
    assert_eq!(
        text(&error, "message").as_deref(),
        Some(
            "The URL \"//\" is not valid; pass a path such as /items or an absolute URL such \
             as http://127.0.0.1:8080/api/items"
        ),
        "the message blames the URL, not the page's scheme"
    );
}

#[wasm_bindgen_test]
async fn plain_path_skips_url_parser() {
    // The client's base URL is the demo server, where both calls succeed. A failed call parses
    // its URL for the error message, so only successful calls show how the URL was resolved.
    let client = client(&[]);
    // Counts the URL objects that the page makes while the override is in place.
    let _count = Override::new(
        "const original = g.URL;
         g.urlsMade = 0;
         g.URL = new Proxy(original, {
           construct(target, args) { g.urlsMade += 1; return Reflect.construct(target, args); },
         });
         return () => { g.URL = original; delete g.urlsMade; };",
    );
    let urls_made = || number(&js_sys::global(), "urlsMade");

    // The count is the total so far, so each row adds to the one before.
    let cases = [
        (
            "/scenario/ok?q=1",
            0.0,
            "a plain path is resolved without new URL()",
        ),
        (
            "/scenario/ok?q=a b",
            1.0,
            "a query with a space goes to new URL()",
        ),
    ];
    for (url, made, expectation) in cases {
        let call = settle(client.get(str(url), JsValue::UNDEFINED, JsValue::UNDEFINED));
        assert!(call.await.is_ok(), "GET {url} resolves");
        assert_eq!(urls_made(), Some(made), "{expectation}");
    }
}
