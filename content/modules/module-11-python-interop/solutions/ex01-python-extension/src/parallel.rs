//! Data parallelism with scoped threads: the pure-Rust half of "release the GIL and use every core".

use std::num::NonZeroUsize;
use std::panic;
use std::thread;

use crate::error::KernelError;
use crate::rolling::rolling_mean;

/// The number of worker threads `threads` asks for: itself, or the machine's parallelism for 0.
pub fn effective_threads(threads: usize) -> usize {
    if threads > 0 {
        threads
    } else {
        thread::available_parallelism().map_or(1, NonZeroUsize::get)
    }
}

/// Applies `f` to every item on up to `threads` scoped threads (0 = one per core) and returns the
/// results in input order. Items are split into contiguous chunks, one per thread, so the output
/// is identical to `items.iter().map(f).collect()` whatever the thread count. A panic in `f` is
/// re-raised on the calling thread.
pub fn par_map<T, R, F>(items: &[T], threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = effective_threads(threads).min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for worker in workers {
            match worker.join() {
                Ok(part) => out.extend(part),
                Err(payload) => panic::resume_unwind(payload),
            }
        }
        out
    })
}

/// [`rolling_mean`] over many independent series at once, in parallel: the coarse-grained, one
/// call per batch API that makes crossing the Python boundary (and releasing the GIL) worth it.
pub fn rolling_mean_many(
    series: &[&[f64]],
    window: usize,
    threads: usize,
) -> Vec<Result<Vec<f64>, KernelError>> {
    par_map(series, threads, |s| rolling_mean(s, window))
}
