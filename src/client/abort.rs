//! The abort controller of one call: the caller's signal, the timeout and the client's own
//! cancels, with the cause of whichever came first.
//!
//! The controller is aborted without a reason, so `fetch` rejects with an `AbortError`
//! `DOMException`, and the cause is kept beside it instead of in `signal.reason`.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::error::CancelReason;

#[wasm_bindgen(module = "/src/client/client.js")]
extern "C" {
    /// An `AbortController` with its cause, a timeout and a link to the caller's signal.
    #[derive(Clone)]
    pub(crate) type CallAbort;

    #[wasm_bindgen(constructor)]
    fn new(source: Option<&AbortSignal>, timeout_ms: u32) -> CallAbort;

    #[wasm_bindgen(method, js_name = abort)]
    fn abort_with(this: &CallAbort, cause: &str);

    /// The signal that `fetch` gets.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn signal(this: &CallAbort) -> AbortSignal;

    /// True once the controller is aborted, for any cause.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn aborted(this: &CallAbort) -> bool;

    #[wasm_bindgen(method, getter)]
    fn cause(this: &CallAbort) -> Option<String>;

    #[wasm_bindgen(method, getter)]
    fn done(this: &CallAbort) -> Promise;

    /// Clears the timer and stops listening to the caller's signal.
    #[wasm_bindgen(method)]
    pub(crate) fn finish(this: &CallAbort);
}

/// Why a call's controller was aborted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AbortCause {
    /// Canceled, for a [`CancelReason`].
    Canceled(CancelReason),
    /// The timeout fired.
    Timeout,
    /// The caller's signal aborted with a `TimeoutError`, as `AbortSignal.timeout()` does.
    SignalTimeout,
}

impl AbortCause {
    fn as_str(self) -> &'static str {
        match self {
            Self::Canceled(reason) => reason.as_str(),
            Self::Timeout => "timeout",
            Self::SignalTimeout => "signal-timeout",
        }
    }

    fn parse(name: &str) -> Self {
        match name {
            "duplicate" => Self::Canceled(CancelReason::Duplicate),
            "all" => Self::Canceled(CancelReason::All),
            "timeout" => Self::Timeout,
            "signal-timeout" => Self::SignalTimeout,
            _ => Self::Canceled(CancelReason::User),
        }
    }
}

impl CallAbort {
    /// Creates a controller that follows `source` and aborts itself after `timeout_ms`
    /// milliseconds (0 for never).
    pub(crate) fn start(source: Option<&AbortSignal>, timeout_ms: u32) -> Self {
        Self::new(source, timeout_ms)
    }

    /// Aborts the call for `cause`, unless it is already aborted.
    pub(crate) fn abort(&self, cause: AbortCause) {
        self.abort_with(cause.as_str());
    }

    /// Returns the cause, once the controller is aborted.
    pub(crate) fn abort_cause(&self) -> Option<AbortCause> {
        if !self.aborted() {
            return None;
        }
        Some(
            self.cause()
                .map_or(AbortCause::Canceled(CancelReason::User), |name| {
                    AbortCause::parse(&name)
                }),
        )
    }

    /// Runs `work` until it finishes or this controller aborts, whichever comes first.
    pub(crate) async fn race<T>(
        &self,
        work: Pin<Box<dyn Future<Output = T> + '_>>,
    ) -> Result<T, AbortCause> {
        let mut aborted = JsFuture::from(self.done());
        let mut work = work;
        poll_fn(move |cx| {
            if Pin::new(&mut aborted).poll(cx).is_ready() {
                return Poll::Ready(Err(()));
            }
            work.as_mut().poll(cx).map(Ok)
        })
        .await
        .map_err(|()| {
            self.abort_cause()
                .unwrap_or(AbortCause::Canceled(CancelReason::User))
        })
    }
}
