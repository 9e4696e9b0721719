//! The wire types. Each one is documented with the TypeScript type it must match exactly; the
//! tests pin the JSON byte for byte.

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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
#[serde(rename_all = "camelCase")]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
#[serde(tag = "state", rename_all = "camelCase")]
pub enum BookingStatus {
    /// The room is held.
    Confirmed,
    /// The booking was cancelled; the room is free again.
    #[serde(rename_all = "camelCase")]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
/// Note the per-variant `rename_all`: on an enum, the container's `rename_all` renames only the
/// variant names (the tags), never the fields inside the variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum BookingEvent {
    /// A booking was created.
    #[serde(rename_all = "camelCase")]
    BookingCreated {
        /// The booking as stored.
        booking: Booking,
    },
    /// A booking was cancelled.
    #[serde(rename_all = "camelCase")]
    BookingCancelled {
        /// Which one.
        booking_id: BookingId,
        /// Why.
        reason: String,
        /// When.
        at: Timestamp,
    },
}
