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
    pub fn from_frame(frame: Frame) -> Result<Command, CommandError> {
        let Frame::Array(items) = frame else {
            return Err(CommandError::NotACommand);
        };
        let mut args = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Frame::Bulk(b) => args.push(b),
                _ => return Err(CommandError::NotACommand),
            }
        }
        let Some((name, args)) = args.split_first() else {
            return Err(CommandError::NotACommand);
        };
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        let arity = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(CommandError::WrongArity(lower.clone()))
            }
        };

        let command = match lower.as_str() {
            "ping" => {
                arity(args.len() <= 1)?;
                Command::Ping(args.first().cloned())
            }
            "echo" => {
                arity(args.len() == 1)?;
                Command::Echo(args[0].clone())
            }
            "get" => {
                arity(args.len() == 1)?;
                Command::Get(args[0].clone())
            }
            "set" => {
                arity(args.len() >= 2)?;
                match parse_set(args)? {
                    (args, None) => Command::Set(args),
                    (args, Some(at_millis)) => Command::SetAt { args, at_millis },
                }
            }
            "del" | "exists" => {
                arity(!args.is_empty())?;
                let keys = args.to_vec();
                if lower == "del" {
                    Command::Del(keys)
                } else {
                    Command::Exists(keys)
                }
            }
            "incr" | "decr" => {
                arity(args.len() == 1)?;
                let delta = if lower == "incr" { 1 } else { -1 };
                Command::IncrBy {
                    key: args[0].clone(),
                    delta,
                }
            }
            "incrby" | "decrby" => {
                arity(args.len() == 2)?;
                let n = parse_i64(&args[1])?;
                let delta = if lower == "incrby" {
                    n
                } else {
                    n.checked_neg().ok_or(CommandError::NotAnInteger)?
                };
                Command::IncrBy {
                    key: args[0].clone(),
                    delta,
                }
            }
            "expire" | "pexpire" => {
                arity(args.len() == 2)?;
                let n = parse_i64(&args[1])?;
                let millis = if lower == "expire" {
                    n.checked_mul(1000)
                        .ok_or_else(|| CommandError::InvalidExpire(lower.clone()))?
                } else {
                    n
                };
                Command::Expire {
                    key: args[0].clone(),
                    millis,
                }
            }
            "ttl" | "pttl" => {
                arity(args.len() == 1)?;
                Command::Ttl {
                    key: args[0].clone(),
                    millis: lower == "pttl",
                }
            }
            "persist" => {
                arity(args.len() == 1)?;
                Command::Persist(args[0].clone())
            }
            "lpush" | "rpush" => {
                arity(args.len() >= 2)?;
                Command::Push {
                    key: args[0].clone(),
                    end: if lower == "lpush" {
                        ListEnd::Left
                    } else {
                        ListEnd::Right
                    },
                    elements: args[1..].to_vec(),
                }
            }
            "lpop" | "rpop" => {
                arity(args.len() == 1 || args.len() == 2)?;
                let count = match args.get(1) {
                    None => None,
                    Some(arg) => Some(
                        usize::try_from(parse_i64(arg)?).map_err(|_| CommandError::NotPositive)?,
                    ),
                };
                Command::Pop {
                    key: args[0].clone(),
                    end: if lower == "lpop" {
                        ListEnd::Left
                    } else {
                        ListEnd::Right
                    },
                    count,
                }
            }
            "llen" => {
                arity(args.len() == 1)?;
                Command::LLen(args[0].clone())
            }
            "lrange" => {
                arity(args.len() == 3)?;
                Command::LRange {
                    key: args[0].clone(),
                    start: parse_i64(&args[1])?,
                    stop: parse_i64(&args[2])?,
                }
            }
            "hset" => {
                arity(args.len() >= 3 && args.len() % 2 == 1)?;
                Command::HSet {
                    key: args[0].clone(),
                    pairs: args[1..]
                        .chunks_exact(2)
                        .map(|pair| (pair[0].clone(), pair[1].clone()))
                        .collect(),
                }
            }
            "hget" => {
                arity(args.len() == 2)?;
                Command::HGet {
                    key: args[0].clone(),
                    field: args[1].clone(),
                }
            }
            "hdel" => {
                arity(args.len() >= 2)?;
                Command::HDel {
                    key: args[0].clone(),
                    fields: args[1..].to_vec(),
                }
            }
            "hgetall" | "hlen" | "type" => {
                arity(args.len() == 1)?;
                let key = args[0].clone();
                match lower.as_str() {
                    "hgetall" => Command::HGetAll(key),
                    "hlen" => Command::HLen(key),
                    _ => Command::Type(key),
                }
            }
            "dbsize" => {
                arity(args.is_empty())?;
                Command::DbSize
            }
            "flushdb" => {
                arity(args.is_empty())?;
                Command::FlushDb
            }
            "expireat" | "pexpireat" => {
                arity(args.len() == 2)?;
                let n = parse_i64(&args[1])?;
                let at_millis = if lower == "expireat" {
                    n.checked_mul(1000)
                        .ok_or_else(|| CommandError::InvalidExpire(lower.clone()))?
                } else {
                    n
                };
                Command::ExpireAt {
                    key: args[0].clone(),
                    at_millis,
                }
            }
            "bgrewriteaof" => {
                arity(args.is_empty())?;
                Command::BgRewriteAof
            }
            "subscribe" | "psubscribe" => {
                arity(!args.is_empty())?;
                if lower == "subscribe" {
                    Command::Subscribe(args.to_vec())
                } else {
                    Command::PSubscribe(args.to_vec())
                }
            }
            "unsubscribe" => Command::Unsubscribe(args.to_vec()),
            "punsubscribe" => Command::PUnsubscribe(args.to_vec()),
            "publish" => {
                arity(args.len() == 2)?;
                Command::Publish {
                    channel: args[0].clone(),
                    message: args[1].clone(),
                }
            }
            "quit" => Command::Quit,
            _ => {
                return Err(CommandError::Unknown(
                    String::from_utf8_lossy(name).into_owned(),
                ))
            }
        };
        Ok(command)
    }
}

/// Parses `SET`'s arguments. Returns the absolute deadline of `EXAT`/`PXAT` separately, since [`SetArgs`] only
/// has room for a relative one.
fn parse_set(args: &[Bytes]) -> Result<(SetArgs, Option<u64>), CommandError> {
    let mut set = SetArgs {
        key: args[0].clone(),
        value: args[1].clone(),
        condition: SetCondition::Always,
        expire_millis: None,
        keep_ttl: false,
    };
    let mut at_millis = None;
    let mut rest = args[2..].iter();
    while let Some(option) = rest.next() {
        match option.to_ascii_uppercase().as_slice() {
            b"NX" | b"XX" => {
                if set.condition != SetCondition::Always {
                    return Err(CommandError::Syntax);
                }
                set.condition = if option.eq_ignore_ascii_case(b"NX") {
                    SetCondition::IfAbsent
                } else {
                    SetCondition::IfPresent
                };
            }
            b"KEEPTTL" => {
                if set.expire_millis.is_some() || at_millis.is_some() {
                    return Err(CommandError::Syntax);
                }
                set.keep_ttl = true;
            }
            unit @ (b"EX" | b"PX" | b"EXAT" | b"PXAT") => {
                if set.expire_millis.is_some() || at_millis.is_some() || set.keep_ttl {
                    return Err(CommandError::Syntax);
                }
                let n = parse_i64(rest.next().ok_or(CommandError::Syntax)?)?;
                let scale = if unit.starts_with(b"E") { 1000 } else { 1 };
                let millis = n
                    .checked_mul(scale)
                    .filter(|ms| *ms > 0)
                    .ok_or_else(|| CommandError::InvalidExpire("set".to_string()))?
                    .unsigned_abs();
                if unit.ends_with(b"AT") {
                    at_millis = Some(millis);
                } else {
                    set.expire_millis = Some(millis);
                }
            }
            _ => return Err(CommandError::Syntax),
        }
    }
    Ok((set, at_millis))
}

fn parse_i64(arg: &[u8]) -> Result<i64, CommandError> {
    std::str::from_utf8(arg)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(CommandError::NotAnInteger)
}
