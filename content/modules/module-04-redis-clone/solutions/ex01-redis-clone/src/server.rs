//! The TCP server: one Tokio task per connection, pipelined requests, replies in order.

use std::io;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

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
