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

//!
//! Yours: every function below is a stub. The stubs are not `todo!()`s on purpose: a panic cannot
//! unwind out of an `extern "C"` function, so Rust would abort the whole test process at the first
//! one, and no test would report. Instead they return [`TODO`], `NULL` or nothing. You will want
//! private helpers: an error type with a status code and a message, a thread-local last error, one
//! `catch_unwind` wrapper that every entry point goes through, and a function that turns a pointer
//! and a length into a slice (mind `NULL` with a length of 0).

use std::ffi::{c_char, c_int};
use std::ptr;

use crate::stats::OnlineStats;

/// What the stubs return until you write them; not part of the ABI. Remove it when you are done.
pub const TODO: c_int = -1;

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

/// Milestone 3: a summary that any number of threads may use at once. Replace `_todo` with your
/// fields: the tests require `RsShared: Send + Sync`, and the functions take `*const RsShared`.
#[derive(Debug, Default)]
pub struct RsShared {
    _todo: (),
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

/// Creates an empty summary. Free it with [`rs_stats_free`], exactly once.
#[no_mangle]
pub extern "C" fn rs_stats_new() -> *mut RsStats {
    ptr::null_mut()
}

/// Frees a handle from [`rs_stats_new`]. `NULL` is a no-op.
///
/// # Safety
///
/// `stats` must be null or a handle from [`rs_stats_new`] not freed yet; it is invalid afterwards.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_free(stats: *mut RsStats) {
    // TODO
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
    TODO
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
    TODO
}

/// Folds `source` into `target`, as if every value added to `source` had been added to `target`.
/// `target` and `source` may be the same handle (its values then count twice).
///
/// # Safety
///
/// Both must be live handles that no other thread uses during the call.
#[no_mangle]
pub unsafe extern "C" fn rs_stats_merge(target: *mut RsStats, source: *const RsStats) -> c_int {
    TODO
}

/// Copies the summary into `*out`.
///
/// # Safety
///
/// `stats` must be a live handle; `out` must point to writable memory for one [`RsSummary`].
#[no_mangle]
pub unsafe extern "C" fn rs_stats_summary(stats: *const RsStats, out: *mut RsSummary) -> c_int {
    TODO
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
    ptr::null_mut()
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
    TODO
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
    TODO
}

/// Frees a buffer from [`rs_rolling_mean`] or [`rs_rolling_std`]. `NULL` is a no-op.
///
/// # Safety
///
/// `data` and `len` must be exactly a pointer and length handed out by this library and not yet
/// freed.
#[no_mangle]
pub unsafe extern "C" fn rs_buffer_free(data: *mut f64, len: usize) {
    // TODO
}

/// Frees a string from this library ([`rs_stats_describe`], [`rs_last_error`]). `NULL` is a no-op.
///
/// # Safety
///
/// `text` must be null or a string this library handed out and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn rs_string_free(text: *mut c_char) {
    // TODO
}

/// A copy of the message of this thread's last failed call, or `NULL` when its last
/// status-returning call succeeded (or it made none). Free it with [`rs_string_free`].
#[no_mangle]
pub extern "C" fn rs_last_error() -> *mut c_char {
    ptr::null_mut()
}

/// Panics on purpose inside the boundary's guard, to show that a panic becomes
/// [`RS_ERR_PANIC`] with the last error `panic: rs_debug_panic called` instead of unwinding into
/// (or aborting) the caller.
#[no_mangle]
pub extern "C" fn rs_debug_panic() -> c_int {
    TODO
}

/// Milestone 3: creates an empty thread-safe summary. Free it with [`rs_shared_free`].
#[no_mangle]
pub extern "C" fn rs_shared_new() -> *mut RsShared {
    ptr::null_mut()
}

/// Frees a handle from [`rs_shared_new`]. `NULL` is a no-op.
///
/// # Safety
///
/// `shared` must be null or a live handle from [`rs_shared_new`] that no thread uses any more:
/// freeing is the one operation that must not race with the others.
#[no_mangle]
pub unsafe extern "C" fn rs_shared_free(shared: *mut RsShared) {
    // TODO
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
    TODO
}

/// Copies a consistent summary (never half a batch) into `*out`.
///
/// # Safety
///
/// `shared` must be a live handle; `out` must point to writable memory for one [`RsSummary`].
#[no_mangle]
pub unsafe extern "C" fn rs_shared_summary(shared: *const RsShared, out: *mut RsSummary) -> c_int {
    TODO
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
    0
}

/// Milestone 4: the number of results a window kernel gives for `len` values (0 when `window` is 0
/// or larger than `len`): the length of the buffer an `_into` function needs.
#[no_mangle]
pub extern "C" fn rs_output_len(len: usize, window: usize) -> usize {
    0
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
    TODO
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
    TODO
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
    0
}
