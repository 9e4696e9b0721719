//! Data parallelism with scoped threads: the pure-Rust half of "release the GIL and use every core".

use std::num::NonZeroUsize;
use std::panic;
use std::thread;

use crate::error::KernelError;
use crate::rolling::rolling_mean;

/// The number of worker threads `threads` asks for: itself, or the machine's parallelism for 0
/// (`std::thread::available_parallelism`, falling back to 1).
pub fn effective_threads(threads: usize) -> usize {
    todo!("milestone 1")
}

/// Applies `f` to every item on up to `threads` scoped threads (0 = one per core) and returns the
/// results in input order, identical to `items.iter().map(f).collect()` whatever the thread count.
/// Never spawns more threads than there are items. A panic in `f` is re-raised on the calling
/// thread (`std::panic::resume_unwind`).
///
/// Hint: `std::thread::scope` lets the workers borrow `items` and `f` without `Arc` or `'static`.
pub fn par_map<T, R, F>(items: &[T], threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    todo!("milestone 1")
}

/// [`rolling_mean`] over many independent series at once, in parallel: the coarse-grained, one
/// call per batch API that makes crossing the Python boundary (and releasing the GIL) worth it.
pub fn rolling_mean_many(
    series: &[&[f64]],
    window: usize,
    threads: usize,
) -> Vec<Result<Vec<f64>, KernelError>> {
    todo!("milestone 1")
}
