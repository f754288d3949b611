//! The loading counter: how many counted calls are running, and the callback on 0 and 1.

use std::cell::Cell;
use std::rc::Rc;

/// Counts running calls and reports the change between none and some.
pub(crate) struct LoadingCounter {
    active: Cell<u32>,
    on_change: Option<Rc<dyn Fn(bool)>>,
}

impl LoadingCounter {
    pub(crate) fn new(on_change: Option<Rc<dyn Fn(bool)>>) -> Self {
        Self {
            active: Cell::new(0),
            on_change,
        }
    }

    /// Counts a call that starts, and reports true when it is the only one.
    pub(crate) fn start(&self) {
        let active = self.active.get() + 1;
        self.active.set(active);
        if active == 1 {
            self.report(true);
        }
    }

    /// Counts a call that ended, and reports false when it was the last one.
    pub(crate) fn end(&self) {
        let active = self.active.get().saturating_sub(1);
        self.active.set(active);
        if active == 0 {
            self.report(false);
        }
    }

    /// Returns true while a counted call runs.
    pub(crate) fn is_active(&self) -> bool {
        self.active.get() > 0
    }

    fn report(&self, loading: bool) {
        if let Some(on_change) = &self.on_change {
            on_change(loading);
        }
    }
}
