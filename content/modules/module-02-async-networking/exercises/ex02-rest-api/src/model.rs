//! The resource, the request bodies that create and replace it, and the validation rules between them.
//!
//! Three kinds of type, deliberately kept apart:
//!
//! * request DTOs ([`CreateNote`], [`UpdateNote`]) mirror what a client may send and nothing more
//!   (`deny_unknown_fields` turns a typo into an error instead of a silently ignored field);
//! * the validated domain input ([`NoteDraft`]) can only be built by validation, so the store never sees
//!   an empty title or a malformed tag;
//! * the stored resource ([`Note`]) carries the server-owned fields: id, version and timestamps.

use serde::{Deserialize, Serialize};

/// Longest title accepted, in characters, after trimming.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body accepted, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;
/// Most distinct tags a note may carry.
pub const MAX_TAGS: usize = 10;
/// Longest tag accepted, in characters.
pub const MAX_TAG_CHARS: usize = 32;

/// A stored note, as returned by every endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Server-assigned identifier, unique and never reused by a store.
    pub id: u64,
    /// Trimmed, non-empty title.
    pub title: String,
    /// Free text, possibly empty.
    pub body: String,
    /// Distinct tags in ascending order.
    pub tags: Vec<String>,
    /// Starts at 1 and grows by one on every successful update; the ETag is this number in quotes.
    pub version: u64,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: u64,
    /// Time of the last update (equal to `created_at` until the first one), milliseconds since the Unix epoch.
    pub updated_at: u64,
}

/// Body of `POST /notes`.
#[derive(Debug, Clone, Deserialize)]
// TODO: a field the client misspells must be rejected (422), not silently ignored.
pub struct CreateNote {
    /// Required.
    pub title: String,
    /// Optional, defaults to empty.
    #[serde(default)]
    pub body: String,
    /// Optional, defaults to none.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Body of `PUT /notes/{id}`: a full replacement plus the version the client last saw.
#[derive(Debug, Clone, Deserialize)]
// TODO: same as `CreateNote`: reject unknown fields.
pub struct UpdateNote {
    /// Required.
    pub title: String,
    /// Optional, defaults to empty.
    #[serde(default)]
    pub body: String,
    /// Optional, defaults to none.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Required: the update only applies if the stored note still has this version.
    pub version: u64,
}

/// Validated content of a note: the only input the store accepts.
///
/// Its fields are private so that the only way to obtain one is [`NoteDraft::new`], which validates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDraft {
    title: String,
    body: String,
    tags: Vec<String>,
}

/// One broken rule, reported to the client in a 422 response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The offending field, e.g. `title` or `tags[2]`.
    pub field: String,
    /// What is wrong with it, in plain words.
    pub message: String,
}

impl NoteDraft {
    /// Validates raw content and normalises it.
    ///
    /// Rules (each broken rule becomes one [`FieldError`]; report all of them, in this order):
    ///
    /// * `title`: trimmed, then 1 to [`MAX_TITLE_CHARS`] characters; the draft keeps the trimmed title;
    /// * `body`: at most [`MAX_BODY_CHARS`] characters;
    /// * `tags[i]`: each tag is 1 to [`MAX_TAG_CHARS`] characters from `a-z`, `0-9` and `-`;
    /// * `tags`: at most [`MAX_TAGS`] distinct tags.
    ///
    /// Limits count characters (`chars()`), not bytes. The draft's tags are de-duplicated and sorted.
    pub fn new(title: &str, body: &str, tags: &[String]) -> Result<Self, Vec<FieldError>> {
        todo!("validate and normalise")
    }

    /// The trimmed title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The body, unchanged.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Distinct tags in ascending order.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }
}

impl CreateNote {
    /// Validates the body into a [`NoteDraft`].
    pub fn validate(&self) -> Result<NoteDraft, Vec<FieldError>> {
        NoteDraft::new(&self.title, &self.body, &self.tags)
    }
}

impl UpdateNote {
    /// Validates the body into a [`NoteDraft`]; the version is checked by the store, not here.
    pub fn validate(&self) -> Result<NoteDraft, Vec<FieldError>> {
        NoteDraft::new(&self.title, &self.body, &self.tags)
    }
}
