//! Real-time notifications over WebSocket, hand-written on Tokio.
//!
//! * [`handshake`]: the HTTP/1.1 request head and the opening handshake (`Sec-WebSocket-Accept`).
//! * [`frame`]: frames and the server-side codec (clients mask, servers do not).
//! * [`hub`]: topics as `tokio::sync::broadcast` channels.
//! * [`server`]: the accept loop, `POST /publish/{topic}`, configuration and shutdown.
//!
//! The session protocol, in JSON text frames:
//!
//! ```text
//! client → {"subscribe": "orders"}           server → {"subscribed": "orders"}
//! client → {"unsubscribe": "orders"}         server → {"unsubscribed": "orders"}
//! client → anything else                     server → {"error": "..."}
//!                                            server → {"topic": "orders", "payload": ...}
//!                                            server → {"lagged": "orders", "missed": 12}
//! ```

mod connection;
pub mod frame;
pub mod handshake;
pub mod hub;
pub mod server;

pub use frame::{close_code, Frame, OpCode, ProtocolError, WsCodec};
pub use handshake::accept_key;
pub use hub::Hub;
pub use server::{serve, Config, ServerHandle, SlowConsumerPolicy};
