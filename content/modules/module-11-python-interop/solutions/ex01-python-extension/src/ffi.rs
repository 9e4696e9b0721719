//! Milestone 2: a C ABI over the core, loadable from any language with a C FFI (Python's
//! `ctypes`, Node's `ffi-napi`, C itself).
//!
//! The rules every function here follows:
//!
//! * Only C types cross the boundary: integers, `f64`, raw pointers, and the `#[repr(C)]`
//!   [`RsSummary`]. Rust types with a Rust layout (`Vec`, `String`, `OnlineStats`) never do: the
//!   caller sees an opaque [`RsStats`] pointer, and owned buffers and strings as pointer + length or
//!   NUL-terminated strings.
//! * Whoever allocates frees. Memory the library hands out is released only by the library's own
//!   free functions ([`rs_stats_free`], [`rs_buffer_free`], [`rs_string_free`]), because the caller's
//!   `free()` may belong to another allocator.
//! * Failures are status codes (`RS_*`), with a message for the calling thread in
//!   [`rs_last_error`]. Null pointers are reported, never dereferenced.
//! * No panic unwinds into the caller: every entry point that runs code which could panic does so
//!   inside [`std::panic::catch_unwind`] and turns a panic into [`RS_ERR_PANIC`].

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CString};
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::slice;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::error::{ExceptionKind, KernelError};
use crate::rolling::{output_len, rolling_mean, rolling_mean_into, rolling_std, rolling_std_into};
use crate::stats::OnlineStats;

/// Success.
pub const RS_OK: c_int = 0;
/// A required pointer argument was null.
pub const RS_ERR_NULL: c_int = 1;
/// A bad argument: the core's `ValueError` kinds (window, ddof, alpha, output length), or a length
/// too large to describe a buffer.
pub const RS_ERR_VALUE: c_int = 2;
/// The input contains NaN or an infinity: the core's `NonFiniteError`.
pub const RS_ERR_NON_FINITE: c_int = 3;
/// Text passed to [`rs_stats_extend_text`] is not UTF-8 or not a list of numbers.
pub const RS_ERR_PARSE: c_int = 4;
/// Rust code panicked; the panic was caught at the boundary.
pub const RS_ERR_PANIC: c_int = 5;

/// The opaque handle behind `rs_stats_*`: C sees only a pointer to it, never its layout.
#[derive(Debug, Default)]
pub struct RsStats {
    stats: OnlineStats,
}

/// Milestone 3: a summary that any number of threads may use at once. The only shared mutable
/// state is behind the `Mutex`, and the counter is atomic, so the type is `Send + Sync` by
/// construction (no `unsafe impl`), which is what lets the functions take `*const RsShared`.
#[derive(Debug, Default)]
pub struct RsShared {
    stats: Mutex<OnlineStats>,
    batches: AtomicU64,
}

/// A summary copied out to the caller. `#[repr(C)]`, so its layout is C's: five 8-byte fields in
/// this order, 40 bytes, which is what a `ctypes.Structure` or a C struct declares.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsSummary {
    /// Number of values.
    pub count: u64,
    /// Mean, NaN when empty.
    pub mean: f64,
    /// Sample variance (ddof = 1), NaN with fewer than two values.
    pub variance: f64,
    /// Smallest value, NaN when empty.
    pub min: f64,
    /// Largest value, NaN when empty.
    pub max: f64,
}

/// A failure on its way to the caller: a status code and the message [`rs_last_error`] returns.
#[derive(Debug)]
struct FfiError {
    code: c_int,
    message: String,
}

impl FfiError {
    fn null(argument: &str) -> Self {
        FfiError {
            code: RS_ERR_NULL,
            message: format!("null pointer passed as `{argument}`"),
        }
    }

    fn parse(message: String) -> Self {
        FfiError {
            code: RS_ERR_PARSE,
            message,
        }
    }
}

impl From<KernelError> for FfiError {
    fn from(error: KernelError) -> Self {
        let code = match error.exception_kind() {
            ExceptionKind::ValueError => RS_ERR_VALUE,
            ExceptionKind::NonFiniteError => RS_ERR_NON_FINITE,
        };
        FfiError {
            code,
            message: error.to_string(),
        }
    }
}

thread_local! {
    /// Per thread, like `errno`: two threads failing at once each read their own message.
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn set_last_error(message: Option<String>) {
    // A message may quote caller bytes, NULs included; a C string cannot hold them.
    let message =
        message.map(|m| CString::new(m.replace('\0', "\\0")).expect("NUL bytes were escaped"));
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

/// Runs the body of a status-returning entry point: catches panics, records or clears the
/// thread's last error, and turns the outcome into a status code.
fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> c_int {
    // AssertUnwindSafe: a panic can only come from a bug in this crate; the handle it was working
    // on keeps whatever state it had, and the caller is told with RS_ERR_PANIC.
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            set_last_error(None);
            RS_OK
        }
        Ok(Err(error)) => {
            set_last_error(Some(error.message));
            error.code
        }
        Err(payload) => {
            set_last_error(Some(format!("panic: {}", panic_message(&*payload))));
            RS_ERR_PANIC
        }
    }
}

/// Borrows `len` elements at `data` as a slice.
///
/// # Safety
///
/// Unless `len` is 0, `data` must be null or point to `len` initialised, properly aligned `T`s
/// that nothing mutates for `'a`.
unsafe fn input<'a, T>(data: *const T, len: usize, argument: &str) -> Result<&'a [T], FfiError> {
    if len == 0 {
        // `slice::from_raw_parts` needs a non-null, aligned pointer even for an empty slice, and
        // C callers routinely pass NULL with a length of 0.
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(FfiError::null(argument));
    }
    if len > isize::MAX as usize / mem::size_of::<T>().max(1) {
        return Err(FfiError {
            code: RS_ERR_VALUE,
            message: format!("length {len} of `{argument}` is too large"),
        });
    }
    if !data.is_aligned() {
        return Err(FfiError {
            code: RS_ERR_VALUE,
            message: format!("`{argument}` is not aligned for its element type"),
        });
    }
    // SAFETY: non-null and aligned (checked), in bounds and initialised (the caller's contract).
    Ok(unsafe { slice::from_raw_parts(data, len) })
}

/// Writes an owned buffer to the caller's out-pointers. An empty result is `NULL` with length 0.
///
/// # Safety
///
/// `out` and `out_len` must be valid for writes (null is reported).
unsafe fn hand_out(values: Vec<f64>, out: *mut *mut f64, out_len: *mut usize) {
    let boxed = values.into_boxed_slice();
    let len = boxed.len();
    let data = if len == 0 {
        ptr::null_mut()
    } else {
        // Leaked on purpose: ownership passes to the caller until rs_buffer_free.
        Box::into_raw(boxed).cast::<f64>()
    };
    // SAFETY: the caller's contract; nulls were rejected before any work was done.
    unsafe {
        out.write(data);
        out_len.write(len);
    }
}

fn check_out<T>(out: *mut T, argument: &str) -> Result<(), FfiError> {
    if out.is_null() {
        Err(FfiError::null(argument))
    } else {
        Ok(())
    }
}

/// Creates an empty summary. Free it with [`rs_stats_free`], exactly once.
#[no_mangle]
pub extern "C" fn rs_stats_new() -> *mut RsStats {
    Box::into_raw(Box::default())
}

/// Frees a handle from [`rs_stats_new`]. `NULL` is a no-op.
///
/// # Safety
///
/// `stats` must be null or a handle from [`rs_stats_new`] not freed yet; it is invalid afterwards.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_free(stats: *mut RsStats) {
    if !stats.is_null() {
        // SAFETY: it came from Box::into_raw in rs_stats_new and is freed once (the contract).
        drop(unsafe { Box::from_raw(stats) });
    }
}

/// Adds `len` values to the summary, all or nothing: on `RS_ERR_NON_FINITE` nothing was added.
/// `values` may be `NULL` when `len` is 0.
///
/// # Safety
///
/// `stats` must be a live handle that no other thread uses during the call; unless `len` is 0,
/// `values` must point to `len` readable `double`s.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_extend(
    stats: *mut RsStats,
    values: *const f64,
    len: usize,
) -> c_int {
    guard(|| {
        // SAFETY: the caller's contract.
        let stats = unsafe { stats.as_mut() }.ok_or_else(|| FfiError::null("stats"))?;
        let values = unsafe { input(values, len, "values") }?;
        stats.stats.extend(values)?;
        Ok(())
    })
}

/// Parses `len` bytes of UTF-8 text (not NUL-terminated: exactly `len` bytes are read) holding
/// decimal numbers separated by commas and/or ASCII whitespace (empty fields are skipped), and adds
/// them all or none. Errors: `RS_ERR_PARSE` ("invalid UTF-8 at byte N", or "invalid number "TOKEN"
/// at field N"), `RS_ERR_NON_FINITE` (index = field number), fields counted from 0.
///
/// # Safety
///
/// As [`rs_stats_extend`], with `text` pointing to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_extend_text(
    stats: *mut RsStats,
    text: *const u8,
    len: usize,
) -> c_int {
    guard(|| {
        // SAFETY: the caller's contract.
        let stats = unsafe { stats.as_mut() }.ok_or_else(|| FfiError::null("stats"))?;
        let bytes = unsafe { input(text, len, "text") }?;
        let text = std::str::from_utf8(bytes).map_err(|error| {
            FfiError::parse(format!("invalid UTF-8 at byte {}", error.valid_up_to()))
        })?;
        let values = text
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|field| !field.is_empty())
            .enumerate()
            .map(|(index, field)| {
                field.parse::<f64>().map_err(|_| {
                    FfiError::parse(format!("invalid number \"{field}\" at field {index}"))
                })
            })
            .collect::<Result<Vec<f64>, FfiError>>()?;
        stats.stats.extend(&values)?;
        Ok(())
    })
}

/// Folds `source` into `target`, as if every value added to `source` had been added to `target`.
/// `target` and `source` may be the same handle (its values then count twice).
///
/// # Safety
///
/// Both must be live handles that no other thread uses during the call.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_merge(target: *mut RsStats, source: *const RsStats) -> c_int {
    guard(|| {
        if source.is_null() {
            return Err(FfiError::null("source"));
        }
        // Copy `source` out before borrowing `target` mutably: when both are the same handle, a
        // `&mut` and a `&` to it alive at once would be undefined behaviour.
        // SAFETY: non-null and live (the contract); OnlineStats is Copy.
        let other = unsafe { (*source).stats };
        let target = unsafe { target.as_mut() }.ok_or_else(|| FfiError::null("target"))?;
        target.stats.merge(&other);
        Ok(())
    })
}

/// Copies the summary into `*out`.
///
/// # Safety
///
/// `stats` must be a live handle; `out` must point to writable memory for one [`RsSummary`].
#[no_mangle]
pub unsafe extern "C" fn rs_stats_summary(stats: *const RsStats, out: *mut RsSummary) -> c_int {
    guard(|| {
        // SAFETY: the caller's contract.
        let stats = unsafe { stats.as_ref() }.ok_or_else(|| FfiError::null("stats"))?;
        check_out(out, "out")?;
        let summary = to_summary(&stats.stats);
        // SAFETY: non-null (checked) and writable (the contract).
        unsafe { out.write(summary) };
        Ok(())
    })
}

/// A new NUL-terminated UTF-8 description, `count=3 mean=2 min=1 max=3` (`count=0` when empty),
/// numbers in Rust's shortest round-trip form. Free it with [`rs_string_free`]. Returns `NULL`
/// (with a last error) for a null handle.
///
/// # Safety
///
/// `stats` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_describe(stats: *const RsStats) -> *mut c_char {
    let mut text = None;
    guard(|| {
        // SAFETY: the caller's contract.
        let stats = unsafe { stats.as_ref() }.ok_or_else(|| FfiError::null("stats"))?;
        let s = &stats.stats;
        let described = match (s.mean(), s.min(), s.max()) {
            (Some(mean), Some(min), Some(max)) => {
                format!("count={} mean={mean} min={min} max={max}", s.count())
            }
            _ => format!("count={}", s.count()),
        };
        text = Some(CString::new(described).expect("no NUL in formatted numbers"));
        Ok(())
    });
    text.map_or(ptr::null_mut(), CString::into_raw)
}

/// The rolling mean of `values` (see the core's `rolling_mean`) as a new buffer: on `RS_OK`,
/// `*out` points to `*out_len` doubles (`NULL` and 0 for an empty result), which the caller
/// frees with [`rs_buffer_free`]`(*out, *out_len)`. On failure `*out` and `*out_len` are not written.
///
/// # Safety
///
/// Unless `len` is 0, `values` must point to `len` readable doubles; `out` and `out_len` must be
/// writable.
#[no_mangle]
pub unsafe extern "C" fn rs_rolling_mean(
    values: *const f64,
    len: usize,
    window: usize,
    out: *mut *mut f64,
    out_len: *mut usize,
) -> c_int {
    guard(|| {
        check_out(out, "out")?;
        check_out(out_len, "out_len")?;
        // SAFETY: the caller's contract.
        let values = unsafe { input(values, len, "values") }?;
        let result = rolling_mean(values, window)?;
        unsafe { hand_out(result, out, out_len) };
        Ok(())
    })
}

/// As [`rs_rolling_mean`], for the rolling standard deviation with `ddof` delta degrees of freedom.
///
/// # Safety
///
/// As [`rs_rolling_mean`].
#[no_mangle]
pub unsafe extern "C" fn rs_rolling_std(
    values: *const f64,
    len: usize,
    window: usize,
    ddof: usize,
    out: *mut *mut f64,
    out_len: *mut usize,
) -> c_int {
    guard(|| {
        check_out(out, "out")?;
        check_out(out_len, "out_len")?;
        // SAFETY: the caller's contract.
        let values = unsafe { input(values, len, "values") }?;
        let result = rolling_std(values, window, ddof)?;
        unsafe { hand_out(result, out, out_len) };
        Ok(())
    })
}

/// The summary as the C struct: NaN where a statistic of too few values is undefined.
fn to_summary(s: &OnlineStats) -> RsSummary {
    RsSummary {
        count: s.count(),
        mean: s.mean().unwrap_or(f64::NAN),
        variance: s.variance(1).unwrap_or(f64::NAN),
        min: s.min().unwrap_or(f64::NAN),
        max: s.max().unwrap_or(f64::NAN),
    }
}

/// Frees a buffer from [`rs_rolling_mean`] or [`rs_rolling_std`]. `NULL` is a no-op.
///
/// # Safety
///
/// `data` and `len` must be exactly a pointer and length handed out by this library and not yet
/// freed.
#[no_mangle]
pub unsafe extern "C" fn rs_buffer_free(data: *mut f64, len: usize) {
    if !data.is_null() {
        // SAFETY: it is a Box<[f64]> of `len` elements leaked by hand_out (the contract).
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(data, len)) });
    }
}

/// Frees a string from this library ([`rs_stats_describe`], [`rs_last_error`]). `NULL` is a no-op.
///
/// # Safety
///
/// `text` must be null or a string this library handed out and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn rs_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: it came from CString::into_raw (the contract).
        drop(unsafe { CString::from_raw(text) });
    }
}

/// A copy of the message of this thread's last failed call, or `NULL` when its last
/// status-returning call succeeded (or it made none). Free it with [`rs_string_free`].
#[no_mangle]
pub extern "C" fn rs_last_error() -> *mut c_char {
    LAST_ERROR.with(|last| {
        last.borrow()
            .as_ref()
            .map_or(ptr::null_mut(), |message| message.clone().into_raw())
    })
}

/// Panics on purpose inside the boundary's guard, to show that a panic becomes
/// [`RS_ERR_PANIC`] with the last error `panic: rs_debug_panic called` instead of unwinding into
/// (or aborting) the caller.
#[no_mangle]
pub extern "C" fn rs_debug_panic() -> c_int {
    guard(|| panic!("rs_debug_panic called"))
}

/// Milestone 3: creates an empty thread-safe summary. Free it with [`rs_shared_free`].
#[no_mangle]
pub extern "C" fn rs_shared_new() -> *mut RsShared {
    Box::into_raw(Box::default())
}

/// Frees a handle from [`rs_shared_new`]. `NULL` is a no-op.
///
/// # Safety
///
/// `shared` must be null or a live handle from [`rs_shared_new`] that no thread uses any more:
/// freeing is the one operation that must not race with the others.
#[no_mangle]
pub unsafe extern "C" fn rs_shared_free(shared: *mut RsShared) {
    if !shared.is_null() {
        // SAFETY: it came from Box::into_raw in rs_shared_new and is freed once (the contract).
        drop(unsafe { Box::from_raw(shared) });
    }
}

/// Adds a batch of values, all or nothing, as one step: a concurrent [`rs_shared_summary`] sees
/// all of the batch or none of it. Any number of threads may call this on one handle at once.
///
/// # Safety
///
/// `shared` must be a live handle (any number of threads may use it at once); unless `len` is 0,
/// `values` must point to `len` readable doubles.
#[no_mangle]
pub unsafe extern "C" fn rs_shared_extend(
    shared: *const RsShared,
    values: *const f64,
    len: usize,
) -> c_int {
    guard(|| {
        // SAFETY: the caller's contract; a shared reference is enough, RsShared is Sync.
        let shared = unsafe { shared.as_ref() }.ok_or_else(|| FfiError::null("shared"))?;
        let values = unsafe { input(values, len, "values") }?;
        // The O(n) part runs without the lock; only the O(1) merge holds it, so threads
        // extending one handle mostly run in parallel.
        let batch = OnlineStats::from_slice(values)?;
        shared
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .merge(&batch);
        // A statistic that orders nothing else: Relaxed is enough.
        shared.batches.fetch_add(1, Ordering::Relaxed);
        Ok(())
    })
}

/// Copies a consistent summary (never half a batch) into `*out`.
///
/// # Safety
///
/// `shared` must be a live handle; `out` must point to writable memory for one [`RsSummary`].
#[no_mangle]
pub unsafe extern "C" fn rs_shared_summary(shared: *const RsShared, out: *mut RsSummary) -> c_int {
    guard(|| {
        // SAFETY: the caller's contract.
        let shared = unsafe { shared.as_ref() }.ok_or_else(|| FfiError::null("shared"))?;
        check_out(out, "out")?;
        let stats = *shared.stats.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: non-null (checked) and writable (the contract).
        unsafe { out.write(to_summary(&stats)) };
        Ok(())
    })
}

/// How many [`rs_shared_extend`] calls on this handle have succeeded so far (0 for `NULL`). It
/// is a statistic: it is not ordered with the summary, which may already include a batch the
/// count does not yet, or the other way round.
///
/// # Safety
///
/// `shared` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rs_shared_batches(shared: *const RsShared) -> u64 {
    // SAFETY: the caller's contract.
    unsafe { shared.as_ref() }.map_or(0, |shared| shared.batches.load(Ordering::Relaxed))
}

/// Milestone 4: borrows `len` writable elements at `data` as a mutable slice.
///
/// # Safety
///
/// Unless `len` is 0, `data` must be null or point to `len` initialised, properly aligned `T`s that
/// nothing else reads or writes for `'a`.
unsafe fn output<'a, T>(data: *mut T, len: usize, argument: &str) -> Result<&'a mut [T], FfiError> {
    // Same checks as for an input; then the caller's exclusivity promise allows `&mut`.
    unsafe { input(data.cast_const(), len, argument) }?;
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: checked by `input` (non-null, aligned, sized); exclusive by the caller's contract.
    Ok(unsafe { slice::from_raw_parts_mut(data, len) })
}

/// Whether two buffers of `f64` share at least one byte. Only addresses are compared; nothing is
/// dereferenced.
fn overlap(a: *const f64, a_len: usize, b: *const f64, b_len: usize) -> bool {
    let size = mem::size_of::<f64>();
    let (a_start, b_start) = (a.addr(), b.addr());
    let a_end = a_start.saturating_add(a_len.saturating_mul(size));
    let b_end = b_start.saturating_add(b_len.saturating_mul(size));
    a_len > 0 && b_len > 0 && a_start < b_end && b_start < a_end
}

/// Runs an `_into` kernel on caller-owned memory: rejects overlapping buffers before any slice
/// exists (a `&[f64]` and a `&mut [f64]` over the same bytes would be undefined behaviour), then
/// borrows both buffers and lets the kernel validate and write.
///
/// # Safety
///
/// As [`rs_rolling_mean_into`].
unsafe fn run_into(
    values: *const f64,
    len: usize,
    out: *mut f64,
    out_len: usize,
    kernel: impl FnOnce(&[f64], &mut [f64]) -> Result<(), KernelError>,
) -> Result<(), FfiError> {
    if overlap(values, len, out, out_len) {
        return Err(FfiError {
            code: RS_ERR_VALUE,
            message: "`out` overlaps `values`".to_owned(),
        });
    }
    // SAFETY: the caller's contract, and the buffers are disjoint (checked above).
    let values = unsafe { input(values, len, "values") }?;
    let out = unsafe { output(out, out_len, "out") }?;
    kernel(values, out)?;
    Ok(())
}

/// Milestone 4: the number of results a window kernel gives for `len` values (0 when `window` is 0
/// or larger than `len`): the length of the buffer an `_into` function needs.
#[no_mangle]
pub extern "C" fn rs_output_len(len: usize, window: usize) -> usize {
    output_len(len, window)
}

/// Milestone 4: writes the rolling mean into the caller's buffer, `out_len` doubles at `out`, with
/// no allocation and no copy. Validation, in order: null pointers, overlap of `out` with `values`
/// (`RS_ERR_VALUE`, "`out` overlaps `values`"), then the core's checks (window, `out_len` equal to
/// [`rs_output_len`], finite data). On failure `out` is untouched.
///
/// # Safety
///
/// Unless `len` is 0, `values` must point to `len` readable doubles; unless `out_len` is 0, `out`
/// must point to `out_len` writable doubles that no other thread touches during the call.
#[no_mangle]
pub unsafe extern "C" fn rs_rolling_mean_into(
    values: *const f64,
    len: usize,
    window: usize,
    out: *mut f64,
    out_len: usize,
) -> c_int {
    // SAFETY: the caller's contract is run_into's, passed on unchanged.
    guard(|| unsafe {
        run_into(values, len, out, out_len, |values, out| {
            rolling_mean_into(values, window, out)
        })
    })
}

/// Milestone 4: as [`rs_rolling_mean_into`], for the rolling standard deviation with `ddof`.
///
/// # Safety
///
/// As [`rs_rolling_mean_into`].
#[no_mangle]
pub unsafe extern "C" fn rs_rolling_std_into(
    values: *const f64,
    len: usize,
    window: usize,
    ddof: usize,
    out: *mut f64,
    out_len: usize,
) -> c_int {
    // SAFETY: the caller's contract is run_into's, passed on unchanged.
    guard(|| unsafe {
        run_into(values, len, out, out_len, |values, out| {
            rolling_std_into(values, window, ddof, out)
        })
    })
}

/// Milestone 5: the ABI's major version. Changing or removing a function, or changing a struct,
/// raises it: a caller built against another major version must not use the library.
pub const RS_ABI_VERSION_MAJOR: u32 = 1;
/// Milestone 5: the ABI's minor version, raised when functions are added (1.0 milestone 2, 1.1
/// milestone 3, 1.2 milestone 4): a caller built against an older minor version still works.
pub const RS_ABI_VERSION_MINOR: u32 = 2;

/// Milestone 5: the ABI version, `(major << 16) | minor`, for a caller to check at load time
/// before it calls anything else.
#[no_mangle]
pub extern "C" fn rs_abi_version() -> u32 {
    (RS_ABI_VERSION_MAJOR << 16) | RS_ABI_VERSION_MINOR
}
