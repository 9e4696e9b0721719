//! Running the API on a socket, and stopping it again.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use hyper::service::{make_service_fn, service_fn};
use hyper::Server;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::api::handle;
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
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), hyper::Error>>,
}

impl ServerHandle {
    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server to stop.
    pub async fn shutdown(self) -> Result<(), ServeError> {
        // If the server already stopped on its own, the receiver is gone; the join below reports why.
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}

/// Serves the notes API on `listener` in a background task, using `store` for every request.
///
/// Must be called from inside a Tokio runtime. The listener may be bound to port 0; read the real address
/// back with [`ServerHandle::local_addr`].
pub fn serve(listener: TcpListener, store: Arc<dyn NoteStore>) -> Result<ServerHandle, ServeError> {
    let builder = Server::from_tcp(listener)?;

    // hyper calls the outer closure once per connection and the inner one once per request; each level
    // clones the Arc so that every future owns what it uses (`'static`, as `tokio::spawn` requires).
    let make_service = make_service_fn(move |_conn| {
        let store = Arc::clone(&store);
        async move {
            Ok::<_, Infallible>(service_fn(move |req| {
                let store = Arc::clone(&store);
                async move { Ok::<_, Infallible>(handle(req, store).await) }
            }))
        }
    });

    let server = builder.serve(make_service);
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let graceful = server.with_graceful_shutdown(async {
        // Either an explicit stop or a dropped sender ends the wait; both mean "shut down".
        let _ = stopped.await;
    });
    let task = tokio::spawn(graceful);
    Ok(ServerHandle { addr, stop, task })
}
