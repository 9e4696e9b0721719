//! The TCP server: one Tokio task per connection, pipelined requests, replies in order, pub/sub sessions;
//! and the background task that runs active expiry.

use std::io;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::MissedTickBehavior;

use crate::command::Command;
use crate::db::Db;
use crate::frame::{Frame, FrameError};
use crate::pubsub::{Lagged, Subscription};

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

/// While this much output is waiting for a slow client, stop reading its requests and stop taking messages
/// from its pub/sub mailbox: back-pressure instead of an unbounded buffer.
const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// The error a subscribed connection gets for any other command: Redis 7's text, byte for byte.
fn not_allowed_while_subscribed(name: &str) -> Frame {
    Frame::Error(format!(
        "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    ))
}

/// Serves one client until it disconnects or sends bytes that are not RESP.
///
/// Every complete request in the input buffer is executed, in order, and the batch's replies are written
/// together, so a pipelined batch costs one write instead of one per command. With an append-only file the
/// replies wait until the batch's writes are in it ([`Db::flush_aof`]). On a protocol error the client gets
/// an `-ERR Protocol error: ...` reply and the connection is closed, as Redis does; `QUIT` replies `+OK`
/// and closes too.
///
/// After `SUBSCRIBE` or `PSUBSCRIBE` the connection also forwards pub/sub messages, and accepts only the
/// subscription commands, `PING` and `QUIT` until it has unsubscribed from everything. Output is written as
/// the socket accepts it; if the client stops reading, its mailbox fills up and the hub disconnects it.
pub async fn handle_connection<S>(stream: S, db: Db) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut input = BytesMut::with_capacity(16 * 1024);
    let mut output = BytesMut::with_capacity(16 * 1024);
    let mut session = Session {
        db: &db,
        subscription: None,
    };
    loop {
        let mut replies = BytesMut::new();
        let close = session.run_batch(&mut input, &mut replies);
        if !replies.is_empty() {
            // No reply may reveal a write that the append-only file does not hold yet.
            db.flush_aof().await?;
            output.unsplit(replies);
        }
        if close {
            writer.write_all(&output).await?;
            writer.shutdown().await?;
            return Ok(());
        }
        let subscription = session.subscribed();
        let room = output.len() < OUTPUT_HIGH_WATER;
        tokio::select! {
            biased;
            () = lagged(subscription), if subscription.is_some() => {
                return Ok(()); // too slow: the hub dropped its mailbox, so drop the connection
            }
            written = writer.write_buf(&mut output), if !output.is_empty() => {
                written?;
            }
            message = next_message(subscription), if subscription.is_some() && room => match message {
                Ok(message) => output.extend_from_slice(&message),
                Err(Lagged) => return Ok(()),
            },
            read = reader.read_buf(&mut input), if room => {
                if read? == 0 {
                    // EOF; a partial request left in `input` is simply dropped.
                    writer.write_all(&output).await?;
                    return Ok(());
                }
            }
        }
    }
}

async fn lagged(subscription: Option<&Subscription>) {
    match subscription {
        Some(subscription) => subscription.lagged().await,
        None => std::future::pending().await,
    }
}

async fn next_message(subscription: Option<&Subscription>) -> Result<Bytes, Lagged> {
    match subscription {
        Some(subscription) => subscription.recv().await,
        None => std::future::pending().await,
    }
}

/// One connection's state between batches.
struct Session<'a> {
    db: &'a Db,
    /// Created by the first `SUBSCRIBE`/`PSUBSCRIBE`; subscribed mode is `count() > 0`.
    subscription: Option<Subscription>,
}

impl Session<'_> {
    fn subscribed(&self) -> Option<&Subscription> {
        self.subscription.as_ref().filter(|s| s.count() > 0)
    }

    /// Executes every complete request in `input`, appending the replies to `out`. Returns whether to close
    /// the connection once they are written.
    fn run_batch(&mut self, input: &mut BytesMut, out: &mut BytesMut) -> bool {
        loop {
            match Frame::parse(input) {
                Ok((frame, used)) => {
                    input.advance(used);
                    if self.run(frame, out) {
                        return true;
                    }
                }
                Err(FrameError::Incomplete) => return false,
                Err(err @ FrameError::Protocol(_)) => {
                    Frame::Error(format!("ERR {err}")).encode(out);
                    return true;
                }
            }
        }
    }

    /// Runs one request; returns whether to close the connection.
    fn run(&mut self, frame: Frame, out: &mut BytesMut) -> bool {
        let subscribed = self.subscribed().is_some();
        // The name for the subscribed-mode refusal, taken before parsing consumes the frame.
        let name = match &frame {
            Frame::Array(items) if subscribed => match items.first() {
                Some(Frame::Bulk(name)) => String::from_utf8_lossy(name).to_ascii_lowercase(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        let command = match Command::from_frame(frame) {
            Ok(command) => command,
            Err(err) => {
                err.to_frame().encode(out);
                return false;
            }
        };
        if subscribed {
            // Messages published before this command ran go out before its reply, as in Redis.
            self.drain_messages(out);
        }
        match command {
            Command::Subscribe(channels) => {
                let subscription = self.subscription();
                for channel in channels {
                    let count = subscription.subscribe(channel.clone());
                    confirmation("subscribe", Some(channel), count).encode(out);
                }
            }
            Command::PSubscribe(patterns) => {
                let subscription = self.subscription();
                for pattern in patterns {
                    let count = subscription.psubscribe(pattern.clone());
                    confirmation("psubscribe", Some(pattern), count).encode(out);
                }
            }
            Command::Unsubscribe(channels) => {
                let subscription = self.subscription();
                let channels = if channels.is_empty() {
                    subscription.channels()
                } else {
                    channels
                };
                if channels.is_empty() {
                    confirmation("unsubscribe", None, subscription.count()).encode(out);
                }
                for channel in channels {
                    let count = subscription.unsubscribe(&channel);
                    confirmation("unsubscribe", Some(channel), count).encode(out);
                }
            }
            Command::PUnsubscribe(patterns) => {
                let subscription = self.subscription();
                let patterns = if patterns.is_empty() {
                    subscription.patterns()
                } else {
                    patterns
                };
                if patterns.is_empty() {
                    confirmation("punsubscribe", None, subscription.count()).encode(out);
                }
                for pattern in patterns {
                    let count = subscription.punsubscribe(&pattern);
                    confirmation("punsubscribe", Some(pattern), count).encode(out);
                }
            }
            Command::Quit => {
                Frame::ok().encode(out);
                return true;
            }
            Command::Ping(message) if subscribed => Frame::Array(vec![
                Frame::bulk("pong"),
                Frame::Bulk(message.unwrap_or_default()),
            ])
            .encode(out),
            _ if subscribed => not_allowed_while_subscribed(&name).encode(out),
            command => self.db.execute(command).encode(out),
        }
        false
    }

    fn subscription(&mut self) -> &mut Subscription {
        let db = self.db;
        self.subscription
            .get_or_insert_with(|| db.pubsub().subscription())
    }

    /// Moves every message already waiting in the mailbox to `out`. A lagged mailbox is empty; the
    /// connection loop notices and closes.
    fn drain_messages(&self, out: &mut BytesMut) {
        if let Some(subscription) = &self.subscription {
            while let Ok(Some(message)) = subscription.try_recv() {
                out.extend_from_slice(&message);
            }
        }
    }
}

/// `[kind, name or null, count]`, the reply to each (un)subscription.
fn confirmation(kind: &str, name: Option<Bytes>, count: usize) -> Frame {
    Frame::Array(vec![
        Frame::bulk(kind.to_string()),
        name.map_or(Frame::Null, Frame::Bulk),
        Frame::Integer(i64::try_from(count).unwrap_or(i64::MAX)),
    ])
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
