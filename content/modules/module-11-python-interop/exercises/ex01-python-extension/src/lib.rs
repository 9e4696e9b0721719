//! The pure-Rust core of a Python extension: rolling statistics over `f64` slices.
//!
//! Nothing in this crate knows about Python. Its API is shaped for a cheap FFI boundary:
//!
//! * inputs are borrowed slices (`&[f64]`), which a binding can take straight from a NumPy array
//!   or a `bytes`-like buffer without copying;
//! * outputs are owned `Vec<f64>` (which NumPy can adopt without copying) or are written into a
//!   caller-provided `&mut [f64]` (`_into` variants, for preallocated output arrays);
//! * every failure is a [`KernelError`] whose [`ExceptionKind`] says which Python exception it
//!   becomes; no kernel panics on bad input;
//! * no kernel touches global state, so a binding may run any of them with the GIL released, and
//!   [`par_map`] spreads independent work over threads.

#![allow(unused)] // TODO: remove once the todo!()s are gone

mod error;
pub mod ffi;
mod parallel;
mod rolling;
mod stats;

pub use error::{ExceptionKind, KernelError};
pub use parallel::{effective_threads, par_map, rolling_mean_many};
pub use rolling::{
    check_finite, ewma, output_len, rolling_max, rolling_mean, rolling_mean_into, rolling_min,
    rolling_std, rolling_std_into,
};
pub use stats::OnlineStats;
