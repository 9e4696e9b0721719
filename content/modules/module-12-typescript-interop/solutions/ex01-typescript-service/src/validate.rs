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

/// Checks every rule and returns all violations, in field order (`roomId`, `title`, `end`,
/// `attendees`, `attendees[i]`, `note`), so a form can show them all at once.
pub fn validate_new_booking(booking: &NewBooking, rules: &Rules) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();

    let room = &booking.room_id;
    let room_ok = !room.is_empty()
        && room.chars().count() <= rules.max_room_id_chars
        && room
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !room.starts_with('-')
        && !room.ends_with('-');
    if !room_ok {
        errors.push(FieldError::new(
            "roomId",
            format!(
                "must be 1 to {} characters of a-z, 0-9 and inner '-'",
                rules.max_room_id_chars
            ),
        ));
    }

    let title = booking.title.trim();
    if title.is_empty() {
        errors.push(FieldError::new("title", "must not be blank"));
    } else if title.chars().count() > rules.max_title_chars {
        errors.push(FieldError::new(
            "title",
            format!("must be at most {} characters", rules.max_title_chars),
        ));
    }

    let duration_ms = booking
        .end
        .as_millis()
        .saturating_sub(booking.start.as_millis());
    if booking.end <= booking.start {
        errors.push(FieldError::new("end", "must be after start"));
    } else if duration_ms > rules.max_duration_minutes.saturating_mul(60_000) {
        errors.push(FieldError::new(
            "end",
            format!(
                "a booking lasts at most {} minutes",
                rules.max_duration_minutes
            ),
        ));
    }

    if booking.attendees.is_empty() {
        errors.push(FieldError::new(
            "attendees",
            "at least one attendee is required",
        ));
    } else if booking.attendees.len() > rules.max_attendees {
        errors.push(FieldError::new(
            "attendees",
            format!("at most {} attendees", rules.max_attendees),
        ));
    }
    for (i, attendee) in booking.attendees.iter().enumerate() {
        if !is_email(attendee) {
            errors.push(FieldError::new(
                format!("attendees[{i}]"),
                "is not an e-mail address",
            ));
        } else if let Some(j) = booking.attendees[..i]
            .iter()
            .position(|a| a.eq_ignore_ascii_case(attendee))
        {
            errors.push(FieldError::new(
                format!("attendees[{i}]"),
                format!("duplicates attendees[{j}]"),
            ));
        }
    }

    if booking
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > rules.max_note_chars)
    {
        errors.push(FieldError::new(
            "note",
            format!("must be at most {} characters", rules.max_note_chars),
        ));
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A deliberately modest e-mail check: one `@`, a non-empty local part, a dotted domain, no
/// whitespace, at most 254 bytes. Real verification is sending a message.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}
