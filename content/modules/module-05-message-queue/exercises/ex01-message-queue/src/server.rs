//! Milestone 2: the broker on the network.
//!
//! Serve a [`Broker`] over TCP with the wire protocol of the README: PRODUCE, FETCH (with long polling), ACK,
//! NACK and COMMITTED, each answered with its kind and correlation id. A thread per connection with the
//! broker behind a `Mutex` and a `Condvar` for long polls is enough; a Tokio design is the going-further.
//! Put the framing and the encoding of requests and responses in a private module of your own (a
//! `protocol` module shared with the client is a good start).

use std::net::{SocketAddr, ToSocketAddrs};

use crate::broker::Broker;
use crate::error::MqError;

/// Settings of a [`Server`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The largest frame body (the bytes after the length prefix) the server accepts. A frame announcing more
    /// closes its connection before any of its body is read.
    pub max_frame_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_frame_bytes: 8 << 20,
        }
    }
}

/// A running broker server. Dropping it shuts it down like [`Server::shutdown`].
#[derive(Debug)]
pub struct Server {
    // Replace with your own fields: the listening address, the shared broker, the threads to join.
    _todo: (),
}

impl Server {
    /// Binds `addr` (use `127.0.0.1:0` for a free port) and serves `broker` on it until shut down.
    ///
    /// - A malformed request (unknown kind, a field cut short, bytes left over, a string that is not UTF-8, a
    ///   flag that is not 0 or 1) closes its connection without an answer and without being executed; other
    ///   connections are not affected.
    /// - A frame whose length is above `config.max_frame_bytes` closes its connection before its body is read.
    /// - A broker error is answered with its [`crate::ErrorCode`] and message; the connection stays open.
    /// - FETCH with nothing to deliver waits up to `max_wait_ms` for a produce (or a released lease) without
    ///   blocking other clients.
    /// - When a connection closes, every delivery made over it that was not acked or NACKed over it is NACKed
    ///   with requeue, so the group gets the message again at once.
    pub fn start(
        addr: impl ToSocketAddrs,
        broker: Broker,
        config: ServerConfig,
    ) -> Result<Server, MqError> {
        todo!("milestone 2")
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        todo!("milestone 2")
    }

    /// Stops accepting, ends waiting long polls, closes every connection (releasing its leases), waits for
    /// every thread, and closes the broker, so its directory can be opened again.
    pub fn shutdown(self) -> Result<(), MqError> {
        todo!("milestone 2")
    }
}
