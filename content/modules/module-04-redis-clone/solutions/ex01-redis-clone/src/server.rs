//! The TCP server: one Tokio task per connection, pipelined requests, replies in order; and the background
//! task that runs active expiry.

use std::io;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::MissedTickBehavior;

use crate::db::Db;
use crate::frame::{Frame, FrameError};

/// Accepts connections on `listener` forever, serving each from its own task against `db`.
///
/// Returns only if the listener fails persistently; transient accept errors (such as running out of file
/// descriptors) are retried after a short pause instead of taking the server down.
pub async fn serve(listener: TcpListener, db: Db) -> io::Result<()> {
    let mut failures = 0u32;
    loop {
        match listener.accept().await {
            Ok((socket, _peer)) => {
                failures = 0;
                let _ = socket.set_nodelay(true);
                let db = db.clone();
                tokio::spawn(async move {
                    // A broken connection concerns only its own client; there is nobody to report it to.
                    let _ = handle_connection(socket, db).await;
                });
            }
            Err(err) => {
                failures += 1;
                if failures > 100 {
                    return Err(err);
                }
                tokio::time::sleep(Duration::from_millis(10 * u64::from(failures.min(10)))).await;
            }
        }
    }
}

/// Serves one client until it disconnects or sends bytes that are not RESP.
///
/// Every complete request in the input buffer is executed before the replies are written with a single
/// `write_all`, so a pipelined batch costs one write instead of one per command. On a protocol error the
/// client gets an `-ERR Protocol error: ...` reply and the connection is closed, as Redis does.
pub async fn handle_connection<S>(stream: S, db: Db) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut input = BytesMut::with_capacity(16 * 1024);
    let mut output = BytesMut::with_capacity(16 * 1024);
    loop {
        let mut close = false;
        loop {
            match Frame::parse(&input) {
                Ok((frame, used)) => {
                    input.advance(used);
                    db.execute_frame(frame).encode(&mut output);
                }
                Err(FrameError::Incomplete) => break,
                Err(err @ FrameError::Protocol(_)) => {
                    Frame::Error(format!("ERR {err}")).encode(&mut output);
                    close = true;
                    break;
                }
            }
        }
        if !output.is_empty() {
            writer.write_all(&output).await?;
            output.clear();
        }
        if close {
            writer.shutdown().await?;
            return Ok(());
        }
        if reader.read_buf(&mut input).await? == 0 {
            return Ok(()); // EOF; a partial request left in `input` is simply dropped
        }
    }
}

/// Runs [`Db::active_expire_cycle`] every `period`, forever; the first cycle runs at once. The server spawns
/// it next to [`serve`] with [`crate::db::ACTIVE_EXPIRE_INTERVAL`].
///
/// A cycle is synchronous and takes the keyspace lock once per sampling round, never across an `.await`. It
/// runs on the calling worker thread, which it occupies for at most [`crate::db::ACTIVE_EXPIRE_BUDGET`] of
/// the keyspace's clock. A zero `period` is treated as one millisecond.
pub async fn active_expiry(db: Db, period: Duration) {
    let mut ticker = tokio::time::interval(period.max(Duration::from_millis(1)));
    // After a stall, run one cycle and carry on at the normal pace rather than a burst of catch-up cycles.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        db.active_expire_cycle();
    }
}
