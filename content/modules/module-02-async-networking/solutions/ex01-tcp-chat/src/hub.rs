//! The hub: one task that owns every piece of shared state (nicks, rooms, outboxes).
//!
//! Connections talk to it over a bounded `mpsc` channel. Because only this task touches the maps, there
//! are no locks, and every state change and the notifications it causes happen in one order.
//!
//! Everything a client receives from the hub, replies included, goes through that client's single
//! outbox, so it sees its replies and its room's events in exactly the order the hub produced them.
//! (Replies sent back on a `oneshot` instead would race the outbox: a message from the old room, already
//! queued, could then be written *after* `OK leave`.) The `oneshot` in `Request::Command` only
//! acknowledges that a command has been handled, so the connection can keep its own error lines in order.
//!
//! The hub never awaits anything except its own inbox. In particular it delivers to clients with
//! `try_send`: a client whose outbox is full is too slow and is disconnected, so one stuck client
//! can never stall the hub and, through it, everyone else.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::protocol::{ChatError, Command};

/// Identifies one connection for its whole life, independent of its (changeable) nick.
pub(crate) type ClientId = u64;

/// A line queued for a client, shared by every recipient of a broadcast (one allocation per message).
pub(crate) type Line = Arc<str>;

/// The outcome of a command: a reply for the sender (`None` when there is nothing to say), or an error.
type Reply = Result<Option<String>, ChatError>;

/// Messages from connections to the hub.
enum Request {
    /// A new connection and the outbox through which it receives every line the hub has for it.
    Connect {
        id: ClientId,
        outbox: mpsc::Sender<Line>,
        kick: CancellationToken,
    },
    /// Run a command for `id`, queue the reply in its outbox, then signal `done`.
    Command {
        id: ClientId,
        command: Command,
        done: oneshot::Sender<()>,
    },
    /// The connection has ended: free its nick and take it out of its room.
    Disconnect { id: ClientId },
}

/// The hub is gone (the server is shutting down) or has already dropped this client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gone;

/// A cheap, cloneable handle connections use to talk to the hub.
#[derive(Debug, Clone)]
pub(crate) struct HubHandle {
    tx: mpsc::Sender<Request>,
}

impl HubHandle {
    /// Registers a connection. `outbox` receives everything the hub sends it; `kick` is cancelled
    /// when the hub drops the client (slow consumer), so the connection can stop at once.
    pub(crate) async fn connect(
        &self,
        id: ClientId,
        outbox: mpsc::Sender<Line>,
        kick: CancellationToken,
    ) -> Result<(), Gone> {
        self.tx
            .send(Request::Connect { id, outbox, kick })
            .await
            .map_err(|_| Gone)
    }

    /// Runs a command on behalf of `id` and waits until the hub has handled it. By then the reply, if
    /// any, is in the client's outbox, behind everything the hub queued for it earlier.
    pub(crate) async fn command(&self, id: ClientId, command: Command) -> Result<(), Gone> {
        let (done, handled) = oneshot::channel();
        self.tx
            .send(Request::Command { id, command, done })
            .await
            .map_err(|_| Gone)?;
        // A dropped `done` means the hub evicted this client while the command was queued.
        handled.await.map_err(|_| Gone)
    }

    /// Removes `id` from its room and frees its nick. Harmless if the hub already dropped it.
    pub(crate) async fn disconnect(&self, id: ClientId) {
        // If the hub has already stopped there is nothing left to clean up.
        let _ = self.tx.send(Request::Disconnect { id }).await;
    }
}

/// Starts the hub task. It runs until every [`HubHandle`] has been dropped.
pub(crate) fn spawn(inbox_capacity: usize) -> (HubHandle, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(inbox_capacity);
    let task = tokio::spawn(Hub::default().run(rx));
    (HubHandle { tx }, task)
}

#[derive(Debug)]
struct Client {
    nick: Option<String>,
    room: Option<String>,
    outbox: mpsc::Sender<Line>,
    kick: CancellationToken,
}

#[derive(Debug, Default)]
struct Hub {
    clients: HashMap<ClientId, Client>,
    nicks: HashMap<String, ClientId>,
    /// Sorted so that `/rooms` needs no extra sort; a room exists only while it has members.
    rooms: BTreeMap<String, BTreeSet<ClientId>>,
    /// Clients whose outbox overflowed or closed during a delivery, to be removed once it finishes.
    evictions: Vec<ClientId>,
}

impl Hub {
    async fn run(mut self, mut inbox: mpsc::Receiver<Request>) {
        while let Some(request) = inbox.recv().await {
            match request {
                Request::Connect { id, outbox, kick } => {
                    let client = Client {
                        nick: None,
                        room: None,
                        outbox,
                        kick,
                    };
                    self.clients.insert(id, client);
                }
                Request::Command { id, command, done } => {
                    // An unknown id was evicted while this command waited in the inbox; dropping
                    // `done` tells the connection so.
                    if self.clients.contains_key(&id) {
                        let reply = match self.execute(id, command) {
                            Ok(reply) => reply,
                            Err(error) => Some(error.to_line()),
                        };
                        if let Some(reply) = reply {
                            self.send_to(id, reply.into());
                        }
                        // The connection may have gone away meanwhile; then nobody needs the ack.
                        let _ = done.send(());
                    }
                }
                Request::Disconnect { id } => self.evictions.push(id),
            }
            // Removing a client notifies its room, which can overflow further outboxes: repeat until
            // no more evictions are pending.
            while let Some(id) = self.evictions.pop() {
                self.remove(id);
            }
        }
    }

    fn execute(&mut self, id: ClientId, command: Command) -> Reply {
        match command {
            Command::Nick(nick) => self.set_nick(id, nick),
            Command::Join(room) => self.join(id, room),
            Command::Leave => self.leave(id),
            Command::Rooms => Ok(Some(self.rooms_line())),
            Command::Who => self.who(id),
            Command::Say(text) => self.say(id, &text),
            // The connection answers /quit itself and never forwards it.
            Command::Quit => Ok(None),
        }
    }

    fn set_nick(&mut self, id: ClientId, nick: String) -> Reply {
        let ok = format!("OK nick {nick}");
        match self.nicks.get(&nick) {
            Some(&owner) if owner == id => return Ok(Some(ok)),
            Some(_) => return Err(ChatError::NickTaken(nick)),
            None => {}
        }
        let Some(client) = self.clients.get_mut(&id) else {
            return Ok(None);
        };
        let old = client.nick.replace(nick.clone());
        let room = client.room.clone();
        self.nicks.insert(nick.clone(), id);
        if let Some(old) = old {
            self.nicks.remove(&old);
            if let Some(room) = room {
                self.broadcast(&room, Some(id), format!("NICK {room} {old} {nick}"));
            }
        }
        Ok(Some(ok))
    }

    fn join(&mut self, id: ClientId, room: String) -> Reply {
        let Some(client) = self.clients.get(&id) else {
            return Ok(None);
        };
        let Some(nick) = client.nick.clone() else {
            return Err(ChatError::NoNick);
        };
        if client.room.as_deref() == Some(room.as_str()) {
            return Ok(Some(format!("OK join {room}")));
        }
        self.leave_room(id, &nick);
        self.rooms.entry(room.clone()).or_default().insert(id);
        if let Some(client) = self.clients.get_mut(&id) {
            client.room = Some(room.clone());
        }
        self.broadcast(&room, Some(id), format!("JOIN {room} {nick}"));
        Ok(Some(format!("OK join {room}")))
    }

    fn leave(&mut self, id: ClientId) -> Reply {
        let Some(client) = self.clients.get(&id) else {
            return Ok(None);
        };
        let (Some(nick), Some(room)) = (client.nick.clone(), client.room.clone()) else {
            return Err(ChatError::NotInRoom);
        };
        self.leave_room(id, &nick);
        Ok(Some(format!("OK leave {room}")))
    }

    fn who(&self, id: ClientId) -> Reply {
        let room = self
            .clients
            .get(&id)
            .and_then(|c| c.room.as_ref())
            .ok_or(ChatError::NotInRoom)?;
        let mut nicks: Vec<&str> = self
            .rooms
            .get(room)
            .into_iter()
            .flatten()
            .filter_map(|member| self.nick_of(*member))
            .collect();
        nicks.sort_unstable();
        let mut line = format!("WHO {room}");
        for nick in nicks {
            line.push(' ');
            line.push_str(nick);
        }
        Ok(Some(line))
    }

    fn say(&mut self, id: ClientId, text: &str) -> Reply {
        let Some(client) = self.clients.get(&id) else {
            return Ok(None);
        };
        let nick = client.nick.clone().ok_or(ChatError::NoNick)?;
        let room = client.room.clone().ok_or(ChatError::NotInRoom)?;
        self.broadcast(&room, Some(id), format!("MSG {room} {nick} {text}"));
        Ok(None)
    }

    fn rooms_line(&self) -> String {
        let mut line = String::from("ROOMS");
        for (name, members) in &self.rooms {
            line.push_str(&format!(" {name}:{}", members.len()));
        }
        line
    }

    fn nick_of(&self, id: ClientId) -> Option<&str> {
        self.clients.get(&id).and_then(|c| c.nick.as_deref())
    }

    /// Takes `id` out of its current room (if any), deletes the room if it became empty, and tells
    /// the remaining members.
    fn leave_room(&mut self, id: ClientId, nick: &str) {
        let Some(room) = self.clients.get_mut(&id).and_then(|c| c.room.take()) else {
            return;
        };
        if let Some(members) = self.rooms.get_mut(&room) {
            members.remove(&id);
            if members.is_empty() {
                self.rooms.remove(&room);
                return;
            }
        }
        self.broadcast(&room, None, format!("LEAVE {room} {nick}"));
    }

    /// Forgets a client entirely and stops its connection.
    fn remove(&mut self, id: ClientId) {
        let Some(client) = self.clients.get(&id) else {
            return;
        };
        // Cancelling is how a slow client is cut off even while its connection is blocked writing.
        // For a client that disconnected by itself it is a harmless no-op.
        client.kick.cancel();
        if let Some(nick) = client.nick.clone() {
            self.leave_room(id, &nick);
            if self.nicks.get(&nick) == Some(&id) {
                self.nicks.remove(&nick);
            }
        }
        self.clients.remove(&id);
    }

    /// Queues `line` for one client, scheduling it for eviction if its outbox is full or closed.
    fn send_to(&mut self, id: ClientId, line: Line) {
        if let Some(client) = self.clients.get(&id) {
            if client.outbox.try_send(line).is_err() {
                self.evictions.push(id);
            }
        }
    }

    /// Queues `line` for every member of `room` except `except`. Never waits: a member whose outbox
    /// is full (too slow) or closed (connection gone) is scheduled for eviction instead.
    fn broadcast(&mut self, room: &str, except: Option<ClientId>, line: String) {
        let line: Line = line.into();
        let Some(members) = self.rooms.get(room) else {
            return;
        };
        for &member in members {
            if Some(member) == except {
                continue;
            }
            if let Some(client) = self.clients.get(&member) {
                if client.outbox.try_send(Arc::clone(&line)).is_err() {
                    self.evictions.push(member);
                }
            }
        }
    }
}
