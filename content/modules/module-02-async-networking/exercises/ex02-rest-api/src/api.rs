//! The router and the handlers: HTTP in, store calls, HTTP out.
//!
//! Write the router as a `match` on the method and the path segments, with one function per endpoint
//! returning `Result<Response<Body>, ApiError>`, and convert errors in exactly one place ([`handle`]).

use std::sync::Arc;

use hyper::{Body, Request, Response};

use crate::store::NoteStore;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Page size when the client does not ask for one.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size a client may ask for.
pub const MAX_LIMIT: usize = 100;

/// Answers one request. Never fails: every error becomes a JSON error response
/// ([`crate::ApiError::into_response`]).
///
/// Routes (the exercise README has the full contract):
///
/// * `GET /health` → 200 `{"status": "ok"}`
/// * `GET /notes?limit=&offset=&tag=` → 200 with a page of notes
/// * `POST /notes` → 201 with `Location` and `ETag`
/// * `GET /notes/{id}` → 200 with `ETag`, or 304 when `If-None-Match` matches
/// * `PUT /notes/{id}` → 200 with `ETag`; the body's `version` must be the stored one (409 otherwise)
/// * `DELETE /notes/{id}` → 204; an optional `If-Match` must match (412 otherwise)
///
/// The store is shared (`Arc`): its calls block (the file store syncs to disk), so run them with
/// `tokio::task::spawn_blocking`, and a task there must own what it uses.
pub async fn handle(req: Request<Body>, store: Arc<dyn NoteStore>) -> Response<Body> {
    todo!()
}
