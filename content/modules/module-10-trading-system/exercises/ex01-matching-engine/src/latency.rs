//! Latency measurement without lying to yourself (milestone 4).
//!
//! * [`Histogram`]: an HDR-style log-linear histogram of `u64` values (nanoseconds, say) in fixed
//!   memory: values below 256 exactly, larger values within a relative error of 1/128.
//! * [`LatencyRecorder`]: an open-loop schedule and two histograms, one measured from the
//!   *intended* send time (corrected for coordinated omission) and one from the actual send time
//!   (service time only, what a naive closed-loop benchmark reports).
//! * [`run_open_loop`]: drives an operation on that schedule against any [`Clock`], so the
//!   harness itself can be tested with a fake clock, and benchmarked with [`SystemClock`].
//!
//! Bucket layout, with `B = SUB_BUCKET_BITS = 7` and `S = 2^B = 128`:
//!
//! ```text
//! value v < 2S (256)       bucket v                      width 1 (exact)
//! 2^m <= v < 2^(m+1), m>=8 bucket (m-B+1)*S + (v>>(m-B)) - S   width 2^(m-B)
//! ```
//!
//! A bucket of width `2^(m-B)` only holds values of at least `2^m`, so reporting any value of the
//! bucket is off by less than `v / 2^B`. 57 such octaves plus the exact range cover all of `u64` in
//! 7,424 counters (58 KiB), allocated once.

use std::fmt;
use std::time::{Duration, Instant};

/// log2 of the number of sub-buckets per power of two.
pub const SUB_BUCKET_BITS: u32 = 7;

/// A log-linear histogram of `u64` values with a bounded relative error and fixed memory.
#[derive(Debug, Clone)]
pub struct Histogram {
    // TODO: your fields (a fixed array of counters, the count, the exact min and max).
    _todo: (),
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram. This is the only allocation it ever makes.
    pub fn new() -> Self {
        todo!("milestone 4")
    }

    /// The largest value that shares `value`'s bucket: what a quantile falling in that bucket
    /// reports (before being capped at [`max`](Self::max)). Values below 256 are their own bucket.
    pub fn highest_equivalent(value: u64) -> u64 {
        todo!("milestone 4")
    }

    /// Records one value. O(1), never allocates.
    pub fn record(&mut self, value: u64) {
        todo!("milestone 4")
    }

    /// Records `n` occurrences of `value`.
    pub fn record_n(&mut self, value: u64, n: u64) {
        todo!("milestone 4")
    }

    /// Number of recorded values.
    pub fn len(&self) -> u64 {
        todo!("milestone 4")
    }

    /// `true` if nothing was recorded.
    pub fn is_empty(&self) -> bool {
        todo!("milestone 4")
    }

    /// The smallest recorded value, exactly.
    pub fn min(&self) -> Option<u64> {
        todo!("milestone 4")
    }

    /// The largest recorded value, exactly.
    pub fn max(&self) -> Option<u64> {
        todo!("milestone 4")
    }

    /// The nearest-rank quantile: with `q` clamped to `[0, 1]` and `rank = max(1, ceil(q * len))`
    /// (computed in `f64`), the highest equivalent value of the bucket holding the rank-th smallest
    /// recorded value, capped at [`max`](Self::max). So the result `r` and the exact nearest-rank
    /// value `v` satisfy `v <= r <= max` and `(r - v) * 128 <= v`. `None` when empty.
    pub fn value_at_quantile(&self, q: f64) -> Option<u64> {
        todo!("milestone 4")
    }

    /// Adds every value recorded in `other`, as if they had been recorded here.
    pub fn merge(&mut self, other: &Histogram) {
        todo!("milestone 4")
    }

    /// Forgets everything, keeping the memory.
    pub fn clear(&mut self) {
        todo!("milestone 4")
    }

    /// The standard report: count, min, p50, p90, p99, p99.9, p99.99 and max. `None` when empty.
    pub fn summary(&self) -> Option<Summary> {
        todo!("milestone 4")
    }
}

/// The numbers worth reporting about a latency distribution, in the histogram's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Number of samples.
    pub count: u64,
    /// Smallest sample (exact).
    pub min: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// 99.99th percentile.
    pub p9999: u64,
    /// Largest sample (exact).
    pub max: u64,
}

impl fmt::Display for Summary {
    /// One line, values read as nanoseconds: `n=1000 min=1.2us p50=... max=...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = |v: u64| Duration::from_nanos(v);
        write!(
            f,
            "n={} min={:?} p50={:?} p90={:?} p99={:?} p99.9={:?} p99.99={:?} max={:?}",
            self.count,
            ns(self.min),
            ns(self.p50),
            ns(self.p90),
            ns(self.p99),
            ns(self.p999),
            ns(self.p9999),
            ns(self.max)
        )
    }
}

/// Latencies of requests sent on an open-loop schedule: request `i` is *intended* to be sent at
/// `i * interval` after the start of the run, whatever happened to the previous ones.
#[derive(Debug, Clone)]
pub struct LatencyRecorder {
    // TODO: your fields (the interval and two histograms).
    _todo: (),
}

impl LatencyRecorder {
    /// A recorder for a schedule of one request every `interval` (a zero interval counts as 1 ns).
    pub fn new(interval: Duration) -> Self {
        todo!("milestone 4")
    }

    /// The schedule's interval.
    pub fn interval(&self) -> Duration {
        todo!("milestone 4")
    }

    /// When request `i` (0-based) should be sent, from the start of the run.
    pub fn intended(&self, i: u64) -> Duration {
        todo!("milestone 4")
    }

    /// Request `i` was actually sent at `sent` and completed at `done`, both measured from the
    /// start of the run. Records `done - intended(i)` as corrected and `done - sent` as uncorrected
    /// latency, in nanoseconds (0 if negative).
    pub fn record(&mut self, i: u64, sent: Duration, done: Duration) {
        todo!("milestone 4")
    }

    /// Latency from the intended send time: what a client of the system experiences.
    pub fn corrected(&self) -> &Histogram {
        todo!("milestone 4")
    }

    /// Latency from the actual send time: the service time, blind to queueing behind a stall.
    pub fn uncorrected(&self) -> &Histogram {
        todo!("milestone 4")
    }
}

/// Time as the load generator sees it.
pub trait Clock {
    /// Time elapsed since some fixed origin.
    fn now(&self) -> Duration;
    /// Returns once `now() >= deadline` (at once if it already is).
    fn wait_until(&self, deadline: Duration);
}

/// The monotonic wall clock: sleeps while the deadline is far, then spins for precision.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn wait_until(&self, deadline: Duration) {
        const SPIN: Duration = Duration::from_micros(200);
        loop {
            let now = self.now();
            if now >= deadline {
                return;
            }
            let left = deadline - now;
            if left > SPIN {
                std::thread::sleep(left - SPIN);
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// Runs `op(i)` for `i` in `0..count`, request `i` no earlier than `start + i * interval`, where
/// `start` is `clock.now()` on entry. A request that is late (because `op` stalled) is sent at once,
/// never skipped, and charged from its intended time. Returns the recorder.
pub fn run_open_loop<C, F>(clock: &C, count: u64, interval: Duration, op: F) -> LatencyRecorder
where
    C: Clock + ?Sized,
    F: FnMut(u64),
{
    todo!("milestone 4")
}
