//! A client for one cache node. Any node accepts any key: it forwards to the owner.

use std::time::Duration;

use tokio::net::{TcpStream, ToSocketAddrs};

use crate::error::CacheError;
use crate::protocol::{Op, Request, Response};

/// One connection to one node. Requests on a connection are answered in order.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
}

impl Client {
    /// Connects to a node.
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<Client, CacheError> {
        todo!("milestone 2")
    }

    /// The value of `key`, wherever it lives in the cluster.
    pub async fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, CacheError> {
        todo!("milestone 2")
    }

    /// The value of `key` in this node's own store, without forwarding. For tests and diagnostics.
    pub async fn get_local(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, CacheError> {
        todo!("milestone 2")
    }

    /// Stores `value` under `key` on its owner, with an optional time to live.
    pub async fn set(
        &mut self,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        todo!("milestone 2")
    }

    /// Deletes `key`; returns whether it existed. A node's error reply becomes [`CacheError::Remote`].
    pub async fn delete(&mut self, key: &[u8]) -> Result<bool, CacheError> {
        todo!("milestone 2")
    }

    /// Sends one request and waits for its response. Used by nodes to forward requests too.
    pub async fn call(&mut self, request: Request) -> Result<Response, CacheError> {
        todo!("milestone 2")
    }
}
