//! One WebSocket session, from the first frame to the close.
//!
//! A single task owns the socket and is its only writer. It waits on four things at once with
//! `tokio::select!`: the next client frame, the next outbound event, the heartbeat timer and the shutdown
//! signal. Every topic subscription is a small forwarding task that moves events from the topic's
//! broadcast channel into this task's bounded queue, and reports lag instead of events it lost.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_util::codec::{Framed, FramedParts};

use crate::frame::{close_code, Frame, OpCode, ProtocolError, WsCodec};
use crate::hub::{is_valid_topic, Event};
use crate::server::{linger, Shared, SlowConsumerPolicy};

/// What the forwarding tasks hand to the connection task.
#[derive(Debug)]
enum Outbound {
    Event(Event),
    Lagged { topic: String, missed: u64 },
}

/// Messages a client may send, as JSON text: `{"subscribe": "orders"}` or `{"unsubscribe": "orders"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum ClientMessage {
    Subscribe(String),
    Unsubscribe(String),
}

/// How a session ends.
enum Exit {
    /// Send this close frame, then hang up.
    Close(Frame),
    /// The peer is gone or the socket failed; there is nobody to say goodbye to.
    Gone,
}

impl Exit {
    fn close(code: u16, reason: &str) -> Self {
        Self::Close(Frame::close(code, reason))
    }
}

/// The forwarding tasks of one connection, by topic. Dropping it aborts them all, on every exit path.
#[derive(Default)]
struct Subscriptions(HashMap<String, JoinHandle<()>>);

impl Drop for Subscriptions {
    fn drop(&mut self) {
        for task in self.0.values() {
            task.abort();
        }
    }
}

type Ws = Framed<TcpStream, WsCodec>;

/// Runs a session on a socket that has just completed the handshake. `leftover` holds any bytes read
/// past the request head, which are the start of the first frame.
pub(crate) async fn run(
    stream: TcpStream,
    leftover: BytesMut,
    shared: Arc<Shared>,
    stopped: watch::Receiver<()>,
) {
    let mut parts =
        FramedParts::new::<Frame>(stream, WsCodec::new(shared.config.max_message_bytes));
    parts.read_buf = leftover;
    let mut ws = Framed::from_parts(parts);

    let (queue, outbound) = mpsc::channel(shared.config.client_queue.max(1));
    let mut session = Session {
        shared: Arc::clone(&shared),
        queue,
        subscriptions: Subscriptions::default(),
        partial: None,
    };
    let exit = session.run(&mut ws, outbound, stopped).await;
    drop(session); // unsubscribe before lingering, so the hub forgets us promptly

    if let Exit::Close(frame) = exit {
        if ws.send(frame).await.is_ok() {
            linger(ws.into_inner(), shared.config.close_timeout).await;
        }
    }
}

struct Session {
    shared: Arc<Shared>,
    /// Cloned into every forwarding task.
    queue: mpsc::Sender<Outbound>,
    subscriptions: Subscriptions,
    /// The fragments of a text message received so far.
    partial: Option<BytesMut>,
}

impl Session {
    async fn run(
        &mut self,
        ws: &mut Ws,
        mut outbound: mpsc::Receiver<Outbound>,
        mut stopped: watch::Receiver<()>,
    ) -> Exit {
        let config = &self.shared.config;
        let period = config.heartbeat_interval;
        let idle_timeout = config.idle_timeout;
        let mut heartbeat = interval_at(Instant::now() + period, period);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();

        loop {
            // Every branch is cancellation safe: `Framed::next` keeps partial frames in its buffer,
            // `mpsc::Receiver::recv`, `Interval::tick` and `watch::Receiver::changed` lose nothing when
            // another branch wins.
            let step = tokio::select! {
                frame = ws.next() => match frame {
                    Some(Ok(frame)) => {
                        last_heard = Instant::now();
                        self.on_frame(ws, frame).await
                    }
                    Some(Err(ProtocolError::Io(_))) | None => Err(Exit::Gone),
                    Some(Err(e)) => Err(Exit::close(e.close_code(), &e.to_string())),
                },
                Some(out) = outbound.recv() => self.on_outbound(ws, out).await,
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() >= idle_timeout {
                        Err(Exit::close(close_code::GOING_AWAY, "idle timeout"))
                    } else {
                        send(ws, Frame::ping(Bytes::from_static(b"heartbeat"))).await
                    }
                }
                _ = stopped.changed() => Err(Exit::close(close_code::GOING_AWAY, "server shutting down")),
            };
            if let Err(exit) = step {
                return exit;
            }
        }
    }

    async fn on_frame(&mut self, ws: &mut Ws, frame: Frame) -> Result<(), Exit> {
        match frame.opcode {
            OpCode::Ping => send(ws, Frame::pong(frame.payload)).await,
            OpCode::Pong => Ok(()),
            OpCode::Close => Err(answer_close(&frame)),
            OpCode::Binary => Err(Exit::close(
                close_code::UNSUPPORTED_DATA,
                "binary messages are not supported",
            )),
            OpCode::Text if self.partial.is_some() => Err(Exit::close(
                close_code::PROTOCOL_ERROR,
                "new message before the last one ended",
            )),
            OpCode::Text if frame.fin => self.on_text(ws, &frame.payload).await,
            OpCode::Text => {
                self.partial = Some(BytesMut::from(&frame.payload[..]));
                Ok(())
            }
            OpCode::Continuation => {
                let Some(partial) = self.partial.as_mut() else {
                    return Err(Exit::close(
                        close_code::PROTOCOL_ERROR,
                        "continuation without a message",
                    ));
                };
                if partial.len() + frame.payload.len() > self.shared.config.max_message_bytes {
                    return Err(Exit::close(close_code::MESSAGE_TOO_BIG, "message too big"));
                }
                partial.extend_from_slice(&frame.payload);
                if frame.fin {
                    let message = self.partial.take().unwrap_or_default();
                    self.on_text(ws, &message).await
                } else {
                    Ok(())
                }
            }
        }
    }

    async fn on_text(&mut self, ws: &mut Ws, bytes: &[u8]) -> Result<(), Exit> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err(Exit::close(
                close_code::INVALID_PAYLOAD,
                "text is not valid UTF-8",
            ));
        };
        let reply = match serde_json::from_str::<ClientMessage>(text) {
            Err(_) => {
                json!({ "error": r#"expected {"subscribe": topic} or {"unsubscribe": topic}"# })
            }
            Ok(ClientMessage::Subscribe(topic) | ClientMessage::Unsubscribe(topic))
                if !is_valid_topic(&topic) =>
            {
                json!({ "error": format!("invalid topic name {topic:?}") })
            }
            Ok(ClientMessage::Subscribe(topic)) => {
                if !self.subscriptions.0.contains_key(&topic) {
                    // Subscribe before acknowledging: anything published after the client reads the
                    // acknowledgement is guaranteed to reach it.
                    let receiver = self.shared.hub.subscribe(&topic);
                    let task = tokio::spawn(forward(topic.clone(), receiver, self.queue.clone()));
                    self.subscriptions.0.insert(topic.clone(), task);
                }
                json!({ "subscribed": topic })
            }
            Ok(ClientMessage::Unsubscribe(topic)) => {
                if let Some(task) = self.subscriptions.0.remove(&topic) {
                    task.abort();
                }
                json!({ "unsubscribed": topic })
            }
        };
        send(ws, Frame::text(reply.to_string())).await
    }

    async fn on_outbound(&mut self, ws: &mut Ws, out: Outbound) -> Result<(), Exit> {
        match out {
            Outbound::Event(event) => {
                // `Event` is `Bytes`: this clone-free move shares the buffer every subscriber got.
                send(
                    ws,
                    Frame {
                        fin: true,
                        opcode: OpCode::Text,
                        payload: event,
                    },
                )
                .await
            }
            Outbound::Lagged { topic, missed } => match self.shared.config.slow_consumer {
                SlowConsumerPolicy::Notify => {
                    send(
                        ws,
                        Frame::text(json!({ "lagged": topic, "missed": missed }).to_string()),
                    )
                    .await
                }
                SlowConsumerPolicy::Disconnect => {
                    Err(Exit::close(close_code::POLICY_VIOLATION, "slow consumer"))
                }
            },
        }
    }
}

/// Writes one frame; a failed write means the peer is gone.
async fn send(ws: &mut Ws, frame: Frame) -> Result<(), Exit> {
    ws.send(frame).await.map_err(|_| Exit::Gone)
}

/// The reply to a client's close frame: its own status code echoed, or an error if the frame is invalid.
fn answer_close(frame: &Frame) -> Exit {
    if frame.payload.is_empty() {
        return Exit::close(close_code::NORMAL, "");
    }
    let Some(code) = frame.close_code() else {
        return Exit::close(close_code::PROTOCOL_ERROR, "close payload of one byte");
    };
    // Codes a peer may send: the defined ones in 1000..=1014 except the three reserved for local use,
    // and the registered and private ranges 3000..=4999.
    let sendable = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
    if !sendable {
        return Exit::close(close_code::PROTOCOL_ERROR, "invalid close code");
    }
    if std::str::from_utf8(&frame.payload[2..]).is_err() {
        return Exit::close(close_code::INVALID_PAYLOAD, "close reason is not UTF-8");
    }
    Exit::close(code, "")
}

/// Moves one topic's events into a connection's queue until the connection or the topic goes away.
///
/// When the queue is full this task waits, the broadcast channel keeps filling, and eventually this
/// receiver lags: that is how a slow socket turns into a `Lagged` notice without the publisher waiting.
async fn forward(
    topic: String,
    mut events: broadcast::Receiver<Event>,
    queue: mpsc::Sender<Outbound>,
) {
    loop {
        let out = match events.recv().await {
            Ok(event) => Outbound::Event(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => Outbound::Lagged {
                topic: topic.clone(),
                missed,
            },
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if queue.send(out).await.is_err() {
            return;
        }
    }
}
