//! A client for one cache node. Any node accepts any key: it forwards to the owner.

use std::time::Duration;

use tokio::net::{TcpStream, ToSocketAddrs};

use crate::error::CacheError;
use crate::protocol::{read_frame, write_frame, Op, Request, Response};

/// One connection to one node. Requests on a connection are answered in order.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
}

impl Client {
    /// Connects to a node.
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<Client, CacheError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Client { stream })
    }

    /// The value of `key`, wherever it lives in the cluster.
    pub async fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, CacheError> {
        let response = self
            .call(Request {
                op: Op::Get { key: key.to_vec() },
                hops: 0,
                local_only: false,
            })
            .await?;
        value_or_none(response)
    }

    /// The value of `key` in this node's own store, without forwarding. For tests and diagnostics.
    pub async fn get_local(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, CacheError> {
        let response = self
            .call(Request {
                op: Op::Get { key: key.to_vec() },
                hops: 0,
                local_only: true,
            })
            .await?;
        value_or_none(response)
    }

    /// Stores `value` under `key` on its owner, with an optional time to live.
    pub async fn set(
        &mut self,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let op = Op::Set {
            key: key.to_vec(),
            value: value.to_vec(),
            ttl,
        };
        match self
            .call(Request {
                op,
                hops: 0,
                local_only: false,
            })
            .await?
        {
            Response::Ok => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Deletes `key`; returns whether it existed. A node's error reply becomes [`CacheError::Remote`].
    pub async fn delete(&mut self, key: &[u8]) -> Result<bool, CacheError> {
        match self
            .call(Request {
                op: Op::Delete { key: key.to_vec() },
                hops: 0,
                local_only: false,
            })
            .await?
        {
            Response::Deleted => Ok(true),
            Response::NotFound => Ok(false),
            other => Err(unexpected(other)),
        }
    }

    /// Sends one request and waits for its response. Used by nodes to forward requests too.
    pub async fn call(&mut self, request: Request) -> Result<Response, CacheError> {
        write_frame(&mut self.stream, &request.encode()).await?;
        match read_frame(&mut self.stream).await? {
            Some(body) => Response::decode(&body),
            None => Err(CacheError::Protocol(
                "connection closed before the response".into(),
            )),
        }
    }
}

fn value_or_none(response: Response) -> Result<Option<Vec<u8>>, CacheError> {
    match response {
        Response::Value(v) => Ok(Some(v)),
        Response::NotFound => Ok(None),
        other => Err(unexpected(other)),
    }
}

fn unexpected(response: Response) -> CacheError {
    match response {
        Response::Error(message) => CacheError::Remote(message),
        other => CacheError::Protocol(format!("unexpected response {other:?}")),
    }
}
