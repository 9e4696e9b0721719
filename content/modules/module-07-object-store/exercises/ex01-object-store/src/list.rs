use crate::meta::ObjectMeta;

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
    /// A token from a previous page's `next_continuation_token`, to resume after it. Tokens
    /// are opaque to clients; one the store did not produce fails with
    /// [`StoreError::InvalidToken`](crate::StoreError::InvalidToken).
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
