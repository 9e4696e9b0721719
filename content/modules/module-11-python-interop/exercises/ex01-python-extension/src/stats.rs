//! A streaming summary that can be fed in pieces and merged: the state a Python class keeps
//! between calls, and the reduction step of a parallel computation.

use crate::error::KernelError;
use crate::rolling::check_finite;

/// Count, mean, variance, min and max of everything pushed so far, in O(1) memory.
///
/// Maintain the mean and the sum of squared deviations with Welford's algorithm, and combine two
/// summaries with Chan et al.'s parallel formula, so that summarising parts on different threads
/// and merging gives the same result (up to rounding) as one pass.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OnlineStats {
    // TODO: your fields (five numbers are enough).
}

impl OnlineStats {
    /// An empty summary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value. Non-finite values are rejected (with `index: 0`) and change nothing.
    pub fn push(&mut self, value: f64) -> Result<(), KernelError> {
        todo!("milestone 1")
    }

    /// Adds a batch. Either every value is added or, if any is non-finite, none is (the error's
    /// index is relative to `values`).
    pub fn extend(&mut self, values: &[f64]) -> Result<(), KernelError> {
        todo!("milestone 1")
    }

    /// A summary of a whole slice.
    pub fn from_slice(values: &[f64]) -> Result<Self, KernelError> {
        todo!("milestone 1")
    }

    /// Folds `other` into `self`, as if every value pushed into `other` had been pushed into `self`.
    pub fn merge(&mut self, other: &OnlineStats) {
        todo!("milestone 1")
    }

    /// Number of values seen.
    pub fn count(&self) -> u64 {
        todo!("milestone 1")
    }

    /// Arithmetic mean, `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        todo!("milestone 1")
    }

    /// Variance with `ddof` delta degrees of freedom, `None` unless `count > ddof`.
    pub fn variance(&self, ddof: u64) -> Option<f64> {
        todo!("milestone 1")
    }

    /// Smallest value, `None` when empty.
    pub fn min(&self) -> Option<f64> {
        todo!("milestone 1")
    }

    /// Largest value, `None` when empty.
    pub fn max(&self) -> Option<f64> {
        todo!("milestone 1")
    }
}
