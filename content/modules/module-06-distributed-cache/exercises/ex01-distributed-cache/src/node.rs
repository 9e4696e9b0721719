//! A cache node: serves keys it owns from its local [`LruCache`] and forwards the others to their owner.

use std::time::Duration;

use tokio::net::TcpListener;

use crate::cache::LruCache;
use crate::client::Client;
use crate::error::CacheError;
use crate::protocol::{Op, Request, Response};
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

/// Serves cache requests on `listener` until the task is dropped.
///
/// For each request: if it is `local_only`, or this node owns the key (`config.ring.owner(key) == config.id`),
/// or the ring is empty, apply it to the local [`LruCache`]. Otherwise forward it to the owner with `hops + 1`,
/// unless `hops` has reached [`MAX_HOPS`], in which case answer with an error. A forward that fails or takes
/// longer than `forward_timeout` is answered with an error too. A request that does not decode is answered
/// with an error and the connection is closed. Never hold the store's lock across an `.await`.
pub async fn serve(listener: TcpListener, config: NodeConfig) -> std::io::Result<()> {
    todo!("milestone 2")
}
