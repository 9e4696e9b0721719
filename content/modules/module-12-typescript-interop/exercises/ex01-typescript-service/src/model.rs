//! The wire types. Each one is documented with the TypeScript type it must match exactly; the
//! tests pin the JSON byte for byte.
//!
//! TODO (milestone 1): the derives are in place but every `#[serde(...)]` attribute is missing.
//! Add container, variant and field attributes until the JSON matches the TypeScript types:
//! camelCase fields, `state` and `type` tags with camelCase values, `note` omitted when absent,
//! unknown fields rejected on the two request types.

use serde::{Deserialize, Serialize};

use crate::id::BookingId;
use crate::time::Timestamp;

/// The body of `POST /api/bookings`.
///
/// ```ts
/// interface NewBooking {
///   roomId: string; title: string; start: Timestamp; end: Timestamp;
///   attendees: string[]; note?: string;
/// }
/// ```
///
/// Unknown fields are rejected, so a client typo (`"tittle"`) is a 400 instead of silently
/// ignored data; a missing `note` and `"note": null` both mean "no note".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBooking {
    /// The room, e.g. `"blue-room"`.
    pub room_id: String,
    /// What the meeting is about.
    pub title: String,
    /// When it starts (inclusive).
    pub start: Timestamp,
    /// When it ends (exclusive).
    pub end: Timestamp,
    /// E-mail addresses of the attendees.
    pub attendees: Vec<String>,
    /// An optional free-text note.
    pub note: Option<String>,
}

/// A stored booking, as every endpoint returns it.
///
/// ```ts
/// interface Booking {
///   id: BookingId; roomId: string; title: string; start: Timestamp; end: Timestamp;
///   attendees: string[]; note?: string; status: BookingStatus; createdAt: Timestamp;
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Assigned by the server.
    pub id: BookingId,
    /// The room.
    pub room_id: String,
    /// The title, trimmed.
    pub title: String,
    /// Start (inclusive).
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// Attendees, in the order given.
    pub attendees: Vec<String>,
    /// Omitted from the JSON when absent.
    pub note: Option<String>,
    /// Confirmed or cancelled.
    pub status: BookingStatus,
    /// When the server accepted it.
    pub created_at: Timestamp,
}

/// A discriminated union on `state`.
///
/// ```ts
/// type BookingStatus =
///   | { state: "confirmed" }
///   | { state: "cancelled"; reason: string; cancelledAt: Timestamp };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingStatus {
    /// The room is held.
    Confirmed,
    /// The booking was cancelled; the room is free again.
    Cancelled {
        /// Why, as given by the client.
        reason: String,
        /// When the server processed the cancellation.
        cancelled_at: Timestamp,
    },
}

/// The body of `POST /api/bookings/{id}/cancel`.
///
/// ```ts
/// interface CancelBooking { reason: string }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelBooking {
    /// Why the booking is cancelled; must not be blank.
    pub reason: String,
}

/// What happened to the schedule, in order: a discriminated union on `type`.
///
/// ```ts
/// type BookingEvent =
///   | { type: "bookingCreated"; booking: Booking }
///   | { type: "bookingCancelled"; bookingId: BookingId; reason: string; at: Timestamp };
/// ```
///
/// Careful: on an enum, a container-level `rename_all` renames only the variant names (the tags),
/// never the fields inside the variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingEvent {
    /// A booking was created.
    BookingCreated {
        /// The booking as stored.
        booking: Booking,
    },
    /// A booking was cancelled.
    BookingCancelled {
        /// Which one.
        booking_id: BookingId,
        /// Why.
        reason: String,
        /// When.
        at: Timestamp,
    },
}
