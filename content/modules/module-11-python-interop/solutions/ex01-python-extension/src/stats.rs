//! A streaming summary that can be fed in pieces and merged: the state a Python class keeps
//! between calls, and the reduction step of a parallel computation.

use crate::error::KernelError;
use crate::rolling::check_finite;

/// Count, mean, variance, min and max of everything pushed so far, in O(1) memory.
///
/// The mean and the sum of squared deviations are maintained with Welford's algorithm, and two
/// summaries combine with Chan et al.'s parallel formula, so splitting the data, summarising the
/// parts on different threads and merging gives the same result (up to rounding) as one pass.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OnlineStats {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl OnlineStats {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value. Non-finite values are rejected and leave the summary unchanged.
    pub fn push(&mut self, value: f64) -> Result<(), KernelError> {
        if !value.is_finite() {
            return Err(KernelError::NonFinite { index: 0, value });
        }
        self.push_unchecked(value);
        Ok(())
    }

    /// Adds a batch. Either every value is added or, if any is non-finite, none is (the error's
    /// index is relative to `values`).
    pub fn extend(&mut self, values: &[f64]) -> Result<(), KernelError> {
        check_finite(values)?;
        for &v in values {
            self.push_unchecked(v);
        }
        Ok(())
    }

    /// A summary of a whole slice.
    pub fn from_slice(values: &[f64]) -> Result<Self, KernelError> {
        let mut stats = Self::new();
        stats.extend(values)?;
        Ok(stats)
    }

    fn push_unchecked(&mut self, value: f64) {
        if self.count == 0 {
            self.min = value;
            self.max = value;
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// Folds `other` into `self`, as if every value pushed into `other` had been pushed into `self`.
    pub fn merge(&mut self, other: &OnlineStats) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * nb / n;
        self.m2 += other.m2 + delta * delta * na * nb / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values seen.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Arithmetic mean, `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then_some(self.mean)
    }

    /// Variance with `ddof` delta degrees of freedom, `None` unless `count > ddof`.
    pub fn variance(&self, ddof: u64) -> Option<f64> {
        (self.count > ddof).then(|| self.m2.max(0.0) / (self.count - ddof) as f64)
    }

    /// Smallest value, `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest value, `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }
}
