//! Committed consumer-group offsets, stored durably as an append-only log of commits.
//!
//! Each commit appends one framed record `[group_len: u16][group][topic_len: u16][topic][offset: u64]` and
//! fsyncs it. On open the log is replayed (last commit wins) and a torn tail is cut off. When the log holds
//! many more records than live entries it is compacted: the live entries are written to a temporary file,
//! which is fsynced and renamed over the log.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use crate::error::MqError;
use crate::log::sync_dir;
use crate::names::{validate_group, validate_topic};
use crate::record::{self, Next, HEADER_LEN};

/// Durable map from (group, topic) to the group's committed offset: the first offset it has *not* finished.
#[derive(Debug)]
pub struct OffsetStore {
    path: PathBuf,
    file: File,
    offsets: HashMap<String, HashMap<String, u64>>,
    /// Records in the file, live or superseded.
    records: usize,
}

impl OffsetStore {
    /// Opens (or creates) the store at `path` and replays it.
    pub fn open(path: impl AsRef<Path>) -> Result<OffsetStore, MqError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        let file_len = file.metadata()?.len();
        let mut reader = BufReader::new(File::open(&path)?);
        let mut offsets: HashMap<String, HashMap<String, u64>> = HashMap::new();
        let mut valid_len = 0u64;
        let mut records = 0;
        while let Next::Record(body) = record::read_next(&mut reader, file_len - valid_len)? {
            let Some((group, topic, offset)) = decode(&body) else {
                break;
            };
            offsets.entry(group).or_default().insert(topic, offset);
            valid_len += (HEADER_LEN + body.len()) as u64;
            records += 1;
        }
        if valid_len < file_len {
            file.set_len(valid_len)?;
            file.sync_all()?;
        }
        Ok(OffsetStore {
            path,
            file,
            offsets,
            records,
        })
    }

    /// Durably records that `group` has finished every offset of `topic` below `offset`. The commit is
    /// fsynced before this returns. A later commit replaces an earlier one, even with a smaller offset.
    pub fn commit(&mut self, group: &str, topic: &str, offset: u64) -> Result<(), MqError> {
        validate_group(group)?;
        validate_topic(topic)?;
        let mut buf = Vec::new();
        encode(group, topic, offset, &mut buf);
        let position = self.file.metadata()?.len();
        if let Err(err) = self.file.write_all(&buf) {
            let _ = self.file.set_len(position);
            return Err(err.into());
        }
        self.file.sync_data()?;
        self.offsets
            .entry(group.to_string())
            .or_default()
            .insert(topic.to_string(), offset);
        self.records += 1;
        if self.records > 2 * self.len() + 1024 {
            self.compact()?;
        }
        Ok(())
    }

    /// The last committed offset of `group` on `topic`, if it ever committed one.
    pub fn committed(&self, group: &str, topic: &str) -> Option<u64> {
        self.offsets.get(group)?.get(topic).copied()
    }

    /// Number of (group, topic) pairs with a committed offset.
    pub fn len(&self) -> usize {
        self.offsets.values().map(HashMap::len).sum()
    }

    /// Whether nothing was ever committed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rewrites the file with one record per live entry. Atomic: a crash leaves the old or the new file.
    pub fn compact(&mut self) -> Result<(), MqError> {
        let sorted: BTreeMap<(&str, &str), u64> = self
            .offsets
            .iter()
            .flat_map(|(g, topics)| {
                topics
                    .iter()
                    .map(move |(t, o)| ((g.as_str(), t.as_str()), *o))
            })
            .collect();
        let mut buf = Vec::new();
        for ((group, topic), offset) in &sorted {
            encode(group, topic, *offset, &mut buf);
        }
        let tmp = self.path.with_extension("compact.tmp");
        {
            let mut out = File::create(&tmp)?;
            out.write_all(&buf)?;
            out.sync_all()?;
        }
        fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            sync_dir(dir)?;
        }
        self.file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&self.path)?;
        self.records = sorted.len();
        Ok(())
    }
}

fn encode(group: &str, topic: &str, offset: u64, out: &mut Vec<u8>) {
    // Names are validated to at most 255 bytes, so their lengths fit a u16.
    let group_len = (group.len() as u16).to_le_bytes();
    let topic_len = (topic.len() as u16).to_le_bytes();
    record::encode(
        &[
            &group_len,
            group.as_bytes(),
            &topic_len,
            topic.as_bytes(),
            &offset.to_le_bytes(),
        ],
        out,
    );
}

fn decode(body: &[u8]) -> Option<(String, String, u64)> {
    let (group, rest) = take_str(body)?;
    let (topic, rest) = take_str(rest)?;
    let offset = record::u64_at(rest, 0)?;
    (rest.len() == 8).then_some((group, topic, offset))
}

fn take_str(bytes: &[u8]) -> Option<(String, &[u8])> {
    let len = usize::from(u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]));
    let text = bytes.get(2..2 + len)?;
    Some((String::from_utf8(text.to_vec()).ok()?, &bytes[2 + len..]))
}
