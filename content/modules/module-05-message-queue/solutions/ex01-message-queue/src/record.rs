//! The framing shared by every file the queue writes: `[body_len: u32][crc32(body): u32][body]`, little
//! endian. A torn or damaged record fails either the length check or the checksum.

use std::io::{self, Read};

/// Bytes before the body.
pub(crate) const HEADER_LEN: usize = 8;

/// Appends one framed record holding `parts` (concatenated) to `out`.
pub(crate) fn encode(parts: &[&[u8]], out: &mut Vec<u8>) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut crc = crc32fast::Hasher::new();
    for part in parts {
        crc.update(part);
    }
    out.reserve(HEADER_LEN + len);
    // Callers bound `len` far below 4 GiB (message and name limits), so the cast cannot truncate.
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    for part in parts {
        out.extend_from_slice(part);
    }
}

/// A header read from disk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub(crate) body_len: u32,
    pub(crate) crc: u32,
}

impl Header {
    pub(crate) fn parse(bytes: &[u8; HEADER_LEN]) -> Header {
        let [a, b, c, d, e, f, g, h] = *bytes;
        Header {
            body_len: u32::from_le_bytes([a, b, c, d]),
            crc: u32::from_le_bytes([e, f, g, h]),
        }
    }

    pub(crate) fn checks(&self, body: &[u8]) -> bool {
        crc32fast::hash(body) == self.crc
    }
}

/// How a sequential scan of a file ended.
pub(crate) enum Next {
    /// A valid record: its body.
    Record(Vec<u8>),
    /// Clean end of file.
    End,
    /// A torn or damaged record starts here; everything from it on should be discarded.
    Damaged,
}

/// Reads the next record from a sequential reader positioned at a record boundary. `remaining` is the
/// number of bytes left in the file, so a corrupt length can never cause a huge allocation.
pub(crate) fn read_next(reader: &mut impl Read, remaining: u64) -> io::Result<Next> {
    if remaining == 0 {
        return Ok(Next::End);
    }
    if remaining < HEADER_LEN as u64 {
        return Ok(Next::Damaged); // a torn header
    }
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header)?;
    let header = Header::parse(&header);
    if u64::from(header.body_len) > remaining - HEADER_LEN as u64 {
        return Ok(Next::Damaged); // the record runs past the end of the file
    }
    let mut body = vec![0u8; header.body_len as usize];
    reader.read_exact(&mut body)?;
    if !header.checks(&body) {
        return Ok(Next::Damaged);
    }
    Ok(Next::Record(body))
}

/// Reads a little-endian `u64` from the first 8 bytes of `bytes`, if there are 8.
pub(crate) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let slice = bytes.get(at..at + 8)?;
    let mut buf = [0u8; 8];
    buf.copy_from_slice(slice);
    Some(u64::from_le_bytes(buf))
}
