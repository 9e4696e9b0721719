//! Validation rules for a new booking: a pure function, so the browser (through WASM) and the
//! server run exactly the same code and agree on every message.

use crate::error::FieldError;
use crate::model::NewBooking;

/// The limits the rules enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Longest `roomId`, in characters.
    pub max_room_id_chars: usize,
    /// Longest trimmed title, in characters.
    pub max_title_chars: usize,
    /// Longest booking, in minutes.
    pub max_duration_minutes: i64,
    /// Most attendees.
    pub max_attendees: usize,
    /// Longest note, in characters.
    pub max_note_chars: usize,
}

/// The rules this version of the service enforces.
pub const RULES: Rules = Rules {
    max_room_id_chars: 32,
    max_title_chars: 100,
    max_duration_minutes: 480,
    max_attendees: 20,
    max_note_chars: 500,
};

/// Checks every rule and returns all violations, in field order, so a form can show them all at
/// once. Field names are the client's (camelCase); messages are part of the contract:
///
/// | field          | rule                                                        | message                                                   |
/// | -------------- | ----------------------------------------------------------- | --------------------------------------------------------- |
/// | `roomId`       | 1..=32 chars of `a-z`, `0-9`, `-`; no leading/trailing `-`  | `must be 1 to 32 characters of a-z, 0-9 and inner '-'`    |
/// | `title`        | not blank after trimming                                    | `must not be blank`                                       |
/// | `title`        | at most 100 characters after trimming                       | `must be at most 100 characters`                          |
/// | `end`          | after `start`                                               | `must be after start`                                     |
/// | `end`          | at most 480 minutes after `start`                           | `a booking lasts at most 480 minutes`                     |
/// | `attendees`    | at least one                                                | `at least one attendee is required`                       |
/// | `attendees`    | at most 20                                                  | `at most 20 attendees`                                    |
/// | `attendees[i]` | [`is_email`]                                                | `is not an e-mail address`                                |
/// | `attendees[i]` | not a case-insensitive repeat of an earlier `attendees[j]`  | `duplicates attendees[j]` (the first such `j`)            |
/// | `note`         | at most 500 characters                                      | `must be at most 500 characters`                          |
///
/// The numbers come from `rules`; "characters" are `char`s, not bytes. At most one message per
/// row group (`title`, `end`, `attendees`), and per attendee the e-mail check comes first.
pub fn validate_new_booking(booking: &NewBooking, rules: &Rules) -> Result<(), Vec<FieldError>> {
    todo!("milestone 1")
}

/// A deliberately modest e-mail check: exactly one `@`, a non-empty local part, a domain that
/// contains a dot but does not start or end with one, no whitespace, at most 254 bytes.
pub fn is_email(s: &str) -> bool {
    todo!("milestone 1")
}
