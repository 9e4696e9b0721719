//! One task per connection: read lines, run commands through the hub, write what is queued for it.
//!
//! The task waits on three things at once with `select!`: its stop token (shutdown or kick), its outbox
//! (lines queued by the hub or by itself) and the socket. All three futures are cancellation safe:
//! `CancellationToken::cancelled` and `mpsc::Receiver::recv` lose nothing when dropped, and
//! `FramedRead` keeps partially read data in its own buffer rather than in the future.
//!
//! Every line for the client goes through the outbox, so the client sees lines in the order they were
//! queued. Commands are handled one at a time: the task waits until the hub has handled one (and queued
//! its reply) before it reads the next line, so its own error lines cannot overtake a pending reply.

use std::io;

use futures::StreamExt;
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use crate::codec::{Frame, LineCodec};
use crate::hub::{ClientId, HubHandle, Line};
use crate::protocol::{ChatError, Command};

/// How many queued lines are written in one batch, with a single flush.
const WRITE_BATCH: usize = 32;

/// Why a connection's main loop ended.
enum Exit {
    /// The client closed its side, or sent `/quit` and has been answered.
    Closed,
    /// The server is shutting down: say goodbye.
    Shutdown,
    /// The client fell too far behind, or the hub is gone: just close.
    Kicked,
}

/// Everything one connection task owns.
struct Connection {
    id: ClientId,
    lines: FramedRead<OwnedReadHalf, LineCodec>,
    writer: BufWriter<OwnedWriteHalf>,
    outbox: mpsc::Receiver<Line>,
    /// Our own handle on the outbox, for the error lines this task produces itself.
    own: mpsc::Sender<Line>,
    hub: HubHandle,
    /// Cancelled by the hub to kick this client, and (as a child of `shutdown`) on shutdown.
    stop: CancellationToken,
    shutdown: CancellationToken,
}

/// Serves one client until it leaves, is kicked, or the server shuts down. Always deregisters the
/// client from the hub on the way out, whatever the reason.
pub(crate) async fn serve(
    id: ClientId,
    stream: TcpStream,
    hub: HubHandle,
    shutdown: CancellationToken,
    max_line_len: usize,
    outbox_capacity: usize,
) {
    // Chat lines are small and latency matters more than packet count.
    let _ = stream.set_nodelay(true);
    let (own, outbox) = mpsc::channel(outbox_capacity);
    let stop = shutdown.child_token();
    if hub.connect(id, own.clone(), stop.clone()).await.is_err() {
        return;
    }

    let (read, write) = stream.into_split();
    let mut conn = Connection {
        id,
        lines: FramedRead::new(read, LineCodec::new(max_line_len)),
        writer: BufWriter::new(write),
        outbox,
        own,
        hub,
        stop,
        shutdown,
    };

    let exit = conn.run().await;
    if let Ok(Exit::Shutdown) = exit {
        // Best effort, and not raced against the (already cancelled) stop token: the server's
        // shutdown deadline bounds how long a client that does not read can hold us here.
        let _ = write_lines(&mut conn.writer, &[Line::from("BYE shutdown")]).await;
    }
    // Every exit path, including I/O errors from `run`, ends here, so the nick and room are freed.
    conn.hub.disconnect(conn.id).await;
}

impl Connection {
    async fn run(&mut self) -> io::Result<Exit> {
        loop {
            // Checked on every pass, so neither a chatty room nor a chatty client can delay a stop.
            if self.stop.is_cancelled() {
                return Ok(if self.shutdown.is_cancelled() {
                    Exit::Shutdown
                } else {
                    Exit::Kicked
                });
            }
            // Unbiased on purpose: with a fixed order, a busy outbox could starve reading the client
            // (or the other way round). The random order select! uses by default is fair.
            tokio::select! {
                // Only wakes the loop; the check above decides what it means.
                _ = self.stop.cancelled() => {}
                // Never `None`: we hold a sender ourselves.
                Some(line) = self.outbox.recv() => self.write_queued(line).await?,
                frame = self.lines.next() => match frame {
                    None => return Ok(Exit::Closed),
                    Some(frame) => {
                        if let Some(exit) = self.handle(frame?).await? {
                            return Ok(exit);
                        }
                    }
                },
            }
        }
    }

    /// Handles one frame from the client. Returns `Some` when the connection should end.
    async fn handle(&mut self, frame: Frame) -> io::Result<Option<Exit>> {
        let line = match frame {
            Frame::Line(line) => line,
            Frame::TooLong => return Ok(self.refuse(ChatError::LineTooLong)),
            Frame::InvalidUtf8 => return Ok(self.refuse(ChatError::InvalidUtf8)),
        };
        let command = match Command::parse(&line) {
            Ok(Some(command)) => command,
            Ok(None) => return Ok(None),
            Err(error) => return Ok(self.refuse(error)),
        };
        if command == Command::Quit {
            // Whatever is already queued was produced before the /quit, so it goes out first.
            let mut pending = Vec::new();
            while let Ok(line) = self.outbox.try_recv() {
                pending.push(line);
            }
            pending.push(Line::from("BYE"));
            self.write_unless_stopped(&pending).await?;
            return Ok(Some(Exit::Closed));
        }
        match self.hub.command(self.id, command).await {
            Ok(()) => Ok(None),
            Err(_gone) => Ok(Some(Exit::Kicked)),
        }
    }

    /// Queues an error line for the client. A client whose outbox is full is not reading; it gets the
    /// same treatment as when the hub finds its outbox full.
    fn refuse(&mut self, error: ChatError) -> Option<Exit> {
        match self.own.try_send(Line::from(error.to_line())) {
            Ok(()) => None,
            Err(_) => Some(Exit::Kicked),
        }
    }

    /// Writes `first` and then whatever else is already queued (up to a batch), with a single flush.
    async fn write_queued(&mut self, first: Line) -> io::Result<()> {
        let mut batch = vec![first];
        while batch.len() < WRITE_BATCH {
            match self.outbox.try_recv() {
                Ok(line) => batch.push(line),
                Err(_) => break,
            }
        }
        self.write_unless_stopped(&batch).await
    }

    /// Writes `lines`, abandoning the write if the stop token is cancelled meanwhile.
    ///
    /// A client that stops reading fills the socket buffers, and the write then waits forever; without
    /// this race a kicked or shut-down connection could hang in `flush`. The abandoned write is not
    /// cancellation safe (part of a line may have been sent), which is fine because the connection is
    /// closing anyway; the main loop sees the cancelled token next.
    async fn write_unless_stopped(&mut self, lines: &[Line]) -> io::Result<()> {
        tokio::select! {
            result = write_lines(&mut self.writer, lines) => result,
            _ = self.stop.cancelled() => Ok(()),
        }
    }
}

async fn write_lines(writer: &mut BufWriter<OwnedWriteHalf>, lines: &[Line]) -> io::Result<()> {
    for line in lines {
        writer.write_all(line.as_bytes()).await?;
        writer.write_all(b"\n").await?;
    }
    writer.flush().await
}
