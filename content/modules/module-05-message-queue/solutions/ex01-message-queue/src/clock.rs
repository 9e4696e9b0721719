//! Time, injected: the broker reads the time only through a [`Clock`], so ack deadlines can be tested by
//! advancing a [`ManualClock`] instead of sleeping.
//!
//! Times are milliseconds since an arbitrary epoch fixed when the clock is created. Leases live in memory,
//! so they never need a wall-clock time that means something across restarts.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A source of the current time for ack deadlines.
pub trait Clock: Debug + Send + Sync {
    /// The current time in milliseconds since this clock's epoch. Never decreases.
    fn now_millis(&self) -> u64;
}

/// The real, monotonic clock: milliseconds since the clock was created ([`Instant`], not the wall clock,
/// which can jump backwards).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock whose epoch is now.
    pub fn new() -> SystemClock {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now_millis(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// A clock that moves only when told to. Clones share the same time, so a test keeps one clone and gives
/// another to the broker:
///
/// ```
/// use std::time::Duration;
/// use ex01_message_queue::{Clock, ManualClock};
///
/// let clock = ManualClock::starting_at(1_000);
/// let broker_side = clock.clone();
/// clock.advance(Duration::from_secs(2));
/// assert_eq!(broker_side.now_millis(), 3_000);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    now: Arc<AtomicU64>,
}

impl ManualClock {
    /// A manual clock reading 0 ms.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// A manual clock reading `millis`.
    pub fn starting_at(millis: u64) -> ManualClock {
        ManualClock {
            now: Arc::new(AtomicU64::new(millis)),
        }
    }

    /// Moves the time forward by `by` (whole milliseconds; the rest is dropped), for every clone.
    pub fn advance(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(millis))
            });
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
}
