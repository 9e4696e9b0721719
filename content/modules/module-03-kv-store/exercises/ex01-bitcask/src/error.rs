use std::io;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system level I/O failure (open, read, write, fsync, rename, ...).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    /// A record failed validation: bad checksum, impossible lengths, or a torn record in a place
    /// where a crash cannot explain it (anywhere but the end of the newest data file).
    #[error("corrupt data in file {file_id} at offset {offset}: {reason}")]
    Corrupt {
        /// Id of the data file holding the bad record.
        file_id: u32,
        /// Byte offset of the start of the bad record.
        offset: u64,
        /// What the check found.
        reason: &'static str,
    },

    /// The key is longer than the on-disk format can describe.
    #[error("key of {len} bytes exceeds the limit of {max} bytes")]
    KeyTooLarge {
        /// Length of the rejected key.
        len: usize,
        /// Largest accepted key length.
        max: usize,
    },

    /// The value is longer than the on-disk format can describe.
    #[error("value of {len} bytes exceeds the limit of {max} bytes")]
    ValueTooLarge {
        /// Length of the rejected value.
        len: usize,
        /// Largest accepted value length.
        max: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
