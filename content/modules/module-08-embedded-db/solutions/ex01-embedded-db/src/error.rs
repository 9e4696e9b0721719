use std::io;

/// Errors from every layer of the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The operating system reported an I/O error.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    /// The file exists but is not a database of this format.
    #[error("not a database file: {0}")]
    NotADatabase(String),
    /// A page number past the end of the file, or page 0 (the header) used as a data page.
    #[error("page {0} does not exist or is reserved")]
    InvalidPage(u32),
    /// A page whose bytes do not decode to a valid node, or a tree that breaks an invariant.
    #[error("corrupt page {page}: {reason}")]
    Corrupt {
        /// The offending page.
        page: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// SQL text that does not parse (milestone 4), with the byte offset where it goes wrong.
    #[error("syntax error at byte {position}: {message}")]
    Sql {
        /// Byte offset into the statement.
        position: usize,
        /// What was expected and found.
        message: String,
    },
    /// A statement that parses but cannot run (milestone 4): an unknown table or column (named
    /// in the message), a type error, a constraint violation.
    #[error("{0}")]
    Query(String),
    /// A value longer than [`MAX_VALUE_LEN`](crate::MAX_VALUE_LEN).
    #[error("value of {len} bytes exceeds the {max}-byte limit")]
    ValueTooLarge {
        /// The length that was offered.
        len: usize,
        /// The limit.
        max: usize,
    },
}
