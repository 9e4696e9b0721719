//! Sliding-window kernels over `f64` slices.
//!
//! All window kernels use "valid" mode: an input of length `n` and a window of `w <= n` give
//! `n - w + 1` outputs, output `i` describing `values[i..i + w]`; a window longer than the input gives
//! an empty output. (pandas pads the front with NaN instead; a Python wrapper can do that cheaply.)
//!
//! Every kernel validates all of its arguments before producing anything, so on error an `_into`
//! kernel leaves its output buffer untouched. Inputs containing NaN or infinities are rejected.

use std::collections::VecDeque;

use crate::error::KernelError;

/// Number of outputs a window kernel produces for `len` inputs (0 when `window` is 0 or too long).
pub fn output_len(len: usize, window: usize) -> usize {
    if window == 0 || window > len {
        0
    } else {
        len - window + 1
    }
}

/// Fails with [`KernelError::NonFinite`] naming the first NaN or infinity in `values`.
pub fn check_finite(values: &[f64]) -> Result<(), KernelError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(KernelError::NonFinite {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

fn check_window(window: usize) -> Result<(), KernelError> {
    if window == 0 {
        Err(KernelError::ZeroWindow)
    } else {
        Ok(())
    }
}

fn check_out(out: &[f64], expected: usize) -> Result<(), KernelError> {
    if out.len() == expected {
        Ok(())
    } else {
        Err(KernelError::OutputLength {
            expected,
            actual: out.len(),
        })
    }
}

/// A running sum with Neumaier compensation: adding and removing values of very different
/// magnitudes does not leave rounding debris behind once the large values have left the window.
#[derive(Debug, Default, Clone, Copy)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

/// Mean of every window of `window` consecutive values.
pub fn rolling_mean(values: &[f64], window: usize) -> Result<Vec<f64>, KernelError> {
    check_window(window)?;
    let mut out = vec![0.0; output_len(values.len(), window)];
    rolling_mean_into(values, window, &mut out)?;
    Ok(out)
}

/// [`rolling_mean`] into a caller-provided buffer of exactly `output_len(values.len(), window)`
/// elements (for example a preallocated NumPy array).
pub fn rolling_mean_into(
    values: &[f64],
    window: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    check_window(window)?;
    check_out(out, output_len(values.len(), window))?;
    check_finite(values)?;
    if out.is_empty() {
        return Ok(());
    }
    let n = window as f64;
    let mut sum = CompensatedSum::default();
    for &v in &values[..window] {
        sum.add(v);
    }
    out[0] = sum.value() / n;
    for (i, slot) in out.iter_mut().enumerate().skip(1) {
        sum.add(values[i + window - 1]);
        sum.add(-values[i - 1]);
        *slot = sum.value() / n;
    }
    Ok(())
}

/// Standard deviation of every window, with `ddof` delta degrees of freedom (`ddof = 1` is the
/// sample standard deviation, as in pandas; `ddof = 0` the population one, as in NumPy).
pub fn rolling_std(values: &[f64], window: usize, ddof: usize) -> Result<Vec<f64>, KernelError> {
    check_window(window)?;
    let mut out = vec![0.0; output_len(values.len(), window)];
    rolling_std_into(values, window, ddof, &mut out)?;
    Ok(out)
}

/// [`rolling_std`] into a caller-provided buffer.
///
/// Uses Welford's update adapted to a sliding window: one value enters and one leaves per step,
/// so each output costs O(1) and no sum of squares is ever formed (which is what makes the naive
/// `E[x^2] - E[x]^2` formula lose every significant digit on data far from zero).
pub fn rolling_std_into(
    values: &[f64],
    window: usize,
    ddof: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    check_window(window)?;
    if ddof >= window {
        return Err(KernelError::DdofTooLarge { ddof, window });
    }
    check_out(out, output_len(values.len(), window))?;
    check_finite(values)?;
    if out.is_empty() {
        return Ok(());
    }
    let n = window as f64;
    let denominator = (window - ddof) as f64;
    // Exact two-pass statistics for the first window.
    let mut mean = values[..window].iter().sum::<f64>() / n;
    let mut m2: f64 = values[..window]
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum();
    out[0] = (m2.max(0.0) / denominator).sqrt();
    for (i, slot) in out.iter_mut().enumerate().skip(1) {
        let incoming = values[i + window - 1];
        let outgoing = values[i - 1];
        let old_mean = mean;
        mean += (incoming - outgoing) / n;
        m2 += (incoming - outgoing) * (incoming - mean + outgoing - old_mean);
        // Rounding can push a (near-)zero m2 slightly negative.
        *slot = (m2.max(0.0) / denominator).sqrt();
    }
    Ok(())
}

/// Minimum of every window.
pub fn rolling_min(values: &[f64], window: usize) -> Result<Vec<f64>, KernelError> {
    rolling_extreme(values, window, |candidate, kept| candidate <= kept)
}

/// Maximum of every window.
pub fn rolling_max(values: &[f64], window: usize) -> Result<Vec<f64>, KernelError> {
    rolling_extreme(values, window, |candidate, kept| candidate >= kept)
}

/// Monotonic-deque extreme: the deque holds indices whose values are strictly "worse" from front to
/// back, so its front is the window's extreme. Every index is pushed and popped at most once:
/// O(n) overall regardless of the window size, instead of O(n * w) for rescanning each window.
fn rolling_extreme(
    values: &[f64],
    window: usize,
    dominates: impl Fn(f64, f64) -> bool,
) -> Result<Vec<f64>, KernelError> {
    check_window(window)?;
    check_finite(values)?;
    let mut out = Vec::with_capacity(output_len(values.len(), window));
    if window > values.len() {
        return Ok(out);
    }
    let mut deque: VecDeque<usize> = VecDeque::with_capacity(window);
    for (i, &v) in values.iter().enumerate() {
        while deque.back().is_some_and(|&j| dominates(v, values[j])) {
            deque.pop_back();
        }
        deque.push_back(i);
        if deque.front().is_some_and(|&j| j + window <= i) {
            deque.pop_front();
        }
        if i + 1 >= window {
            if let Some(&j) = deque.front() {
                out.push(values[j]);
            }
        }
    }
    Ok(out)
}

/// Exponentially weighted moving average: `out[0] = values[0]`,
/// `out[i] = out[i - 1] + alpha * (values[i] - out[i - 1])`. Same length as the input.
pub fn ewma(values: &[f64], alpha: f64) -> Result<Vec<f64>, KernelError> {
    // Written so that NaN fails the check too.
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(KernelError::InvalidAlpha { alpha });
    }
    check_finite(values)?;
    let mut out = Vec::with_capacity(values.len());
    let mut iter = values.iter();
    if let Some(&first) = iter.next() {
        let mut level = first;
        out.push(level);
        for &v in iter {
            level += alpha * (v - level);
            out.push(level);
        }
    }
    Ok(out)
}
