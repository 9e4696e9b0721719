//! The router and the handlers: HTTP in, store calls, HTTP out.
//!
//! Routing is a `match` on the method and the path segments. That is all a router is for five endpoints;
//! axum's `Router` does the same matching with a radix tree and extractors on top.
//!
//! [`NoteStore`] is a blocking API (the file store waits for `fsync`), so every store call goes through
//! `call_store`, which runs it on Tokio's blocking thread pool instead of the worker thread that drives
//! this request and many others.

use std::sync::Arc;

use hyper::body::HttpBody;
use hyper::header::{
    HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LOCATION,
};
use hyper::{Body, HeaderMap, Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::error::Category;

use crate::error::{json_response, ApiError};
use crate::model::{CreateNote, Note, UpdateNote};
use crate::store::{ListQuery, NoteStore, StoreError};

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Page size when the client does not ask for one.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size a client may ask for.
pub const MAX_LIMIT: usize = 100;

/// Answers one request. Never fails: every error becomes a JSON error response.
///
/// The store is shared (`Arc`) because store calls run on Tokio's blocking pool, and a task there must own
/// what it uses.
pub async fn handle(req: Request<Body>, store: Arc<dyn NoteStore>) -> Response<Body> {
    match dispatch(req, store).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn dispatch(
    req: Request<Body>,
    store: Arc<dyn NoteStore>,
) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["health"] if req.method() == Method::GET => Ok(json_response(
            StatusCode::OK,
            &serde_json::json!({ "status": "ok" }),
        )),
        ["notes"] => match *req.method() {
            Method::GET => list_notes(&req, store).await,
            Method::POST => create_note(req, store).await,
            _ => Err(ApiError::MethodNotAllowed("GET, POST")),
        },
        ["notes", id] => {
            let id = parse_id(id)?;
            match *req.method() {
                Method::GET => get_note(&req, store, id).await,
                Method::PUT => update_note(req, store, id).await,
                Method::DELETE => delete_note(&req, store, id).await,
                _ => Err(ApiError::MethodNotAllowed("GET, PUT, DELETE")),
            }
        }
        _ => Err(ApiError::NotFound(format!("no route for {path}"))),
    }
}

/// Ids are positive integers; anything else cannot name a note, so it is a 404 rather than a 400.
fn parse_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::NotFound(format!("note {raw:?} does not exist")))
}

/// Runs one store call on Tokio's blocking pool and waits for it without blocking this worker thread.
///
/// The outer `Result` is about the call itself: it fails only if the store panicked. The inner one is the
/// store's answer, which each handler maps to HTTP in its own way. If the client disconnects, hyper drops
/// the handler, but dropping a `spawn_blocking` handle does not cancel the call: it runs to completion,
/// and only the answer is lost.
async fn call_store<T: Send + 'static>(
    store: Arc<dyn NoteStore>,
    call: impl FnOnce(&dyn NoteStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<Result<T, StoreError>, ApiError> {
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| ApiError::Internal(format!("store call failed: {e}")))
}

async fn get_note(
    req: &Request<Body>,
    store: Arc<dyn NoteStore>,
    id: u64,
) -> Result<Response<Body>, ApiError> {
    let note = call_store(store, move |s| s.get(id))
        .await?
        .map_err(store_error)?;
    if let Some(value) = req.headers().get(IF_NONE_MATCH) {
        let value = value
            .to_str()
            .map_err(|_| invalid_header(IF_NONE_MATCH.as_str()))?;
        if if_none_match_hits(value, note.version) {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            set_etag(&mut response, note.version);
            return Ok(response);
        }
    }
    Ok(note_response(StatusCode::OK, &note))
}

/// The body of `GET /notes`.
#[derive(Serialize)]
struct PageBody {
    items: Vec<Note>,
    total: usize,
    limit: usize,
    offset: usize,
    /// The offset of the next page, or `null` on the last page.
    next_offset: Option<usize>,
}

async fn list_notes(
    req: &Request<Body>,
    store: Arc<dyn NoteStore>,
) -> Result<Response<Body>, ApiError> {
    let query = parse_list_query(req.uri().query())?;
    let (limit, offset) = (query.limit, query.offset);
    let page = call_store(store, move |s| s.list(&query))
        .await?
        .map_err(store_error)?;
    let end = offset.saturating_add(page.items.len());
    let body = PageBody {
        next_offset: (end < page.total).then_some(end),
        items: page.items,
        total: page.total,
        limit,
        offset,
    };
    Ok(json_response(StatusCode::OK, &body))
}

async fn create_note(
    mut req: Request<Body>,
    store: Arc<dyn NoteStore>,
) -> Result<Response<Body>, ApiError> {
    let input: CreateNote = read_json(&mut req).await?;
    let draft = input.validate().map_err(ApiError::Validation)?;
    let note = call_store(store, move |s| s.create(draft))
        .await?
        .map_err(store_error)?;
    let mut response = note_response(StatusCode::CREATED, &note);
    let location = HeaderValue::from_str(&format!("/notes/{}", note.id))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

async fn update_note(
    mut req: Request<Body>,
    store: Arc<dyn NoteStore>,
    id: u64,
) -> Result<Response<Body>, ApiError> {
    let input: UpdateNote = read_json(&mut req).await?;
    let draft = input.validate().map_err(ApiError::Validation)?;
    let expected = input.version;
    let note = call_store(store, move |s| s.update(id, expected, draft))
        .await?
        .map_err(|e| match e {
            StoreError::VersionConflict { id, current, .. } => {
                ApiError::VersionConflict { id, current }
            }
            other => store_error(other),
        })?;
    Ok(note_response(StatusCode::OK, &note))
}

async fn delete_note(
    req: &Request<Body>,
    store: Arc<dyn NoteStore>,
    id: u64,
) -> Result<Response<Body>, ApiError> {
    let expected = parse_if_match(req.headers())?;
    call_store(store, move |s| s.delete(id, expected))
        .await?
        .map_err(|e| match e {
            // The same store error as in `update_note`, but here the version came from a precondition header,
            // and HTTP says a failed precondition is a 412.
            StoreError::VersionConflict { id, current, .. } => {
                ApiError::PreconditionFailed { id, current }
            }
            other => store_error(other),
        })?;
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// Maps the store errors every handler treats the same way.
fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound(id) => ApiError::NotFound(format!("note {id} does not exist")),
        StoreError::VersionConflict { id, current, .. } => {
            ApiError::VersionConflict { id, current }
        }
        other @ (StoreError::Io(_) | StoreError::Corrupt(_)) => {
            ApiError::Internal(other.to_string())
        }
    }
}

fn note_response(status: StatusCode, note: &Note) -> Response<Body> {
    let mut response = json_response(status, note);
    set_etag(&mut response, note.version);
    response
}

fn set_etag(response: &mut Response<Body>, version: u64) {
    // A quoted decimal number is always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(ETAG, value);
    }
}

fn invalid_header(name: &str) -> ApiError {
    ApiError::InvalidHeader(format!("{name} is not a valid entity tag"))
}

/// Parses a quoted version tag such as `"3"`.
fn parse_strong_etag(tag: &str) -> Option<u64> {
    tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

/// `If-Match` on DELETE: absent or `*` means "any version"; otherwise exactly one strong tag.
fn parse_if_match(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| invalid_header(IF_MATCH.as_str()))?
        .trim();
    if value == "*" {
        return Ok(None);
    }
    parse_strong_etag(value)
        .map(Some)
        .ok_or_else(|| invalid_header(IF_MATCH.as_str()))
}

/// `If-None-Match` uses weak comparison over a list: `*`, or any listed tag with our version.
fn if_none_match_hits(value: &str, version: u64) -> bool {
    value.split(',').map(str::trim).any(|tag| {
        tag == "*" || parse_strong_etag(tag.strip_prefix("W/").unwrap_or(tag)) == Some(version)
    })
}

/// Checks the content type, reads at most [`MAX_BODY_BYTES`], and deserialises the body.
async fn read_json<T: DeserializeOwned>(req: &mut Request<Body>) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }

    // Refuse early when the client announces a body that is too large...
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
    }

    // ...and still count while reading, because chunked bodies announce nothing.
    let mut bytes = Vec::new();
    while let Some(chunk) = req.body_mut().data().await {
        let chunk =
            chunk.map_err(|e| ApiError::MalformedJson(format!("could not read body: {e}")))?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
        }
        bytes.extend_from_slice(&chunk);
    }

    serde_json::from_slice(&bytes).map_err(|e| match e.classify() {
        Category::Data => ApiError::InvalidBody(e.to_string()),
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(e.to_string()),
    })
}

/// Parses `limit`, `offset` and `tag` from the query string; anything else is rejected.
fn parse_list_query(query: Option<&str>) -> Result<ListQuery, ApiError> {
    let mut list = ListQuery {
        tag: None,
        limit: DEFAULT_LIMIT,
        offset: 0,
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key)?;
        let value = percent_decode(value)?;
        match key.as_str() {
            "limit" => {
                list.limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::InvalidQuery(format!(
                            "limit must be an integer from 1 to {MAX_LIMIT}"
                        ))
                    })?;
            }
            "offset" => {
                list.offset = value.parse::<usize>().map_err(|_| {
                    ApiError::InvalidQuery("offset must be a non-negative integer".to_owned())
                })?;
            }
            "tag" if !value.is_empty() => list.tag = Some(value),
            "tag" => return Err(ApiError::InvalidQuery("tag must not be empty".to_owned())),
            other => {
                return Err(ApiError::InvalidQuery(format!(
                    "unknown parameter {other:?}"
                )))
            }
        }
    }
    Ok(list)
}

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space and `%XX` a byte.
fn percent_decode(raw: &str) -> Result<String, ApiError> {
    let bad = || ApiError::InvalidQuery(format!("bad percent-encoding in {raw:?}"));
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes
                    .next()
                    .and_then(|c| (c as char).to_digit(16))
                    .ok_or_else(bad)?;
                let lo = bytes
                    .next()
                    .and_then(|c| (c as char).to_digit(16))
                    .ok_or_else(bad)?;
                // Two hex digits are at most 0xFF, so the cast cannot truncate.
                out.push((hi * 16 + lo) as u8);
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}
