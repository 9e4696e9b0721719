//! Running the API on a socket, and stopping it again.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::store::NoteStore;

/// Why starting or stopping the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// hyper could not use the listener or failed while serving.
    #[error("HTTP server error: {0}")]
    Hyper(#[from] hyper::Error),
    /// The server task panicked or was cancelled.
    #[error("server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A running server. Dropping the handle also starts a graceful shutdown, but does not wait for it;
/// call [`ServerHandle::shutdown`] to stop the server and wait until it has stopped.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    /// Send (or drop) to ask the server to stop.
    stop: oneshot::Sender<()>,
    /// The task running hyper's server future.
    task: JoinHandle<Result<(), hyper::Error>>,
}

impl ServerHandle {
    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server to stop.
    pub async fn shutdown(self) -> Result<(), ServeError> {
        todo!()
    }
}

/// Serves the notes API on `listener` in a background task, using `store` for every request.
///
/// Must be called from inside a Tokio runtime. The listener may be bound to port 0; read the real address
/// back with [`ServerHandle::local_addr`]. Use hyper 0.14's `Server::from_tcp`, `make_service_fn`,
/// `service_fn` and `with_graceful_shutdown`.
pub fn serve(listener: TcpListener, store: Arc<dyn NoteStore>) -> Result<ServerHandle, ServeError> {
    todo!()
}
