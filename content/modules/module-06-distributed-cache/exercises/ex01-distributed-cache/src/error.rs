//! The error type of the networked cache.

/// What can go wrong talking to a cache node.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The connection failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer sent bytes that are not the protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The node answered with an error (for example: the owner was unreachable, or the hop limit was hit).
    #[error("node error: {0}")]
    Remote(String),
    /// No answer within the time limit.
    #[error("timed out")]
    Timeout,
}
