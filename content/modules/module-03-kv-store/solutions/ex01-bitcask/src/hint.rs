//! Hint files: a compact index of one merged data file, so that opening the store can rebuild the
//! keydir without reading values.
//!
//! ```text
//! entry:  timestamp u64 | key_len u32 | record_len u64 | offset u64 | key     (repeated)
//! footer: data_file_len u64 | crc32 u32
//! ```
//!
//! The footer's crc32 covers every byte before it. A hint is trusted only if that checksum matches
//! and `data_file_len` equals the current length of its data file; otherwise the data file is
//! scanned instead. That one check rejects torn, bit-rotted and stale hints alike.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::record::HEADER_LEN;

const ENTRY_HEADER_LEN: usize = 8 + 4 + 8 + 8;
const FOOTER_LEN: usize = 8 + 4;

/// One keydir entry as recorded in a hint file.
#[derive(Debug)]
pub(crate) struct HintEntry {
    pub key: Vec<u8>,
    pub offset: u64,
    pub len: u64,
}

/// Streams entries into a new hint file.
pub(crate) struct HintWriter {
    out: BufWriter<File>,
    hasher: crc32fast::Hasher,
}

impl HintWriter {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: &Path) -> io::Result<HintWriter> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        Ok(HintWriter {
            out: BufWriter::new(file),
            hasher: crc32fast::Hasher::new(),
        })
    }

    /// Records that `key`'s live record is `len` bytes at `offset` of the data file.
    pub fn add(&mut self, key: &[u8], timestamp: u64, offset: u64, len: u64) -> io::Result<()> {
        let mut head = [0u8; ENTRY_HEADER_LEN];
        head[0..8].copy_from_slice(&timestamp.to_le_bytes());
        head[8..12].copy_from_slice(&(key.len() as u32).to_le_bytes());
        head[12..20].copy_from_slice(&len.to_le_bytes());
        head[20..28].copy_from_slice(&offset.to_le_bytes());
        self.write(&head)?;
        self.write(key)
    }

    /// Writes the footer and makes the file durable. Errors from the final flush are reported here,
    /// not lost in `BufWriter`'s drop.
    pub fn finish(mut self, data_file_len: u64) -> io::Result<()> {
        self.write(&data_file_len.to_le_bytes())?;
        let crc = self.hasher.clone().finalize();
        self.out.write_all(&crc.to_le_bytes())?;
        let file = self
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.out.write_all(bytes)
    }
}

/// Reads the hint file at `path` for a data file that is currently `data_file_len` bytes long.
///
/// Returns `Ok(None)` if the hint cannot be trusted; I/O errors other than that are returned.
pub(crate) fn load(path: &Path, data_file_len: u64) -> io::Result<Option<Vec<HintEntry>>> {
    let bytes = fs::read(path)?;
    Ok(parse(&bytes, data_file_len))
}

fn parse(bytes: &[u8], data_file_len: u64) -> Option<Vec<HintEntry>> {
    let body_len = bytes.len().checked_sub(FOOTER_LEN)?;
    let (body, footer) = bytes.split_at(body_len);
    let (recorded_len, crc) = footer.split_at(8);
    if u64::from_le_bytes(recorded_len.try_into().ok()?) != data_file_len {
        return None; // stale: the data file changed since the hint was written
    }
    if crc32fast::hash(&bytes[..body_len + 8]) != u32::from_le_bytes(crc.try_into().ok()?) {
        return None;
    }

    let mut entries = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let head = rest.get(..ENTRY_HEADER_LEN)?;
        let key_len = u32::from_le_bytes(head[8..12].try_into().ok()?) as usize;
        let len = u64::from_le_bytes(head[12..20].try_into().ok()?);
        let offset = u64::from_le_bytes(head[20..28].try_into().ok()?);
        let key = rest.get(ENTRY_HEADER_LEN..ENTRY_HEADER_LEN.checked_add(key_len)?)?;
        // A valid checksum makes these failures unlikely, but a hint must never send reads
        // outside its data file.
        let end = offset.checked_add(len)?;
        if end > data_file_len || len < (HEADER_LEN + key_len) as u64 {
            return None;
        }
        entries.push(HintEntry {
            key: key.to_vec(),
            offset,
            len,
        });
        rest = &rest[ENTRY_HEADER_LEN + key_len..];
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejects_damage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("1.hint");
        let mut w = HintWriter::create(&path).expect("create");
        w.add(b"a", 1, 0, 30).expect("add");
        w.add(b"bb", 2, 30, 40).expect("add");
        w.finish(70).expect("finish");

        let entries = load(&path, 70).expect("read").expect("valid hint");
        let keys: Vec<_> = entries
            .iter()
            .map(|e| (e.key.as_slice(), e.offset, e.len))
            .collect();
        assert_eq!(keys, vec![(&b"a"[..], 0, 30), (&b"bb"[..], 30, 40)]);

        assert!(
            load(&path, 71).expect("read").is_none(),
            "stale length must be rejected"
        );
        let mut bytes = fs::read(&path).expect("read");
        bytes[9] ^= 0x40;
        assert!(parse(&bytes, 70).is_none(), "flipped bit must be rejected");
        assert!(
            parse(&bytes[..bytes.len() - 1], 70).is_none(),
            "torn hint must be rejected"
        );
    }
}
