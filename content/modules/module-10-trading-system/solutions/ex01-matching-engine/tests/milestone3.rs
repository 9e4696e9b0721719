//! Milestone 3: the order-entry gateway, execution reports and the market-data feed, over TCP on
//! 127.0.0.1 with ephemeral ports.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use ex01_matching_engine::exchange::{Exchange, ExchangeConfig};
use ex01_matching_engine::journal;
use ex01_matching_engine::protocol::{self, ParseError, Request};
use ex01_matching_engine::{Command, Engine, OrderId, Price, Qty, Side};

/// Generous: nothing here should take more than milliseconds, but CI machines are shared.
const TIMEOUT: Duration = Duration::from_secs(10);

fn start() -> Exchange<Vec<u8>> {
    Exchange::start(Vec::new(), ExchangeConfig::default()).expect("the exchange starts")
}

/// One order-entry session.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    syncs: u64,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect to the gateway");
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let writer = stream.try_clone().unwrap();
        Client {
            reader: BufReader::new(stream),
            writer,
            syncs: 0,
        }
    }

    fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .expect("send a request");
    }

    /// The next report line, without its newline; `None` when the gateway closed the connection.
    fn try_recv(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => None,
            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
            Err(e) => panic!("no report within {TIMEOUT:?}: {e}"),
        }
    }

    fn recv(&mut self) -> String {
        self.try_recv()
            .expect("the gateway closed the connection unexpectedly")
    }

    fn expect(&mut self, lines: &[&str]) {
        for &want in lines {
            assert_eq!(self.recv(), want);
        }
    }

    fn request(&mut self, line: &str, replies: &[&str]) {
        self.send(line);
        self.expect(replies);
    }

    /// A round trip through the engine: a zero-quantity market order is refused by the engine, so
    /// its `REJECT` comes after every report of the requests sent before it. Returns those
    /// reports.
    fn sync(&mut self) -> Vec<String> {
        self.syncs += 1;
        let cid = u64::MAX - self.syncs;
        self.send(&format!("MARKET {cid} BUY 0"));
        let marker = format!("REJECT {cid} ZERO_QUANTITY");
        let mut before = Vec::new();
        loop {
            let line = self.recv();
            if line == marker {
                return before;
            }
            before.push(line);
        }
    }

    /// Asserts that no other report is pending for this session.
    fn expect_nothing_more(&mut self) {
        assert_eq!(self.sync(), Vec::<String>::new(), "unexpected reports");
    }
}

/// Aggregate depth as the market-data feed describes it: (side, price in ticks) to quantity.
type Depth = BTreeMap<(Side, i64), u64>;

/// A market-data subscriber that keeps its own copy of the book.
struct Feed {
    reader: BufReader<TcpStream>,
    snapshot_seq: u64,
    seq: u64,
    depth: Depth,
}

/// Parses a price written with exactly two decimals into ticks.
fn ticks(text: &str) -> i64 {
    let (whole, cents) = text
        .split_once('.')
        .unwrap_or_else(|| panic!("price without two decimals: {text:?}"));
    assert_eq!(cents.len(), 2, "price without two decimals: {text:?}");
    whole.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap()
}

fn side(text: &str) -> Side {
    match text {
        "BUY" => Side::Buy,
        "SELL" => Side::Sell,
        other => panic!("bad side {other:?}"),
    }
}

impl Feed {
    /// Connects and reads the snapshot.
    fn connect(addr: SocketAddr) -> Feed {
        let stream = TcpStream::connect(addr).expect("connect to market data");
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut feed = Feed {
            reader: BufReader::new(stream),
            snapshot_seq: 0,
            seq: 0,
            depth: Depth::new(),
        };
        let header = feed.line();
        let fields: Vec<&str> = header.split(' ').collect();
        assert!(
            fields.len() == 3 && fields[0] == "SNAPSHOT",
            "expected SNAPSHOT <seq> <levels>, got {header:?}"
        );
        feed.snapshot_seq = fields[1].parse().unwrap();
        feed.seq = feed.snapshot_seq;
        let levels: usize = fields[2].parse().unwrap();
        for _ in 0..levels {
            let line = feed.line();
            let f: Vec<&str> = line.split(' ').collect();
            assert!(
                f.len() == 4 && f[0] == "LEVEL",
                "expected LEVEL, got {line:?}"
            );
            let qty: u64 = f[3].parse().unwrap();
            assert!(qty > 0, "a snapshot level with no quantity: {line:?}");
            feed.depth.insert((side(f[1]), ticks(f[2])), qty);
        }
        feed
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self
            .reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("no market data within {TIMEOUT:?}: {e}"));
        assert!(n > 0, "the market-data feed closed unexpectedly");
        line.trim_end_matches(['\n', '\r']).to_string()
    }

    /// Reads one `UPDATE`, checks that its sequence number is the next one, applies it and returns
    /// it as (side, ticks, qty).
    fn update(&mut self) -> (Side, i64, u64) {
        let line = self.line();
        let f: Vec<&str> = line.split(' ').collect();
        assert!(
            f.len() == 5 && f[0] == "UPDATE",
            "expected UPDATE, got {line:?}"
        );
        let seq: u64 = f[1].parse().unwrap();
        assert_eq!(seq, self.seq + 1, "market-data sequence gap or reorder");
        self.seq = seq;
        let key = (side(f[2]), ticks(f[3]));
        let qty: u64 = f[4].parse().unwrap();
        if qty == 0 {
            self.depth.remove(&key);
        } else {
            self.depth.insert(key, qty);
        }
        (key.0, key.1, qty)
    }

    fn expect_update(&mut self, line: &str) {
        let f: Vec<&str> = line.split(' ').collect();
        let want = (side(f[0]), ticks(f[1]), f[2].parse::<u64>().unwrap());
        assert_eq!(self.update(), want, "expected update {line:?}");
    }

    /// Applies updates until the given one has been seen.
    fn until(&mut self, line: &str) {
        let f: Vec<&str> = line.split(' ').collect();
        let want = (side(f[0]), ticks(f[1]), f[2].parse::<u64>().unwrap());
        while self.update() != want {}
    }
}

fn engine_depth(engine: &Engine) -> Depth {
    let mut depth = Depth::new();
    for s in [Side::Buy, Side::Sell] {
        for (price, qty) in engine.book().depth(s, usize::MAX) {
            depth.insert((s, price.0), qty.0);
        }
    }
    depth
}

#[test]
fn prices_parse_on_the_cent_grid_and_anything_else_is_refused() {
    let cases = [
        ("101.25", Some(10125)),
        ("101.5", Some(10150)),
        ("101", Some(10100)),
        ("0.01", Some(1)),
        ("0", Some(0)),
        ("007.10", Some(710)),
        ("92233720368547758.07", Some(i64::MAX)),
    ];
    for (text, want) in cases {
        assert_eq!(protocol::parse_price(text), want.map(Price), "{text:?}");
    }
    for bad in [
        "101.255",
        "1.001",
        "-1.00",
        "+1.00",
        ".5",
        "5.",
        "1e2",
        "1,5",
        "",
        "abc",
        " 1.00",
        "92233720368547758.08",
    ] {
        assert_eq!(protocol::parse_price(bad), None, "{bad:?} must be refused");
    }
}

#[test]
fn prices_format_with_exactly_two_decimals() {
    assert_eq!(protocol::format_price(Price(10125)), "101.25");
    assert_eq!(protocol::format_price(Price(10100)), "101.00");
    assert_eq!(protocol::format_price(Price(5)), "0.05");
    assert_eq!(protocol::format_price(Price(0)), "0.00");
    for ticks in [1, 99, 100, 12_345, 1_000_000_001] {
        let text = protocol::format_price(Price(ticks));
        assert_eq!(protocol::parse_price(&text), Some(Price(ticks)));
    }
}

#[test]
fn requests_parse_into_client_ids_ticks_and_lots() {
    assert_eq!(
        protocol::parse_request("LIMIT 7 BUY 101.25 10"),
        Ok(Request::Limit {
            cid: 7,
            side: Side::Buy,
            price: Price(10125),
            qty: Qty(10),
        })
    );
    assert_eq!(
        protocol::parse_request("MARKET 8 SELL 5"),
        Ok(Request::Market {
            cid: 8,
            side: Side::Sell,
            qty: Qty(5),
        })
    );
    assert_eq!(
        protocol::parse_request("CANCEL 7"),
        Ok(Request::Cancel { cid: 7 })
    );
    assert_eq!(
        protocol::parse_request("LIMIT 3 SELL 1.001 10"),
        Err(ParseError::BadPrice { cid: 3 })
    );
    assert_eq!(
        protocol::parse_request("LIMIT 3 SELL 1.00 2.5"),
        Err(ParseError::BadQuantity { cid: 3 })
    );
    assert_eq!(
        protocol::parse_request("MARKET 4 BUY -1"),
        Err(ParseError::BadQuantity { cid: 4 })
    );
    for bad in [
        "",
        "HELLO",
        "limit 1 BUY 1.00 1",
        "LIMIT x BUY 1.00 1",
        "LIMIT 1 HOLD 1.00 1",
        "LIMIT 1 BUY 1.00",
        "LIMIT 1 BUY 1.00 1 extra",
        "MARKET 1 BUY",
        "CANCEL",
        "CANCEL -1",
    ] {
        assert!(
            matches!(protocol::parse_request(bad), Err(ParseError::Malformed(_))),
            "{bad:?} must be malformed"
        );
    }
}

#[test]
fn a_cross_fills_both_sessions_at_the_makers_price_and_client_ids_are_per_session() {
    let exchange = start();
    let mut a = Client::connect(exchange.order_entry_addr());
    let mut b = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 1 SELL 101.25 10", &["ACK 1"]);
    b.request("LIMIT 1 BUY 101.50 4", &["ACK 1", "FILL 1 101.25 4 0"]);
    a.expect(&["FILL 1 101.25 4 6"]);
    // Each session saw only its own orders.
    a.expect_nothing_more();
    b.expect_nothing_more();
    exchange.shutdown().expect("clean shutdown");
}

#[test]
fn a_market_order_sweeps_levels_and_its_remainder_is_cancelled() {
    let exchange = start();
    let mut a = Client::connect(exchange.order_entry_addr());
    let mut b = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 1 SELL 10.00 3", &["ACK 1"]);
    a.request("LIMIT 2 SELL 10.01 2", &["ACK 2"]);
    b.request(
        "MARKET 7 BUY 10",
        &[
            "ACK 7",
            "FILL 7 10.00 3 7",
            "FILL 7 10.01 2 5",
            "CANCELLED 7 5 NO_LIQUIDITY",
        ],
    );
    a.expect(&["FILL 1 10.00 3 0", "FILL 2 10.01 2 0"]);
    a.expect_nothing_more();
    b.expect_nothing_more();
    exchange.shutdown().expect("clean shutdown");
}

#[test]
fn cancels_use_client_ids_which_are_free_again_once_an_order_is_done() {
    let exchange = start();
    let mut a = Client::connect(exchange.order_entry_addr());
    let mut b = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 5 BUY 99.00 10", &["ACK 5"]);
    a.request("LIMIT 5 BUY 98.00 1", &["REJECT 5 DUPLICATE_ORDER_ID"]);
    a.request("CANCEL 5", &["CANCELLED 5 10 REQUESTED"]);
    a.request("CANCEL 5", &["REJECT 5 UNKNOWN_ORDER"]);
    a.request("CANCEL 42", &["REJECT 42 UNKNOWN_ORDER"]);
    // Cancelled: the id may be reused.
    a.request("LIMIT 5 BUY 98.00 1", &["ACK 5"]);
    // Another session cannot cancel it with the same client id.
    b.request("CANCEL 5", &["REJECT 5 UNKNOWN_ORDER"]);
    b.request("LIMIT 1 SELL 98.00 1", &["ACK 1", "FILL 1 98.00 1 0"]);
    a.expect(&["FILL 5 98.00 1 0"]);
    // Filled: the id may be reused again, and the filled order cannot be cancelled.
    a.request("CANCEL 5", &["REJECT 5 UNKNOWN_ORDER"]);
    a.request("LIMIT 5 SELL 120.00 3", &["ACK 5"]);
    a.expect_nothing_more();
    b.expect_nothing_more();
    let (engine, _) = exchange.shutdown().expect("clean shutdown");
    assert_eq!(engine.book().len(), 1);
    assert_eq!(engine.book().best_ask(), Some((Price(12000), Qty(3))));
}

#[test]
fn bad_requests_are_refused_and_the_session_stays_open() {
    let exchange = start();
    let mut feed = Feed::connect(exchange.market_data_addr());
    let mut a = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 1 BUY 1.001 5", &["REJECT 1 BAD_PRICE"]);
    a.request("LIMIT 2 BUY 1.00 2.5", &["REJECT 2 BAD_QUANTITY"]);
    a.request("LIMIT 3 BUY 0 5", &["REJECT 3 INVALID_PRICE"]);
    a.request("LIMIT 4 SELL 1.00 0", &["REJECT 4 ZERO_QUANTITY"]);
    for garbage in ["HELLO", "LIMIT x BUY 1.00 1", "CANCEL", "LIMIT 1 BUY"] {
        a.send(garbage);
        let reply = a.recv();
        assert!(
            reply.starts_with("ERROR "),
            "{garbage:?} got {reply:?}, want ERROR <message>"
        );
    }
    // None of the refused orders is live, so their ids are free.
    a.request("LIMIT 1 BUY 1.00 5", &["ACK 1"]);
    a.request("LIMIT 3 BUY 1.01 2", &["ACK 3"]);
    a.expect_nothing_more();
    // Nothing refused ever reached the book.
    feed.expect_update("BUY 1.00 5");
    feed.expect_update("BUY 1.01 2");
    assert_eq!(feed.seq, 2);
    let (engine, journal) = exchange.shutdown().expect("clean shutdown");
    assert_eq!(engine_depth(&engine), feed.depth);
    let commands = journal::decode(&journal).unwrap().commands;
    let limits = commands
        .iter()
        .filter(|c| matches!(c, Command::Limit { .. }))
        .count();
    assert_eq!(
        limits, 4,
        "only the well-formed orders reach the engine: {commands:?}"
    );
}

#[test]
fn market_data_starts_with_a_snapshot_then_numbers_every_update() {
    let exchange = start();
    let mut early = Feed::connect(exchange.market_data_addr());
    assert_eq!((early.snapshot_seq, early.depth.len()), (0, 0));
    let mut a = Client::connect(exchange.order_entry_addr());
    let mut b = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 1 BUY 100.00 5", &["ACK 1"]);
    a.request("LIMIT 2 BUY 100.00 3", &["ACK 2"]);
    a.request("LIMIT 3 BUY 99.50 1", &["ACK 3"]);
    b.request("LIMIT 1 SELL 100.50 2", &["ACK 1"]);
    b.request(
        "MARKET 2 SELL 6",
        &["ACK 2", "FILL 2 100.00 5 1", "FILL 2 100.00 1 0"],
    );
    a.expect(&["FILL 1 100.00 5 0", "FILL 2 100.00 1 2"]);
    early.expect_update("BUY 100.00 5");
    early.expect_update("BUY 100.00 8");
    early.expect_update("BUY 99.50 1");
    early.expect_update("SELL 100.50 2");
    early.expect_update("BUY 100.00 2");

    let late = Feed::connect(exchange.market_data_addr());
    assert_eq!(late.snapshot_seq, 5);
    assert_eq!(late.depth, early.depth);
    let mut late = late;
    a.request("CANCEL 3", &["CANCELLED 3 1 REQUESTED"]);
    early.expect_update("BUY 99.50 0");
    late.expect_update("BUY 99.50 0");
    assert_eq!(late.seq, 6);
    let expected: Depth = [((Side::Buy, 10000), 2), ((Side::Sell, 10050), 2)].into();
    assert_eq!(early.depth, expected);
    assert_eq!(late.depth, expected);
    // A snapshot lists bids best first, then asks best first.
    a.request("LIMIT 4 BUY 100.01 1", &["ACK 4"]);
    early.expect_update("BUY 100.01 1");
    let stream = TcpStream::connect(exchange.market_data_addr()).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut third = BufReader::new(stream);
    let lines: Vec<String> = (0..4)
        .map(|_| {
            let mut line = String::new();
            third.read_line(&mut line).unwrap();
            line.trim_end().to_string()
        })
        .collect();
    assert_eq!(
        lines,
        [
            "SNAPSHOT 7 3",
            "LEVEL BUY 100.01 1",
            "LEVEL BUY 100.00 2",
            "LEVEL SELL 100.50 2"
        ]
    );
    exchange.shutdown().expect("clean shutdown");
}

/// A deterministic script for one client: new limit and market orders on a small grid, and
/// cancels of the client's earlier orders.
fn script(n: usize, mut state: u64) -> Vec<String> {
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    (1..=n as u64)
        .map(|cid| {
            let side = if next() % 2 == 0 { "BUY" } else { "SELL" };
            match next() % 10 {
                0..=5 => {
                    let ticks = 9_990 + next() % 21;
                    format!(
                        "LIMIT {cid} {side} {}.{:02} {}",
                        ticks / 100,
                        ticks % 100,
                        1 + next() % 20
                    )
                }
                6 => format!("MARKET {cid} {side} {}", 1 + next() % 30),
                _ => format!("CANCEL {}", 1 + next() % cid),
            }
        })
        .collect()
}

/// The same script as engine commands, with one engine id per (client, cid).
fn as_command(client: u64, line: &str) -> Command {
    let id = |cid: &str| OrderId(client * 1_000_000 + cid.parse::<u64>().unwrap());
    let f: Vec<&str> = line.split(' ').collect();
    match f[0] {
        "LIMIT" => Command::Limit {
            id: id(f[1]),
            side: side(f[2]),
            price: Price(ticks(f[3])),
            qty: Qty(f[4].parse().unwrap()),
        },
        "MARKET" => Command::Market {
            id: id(f[1]),
            side: side(f[2]),
            qty: Qty(f[3].parse().unwrap()),
        },
        _ => Command::Cancel { id: id(f[1]) },
    }
}

#[test]
fn a_late_subscriber_rebuilds_the_same_book_as_an_early_one() {
    let exchange = start();
    let mut early = Feed::connect(exchange.market_data_addr());
    let mut clients = [
        Client::connect(exchange.order_entry_addr()),
        Client::connect(exchange.order_entry_addr()),
    ];
    let scripts = [script(300, 11), script(300, 29)];
    let mut model = Vec::new();
    // The book the early subscriber had after each sequence number.
    let mut history: HashMap<u64, Depth> = HashMap::from([(0, Depth::new())]);
    let mut late: Option<(Feed, Depth)> = None;
    // Chunks alternate between the clients and each ends with a round trip, so the engine sees
    // the commands in a known order.
    for chunk in 0..30 {
        let who = chunk % 2;
        let lines = &scripts[who][(chunk / 2) * 20..(chunk / 2 + 1) * 20];
        for line in lines {
            clients[who].send(line);
            model.push(as_command(who as u64 + 1, line));
        }
        clients[who].sync();
        if chunk == 15 {
            let feed = Feed::connect(exchange.market_data_addr());
            let snapshot = feed.depth.clone();
            late = Some((feed, snapshot));
        }
    }
    // A marker far from the script's prices tells each feed it has seen everything.
    clients[0].send("LIMIT 999999 BUY 0.01 1");
    let reports = clients[0].sync();
    assert!(reports.iter().any(|r| r == "ACK 999999"), "{reports:?}");
    let (mut late, late_snapshot) = late.unwrap();
    assert!(late.snapshot_seq > 0, "the late snapshot is not empty");
    loop {
        let update = early.update();
        history.insert(early.seq, early.depth.clone());
        if update == (Side::Buy, 1, 1) {
            break;
        }
    }
    late.until("BUY 0.01 1");
    assert_eq!(
        late.seq, early.seq,
        "both feeds end at the same sequence number"
    );
    assert_eq!(
        history.get(&late.snapshot_seq),
        Some(&late_snapshot),
        "the snapshot is the book exactly as of its sequence number"
    );
    assert_eq!(late.depth, early.depth, "late subscriber's book");

    let (engine, journal) = exchange.shutdown().expect("clean shutdown");
    let mut expected = engine_depth(&engine);
    assert_eq!(early.depth, expected, "the feed's book equals the engine's");
    expected.remove(&(Side::Buy, 1));
    let decoded = journal::decode(&journal).expect("the journal decodes");
    let (replayed, _) = Engine::replay(&decoded.commands);
    let mut replayed_depth = engine_depth(&replayed);
    replayed_depth.remove(&(Side::Buy, 1));
    assert_eq!(replayed_depth, expected, "replaying the journal");
    let (model, _) = Engine::replay(&model);
    assert_eq!(
        engine_depth(&model),
        expected,
        "the same commands, applied locally"
    );
}

#[test]
fn a_disconnected_clients_resting_orders_are_cancelled() {
    let exchange = start();
    let mut feed = Feed::connect(exchange.market_data_addr());
    let mut a = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 1 BUY 50.00 5", &["ACK 1"]);
    a.request("LIMIT 2 SELL 60.00 7", &["ACK 2"]);
    a.request("LIMIT 3 SELL 60.00 1", &["ACK 3"]);
    feed.expect_update("BUY 50.00 5");
    feed.expect_update("SELL 60.00 7");
    feed.expect_update("SELL 60.00 8");
    drop(a);
    // Cancelled in the order the orders were placed.
    feed.expect_update("BUY 50.00 0");
    feed.expect_update("SELL 60.00 1");
    feed.expect_update("SELL 60.00 0");
    assert!(feed.depth.is_empty());
    let mut b = Client::connect(exchange.order_entry_addr());
    b.request("MARKET 1 BUY 5", &["ACK 1", "CANCELLED 1 5 NO_LIQUIDITY"]);
    b.expect_nothing_more();
    let (engine, _) = exchange.shutdown().expect("clean shutdown");
    assert!(engine.book().is_empty());
}

#[test]
fn shutdown_keeps_resting_orders_reports_everything_and_closes_connections() {
    let exchange = start();
    let mut feed = Feed::connect(exchange.market_data_addr());
    let mut a = Client::connect(exchange.order_entry_addr());
    a.request("LIMIT 1 BUY 10.00 5", &["ACK 1"]);
    a.send("LIMIT 2 SELL 11.00 2");
    a.send("LIMIT 3 SELL 11.00 4");
    a.sync();
    let (engine, journal) = exchange.shutdown().expect("clean shutdown");
    assert_eq!(engine.book().len(), 3, "shutting down is not a disconnect");
    assert_eq!(journal::decode(&journal).unwrap().commands.len(), 4);
    assert_eq!(a.try_recv(), None, "the session is closed after shutdown");
    feed.expect_update("BUY 10.00 5");
    feed.expect_update("SELL 11.00 2");
    feed.expect_update("SELL 11.00 6");
    let mut rest = String::new();
    assert_eq!(
        feed.reader.read_to_string(&mut rest).unwrap(),
        0,
        "the feed is closed after shutdown: {rest:?}"
    );
}
