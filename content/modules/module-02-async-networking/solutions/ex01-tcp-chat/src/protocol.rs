//! The wire protocol: what a client may send, and the errors the server answers with.
//!
//! Parsing is a pure function of one line, so it is tested without any sockets. Everything that
//! depends on server state (is the nick free? is the client in a room?) is decided by the hub.

/// The longest nick, in bytes.
pub const MAX_NICK_LEN: usize = 16;

/// The longest room name, in bytes.
pub const MAX_ROOM_LEN: usize = 32;

/// One parsed client line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/nick <name>`: choose or change the nick.
    Nick(String),
    /// `/join <room>`: enter a room (created on demand), leaving the current one.
    Join(String),
    /// `/leave`: leave the current room.
    Leave,
    /// `/rooms`: list non-empty rooms with their member counts.
    Rooms,
    /// `/who`: list the nicks in the current room.
    Who,
    /// `/quit`: say goodbye and close the connection.
    Quit,
    /// Any line that does not start with `/`: a message for the current room.
    Say(String),
}

/// Everything the server can refuse. Each variant has a stable, machine-readable [`code`](Self::code);
/// the `Display` text is for humans. On the wire an error is the line `ERR <code> <text>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// A line starting with `/` that names no known command.
    #[error("unknown command; try /nick, /join, /leave, /rooms, /who or /quit")]
    UnknownCommand,
    /// A known command with missing or extra arguments; holds the expected form.
    #[error("expected `{0}`")]
    Usage(&'static str),
    /// A nick that is empty, too long or uses characters other than ASCII letters, digits, `_` and `-`.
    #[error("a nick is 1 to 16 ASCII letters, digits, '_' or '-'")]
    InvalidNick,
    /// A room name that is empty, too long or uses characters other than ASCII letters, digits, `_` and `-`.
    #[error("a room name is 1 to 32 ASCII letters, digits, '_' or '-'")]
    InvalidRoom,
    /// Another connection already uses this nick.
    #[error("{0} is already taken")]
    NickTaken(String),
    /// The command needs a nick and the client has not set one yet.
    #[error("choose a nick first with /nick <name>")]
    NoNick,
    /// The command needs a room and the client is not in one.
    #[error("you are not in a room; /join <room> first")]
    NotInRoom,
    /// A line longer than the server's limit; the whole line was discarded.
    #[error("line too long, discarded")]
    LineTooLong,
    /// A line that is not valid UTF-8; it was discarded.
    #[error("line is not valid UTF-8, discarded")]
    InvalidUtf8,
    /// The server is at its connection limit and closes this connection.
    #[error("too many connections, try again later")]
    ServerFull,
}

impl ChatError {
    /// The stable error code sent after `ERR`, e.g. `nick-taken`.
    pub fn code(&self) -> &'static str {
        match self {
            ChatError::UnknownCommand => "unknown-command",
            ChatError::Usage(_) => "usage",
            ChatError::InvalidNick => "invalid-nick",
            ChatError::InvalidRoom => "invalid-room",
            ChatError::NickTaken(_) => "nick-taken",
            ChatError::NoNick => "no-nick",
            ChatError::NotInRoom => "not-in-room",
            ChatError::LineTooLong => "line-too-long",
            ChatError::InvalidUtf8 => "invalid-utf8",
            ChatError::ServerFull => "server-full",
        }
    }

    /// The full protocol line for this error, without the trailing newline: `ERR <code> <text>`.
    pub fn to_line(&self) -> String {
        format!("ERR {} {}", self.code(), self)
    }
}

impl Command {
    /// Parses one line (without its line terminator).
    ///
    /// - Blank lines (empty or only whitespace) are not commands: the result is `Ok(None)`.
    /// - Lines not starting with `/` are [`Command::Say`] with the line unchanged.
    /// - Commands are lower case; arguments are separated by whitespace, and extra or missing
    ///   arguments give [`ChatError::Usage`].
    /// - Nicks and room names are validated here ([`ChatError::InvalidNick`], [`ChatError::InvalidRoom`]).
    pub fn parse(line: &str) -> Result<Option<Command>, ChatError> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let Some(rest) = line.strip_prefix('/') else {
            return Ok(Some(Command::Say(line.to_owned())));
        };

        let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let args: Vec<&str> = args.split_whitespace().collect();

        let command = match name {
            "nick" => Command::Nick(validated(
                one_arg(&args, "/nick <name>")?,
                MAX_NICK_LEN,
                ChatError::InvalidNick,
            )?),
            "join" => Command::Join(validated(
                one_arg(&args, "/join <room>")?,
                MAX_ROOM_LEN,
                ChatError::InvalidRoom,
            )?),
            "leave" => no_args(&args, "/leave", Command::Leave)?,
            "rooms" => no_args(&args, "/rooms", Command::Rooms)?,
            "who" => no_args(&args, "/who", Command::Who)?,
            "quit" => no_args(&args, "/quit", Command::Quit)?,
            _ => return Err(ChatError::UnknownCommand),
        };
        Ok(Some(command))
    }
}

fn one_arg<'a>(args: &[&'a str], usage: &'static str) -> Result<&'a str, ChatError> {
    match args {
        [arg] => Ok(arg),
        _ => Err(ChatError::Usage(usage)),
    }
}

fn no_args(args: &[&str], usage: &'static str, command: Command) -> Result<Command, ChatError> {
    if args.is_empty() {
        Ok(command)
    } else {
        Err(ChatError::Usage(usage))
    }
}

/// Names (nicks and rooms) share one alphabet, which keeps them free of spaces and of anything a
/// terminal would interpret, and lets every reply stay a simple space-separated line.
fn validated(name: &str, max_len: usize, error: ChatError) -> Result<String, ChatError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !name.is_empty() && name.len() <= max_len && name.chars().all(allowed) {
        Ok(name.to_owned())
    } else {
        Err(error)
    }
}
