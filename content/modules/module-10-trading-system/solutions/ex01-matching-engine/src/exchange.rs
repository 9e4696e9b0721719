//! The engine on the network: an order-entry gateway and a market-data feed (milestone 3).
//!
//! ```text
//!  client --TCP--> session reader --submit--> [pipeline: journal + engine thread] --batches--+
//!  client <--TCP-- session writer <--queue-- router (client ids, FILL/ACK/...) <-------------+
//!  md sub <--TCP-- md writer      <--queue-- market-data publisher (mirror book, md seq) <---+
//! ```
//!
//! Threads, not Tokio: one reader and one writer per connection, an acceptor per listener, and two
//! pipeline subscribers (router and publisher). The engine thread stays lock-free; the edges share
//! two small mutexes (routing table, market-data state) that are never held across blocking I/O.
//!
//! Neither the router nor the publisher ever blocks on a client: each connection has a bounded
//! outbound queue filled with `try_send`, and a client whose queue is full is disconnected. So a
//! stalled reader can cost itself its connection, never the engine its throughput.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use crate::command::Command;
use crate::engine::Engine;
use crate::event::Event;
use crate::pipeline::{
    self, EngineHandle, EventBatch, PipelineConfig, PipelineError, Subscription,
};
use crate::protocol::{self, ParseError, RejectCode, Report, Request, MAX_LINE_LEN};
use crate::types::{OrderId, Price, Qty, Side};

/// Where to listen and how much to buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeConfig {
    /// The order-entry listener (default `127.0.0.1:0`: any free port).
    pub order_entry: SocketAddr,
    /// The market-data listener (default `127.0.0.1:0`).
    pub market_data: SocketAddr,
    /// Capacity of the pipeline's command and subscriber queues (default 1024).
    pub queue_capacity: usize,
    /// Messages queued for one client connection before it counts as too slow and is disconnected
    /// (default 4096).
    pub client_queue_capacity: usize,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        ExchangeConfig {
            order_entry: any,
            market_data: any,
            queue_capacity: 1024,
            client_queue_capacity: 4096,
        }
    }
}

/// A running exchange: both listeners, the pipeline, and every thread around them.
pub struct Exchange<W> {
    order_entry_addr: SocketAddr,
    market_data_addr: SocketAddr,
    shared: Arc<Shared>,
    engine: Arc<EngineHandle<W>>,
    acceptors: Vec<JoinHandle<Vec<JoinHandle<()>>>>,
    router: JoinHandle<()>,
    publisher: JoinHandle<()>,
}

type SessionId = u64;

/// State shared by the edge threads. Lock order, where both are needed: `routes` before `md`
/// (no code path needs both today).
struct Shared {
    stopping: AtomicBool,
    next_order: AtomicU64,
    next_session: AtomicU64,
    client_queue_capacity: usize,
    routes: Mutex<Routes>,
    md: Mutex<MarketData>,
}

#[derive(Default)]
struct Routes {
    sessions: HashMap<SessionId, Session>,
    /// Every order the engine may still report on, by engine id.
    orders: HashMap<OrderId, Route>,
}

struct Session {
    out: SyncSender<Report>,
    stream: TcpStream,
    /// The session's live orders: client id to engine id.
    open: HashMap<u64, OrderId>,
}

struct Route {
    session: SessionId,
    cid: u64,
    leaves: Qty,
    /// Filled, cancelled or rejected: no more fills can come.
    done: bool,
    /// Cancels submitted for this order that the router has not seen yet: the route must outlive
    /// the order until their replies (possibly `REJECT UNKNOWN_ORDER`) have been routed.
    pending_cancels: u32,
}

#[derive(Default)]
struct MarketData {
    seq: u64,
    bids: BTreeMap<Price, Qty>,
    asks: BTreeMap<Price, Qty>,
    subscribers: Vec<MdSubscriber>,
}

struct MdSubscriber {
    out: SyncSender<Arc<str>>,
    stream: TcpStream,
}

impl<W: Write + Send + 'static> Exchange<W> {
    /// Binds both listeners, starts the pipeline (journaling to `journal`) and every thread.
    pub fn start(journal: W, config: ExchangeConfig) -> io::Result<Exchange<W>> {
        let orders = TcpListener::bind(config.order_entry)?;
        let md = TcpListener::bind(config.market_data)?;
        let order_entry_addr = orders.local_addr()?;
        let market_data_addr = md.local_addr()?;

        let (handle, mut subs) = pipeline::spawn(
            journal,
            PipelineConfig {
                queue_capacity: config.queue_capacity,
                subscribers: 2,
            },
        );
        let engine = Arc::new(handle);
        let shared = Arc::new(Shared {
            stopping: AtomicBool::new(false),
            next_order: AtomicU64::new(1),
            next_session: AtomicU64::new(1),
            client_queue_capacity: config.client_queue_capacity.max(1),
            routes: Mutex::new(Routes::default()),
            md: Mutex::new(MarketData::default()),
        });

        let md_feed = subs.pop().expect("two subscriptions");
        let reports = subs.pop().expect("two subscriptions");
        let router = spawn_named("router", {
            let shared = Arc::clone(&shared);
            move || route_reports(&shared, reports)
        })?;
        let publisher = spawn_named("md-publisher", {
            let shared = Arc::clone(&shared);
            move || publish_market_data(&shared, md_feed)
        })?;
        let order_acceptor = spawn_named("order-acceptor", {
            let shared = Arc::clone(&shared);
            let engine = Arc::clone(&engine);
            move || accept_sessions(orders, &shared, &engine)
        })?;
        let md_acceptor = spawn_named("md-acceptor", {
            let shared = Arc::clone(&shared);
            move || accept_subscribers(md, &shared)
        })?;
        Ok(Exchange {
            order_entry_addr,
            market_data_addr,
            shared,
            engine,
            acceptors: vec![order_acceptor, md_acceptor],
            router,
            publisher,
        })
    }

    /// The order-entry listener's address.
    pub fn order_entry_addr(&self) -> SocketAddr {
        self.order_entry_addr
    }

    /// The market-data listener's address.
    pub fn market_data_addr(&self) -> SocketAddr {
        self.market_data_addr
    }

    /// Stops accepting, stops reading requests (resting orders stay in the book: this is not a
    /// disconnect), lets the engine apply and report everything already submitted, delivers the
    /// queued reports and updates, closes every connection and returns the engine and the journal.
    pub fn shutdown(self) -> Result<(Engine, W), PipelineError> {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptors blocked in accept(); they see the flag and return their sessions.
        let _ = TcpStream::connect(self.order_entry_addr);
        let _ = TcpStream::connect(self.market_data_addr);
        let mut readers = Vec::new();
        for acceptor in self.acceptors {
            readers.extend(acceptor.join().map_err(|_| PipelineError::Panicked)?);
        }
        // Unblock every session reader; with `stopping` set they leave their orders alone.
        for session in lock(&self.shared.routes).sessions.values() {
            let _ = session.stream.shutdown(Shutdown::Read);
        }
        for reader in readers {
            reader.join().map_err(|_| PipelineError::Panicked)?;
        }
        let handle = Arc::try_unwrap(self.engine).map_err(|_| PipelineError::Panicked)?;
        let result = handle.shutdown();
        // The subscriptions end once the engine thread is gone: the router and the publisher
        // drain them and return.
        let router = self.router.join();
        let publisher = self.publisher.join();
        // Dropping the senders lets every writer flush what is queued and close its connection.
        lock(&self.shared.routes).sessions.clear();
        lock(&self.shared.md).subscribers.clear();
        if router.is_err() || publisher.is_err() {
            return Err(PipelineError::Panicked);
        }
        result
    }
}

fn spawn_named<T, F>(name: &str, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    thread::Builder::new().name(name.to_string()).spawn(f)
}

/// A poisoned lock means another edge thread panicked mid-update; the maps are still structurally
/// valid, so keep serving rather than cascade the panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Order entry
// ---------------------------------------------------------------------------------------------

fn accept_sessions<W: Send + 'static>(
    listener: TcpListener,
    shared: &Arc<Shared>,
    engine: &Arc<EngineHandle<W>>,
) -> Vec<JoinHandle<()>> {
    let mut readers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        readers.retain(|r| !r.is_finished());
        if let Some(reader) = open_session(stream, shared, engine) {
            readers.push(reader);
        }
    }
    readers
}

fn open_session<W: Send + 'static>(
    stream: TcpStream,
    shared: &Arc<Shared>,
    engine: &Arc<EngineHandle<W>>,
) -> Option<JoinHandle<()>> {
    let _ = stream.set_nodelay(true);
    let (Ok(for_writer), Ok(for_routes)) = (stream.try_clone(), stream.try_clone()) else {
        return None;
    };
    let id = shared.next_session.fetch_add(1, Ordering::Relaxed);
    let (out, rx) = mpsc::sync_channel(shared.client_queue_capacity);
    lock(&shared.routes).sessions.insert(
        id,
        Session {
            out: out.clone(),
            stream: for_routes,
            open: HashMap::new(),
        },
    );
    let writer = spawn_named("session-writer", move || {
        write_queue(rx, for_writer, |w, r: Report| writeln!(w, "{r}"))
    });
    let reader = spawn_named("session-reader", {
        let shared = Arc::clone(shared);
        let engine = Arc::clone(engine);
        move || run_session(id, stream, out, &shared, &engine)
    });
    match (writer, reader) {
        (Ok(_), Ok(reader)) => Some(reader),
        _ => {
            lock(&shared.routes).sessions.remove(&id);
            None
        }
    }
}

/// Drains one connection's outbound queue, flushing whenever it runs dry. Ends when every sender
/// is gone or the peer stops accepting bytes.
fn write_queue<T>(
    rx: Receiver<T>,
    stream: TcpStream,
    mut write: impl FnMut(&mut BufWriter<TcpStream>, T) -> io::Result<()>,
) {
    let mut w = BufWriter::new(stream);
    let result = (|| -> io::Result<()> {
        loop {
            let item = match rx.try_recv() {
                Ok(item) => item,
                Err(TryRecvError::Empty) => {
                    w.flush()?;
                    match rx.recv() {
                        Ok(item) => item,
                        Err(_) => break,
                    }
                }
                Err(TryRecvError::Disconnected) => break,
            };
            write(&mut w, item)?;
        }
        w.flush()
    })();
    if result.is_err() {
        let _ = w.get_ref().shutdown(Shutdown::Both);
    }
}

/// One session's request loop: parse, map client ids, submit. On disconnect (not on shutdown)
/// every live order of the session is cancelled.
fn run_session<W>(
    id: SessionId,
    stream: TcpStream,
    out: SyncSender<Report>,
    shared: &Shared,
    engine: &EngineHandle<W>,
) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        let limit = (MAX_LINE_LEN + 2) as u64;
        match reader.by_ref().take(limit).read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.len() > MAX_LINE_LEN {
            let _ = out.send(Report::Error {
                message: "line too long".into(),
            });
            break;
        }
        if text.trim().is_empty() {
            continue;
        }
        let reply = match protocol::parse_request(text) {
            Ok(request) => handle_request(id, request, shared, engine),
            Err(ParseError::Malformed(message)) => Some(Reply::Local(Report::Error { message })),
            Err(ParseError::BadPrice { cid }) => {
                Some(Reply::Local(RejectCode::BadPrice.reject(cid)))
            }
            Err(ParseError::BadQuantity { cid }) => {
                Some(Reply::Local(RejectCode::BadQuantity.reject(cid)))
            }
        };
        let open = match reply {
            Some(Reply::Local(report)) => out.send(report).is_ok(),
            Some(Reply::Stopped) => false,
            None => true,
        };
        if !open {
            break;
        }
    }
    if !shared.stopping.load(Ordering::SeqCst) {
        close_session(id, shared, engine);
    }
}

/// What the session reader answers itself; everything else comes back through the router.
enum Reply {
    Local(Report),
    Stopped,
}

fn handle_request<W>(
    session: SessionId,
    request: Request,
    shared: &Shared,
    engine: &EngineHandle<W>,
) -> Option<Reply> {
    let command = match request {
        Request::Limit {
            cid,
            side,
            price,
            qty,
        } => new_order(session, cid, shared, |id| Command::Limit {
            id,
            side,
            price,
            qty,
        }),
        Request::Market { cid, side, qty } => {
            new_order(session, cid, shared, |id| Command::Market { id, side, qty })
        }
        Request::Cancel { cid } => {
            let mut routes = lock(&shared.routes);
            let order = routes
                .sessions
                .get(&session)
                .and_then(|s| s.open.get(&cid).copied());
            match order.and_then(|id| routes.orders.get_mut(&id).map(|r| (id, r))) {
                Some((id, route)) => {
                    route.pending_cancels += 1;
                    Ok(Command::Cancel { id })
                }
                None => Err(RejectCode::UnknownOrder.reject(cid)),
            }
        }
    };
    match command {
        // Never submit while holding a lock: submit blocks when the engine is busy.
        Ok(cmd) => match engine.submit(cmd) {
            Ok(()) => None,
            Err(_) => Some(Reply::Stopped),
        },
        Err(report) => Some(Reply::Local(report)),
    }
}

impl RejectCode {
    fn reject(self, cid: u64) -> Report {
        Report::Reject { cid, code: self }
    }
}

/// Registers a new order under a fresh engine-wide id and builds its command, unless the client
/// id is already live in this session.
fn new_order(
    session: SessionId,
    cid: u64,
    shared: &Shared,
    command: impl FnOnce(OrderId) -> Command,
) -> Result<Command, Report> {
    let mut routes = lock(&shared.routes);
    let Some(open) = routes.sessions.get_mut(&session).map(|s| &mut s.open) else {
        return Err(RejectCode::UnknownOrder.reject(cid));
    };
    if open.contains_key(&cid) {
        return Err(RejectCode::DuplicateOrderId.reject(cid));
    }
    let id = OrderId(shared.next_order.fetch_add(1, Ordering::Relaxed));
    open.insert(cid, id);
    routes.orders.insert(
        id,
        Route {
            session,
            cid,
            leaves: Qty::ZERO,
            done: false,
            pending_cancels: 0,
        },
    );
    Ok(command(id))
}

/// Forgets the session and cancels its live orders, in engine-id order so the journal does not
/// depend on hash order.
fn close_session<W>(session: SessionId, shared: &Shared, engine: &EngineHandle<W>) {
    let mut live: Vec<OrderId> = {
        let mut routes = lock(&shared.routes);
        let Some(closed) = routes.sessions.remove(&session) else {
            return;
        };
        let _ = closed.stream.shutdown(Shutdown::Both);
        let ids: Vec<OrderId> = closed.open.into_values().collect();
        for id in &ids {
            if let Some(route) = routes.orders.get_mut(id) {
                route.pending_cancels += 1;
            }
        }
        ids
    };
    live.sort_unstable();
    for id in live {
        if engine.submit(Command::Cancel { id }).is_err() {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Execution reports
// ---------------------------------------------------------------------------------------------

fn route_reports(shared: &Shared, batches: Subscription) {
    for batch in batches {
        let mut routes = lock(&shared.routes);
        routes.route_batch(&batch);
    }
}

impl Routes {
    fn route_batch(&mut self, batch: &EventBatch) {
        for event in &batch.events {
            match *event {
                Event::Accepted { id, qty, .. } => {
                    if let Some(route) = self.orders.get_mut(&id) {
                        route.leaves = qty;
                        let (session, cid) = (route.session, route.cid);
                        self.send(session, Report::Ack { cid });
                    }
                }
                Event::Rejected { id, reason } => {
                    if let Some(route) = self.orders.get(&id) {
                        let (session, cid) = (route.session, route.cid);
                        self.send(session, RejectCode::from(reason).reject(cid));
                        // A rejected cancel says nothing about the order; a rejected order is over.
                        if !matches!(batch.command, Command::Cancel { .. }) {
                            self.finish(id);
                        }
                    }
                }
                Event::Trade {
                    taker,
                    maker,
                    price,
                    qty,
                    ..
                } => {
                    self.fill(taker, price, qty);
                    self.fill(maker, price, qty);
                }
                Event::Cancelled {
                    id,
                    remaining,
                    reason,
                } => {
                    if let Some(route) = self.orders.get(&id) {
                        let (session, cid) = (route.session, route.cid);
                        let report = Report::Cancelled {
                            cid,
                            remaining,
                            reason,
                        };
                        self.send(session, report);
                        self.finish(id);
                    }
                }
                Event::BookUpdate { .. } => {}
            }
        }
        if let Command::Cancel { id } = batch.command {
            if let Some(route) = self.orders.get_mut(&id) {
                route.pending_cancels = route.pending_cancels.saturating_sub(1);
                if route.done && route.pending_cancels == 0 {
                    self.orders.remove(&id);
                }
            }
        }
    }

    fn fill(&mut self, id: OrderId, price: Price, qty: Qty) {
        let Some(route) = self.orders.get_mut(&id) else {
            return;
        };
        route.leaves = Qty(route.leaves.0.saturating_sub(qty.0));
        let (session, cid, leaves) = (route.session, route.cid, route.leaves);
        self.send(
            session,
            Report::Fill {
                cid,
                price,
                qty,
                leaves,
            },
        );
        if leaves.is_zero() {
            self.finish(id);
        }
    }

    /// The order can no longer trade: free its client id, and its route unless a cancel for it is
    /// still in flight.
    fn finish(&mut self, id: OrderId) {
        let Some(route) = self.orders.get_mut(&id) else {
            return;
        };
        route.done = true;
        let (session, cid, pending) = (route.session, route.cid, route.pending_cancels);
        if let Some(s) = self.sessions.get_mut(&session) {
            if s.open.get(&cid) == Some(&id) {
                s.open.remove(&cid);
            }
        }
        if pending == 0 {
            self.orders.remove(&id);
        }
    }

    /// Queues a report without ever blocking; a client too slow to keep up is disconnected.
    fn send(&mut self, session: SessionId, report: Report) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        match s.out.try_send(report) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                // Its reader sees the closed socket and cancels the session's orders.
                let _ = s.stream.shutdown(Shutdown::Both);
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Market data
// ---------------------------------------------------------------------------------------------

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    }
}

fn publish_market_data(shared: &Shared, batches: Subscription) {
    let mut text = String::new();
    for batch in batches {
        text.clear();
        let mut md = lock(&shared.md);
        for event in &batch.events {
            if let Event::BookUpdate { side, price, qty } = *event {
                md.seq += 1;
                let levels = match side {
                    Side::Buy => &mut md.bids,
                    Side::Sell => &mut md.asks,
                };
                if qty.is_zero() {
                    levels.remove(&price);
                } else {
                    levels.insert(price, qty);
                }
                let _ = writeln!(
                    text,
                    "UPDATE {} {} {} {}",
                    md.seq,
                    side_name(side),
                    protocol::format_price(price),
                    qty.0
                );
            }
        }
        if text.is_empty() {
            continue;
        }
        let message: Arc<str> = Arc::from(text.as_str());
        md.subscribers
            .retain(|sub| match sub.out.try_send(Arc::clone(&message)) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    // Too far behind: cut it off; it can reconnect and start from a snapshot.
                    let _ = sub.stream.shutdown(Shutdown::Both);
                    false
                }
                Err(TrySendError::Disconnected(_)) => false,
            });
    }
}

fn accept_subscribers(listener: TcpListener, shared: &Shared) -> Vec<JoinHandle<()>> {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let (Ok(for_writer), Ok(for_state)) = (stream.try_clone(), stream.try_clone()) else {
            continue;
        };
        let (out, rx) = mpsc::sync_channel::<Arc<str>>(shared.client_queue_capacity);
        {
            // Snapshot and registration under one lock: the first update this subscriber is sent
            // is exactly the one after its snapshot.
            let mut md = lock(&shared.md);
            let snapshot = md.snapshot();
            if out.try_send(snapshot.into()).is_err() {
                continue;
            }
            md.subscribers.push(MdSubscriber {
                out,
                stream: for_state,
            });
        }
        let spawned = spawn_named("md-writer", move || {
            write_queue(rx, for_writer, |w, m: Arc<str>| w.write_all(m.as_bytes()))
        });
        if spawned.is_err() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
    Vec::new()
}

impl MarketData {
    /// `SNAPSHOT <seq> <n>` then `n` `LEVEL` lines: bids best first, then asks best first.
    fn snapshot(&self) -> String {
        let mut text = format!(
            "SNAPSHOT {} {}\n",
            self.seq,
            self.bids.len() + self.asks.len()
        );
        let bids = self.bids.iter().rev().map(|l| (Side::Buy, l));
        let asks = self.asks.iter().map(|l| (Side::Sell, l));
        for (side, (price, qty)) in bids.chain(asks) {
            let _ = writeln!(
                text,
                "LEVEL {} {} {}",
                side_name(side),
                protocol::format_price(*price),
                qty.0
            );
        }
        text
    }
}
