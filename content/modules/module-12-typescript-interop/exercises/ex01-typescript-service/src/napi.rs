//! Milestone 3: the [`crate::bridge`] functions as a Node native addon over N-API.
//!
//! Node loads the crate's `cdylib` (renamed `*.node`) with `dlopen`, looks up
//! `napi_register_module_v1` and calls it with the module's `exports` object. The `napi_*`
//! functions you declare in the `extern "C"` block are *not* linked into the library: they stay
//! undefined symbols that the dynamic loader resolves against the `node` executable, which
//! exports them. No crate is needed: N-API is a stable C ABI, and you copy the declarations you
//! use from `node_api.h` (the Node-API page of the Node.js documentation shows each signature).
//!
//! What the tests expect (`tests/milestone3.rs`):
//!
//! - `exports` gains exactly two functions, `validateNewBooking` and `normalizeTimestamp`, each
//!   taking one string and returning a string ([`crate::bridge`] does the work);
//! - a Rust error becomes a thrown JS `Error` whose `code` is the [`ApiError`]'s code as it is
//!   spelled in JSON (`"badRequest"`) and whose `message` is its message;
//! - a first argument that is missing or not a string is a thrown `TypeError` with the message
//!   `<function name> expects a string argument` and no `code`, and Node keeps running;
//! - no panic ever unwinds into Node (since Rust 1.81 it would abort the process): catch it and
//!   throw an `Error` with code `internal` instead;
//! - every N-API call returns a status; anything but `napi_ok` (0) means give up and return
//!   `NULL`.
//!
//! You will need `napi_create_function`, `napi_set_named_property`, `napi_get_cb_info`,
//! `napi_get_value_string_utf8`, `napi_create_string_utf8`, `napi_create_error`,
//! `napi_create_type_error` and `napi_throw`.
//!
//! Linux (the course's CI) allows undefined symbols in a shared library by default. macOS needs
//! `-undefined dynamic_lookup` and Windows an import library for `node.exe`, so this module is only
//! compiled on Unix systems other than Apple's; see the exercise README.

use std::ffi::{c_char, c_void};

use crate::bridge;
use crate::error::{ApiError, ErrorCode};

// The opaque handles of node_api.h are pointers; `napi_status` is a C enum (an `int`).
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
    // One declaration to start from; add the others you use.
    fn napi_create_string_utf8(
        env: napi_env,
        str: *const c_char,
        length: usize,
        result: *mut napi_value,
    ) -> napi_status;
}

/// Called by Node once per environment (main thread or worker) that loads the addon: adds the
/// functions to `exports` and returns it.
///
/// # Safety
///
/// Only Node calls this, with a valid `env` and `exports`.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    todo!("milestone 3")
}
