//! Milestone 2: the JSON HTTP API over the core, with hyper 0.14.
//!
//! | method and path                          | success               | errors                  |
//! | ---------------------------------------- | --------------------- | ----------------------- |
//! | `POST /api/bookings`                     | 201 `Booking`         | 400, 409, 413, 422      |
//! | `GET /api/bookings/{id}`                 | 200 `Booking`         | 400, 404                |
//! | `POST /api/bookings/{id}/cancel`         | 200 `Booking`         | 400, 404, 409, 413, 422 |
//! | `GET /api/rooms/{room}/bookings?from&to` | 200 `Booking[]`       | 400                     |
//!
//! Every response body is JSON (`content-type: application/json`); every error body is an
//! `ApiError` whose status is `code.http_status()`. The handlers are thin: parse, call
//! [`Schedule`], render. No business rule lives here.
//!
//! Details the tests check: `201` responses carry `Location: /api/bookings/{id}`; a path id that
//! is not a canonical `BookingId` is 400; a body that is not valid JSON for the request type
//! (syntax, wrong types, unknown fields) is 400 with a message starting `invalid JSON body: `;
//! a body over [`MAX_BODY_BYTES`] is 413 (stop reading as soon as it crosses the limit); `from`
//! and `to` are required, percent-encoded RFC 3339 query parameters with `to > from`, else 400;
//! a known path with the wrong method is 405 with an `Allow` header; anything else is 404.
//! Read the clock once per create or cancel request, before calling the schedule.
//!
//! Milestone 5 wraps every route in [`handle`]: the `x-request-id` header on every response, CORS
//! headers for the origins given to [`AppState::with_allowed_origins`], and `OPTIONS` preflight
//! answers. The exercise README specifies each header.

use std::convert::Infallible;
use std::future::Future;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use hyper::body::HttpBody;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE, LOCATION};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ApiError, ErrorCode};
use crate::id::BookingId;
use crate::model::{CancelBooking, NewBooking};
use crate::schedule::Schedule;
use crate::time::Timestamp;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Where the service gets "now" from: the system clock in production, a fixed or stepping clock
/// in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The request id header (milestone 5).
pub const X_REQUEST_ID: &str = "x-request-id";

/// Shared state of the service.
pub struct AppState {
    schedule: Mutex<Schedule>,
    clock: Clock,
}

impl AppState {
    /// State with an empty schedule whose first id is `first_id`, reading time from `clock`.
    pub fn new(first_id: u64, clock: Clock) -> Arc<Self> {
        Arc::new(AppState {
            schedule: Mutex::new(Schedule::new(first_id)),
            clock,
        })
    }

    /// State using the system clock.
    pub fn with_system_clock(first_id: u64) -> Arc<Self> {
        Self::new(first_id, Arc::new(system_now))
    }

    /// Like [`AppState::new`], and browsers on `origins` (e.g. `https://app.example.com`,
    /// compared exactly) may call the API cross-origin (milestone 5). [`AppState::new`] allows
    /// no origin. Add the fields you need (the origins, a counter for generated request ids).
    pub fn with_allowed_origins(first_id: u64, clock: Clock, origins: &[&str]) -> Arc<Self> {
        todo!("milestone 5")
    }
}

/// The current time from the system clock: the only clock read in the crate, at its edge.
fn system_now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// Serves HTTP/1.1 on an already-bound listener until `shutdown` completes, then finishes the
/// requests in flight and returns. (hyper 0.14: `Server::from_tcp`, `make_service_fn`,
/// `service_fn`, `with_graceful_shutdown`.)
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> hyper::Result<()> {
    todo!("milestone 2")
}

/// Turns one request into one response. Never fails: every problem becomes an `ApiError` body.
pub async fn handle(state: Arc<AppState>, req: Request<Body>) -> Response<Body> {
    todo!("milestone 2")
}
