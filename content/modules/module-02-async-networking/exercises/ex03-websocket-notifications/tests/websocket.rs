//! End-to-end tests: a real server on 127.0.0.1:0 and a minimal WebSocket client written here, over a
//! plain `TcpStream`, that masks what it sends as RFC 6455 requires.

use std::time::Duration;

use ex03_websocket_notifications::{serve, Config, ServerHandle, SlowConsumerPolicy};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// The example key from RFC 6455 section 1.3, and the accept value it must produce.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Upper bound for any single wait; tests normally finish long before it.
const WAIT: Duration = Duration::from_secs(3);

const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CONTINUATION: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

async fn start(config: Config) -> ServerHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve(listener, config).unwrap()
}

fn upgrade_request(key: &str, version: &str) -> String {
    format!(
        "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n\r\n"
    )
}

/// Sends a raw HTTP request and reads the whole response (the server closes after answering).
async fn http(server: &ServerHandle, request: &str) -> (u16, String, Value) {
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("response timed out")
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("a complete response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).expect("JSON body")
    };
    (status, head.to_owned(), body)
}

fn publish_request(topic: &str, body: &str) -> String {
    format!(
        "POST /publish/{topic} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A frame as the test client sees it.
#[derive(Debug)]
struct Frame {
    fin: bool,
    opcode: u8,
    payload: Vec<u8>,
}

impl Frame {
    fn close_code(&self) -> u16 {
        assert_eq!(self.opcode, CLOSE, "expected a close frame, got {self:?}");
        u16::from_be_bytes([self.payload[0], self.payload[1]])
    }
}

struct Client {
    stream: TcpStream,
    /// Bytes read but not yet consumed as frames.
    buf: Vec<u8>,
}

impl Client {
    async fn connect(server: &ServerHandle) -> Client {
        let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
        stream
            .write_all(upgrade_request(KEY, "13").as_bytes())
            .await
            .unwrap();

        let mut buf = Vec::new();
        let end = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            let mut chunk = [0u8; 1024];
            let n = timeout(WAIT, stream.read(&mut chunk))
                .await
                .expect("handshake timed out")
                .unwrap();
            assert!(n > 0, "server closed during the handshake");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(buf[..end].to_vec()).unwrap();
        let rest = buf[end + 4..].to_vec();
        assert!(
            head.starts_with("HTTP/1.1 101 "),
            "expected 101, got:\n{head}"
        );
        let header = |name: &str| {
            head.lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        };
        assert_eq!(header("sec-websocket-accept").as_deref(), Some(ACCEPT));
        assert!(header("upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")));
        assert!(header("connection").is_some_and(|v| v.to_ascii_lowercase().contains("upgrade")));
        Client { stream, buf: rest }
    }

    /// Sends one masked frame.
    async fn send_frame(&mut self, fin: bool, opcode: u8, payload: &[u8]) {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let mut out = vec![u8::from(fin) << 7 | opcode];
        match payload.len() {
            n if n < 126 => out.push(0x80 | n as u8),
            n if n <= 0xFFFF => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&out).await.unwrap();
    }

    async fn send_json(&mut self, value: Value) {
        self.send_frame(true, TEXT, value.to_string().as_bytes())
            .await;
    }

    async fn fill(&mut self, wanted: usize) -> bool {
        while self.buf.len() < wanted {
            let mut chunk = [0u8; 4096];
            match timeout(WAIT, self.stream.read(&mut chunk))
                .await
                .expect("timed out waiting for the server")
            {
                Ok(0) | Err(_) => return false,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
        true
    }

    /// The next frame from the server, or `None` if it closed the connection.
    async fn next_frame(&mut self) -> Option<Frame> {
        if !self.fill(2).await {
            return None;
        }
        let (b0, b1) = (self.buf[0], self.buf[1]);
        assert_eq!(b1 & 0x80, 0, "server frames must not be masked");
        let (len, header) = match b1 & 0x7F {
            126 => {
                assert!(self.fill(4).await);
                (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
            }
            127 => {
                assert!(self.fill(10).await);
                (
                    u64::from_be_bytes(self.buf[2..10].try_into().unwrap()) as usize,
                    10,
                )
            }
            n => (n as usize, 2),
        };
        assert!(
            self.fill(header + len).await,
            "connection closed inside a frame"
        );
        let payload = self.buf[header..header + len].to_vec();
        self.buf.drain(..header + len);
        Some(Frame {
            fin: b0 & 0x80 != 0,
            opcode: b0 & 0x0F,
            payload,
        })
    }

    /// The next frame, which must be a complete text frame holding JSON.
    async fn next_json(&mut self) -> Value {
        let frame = self
            .next_frame()
            .await
            .expect("connection closed, expected a message");
        assert_eq!(frame.opcode, TEXT, "expected a text frame, got {frame:?}");
        assert!(frame.fin);
        serde_json::from_slice(&frame.payload).expect("text frames carry JSON")
    }

    async fn subscribe(&mut self, topic: &str) {
        self.send_json(json!({ "subscribe": topic })).await;
        assert_eq!(self.next_json().await, json!({ "subscribed": topic }));
    }

    /// The server must hang up: no more frames, then end of stream.
    async fn expect_eof(&mut self) {
        if let Some(frame) = self.next_frame().await {
            panic!("expected the connection to close, got {frame:?}");
        }
    }
}

fn quick_heartbeat(interval_ms: u64, idle_ms: u64) -> Config {
    Config {
        heartbeat_interval: Duration::from_millis(interval_ms),
        idle_timeout: Duration::from_millis(idle_ms),
        ..Config::default()
    }
}

#[tokio::test]
async fn handshake_answers_101_with_the_accept_key() {
    let server = start(Config::default()).await;
    // All header checks are inside `connect`.
    let _client = Client::connect(&server).await;
}

#[tokio::test]
async fn bad_handshakes_get_http_errors() {
    let server = start(Config::default()).await;

    let (status, head, body) = http(&server, &upgrade_request(KEY, "8")).await;
    assert_eq!(status, 426);
    assert!(
        head.to_ascii_lowercase()
            .contains("sec-websocket-version: 13"),
        "{head}"
    );
    assert!(body["error"].is_string());

    let (status, _, _) = http(&server, &upgrade_request("too-short", "13")).await;
    assert_eq!(status, 400);

    let no_key = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                  Sec-WebSocket-Version: 13\r\n\r\n";
    assert_eq!(http(&server, no_key).await.0, 400);

    let plain_get = "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_eq!(http(&server, plain_get).await.0, 426);

    let (status, head, _) = http(
        &server,
        "POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(status, 405);
    assert!(head.contains("Allow: GET"), "{head}");

    assert_eq!(
        http(&server, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .0,
        404
    );
    assert_eq!(http(&server, "garbage\r\n\r\n").await.0, 400);
}

#[tokio::test]
async fn a_subscriber_receives_events_published_through_the_hub() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client.subscribe("orders").await;

    assert_eq!(server.hub().publish("orders", &json!({ "id": 1 })), 1);
    assert_eq!(
        client.next_json().await,
        json!({ "topic": "orders", "payload": { "id": 1 } })
    );

    // Subscribing twice is harmless: still one subscription, one copy of each event.
    client.subscribe("orders").await;
    assert_eq!(server.hub().publish("orders", &json!(2)), 1);
    assert_eq!(
        client.next_json().await,
        json!({ "topic": "orders", "payload": 2 })
    );
}

#[tokio::test]
async fn events_can_be_published_over_http() {
    let server = start(Config::default()).await;
    let mut first = Client::connect(&server).await;
    let mut second = Client::connect(&server).await;
    first.subscribe("orders").await;
    second.subscribe("orders").await;

    let (status, _, body) = http(
        &server,
        &publish_request("orders", r#"{"id":7,"total":9.5}"#),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(body, json!({ "topic": "orders", "subscribers": 2 }));

    let expected = json!({ "topic": "orders", "payload": { "id": 7, "total": 9.5 } });
    assert_eq!(first.next_json().await, expected);
    assert_eq!(second.next_json().await, expected);

    let (status, _, body) = http(&server, &publish_request("nobody-listens", "1")).await;
    assert_eq!(status, 202);
    assert_eq!(body["subscribers"], 0);
}

#[tokio::test]
async fn the_publish_endpoint_validates_its_input() {
    let server = start(Config::default()).await;
    assert_eq!(
        http(&server, &publish_request("orders", "{not json"))
            .await
            .0,
        400
    );
    assert_eq!(
        http(&server, &publish_request("bad%20topic", "1")).await.0,
        400
    );
    let no_length = "POST /publish/orders HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_eq!(http(&server, no_length).await.0, 411);
    let (status, head, _) = http(&server, "GET /publish/orders HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status, 405);
    assert!(head.contains("Allow: POST"), "{head}");
}

#[tokio::test]
async fn topics_are_isolated() {
    let server = start(Config::default()).await;
    let mut orders = Client::connect(&server).await;
    let mut billing = Client::connect(&server).await;
    orders.subscribe("orders").await;
    billing.subscribe("billing").await;

    server.hub().publish("orders", &json!("for orders"));
    server.hub().publish("billing", &json!("for billing"));

    // Each client's very next message is its own topic's event: the other one never arrived.
    assert_eq!(orders.next_json().await["payload"], "for orders");
    assert_eq!(billing.next_json().await["payload"], "for billing");
}

#[tokio::test]
async fn unsubscribe_stops_delivery() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client.subscribe("a").await;
    client.subscribe("b").await;

    client.send_json(json!({ "unsubscribe": "a" })).await;
    assert_eq!(client.next_json().await, json!({ "unsubscribed": "a" }));

    // The aborted forwarding task may not have released its receiver yet, so the count is not
    // asserted; what matters is that the event never reaches the client.
    server.hub().publish("a", &json!("dropped"));
    server.hub().publish("b", &json!("kept"));
    assert_eq!(
        client.next_json().await,
        json!({ "topic": "b", "payload": "kept" })
    );
}

#[tokio::test]
async fn invalid_messages_get_an_error_reply_and_the_connection_stays_open() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;

    client.send_frame(true, TEXT, b"not json").await;
    assert!(client.next_json().await["error"].is_string());

    client.send_json(json!({ "dance": "orders" })).await;
    assert!(client.next_json().await["error"].is_string());

    client.send_json(json!({ "subscribe": "has spaces" })).await;
    assert!(client.next_json().await["error"].is_string());

    client
        .send_json(json!({ "subscribe": "x".repeat(65) }))
        .await;
    assert!(client.next_json().await["error"].is_string());

    client.subscribe("still-works").await;
}

#[tokio::test]
async fn ping_is_answered_with_a_pong_carrying_the_same_payload() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client.send_frame(true, PING, b"are you there?").await;
    let pong = client.next_frame().await.unwrap();
    assert_eq!(pong.opcode, PONG);
    assert_eq!(pong.payload, b"are you there?");
}

#[tokio::test]
async fn fragmented_messages_are_reassembled_around_control_frames() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client.send_frame(false, TEXT, br#"{"subscr"#).await;
    client.send_frame(true, PING, b"mid").await; // control frames may interleave with fragments
    client
        .send_frame(false, CONTINUATION, br#"ibe": "frag"#)
        .await;
    client.send_frame(true, CONTINUATION, br#"mented"}"#).await;

    let pong = client.next_frame().await.unwrap();
    assert_eq!(pong.opcode, PONG);
    assert_eq!(
        client.next_json().await,
        json!({ "subscribed": "fragmented" })
    );
}

#[tokio::test]
async fn client_close_is_echoed_and_the_server_hangs_up() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client.subscribe("orders").await;

    let mut payload = 1000u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"bye");
    client.send_frame(true, CLOSE, &payload).await;

    let reply = client.next_frame().await.expect("a close frame");
    assert_eq!(reply.close_code(), 1000);
    client.expect_eof().await;
}

#[tokio::test]
async fn an_oversized_frame_is_rejected_with_1009() {
    let server = start(Config {
        max_message_bytes: 1024,
        ..Config::default()
    })
    .await;
    let mut client = Client::connect(&server).await;

    // Announce a 1 MiB frame and send none of it: the header alone must be enough to refuse.
    let mut header = vec![0x80 | TEXT, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 20).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    client.stream.write_all(&header).await.unwrap();

    assert_eq!(
        client
            .next_frame()
            .await
            .expect("a close frame")
            .close_code(),
        1009
    );
    client.expect_eof().await;
}

#[tokio::test]
async fn an_oversized_fragmented_message_is_rejected_with_1009() {
    let server = start(Config {
        max_message_bytes: 1024,
        ..Config::default()
    })
    .await;
    let mut client = Client::connect(&server).await;
    let chunk = vec![b' '; 600];
    client.send_frame(false, TEXT, &chunk).await;
    client.send_frame(true, CONTINUATION, &chunk).await;
    assert_eq!(
        client
            .next_frame()
            .await
            .expect("a close frame")
            .close_code(),
        1009
    );
    client.expect_eof().await;
}

#[tokio::test]
async fn an_unmasked_frame_is_a_protocol_error() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client
        .stream
        .write_all(&[0x81, 0x02, b'h', b'i'])
        .await
        .unwrap();
    assert_eq!(
        client
            .next_frame()
            .await
            .expect("a close frame")
            .close_code(),
        1002
    );
    client.expect_eof().await;
}

#[tokio::test]
async fn binary_and_invalid_utf8_are_refused() {
    let server = start(Config::default()).await;

    let mut binary = Client::connect(&server).await;
    binary.send_frame(true, BINARY, &[1, 2, 3]).await;
    assert_eq!(binary.next_frame().await.unwrap().close_code(), 1003);
    binary.expect_eof().await;

    let mut garbled = Client::connect(&server).await;
    garbled.send_frame(true, TEXT, &[0xff, 0xfe, 0xfd]).await;
    assert_eq!(garbled.next_frame().await.unwrap().close_code(), 1007);
    garbled.expect_eof().await;
}

#[tokio::test]
async fn a_lagging_subscriber_is_told_how_many_events_it_missed() {
    let server = start(Config {
        channel_capacity: 4,
        ..Config::default()
    })
    .await;
    let mut client = Client::connect(&server).await;
    client.subscribe("ticks").await;

    // This test runs on a single-threaded runtime, so the server's tasks cannot run during this loop:
    // 20 events land in a channel that holds 4, and the subscriber falls 16 behind.
    for i in 0..20 {
        server.hub().publish("ticks", &json!(i));
    }

    assert_eq!(
        client.next_json().await,
        json!({ "lagged": "ticks", "missed": 16 })
    );
    for i in 16..20 {
        assert_eq!(
            client.next_json().await,
            json!({ "topic": "ticks", "payload": i })
        );
    }
}

#[tokio::test]
async fn with_the_disconnect_policy_a_lagging_subscriber_is_closed_with_1008() {
    let config = Config {
        channel_capacity: 4,
        slow_consumer: SlowConsumerPolicy::Disconnect,
        ..Config::default()
    };
    let server = start(config).await;
    let mut client = Client::connect(&server).await;
    client.subscribe("ticks").await;

    for i in 0..20 {
        server.hub().publish("ticks", &json!(i));
    }

    assert_eq!(
        client
            .next_frame()
            .await
            .expect("a close frame")
            .close_code(),
        1008
    );
    client.expect_eof().await;
}

#[tokio::test]
async fn the_server_sends_heartbeat_pings() {
    let server = start(quick_heartbeat(50, 5_000)).await;
    let mut client = Client::connect(&server).await;
    let frame = client.next_frame().await.expect("a ping");
    assert_eq!(frame.opcode, PING);
    assert!(frame.fin);
}

#[tokio::test]
async fn answering_pings_keeps_an_otherwise_quiet_connection_open() {
    let server = start(quick_heartbeat(40, 300)).await;
    let mut client = Client::connect(&server).await;

    // Stay silent except for pongs for well over the idle timeout.
    for _ in 0..12 {
        let ping = client.next_frame().await.expect("a ping");
        assert_eq!(ping.opcode, PING);
        client.send_frame(true, PONG, &ping.payload).await;
    }
    // Still open and working (pings keep arriving, so skip them while waiting for the reply).
    client.send_json(json!({ "subscribe": "alive" })).await;
    let reply = loop {
        let frame = client
            .next_frame()
            .await
            .expect("the connection is still open");
        if frame.opcode != PING {
            break frame;
        }
    };
    assert_eq!(reply.opcode, TEXT);
    assert_eq!(
        serde_json::from_slice::<Value>(&reply.payload).unwrap(),
        json!({ "subscribed": "alive" })
    );
}

#[tokio::test]
async fn a_silent_client_is_closed_after_the_idle_timeout() {
    let server = start(quick_heartbeat(20, 100)).await;
    let mut client = Client::connect(&server).await;

    // Ignore the pings; the server must give up on its own.
    let code = loop {
        let frame = client
            .next_frame()
            .await
            .expect("pings, then a close frame");
        if frame.opcode != PING {
            break frame.close_code();
        }
    };
    assert_eq!(code, 1001);
    client.expect_eof().await;
}

#[tokio::test]
async fn shutdown_closes_every_connection_with_1001() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let mut first = Client::connect(&server).await;
    let mut second = Client::connect(&server).await;
    first.subscribe("orders").await;

    let stopping = tokio::spawn(server.shutdown());

    for client in [&mut first, &mut second] {
        assert_eq!(
            client
                .next_frame()
                .await
                .expect("a close frame")
                .close_code(),
            1001
        );
        client.send_frame(true, CLOSE, &1001u16.to_be_bytes()).await;
        client.expect_eof().await;
    }
    drop((first, second));

    timeout(WAIT, stopping)
        .await
        .expect("shutdown finishes")
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed after shutdown"
    );
}

#[tokio::test]
async fn disconnected_clients_are_removed_from_the_hub() {
    let server = start(Config::default()).await;
    let mut client = Client::connect(&server).await;
    client.subscribe("orders").await;
    assert_eq!(server.hub().subscriber_count("orders"), 1);

    drop(client); // vanish without a close frame

    let gone = async {
        while server.hub().subscriber_count("orders") > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    timeout(WAIT, gone)
        .await
        .expect("the subscription is dropped when the connection ends");
    assert_eq!(server.hub().publish("orders", &json!("anyone?")), 0);
}
