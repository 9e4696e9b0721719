//! From a [`Frame`] to a typed [`Command`].
//!
//! Parsing validates everything that can be validated without looking at the keyspace: the command name,
//! the number of arguments, option syntax and integer arguments. Execution ([`crate::Db::execute`]) then
//! only deals with the keyspace.

use bytes::Bytes;

use crate::frame::Frame;

/// A parsed client command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `PING [message]`.
    Ping(Option<Bytes>),
    /// `ECHO message`.
    Echo(Bytes),
    /// `GET key`.
    Get(Bytes),
    /// `SET key value [NX|XX] [EX seconds|PX milliseconds|KEEPTTL]`.
    Set(SetArgs),
    /// `DEL key [key ...]`.
    Del(Vec<Bytes>),
    /// `EXISTS key [key ...]`.
    Exists(Vec<Bytes>),
    /// `INCR`, `DECR`, `INCRBY` and `DECRBY`, normalised to a signed delta.
    IncrBy {
        /// The key to change.
        key: Bytes,
        /// The amount to add (negative for `DECR`/`DECRBY`).
        delta: i64,
    },
    /// `EXPIRE key seconds` and `PEXPIRE key milliseconds`, normalised to milliseconds.
    Expire {
        /// The key whose deadline to set.
        key: Bytes,
        /// Time to live from now; zero or negative deletes the key.
        millis: i64,
    },
    /// `TTL key` (`millis == false`) and `PTTL key` (`millis == true`).
    Ttl {
        /// The key to inspect.
        key: Bytes,
        /// Whether to answer in milliseconds.
        millis: bool,
    },
    /// `PERSIST key`.
    Persist(Bytes),
    /// `LPUSH key element [element ...]` and `RPUSH key element [element ...]`.
    Push {
        /// The list to push onto (created if missing).
        key: Bytes,
        /// Which end to push at.
        end: ListEnd,
        /// The elements, in the order they were sent (each is pushed in turn).
        elements: Vec<Bytes>,
    },
    /// `LPOP key [count]` and `RPOP key [count]`.
    Pop {
        /// The list to pop from.
        key: Bytes,
        /// Which end to pop from.
        end: ListEnd,
        /// `None` without a count (reply: one element or null); `Some(n)` with one (reply: an array).
        count: Option<usize>,
    },
    /// `LLEN key`.
    LLen(Bytes),
    /// `LRANGE key start stop`: inclusive indexes, negative ones counting from the end.
    LRange {
        /// The list to read.
        key: Bytes,
        /// First index (inclusive).
        start: i64,
        /// Last index (inclusive).
        stop: i64,
    },
    /// `HSET key field value [field value ...]`.
    HSet {
        /// The hash to write (created if missing).
        key: Bytes,
        /// The field/value pairs, in the order they were sent.
        pairs: Vec<(Bytes, Bytes)>,
    },
    /// `HGET key field`.
    HGet {
        /// The hash to read.
        key: Bytes,
        /// The field to read.
        field: Bytes,
    },
    /// `HDEL key field [field ...]`.
    HDel {
        /// The hash to change.
        key: Bytes,
        /// The fields to remove.
        fields: Vec<Bytes>,
    },
    /// `HGETALL key`.
    HGetAll(Bytes),
    /// `HLEN key`.
    HLen(Bytes),
    /// `TYPE key`.
    Type(Bytes),
    /// `DBSIZE`.
    DbSize,
    /// `FLUSHDB`.
    FlushDb,
    /// `SET key value [NX|XX] EXAT unix-seconds|PXAT unix-milliseconds` (milestone 4): `SET` with an absolute
    /// deadline. `args.expire_millis` is `None` and `args.keep_ttl` is false.
    SetAt {
        /// Key, value and condition, as for [`Command::Set`].
        args: SetArgs,
        /// The deadline in Unix milliseconds (always positive).
        at_millis: u64,
    },
    /// `EXPIREAT key unix-seconds` and `PEXPIREAT key unix-milliseconds` (milestone 4), normalised to
    /// milliseconds. A deadline that is not in the future deletes the key.
    ExpireAt {
        /// The key whose deadline to set.
        key: Bytes,
        /// The deadline in Unix milliseconds.
        at_millis: i64,
    },
    /// `BGREWRITEAOF` (milestone 4).
    BgRewriteAof,
    /// `SUBSCRIBE channel [channel ...]` (milestone 5).
    Subscribe(Vec<Bytes>),
    /// `UNSUBSCRIBE [channel ...]` (milestone 5); no channels means all of them.
    Unsubscribe(Vec<Bytes>),
    /// `PSUBSCRIBE pattern [pattern ...]` (milestone 5).
    PSubscribe(Vec<Bytes>),
    /// `PUNSUBSCRIBE [pattern ...]` (milestone 5); no patterns means all of them.
    PUnsubscribe(Vec<Bytes>),
    /// `PUBLISH channel message` (milestone 5).
    Publish {
        /// The channel to publish on.
        channel: Bytes,
        /// The payload.
        message: Bytes,
    },
    /// `QUIT` (milestone 5): the server replies `+OK` and closes the connection. Arguments are ignored.
    Quit,
}

/// The end of a list a push or pop works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListEnd {
    /// The head (`LPUSH`, `LPOP`); index 0.
    Left,
    /// The tail (`RPUSH`, `RPOP`); index -1.
    Right,
}

/// The arguments of `SET`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetArgs {
    /// The key.
    pub key: Bytes,
    /// The new value.
    pub value: Bytes,
    /// `NX`, `XX` or neither.
    pub condition: SetCondition,
    /// `EX`/`PX`, in milliseconds from now (always positive).
    pub expire_millis: Option<u64>,
    /// `KEEPTTL`: keep the key's current deadline instead of clearing it.
    pub keep_ttl: bool,
}

/// When `SET` is allowed to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetCondition {
    /// Always.
    #[default]
    Always,
    /// `NX`: only if the key does not exist.
    IfAbsent,
    /// `XX`: only if the key exists.
    IfPresent,
}

/// Why a frame is not a valid command. The `Display` text is the Redis error reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The frame is not a non-empty array of bulk strings.
    #[error("ERR Protocol error: expected a non-empty array of bulk strings")]
    NotACommand,
    /// No such command. Holds the name as sent.
    #[error("ERR unknown command '{0}'")]
    Unknown(String),
    /// Wrong number of arguments. Holds the lower-case command name.
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(String),
    /// Options that do not parse or do not combine.
    #[error("ERR syntax error")]
    Syntax,
    /// An argument that must be an integer is not one.
    #[error("ERR value is not an integer or out of range")]
    NotAnInteger,
    /// A zero, negative or overflowing expire time. Holds the lower-case command name.
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpire(String),
    /// A negative count where only zero or more makes sense (`LPOP key -1`).
    #[error("ERR value is out of range, must be positive")]
    NotPositive,
}

impl CommandError {
    /// This error as a RESP error reply.
    pub fn to_frame(&self) -> Frame {
        Frame::Error(self.to_string())
    }
}

impl Command {
    /// Parses a client request, which must be an array of bulk strings whose first element names the
    /// command (case-insensitively).
    ///
    /// Milestone 3 adds the list, hash and keyspace commands (`LPUSH` to `FLUSHDB`): check their arity the
    /// same way, and parse `LPOP`/`RPOP` counts and `LRANGE` indexes here (a negative count is
    /// [`CommandError::NotPositive`]).
    ///
    /// Milestone 4 adds `SET`'s `EXAT`/`PXAT` options (parsed as [`Command::SetAt`]; they conflict with `EX`,
    /// `PX` and `KEEPTTL` like those do with each other, and a value of zero or less is
    /// `InvalidExpire("set")`), `EXPIREAT`/`PEXPIREAT` and `BGREWRITEAOF`.
    ///
    /// Milestone 5 adds `SUBSCRIBE`/`PSUBSCRIBE` (at least one argument), `UNSUBSCRIBE`/`PUNSUBSCRIBE` (any
    /// number), `PUBLISH` (exactly two) and `QUIT` (arguments ignored).
    pub fn from_frame(frame: Frame) -> Result<Command, CommandError> {
        todo!("milestone 1: validate the frame and build a Command")
    }
}
