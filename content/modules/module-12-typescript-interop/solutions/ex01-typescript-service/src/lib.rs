//! A room-booking service whose JSON contract is shared with TypeScript clients.
//!
//! Milestone 1 is the portable core: the wire types ([`model`], [`error`]), the `u64`-as-string
//! [`BookingId`] and ISO-8601 [`Timestamp`], validation ([`validate`]) and the domain
//! ([`Schedule`]). None of it does I/O or reads a clock, so with default features off it compiles
//! unchanged to `wasm32-unknown-unknown` for milestone 3. Milestone 2 is the hyper HTTP layer in
//! `http`, behind the default `server` feature.

pub mod bridge;
pub mod error;
#[cfg(feature = "server")]
pub mod http;
pub mod id;
pub mod model;
#[cfg(all(unix, not(target_vendor = "apple")))]
pub mod napi;
pub mod schedule;
pub mod time;
pub mod ts;
pub mod validate;

pub use error::{ApiError, ErrorCode, FieldError};
pub use id::BookingId;
pub use model::{Booking, BookingEvent, BookingStatus, CancelBooking, NewBooking};
pub use schedule::Schedule;
pub use time::Timestamp;
pub use ts::{typescript_declarations, TypeScript};
pub use validate::{validate_new_booking, Rules, RULES};
