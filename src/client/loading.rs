//! The loading counter: how many counted calls are running, and the callback on 0 and 1.

use std::cell::Cell;
use std::rc::Rc;

/// Counts running calls and reports the change between none and some.
///
/// The callback runs in a microtask after the change, never inside the call that started or
/// ended a request, so an app may update its UI from it even when a call starts while a
/// framework renders. It gets the state at the time it runs. It runs only when that state
/// differs from the last one it got, so a call that starts and ends in the same turn, such as a
/// Rust call whose future is dropped at once, is not reported.
pub(crate) struct LoadingCounter {
    active: Cell<u32>,
    /// The state that the callback got last.
    reported: Cell<bool>,
    /// Whether a microtask to report the state is queued.
    queued: Cell<bool>,
    on_change: Option<Rc<dyn Fn(bool)>>,
}

impl LoadingCounter {
    pub(crate) fn new(on_change: Option<Rc<dyn Fn(bool)>>) -> Rc<Self> {
        Rc::new(Self {
            active: Cell::new(0),
            reported: Cell::new(false),
            queued: Cell::new(false),
            on_change,
        })
    }

    /// Counts a call that starts, and reports true when it is the only one.
    pub(crate) fn start(self: &Rc<Self>) {
        let active = self.active.get() + 1;
        self.active.set(active);
        if active == 1 {
            self.queue_report();
        }
    }

    /// Counts a call that ended, and reports false when it was the last one.
    pub(crate) fn end(self: &Rc<Self>) {
        let active = self.active.get().saturating_sub(1);
        self.active.set(active);
        if active == 0 {
            self.queue_report();
        }
    }

    /// Returns true while a counted call runs.
    pub(crate) fn is_active(&self) -> bool {
        self.active.get() > 0
    }

    fn queue_report(self: &Rc<Self>) {
        if self.on_change.is_none() || self.queued.replace(true) {
            return;
        }
        let this = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            this.queued.set(false);
            let loading = this.is_active();
            if loading != this.reported.replace(loading) {
                if let Some(on_change) = &this.on_change {
                    on_change(loading);
                }
            }
        });
    }
}
