//! Errors as part of the contract: one JSON shape for every failure, with a stable `code`.
//!
//! ```ts
//! type ErrorCode = "badRequest" | "validation" | "notFound" | "conflict"
//!                | "methodNotAllowed" | "payloadTooLarge" | "internal";
//! interface FieldError { field: string; message: string }
//! interface ApiError { code: ErrorCode; message: string; fields?: FieldError[] }
//! ```

use serde::{Deserialize, Serialize};

/// The machine-readable kind of an [`ApiError`]; clients switch on it, never on `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// Malformed JSON, unknown fields, wrong types, bad path or query parameters.
    BadRequest,
    /// Well-formed but breaks a rule; `fields` says which.
    Validation,
    /// No such booking or route.
    NotFound,
    /// The request conflicts with the current state (overlap, already cancelled).
    Conflict,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// The body is larger than the service accepts.
    PayloadTooLarge,
    /// A bug or an outage on the server side.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Validation => 422,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Internal => 500,
        }
    }
}

/// One broken rule, attached to the input field a form should highlight (`"attendees[2]"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The JSON path of the field, in the client's (camelCase) names.
    pub field: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code:?}: {message}")]
pub struct ApiError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A human-readable summary.
    pub message: String,
    /// Per-field problems; omitted from the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    /// An error without field details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A `validation` error listing the broken rules.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        ApiError {
            code: ErrorCode::Validation,
            message: "the request breaks validation rules".into(),
            fields,
        }
    }

    /// The HTTP status for this error.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}
