//! The domain: a room schedule that refuses overlapping bookings. Pure and synchronous: time comes
//! in as an argument, ids come from a counter, and nothing here does I/O.

use std::collections::BTreeMap;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::id::BookingId;
use crate::model::{Booking, BookingEvent, BookingStatus, CancelBooking, NewBooking};
use crate::time::Timestamp;
use crate::validate::{validate_new_booking, RULES};

/// All bookings, whatever index you need for overlap checks, and the event log.
///
/// Hint: the confirmed bookings of one room never overlap, so a `BTreeMap<Timestamp, BookingId>`
/// per room, keyed by start, answers "what overlaps [from, to)?" with one range query.
#[derive(Debug, Clone)]
pub struct Schedule {
    // TODO: your fields.
}

impl Schedule {
    /// An empty schedule whose first booking gets id `first_id`.
    pub fn new(first_id: u64) -> Self {
        todo!("milestone 1")
    }

    /// Validates and stores a booking, confirmed, with the next id, the title trimmed and
    /// `created_at = now`, and appends a `bookingCreated` event.
    ///
    /// Errors: `validation` (see [`validate_new_booking`]) with every broken rule; then `conflict`
    /// with the message `"{roomId} overlaps booking {id}"` if a confirmed booking of the same room
    /// overlaps `[start, end)` (touching end-to-start is fine; name the earliest-starting overlap);
    /// `internal` if ids run out. A failed create changes nothing and consumes no id.
    pub fn create(&mut self, new: NewBooking, now: Timestamp) -> Result<Booking, ApiError> {
        todo!("milestone 1")
    }

    /// Cancels a confirmed booking (reason trimmed, `cancelled_at = now`), frees its slot and
    /// appends a `bookingCancelled` event.
    ///
    /// Errors, in this order: `notFound` (`"no booking {id}"`); `validation` on field `reason`
    /// (`"must not be blank"`); `conflict` (`"booking {id} is already cancelled"`).
    pub fn cancel(
        &mut self,
        id: BookingId,
        request: CancelBooking,
        now: Timestamp,
    ) -> Result<Booking, ApiError> {
        todo!("milestone 1")
    }

    /// The booking with this id, confirmed or cancelled.
    pub fn get(&self, id: BookingId) -> Option<&Booking> {
        todo!("milestone 1")
    }

    /// Confirmed bookings of a room that overlap `[from, to)`, by start time.
    pub fn room_bookings(&self, room_id: &str, from: Timestamp, to: Timestamp) -> Vec<Booking> {
        todo!("milestone 1")
    }

    /// Everything that happened, oldest first.
    pub fn events(&self) -> &[BookingEvent] {
        todo!("milestone 1")
    }
}
