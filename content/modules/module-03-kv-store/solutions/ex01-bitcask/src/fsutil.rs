//! File naming, directory listing and the few platform-specific calls the store needs.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

const DATA_EXT: &str = "data";
const HINT_EXT: &str = "hint";
/// Suffix of files a merge is still writing; they are never read by recovery.
const MERGING_SUFFIX: &str = ".merging";

/// `dir/NNNNNNNNNN.data`
pub(crate) fn data_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("{id:010}.{DATA_EXT}"))
}

/// `dir/NNNNNNNNNN.hint`
pub(crate) fn hint_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("{id:010}.{HINT_EXT}"))
}

/// Temporary name under which a merge writes `path` before publishing it with a rename.
pub(crate) fn merging_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(MERGING_SUFFIX);
    PathBuf::from(name)
}

/// The store's files found in a directory.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub data: BTreeSet<u32>,
    pub hints: BTreeSet<u32>,
}

/// Lists data and hint files, and deletes leftovers of an interrupted merge. Other files are ignored.
pub(crate) fn list_dir(dir: &Path) -> io::Result<Listing> {
    let mut listing = Listing::default();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(MERGING_SUFFIX) {
            fs::remove_file(entry.path())?;
            continue;
        }
        let Some((stem, ext)) = name.split_once('.') else {
            continue;
        };
        if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(id) = stem.parse::<u32>() else {
            continue;
        };
        match ext {
            DATA_EXT => listing.data.insert(id),
            HINT_EXT => listing.hints.insert(id),
            _ => continue,
        };
    }
    Ok(listing)
}

/// Creates a brand-new data file and returns (append handle, read handle).
///
/// The directory is synced so that the new file's name survives a crash.
pub(crate) fn create_data_file(dir: &Path, id: u32) -> io::Result<(File, File)> {
    let path = data_path(dir, id);
    let writer = OpenOptions::new()
        .append(true)
        .create_new(true)
        .open(&path)?;
    let reader = File::open(&path)?;
    sync_dir(dir)?;
    Ok((writer, reader))
}

/// The id after `id`, or an error once the id space is exhausted.
pub(crate) fn next_id(id: u32) -> io::Result<u32> {
    id.checked_add(1)
        .ok_or_else(|| io::Error::other("data file ids exhausted"))
}

/// Makes directory entries (new, renamed or removed files) durable.
#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Directories cannot be opened and synced portably outside Unix; NTFS journals metadata itself.
#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Fills `buf` from `file` at `offset` without touching the file's cursor, so `&File` suffices.
#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

/// Fills `buf` from `file` at `offset`. On Windows `seek_read` moves the cursor, which the store
/// never relies on for these handles.
#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// True if every byte of `file` from `offset` to `end` is zero (a common shape of a torn tail:
/// the file length reached disk, the data did not).
pub(crate) fn is_zero_from(file: &File, mut offset: u64, end: u64) -> io::Result<bool> {
    let mut chunk = [0u8; 4096];
    while offset < end {
        let n = usize::try_from(end - offset).map_or(chunk.len(), |left| left.min(chunk.len()));
        read_exact_at(file, &mut chunk[..n], offset)?;
        if chunk[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        offset += n as u64;
    }
    Ok(true)
}
