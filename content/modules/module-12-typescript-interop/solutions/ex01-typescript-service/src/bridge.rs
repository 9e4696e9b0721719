//! Milestone 3: the core behind a string-in, string-out API, the shape every language boundary
//! wants. JSON strings cross the boundary; Rust types never do. The N-API addon ([`crate::napi`])
//! and a wasm-bindgen wrapper call exactly these functions, so Node, the browser and the server
//! agree on every message.

use crate::error::{ApiError, ErrorCode};
use crate::model::NewBooking;
use crate::time::Timestamp;
use crate::validate::{validate_new_booking, RULES};

/// `validateNewBooking(json: string): string`.
///
/// Parses `json` as a `NewBooking` and returns the JSON of its `FieldError[]` under [`RULES`]:
/// `[]` when the booking is valid. Input that is not a `NewBooking` at all (syntax, types,
/// unknown fields) is a `badRequest` [`ApiError`] whose message starts `invalid JSON body: `,
/// exactly as the HTTP API answers it.
pub fn validate_new_booking_json(json: &str) -> Result<String, ApiError> {
    let booking: NewBooking = serde_json::from_str(json)
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("invalid JSON body: {e}")))?;
    let errors = validate_new_booking(&booking, &RULES)
        .err()
        .unwrap_or_default();
    serde_json::to_string(&errors).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
}

/// `normalizeTimestamp(s: string): string`.
///
/// Any RFC 3339 timestamp the API accepts, in the canonical UTC form it writes
/// (`2024-05-01T09:00:00.000Z`). Anything else is a `badRequest` [`ApiError`] whose message is
/// the parse error's `Display`.
pub fn normalize_timestamp(s: &str) -> Result<String, ApiError> {
    s.parse::<Timestamp>()
        .map(|t| t.to_string())
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))
}
