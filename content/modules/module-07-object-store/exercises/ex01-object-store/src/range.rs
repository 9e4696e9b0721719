use crate::StoreError;

/// A single HTTP byte range, as in `Range: bytes=...`. Offsets are inclusive, as in HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=start-end`: from `start` to `end`, both inclusive.
    Inclusive {
        /// First byte.
        start: u64,
        /// Last byte (clamped to the object's last byte when resolving).
        end: u64,
    },
    /// `bytes=start-`: from `start` to the end of the object.
    From {
        /// First byte.
        start: u64,
    },
    /// `bytes=-len`: the last `len` bytes of the object.
    Suffix {
        /// How many bytes from the end.
        len: u64,
    },
}

impl ByteRange {
    /// Parses the value of a `Range` header holding a single range, e.g. `bytes=0-99`,
    /// `bytes=100-` or `bytes=-500`. Multiple ranges (`bytes=0-1,5-6`) are rejected.
    pub fn parse(header: &str) -> Result<Self, StoreError> {
        todo!("parse {header:?}")
    }

    /// Resolves the range against an object of `size` bytes, returning the inclusive
    /// `(first, last)` byte offsets to send. Fails with [`StoreError::InvalidRange`] when the
    /// range is unsatisfiable (HTTP 416): it starts at or past the end, it is an empty suffix,
    /// or the object is empty.
    pub fn resolve(self, size: u64) -> Result<(u64, u64), StoreError> {
        todo!("resolve {self:?} against {size} bytes")
    }
}
