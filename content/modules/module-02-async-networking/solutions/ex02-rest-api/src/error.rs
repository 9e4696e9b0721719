//! Every way a request can fail, and the one place that turns a failure into an HTTP response.
//!
//! Handlers return `Result<Response<Body>, ApiError>`; the router calls [`ApiError::into_response`] on the
//! error path. Each variant fixes its status code and its machine-readable `code`, so clients can branch
//! on `error.code` without parsing messages.

use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
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

/// The JSON envelope every error response uses: `{"error": {...}}`.
#[derive(Serialize)]
struct Envelope<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [FieldError]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<u64>,
}

impl ApiError {
    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::InvalidQuery(_) | Self::InvalidHeader(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::VersionConflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidBody(_) | Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable error code sent as `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::InvalidQuery(_) => "invalid_query",
            Self::InvalidHeader(_) => "invalid_header",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::VersionConflict { .. } => "version_conflict",
            Self::PreconditionFailed { .. } => "precondition_failed",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidBody(_) => "invalid_body",
            Self::Validation(_) => "validation_failed",
            Self::Internal(_) => "internal",
        }
    }

    /// Builds the JSON error response.
    pub fn into_response(self) -> Response<Body> {
        if let Self::Internal(details) = &self {
            // A real service would use `tracing` here; the client only ever sees the generic message.
            eprintln!("internal error: {details}");
        }
        let detail = Detail {
            code: self.code(),
            message: self.to_string(),
            fields: match &self {
                Self::Validation(fields) => Some(fields),
                _ => None,
            },
            current_version: match self {
                Self::VersionConflict { current, .. }
                | Self::PreconditionFailed { current, .. } => Some(current),
                _ => None,
            },
        };
        let mut response = json_response(self.status(), &Envelope { error: detail });
        if let Self::MethodNotAllowed(allow) = self {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

/// Serialises `value` into a JSON response with the given status.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(_) => {
            // Our response types always serialise; this is a last line of defence that cannot recurse.
            let mut response = Response::new(Body::from(
                r#"{"error":{"code":"internal","message":"internal server error"}}"#,
            ));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
    }
}
