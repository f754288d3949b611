//! Token storage: local or session storage with a copy in memory, or memory alone.
//!
//! The copy in memory is what the client reads. Storage is written through, and a `storage`
//! event from another tab for the same key updates the copy. Browsers send that event only to
//! other tabs, so a write by one client also updates the copies of the other clients of this
//! page that keep their token under the same key in the same storage. When the storage is missing (no
//! window, as in Node or a worker) or throws (blocked storage, a full quota), the client keeps
//! the token in memory and carries on. A stored value that is empty or contains whitespace or a
//! control character is ignored, as a renewed-token header with one would be.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Storage, StorageEvent, Window};

use super::config::{stored_token, TokenCallback, TokenStorage};

/// The token of one client.
pub(crate) struct TokenStore {
    key: String,
    shared: Rc<SharedToken>,
    storage: RefCell<Option<Storage>>,
    /// The storage whose write threw, after which the store keeps to memory. A logout still
    /// removes the token that it contains, or the next page load would read it back.
    abandoned: RefCell<Option<Storage>>,
    listener: RefCell<Option<StorageListener>>,
}

/// The token in memory, which the `storage` listener and the other clients of the page update
/// too.
#[derive(Default)]
struct SharedToken {
    token: RefCell<Option<String>>,
    /// The token that `on_change` got last, or the token loaded at the start.
    reported: RefCell<Option<String>>,
    /// Whether a microtask to report the token is queued.
    queued: Cell<bool>,
    on_change: Option<TokenCallback>,
    /// How many times a token was stored, by this client, another client or another tab.
    stored: Cell<u64>,
    /// The token that this client's latest renewal replaced, until anything else changes the
    /// token. A logout in another tab that had not seen the renewal removes this token.
    replaced: RefCell<Option<String>>,
    /// The generation of the token: how many times it was set or cleared other than by a
    /// renewal of this client, by `set_token`, by `clear_token`, by another client or from
    /// another tab.
    generation: Cell<u32>,
}

impl SharedToken {
    /// Takes a change made by another client or tab: `Some` for a stored token, `None` for a
    /// removed one. The change may be a logout or a login as another user, so it ends the
    /// renewals of this client's requests in flight.
    fn take_change(self: &Rc<Self>, value: Option<String>) {
        let value = value.as_deref().and_then(stored_token);
        if *self.token.borrow() == value {
            return;
        }
        bump(&self.generation);
        self.replaced.borrow_mut().take();
        if value.is_some() {
            self.stored.set(self.stored.get() + 1);
        }
        self.write(value);
    }

    /// Puts `value` in memory, and reports it to `on_change` in a microtask.
    fn write(self: &Rc<Self>, value: Option<String>) {
        *self.token.borrow_mut() = value;
        if self.on_change.is_none() || self.queued.replace(true) {
            return;
        }
        let this = Rc::clone(self);
        // The callback runs after the method that changed the token has returned, with the
        // token at that time, and only when it differs from the token it got last. So a clear
        // and a login in one turn report the new token once.
        wasm_bindgen_futures::spawn_local(async move {
            this.queued.set(false);
            let token = this.token.borrow().clone();
            if *this.reported.borrow() == token {
                return;
            }
            this.reported.replace(token.clone());
            if let Some(on_change) = &this.on_change {
                on_change(token.as_deref());
            }
        });
    }
}

/// A client of this page whose token is in local or session storage.
struct Peer {
    key: String,
    storage: Storage,
    shared: Weak<SharedToken>,
}

thread_local! {
    /// The clients of this page that keep their token in storage, so that a write by one
    /// reaches the others with the same key and storage.
    static PEERS: RefCell<Vec<Peer>> = const { RefCell::new(Vec::new()) };
}

/// Passes a change of `key` in `storage`, made by the client whose token is `shared`, to the other clients
/// of the page with the same key and storage, and removes the entries of dropped clients.
fn tell_peers(key: &str, storage: &Storage, shared: &Rc<SharedToken>, value: Option<&str>) {
    let peers: Vec<Rc<SharedToken>> = PEERS.with_borrow_mut(|peers| {
        peers.retain(|peer| peer.shared.strong_count() > 0);
        peers
            .iter()
            .filter(|peer| {
                peer.key == key && JsValue::from(&peer.storage) == JsValue::from(storage)
            })
            .filter_map(|peer| peer.shared.upgrade())
            .filter(|peer| !Rc::ptr_eq(peer, shared))
            .collect()
    });
    for peer in peers {
        peer.take_change(value.map(str::to_owned));
    }
}

/// Removes the token of `key` from `storage` and from the other clients of the page with the
/// same key and storage. The clients forget it even when the storage throws, because a logout
/// must reach them.
fn remove_everywhere(key: &str, storage: &Storage, shared: &Rc<SharedToken>) {
    let _ = storage.remove_item(key);
    tell_peers(key, storage, shared, None);
}

/// The `storage` event listener, removed from the window when the store is dropped or falls
/// back to memory.
struct StorageListener {
    window: Window,
    callback: Closure<dyn FnMut(StorageEvent)>,
}

impl Drop for StorageListener {
    fn drop(&mut self) {
        let callback = self.callback.as_ref().unchecked_ref();
        let _ = self
            .window
            .remove_event_listener_with_callback("storage", callback);
    }
}

impl TokenStore {
    /// Opens the store of `kind` under `key` and loads the token that it holds. `on_change`
    /// gets each later change of the token, from this client, another client of the page or
    /// another tab.
    pub(crate) fn open(kind: TokenStorage, key: &str, on_change: Option<TokenCallback>) -> Self {
        let window = js_sys::global().dyn_into::<Window>().ok();
        let area = window
            .as_ref()
            .and_then(|window| storage_area(window, kind));
        // A storage that reads but throws on a write, such as one whose quota is full, still
        // gives the token that it contains, and the store keeps to memory from the start.
        let initial = area
            .as_ref()
            .and_then(|storage| storage.get_item(key).ok().flatten())
            .as_deref()
            .and_then(stored_token);
        let (storage, abandoned) = match area {
            Some(area) if takes_writes(&area) => (Some(area), None),
            area => (None, area),
        };
        let shared = Rc::new(SharedToken {
            reported: RefCell::new(initial.clone()),
            token: RefCell::new(initial),
            on_change,
            ..SharedToken::default()
        });
        let listener = match (&window, &storage) {
            (Some(window), Some(storage)) => listen(window, storage, key, &shared),
            _ => None,
        };
        if let Some(storage) = &storage {
            PEERS.with_borrow_mut(|peers| {
                peers.push(Peer {
                    key: key.to_owned(),
                    storage: storage.clone(),
                    shared: Rc::downgrade(&shared),
                });
            });
        }
        Self {
            key: key.to_owned(),
            shared,
            storage: RefCell::new(storage),
            abandoned: RefCell::new(abandoned),
            listener: RefCell::new(listener),
        }
    }

    /// Keeps to memory from now on: the store leaves the page's list of clients and stops
    /// listening to other tabs, so that it shares its token with no other client.
    fn abandon(&self, storage: Storage) {
        self.storage.borrow_mut().take();
        self.abandoned.replace(Some(storage));
        self.listener.borrow_mut().take();
        self.leave_peers();
    }

    /// Removes this store, and the stores of dropped clients, from the page's list of clients.
    fn leave_peers(&self) {
        let own = Rc::as_ptr(&self.shared);
        PEERS.with_borrow_mut(|peers| {
            peers.retain(|peer| peer.shared.strong_count() > 0 && peer.shared.as_ptr() != own);
        });
    }

    /// Returns the current token.
    pub(crate) fn get(&self) -> Option<String> {
        self.shared.token.borrow().clone()
    }

    /// Returns the generation of the token. A renewed token is stored only while the
    /// generation is the one read when its request was sent.
    pub(crate) fn generation(&self) -> u32 {
        self.shared.generation.get()
    }

    /// Takes the token that the storage contains now, when another tab changed it and its
    /// `storage` event has not arrived yet. A renewal calls this before it stores its token, so
    /// that it does not undo a logout or a login made in another tab a moment before.
    pub(crate) fn sync(&self) {
        let storage = self.storage.borrow().clone();
        if let Some(storage) = storage {
            if let Ok(value) = storage.get_item(&self.key) {
                self.shared.take_change(value);
            }
        }
    }

    /// Stores `token` in place of a token that a renewal did not produce, such as after a
    /// login.
    pub(crate) fn replace(&self, token: &str) {
        bump(&self.shared.generation);
        self.set(token);
        self.shared.replaced.borrow_mut().take();
    }

    /// Stores `token`, which a renewal of the current token produced.
    pub(crate) fn set_renewed(&self, token: &str) {
        let previous = self.get();
        self.set(token);
        *self.shared.replaced.borrow_mut() = previous;
    }

    /// Stores `token`, and passes it to the other clients of the page with the same key and
    /// storage. When the storage throws, the token stays in memory and the store keeps to memory
    /// from then on.
    pub(crate) fn set(&self, token: &str) {
        self.shared.write(Some(token.to_owned()));
        self.shared.stored.set(self.shared.stored.get() + 1);
        let storage = self.storage.borrow().clone();
        match storage {
            Some(storage) if storage.set_item(&self.key, token).is_ok() => {
                tell_peers(&self.key, &storage, &self.shared, Some(token));
            }
            Some(storage) => self.abandon(storage),
            None => {}
        }
    }

    /// Returns how many times a token was stored, by this client, another client or another
    /// tab.
    pub(crate) fn stored_count(&self) -> u64 {
        self.shared.stored.get()
    }

    /// Forgets the token, in memory and in storage, and in the other clients of the page with
    /// the same key and storage. After a fallback to memory, the storage that threw loses the
    /// token too, so that a logout outlasts a reload.
    pub(crate) fn clear(&self) {
        let storage = self.storage.borrow().clone();
        self.forget(storage.or_else(|| self.abandoned.borrow().clone()));
    }

    /// Forgets `token`, which the server rejected for good, unless something replaced it while
    /// the call ran: a login, a renewal, or another tab whose `storage` event has not arrived.
    /// After a fallback to memory, the rejected token is this client's own, so the storage that
    /// threw keeps what it contains.
    pub(crate) fn clear_rejected(&self, token: &str) {
        self.sync();
        if self.shared.token.borrow().as_deref() == Some(token) {
            let storage = self.storage.borrow().clone();
            self.forget(storage);
        }
    }

    /// Forgets the token in memory, and in `storage` and its other clients of the page.
    fn forget(&self, storage: Option<Storage>) {
        bump(&self.shared.generation);
        self.shared.replaced.borrow_mut().take();
        self.shared.write(None);
        if let Some(storage) = storage {
            remove_everywhere(&self.key, &storage, &self.shared);
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
        // The listener leaves the window when it drops with the store.
        self.leave_peers();
    }
}

/// Returns the storage of `kind`, or None when it is missing or throws.
fn storage_area(window: &Window, kind: TokenStorage) -> Option<Storage> {
    match kind {
        TokenStorage::Local => window.local_storage().ok().flatten(),
        TokenStorage::Session => window.session_storage().ok().flatten(),
        TokenStorage::Memory => None,
    }
}

/// Returns true when `storage` takes a write. Safari's private mode used to expose a storage
/// whose every write throws, so a write is the only reliable check.
fn takes_writes(storage: &Storage) -> bool {
    const PROBE: &str = "renew-fetch.probe";
    storage.set_item(PROBE, "1").is_ok() && storage.remove_item(PROBE).is_ok()
}

/// Listens to `storage` events for `key` in `storage`, so a login or logout in another tab
/// reaches this client.
fn listen(
    window: &Window,
    storage: &Storage,
    key: &str,
    shared: &Rc<SharedToken>,
) -> Option<StorageListener> {
    let key = key.to_owned();
    let storage = storage.clone();
    let shared = Rc::clone(shared);
    let callback = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
        let same_area = event
            .storage_area()
            .is_some_and(|area| JsValue::from(area) == JsValue::from(&storage));
        if !same_area {
            return;
        }
        // `localStorage.clear()` in another tab sends a null key. The value is read from the
        // storage, not from the event, because an event can arrive after this tab wrote a newer
        // value, such as a logout after another tab's renewal.
        let ours = event.key().is_none_or(|changed| changed == key);
        if !ours {
            return;
        }
        // A logout in another tab that removed the token this tab's renewal replaced was made
        // before that tab saw the renewal, which then stored the renewed token over it. The
        // logout is carried out here, for every tab. NOTE: only the token that the latest
        // renewal replaced is compared, so a logout of a token two renewals old is not repeated.
        // The logout is repeated only while the storage still contains this tab's renewed
        // token: a login in that other tab since then is newer than the logout, and stays.
        let removed = event.key().is_some() && event.new_value().is_none();
        let old = event.old_value();
        let Ok(value) = storage.get_item(&key) else {
            return;
        };
        let contains_renewal = value.as_deref().and_then(stored_token) == *shared.token.borrow();
        if removed && old.is_some() && *shared.replaced.borrow() == old && contains_renewal {
            shared.take_change(None);
            remove_everywhere(&key, &storage, &shared);
            return;
        }
        shared.take_change(value);
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
