//! Every way a request can fail, and the one place that turns a failure into an HTTP response.
//!
//! Handlers return `Result<Response<Body>, ApiError>`; the router calls [`ApiError::into_response`] on the
//! error path. Each variant fixes its status code and its machine-readable `code`, so clients can branch
//! on `error.code` without parsing messages.

use hyper::{Body, Response, StatusCode};
use serde::Serialize;

use crate::model::FieldError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed JSON.
    #[error("request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// 400: a query parameter is unknown or has a bad value.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// 400: a header has a value that cannot be parsed.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// 404: no such route or no such note.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method; carries the `Allow` header value.
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    /// 409: the body's `version` is not the stored version.
    #[error("note {id} has been modified: it is at version {current}")]
    VersionConflict {
        /// The note.
        id: u64,
        /// The stored version, so the client can re-read and retry.
        current: u64,
    },
    /// 412: the `If-Match` precondition failed.
    #[error("If-Match does not match the current ETag of note {id}")]
    PreconditionFailed {
        /// The note.
        id: u64,
        /// The stored version.
        current: u64,
    },
    /// 413: the body exceeds the size limit.
    #[error("request body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not declared as JSON.
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// 422: the JSON is well-formed but does not have the expected shape (missing, unknown or mistyped fields).
    #[error("request body has the wrong shape: {0}")]
    InvalidBody(String),
    /// 422: the body has the right shape but breaks validation rules.
    #[error("request body failed validation")]
    Validation(Vec<FieldError>),
    /// 500: something broke on our side; the details are logged, not sent.
    #[error("internal server error")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status this error maps to (the number in each variant's doc comment).
    pub fn status(&self) -> StatusCode {
        todo!()
    }

    /// The stable, machine-readable error code sent as `error.code`:
    ///
    /// `malformed_json`, `invalid_query`, `invalid_header`, `not_found`, `method_not_allowed`,
    /// `version_conflict`, `precondition_failed`, `payload_too_large`, `unsupported_media_type`,
    /// `invalid_body`, `validation_failed`, `internal` (in the order of the variants).
    pub fn code(&self) -> &'static str {
        todo!()
    }

    /// Builds the JSON error response:
    ///
    /// ```text
    /// {"error": {"code": "...", "message": "...",
    ///            "fields": [{"field": "title", "message": "..."}],   <- only for Validation
    ///            "current_version": 2}}                              <- only for 409 and 412
    /// ```
    ///
    /// `MethodNotAllowed` also sets the `Allow` header. `Internal` never sends its details to the client.
    pub fn into_response(self) -> Response<Body> {
        todo!()
    }
}

/// Serialises `value` into a response with the given status and `Content-Type: application/json`.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    todo!()
}
