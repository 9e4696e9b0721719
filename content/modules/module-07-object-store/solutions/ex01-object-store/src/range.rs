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
        let bad = || StoreError::InvalidRange(header.to_owned());
        let spec = header.trim().strip_prefix("bytes=").ok_or_else(bad)?;
        if spec.contains(',') {
            return Err(bad());
        }
        let (first, last) = spec.split_once('-').ok_or_else(bad)?;
        let num = |s: &str| -> Result<u64, StoreError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        match (first.trim(), last.trim()) {
            ("", len) => Ok(Self::Suffix { len: num(len)? }),
            (start, "") => Ok(Self::From { start: num(start)? }),
            (start, end) => {
                let (start, end) = (num(start)?, num(end)?);
                if end < start {
                    return Err(bad());
                }
                Ok(Self::Inclusive { start, end })
            }
        }
    }

    /// Resolves the range against an object of `size` bytes, returning the inclusive
    /// `(first, last)` byte offsets to send. Fails with [`StoreError::InvalidRange`] when the
    /// range is unsatisfiable (HTTP 416): it starts at or past the end, it is an empty suffix,
    /// or the object is empty.
    pub fn resolve(self, size: u64) -> Result<(u64, u64), StoreError> {
        let unsatisfiable =
            || StoreError::InvalidRange(format!("{self:?} for an object of {size} bytes"));
        if size == 0 {
            return Err(unsatisfiable());
        }
        match self {
            Self::Inclusive { start, end } if start < size => Ok((start, end.min(size - 1))),
            Self::From { start } if start < size => Ok((start, size - 1)),
            Self::Suffix { len } if len > 0 => Ok((size.saturating_sub(len), size - 1)),
            _ => Err(unsatisfiable()),
        }
    }
}
