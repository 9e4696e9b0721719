//! Milestone 2: the TCP server. Every test starts a server on 127.0.0.1:0 and talks raw RESP to it.

use std::time::Duration;

use bytes::{Buf, BytesMut};
use ex01_redis_clone::{serve, Db, Frame, FrameError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn start() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, Db::new()));
    addr
}

struct Client {
    stream: TcpStream,
    buf: BytesMut,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = timeout(LIMIT, TcpStream::connect(addr))
            .await
            .unwrap()
            .unwrap();
        Client {
            stream,
            buf: BytesMut::new(),
        }
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    async fn send(&mut self, parts: &[&str]) {
        let bytes = Frame::command(parts).to_bytes();
        self.send_raw(&bytes).await;
    }

    /// The next reply, or None if the server closed the connection.
    async fn reply(&mut self) -> Option<Frame> {
        timeout(LIMIT, async {
            loop {
                match Frame::parse(&self.buf) {
                    Ok((frame, used)) => {
                        self.buf.advance(used);
                        return Some(frame);
                    }
                    Err(FrameError::Incomplete) => {}
                    Err(err) => panic!("server sent invalid RESP: {err}"),
                }
                if self.stream.read_buf(&mut self.buf).await.unwrap_or(0) == 0 {
                    return None;
                }
            }
        })
        .await
        .expect("no reply within the time limit")
    }

    async fn call(&mut self, parts: &[&str]) -> Frame {
        self.send(parts).await;
        self.reply().await.expect("connection closed")
    }
}

fn bulk(s: &str) -> Frame {
    Frame::Bulk(bytes::Bytes::copy_from_slice(s.as_bytes()))
}

#[tokio::test]
async fn ping_set_get_over_tcp() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    assert_eq!(c.call(&["PING"]).await, Frame::Simple("PONG".into()));
    assert_eq!(
        c.call(&["SET", "greeting", "hello world"]).await,
        Frame::ok()
    );
    assert_eq!(c.call(&["GET", "greeting"]).await, bulk("hello world"));
    assert_eq!(c.call(&["GET", "missing"]).await, Frame::Null);
}

#[tokio::test]
async fn connections_share_the_keyspace() {
    let addr = start().await;
    let mut a = Client::connect(addr).await;
    let mut b = Client::connect(addr).await;
    assert_eq!(a.call(&["SET", "k", "from-a"]).await, Frame::ok());
    assert_eq!(b.call(&["GET", "k"]).await, bulk("from-a"));
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    let mut batch = BytesMut::new();
    for i in 0..100 {
        Frame::command(["SET", &format!("k{i}"), &i.to_string()]).encode(&mut batch);
        Frame::command(["INCR", "n"]).encode(&mut batch);
    }
    Frame::command(["GET", "k99"]).encode(&mut batch);
    c.send_raw(&batch).await;
    for i in 0..100 {
        assert_eq!(c.reply().await, Some(Frame::ok()));
        assert_eq!(c.reply().await, Some(Frame::Integer(i + 1)));
    }
    assert_eq!(c.reply().await, Some(bulk("99")));
}

#[tokio::test]
async fn requests_split_across_many_writes() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    let request = Frame::command(["SET", "split", "across packets"]).to_bytes();
    for byte in request.iter() {
        c.send_raw(&[*byte]).await;
        c.stream.flush().await.unwrap();
        tokio::task::yield_now().await;
    }
    assert_eq!(c.reply().await, Some(Frame::ok()));
    assert_eq!(c.call(&["GET", "split"]).await, bulk("across packets"));
}

#[tokio::test]
async fn large_values_round_trip() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    let value: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let set = Frame::command([b"SET".as_slice(), b"big", &value]).to_bytes();
    c.send_raw(&set).await;
    assert_eq!(c.reply().await, Some(Frame::ok()));
    let get = Frame::command(["GET", "big"]).to_bytes();
    c.send_raw(&get).await;
    assert_eq!(c.reply().await, Some(Frame::Bulk(value.into())));
}

#[tokio::test]
async fn command_errors_keep_the_connection_open() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    assert!(
        matches!(c.call(&["NOSUCHCOMMAND", "x"]).await, Frame::Error(e) if e.starts_with("ERR unknown command"))
    );
    assert!(
        matches!(c.call(&["GET"]).await, Frame::Error(e) if e.starts_with("ERR wrong number of arguments"))
    );
    assert_eq!(c.call(&["PING"]).await, Frame::Simple("PONG".into()));
}

#[tokio::test]
async fn protocol_errors_get_a_reply_and_close_the_connection() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    c.send_raw(b"*1\r\n$4\r\nPING\r\n").await;
    c.send_raw(b"!bogus\r\n").await;
    assert_eq!(
        c.reply().await,
        Some(Frame::Simple("PONG".into())),
        "requests before the bad one are answered"
    );
    match c.reply().await {
        Some(Frame::Error(e)) => assert!(e.starts_with("ERR Protocol error"), "got {e:?}"),
        other => panic!("expected a protocol error reply, got {other:?}"),
    }
    assert_eq!(
        c.reply().await,
        None,
        "the server closes the connection after a protocol error"
    );

    let mut other = Client::connect(addr).await;
    assert_eq!(
        other.call(&["PING"]).await,
        Frame::Simple("PONG".into()),
        "the server itself is fine"
    );
}

#[tokio::test]
async fn concurrent_clients_increment_atomically() {
    let addr = start().await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(async move {
                let mut c = Client::connect(addr).await;
                for _ in 0..100 {
                    assert!(matches!(c.call(&["INCR", "hits"]).await, Frame::Integer(_)));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let mut c = Client::connect(addr).await;
    assert_eq!(c.call(&["GET", "hits"]).await, bulk("800"));
}

#[tokio::test]
async fn a_client_that_disconnects_mid_request_does_not_hurt_others() {
    let addr = start().await;
    {
        let mut quitter = Client::connect(addr).await;
        quitter.send_raw(b"*2\r\n$3\r\nGET\r\n$10\r\nabc").await;
    } // dropped with half a request sent
    let mut c = Client::connect(addr).await;
    assert_eq!(c.call(&["SET", "still", "alive"]).await, Frame::ok());
    assert_eq!(c.call(&["GET", "still"]).await, bulk("alive"));
}
