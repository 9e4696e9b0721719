//! The HTTP/1.1 side: parsing a request head, and the opening handshake (RFC 6455 section 4).

/// The GUID that RFC 6455 appends to the client's key before hashing.
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Largest request head (request line plus headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

/// Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
///
/// The key is used exactly as sent (it is not decoded first). Use `sha1::Sha1` (with the
/// `sha1::Digest` trait in scope) and `base64::encode`.
pub fn accept_key(key: &str) -> String {
    todo!()
}

/// A parsed HTTP/1.1 request line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request target without the query string, e.g. `/ws`.
    pub path: String,
    /// Header names (lower-cased) and values (trimmed), in the order received.
    pub headers: Vec<(String, String)>,
}

/// Why a request head could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    /// The request line or a header line is malformed, or the version is not HTTP/1.1.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
}

impl RequestHead {
    /// Parses the bytes of a request head, up to but excluding the blank line that ends it:
    /// `METHOD SP target SP HTTP/1.1` and then `Name: value` lines, separated by CRLF.
    pub fn parse(head: &[u8]) -> Result<Self, HeadError> {
        todo!()
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        todo!()
    }

    /// Whether any value of a comma-separated header contains `token`, case-insensitively
    /// (`Connection: keep-alive, Upgrade` contains `upgrade`).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        todo!()
    }
}

/// Why an upgrade request was refused, with the status code to answer it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// 426: the request does not ask for `Upgrade: websocket` with `Connection: upgrade`.
    #[error("this endpoint only speaks WebSocket")]
    NotAnUpgrade,
    /// 426: `Sec-WebSocket-Version` is missing or not 13; the response advertises 13.
    #[error("unsupported WebSocket version (only 13 is supported)")]
    UnsupportedVersion,
    /// 400: `Sec-WebSocket-Key` is missing or is not base64 of 16 bytes.
    #[error("missing or invalid Sec-WebSocket-Key")]
    BadKey,
}

/// Checks a `GET` request for a valid WebSocket upgrade and returns the `Sec-WebSocket-Accept` value.
/// The checks run in the order of the [`HandshakeError`] variants.
pub fn validate_upgrade(head: &RequestHead) -> Result<String, HandshakeError> {
    todo!()
}

/// The `101 Switching Protocols` response that completes the handshake: status line, `Upgrade: websocket`,
/// `Connection: Upgrade`, `Sec-WebSocket-Accept`, and the blank line.
pub fn switching_protocols(accept: &str) -> String {
    todo!()
}
