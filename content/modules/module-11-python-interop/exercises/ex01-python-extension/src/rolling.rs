//! Sliding-window kernels over `f64` slices.
//!
//! All window kernels use "valid" mode: an input of length `n` and a window of `w <= n` give
//! `n - w + 1` outputs, output `i` describing `values[i..i + w]`; a window longer than the input gives
//! an empty output. (pandas pads the front with NaN instead; a Python wrapper can do that cheaply.)
//!
//! Every kernel validates all of its arguments before producing anything, in this order: window
//! (and ddof / alpha), then the output buffer's length, then the data (NaN and infinities are
//! rejected). On error an `_into` kernel leaves its output buffer untouched.
//!
//! Targets: O(n) for every kernel whatever the window size, no allocation in the `_into` kernels.

use std::collections::VecDeque;

use crate::error::KernelError;

/// Number of outputs a window kernel produces for `len` inputs (0 when `window` is 0 or too long).
pub fn output_len(len: usize, window: usize) -> usize {
    todo!("milestone 1")
}

/// Fails with [`KernelError::NonFinite`] naming the first NaN or infinity in `values`.
pub fn check_finite(values: &[f64]) -> Result<(), KernelError> {
    todo!("milestone 1")
}

/// Mean of every window of `window` consecutive values.
pub fn rolling_mean(values: &[f64], window: usize) -> Result<Vec<f64>, KernelError> {
    todo!("milestone 1")
}

/// [`rolling_mean`] into a caller-provided buffer of exactly `output_len(values.len(), window)`
/// elements (for example a preallocated NumPy array).
///
/// Keep a running sum, but a compensated one (Neumaier): a huge value that enters and later leaves
/// the window must not leave rounding debris in the means that follow (see the tests).
pub fn rolling_mean_into(
    values: &[f64],
    window: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    todo!("milestone 1")
}

/// Standard deviation of every window, with `ddof` delta degrees of freedom (`ddof = 1` is the
/// sample standard deviation, as in pandas; `ddof = 0` the population one, as in NumPy).
/// `ddof >= window` is [`KernelError::DdofTooLarge`].
pub fn rolling_std(values: &[f64], window: usize, ddof: usize) -> Result<Vec<f64>, KernelError> {
    todo!("milestone 1")
}

/// [`rolling_std`] into a caller-provided buffer.
///
/// Do not use `E[x^2] - E[x]^2`: it loses every significant digit on data far from zero. Slide
/// Welford's running mean and sum of squared deviations instead (one value in, one out per step).
pub fn rolling_std_into(
    values: &[f64],
    window: usize,
    ddof: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    todo!("milestone 1")
}

/// Minimum of every window, in O(n) total (a monotonic deque of indices, not a rescan per window).
pub fn rolling_min(values: &[f64], window: usize) -> Result<Vec<f64>, KernelError> {
    todo!("milestone 1")
}

/// Maximum of every window, in O(n) total.
pub fn rolling_max(values: &[f64], window: usize) -> Result<Vec<f64>, KernelError> {
    todo!("milestone 1")
}

/// Exponentially weighted moving average: `out[0] = values[0]`,
/// `out[i] = out[i - 1] + alpha * (values[i] - out[i - 1])`. Same length as the input.
/// `alpha` must be in `(0, 1]` (NaN is rejected too).
pub fn ewma(values: &[f64], alpha: f64) -> Result<Vec<f64>, KernelError> {
    todo!("milestone 1")
}
