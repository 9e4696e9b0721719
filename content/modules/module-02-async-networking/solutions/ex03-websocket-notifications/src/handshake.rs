//! The HTTP/1.1 side: parsing a request head, and the opening handshake (RFC 6455 section 4).

use sha1::{Digest, Sha1};

/// The GUID that RFC 6455 appends to the client's key before hashing.
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Largest request head (request line plus headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

/// Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
///
/// The key is used exactly as sent (it is not decoded first).
pub fn accept_key(key: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(key.as_bytes());
    hasher.update(WEBSOCKET_GUID.as_bytes());
    base64::encode(hasher.finalize())
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
    /// Parses the bytes of a request head, up to but excluding the blank line that ends it.
    pub fn parse(head: &[u8]) -> Result<Self, HeadError> {
        let text =
            std::str::from_utf8(head).map_err(|_| HeadError::Malformed("head is not UTF-8"))?;
        let mut lines = text.split("\r\n");

        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(HeadError::Malformed("bad request line"));
        };
        if version != "HTTP/1.1" {
            return Err(HeadError::Malformed("only HTTP/1.1 is supported"));
        }
        if method.is_empty() || !target.starts_with('/') {
            return Err(HeadError::Malformed("bad request line"));
        }
        let path = target.split('?').next().unwrap_or(target);

        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or(HeadError::Malformed("bad header line"))?;
            if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
                return Err(HeadError::Malformed("bad header name"));
            }
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        Ok(Self {
            method: method.to_owned(),
            path: path.to_owned(),
            headers,
        })
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether any value of a comma-separated header contains `token`, case-insensitively
    /// (`Connection: keep-alive, Upgrade` contains `upgrade`).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
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
pub fn validate_upgrade(head: &RequestHead) -> Result<String, HandshakeError> {
    if !head.has_token("upgrade", "websocket") || !head.has_token("connection", "upgrade") {
        return Err(HandshakeError::NotAnUpgrade);
    }
    if head.header("sec-websocket-version") != Some("13") {
        return Err(HandshakeError::UnsupportedVersion);
    }
    let key = head
        .header("sec-websocket-key")
        .ok_or(HandshakeError::BadKey)?;
    match base64::decode(key) {
        Ok(nonce) if nonce.len() == 16 => Ok(accept_key(key)),
        _ => Err(HandshakeError::BadKey),
    }
}

/// The `101 Switching Protocols` response that completes the handshake.
pub fn switching_protocols(accept: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    )
}
