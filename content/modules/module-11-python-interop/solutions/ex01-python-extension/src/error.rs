//! The kernel's one error type, and the Python exception each variant becomes at the boundary.

use thiserror::Error;

/// Everything that can go wrong in a kernel. Every variant is a caller mistake detected before any
/// output is produced; none of them is a bug, so none of them panics.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum KernelError {
    /// A window of zero elements was requested.
    #[error("window must be at least 1")]
    ZeroWindow,
    /// `ddof` leaves no degrees of freedom: the variance would divide by zero or a negative number.
    #[error("ddof={ddof} must be smaller than window={window}")]
    DdofTooLarge {
        /// The requested delta degrees of freedom.
        ddof: usize,
        /// The window size.
        window: usize,
    },
    /// A smoothing factor outside `(0, 1]`, or NaN.
    #[error("alpha must be in (0, 1], got {alpha}")]
    InvalidAlpha {
        /// The rejected value.
        alpha: f64,
    },
    /// The input contains NaN or an infinity.
    #[error("non-finite value {value} at index {index}")]
    NonFinite {
        /// Position of the first offending element.
        index: usize,
        /// The element itself.
        value: f64,
    },
    /// An output buffer of the wrong length was passed to an `_into` kernel.
    #[error("output buffer has length {actual}, expected {expected}")]
    OutputLength {
        /// The length the kernel needs.
        expected: usize,
        /// The length it was given.
        actual: usize,
    },
}

/// The Python exception class a [`KernelError`] maps to. The binding layer turns each kind into a
/// `PyErr` with the error's `Display` text as the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// The built-in `ValueError`.
    ValueError,
    /// The extension's own `NonFiniteError`, declared as a subclass of `ValueError` so that callers
    /// can catch it specifically or together with other bad-argument errors.
    NonFiniteError,
}

impl KernelError {
    /// The Python exception this error becomes.
    pub fn exception_kind(&self) -> ExceptionKind {
        match self {
            KernelError::NonFinite { .. } => ExceptionKind::NonFiniteError,
            KernelError::ZeroWindow
            | KernelError::DdofTooLarge { .. }
            | KernelError::InvalidAlpha { .. }
            | KernelError::OutputLength { .. } => ExceptionKind::ValueError,
        }
    }
}
