//! The accept loop, the plain-HTTP endpoints, and the handle that publishes and shuts down.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;

use crate::connection;
use crate::handshake::{self, HandshakeError, RequestHead, MAX_HEAD_BYTES};
use crate::hub::{is_valid_topic, Hub};

/// What to do with a subscriber that falls more than the channel capacity behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlowConsumerPolicy {
    /// Skip the missed events and tell the client how many: `{"lagged": topic, "missed": n}`.
    #[default]
    Notify,
    /// Close the connection with status 1008 ("slow consumer").
    Disconnect,
}

/// Server settings. `Config::default()` suits production-like use; tests shrink the timings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest frame payload and largest reassembled message accepted from a client (close 1009 beyond),
    /// and largest body accepted by `POST /publish/{topic}` (413 beyond).
    pub max_message_bytes: usize,
    /// Events each topic buffers for its slowest subscriber before that subscriber lags.
    pub channel_capacity: usize,
    /// Events queued per connection between the topic channels and the socket writer.
    pub client_queue: usize,
    /// What happens to a lagging subscriber.
    pub slow_consumer: SlowConsumerPolicy,
    /// How often the server pings each client.
    pub heartbeat_interval: Duration,
    /// A client that sends nothing (not even a pong) for this long is closed with 1001.
    pub idle_timeout: Duration,
    /// How long a client may take to send its request head (and a publish body).
    pub handshake_timeout: Duration,
    /// After the server sends a close frame, how long it waits for the client to hang up.
    pub close_timeout: Duration,
    /// How long `shutdown` waits for connections to finish before aborting them.
    pub shutdown_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 * 1024,
            channel_capacity: 256,
            client_queue: 32,
            slow_consumer: SlowConsumerPolicy::Notify,
            heartbeat_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
            handshake_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(2),
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

/// What every connection task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) hub: Arc<Hub>,
    pub(crate) config: Config,
}

/// A running server.
///
/// Dropping the handle also starts a graceful shutdown, but does not wait for it.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    hub: Arc<Hub>,
    stop: watch::Sender<()>,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The hub, for publishing from inside the process: `handle.hub().publish("orders", &payload)`.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Stops accepting, sends every WebSocket client a close frame with status 1001, and waits until all
    /// connections have finished (or `shutdown_timeout` has passed, after which they are aborted).
    pub async fn shutdown(self) -> Result<(), tokio::task::JoinError> {
        // An error means the accept loop is already gone; joining it below reports how it ended.
        let _ = self.stop.send(());
        self.task.await
    }
}

/// Starts serving on `listener` in a background task. Must be called inside a Tokio runtime.
///
/// Endpoints: `GET /ws` upgrades to WebSocket; `POST /publish/{topic}` with a JSON body publishes it.
pub fn serve(listener: TcpListener, config: Config) -> io::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let hub = Arc::new(Hub::new(config.channel_capacity));
    let shared = Arc::new(Shared {
        hub: Arc::clone(&hub),
        config,
    });
    let (stop, stopped) = watch::channel(());
    let task = tokio::spawn(accept_loop(listener, shared, stopped));
    Ok(ServerHandle {
        addr,
        hub,
        stop,
        task,
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // `changed` also fails when the handle is dropped: both mean "stop".
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(handle_connection(stream, Arc::clone(&shared), stopped.clone()));
                }
                Err(e) => {
                    // Typically EMFILE (out of file descriptors): back off instead of spinning.
                    eprintln!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Reap finished connections so the set does not grow without bound.
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                if let Err(e) = finished {
                    eprintln!("connection task failed: {e}");
                }
            }
        }
    }
    drop(listener);

    // Every connection task watches the same channel and is now closing; give them a deadline.
    let drain = async { while connections.join_next().await.is_some() {} };
    if timeout(shared.config.shutdown_timeout, drain)
        .await
        .is_err()
    {
        connections.abort_all();
    }
}

/// Reads one request and either upgrades it or answers it as plain HTTP.
async fn handle_connection(
    mut stream: TcpStream,
    shared: Arc<Shared>,
    stopped: watch::Receiver<()>,
) {
    let config = &shared.config;
    let mut buf = BytesMut::with_capacity(1024);
    let head = match timeout(config.handshake_timeout, read_head(&mut stream, &mut buf)).await {
        Ok(Ok(head)) => head,
        Ok(Err(HttpError { status, message })) => {
            respond(
                stream,
                status,
                &[],
                &json!({ "error": message }),
                config.close_timeout,
            )
            .await;
            return;
        }
        Err(_elapsed) => {
            let body = json!({ "error": "request head took too long" });
            respond(stream, 408, &[], &body, config.close_timeout).await;
            return;
        }
    };

    let segments: Vec<&str> = head.path.trim_start_matches('/').split('/').collect();
    match (head.method.as_str(), segments.as_slice()) {
        ("GET", ["ws"]) => match handshake::validate_upgrade(&head) {
            Ok(accept) => {
                if stream
                    .write_all(handshake::switching_protocols(&accept).as_bytes())
                    .await
                    .is_ok()
                {
                    connection::run(stream, buf, shared, stopped).await;
                }
            }
            Err(e) => {
                let (status, extra): (u16, &[(&str, &str)]) = match e {
                    HandshakeError::NotAnUpgrade => (426, &[("Upgrade", "websocket")]),
                    HandshakeError::UnsupportedVersion => (426, &[("Sec-WebSocket-Version", "13")]),
                    HandshakeError::BadKey => (400, &[]),
                };
                respond(
                    stream,
                    status,
                    extra,
                    &json!({ "error": e.to_string() }),
                    config.close_timeout,
                )
                .await;
            }
        },
        (_, ["ws"]) => {
            let body = json!({ "error": "use GET to open a WebSocket" });
            respond(
                stream,
                405,
                &[("Allow", "GET")],
                &body,
                config.close_timeout,
            )
            .await;
        }
        ("POST", ["publish", topic]) => {
            let topic = (*topic).to_owned();
            let (status, body) = match timeout(
                config.handshake_timeout,
                read_body(&mut stream, buf, &head, config),
            )
            .await
            {
                Err(_elapsed) => (408, json!({ "error": "request body took too long" })),
                Ok(Err(HttpError { status, message })) => (status, json!({ "error": message })),
                Ok(Ok(_)) if !is_valid_topic(&topic) => {
                    (400, json!({ "error": "invalid topic name" }))
                }
                Ok(Ok(payload)) => {
                    let subscribers = shared.hub.publish(&topic, &payload);
                    (202, json!({ "topic": topic, "subscribers": subscribers }))
                }
            };
            respond(stream, status, &[], &body, config.close_timeout).await;
        }
        (_, ["publish", _]) => {
            let body = json!({ "error": "use POST to publish" });
            respond(
                stream,
                405,
                &[("Allow", "POST")],
                &body,
                config.close_timeout,
            )
            .await;
        }
        _ => {
            respond(
                stream,
                404,
                &[],
                &json!({ "error": "not found" }),
                config.close_timeout,
            )
            .await
        }
    }
}

/// A request that gets an HTTP error response instead of an upgrade.
struct HttpError {
    status: u16,
    message: String,
}

impl HttpError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// Reads until the blank line that ends the request head. Bytes after it stay in `buf`: they belong to
/// the body, or to the first WebSocket frame.
async fn read_head(stream: &mut TcpStream, buf: &mut BytesMut) -> Result<RequestHead, HttpError> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = buf.split_to(end + 4);
            return RequestHead::parse(&head[..end])
                .map_err(|e| HttpError::new(400, e.to_string()));
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Err(HttpError::new(431, "request head too large"));
        }
        match stream.read_buf(buf).await {
            Ok(0) | Err(_) => {
                return Err(HttpError::new(
                    400,
                    "connection closed before the request head ended",
                ))
            }
            Ok(_) => {}
        }
    }
}

/// Reads a `Content-Length` body (starting with the bytes already in `buf`) and parses it as JSON.
async fn read_body(
    stream: &mut TcpStream,
    mut buf: BytesMut,
    head: &RequestHead,
    config: &Config,
) -> Result<Value, HttpError> {
    let length = head
        .header("content-length")
        .ok_or_else(|| HttpError::new(411, "Content-Length is required"))?
        .parse::<usize>()
        .map_err(|_| HttpError::new(400, "invalid Content-Length"))?;
    if length > config.max_message_bytes {
        return Err(HttpError::new(
            413,
            format!("body exceeds {} bytes", config.max_message_bytes),
        ));
    }
    while buf.len() < length {
        match stream.read_buf(&mut buf).await {
            Ok(0) | Err(_) => {
                return Err(HttpError::new(
                    400,
                    "connection closed before the body ended",
                ))
            }
            Ok(_) => {}
        }
    }
    serde_json::from_slice(&buf[..length])
        .map_err(|e| HttpError::new(400, format!("body is not JSON: {e}")))
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        202 => "Accepted",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        _ => "Unknown",
    }
}

/// Writes a JSON response with `Connection: close`, then closes the connection politely.
async fn respond(
    mut stream: TcpStream,
    status: u16,
    extra: &[(&str, &str)],
    body: &Value,
    linger_for: Duration,
) {
    let body = body.to_string();
    let mut response = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason_phrase(status),
        body.len()
    );
    for (name, value) in extra {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&body);
    if stream.write_all(response.as_bytes()).await.is_ok() {
        linger(stream, linger_for).await;
    }
}

/// Half-closes the socket and waits (bounded) for the peer to hang up.
///
/// Closing a socket that still has unread input makes the kernel send a TCP reset, which can destroy the
/// response or close frame we just wrote before the peer reads it. Sending FIN first and reading until EOF
/// avoids that.
pub(crate) async fn linger(mut stream: TcpStream, wait: Duration) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut scratch = [0u8; 1024];
    let drain = async {
        while let Ok(n) = stream.read(&mut scratch).await {
            if n == 0 {
                break;
            }
        }
    };
    let _ = timeout(wait, drain).await;
}
