//! The command journal: fixed-size binary records with a CRC, appended before a command is applied.
//!
//! ```text
//! offset  size  field
//! 0       1     tag: 1 = Limit, 2 = Market, 3 = Cancel
//! 1       1     side: 0 = Buy, 1 = Sell (0 for Cancel)
//! 2       8     order id, u64 little-endian
//! 10      8     price, i64 little-endian (0 for Market and Cancel)
//! 18      8     quantity, u64 little-endian (0 for Cancel)
//! 26      4     CRC-32 of bytes 0..26, u32 little-endian
//! ```
//!
//! Fixed-size records make recovery simple: the journal's length says how many records there are,
//! and a short or damaged record at the very end is a write torn by a crash, not corruption.

use std::io::{self, Write};

use thiserror::Error;

use crate::command::Command;
use crate::types::{OrderId, Price, Qty, Side};

/// Size of one encoded command.
pub const RECORD_LEN: usize = 30;

const TAG_LIMIT: u8 = 1;
const TAG_MARKET: u8 = 2;
const TAG_CANCEL: u8 = 3;
const BODY_LEN: usize = RECORD_LEN - 4;

/// A journal that cannot be trusted past some point.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum JournalError {
    /// A record's checksum does not match and more records follow it: the middle of the journal is
    /// damaged, which a crash cannot explain.
    #[error("corrupt journal record at byte {offset}")]
    Corrupt {
        /// Byte offset of the damaged record.
        offset: usize,
    },
    /// The checksum matches but the content is not a command this version understands.
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
    let (tag, side, id, price, qty) = match *cmd {
        Command::Limit {
            id,
            side,
            price,
            qty,
        } => (TAG_LIMIT, side, id, price, qty),
        Command::Market { id, side, qty } => (TAG_MARKET, side, id, Price(0), qty),
        Command::Cancel { id } => (TAG_CANCEL, Side::Buy, id, Price(0), Qty(0)),
    };
    let start = out.len();
    out.push(tag);
    out.push(match side {
        Side::Buy => 0,
        Side::Sell => 1,
    });
    out.extend_from_slice(&id.0.to_le_bytes());
    out.extend_from_slice(&price.0.to_le_bytes());
    out.extend_from_slice(&qty.0.to_le_bytes());
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Writes one record to `w` with a single `write_all`, so a record is never interleaved with another.
pub fn write_command<W: Write + ?Sized>(w: &mut W, cmd: &Command) -> io::Result<()> {
    let mut buf = Vec::with_capacity(RECORD_LEN);
    encode(cmd, &mut buf);
    w.write_all(&buf)
}

/// Decodes a whole journal.
///
/// A trailing partial record, or a final record whose checksum fails, is treated as a torn write:
/// it is left out and `valid_len` stops before it. A bad checksum on any earlier record is
/// [`JournalError::Corrupt`]; a well-formed record with an unknown tag or side is
/// [`JournalError::Invalid`].
pub fn decode(bytes: &[u8]) -> Result<Decoded, JournalError> {
    let mut commands = Vec::with_capacity(bytes.len() / RECORD_LEN);
    let mut offset = 0;
    while bytes.len() - offset >= RECORD_LEN {
        let record = &bytes[offset..offset + RECORD_LEN];
        let stored = u32::from_le_bytes(le(&record[BODY_LEN..]));
        if crc32fast::hash(&record[..BODY_LEN]) != stored {
            let is_last = bytes.len() - offset < 2 * RECORD_LEN;
            if is_last {
                break;
            }
            return Err(JournalError::Corrupt { offset });
        }
        commands.push(decode_body(record).ok_or(JournalError::Invalid { offset })?);
        offset += RECORD_LEN;
    }
    Ok(Decoded {
        commands,
        valid_len: offset,
    })
}

fn decode_body(record: &[u8]) -> Option<Command> {
    let side = match record[1] {
        0 => Side::Buy,
        1 => Side::Sell,
        _ => return None,
    };
    let id = OrderId(u64::from_le_bytes(le(&record[2..10])));
    let price = Price(i64::from_le_bytes(le(&record[10..18])));
    let qty = Qty(u64::from_le_bytes(le(&record[18..26])));
    match record[0] {
        TAG_LIMIT => Some(Command::Limit {
            id,
            side,
            price,
            qty,
        }),
        TAG_MARKET => Some(Command::Market { id, side, qty }),
        TAG_CANCEL => Some(Command::Cancel { id }),
        _ => None,
    }
}

/// Copies a slice of known length into an array (the callers slice exactly N bytes).
fn le<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[..N]);
    out
}
