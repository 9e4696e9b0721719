use std::collections::BTreeMap;
use std::ops::Bound;

use crate::meta::ObjectMeta;
use crate::StoreError;

/// Parameters of a listing, modelled on S3's `ListObjectsV2`.
#[derive(Debug, Clone)]
pub struct ListOptions {
    /// Only keys starting with this string are listed (`""` lists everything).
    pub prefix: String,
    /// If set, keys whose remainder after `prefix` contains the delimiter are rolled up into
    /// one entry of `common_prefixes` (up to and including the first delimiter).
    pub delimiter: Option<String>,
    /// The most entries (objects plus common prefixes) to return in one page.
    pub max_keys: usize,
    /// A token from a previous page's `next_continuation_token`, to resume after it.
    pub continuation_token: Option<String>,
    /// List only keys strictly after this one (milestone 5, S3's `start-after`). Ignored when
    /// `continuation_token` is set. Unlike a token, it does not skip the rest of a rolled-up
    /// group: keys after it under a common prefix still report that prefix.
    pub start_after: Option<String>,
}

impl Default for ListOptions {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            delimiter: None,
            max_keys: 1000,
            continuation_token: None,
            start_after: None,
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    /// Objects on this page, in key order.
    pub objects: Vec<ObjectMeta>,
    /// Rolled-up "directories" on this page, in order, each ending with the delimiter.
    pub common_prefixes: Vec<String>,
    /// `Some` when the listing was truncated; pass it back to get the next page.
    pub next_continuation_token: Option<String>,
}

/// Produces one page from a sorted map of keys. `meta_of` extracts the metadata from the
/// map's value type, so the store can keep private bookkeeping next to each entry.
pub(crate) fn list_page<K, V>(
    map: &BTreeMap<K, V>,
    opts: &ListOptions,
    meta_of: impl Fn(&V) -> &ObjectMeta,
) -> Result<ListPage, StoreError>
where
    K: Ord + std::borrow::Borrow<str>,
{
    let prefix = opts.prefix.as_str();
    let delimiter = opts.delimiter.as_deref().filter(|d| !d.is_empty());
    let resume = opts
        .continuation_token
        .as_deref()
        .map(decode_token)
        .transpose()?;

    // Where did the previous page stop? If it stopped on a common prefix, every key under
    // that prefix has already been reported (rolled up) and must be skipped.
    let resume_group = match (&resume, delimiter) {
        (Some(t), Some(d)) if t.starts_with(prefix) && t[prefix.len()..].contains(d) => {
            Some(t.as_str())
        }
        _ => None,
    };
    let start_after = match &resume {
        Some(t) => Some(t.as_str()),
        None => opts.start_after.as_deref(),
    };
    let lower = match start_after {
        Some(after) if after >= prefix => Bound::Excluded(after),
        _ => Bound::Included(prefix),
    };

    let mut page = ListPage::default();
    let mut count = 0;
    let mut last: Option<String> = None;
    for (key, value) in map.range::<str, _>((lower, Bound::Unbounded)) {
        let key: &str = key.borrow();
        // Keys sharing a prefix are contiguous in sorted order, so the first miss ends it.
        if !key.starts_with(prefix) {
            break;
        }
        if resume_group.is_some_and(|g| key.starts_with(g)) {
            continue;
        }
        let rolled_up = delimiter.and_then(|d| {
            let rest = &key[prefix.len()..];
            rest.find(d).map(|at| &key[..prefix.len() + at + d.len()])
        });
        match rolled_up {
            Some(cp) if page.common_prefixes.last().map(String::as_str) == Some(cp) => continue,
            Some(cp) => {
                if count == opts.max_keys {
                    page.next_continuation_token = last.as_deref().map(encode_token);
                    break;
                }
                page.common_prefixes.push(cp.to_owned());
                last = Some(cp.to_owned());
            }
            None => {
                if count == opts.max_keys {
                    page.next_continuation_token = last.as_deref().map(encode_token);
                    break;
                }
                page.objects.push(meta_of(value).clone());
                last = Some(key.to_owned());
            }
        }
        count += 1;
    }
    Ok(page)
}

/// Lower-case hex encoding.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Tokens are the hex of the last key (or common prefix) returned: opaque to clients, and
/// stable under concurrent writes because resuming means "strictly after this string".
fn encode_token(last: &str) -> String {
    to_hex(last.as_bytes())
}

fn decode_token(token: &str) -> Result<String, StoreError> {
    let bytes = (0..token.len())
        .step_by(2)
        // An odd-length token makes the last `get` fail, which is rejected like any bad hex.
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or(StoreError::InvalidToken)?;
    String::from_utf8(bytes).map_err(|_| StoreError::InvalidToken)
}
