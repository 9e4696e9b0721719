//! Milestone 2: the broker on the network.
//!
//! One acceptor thread and one thread per connection, all sharing the [`Broker`] behind a mutex. A long-polling
//! FETCH waits on a condition variable that every produce and every released lease signals, with the mutex
//! released while it waits, so a waiting consumer never blocks other clients. Each connection remembers the
//! leases it was handed; when it closes, every one it did not ack or NACK is NACKed with requeue, so another
//! member of the group gets the message at once instead of after the ack deadline.
//!
//! The wire protocol is in [`crate::protocol`]'s documentation and the exercise README.

use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::broker::Broker;
use crate::error::{ErrorCode, MqError};
use crate::protocol::{self, Reply, Request};

/// Settings of a [`Server`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The largest frame body (the bytes after the length prefix) the server accepts. A frame announcing more
    /// closes its connection before any of its body is read.
    pub max_frame_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_frame_bytes: 8 << 20,
        }
    }
}

/// A running broker server. Dropping it shuts it down like [`Server::shutdown`].
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    broker: Mutex<Broker>,
    /// Signalled after every produce and every released lease: a long-polling fetch may now find messages.
    changed: Condvar,
    stopping: AtomicBool,
    config: ServerConfig,
    /// A clone of every open connection's stream, to close them at shutdown.
    connections: Mutex<HashMap<u64, TcpStream>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The leases handed out over one connection and not yet acked or NACKed over it: (group, topic, offset) to
/// attempt.
type Leases = HashMap<(String, String, u64), u32>;

impl Server {
    /// Binds `addr` (use `127.0.0.1:0` for a free port) and serves `broker` on it until shut down.
    pub fn start(
        addr: impl ToSocketAddrs,
        broker: Broker,
        config: ServerConfig,
    ) -> Result<Server, MqError> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            broker: Mutex::new(broker),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            config,
            connections: Mutex::new(HashMap::new()),
            workers: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("mq-acceptor".into())
                .spawn(move || accept_loop(listener, shared))?
        };
        Ok(Server {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every connection (releasing its leases), waits for every thread, and closes
    /// the broker, so its directory can be opened again.
    pub fn shutdown(mut self) -> Result<(), MqError> {
        self.stop();
        Ok(())
    }

    fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        {
            // Taking the lock orders the flag before any waiter's next check.
            let _broker = lock(&self.shared.broker);
            self.shared.changed.notify_all();
        }
        // Wake the acceptor out of `accept` with a connection of our own.
        let _ = TcpStream::connect(self.addr);
        let _ = acceptor.join();
        for stream in lock(&self.shared.connections).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        for worker in workers {
            let _ = worker.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let id = next_id;
        next_id += 1;
        lock(&shared.connections).insert(id, clone);
        let worker = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name(format!("mq-conn-{id}"))
                .spawn(move || {
                    let _ = serve(&shared, stream);
                    lock(&shared.connections).remove(&id);
                })
        };
        match worker {
            Ok(handle) => {
                let mut workers = lock(&shared.workers);
                workers.retain(|w| !w.is_finished());
                workers.push(handle);
            }
            Err(_) => {
                lock(&shared.connections).remove(&id);
            }
        }
    }
}

/// Serves one connection until the client closes it, sends something that is not the protocol, or the
/// server stops; then releases the connection's leases.
fn serve(shared: &Shared, stream: TcpStream) -> io::Result<()> {
    let mut leases = Leases::new();
    let result = serve_requests(shared, &stream, &mut leases);
    let _ = stream.shutdown(Shutdown::Both);
    if !leases.is_empty() {
        let mut broker = lock(&shared.broker);
        for ((group, topic, offset), attempt) in leases {
            // A lease that expired or was acked by another member meanwhile makes this a no-op or a
            // StaleLease, which is what we want: only the current holder's lease is released.
            let _ = broker.nack(&group, &topic, offset, attempt, true);
        }
        shared.changed.notify_all();
    }
    result
}

fn serve_requests(shared: &Shared, stream: &TcpStream, leases: &mut Leases) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream);
    let mut writer = BufWriter::new(stream);
    while let Some(body) = protocol::read_frame(&mut reader, shared.config.max_frame_bytes)? {
        let Some((correlation_id, request)) = Request::decode(&body) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed request",
            ));
        };
        let kind = request.kind();
        let result = handle(shared, request, leases).map_err(|e| {
            let code = ErrorCode::of(&e);
            (code.as_u8(), e.to_string())
        });
        protocol::write_frame(
            &mut writer,
            &protocol::encode_response(kind, correlation_id, &result),
        )?;
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
    }
    Ok(())
}

fn handle(shared: &Shared, request: Request, leases: &mut Leases) -> Result<Reply, MqError> {
    match request {
        Request::Produce { topic, payload } => {
            let offset = lock(&shared.broker).produce(&topic, &payload)?;
            shared.changed.notify_all();
            Ok(Reply::Offset(offset))
        }
        Request::Fetch {
            group,
            topic,
            max,
            max_wait_ms,
        } => {
            let deliveries = fetch(shared, &group, &topic, max, max_wait_ms)?;
            for d in &deliveries {
                leases.insert((group.clone(), topic.clone(), d.offset), d.attempt);
            }
            Ok(Reply::Deliveries(deliveries))
        }
        Request::Ack {
            group,
            topic,
            offset,
            attempt,
        } => {
            let result = lock(&shared.broker).ack_delivery(&group, &topic, offset, attempt);
            forget(leases, group, topic, offset, attempt);
            result.map(|()| Reply::Done)
        }
        Request::Nack {
            group,
            topic,
            offset,
            attempt,
            requeue,
        } => {
            let result = lock(&shared.broker).nack(&group, &topic, offset, attempt, requeue);
            forget(leases, group, topic, offset, attempt);
            shared.changed.notify_all();
            result.map(|()| Reply::Done)
        }
        Request::Committed { group, topic } => Ok(Reply::Committed(
            lock(&shared.broker).committed_offset(&group, &topic),
        )),
    }
}

/// The connection no longer holds delivery `attempt` of this message, whatever the broker answered.
fn forget(leases: &mut Leases, group: String, topic: String, offset: u64, attempt: u32) {
    let key = (group, topic, offset);
    if leases.get(&key) == Some(&attempt) {
        leases.remove(&key);
    }
}

/// `Broker::receive`, waiting up to `max_wait_ms` for messages when there are none yet.
fn fetch(
    shared: &Shared,
    group: &str,
    topic: &str,
    max: u32,
    max_wait_ms: u32,
) -> Result<Vec<crate::Delivery>, MqError> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let deadline = Instant::now() + Duration::from_millis(u64::from(max_wait_ms));
    let mut broker = lock(&shared.broker);
    loop {
        let deliveries = broker.receive(group, topic, max)?;
        let now = Instant::now();
        if !deliveries.is_empty()
            || max == 0
            || now >= deadline
            || shared.stopping.load(Ordering::SeqCst)
        {
            return Ok(deliveries);
        }
        broker = shared
            .changed
            .wait_timeout(broker, deadline - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}
