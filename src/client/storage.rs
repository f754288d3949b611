//! Token storage: local or session storage with a copy in memory, or memory alone.
//!
//! The copy in memory is what the client reads. Storage is written through, and a `storage`
//! event from another tab for the same key updates the copy. When the storage is missing (no
//! window, as in Node or a worker) or throws (blocked storage, a full quota), the client keeps
//! the token in memory and carries on. A stored value that is empty or contains whitespace or a
//! control character is ignored, as a renewed-token header with one would be.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Storage, StorageEvent, Window};

use super::config::{is_clean_token, TokenStorage};

/// The token of one client.
pub(crate) struct TokenStore {
    key: String,
    token: Rc<RefCell<Option<String>>>,
    /// How many times a token was stored, by this client or by another tab.
    stored: Rc<Cell<u64>>,
    /// The generation of the token: how many times it was set or cleared other than by a
    /// renewal, by `set_token`, by `clear_token` or from another tab.
    generation: Rc<Cell<u32>>,
    storage: RefCell<Option<Storage>>,
    listener: Option<StorageListener>,
}

/// The `storage` event listener, removed from the window when the store is dropped.
struct StorageListener {
    window: Window,
    callback: Closure<dyn FnMut(StorageEvent)>,
}

impl TokenStore {
    /// Opens the store of `kind` under `key` and loads the token that it holds.
    pub(crate) fn open(kind: TokenStorage, key: &str) -> Self {
        let window = js_sys::global().dyn_into::<Window>().ok();
        let storage = window
            .as_ref()
            .and_then(|window| open_storage(window, kind));
        let initial = storage
            .as_ref()
            .and_then(|storage| storage.get_item(key).ok().flatten())
            .filter(|token| is_clean_token(token));
        let token = Rc::new(RefCell::new(initial));
        let stored = Rc::new(Cell::new(0));
        let generation = Rc::new(Cell::new(0));
        let listener = match (&window, &storage) {
            (Some(window), Some(storage)) => {
                listen(window, storage, key, &token, &stored, &generation)
            }
            _ => None,
        };
        Self {
            key: key.to_owned(),
            token,
            stored,
            generation,
            storage: RefCell::new(storage),
            listener,
        }
    }

    /// Returns the current token.
    pub(crate) fn get(&self) -> Option<String> {
        self.token.borrow().clone()
    }

    /// Returns the generation of the token. A renewed token is stored only while the
    /// generation is the one read when its request was sent.
    pub(crate) fn generation(&self) -> u32 {
        self.generation.get()
    }

    /// Stores `token` in place of a token that a renewal did not produce, such as after a
    /// login.
    pub(crate) fn replace(&self, token: &str) {
        bump(&self.generation);
        self.set(token);
    }

    /// Stores `token`. When the storage throws, the token stays in memory and the store keeps
    /// to memory from then on.
    pub(crate) fn set(&self, token: &str) {
        *self.token.borrow_mut() = Some(token.to_owned());
        self.stored.set(self.stored.get() + 1);
        let failed = self
            .storage
            .borrow()
            .as_ref()
            .is_some_and(|storage| storage.set_item(&self.key, token).is_err());
        if failed {
            self.storage.borrow_mut().take();
        }
    }

    /// Returns how many times a token was stored, by this client or by another tab.
    pub(crate) fn stored_count(&self) -> u64 {
        self.stored.get()
    }

    /// Forgets the token, in memory and in storage.
    pub(crate) fn clear(&self) {
        bump(&self.generation);
        self.token.borrow_mut().take();
        if let Some(storage) = self.storage.borrow().as_ref() {
            // A storage that throws here keeps nothing that this client reads any more, because
            // the copy in memory is what the client reads.
            let _ = storage.remove_item(&self.key);
        }
    }

    /// Returns the storage in use: memory once the storage was missing or threw.
    pub(crate) fn active_storage(&self, requested: TokenStorage) -> TokenStorage {
        if self.storage.borrow().is_some() {
            requested
        } else {
            TokenStorage::Memory
        }
    }
}

impl Drop for TokenStore {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            let callback = listener.callback.as_ref().unchecked_ref();
            let _ = listener
                .window
                .remove_event_listener_with_callback("storage", callback);
        }
    }
}

/// Returns the storage of `kind`, or None when it is missing, throws, or rejects a write.
fn open_storage(window: &Window, kind: TokenStorage) -> Option<Storage> {
    let storage = match kind {
        TokenStorage::Local => window.local_storage().ok().flatten(),
        TokenStorage::Session => window.session_storage().ok().flatten(),
        TokenStorage::Memory => None,
    }?;
    // Safari's private mode used to expose a storage whose every write throws, so a write
    // is the only reliable check.
    const PROBE: &str = "renew-fetch.probe";
    storage.set_item(PROBE, "1").ok()?;
    storage.remove_item(PROBE).ok()?;
    Some(storage)
}

/// Listens to `storage` events for `key` in `storage`, so a login or logout in another tab
/// reaches this client.
fn listen(
    window: &Window,
    storage: &Storage,
    key: &str,
    token: &Rc<RefCell<Option<String>>>,
    stored: &Rc<Cell<u64>>,
    generation: &Rc<Cell<u32>>,
) -> Option<StorageListener> {
    let key = key.to_owned();
    let storage = storage.clone();
    let token = Rc::clone(token);
    let stored = Rc::clone(stored);
    let generation = Rc::clone(generation);
    let callback = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
        let same_area = event
            .storage_area()
            .is_some_and(|area| JsValue::from(area) == JsValue::from(&storage));
        if !same_area {
            return;
        }
        // Another tab's change may be a logout or a login as another user, so it ends the
        // renewals of this tab's requests in flight.
        match event.key() {
            // `localStorage.clear()` in another tab sends a null key.
            None => {
                bump(&generation);
                *token.borrow_mut() = None;
            }
            Some(changed) if changed == key => {
                bump(&generation);
                let value = event.new_value().filter(|value| is_clean_token(value));
                if value.is_some() {
                    stored.set(stored.get() + 1);
                }
                *token.borrow_mut() = value;
            }
            Some(_) => {}
        }
    });
    window
        .add_event_listener_with_callback("storage", callback.as_ref().unchecked_ref())
        .ok()?;
    Some(StorageListener {
        window: window.clone(),
        callback,
    })
}

fn bump(count: &Cell<u32>) {
    count.set(count.get().wrapping_add(1));
}
