//! The domain: a room schedule that refuses overlapping bookings. Pure and synchronous: time comes
//! in as an argument, ids come from a counter, and nothing here does I/O.

use std::collections::BTreeMap;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::id::BookingId;
use crate::model::{Booking, BookingEvent, BookingStatus, CancelBooking, NewBooking};
use crate::time::Timestamp;
use crate::validate::{validate_new_booking, RULES};

/// All bookings, an index of the confirmed ones per room, and the event log.
#[derive(Debug, Clone)]
pub struct Schedule {
    bookings: BTreeMap<BookingId, Booking>,
    /// Confirmed bookings per room, by start. They never overlap, so starts are unique and the
    /// ends are sorted too: an overlap check is one range query, O(log n).
    rooms: BTreeMap<String, BTreeMap<Timestamp, BookingId>>,
    next_id: u64,
    events: Vec<BookingEvent>,
}

impl Schedule {
    /// An empty schedule whose first booking gets id `first_id`.
    pub fn new(first_id: u64) -> Self {
        Schedule {
            bookings: BTreeMap::new(),
            rooms: BTreeMap::new(),
            next_id: first_id,
            events: Vec::new(),
        }
    }

    /// Validates and stores a booking, confirmed, with the next id and `created_at = now`.
    ///
    /// Errors: `validation` with every broken rule; `conflict` if a confirmed booking of the same
    /// room overlaps `[start, end)` (touching end-to-start is fine; the message names the
    /// earliest-starting overlap); `internal` if ids run out. A failed create consumes no id.
    pub fn create(&mut self, new: NewBooking, now: Timestamp) -> Result<Booking, ApiError> {
        validate_new_booking(&new, &RULES).map_err(ApiError::validation)?;
        if let Some(other) = self.overlapping(&new.room_id, new.start, new.end).first() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("{} overlaps booking {}", new.room_id, other.id),
            ));
        }
        let id = BookingId(self.next_id);
        self.next_id = self
            .next_id
            .checked_add(1)
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "booking ids exhausted"))?;
        let booking = Booking {
            id,
            room_id: new.room_id,
            title: new.title.trim().to_owned(),
            start: new.start,
            end: new.end,
            attendees: new.attendees,
            note: new.note,
            status: BookingStatus::Confirmed,
            created_at: now,
        };
        self.rooms
            .entry(booking.room_id.clone())
            .or_default()
            .insert(booking.start, id);
        self.bookings.insert(id, booking.clone());
        self.events.push(BookingEvent::BookingCreated {
            booking: booking.clone(),
        });
        Ok(booking)
    }

    /// Cancels a confirmed booking and frees its slot.
    ///
    /// Errors, in this order: `notFound`; `validation` on `reason` if it is blank; `conflict` if
    /// the booking is already cancelled.
    pub fn cancel(
        &mut self,
        id: BookingId,
        request: CancelBooking,
        now: Timestamp,
    ) -> Result<Booking, ApiError> {
        let booking = self
            .bookings
            .get_mut(&id)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no booking {id}")))?;
        let reason = request.reason.trim();
        if reason.is_empty() {
            return Err(ApiError::validation(vec![FieldError::new(
                "reason",
                "must not be blank",
            )]));
        }
        if matches!(booking.status, BookingStatus::Cancelled { .. }) {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("booking {id} is already cancelled"),
            ));
        }
        booking.status = BookingStatus::Cancelled {
            reason: reason.to_owned(),
            cancelled_at: now,
        };
        if let Some(room) = self.rooms.get_mut(&booking.room_id) {
            room.remove(&booking.start);
        }
        self.events.push(BookingEvent::BookingCancelled {
            booking_id: id,
            reason: reason.to_owned(),
            at: now,
        });
        Ok(booking.clone())
    }

    /// The booking with this id, confirmed or cancelled.
    pub fn get(&self, id: BookingId) -> Option<&Booking> {
        self.bookings.get(&id)
    }

    /// Confirmed bookings of a room that overlap `[from, to)`, by start time.
    pub fn room_bookings(&self, room_id: &str, from: Timestamp, to: Timestamp) -> Vec<Booking> {
        self.overlapping(room_id, from, to)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Everything that happened, oldest first.
    pub fn events(&self) -> &[BookingEvent] {
        &self.events
    }

    fn overlapping(&self, room_id: &str, from: Timestamp, to: Timestamp) -> Vec<&Booking> {
        let Some(room) = self.rooms.get(room_id) else {
            return Vec::new();
        };
        // Candidates start before `to`; walking back from the latest, stop at the first that ends
        // by `from` (every earlier one ends even earlier).
        let mut hits: Vec<&Booking> = room
            .range(..to)
            .rev()
            .filter_map(|(_, id)| self.bookings.get(id))
            .take_while(|b| b.end > from)
            .collect();
        hits.reverse();
        hits
    }
}
