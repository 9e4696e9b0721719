//! The data-file record format: encoding, verified decoding, and the sequential recovery scan.
//!
//! ```text
//! crc32 u32 | timestamp u64 | key_len u32 | value_len u32 | key | value
//! ```
//!
//! Integers are little-endian. The checksum covers every byte after itself. A tombstone has
//! `value_len == TOMBSTONE` and no value bytes.

use std::fs::File;
use std::io::{self, BufReader, Read};

use crate::error::{Error, Result};
use crate::fsutil;

/// Bytes before the key: crc32 (4) + timestamp (8) + key_len (4) + value_len (4).
pub(crate) const HEADER_LEN: usize = 20;
/// `value_len` sentinel marking a tombstone.
pub(crate) const TOMBSTONE: u32 = u32::MAX;
/// Longest key the format can describe.
pub(crate) const MAX_KEY_LEN: usize = u32::MAX as usize;
/// Longest value the format can describe (`u32::MAX` is reserved for tombstones).
pub(crate) const MAX_VALUE_LEN: usize = (u32::MAX - 1) as usize;

/// The fixed-size prefix of a record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub crc: u32,
    pub timestamp: u64,
    pub key_len: u32,
    pub value_len: u32,
}

impl Header {
    fn decode(b: &[u8; HEADER_LEN]) -> Header {
        let u32_at = |at: usize| {
            let mut a = [0u8; 4];
            a.copy_from_slice(&b[at..at + 4]);
            u32::from_le_bytes(a)
        };
        let crc = u32_at(0);
        let key_len = u32_at(12);
        let value_len = u32_at(16);
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&b[4..12]);
        Header {
            crc,
            timestamp: u64::from_le_bytes(ts),
            key_len,
            value_len,
        }
    }

    pub fn is_tombstone(&self) -> bool {
        self.value_len == TOMBSTONE
    }

    /// Length of key plus value as stored (a tombstone stores no value bytes).
    pub fn body_len(&self) -> u64 {
        let value = if self.is_tombstone() {
            0
        } else {
            u64::from(self.value_len)
        };
        u64::from(self.key_len) + value
    }

    /// Length of the whole record.
    pub fn record_len(&self) -> u64 {
        HEADER_LEN as u64 + self.body_len()
    }
}

/// Appends one encoded record to `buf`; `value == None` encodes a tombstone.
///
/// The caller has checked the key and value against [`MAX_KEY_LEN`] and [`MAX_VALUE_LEN`].
pub(crate) fn encode(buf: &mut Vec<u8>, timestamp: u64, key: &[u8], value: Option<&[u8]>) {
    let start = buf.len();
    let value_len = value.map_or(TOMBSTONE, |v| v.len() as u32);
    buf.reserve(HEADER_LEN + key.len() + value.map_or(0, <[u8]>::len));
    buf.extend_from_slice(&[0; 4]); // checksum, filled in below
    buf.extend_from_slice(&timestamp.to_le_bytes());
    buf.extend_from_slice(&(key.len() as u32).to_le_bytes());
    buf.extend_from_slice(&value_len.to_le_bytes());
    buf.extend_from_slice(key);
    if let Some(value) = value {
        buf.extend_from_slice(value);
    }
    let crc = crc32fast::hash(&buf[start + 4..]);
    buf[start..start + 4].copy_from_slice(&crc.to_le_bytes());
}

/// A record read back in full and verified.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub header: Header,
    pub key: &'a [u8],
    /// `None` for a tombstone.
    pub value: Option<&'a [u8]>,
}

/// Verifies and splits one complete record. The error is the reason it is invalid.
pub(crate) fn decode(buf: &[u8]) -> std::result::Result<Decoded<'_>, &'static str> {
    let Some(head) = buf.first_chunk::<HEADER_LEN>() else {
        return Err("record shorter than its header");
    };
    let header = Header::decode(head);
    if header.record_len() != buf.len() as u64 {
        return Err("length fields disagree with the record size");
    }
    if crc32fast::hash(&buf[4..]) != header.crc {
        return Err("checksum mismatch");
    }
    let (key, value) = buf[HEADER_LEN..].split_at(header.key_len as usize);
    let value = if header.is_tombstone() {
        None
    } else {
        Some(value)
    };
    Ok(Decoded { header, key, value })
}

/// One valid record found by [`scan`].
#[derive(Debug)]
pub(crate) struct Scanned<'a> {
    pub offset: u64,
    pub len: u64,
    pub key: &'a [u8],
    pub tombstone: bool,
}

/// How a scan ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScanEnd {
    /// Every byte of the file belonged to a valid record.
    Clean,
    /// The file ends in a torn record starting at `offset`; everything before it is valid.
    Torn { offset: u64 },
}

/// Reads every record of `file` in order, calling `visit` for each valid one.
///
/// A record that runs past the end of the file, or fails its checksum while being the last thing in
/// the file (or followed only by zero bytes), is a torn tail: with `tolerate_torn_tail` the scan
/// stops and reports [`ScanEnd::Torn`], otherwise it is [`Error::Corrupt`]. A checksum failure with
/// more data after it is always [`Error::Corrupt`]: truncating there would silently drop records
/// that were acknowledged.
pub(crate) fn scan(
    file: &File,
    file_id: u32,
    tolerate_torn_tail: bool,
    mut visit: impl FnMut(Scanned<'_>),
) -> Result<ScanEnd> {
    let file_len = file.metadata()?.len();
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut body = Vec::new();
    let mut offset = 0u64;

    let torn = |offset: u64, reason: &'static str| {
        if tolerate_torn_tail {
            Ok(ScanEnd::Torn { offset })
        } else {
            Err(Error::Corrupt {
                file_id,
                offset,
                reason,
            })
        }
    };

    loop {
        let mut head = [0u8; HEADER_LEN];
        match read_full(&mut reader, &mut head)? {
            0 => return Ok(ScanEnd::Clean),
            HEADER_LEN => {}
            _ => return torn(offset, "truncated record header"),
        }
        let header = Header::decode(&head);
        let end = offset + header.record_len();
        // Checked before allocating: a corrupt length must not make us allocate gigabytes.
        if end > file_len {
            return torn(offset, "record extends past the end of the file");
        }
        let body_len = usize::try_from(header.body_len()).map_err(|_| Error::Corrupt {
            file_id,
            offset,
            reason: "record too large for memory",
        })?;
        body.resize(body_len, 0);
        reader.read_exact(&mut body)?;

        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&head[4..]);
        hasher.update(&body);
        if hasher.finalize() != header.crc {
            if end == file_len || fsutil::is_zero_from(file, offset, file_len)? {
                return torn(offset, "checksum mismatch in the last record");
            }
            return Err(Error::Corrupt {
                file_id,
                offset,
                reason: "checksum mismatch",
            });
        }

        visit(Scanned {
            offset,
            len: header.record_len(),
            key: &body[..header.key_len as usize],
            tombstone: header.is_tombstone(),
        });
        offset = end;
    }
}

/// Like `read_exact`, but a short read at end of file returns the count instead of failing, so the
/// caller can tell a clean end (0) from a torn header (1..len).
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_value_and_tombstone() {
        let mut buf = Vec::new();
        encode(&mut buf, 7, b"key", Some(b"value"));
        assert_eq!(buf.len(), HEADER_LEN + 3 + 5);
        let rec = decode(&buf).expect("valid record");
        assert_eq!(
            (rec.header.timestamp, rec.key, rec.value),
            (7, &b"key"[..], Some(&b"value"[..]))
        );

        buf.clear();
        encode(&mut buf, 8, b"key", None);
        assert_eq!(buf.len(), HEADER_LEN + 3);
        assert!(decode(&buf).expect("valid tombstone").value.is_none());
    }

    #[test]
    fn any_flipped_bit_is_detected() {
        let mut buf = Vec::new();
        encode(&mut buf, 1, b"k", Some(b"v"));
        for i in 0..buf.len() * 8 {
            let mut bad = buf.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(decode(&bad).is_err(), "flip of bit {i} went unnoticed");
        }
    }
}
