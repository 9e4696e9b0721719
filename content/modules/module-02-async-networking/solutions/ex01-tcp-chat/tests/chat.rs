//! Milestones 2 and 3: the server, driven by real TCP clients on 127.0.0.1.
//!
//! Every read has a timeout, so a server that forgets to answer fails the test instead of hanging it.
//! Where a test checks that a client did *not* receive something, it sends a command and requires the
//! reply to be the next line: anything delivered wrongly before it would show up first.

use std::net::SocketAddr;
use std::time::Duration;

use ex01_tcp_chat::{Config, Server, ServerHandle};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;

const STEP: Duration = Duration::from_secs(5);

struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let stream = timeout(STEP, TcpStream::connect(addr))
            .await
            .expect("connect timed out")
            .expect("connect failed");
        Client::from_stream(stream)
    }

    fn from_stream(stream: TcpStream) -> Client {
        stream.set_nodelay(true).expect("set_nodelay");
        let (read, writer) = stream.into_split();
        Client {
            reader: BufReader::new(read),
            writer,
        }
    }

    /// Connects and sets a nick.
    async fn named(addr: SocketAddr, nick: &str) -> Client {
        let mut client = Client::connect(addr).await;
        client.send(&format!("/nick {nick}")).await;
        client.expect(&format!("OK nick {nick}")).await;
        client
    }

    /// Connects, sets a nick and joins a room.
    async fn in_room(addr: SocketAddr, nick: &str, room: &str) -> Client {
        let mut client = Client::named(addr, nick).await;
        client.send(&format!("/join {room}")).await;
        client.expect(&format!("OK join {room}")).await;
        client
    }

    async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\n").as_bytes()).await;
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        timeout(STEP, self.writer.write_all(bytes))
            .await
            .expect("write timed out")
            .expect("write failed");
    }

    /// The next line from the server, without its newline. Panics on timeout or end of stream.
    async fn recv(&mut self) -> String {
        self.try_recv()
            .await
            .expect("server closed the connection, expected a line")
    }

    /// The next line, or `None` at end of stream. Panics on timeout.
    async fn try_recv(&mut self) -> Option<String> {
        let mut line = String::new();
        let n = timeout(STEP, self.reader.read_line(&mut line))
            .await
            .expect("timed out waiting for a line from the server")
            .expect("read failed");
        if n == 0 {
            return None;
        }
        assert!(line.ends_with('\n'), "line without newline: {line:?}");
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    }

    async fn expect(&mut self, expected: &str) {
        assert_eq!(self.recv().await, expected);
    }

    async fn expect_prefix(&mut self, prefix: &str) -> String {
        let line = self.recv().await;
        assert!(
            line.starts_with(prefix),
            "expected a line starting with {prefix:?}, got {line:?}"
        );
        line
    }

    /// Sends `/rooms` and requires the very next line to be the ROOMS reply.
    async fn expect_nothing_pending(&mut self) {
        self.send("/rooms").await;
        self.expect_prefix("ROOMS").await;
    }

    /// Reads until end of stream and returns the lines seen on the way.
    async fn read_to_eof(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(line) = self.try_recv().await {
            lines.push(line);
        }
        lines
    }
}

async fn start() -> (SocketAddr, ServerHandle) {
    start_with(Config::default()).await
}

async fn start_with(config: Config) -> (SocketAddr, ServerHandle) {
    timeout(STEP, Server::bind_with_config("127.0.0.1:0", config))
        .await
        .expect("bind timed out")
        .expect("bind failed")
}

async fn stop(handle: ServerHandle) {
    timeout(STEP, handle.shutdown())
        .await
        .expect("shutdown timed out")
        .expect("server task failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nick_and_join() {
    let (addr, handle) = start().await;
    assert_eq!(handle.local_addr(), addr);
    let mut alice = Client::connect(addr).await;
    alice.send("/nick alice").await;
    alice.expect("OK nick alice").await;
    alice.send("/join lobby").await;
    alice.expect("OK join lobby").await;
    alice.send("/who").await;
    alice.expect("WHO lobby alice").await;
    // Joining the room you are in is a no-op.
    alice.send("/join lobby").await;
    alice.expect("OK join lobby").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_and_blank_lines_are_accepted() {
    let (addr, handle) = start().await;
    let mut alice = Client::connect(addr).await;
    alice.send_raw(b"\n   \r\n/nick alice\r\n").await;
    alice.expect("OK nick alice").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_keep_the_connection_open() {
    let (addr, handle) = start().await;
    let mut client = Client::connect(addr).await;
    client.send("/join lobby").await;
    client.expect_prefix("ERR no-nick ").await;
    client.send("hello?").await;
    client.expect_prefix("ERR no-nick ").await;
    client.send("/dance").await;
    client.expect_prefix("ERR unknown-command ").await;
    client.send("/nick").await;
    client.expect_prefix("ERR usage ").await;
    client.send("/nick bad!nick").await;
    client.expect_prefix("ERR invalid-nick ").await;
    client.send("/nick carol").await;
    client.expect("OK nick carol").await;
    client.send("/join no#way").await;
    client.expect_prefix("ERR invalid-room ").await;
    client.send("/leave").await;
    client.expect_prefix("ERR not-in-room ").await;
    client.send("/who").await;
    client.expect_prefix("ERR not-in-room ").await;
    client.send("talking to nobody").await;
    client.expect_prefix("ERR not-in-room ").await;
    client.send_raw(b"\xff\xfe\n").await;
    client.expect_prefix("ERR invalid-utf8 ").await;
    client.expect_nothing_pending().await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_nicks_are_refused() {
    let (addr, handle) = start().await;
    let mut alice = Client::named(addr, "alice").await;
    let mut impostor = Client::connect(addr).await;
    impostor.send("/nick alice").await;
    impostor.expect_prefix("ERR nick-taken ").await;
    impostor.send("/nick alice2").await;
    impostor.expect("OK nick alice2").await;
    // Renaming to the nick you already have is fine; taking someone else's is not.
    alice.send("/nick alice").await;
    alice.expect("OK nick alice").await;
    alice.send("/nick alice2").await;
    alice.expect_prefix("ERR nick-taken ").await;
    // A changed nick frees the old one.
    alice.send("/nick alicia").await;
    alice.expect("OK nick alicia").await;
    impostor.send("/nick alice").await;
    impostor.expect("OK nick alice").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_only_the_senders_room() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    alice.expect("JOIN lobby bob").await;
    let mut carol = Client::in_room(addr, "carol", "rust").await;

    alice.send("hi bob").await;
    bob.expect("MSG lobby alice hi bob").await;
    bob.send("hi alice, how  are you?").await;
    alice.expect("MSG lobby bob hi alice, how  are you?").await;

    // Carol is elsewhere, and senders do not get their own messages back.
    carol.expect_nothing_pending().await;
    alice.expect_nothing_pending().await;
    bob.expect_nothing_pending().await;

    carol.send("anyone here?").await;
    carol.expect_nothing_pending().await;
    alice.expect_nothing_pending().await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_arrive_in_order() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    alice.expect("JOIN lobby bob").await;
    let mut burst = String::new();
    for i in 0..100 {
        burst.push_str(&format!("message {i}\n"));
    }
    alice.send_raw(burst.as_bytes()).await;
    for i in 0..100 {
        bob.expect(&format!("MSG lobby alice message {i}")).await;
    }
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_and_switching_rooms() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    alice.expect("JOIN lobby bob").await;
    let mut carol = Client::in_room(addr, "carol", "rust").await;

    bob.send("/leave").await;
    bob.expect("OK leave lobby").await;
    alice.expect("LEAVE lobby bob").await;
    alice.send("bob is gone").await;
    bob.expect_nothing_pending().await;

    bob.send("/join lobby").await;
    bob.expect("OK join lobby").await;
    alice.expect("JOIN lobby bob").await;

    // Joining another room leaves the current one.
    bob.send("/join rust").await;
    bob.expect("OK join rust").await;
    alice.expect("LEAVE lobby bob").await;
    carol.expect("JOIN rust bob").await;
    carol.send("welcome").await;
    bob.expect("MSG rust carol welcome").await;
    alice.expect_nothing_pending().await;

    // A nick change is announced to the room.
    bob.send("/nick robert").await;
    bob.expect("OK nick robert").await;
    carol.expect("NICK rust bob robert").await;
    carol.send("/who").await;
    carol.expect("WHO rust carol robert").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_from_a_room_arrives_after_leaving_it() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::named(addr, "bob").await;
    let mut burst = String::new();
    for i in 0..50 {
        burst.push_str(&format!("message {i}\n"));
    }

    // The race this checks for is timing-dependent, so run it a few times.
    for _ in 0..10 {
        bob.send("/join lobby").await;
        bob.expect("OK join lobby").await;
        alice.expect("JOIN lobby bob").await;

        // Bob leaves while a burst from alice is being delivered to him.
        alice.send_raw(burst.as_bytes()).await;
        bob.send("/leave").await;
        bob.send("/rooms").await;

        let mut left = false;
        loop {
            let line = bob.recv().await;
            if line == "OK leave lobby" {
                left = true;
            } else if line.starts_with("ROOMS") {
                break;
            } else {
                assert!(
                    line.starts_with("MSG lobby alice message "),
                    "unexpected {line:?}"
                );
                assert!(!left, "{line:?} arrived after OK leave lobby");
            }
        }
        assert!(left, "no OK leave lobby before the ROOMS reply");
        // Alice's reply comes after her whole burst has been handled, so the next round starts clean.
        alice.send("/who").await;
        alice.expect("LEAVE lobby bob").await;
        alice.expect("WHO lobby alice").await;
    }
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_lists_non_empty_rooms_with_counts() {
    let (addr, handle) = start().await;
    let mut observer = Client::connect(addr).await;
    observer.send("/rooms").await;
    observer.expect("ROOMS").await;

    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    alice.expect("JOIN lobby bob").await;
    let mut carol = Client::in_room(addr, "carol", "annex").await;
    observer.send("/rooms").await;
    observer.expect("ROOMS annex:1 lobby:2").await;

    carol.send("/leave").await;
    carol.expect("OK leave annex").await;
    bob.send("/leave").await;
    bob.expect("OK leave lobby").await;
    observer.send("/rooms").await;
    observer.expect("ROOMS lobby:1").await;
    alice.send("/who").await;
    alice.expect("LEAVE lobby bob").await;
    alice.expect("WHO lobby alice").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_lines_are_rejected_without_closing() {
    let config = Config {
        max_line_len: 64,
        ..Config::default()
    };
    let (addr, handle) = start_with(config).await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    alice.expect("JOIN lobby bob").await;

    // Exactly at the limit is fine.
    let at_limit = "a".repeat(64);
    alice.send(&at_limit).await;
    bob.expect(&format!("MSG lobby alice {at_limit}")).await;

    // One byte over is refused, and nothing of it reaches the room.
    alice.send(&"b".repeat(65)).await;
    alice.expect_prefix("ERR line-too-long ").await;

    // A huge line is refused before its newline arrives, and then skipped up to the newline.
    alice.send_raw("c".repeat(100_000).as_bytes()).await;
    alice.expect_prefix("ERR line-too-long ").await;
    alice.send_raw(b"ccc\nafter\n").await;
    bob.expect("MSG lobby alice after").await;
    alice.expect_nothing_pending().await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_says_bye_and_leaves() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    alice.expect("JOIN lobby bob").await;
    bob.send("/quit").await;
    assert_eq!(bob.read_to_eof().await, vec!["BYE".to_owned()]);
    alice.expect("LEAVE lobby bob").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_cleans_up_nick_and_room() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let bob = Client::in_room(addr, "bob", "lobby").await;
    let carol = Client::in_room(addr, "carol", "solo").await;
    alice.expect("JOIN lobby bob").await;

    // Vanish without /quit.
    drop(bob);
    drop(carol);
    alice.expect("LEAVE lobby bob").await;

    let mut newcomer = Client::connect(addr).await;
    newcomer.send("/nick bob").await;
    newcomer.expect("OK nick bob").await;

    // carol's room disappears with her; wait until her nick is free again to be sure she was cleaned up.
    let mut probe = Client::connect(addr).await;
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        probe.send("/nick carol").await;
        let line = probe.recv().await;
        if line == "OK nick carol" {
            break;
        }
        assert!(line.starts_with("ERR nick-taken "), "unexpected {line:?}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "carol was never cleaned up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    probe.send("/rooms").await;
    probe.expect("ROOMS lobby:1").await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_says_bye_and_closes_every_client() {
    let (addr, handle) = start().await;
    let mut alice = Client::in_room(addr, "alice", "lobby").await;
    let mut bob = Client::in_room(addr, "bob", "lobby").await;
    let mut anonymous = Client::connect(addr).await;
    anonymous.expect_nothing_pending().await;
    alice.expect("JOIN lobby bob").await;

    stop(handle).await;

    for client in [&mut alice, &mut bob, &mut anonymous] {
        let lines = client.read_to_eof().await;
        assert_eq!(
            lines.last().map(String::as_str),
            Some("BYE shutdown"),
            "got {lines:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_are_turned_away() {
    let config = Config {
        max_connections: 2,
        ..Config::default()
    };
    let (addr, handle) = start_with(config).await;
    let mut first = Client::named(addr, "first").await;
    let mut second = Client::named(addr, "second").await;
    let mut third = Client::connect(addr).await;
    let lines = third.read_to_eof().await;
    assert_eq!(lines.len(), 1, "got {lines:?}");
    assert!(lines[0].starts_with("ERR server-full "), "got {lines:?}");
    first.expect_nothing_pending().await;
    second.expect_nothing_pending().await;
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_disconnected() {
    let config = Config {
        max_line_len: 8 * 1024,
        outbox_capacity: 4,
        ..Config::default()
    };
    let (addr, handle) = start_with(config).await;

    // A client with a tiny receive buffer that, after joining, never reads again.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = timeout(STEP, socket.connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect");
    let mut slow = Client::from_stream(stream);
    slow.send("/nick slowpoke").await;
    slow.expect("OK nick slowpoke").await;
    slow.send("/join lobby").await;
    slow.expect("OK join lobby").await;

    let mut talker = Client::in_room(addr, "talker", "lobby").await;
    let mut reader = Client::in_room(addr, "reader", "lobby").await;
    talker.expect("JOIN lobby reader").await;

    // Send big messages in lock-step with `reader`, so `reader` is never behind, until the server gives
    // up on `slowpoke`. Kernel socket buffers absorb a few megabytes first; the cap only stops a server
    // that never enforces its policy.
    let payload = "x".repeat(8000);
    let mut kicked = false;
    for _ in 0..20_000 {
        talker.send(&payload).await;
        let line = reader.recv().await;
        if line == "LEAVE lobby slowpoke" {
            kicked = true;
            break;
        }
        assert_eq!(
            line.len(),
            "MSG lobby talker ".len() + payload.len(),
            "unexpected line"
        );
    }
    assert!(
        kicked,
        "the server kept queueing for a client that never reads"
    );

    // The room is usable, and the slow client's connection really was closed: it can read what the
    // kernel still buffered, then reaches end of stream.
    reader.send("/who").await;
    // The kick may have landed while a MSG for `talker`'s last line was in flight; skip it.
    let mut who = reader.recv().await;
    if who.starts_with("MSG ") {
        who = reader.recv().await;
    }
    assert_eq!(who, "WHO lobby reader talker");
    let mut sink = Vec::new();
    timeout(STEP, slow.reader.read_to_end(&mut sink))
        .await
        .expect("the slow client's connection was never closed")
        .ok();
    stop(handle).await;
}
