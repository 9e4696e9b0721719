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
//! The public API below is the contract the tests use. How you organise the inside is up to you:
//! add private modules (for example one for the per-connection task and one for the shared room
//! state) next to these.

pub mod codec;
pub mod protocol;
pub mod server;

pub use codec::{Frame, LineCodec};
pub use protocol::{ChatError, Command, MAX_NICK_LEN, MAX_ROOM_LEN};
pub use server::{Config, Server, ServerHandle};
