//! Milestone 3: the [`crate::bridge`] functions as a Node native addon over N-API.
//!
//! Node loads the crate's `cdylib` (renamed `*.node`) with `dlopen`, looks up
//! `napi_register_module_v1` and calls it with the module's `exports` object. The `napi_*`
//! functions declared below are *not* linked into the library: they stay undefined symbols that
//! the dynamic loader resolves against the `node` executable, which exports them. That is exactly
//! how a C addon built by node-gyp works, and why no crate is needed: N-API is a stable C ABI,
//! and the dozen declarations this addon uses are copied from `node_api.h`.
//!
//! The rules at the boundary:
//!
//! - every N-API call returns a status; anything but `napi_ok` stops the callback, which returns
//!   `NULL` (Node then throws whatever exception is pending, or returns `undefined`);
//! - a Rust error becomes a thrown JS `Error` whose `code` is the [`ErrorCode`] and whose
//!   `message` is the [`ApiError`]'s; an argument that is not a string is a thrown `TypeError`;
//! - no panic unwinds into Node: each callback runs inside [`catch_unwind`], and a panic becomes
//!   a thrown `Error` with code `internal`.
//!
//! Linux (the course's CI) allows undefined symbols in a shared library by default. macOS needs
//! `-undefined dynamic_lookup` and Windows an import library for `node.exe`, so this module is only
//! compiled on Unix systems other than Apple's; see the exercise README.

use std::ffi::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::bridge;
use crate::error::{ApiError, ErrorCode};

// ---------------------------------------------------------------------------------------------
// The part of node_api.h this addon uses.

#[allow(non_camel_case_types)]
type napi_env = *mut c_void;
#[allow(non_camel_case_types)]
type napi_value = *mut c_void;
#[allow(non_camel_case_types)]
type napi_callback_info = *mut c_void;
#[allow(non_camel_case_types)]
type napi_status = i32;
#[allow(non_camel_case_types)]
type napi_callback = unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value;

const NAPI_OK: napi_status = 0;

extern "C" {
    fn napi_create_function(
        env: napi_env,
        utf8name: *const c_char,
        length: usize,
        cb: napi_callback,
        data: *mut c_void,
        result: *mut napi_value,
    ) -> napi_status;
    fn napi_set_named_property(
        env: napi_env,
        object: napi_value,
        utf8name: *const c_char,
        value: napi_value,
    ) -> napi_status;
    fn napi_get_cb_info(
        env: napi_env,
        cbinfo: napi_callback_info,
        argc: *mut usize,
        argv: *mut napi_value,
        this_arg: *mut napi_value,
        data: *mut *mut c_void,
    ) -> napi_status;
    fn napi_get_value_string_utf8(
        env: napi_env,
        value: napi_value,
        buf: *mut c_char,
        bufsize: usize,
        result: *mut usize,
    ) -> napi_status;
    fn napi_create_string_utf8(
        env: napi_env,
        str: *const c_char,
        length: usize,
        result: *mut napi_value,
    ) -> napi_status;
    fn napi_create_error(
        env: napi_env,
        code: napi_value,
        msg: napi_value,
        result: *mut napi_value,
    ) -> napi_status;
    fn napi_create_type_error(
        env: napi_env,
        code: napi_value,
        msg: napi_value,
        result: *mut napi_value,
    ) -> napi_status;
    fn napi_throw(env: napi_env, error: napi_value) -> napi_status;
}

// ---------------------------------------------------------------------------------------------
// Safe-ish helpers: each N-API failure is a `Failed`, and `?` carries it to the callback's edge.

/// An N-API call did not return `napi_ok`; the callback gives up and returns `NULL`.
struct Failed;

fn check(status: napi_status) -> Result<(), Failed> {
    if status == NAPI_OK {
        Ok(())
    } else {
        Err(Failed)
    }
}

/// A JS string from Rust UTF-8 (N-API copies it; no terminating NUL needed with a length).
unsafe fn js_string(env: napi_env, s: &str) -> Result<napi_value, Failed> {
    let mut value = ptr::null_mut();
    check(napi_create_string_utf8(
        env,
        s.as_ptr().cast(),
        s.len(),
        &mut value,
    ))?;
    Ok(value)
}

/// What a callback can fail with, before it becomes a JS exception.
enum Thrown {
    /// A wrong argument: `TypeError`.
    Type(String),
    /// An error of the core: `Error` with `code`.
    Api(ApiError),
}

/// Throws `thrown` as a JS exception. If even that fails, an exception is already pending.
unsafe fn throw(env: napi_env, thrown: Thrown) {
    let _ = (|| -> Result<(), Failed> {
        let mut error = ptr::null_mut();
        match thrown {
            Thrown::Type(message) => {
                let msg = js_string(env, &message)?;
                check(napi_create_type_error(
                    env,
                    ptr::null_mut(),
                    msg,
                    &mut error,
                ))?;
            }
            Thrown::Api(api) => {
                let code = serde_json::to_value(api.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "internal".to_owned());
                let code = js_string(env, &code)?;
                let msg = js_string(env, &api.message)?;
                check(napi_create_error(env, code, msg, &mut error))?;
            }
        }
        check(napi_throw(env, error))
    })();
}

/// The first argument of the call, which must be a string.
unsafe fn string_arg(
    env: napi_env,
    info: napi_callback_info,
    name: &str,
) -> Result<String, Thrown> {
    let mut argc = 1;
    let mut argv = [ptr::null_mut(); 1];
    check(napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
    ))
    .map_err(|Failed| Thrown::Type(format!("{name}: cannot read the arguments")))?;
    let not_a_string = || Thrown::Type(format!("{name} expects a string argument"));
    if argc < 1 {
        return Err(not_a_string());
    }
    // First the length in bytes (without NUL), then the bytes into a buffer one byte longer,
    // because N-API always writes a terminating NUL and truncates to fit.
    let mut len = 0;
    check(napi_get_value_string_utf8(
        env,
        argv[0],
        ptr::null_mut(),
        0,
        &mut len,
    ))
    .map_err(|Failed| not_a_string())?;
    let mut buf = vec![0u8; len + 1];
    let mut written = 0;
    check(napi_get_value_string_utf8(
        env,
        argv[0],
        buf.as_mut_ptr().cast(),
        buf.len(),
        &mut written,
    ))
    .map_err(|Failed| not_a_string())?;
    buf.truncate(written);
    // JS strings are UTF-16; N-API replaces lone surrogates, so this is valid UTF-8.
    String::from_utf8(buf).map_err(|_| not_a_string())
}

/// Runs a string-to-string bridge function as the body of an N-API callback: reads the
/// argument, calls `f`, returns the result as a JS string or throws, and stops any panic here.
unsafe fn string_callback(
    env: napi_env,
    info: napi_callback_info,
    name: &str,
    f: fn(&str) -> Result<String, ApiError>,
) -> napi_value {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let input = string_arg(env, info, name)?;
        f(&input).map_err(Thrown::Api)
    }));
    let thrown = match outcome {
        Ok(Ok(output)) => return js_string(env, &output).unwrap_or(ptr::null_mut()),
        Ok(Err(thrown)) => thrown,
        Err(_panic) => Thrown::Api(ApiError::new(
            ErrorCode::Internal,
            format!("{name}: the native addon panicked"),
        )),
    };
    throw(env, thrown);
    ptr::null_mut()
}

unsafe extern "C" fn validate_new_booking(env: napi_env, info: napi_callback_info) -> napi_value {
    string_callback(
        env,
        info,
        "validateNewBooking",
        bridge::validate_new_booking_json,
    )
}

unsafe extern "C" fn normalize_timestamp(env: napi_env, info: napi_callback_info) -> napi_value {
    string_callback(env, info, "normalizeTimestamp", bridge::normalize_timestamp)
}

/// The functions the addon exports, by their JS names.
const EXPORTS: [(&std::ffi::CStr, napi_callback); 2] = [
    (c"validateNewBooking", validate_new_booking),
    (c"normalizeTimestamp", normalize_timestamp),
];

/// Called by Node once per environment (main thread or worker) that loads the addon: adds the
/// functions to `exports` and returns it.
///
/// # Safety
///
/// Only Node calls this, with a valid `env` and `exports`.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    let registered = catch_unwind(AssertUnwindSafe(|| -> Result<(), Failed> {
        for (name, callback) in EXPORTS {
            let mut function = ptr::null_mut();
            check(napi_create_function(
                env,
                name.as_ptr(),
                name.to_bytes().len(),
                callback,
                ptr::null_mut(),
                &mut function,
            ))?;
            check(napi_set_named_property(
                env,
                exports,
                name.as_ptr(),
                function,
            ))?;
        }
        Ok(())
    }));
    match registered {
        Ok(Ok(())) => exports,
        _ => ptr::null_mut(),
    }
}
