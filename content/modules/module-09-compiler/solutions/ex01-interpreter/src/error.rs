use std::fmt;

/// A half-open range of byte offsets into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Which stage of the pipeline failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text could not be split into tokens.
    Lex,
    /// The tokens do not form a valid program.
    Parse,
    /// The program failed while running.
    Runtime,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Lex => "lex",
            ErrorKind::Parse => "parse",
            ErrorKind::Runtime => "runtime",
        })
    }
}

/// An error with its location. Displays as `line:column: kind error: message`, for example
/// `2:7: parse error: expected expression, found `;``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The failing stage.
    pub kind: ErrorKind,
    /// What went wrong, without location.
    pub message: String,
    /// Where, in bytes.
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, counted in characters (not bytes).
    pub column: usize,
}

impl Error {
    /// Builds an error, computing line and column of `span.start` in `src`. Positions are only
    /// computed here, when something has gone wrong, so the lexer never tracks them.
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span, src: &str) -> Self {
        let start = span.start.min(src.len());
        let before = src.get(..start).unwrap_or(src);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self {
            kind,
            message: message.into(),
            span,
            line,
            column,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} error: {}",
            self.line, self.column, self.kind, self.message
        )
    }
}

impl std::error::Error for Error {}
