//! A multi-room chat server over TCP, on Tokio.
//!
//! Clients speak a line protocol (UTF-8, one message per `\n`-terminated line, `\r\n` accepted):
//!
//! | client sends   | the client receives             | others in its room receive                   |
//! |----------------|---------------------------------|----------------------------------------------|
//! | `/nick <name>` | `OK nick <name>`                | `NICK <room> <old> <name>` (if it had a nick) |
//! | `/join <room>` | `OK join <room>`                | `JOIN <room> <nick>`, and `LEAVE` in the old room |
//! | `/leave`       | `OK leave <room>`               | `LEAVE <room> <nick>`                        |
//! | `/rooms`       | `ROOMS <room>:<count> ...`      |                                              |
//! | `/who`         | `WHO <room> <nick> ...`         |                                              |
//! | `/quit`        | `BYE`, then end of stream       | `LEAVE <room> <nick>`                        |
//! | other text     | nothing                         | `MSG <room> <nick> <text>`                   |
//!
//! Failures are answered with `ERR <code> <text>` (see [`ChatError::code`]) and leave the connection
//! open; only `ERR server-full` is followed by a close. On shutdown every client receives
//! `BYE shutdown` as its last line.
//!
//! Architecture: one task accepts connections, one task per connection does its I/O, and one *hub*
//! task owns all shared state (nicks, rooms, per-client outboxes) and is reached by message passing.

mod connection;
mod hub;

pub mod codec;
pub mod protocol;
pub mod server;

pub use codec::{Frame, LineCodec};
pub use protocol::{ChatError, Command, MAX_NICK_LEN, MAX_ROOM_LEN};
pub use server::{Config, Server, ServerHandle};
