//! Milestone 2: a C ABI over the core, checked from both sides of the boundary.
//!
//! The `direct_*` tests call the `extern "C"` functions from Rust, as C would. The `ctypes_*` tests
//! load the shared library that `cargo test` builds next to the test executable
//! (`target/debug/libex01_python_extension.so`, `.dylib` or `.dll`) into `python3` with the
//! standard library's `ctypes`, and run one check of the Python harness below each. They need a
//! `python3` (3.8 or later) on `PATH`, and fail, saying so, without one.

use std::ffi::{c_char, CStr};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::ptr;

use ex01_python_extension::ffi::*;
use ex01_python_extension::rolling_mean;

/// Runs in `python3 -I - <library> <check>`: loads the library with ctypes, declares every
/// function's signature, runs one check and prints `ok <check>` when it passed.
const HARNESS: &str = r#"
import ctypes
import math
import os
import sys
import threading
from ctypes import POINTER, Structure, byref, c_double, c_int, c_size_t, c_uint64, c_void_p

LIBRARY, CHECK = sys.argv[1], sys.argv[2]
lib = ctypes.CDLL(LIBRARY)
DOUBLES = POINTER(c_double)


class Summary(Structure):
    _fields_ = [
        ("count", c_uint64),
        ("mean", c_double),
        ("variance", c_double),
        ("min", c_double),
        ("max", c_double),
    ]


def declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


# Pointers the caller must free come back as c_void_p (an int, or None for NULL), never c_char_p,
# which would copy the string into a Python bytes and lose the pointer.
declare("rs_stats_new", c_void_p)
declare("rs_stats_free", None, c_void_p)
declare("rs_stats_extend", c_int, c_void_p, DOUBLES, c_size_t)
declare("rs_stats_extend_text", c_int, c_void_p, c_void_p, c_size_t)
declare("rs_stats_merge", c_int, c_void_p, c_void_p)
declare("rs_stats_summary", c_int, c_void_p, POINTER(Summary))
declare("rs_stats_describe", c_void_p, c_void_p)
declare("rs_rolling_mean", c_int, DOUBLES, c_size_t, c_size_t, POINTER(DOUBLES), POINTER(c_size_t))
declare("rs_rolling_std", c_int, DOUBLES, c_size_t, c_size_t, c_size_t, POINTER(DOUBLES), POINTER(c_size_t))
declare("rs_buffer_free", None, DOUBLES, c_size_t)
declare("rs_string_free", None, c_void_p)
declare("rs_last_error", c_void_p)
declare("rs_debug_panic", c_int)

OK, NULL, VALUE, NON_FINITE, PARSE, PANIC = 0, 1, 2, 3, 4, 5


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_eq(actual, expected, what):
    expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def close(a, b, tolerance=1e-9):
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def take_string(pointer):
    if pointer is None:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        lib.rs_string_free(pointer)


def last_error():
    return take_string(lib.rs_last_error())


def doubles(values):
    return (c_double * len(values))(*values)


def summary(handle):
    out = Summary()
    expect_eq(lib.rs_stats_summary(handle, byref(out)), OK, "rs_stats_summary status")
    return out


def rolling(name, values, *arguments):
    """Calls rs_rolling_mean/std; returns (status, values or None, out pointer, out_len)."""
    out, out_len = DOUBLES(), c_size_t(777)
    status = getattr(lib, name)(doubles(values), len(values), *arguments, byref(out), byref(out_len))
    if status != OK:
        return status, None, out, out_len.value
    result = out[: out_len.value]
    lib.rs_buffer_free(out, out_len.value)
    return status, result, out, out_len.value


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def check_handle_lifecycle():
    handle = lib.rs_stats_new()
    expect(handle, "rs_stats_new returned NULL")
    empty = summary(handle)
    expect_eq(empty.count, 0, "count of a new handle")
    expect(all(math.isnan(x) for x in (empty.mean, empty.variance, empty.min, empty.max)), "an empty summary is all NaN")
    expect_eq(take_string(lib.rs_stats_describe(handle)), "count=0", "describe of a new handle")
    expect_eq(lib.rs_stats_extend(handle, doubles([1.0, 2.0, 3.0, 4.0]), 4), OK, "extend status")
    expect_eq(lib.rs_stats_extend(handle, None, 0), OK, "extend with NULL and length 0")
    s = summary(handle)
    expect_eq((s.count, s.mean, s.min, s.max), (4, 2.5, 1.0, 4.0), "summary after [1, 2, 3, 4]")
    expect(close(s.variance, 5.0 / 3.0), f"sample variance 5/3, got {s.variance}")
    expect_eq(take_string(lib.rs_stats_describe(handle)), "count=4 mean=2.5 min=1 max=4", "describe")
    lib.rs_stats_free(handle)
    lib.rs_stats_free(None)
    handles = [lib.rs_stats_new() for _ in range(1000)]
    expect_eq(len(set(handles)), 1000, "distinct live handles")
    for i, h in enumerate(handles):
        expect_eq(lib.rs_stats_extend(h, doubles([float(i)]), 1), OK, "extend")
    expect_eq(summary(handles[517]).mean, 517.0, "each handle keeps its own state")
    for h in handles:
        lib.rs_stats_free(h)


def check_owned_buffers():
    values = [float((i * 37) % 11) for i in range(50)]
    status, result, _, n = rolling("rs_rolling_mean", values, 5)
    expect_eq(status, OK, "rolling mean status")
    expect_eq(n, 46, "rolling mean length")
    for i, got in enumerate(result):
        expect(close(got, sum(values[i : i + 5]) / 5), f"rolling mean at {i}: {got}")
    status, result, _, n = rolling("rs_rolling_std", values, 5, 0)
    expect_eq((status, n), (OK, 46), "rolling std status and length")
    window = values[7:12]
    mean = sum(window) / 5
    expect(close(result[7], math.sqrt(sum((x - mean) ** 2 for x in window) / 5)), "population std at 7")
    status, result, out, n = rolling("rs_rolling_mean", [1.0, 2.0], 3)
    expect_eq((status, result, n, bool(out)), (OK, [], 0, False), "window longer than the input: NULL and 0")
    if os.path.exists("/proc/self/statm"):
        big = (c_double * 500_000)(*range(500_000))
        before = rss_bytes()
        for _ in range(20):
            out, out_len = DOUBLES(), c_size_t()
            expect_eq(lib.rs_rolling_mean(big, 500_000, 1, byref(out), byref(out_len)), OK, "status")
            expect_eq(out[499_999], 499_999.0, "last value")
            lib.rs_buffer_free(out, out_len.value)
        grown = rss_bytes() - before
        expect(grown < 40_000_000, f"20 buffers of 4 MB allocated and freed, yet RSS grew by {grown} bytes")


def check_errors():
    status, _, out, n = rolling("rs_rolling_mean", [1.0, 2.0], 0)
    expect_eq(status, VALUE, "window 0")
    expect_eq(last_error(), "window must be at least 1", "message for window 0")
    expect_eq((bool(out), n), (False, 777), "outputs untouched on failure")
    expect_eq(last_error(), "window must be at least 1", "reading the last error does not clear it")
    status, *_ = rolling("rs_rolling_mean", [1.0, float("nan"), 3.0], 2)
    expect_eq(status, NON_FINITE, "NaN input")
    expect_eq(last_error(), "non-finite value NaN at index 1", "message for NaN")
    status, *_ = rolling("rs_rolling_std", [1.0, 2.0, 3.0], 3, 3)
    expect_eq((status, last_error()), (VALUE, "ddof=3 must be smaller than window=3"), "ddof too large")
    status, *_ = rolling("rs_rolling_mean", [1.0, 2.0, 3.0], 2)
    expect_eq((status, last_error()), (OK, None), "a successful call clears the last error")
    expect_eq(lib.rs_stats_extend(None, doubles([1.0]), 1), NULL, "NULL handle")
    expect("`stats`" in (last_error() or ""), "the message names the null argument `stats`")
    handle = lib.rs_stats_new()
    expect_eq(lib.rs_stats_extend(handle, None, 3), NULL, "NULL values with length 3")
    expect("`values`" in (last_error() or ""), "the message names the null argument `values`")
    expect_eq(lib.rs_stats_summary(handle, None), NULL, "NULL out")
    expect_eq(lib.rs_stats_describe(None), None, "describe of NULL is NULL")
    expect_eq(lib.rs_stats_extend(handle, doubles([1.0, 2.0, math.inf]), 3), NON_FINITE, "inf")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(last_error()))
    thread.start()
    thread.join()
    expect_eq(seen, [None], "another thread does not see this thread's error")
    expect_eq(last_error(), "non-finite value inf at index 2", "this thread still sees its own")
    expect_eq(summary(handle).count, 0, "extend is all or nothing")
    lib.rs_stats_free(handle)


def check_bytes():
    handle = lib.rs_stats_new()
    text = b"1, 2\n3\t4 1000"
    expect_eq(lib.rs_stats_extend_text(handle, text, 8), OK, "only the first 8 bytes")
    s = summary(handle)
    expect_eq((s.count, s.mean, s.max), (4, 2.5, 4.0), "parsed exactly len bytes")
    writable = bytearray(b",,5 ,6,")
    view = (ctypes.c_char * len(writable)).from_buffer(writable)
    expect_eq(lib.rs_stats_extend_text(handle, view, len(writable)), OK, "a bytearray's buffer")
    expect_eq(summary(handle).count, 6, "empty fields are skipped")
    for data, status, message in [
        (b"7 \xff 8", PARSE, "invalid UTF-8 at byte 2"),
        (b"7 x 8", PARSE, 'invalid number "x" at field 1'),
        (b"7 8 9\x0010", PARSE, 'invalid number "9\\010" at field 2'),
        (b"7 inf", NON_FINITE, "non-finite value inf at index 1"),
    ]:
        expect_eq(lib.rs_stats_extend_text(handle, data, len(data)), status, f"status for {data!r}")
        expect_eq(last_error(), message, f"message for {data!r}")
    expect_eq(summary(handle).count, 6, "failed texts add nothing")
    expect_eq(lib.rs_stats_extend_text(handle, None, 0), OK, "NULL text with length 0")
    lib.rs_stats_free(handle)


def check_merge():
    a, b = lib.rs_stats_new(), lib.rs_stats_new()
    lib.rs_stats_extend(a, doubles([1.0, 2.0]), 2)
    lib.rs_stats_extend(b, doubles([3.0, 4.0, 5.0]), 3)
    expect_eq(lib.rs_stats_merge(a, b), OK, "merge status")
    s = summary(a)
    expect_eq((s.count, s.mean, s.min, s.max), (5, 3.0, 1.0, 5.0), "merged summary")
    expect(close(s.variance, 2.5), f"merged variance 2.5, got {s.variance}")
    expect_eq(summary(b).count, 3, "the source is unchanged")
    expect_eq(lib.rs_stats_merge(a, a), OK, "merging a handle into itself")
    s = summary(a)
    expect_eq((s.count, s.mean), (10, 3.0), "self-merge counts every value twice")
    expect_eq(lib.rs_stats_merge(a, None), NULL, "NULL source")
    expect_eq(lib.rs_stats_merge(None, b), NULL, "NULL target")
    lib.rs_stats_free(a)
    lib.rs_stats_free(b)


def check_panic():
    expect_eq(lib.rs_debug_panic(), PANIC, "status of a caught panic")
    expect_eq(last_error(), "panic: rs_debug_panic called", "message of a caught panic")
    handle = lib.rs_stats_new()
    expect_eq(lib.rs_stats_extend(handle, doubles([1.0]), 1), OK, "the library still works")
    lib.rs_stats_free(handle)


CHECKS = {name[len("check_"):]: f for name, f in list(globals().items()) if name.startswith("check_")}
CHECKS[CHECK]()
print("ok " + CHECK)
"#;

/// The shared library cargo built for this crate. `cargo test` compiles the library once with both
/// crate types, leaving the cdylib in `<target>/<profile>/deps/` beside the test executable
/// (`cargo build` also copies it up to `<target>/<profile>/`, which is searched second).
fn cdylib_path() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("the test executable's folder");
    let name = format!(
        "{}ex01_python_extension{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let candidates: Vec<PathBuf> = [Some(deps), deps.parent()]
        .into_iter()
        .flatten()
        .map(|dir| dir.join(&name))
        .collect();
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no shared library {name} in {candidates:?}: the crate must build a cdylib \
                 (`crate-type = [\"cdylib\", \"rlib\"]` under [lib] in Cargo.toml)"
            )
        })
}

/// Runs one check of the ctypes harness in a fresh `python3` and fails with its output unless it
/// printed `ok <check>` and exited 0.
fn run_harness(check: &str) {
    let library = cdylib_path();
    let mut child = Command::new("python3")
        .arg("-I")
        .arg("-")
        .arg(&library)
        .arg(check)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "could not run `python3` ({error}): milestone 2's ctypes tests need Python 3.8+ on PATH"
            )
        });
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(HARNESS.as_bytes())
        .expect("sending the harness to python3");
    let output = child.wait_with_output().expect("waiting for python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.lines().last() == Some(format!("ok {check}").as_str()),
        "the ctypes check `{check}` failed ({}) against {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status,
        library.display()
    );
}

/// Takes ownership of a string from the library, as a C caller would.
unsafe fn take_string(text: *mut c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    let owned = unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned();
    unsafe { rs_string_free(text) };
    Some(owned)
}

fn last_error() -> Option<String> {
    unsafe { take_string(rs_last_error()) }
}

fn summary(stats: *const RsStats) -> RsSummary {
    let mut out = RsSummary {
        count: 99,
        mean: 0.0,
        variance: 0.0,
        min: 0.0,
        max: 0.0,
    };
    assert_eq!(unsafe { rs_stats_summary(stats, &mut out) }, RS_OK);
    out
}

#[test]
fn direct_handle_extend_summary_describe_and_free() {
    assert_eq!(std::mem::size_of::<RsSummary>(), 40);
    assert_eq!(std::mem::offset_of!(RsSummary, max), 32);
    let stats = rs_stats_new();
    assert!(!stats.is_null());
    let values = [4.0, 1.0, 3.0, 2.0];
    assert_eq!(
        unsafe { rs_stats_extend(stats, values.as_ptr(), values.len()) },
        RS_OK
    );
    let s = summary(stats);
    assert_eq!((s.count, s.mean, s.min, s.max), (4, 2.5, 1.0, 4.0));
    assert!((s.variance - 5.0 / 3.0).abs() < 1e-12);
    let described = unsafe { take_string(rs_stats_describe(stats)) };
    assert_eq!(described.as_deref(), Some("count=4 mean=2.5 min=1 max=4"));
    unsafe { rs_stats_free(stats) };
    unsafe { rs_stats_free(ptr::null_mut()) };
    unsafe { rs_string_free(ptr::null_mut()) };
    unsafe { rs_buffer_free(ptr::null_mut(), 0) };
}

#[test]
fn direct_rolling_mean_hands_out_a_buffer_the_library_frees() {
    let values: Vec<f64> = (0..100).map(|i| f64::from(i * 7 % 13)).collect();
    let mut out: *mut f64 = ptr::null_mut();
    let mut out_len = 0usize;
    let status =
        unsafe { rs_rolling_mean(values.as_ptr(), values.len(), 9, &mut out, &mut out_len) };
    assert_eq!(status, RS_OK);
    assert!(!out.is_null());
    let got = unsafe { std::slice::from_raw_parts(out, out_len) }.to_vec();
    unsafe { rs_buffer_free(out, out_len) };
    assert_eq!(got, rolling_mean(&values, 9).unwrap());

    let mut out: *mut f64 = ptr::NonNull::dangling().as_ptr();
    let mut out_len = 5usize;
    let status = unsafe { rs_rolling_mean(values.as_ptr(), 3, 4, &mut out, &mut out_len) };
    assert_eq!((status, out.is_null(), out_len), (RS_OK, true, 0));
}

#[test]
fn direct_failures_leave_outputs_untouched_and_set_the_last_error() {
    let codes = [RS_OK, RS_ERR_NULL, RS_ERR_VALUE, RS_ERR_NON_FINITE];
    assert_eq!(codes, [0, 1, 2, 3]);
    assert_eq!([RS_ERR_PARSE, RS_ERR_PANIC], [4, 5]);
    let values = [1.0, f64::NAN, 3.0];
    let sentinel: *mut f64 = ptr::NonNull::dangling().as_ptr();
    let mut out = sentinel;
    let mut out_len = 777usize;
    let status = unsafe { rs_rolling_mean(values.as_ptr(), 3, 2, &mut out, &mut out_len) };
    assert_eq!(status, RS_ERR_NON_FINITE);
    assert_eq!((out, out_len), (sentinel, 777));
    assert_eq!(
        last_error().as_deref(),
        Some("non-finite value NaN at index 1")
    );
    let status = unsafe { rs_rolling_std(values.as_ptr(), 3, 0, 0, &mut out, &mut out_len) };
    assert_eq!(status, RS_ERR_VALUE);
    assert_eq!(last_error().as_deref(), Some("window must be at least 1"));
    let status = unsafe { rs_rolling_mean(values.as_ptr(), 3, 1, ptr::null_mut(), &mut out_len) };
    assert_eq!(status, RS_ERR_NULL);
    assert!(last_error().unwrap().contains("`out`"));
    let status = unsafe { rs_rolling_mean(values.as_ptr(), 1, 1, &mut out, &mut out_len) };
    assert_eq!(status, RS_OK);
    assert_eq!(
        last_error(),
        None,
        "a successful call clears the last error"
    );
    unsafe { rs_buffer_free(out, out_len) };
}

#[test]
fn direct_null_pointers_are_reported_not_dereferenced() {
    let stats = rs_stats_new();
    assert_eq!(
        unsafe { rs_stats_extend(ptr::null_mut(), [1.0].as_ptr(), 1) },
        RS_ERR_NULL
    );
    assert!(last_error().unwrap().contains("`stats`"));
    assert_eq!(
        unsafe { rs_stats_extend(stats, ptr::null(), 2) },
        RS_ERR_NULL
    );
    assert!(last_error().unwrap().contains("`values`"));
    assert_eq!(unsafe { rs_stats_extend(stats, ptr::null(), 0) }, RS_OK);
    assert_eq!(
        unsafe { rs_stats_extend_text(stats, ptr::null(), 0) },
        RS_OK
    );
    assert_eq!(
        unsafe { rs_stats_summary(stats, ptr::null_mut()) },
        RS_ERR_NULL
    );
    assert!(unsafe { rs_stats_describe(ptr::null()) }.is_null());
    assert!(last_error().unwrap().contains("`stats`"));
    assert_eq!(summary(stats).count, 0);
    unsafe { rs_stats_free(stats) };
}

#[test]
fn direct_last_error_is_per_thread() {
    assert_eq!(
        unsafe { rs_stats_extend(ptr::null_mut(), ptr::null(), 0) },
        RS_ERR_NULL
    );
    let other = std::thread::spawn(last_error).join().unwrap();
    assert_eq!(other, None, "a fresh thread has no last error");
    assert!(last_error().is_some(), "this thread still has its own");
}

#[test]
fn direct_text_is_read_by_length_and_parsed_all_or_nothing() {
    let stats = rs_stats_new();
    let text = b"10, 20\n30 and more";
    assert_eq!(
        unsafe { rs_stats_extend_text(stats, text.as_ptr(), 9) },
        RS_OK
    );
    assert_eq!(summary(stats).count, 3);
    assert_eq!(
        unsafe { rs_stats_extend_text(stats, text.as_ptr(), text.len()) },
        RS_ERR_PARSE
    );
    assert_eq!(
        last_error().as_deref(),
        Some("invalid number \"and\" at field 3")
    );
    assert_eq!(summary(stats).count, 3);
    unsafe { rs_stats_free(stats) };
}

#[test]
fn direct_merge_of_a_handle_into_itself_is_defined() {
    let stats = rs_stats_new();
    assert_eq!(
        unsafe { rs_stats_extend(stats, [1.0, 2.0, 6.0].as_ptr(), 3) },
        RS_OK
    );
    assert_eq!(unsafe { rs_stats_merge(stats, stats) }, RS_OK);
    let s = summary(stats);
    assert_eq!((s.count, s.mean, s.min, s.max), (6, 3.0, 1.0, 6.0));
    unsafe { rs_stats_free(stats) };
}

#[test]
fn direct_panic_becomes_a_status_not_an_unwind() {
    assert_eq!(rs_debug_panic(), RS_ERR_PANIC);
    assert_eq!(
        last_error().as_deref(),
        Some("panic: rs_debug_panic called")
    );
}

#[test]
fn ctypes_handle_lifecycle_summary_struct_and_describe() {
    run_harness("handle_lifecycle");
}

#[test]
fn ctypes_owned_buffers_are_returned_and_freed_without_leaking() {
    run_harness("owned_buffers");
}

#[test]
fn ctypes_errors_are_status_codes_with_a_per_thread_last_error() {
    run_harness("errors");
}

#[test]
fn ctypes_byte_buffers_are_read_by_length_not_to_a_nul() {
    run_harness("bytes");
}

#[test]
fn ctypes_merge_including_a_handle_into_itself() {
    run_harness("merge");
}

#[test]
fn ctypes_panic_is_caught_and_the_interpreter_survives() {
    run_harness("panic");
}
