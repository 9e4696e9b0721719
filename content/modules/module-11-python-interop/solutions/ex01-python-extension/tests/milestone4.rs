//! Milestone 4: zero-copy buffers. The caller owns both buffers and the library writes results
//! straight into the output one: no allocation, no copy, and Python's own objects (`bytearray`,
//! `array.array`) see the results in place. The `ctypes_*` tests run the harness below in `python3`
//! (see milestone 2 for how).

use std::ffi::{c_char, CStr};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::ptr;

use ex01_python_extension::ffi::*;
use ex01_python_extension::{rolling_mean, rolling_std};

/// Runs in `python3 -I - <library> <check>`, like milestone 2's harness.
const HARNESS: &str = r#"
import array
import ctypes
import math
import struct
import sys
from ctypes import POINTER, c_double, c_int, c_size_t, c_void_p

LIBRARY, CHECK = sys.argv[1], sys.argv[2]
lib = ctypes.CDLL(LIBRARY)
DOUBLES = POINTER(c_double)


def declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


declare("rs_output_len", c_size_t, c_size_t, c_size_t)
declare("rs_rolling_mean_into", c_int, DOUBLES, c_size_t, c_size_t, DOUBLES, c_size_t)
declare("rs_rolling_std_into", c_int, DOUBLES, c_size_t, c_size_t, c_size_t, DOUBLES, c_size_t)
declare("rs_string_free", None, c_void_p)
declare("rs_last_error", c_void_p)

OK, NULL, VALUE, NON_FINITE = 0, 1, 2, 3


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_eq(actual, expected, what):
    expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def last_error():
    pointer = lib.rs_last_error()
    if pointer is None:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        lib.rs_string_free(pointer)


def view(buffer, count, offset=0):
    """A ctypes array over `count` doubles of a writable Python buffer: the same memory, no copy."""
    return (c_double * count).from_buffer(buffer, offset)


def naive_means(values, window):
    return [math.fsum(values[i : i + window]) / window for i in range(len(values) - window + 1)]


def check_bytearray():
    values = [float(i % 17) for i in range(1000)]
    source = bytearray(struct.pack("1000d", *values))
    n = lib.rs_output_len(1000, 10)
    expect_eq(n, 991, "rs_output_len(1000, 10)")
    expect_eq(lib.rs_output_len(5, 6), 0, "rs_output_len of a window longer than the input")
    target = bytearray(8 * n)
    expect_eq(lib.rs_rolling_mean_into(view(source, 1000), 1000, 10, view(target, n), n), OK, "status")
    got = memoryview(target).cast("d").tolist()
    for i, (a, b) in enumerate(zip(got, naive_means(values, 10))):
        expect(abs(a - b) < 1e-9, f"mean {i}: {a} != {b}")
    expect_eq(lib.rs_rolling_mean_into(view(source, 1000), 1000, 10, view(target, n), n), OK, "the buffer is reusable")
    expect_eq(lib.rs_rolling_mean_into(None, 0, 1, None, 0), OK, "NULL buffers of length 0")


def check_array_module():
    values = array.array("d", [float((i * 7) % 23) for i in range(500)])
    out = array.array("d", [0.0]) * 496
    status = lib.rs_rolling_std_into(view(values, 500), 500, 5, 0, view(out, 496), 496)
    expect_eq(status, OK, "status")
    window = values[100:105]
    mean = math.fsum(window) / 5
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in window) / 5)
    expect(abs(out[100] - std) < 1e-9, f"population std at 100: {out[100]} != {std}")
    expect(all(x >= 0 for x in out), "standard deviations are not negative")


def check_untouched():
    values = array.array("d", [1.0, 2.0, 3.0, 4.0, 5.0])
    out = array.array("d", [-7.0] * 3)
    sentinel = out.tolist()
    cases = [
        (lambda: lib.rs_rolling_mean_into(view(values, 5), 5, 2, view(out, 3), 3), VALUE, "output buffer has length 3, expected 4"),
        (lambda: lib.rs_rolling_mean_into(view(values, 5), 5, 0, view(out, 3), 3), VALUE, "window must be at least 1"),
        (lambda: lib.rs_rolling_std_into(view(values, 5), 5, 3, 3, view(out, 3), 3), VALUE, "ddof=3 must be smaller than window=3"),
        (lambda: lib.rs_rolling_mean_into(view(values, 5), 5, 3, None, 3), NULL, None),
        (lambda: lib.rs_rolling_mean_into(view(values, 5), 5, 3, view(values, 3), 3), VALUE, "`out` overlaps `values`"),
        (lambda: lib.rs_rolling_mean_into(view(values, 4), 4, 2, view(values, 3, 16), 3), VALUE, "`out` overlaps `values`"),
    ]
    for call, status, message in cases:
        expect_eq(call(), status, f"status (expected message {message!r})")
        if message is not None:
            expect_eq(last_error(), message, "message")
        expect_eq(out.tolist(), sentinel, f"the output is untouched after {message!r}")
    expect_eq(values.tolist(), [1.0, 2.0, 3.0, 4.0, 5.0], "the input is untouched")
    nan = array.array("d", [1.0, 2.0, float("nan"), 4.0, 5.0])
    expect_eq(lib.rs_rolling_mean_into(view(nan, 5), 5, 3, view(out, 3), 3), NON_FINITE, "NaN")
    expect_eq(last_error(), "non-finite value NaN at index 2", "message")
    expect_eq(out.tolist(), sentinel, "the output is untouched after NaN")
    adjacent = array.array("d", [1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0])
    status = lib.rs_rolling_mean_into(view(adjacent, 4), 4, 2, view(adjacent, 3, 32), 3)
    expect_eq(status, OK, "adjacent buffers in one array do not overlap")
    expect_eq(adjacent.tolist(), [1.0, 2.0, 3.0, 4.0, 1.5, 2.5, 3.5], "results written right after the input")


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
                "could not run `python3` ({error}): milestone 4's ctypes tests need Python 3.8+ on PATH"
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

fn last_error() -> Option<String> {
    let text: *mut c_char = rs_last_error();
    if text.is_null() {
        return None;
    }
    let owned = unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned();
    unsafe { rs_string_free(text) };
    Some(owned)
}

fn series(len: usize) -> Vec<f64> {
    (0..len).map(|i| ((i * 37) % 101) as f64 - 50.0).collect()
}

#[test]
fn direct_into_writes_the_callers_buffer_and_matches_the_core() {
    let values = series(300);
    assert_eq!(rs_output_len(300, 20), 281);
    assert_eq!(rs_output_len(300, 0), 0);
    assert_eq!(rs_output_len(3, 4), 0);
    let mut out = vec![f64::NAN; 281];
    let status =
        unsafe { rs_rolling_mean_into(values.as_ptr(), 300, 20, out.as_mut_ptr(), out.len()) };
    assert_eq!(status, RS_OK);
    assert_eq!(out, rolling_mean(&values, 20).unwrap());
    let status =
        unsafe { rs_rolling_std_into(values.as_ptr(), 300, 20, 1, out.as_mut_ptr(), out.len()) };
    assert_eq!(status, RS_OK);
    assert_eq!(out, rolling_std(&values, 20, 1).unwrap());
    assert_eq!(last_error(), None);
}

#[test]
fn direct_into_accepts_null_buffers_of_length_zero() {
    let status = unsafe { rs_rolling_mean_into(ptr::null(), 0, 1, ptr::null_mut(), 0) };
    assert_eq!(status, RS_OK);
    let values = [1.0, 2.0];
    let status = unsafe { rs_rolling_std_into(values.as_ptr(), 2, 3, 1, ptr::null_mut(), 0) };
    assert_eq!(
        status, RS_OK,
        "a window longer than the input needs no output"
    );
    let status = unsafe { rs_rolling_mean_into(values.as_ptr(), 2, 1, ptr::null_mut(), 2) };
    assert_eq!(status, RS_ERR_NULL);
    assert!(last_error().unwrap().contains("`out`"));
}

#[test]
fn direct_into_validates_in_order_and_leaves_the_buffer_untouched() {
    let values = series(10);
    let mut out = [9.0; 4];
    let status = unsafe { rs_rolling_mean_into(values.as_ptr(), 10, 0, out.as_mut_ptr(), 4) };
    assert_eq!(status, RS_ERR_VALUE);
    assert_eq!(last_error().as_deref(), Some("window must be at least 1"));
    let status = unsafe { rs_rolling_mean_into(values.as_ptr(), 10, 3, out.as_mut_ptr(), 4) };
    assert_eq!(status, RS_ERR_VALUE);
    assert_eq!(
        last_error().as_deref(),
        Some("output buffer has length 4, expected 8")
    );
    let mut bad = series(10);
    bad[6] = f64::NEG_INFINITY;
    let status = unsafe { rs_rolling_std_into(bad.as_ptr(), 10, 7, 1, out.as_mut_ptr(), 4) };
    assert_eq!(status, RS_ERR_NON_FINITE);
    assert_eq!(
        last_error().as_deref(),
        Some("non-finite value -inf at index 6")
    );
    assert_eq!(out, [9.0; 4]);
}

#[test]
fn direct_into_rejects_overlapping_buffers_before_borrowing_them() {
    let mut buffer = series(12);
    let sentinel = buffer.clone();
    let base = buffer.as_mut_ptr();
    let status = unsafe { rs_rolling_mean_into(base, 12, 1, base, 12) };
    assert_eq!(status, RS_ERR_VALUE, "in place");
    assert_eq!(last_error().as_deref(), Some("`out` overlaps `values`"));
    let status = unsafe { rs_rolling_mean_into(base, 8, 2, base.add(5), 7) };
    assert_eq!(status, RS_ERR_VALUE, "the output starts inside the input");
    let status = unsafe { rs_rolling_mean_into(base.add(5), 7, 2, base, 6) };
    assert_eq!(status, RS_ERR_VALUE, "the output ends inside the input");
    assert_eq!(buffer, sentinel);
    let base = buffer.as_mut_ptr();
    let status = unsafe { rs_rolling_mean_into(base, 6, 1, base.add(6), 6) };
    assert_eq!(status, RS_OK, "adjacent halves of one buffer are disjoint");
    assert_eq!(buffer[..6], buffer[6..]);
}

#[test]
fn ctypes_results_land_in_a_bytearray_in_place() {
    run_harness("bytearray");
}

#[test]
fn ctypes_array_module_buffers_in_and_out() {
    run_harness("array_module");
}

#[test]
fn ctypes_failures_and_overlaps_leave_python_buffers_untouched() {
    run_harness("untouched");
}
