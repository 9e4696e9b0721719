//! The TCP server: one Tokio task per connection, pipelined requests, replies in order; and the background
//! task that runs active expiry.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

use crate::db::Db;

/// Accepts connections on `listener` forever, serving each from its own task against `db`.
///
/// A failing connection must never take the server down. Transient accept errors (such as running out of
/// file descriptors) should be retried after a short pause.
pub async fn serve(listener: TcpListener, db: Db) -> io::Result<()> {
    todo!("milestone 2")
}

/// Serves one client until it disconnects or sends bytes that are not RESP.
///
/// Execute every complete request in the input buffer, in order, and write the replies. On
/// [`crate::FrameError::Protocol`] reply `-ERR Protocol error: ...` and close the connection. A client that
/// disconnects half-way through a request is not an error.
///
/// Milestone 4: before writing a batch's replies, wait for [`Db::flush_aof`].
///
/// Milestone 5: `SUBSCRIBE`/`PSUBSCRIBE` switch the connection to subscribed mode (see the README for the
/// exact replies): forward its messages while still reading requests, write output as the socket accepts it
/// rather than waiting for a client that does not read, and close the connection when its subscription is
/// [`crate::pubsub::Lagged`]. `QUIT` replies `+OK` and closes.
pub async fn handle_connection<S>(stream: S, db: Db) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    todo!("milestone 2")
}

/// Runs [`Db::active_expire_cycle`] every `period`, forever, with the first cycle at once (milestone 3).
/// Spawn it next to [`serve`] in `main.rs` with [`crate::db::ACTIVE_EXPIRE_INTERVAL`].
///
/// Never hold the keyspace lock across an `.await`. A zero `period` must not panic.
pub async fn active_expiry(db: Db, period: Duration) {
    todo!("milestone 3")
}
