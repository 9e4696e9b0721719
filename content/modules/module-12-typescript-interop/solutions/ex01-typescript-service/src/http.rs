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
//!
//! Milestone 5 adds what a browser client needs around every route: a request id on every
//! response (`x-request-id`, the client's if it is sane, else generated), CORS headers for the
//! configured origins, and `OPTIONS` preflight answers. They are applied in one place, [`handle`],
//! so no route can forget them.

use std::convert::Infallible;
use std::future::Future;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hyper::body::HttpBody;
use hyper::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ALLOW,
    CONTENT_TYPE, LOCATION, ORIGIN, VARY,
};
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
    /// Origins whose browsers may call the API (milestone 5); compared exactly.
    allowed_origins: Vec<String>,
    /// How many request ids the server has generated.
    generated_ids: AtomicU64,
}

impl AppState {
    /// State with an empty schedule whose first id is `first_id`, reading time from `clock`; no
    /// origin is allowed cross-origin.
    pub fn new(first_id: u64, clock: Clock) -> Arc<Self> {
        Self::with_allowed_origins(first_id, clock, &[])
    }

    /// Like [`AppState::new`], and browsers on `origins` (e.g. `https://app.example.com`) may
    /// call the API cross-origin (milestone 5).
    pub fn with_allowed_origins(first_id: u64, clock: Clock, origins: &[&str]) -> Arc<Self> {
        Arc::new(AppState {
            schedule: Mutex::new(Schedule::new(first_id)),
            clock,
            allowed_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            generated_ids: AtomicU64::new(0),
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
///
/// Around the routes: `OPTIONS` on a known path is a preflight answer; every response gets the
/// request id and, when the request's `Origin` is allowed, the CORS headers.
pub async fn handle(state: Arc<AppState>, req: Request<Body>) -> Response<Body> {
    let request_id = request_id(&state, req.headers().get(X_REQUEST_ID));
    let origin = req.headers().get(ORIGIN).cloned();
    let allowed = origin.as_ref().is_some_and(|o| {
        state
            .allowed_origins
            .iter()
            .any(|a| a.as_bytes() == o.as_bytes())
    });
    let mut response = if req.method() == Method::OPTIONS {
        preflight(req.uri().path(), allowed)
    } else {
        match route(&state, req).await {
            Ok(response) => response,
            Err(error) => error_response(&error),
        }
    };
    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static(X_REQUEST_ID), request_id);
    if let Some(origin) = origin {
        // The answer depends on Origin, so caches must key on it, allowed or not.
        headers.insert(VARY, HeaderValue::from_static("origin"));
        if allowed {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(
                ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("location, x-request-id"),
            );
        }
    }
    response
}

/// The client's request id if it is 1 to 64 characters of `A-Z a-z 0-9 - _ .`, else a new
/// `req-<n>` (`n` counts the ids this state has generated, from 1).
fn request_id(state: &AppState, given: Option<&HeaderValue>) -> HeaderValue {
    let sane = |v: &&HeaderValue| {
        let b = v.as_bytes();
        (1..=64).contains(&b.len())
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    match given.filter(sane) {
        Some(id) => id.clone(),
        None => {
            let n = state.generated_ids.fetch_add(1, Ordering::Relaxed) + 1;
            HeaderValue::from_str(&format!("req-{n}")).expect("req-<digits> is a valid header")
        }
    }
}

/// The method a known path supports, `None` for an unknown path.
fn route_method(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", "bookings"] | ["api", "bookings", _, "cancel"] => Some("POST"),
        ["api", "bookings", _] | ["api", "rooms", _, "bookings"] => Some("GET"),
        _ => None,
    }
}

/// `OPTIONS`: 204 with `Allow` on a known path, plus what a CORS preflight needs when the origin
/// is allowed; an unknown path is 404 as with any other method.
fn preflight(path: &str, origin_allowed: bool) -> Response<Body> {
    let Some(method) = route_method(path) else {
        return error_response(&ApiError::new(
            ErrorCode::NotFound,
            format!("no route for {path}"),
        ));
    };
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(ALLOW, HeaderValue::from_static(method));
    if origin_allowed {
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(method),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, x-request-id"),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    response
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
