//! The injectable clock that every time check and every issued token reads.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time, in whole seconds since the UNIX epoch.
///
/// The layer reads the time only through this trait, so tests move a [`ManualClock`] instead of
/// sleeping. Install one with [`AuthConfigBuilder::clock`](super::AuthConfigBuilder::clock).
pub trait Clock: Send + Sync {
    /// Returns the current time in seconds since the UNIX epoch.
    fn now(&self) -> u64;
}

/// The wall clock of the machine. The default clock.
///
/// A system time before the UNIX epoch reads as 0 rather than panicking.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

/// A clock that moves only when it is set or advanced, for tests and demos.
///
/// Clones share one time, so a test keeps a clone, hands another to the config and then moves
/// the time that the layer reads.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use renew_fetch::server::ManualClock;
///
/// let clock = ManualClock::new(1_700_000_000);
/// let seen_by_layer = clock.clone();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(seen_by_layer.now(), 1_700_000_090);
/// ```
#[derive(Clone)]
pub struct ManualClock {
    secs: Arc<AtomicU64>,
}

impl ManualClock {
    /// Creates a clock that reads `unix_secs` until it is set or advanced.
    pub fn new(unix_secs: u64) -> Self {
        Self {
            secs: Arc::new(AtomicU64::new(unix_secs)),
        }
    }

    /// Sets the time, in seconds since the UNIX epoch, for this clock and every clone of it.
    pub fn set(&self, unix_secs: u64) {
        self.secs.store(unix_secs, Ordering::SeqCst);
    }

    /// Moves the time forward by `by`, in whole seconds (the sub-second part is dropped). The
    /// time saturates at `u64::MAX` instead of wrapping.
    pub fn advance(&self, by: Duration) {
        let step = by.as_secs();
        // The closure always returns Some, so fetch_update cannot fail.
        let _ = self
            .secs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |secs| {
                Some(secs.saturating_add(step))
            });
    }

    /// Returns the time, in seconds since the UNIX epoch.
    pub fn now(&self) -> u64 {
        self.secs.load(Ordering::SeqCst)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        ManualClock::now(self)
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("now", &self.now())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_time() {
        let clock = ManualClock::new(10);
        let other = clock.clone();
        clock.set(20);
        assert_eq!(other.now(), 20, "a clone sees set()");
        other.advance(Duration::from_millis(5_999));
        assert_eq!(clock.now(), 25, "advance drops the sub-second part");
    }

    #[test]
    fn manual_clock_saturates() {
        let clock = ManualClock::new(u64::MAX - 1);
        clock.advance(Duration::from_secs(10));
        assert_eq!(
            clock.now(),
            u64::MAX,
            "advance saturates instead of wrapping"
        );
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(
            SystemClock.now() > 1_577_836_800,
            "system clock reads a plausible time"
        );
    }
}
