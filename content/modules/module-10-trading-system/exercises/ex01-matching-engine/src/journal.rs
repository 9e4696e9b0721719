//! The command journal: fixed-size binary records with a CRC, appended before a command is applied.
//!
//! ```text
//! offset  size  field
//! 0       1     tag: 1 = Limit, 2 = Market, 3 = Cancel
//! 1       1     side: 0 = Buy, 1 = Sell (0 for Cancel)
//! 2       8     order id, u64 little-endian
//! 10      8     price, i64 little-endian (0 for Market and Cancel)
//! 18      8     quantity, u64 little-endian (0 for Cancel)
//! 26      4     CRC-32 (IEEE, as computed by `crc32fast::hash`) of bytes 0..26, u32 little-endian
//! ```

use std::io::{self, Write};

use thiserror::Error;

use crate::command::Command;
use crate::types::{OrderId, Price, Qty, Side};

/// Size of one encoded command.
pub const RECORD_LEN: usize = 30;

/// A journal that cannot be trusted past some point.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum JournalError {
    /// A record's checksum does not match and at least one more full record follows it: the middle
    /// of the journal is damaged, which a crash cannot explain.
    #[error("corrupt journal record at byte {offset}")]
    Corrupt {
        /// Byte offset of the damaged record.
        offset: usize,
    },
    /// The checksum matches but the content is not a command (unknown tag or side byte).
    #[error("invalid journal record at byte {offset}")]
    Invalid {
        /// Byte offset of the record.
        offset: usize,
    },
}

/// The result of reading a journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Every complete, valid command, in order.
    pub commands: Vec<Command>,
    /// How many bytes those commands occupy. Less than the input length when the journal ends in a
    /// torn record; recovery truncates the file to this length before appending again.
    pub valid_len: usize,
}

/// Appends the encoding of one command (exactly [`RECORD_LEN`] bytes) to `out`.
pub fn encode(cmd: &Command, out: &mut Vec<u8>) {
    todo!("milestone 2")
}

/// Writes one record to `w` with a single `write_all`.
pub fn write_command<W: Write + ?Sized>(w: &mut W, cmd: &Command) -> io::Result<()> {
    todo!("milestone 2")
}

/// Decodes a whole journal.
///
/// A trailing partial record, or a final full record whose checksum fails, is a torn write: it is
/// left out and `valid_len` stops before it. A bad checksum on any earlier record is
/// [`JournalError::Corrupt`]; a record with a good checksum but an unknown tag or side is
/// [`JournalError::Invalid`].
pub fn decode(bytes: &[u8]) -> Result<Decoded, JournalError> {
    todo!("milestone 2")
}
