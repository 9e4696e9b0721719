//! Milestone 3: a handle that many threads may use at once.
//!
//! `ctypes` releases the GIL for the duration of every foreign call, so Python threads calling the
//! library really run at the same time. The `direct_*` tests use Rust threads; the `ctypes_*` tests
//! load the shared library into `python3` and use Python threads (see milestone 2 for how).

use std::ffi::{c_char, CStr};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use ex01_python_extension::ffi::*;

/// Runs in `python3 -I - <library> <check>`, like milestone 2's harness.
const HARNESS: &str = r#"
import ctypes
import math
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


declare("rs_shared_new", c_void_p)
declare("rs_shared_free", None, c_void_p)
declare("rs_shared_extend", c_int, c_void_p, DOUBLES, c_size_t)
declare("rs_shared_summary", c_int, c_void_p, POINTER(Summary))
declare("rs_shared_batches", c_uint64, c_void_p)
declare("rs_rolling_mean", c_int, DOUBLES, c_size_t, c_size_t, POINTER(DOUBLES), POINTER(c_size_t))
declare("rs_buffer_free", None, DOUBLES, c_size_t)
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


def summary(handle):
    out = Summary()
    expect_eq(lib.rs_shared_summary(handle, byref(out)), OK, "rs_shared_summary status")
    return out


def run_threads(targets):
    """Starts every target in its own thread, joins them all, and re-raises the first failure."""
    failures = []

    def wrap(target):
        def run():
            try:
                target()
            except BaseException as error:  # reported on the main thread
                failures.append(error)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def check_shared_threads():
    handle = lib.rs_shared_new()
    expect(handle, "rs_shared_new returned NULL")
    threads, batches, size = 8, 100, 5000
    expected = []

    def writer(t):
        values = [float((t * 7 + i) % 101) for i in range(size)]
        expected.extend(values * batches)
        array = (c_double * size)(*values)

        def run():
            for _ in range(batches):
                expect_eq(lib.rs_shared_extend(handle, array, size), OK, "rs_shared_extend status")

        return run

    run_threads([writer(t) for t in range(threads)])
    s = summary(handle)
    expect_eq(s.count, threads * batches * size, "no value lost")
    expect_eq((s.min, s.max), (0.0, 100.0), "min and max")
    mean = math.fsum(expected) / len(expected)
    expect(abs(s.mean - mean) < 1e-9 * mean, f"mean {mean}, got {s.mean}")
    expect_eq(lib.rs_shared_batches(handle), threads * batches, "rs_shared_batches")
    lib.rs_shared_free(handle)


def check_whole_batches():
    handle = lib.rs_shared_new()
    expect(handle, "rs_shared_new returned NULL")
    size, reading, done = 1000, threading.Event(), threading.Event()
    ones = (c_double * size)(*([1.0] * size))
    seen = []

    def writer():
        reading.wait(10)  # start once the reader reads, so that it reads during the writes
        for _ in range(150):
            expect_eq(lib.rs_shared_extend(handle, ones, size), OK, "extend status")

    def reader():
        reading.set()
        while True:
            finished = done.is_set()
            out = Summary()
            seen.append((lib.rs_shared_summary(handle, byref(out)), out.count))
            if finished:
                break

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        run_threads([writer] * 4)
    finally:
        done.set()
        watcher.join()
    for status, count in seen:
        expect_eq(status, OK, "rs_shared_summary status")
        expect(count % size == 0, f"a summary saw {count} values: part of a batch")
    expect_eq(seen[-1][1], 4 * 150 * size, "final count")
    lib.rs_shared_free(handle)


def check_per_thread_errors():
    def worker(t):
        values = [1.0] * 10
        values[t] = float("nan")
        bad = (c_double * 10)(*values)
        good = (c_double * 10)(*([2.0] * 10))

        def run():
            for _ in range(300):
                out, out_len = DOUBLES(), c_size_t()
                expect_eq(lib.rs_rolling_mean(bad, 10, 2, byref(out), byref(out_len)), NON_FINITE, "status")
                expect_eq(last_error(), f"non-finite value NaN at index {t}", f"thread {t}'s own message")
                expect_eq(lib.rs_rolling_mean(good, 10, 2, byref(out), byref(out_len)), OK, "status")
                lib.rs_buffer_free(out, out_len.value)
                expect_eq(last_error(), None, f"thread {t}'s success cleared its message")

        return run

    run_threads([worker(t) for t in range(8)])


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
                "could not run `python3` ({error}): milestone 3's ctypes tests need Python 3.8+ on PATH"
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

/// A raw handle that the test threads share. The library's contract says this is allowed.
#[derive(Clone, Copy)]
struct Handle(*const RsShared);
// SAFETY: RsShared is documented as usable from any number of threads at once; the tests free the
// handle only after every thread has been joined.
unsafe impl Send for Handle {}

fn summary(shared: *const RsShared) -> RsSummary {
    let mut out = RsSummary {
        count: 99,
        mean: 0.0,
        variance: 0.0,
        min: 0.0,
        max: 0.0,
    };
    assert_eq!(unsafe { rs_shared_summary(shared, &mut out) }, RS_OK);
    out
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

#[test]
fn direct_shared_handle_is_sync_and_loses_no_update_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RsShared>();
    let shared = rs_shared_new();
    assert!(!shared.is_null());
    let handle = Handle(shared);
    let workers: Vec<_> = (0..8)
        .map(|t| {
            thread::spawn(move || {
                let handle = handle;
                let values: Vec<f64> = (0..1000).map(|i| f64::from((t * 13 + i) % 97)).collect();
                for _ in 0..50 {
                    let status =
                        unsafe { rs_shared_extend(handle.0, values.as_ptr(), values.len()) };
                    assert_eq!(status, RS_OK);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let s = summary(shared);
    assert_eq!(s.count, 8 * 50 * 1000, "every value of every batch counted");
    assert_eq!((s.min, s.max), (0.0, 96.0));
    let total: f64 = (0..8)
        .flat_map(|t| (0..1000).map(move |i| f64::from((t * 13 + i) % 97)))
        .sum();
    let mean = total / 8000.0;
    assert!(
        (s.mean - mean).abs() < 1e-9 * mean,
        "mean {mean}, got {}",
        s.mean
    );
    assert_eq!(unsafe { rs_shared_batches(shared) }, 400);
    unsafe { rs_shared_free(shared) };
}

#[test]
fn direct_shared_summary_never_sees_half_a_batch() {
    let shared = rs_shared_new();
    assert!(!shared.is_null());
    let handle = Handle(shared);
    let done = AtomicBool::new(false);
    let reading = AtomicBool::new(false);
    let mut seen = Vec::new();
    thread::scope(|scope| {
        let (done, reading) = (&done, &reading);
        let reader = scope.spawn(move || {
            let handle = handle;
            reading.store(true, Ordering::Release);
            let mut seen = Vec::new();
            loop {
                let finished = done.load(Ordering::Acquire);
                seen.push(summary(handle.0).count);
                if finished {
                    return seen;
                }
            }
        });
        let writers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(move || {
                    let handle = handle;
                    let ones = vec![1.0; 1000];
                    // Start once the reader is reading, so that it reads during the writes.
                    while !reading.load(Ordering::Acquire) {
                        thread::yield_now();
                    }
                    for _ in 0..100 {
                        assert_eq!(
                            unsafe { rs_shared_extend(handle.0, ones.as_ptr(), ones.len()) },
                            RS_OK
                        );
                    }
                })
            })
            .collect();
        // Join every writer before stopping the reader, and only then report a failed writer:
        // the reader must be told to stop whatever happened, or the scope would wait for ever.
        let written: Vec<_> = writers.into_iter().map(|writer| writer.join()).collect();
        done.store(true, Ordering::Release);
        seen = reader.join().unwrap();
        for result in written {
            result.unwrap();
        }
    });
    assert!(!seen.is_empty());
    for count in seen {
        assert_eq!(
            count % 1000,
            0,
            "a summary saw {count} values: part of a batch"
        );
    }
    assert_eq!(summary(shared).count, 400_000);
    unsafe { rs_shared_free(shared) };
}

#[test]
fn direct_shared_rejects_nulls_and_non_finite_batches_whole() {
    let shared = rs_shared_new();
    assert!(!shared.is_null());
    assert_eq!(
        unsafe { rs_shared_extend(ptr::null(), [1.0].as_ptr(), 1) },
        RS_ERR_NULL
    );
    assert!(last_error().unwrap().contains("`shared`"));
    assert_eq!(
        unsafe { rs_shared_summary(shared, ptr::null_mut()) },
        RS_ERR_NULL
    );
    assert_eq!(
        unsafe { rs_shared_extend(shared, [1.0, 2.0].as_ptr(), 2) },
        RS_OK
    );
    let bad = [3.0, 4.0, f64::INFINITY];
    assert_eq!(
        unsafe { rs_shared_extend(shared, bad.as_ptr(), bad.len()) },
        RS_ERR_NON_FINITE
    );
    assert_eq!(
        last_error().as_deref(),
        Some("non-finite value inf at index 2")
    );
    assert_eq!(unsafe { rs_shared_extend(shared, ptr::null(), 0) }, RS_OK);
    let s = summary(shared);
    assert_eq!((s.count, s.mean, s.min, s.max), (2, 1.5, 1.0, 2.0));
    assert_eq!(
        unsafe { rs_shared_batches(shared) },
        2,
        "two successful calls"
    );
    assert_eq!(unsafe { rs_shared_batches(ptr::null()) }, 0);
    unsafe { rs_shared_free(shared) };
    unsafe { rs_shared_free(ptr::null_mut()) };
}

#[test]
fn ctypes_python_threads_share_one_handle_without_losing_values() {
    run_harness("shared_threads");
}

#[test]
fn ctypes_summaries_taken_during_writes_never_see_half_a_batch() {
    run_harness("whole_batches");
}

#[test]
fn ctypes_each_python_thread_reads_its_own_last_error() {
    run_harness("per_thread_errors");
}
