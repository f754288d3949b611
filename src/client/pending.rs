//! The pending registry: every call that has not settled, and the shared requests of the share
//! policy.
//!
//! A call is registered when it starts and removed by its guard when it settles or is dropped,
//! so the registry is clean on every path. Aborts are collected first and fired after the
//! borrow ends, because an abort runs JavaScript listeners.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::abort::{AbortCause, CallAbort};
use super::engine::Success;
use super::error::{CancelReason, Error};

/// The calls of one client that have not settled.
#[derive(Default)]
pub(crate) struct Pending {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    calls: Vec<Entry>,
    shared: Vec<(String, Rc<SharedRequest>)>,
}

struct Entry {
    id: u64,
    abort: CallAbort,
    /// The duplicate key of a cancel-previous call, which a newer call with the key cancels.
    cancel_key: Option<String>,
    /// The message given to `cancelAll`, once it canceled this call.
    cancel_message: Option<String>,
    /// The shared request that a share call waits for. Once that request has completed, the
    /// call has its result and `cancelAll` leaves it alone, so a `cancelAll` that another
    /// waiting call runs from `onLoginRequired` cannot cancel it.
    shared: Option<Rc<SharedRequest>>,
}

impl Pending {
    /// Registers a call and returns its id. `shared` is the shared request that a share call
    /// waits for.
    pub(crate) fn register(
        &self,
        abort: CallAbort,
        cancel_key: Option<String>,
        shared: Option<Rc<SharedRequest>>,
    ) -> u64 {
        let mut state = self.state.borrow_mut();
        state.next_id += 1;
        let id = state.next_id;
        state.calls.push(Entry {
            id,
            abort,
            cancel_key,
            cancel_message: None,
            shared,
        });
        id
    }

    /// Removes the call `id`, and returns the message that `cancelAll` gave it.
    pub(crate) fn unregister(&self, id: u64) -> Option<String> {
        let mut state = self.state.borrow_mut();
        let index = state.calls.iter().position(|entry| entry.id == id)?;
        state.calls.swap_remove(index).cancel_message
    }

    /// Returns the message that `cancelAll` gave the call `id`.
    pub(crate) fn cancel_message(&self, id: u64) -> Option<String> {
        let state = self.state.borrow();
        let entry = state.calls.iter().find(|entry| entry.id == id)?;
        entry.cancel_message.clone()
    }

    /// Returns the number of calls that have not settled.
    pub(crate) fn count(&self) -> usize {
        self.state.borrow().calls.len()
    }

    /// Cancels the pending cancel-previous calls with `key`, for reason duplicate.
    pub(crate) fn cancel_key(&self, key: &str) {
        let aborts: Vec<CallAbort> = self
            .state
            .borrow()
            .calls
            .iter()
            .filter(|entry| entry.cancel_key.as_deref() == Some(key))
            .map(|entry| entry.abort.clone())
            .collect();
        for abort in aborts {
            abort.abort(AbortCause::Canceled(CancelReason::Duplicate));
        }
    }

    /// Cancels every pending call for reason all, and the shared requests behind them. A share
    /// call whose shared request has completed keeps that request's result.
    pub(crate) fn cancel_all(&self, message: Option<&str>) {
        let aborts: Vec<CallAbort> = {
            let mut state = self.state.borrow_mut();
            let mut aborts = Vec::with_capacity(state.calls.len() + state.shared.len());
            for entry in &mut state.calls {
                if entry.shared.as_ref().is_some_and(|shared| shared.is_done()) {
                    continue;
                }
                if !entry.abort.aborted() {
                    entry.cancel_message = message.map(str::to_owned);
                }
                aborts.push(entry.abort.clone());
            }
            aborts.extend(state.shared.iter().map(|(_, shared)| shared.abort.clone()));
            aborts
        };
        for abort in aborts {
            abort.abort(AbortCause::Canceled(CancelReason::All));
        }
    }

    /// Returns the running shared request for `key`, unless it was aborted.
    pub(crate) fn shared(&self, key: &str) -> Option<Rc<SharedRequest>> {
        let state = self.state.borrow();
        let (_, shared) = state
            .shared
            .iter()
            .find(|(shared_key, _)| shared_key == key)?;
        (!shared.abort.aborted()).then(|| Rc::clone(shared))
    }

    /// Registers `shared` as the running request for `key`, in place of any aborted one.
    pub(crate) fn insert_shared(&self, key: String, shared: Rc<SharedRequest>) {
        let mut state = self.state.borrow_mut();
        state.shared.retain(|(shared_key, _)| *shared_key != key);
        state.shared.push((key, shared));
    }

    /// Removes `shared` from the registry, if it is still the one registered for `key`.
    pub(crate) fn remove_shared(&self, key: &str, shared: &Rc<SharedRequest>) {
        self.state
            .borrow_mut()
            .shared
            .retain(|(shared_key, entry)| !(shared_key == key && Rc::ptr_eq(entry, shared)));
    }
}

/// One request whose result several calls wait for.
pub(crate) struct SharedRequest {
    /// Aborts the request when the last waiting call leaves, or on `cancelAll`.
    pub abort: CallAbort,
    waiting: Cell<usize>,
    outcome: RefCell<Outcome>,
}

enum Outcome {
    Running(Vec<Waker>),
    Done(Result<Success, Error>),
}

impl SharedRequest {
    pub(crate) fn new() -> Self {
        Self {
            abort: CallAbort::start(None, 0),
            waiting: Cell::new(0),
            outcome: RefCell::new(Outcome::Running(Vec::new())),
        }
    }

    /// Returns true once the request has its result.
    fn is_done(&self) -> bool {
        matches!(*self.outcome.borrow(), Outcome::Done(_))
    }

    /// Stores the result and wakes every waiting call.
    pub(crate) fn complete(&self, result: Result<Success, Error>) {
        self.abort.finish();
        let previous = self.outcome.replace(Outcome::Done(result));
        if let Outcome::Running(wakers) = previous {
            for waker in wakers {
                waker.wake();
            }
        }
    }

    /// Returns a future that settles with the result. The request is aborted when every such
    /// future is dropped before it completes.
    pub(crate) fn wait(self: &Rc<Self>) -> SharedWait {
        self.waiting.set(self.waiting.get() + 1);
        SharedWait {
            shared: Rc::clone(self),
        }
    }
}

/// A call waiting for a shared request.
pub(crate) struct SharedWait {
    shared: Rc<SharedRequest>,
}

impl Future for SharedWait {
    type Output = Result<Success, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut outcome = self.shared.outcome.borrow_mut();
        match &mut *outcome {
            Outcome::Done(result) => Poll::Ready(result.clone()),
            Outcome::Running(wakers) => {
                if !wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
                    wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for SharedWait {
    fn drop(&mut self) {
        let waiting = self.shared.waiting.get().saturating_sub(1);
        self.shared.waiting.set(waiting);
        let running = matches!(*self.shared.outcome.borrow(), Outcome::Running(_));
        if waiting == 0 && running {
            self.shared
                .abort
                .abort(AbortCause::Canceled(CancelReason::All));
        }
    }
}
