//! A cache node: serves keys it owns from its local [`LruCache`] and forwards the others to their owner.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};

use crate::cache::LruCache;
use crate::client::Client;
use crate::error::CacheError;
use crate::protocol::{read_frame, write_frame, Op, Request, Response};
use crate::ring::HashRing;

/// A request that has been forwarded this many times is not forwarded again: it fails instead. Two nodes with
/// disagreeing rings would otherwise bounce it between them forever.
pub const MAX_HOPS: u8 = 2;

/// Everything a node needs to know. Node ids on the ring are the nodes' `host:port` addresses.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// This node's id: its address as it appears on the ring.
    pub id: String,
    /// The cluster's ring (static membership in milestone 2).
    pub ring: HashRing,
    /// Budget of the local store.
    pub capacity_bytes: usize,
    /// Limit for a forwarded request, connection included.
    pub forward_timeout: Duration,
}

struct Node {
    config: NodeConfig,
    store: Mutex<LruCache>,
}

/// Serves cache requests on `listener` until the task is dropped.
///
/// For each request: if it is `local_only`, or this node owns the key (`config.ring.owner(key) == config.id`),
/// or the ring is empty, apply it to the local [`LruCache`]. Otherwise forward it to the owner with `hops + 1`,
/// unless `hops` has reached [`MAX_HOPS`], in which case answer with an error. A forward that fails or takes
/// longer than `forward_timeout` is answered with an error too. A request that does not decode is answered
/// with an error and the connection is closed. Never hold the store's lock across an `.await`.
pub async fn serve(listener: TcpListener, config: NodeConfig) -> std::io::Result<()> {
    let store = Mutex::new(LruCache::new(config.capacity_bytes));
    let node = Arc::new(Node { config, store });
    loop {
        let (socket, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Transient (e.g. out of file descriptors): back off instead of dying.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let node = node.clone();
        tokio::spawn(async move {
            let _ = node.handle(socket).await; // a failed connection concerns only its client
        });
    }
}

impl Node {
    async fn handle(&self, socket: TcpStream) -> Result<(), CacheError> {
        let (reader, mut writer) = socket.into_split();
        let mut reader = BufReader::new(reader);
        while let Some(body) = read_frame(&mut reader).await? {
            let response = match Request::decode(&body) {
                Ok(request) => self.dispatch(request).await,
                Err(err) => {
                    // The stream is no longer trustworthy: answer once, then close.
                    write_frame(&mut writer, &Response::Error(err.to_string()).encode()).await?;
                    return Err(err);
                }
            };
            write_frame(&mut writer, &response.encode()).await?;
        }
        Ok(())
    }

    async fn dispatch(&self, request: Request) -> Response {
        let owner = match self.config.ring.owner(request.op.key()) {
            Some(owner) if !request.local_only && owner != self.config.id => owner.to_string(),
            _ => return self.apply(request.op), // ours, local-only, or an empty ring
        };
        if request.hops >= MAX_HOPS {
            return Response::Error(format!("hop limit exceeded forwarding to {owner}"));
        }
        let forwarded = Request {
            hops: request.hops + 1,
            ..request
        };
        match tokio::time::timeout(self.config.forward_timeout, forward(&owner, forwarded)).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => Response::Error(format!("owner {owner} failed: {err}")),
            Err(_) => Response::Error(format!("owner {owner} timed out")),
        }
    }

    /// Applies an operation to the local store. Never awaits while holding the lock.
    fn apply(&self, op: Op) -> Response {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        match op {
            Op::Get { key } => match store.get(&key) {
                Some(value) => Response::Value(value.to_vec()),
                None => Response::NotFound,
            },
            Op::Set { key, value, ttl } => {
                if store.put(key, value, ttl) {
                    Response::Ok
                } else {
                    Response::Error("value larger than the node's capacity".into())
                }
            }
            Op::Delete { key } => {
                if store.remove(&key) {
                    Response::Deleted
                } else {
                    Response::NotFound
                }
            }
        }
    }
}

/// Sends a request to another node over a fresh connection. (A connection pool per peer is the obvious
/// optimisation; see the commentary.)
async fn forward(owner: &str, request: Request) -> Result<Response, CacheError> {
    let mut client = Client::connect(owner).await?;
    client.call(request).await
}
