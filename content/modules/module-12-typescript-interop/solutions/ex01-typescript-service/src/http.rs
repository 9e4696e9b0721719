//! Milestone 2: the JSON HTTP API over the core, with hyper 0.14.
//!
//! | method and path                          | success               | errors                  |
//! | ---------------------------------------- | --------------------- | ----------------------- |
//! | `POST /api/bookings`                     | 201 `Booking`         | 400, 409, 413, 422      |
//! | `GET /api/bookings/{id}`                 | 200 `Booking`         | 400, 404                |
//! | `POST /api/bookings/{id}/cancel`         | 200 `Booking`         | 400, 404, 409, 413, 422 |
//! | `GET /api/rooms/{room}/bookings?from&to` | 200 `Booking[]`       | 400                     |
//!
//! Every response body is JSON (`application/json`); every error body is an `ApiError`. The
//! handlers are thin: parse, call [`Schedule`], render. No business rule lives here.

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
}

/// The current time from the system clock: the only clock read in the crate, at its edge.
fn system_now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// Serves HTTP/1.1 on an already-bound listener until `shutdown` completes, then finishes the
/// requests in flight and returns.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> hyper::Result<()> {
    let make_service = make_service_fn(move |_conn| {
        let state = Arc::clone(&state);
        async move {
            Ok::<_, Infallible>(service_fn(move |req| {
                handle_infallible(Arc::clone(&state), req)
            }))
        }
    });
    Server::from_tcp(listener)?
        .serve(make_service)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn handle_infallible(
    state: Arc<AppState>,
    req: Request<Body>,
) -> Result<Response<Body>, Infallible> {
    Ok(handle(state, req).await)
}

/// Turns one request into one response. Never fails: every problem becomes an `ApiError` body.
pub async fn handle(state: Arc<AppState>, req: Request<Body>) -> Response<Body> {
    match route(&state, req).await {
        Ok(response) => response,
        Err(error) => error_response(&error),
    }
}

async fn route(state: &AppState, req: Request<Body>) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = req.method().clone();
    match segments.as_slice() {
        ["api", "bookings"] => match method {
            Method::POST => {
                let new: NewBooking = read_json(req).await?;
                let now = (state.clock)();
                let booking = lock(state)?.create(new, now)?;
                let mut response = json(StatusCode::CREATED, &booking);
                if let Ok(location) =
                    HeaderValue::from_str(&format!("/api/bookings/{}", booking.id))
                {
                    response.headers_mut().insert(LOCATION, location);
                }
                Ok(response)
            }
            _ => Ok(method_not_allowed("POST")),
        },
        ["api", "bookings", id] => match method {
            Method::GET => {
                let id = parse_id(id)?;
                let booking = lock(state)?.get(id).cloned();
                booking
                    .map(|b| json(StatusCode::OK, &b))
                    .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no booking {id}")))
            }
            _ => Ok(method_not_allowed("GET")),
        },
        ["api", "bookings", id, "cancel"] => match method {
            Method::POST => {
                let id = parse_id(id)?;
                let request: CancelBooking = read_json(req).await?;
                let now = (state.clock)();
                let booking = lock(state)?.cancel(id, request, now)?;
                Ok(json(StatusCode::OK, &booking))
            }
            _ => Ok(method_not_allowed("POST")),
        },
        ["api", "rooms", room, "bookings"] => match method {
            Method::GET => {
                let query = req.uri().query().unwrap_or("");
                let from = time_param(query, "from")?;
                let to = time_param(query, "to")?;
                if to <= from {
                    return Err(ApiError::new(
                        ErrorCode::BadRequest,
                        "`to` must be after `from`",
                    ));
                }
                let room = percent_decode(room)
                    .ok_or_else(|| ApiError::new(ErrorCode::BadRequest, "invalid room in path"))?;
                let bookings = lock(state)?.room_bookings(&room, from, to);
                Ok(json(StatusCode::OK, &bookings))
            }
            _ => Ok(method_not_allowed("GET")),
        },
        _ => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no route for {path}"),
        )),
    }
}

fn lock(state: &AppState) -> Result<std::sync::MutexGuard<'_, Schedule>, ApiError> {
    state
        .schedule
        .lock()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "the schedule is unavailable"))
}

/// A 405 with an `Allow` header naming the one method the route supports.
fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut response = error_response(&ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("only {allow} is allowed here"),
    ));
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

fn parse_id(raw: &str) -> Result<BookingId, ApiError> {
    raw.parse()
        .map_err(|e: crate::id::InvalidId| ApiError::new(ErrorCode::BadRequest, e.to_string()))
}

/// Reads at most [`MAX_BODY_BYTES`] and deserializes them; a body that keeps going is refused
/// with 413 as soon as it crosses the limit, without buffering the rest.
async fn read_json<T: DeserializeOwned>(req: Request<Body>) -> Result<T, ApiError> {
    let mut body = req.into_body();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("could not read the body: {e}"),
            )
        })?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body exceeds {MAX_BODY_BYTES} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("invalid JSON body: {e}")))
}

fn time_param(query: &str, name: &str) -> Result<Timestamp, ApiError> {
    let bad = || {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("query parameter `{name}` must be an RFC 3339 timestamp"),
        )
    };
    let raw = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .ok_or_else(bad)?;
    percent_decode(raw)
        .and_then(|v| v.parse().ok())
        .ok_or_else(bad)
}

/// Decodes `%XX` escapes and `+` (as a space, as in form encoding); `None` on a malformed escape
/// or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(text, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(e) => error_response(&ApiError::new(
            ErrorCode::Internal,
            format!("could not serialize the response: {e}"),
        )),
    }
}

fn error_response(error: &ApiError) -> Response<Body> {
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // ApiError always serializes; fall back to a fixed body rather than recurse.
    let body = serde_json::to_vec(error)
        .unwrap_or_else(|_| br#"{"code":"internal","message":"error"}"#.to_vec());
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
