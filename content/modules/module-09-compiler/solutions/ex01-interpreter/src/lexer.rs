use crate::{Error, ErrorKind, Span};

/// The kinds of tokens. Literal values are not stored here: the token's text is a slice of
/// the source, and the parser converts it when it builds the AST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An integer literal such as `42`.
    Int,
    /// A float literal such as `2.5` (digits on both sides of the dot).
    Float,
    /// A string literal, quotes included in the text.
    Str,
    /// A name such as `x` or `_total2`.
    Ident,
    /// `let`
    Let,
    /// `true`
    True,
    /// `false`
    False,
    /// `nil`
    Nil,
    /// `if`
    If,
    /// `else`
    Else,
    /// `while`
    While,
    /// `fn` (milestone 3)
    Fn,
    /// `return` (milestone 3)
    Return,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `**`
    StarStar,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `!`
    Bang,
    /// `!=`
    BangEq,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// `;`
    Semi,
}

/// A token: its kind, the exact source text it covers, and where that text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'src> {
    /// What kind of token this is.
    pub kind: TokenKind,
    /// The source text of the token, borrowed from the input (no allocation per token).
    pub text: &'src str,
    /// Byte offsets of `text` in the source.
    pub span: Span,
}

/// Splits source text into tokens, lazily. Whitespace and `//` line comments are skipped.
/// After the first error the lexer is exhausted.
pub struct Lexer<'src> {
    src: &'src str,
    pos: usize,
    failed: bool,
}

impl<'src> Lexer<'src> {
    /// A lexer over `src`.
    pub fn new(src: &'src str) -> Self {
        Self {
            src,
            pos: 0,
            failed: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + ahead).copied()
    }

    fn skip_trivia(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if b == b'/' && self.peek_at(1) == Some(b'/') {
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) -> Error {
        self.failed = true;
        Error::new(ErrorKind::Lex, message, span, self.src)
    }

    fn token(&mut self, kind: TokenKind, start: usize) -> Token<'src> {
        Token {
            kind,
            text: &self.src[start..self.pos],
            span: Span::new(start, self.pos),
        }
    }

    fn number(&mut self, start: usize) -> Result<Token<'src>, Error> {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        // A dot makes a float only if a digit follows: `1.5` is a float, `1.` is an error below.
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
            return Ok(self.token(TokenKind::Float, start));
        }
        let token = self.token(TokenKind::Int, start);
        if token.text.parse::<i64>().is_err() {
            return Err(self.error("integer literal is too large", token.span));
        }
        Ok(token)
    }

    fn string(&mut self, start: usize) -> Result<Token<'src>, Error> {
        self.pos += 1; // opening quote
        loop {
            match self.peek() {
                None => {
                    return Err(
                        self.error("unterminated string literal", Span::new(start, self.pos))
                    )
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(self.token(TokenKind::Str, start));
                }
                Some(b'\\') => {
                    let esc_start = self.pos;
                    self.pos += 1;
                    match self.src[self.pos..].chars().next() {
                        Some('n' | 't' | 'r' | '0' | '"' | '\\') => self.pos += 1,
                        Some(c) => {
                            self.pos += c.len_utf8();
                            let text = &self.src[esc_start..self.pos];
                            return Err(self.error(
                                format!("unknown escape sequence `{text}`"),
                                Span::new(esc_start, self.pos),
                            ));
                        }
                        None => {
                            return Err(self
                                .error("unterminated string literal", Span::new(start, self.pos)))
                        }
                    }
                }
                // Multi-byte UTF-8 is copied through byte by byte; only ASCII is special.
                Some(_) => self.pos += 1,
            }
        }
    }
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Result<Token<'src>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.skip_trivia();
        let start = self.pos;
        let b = self.peek()?;
        use TokenKind::*;
        // Maximal munch: try the two-character operator before the one-character one.
        let two = |second: u8, long: TokenKind, short: TokenKind, lexer: &mut Self| {
            if lexer.peek_at(1) == Some(second) {
                lexer.pos += 2;
                long
            } else {
                lexer.pos += 1;
                short
            }
        };
        let kind = match b {
            b'0'..=b'9' => return Some(self.number(start)),
            b'"' => return Some(self.string(start)),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.pos += 1;
                }
                let kind = match &self.src[start..self.pos] {
                    "let" => Let,
                    "true" => True,
                    "false" => False,
                    "nil" => Nil,
                    "if" => If,
                    "else" => Else,
                    "while" => While,
                    "fn" => Fn,
                    "return" => Return,
                    _ => Ident,
                };
                return Some(Ok(self.token(kind, start)));
            }
            b'*' => two(b'*', StarStar, Star, self),
            b'!' => two(b'=', BangEq, Bang, self),
            b'=' => two(b'=', EqEq, Eq, self),
            b'<' => two(b'=', LtEq, Lt, self),
            b'>' => two(b'=', GtEq, Gt, self),
            b'&' if self.peek_at(1) == Some(b'&') => two(b'&', AndAnd, AndAnd, self),
            b'|' if self.peek_at(1) == Some(b'|') => two(b'|', OrOr, OrOr, self),
            b'+' | b'-' | b'/' | b'%' | b'(' | b')' | b'{' | b'}' | b',' | b';' => {
                self.pos += 1;
                match b {
                    b'+' => Plus,
                    b'-' => Minus,
                    b'/' => Slash,
                    b'%' => Percent,
                    b'(' => LParen,
                    b')' => RParen,
                    b'{' => LBrace,
                    b'}' => RBrace,
                    b',' => Comma,
                    _ => Semi,
                }
            }
            _ => {
                // Report the whole character, not a byte of it: slicing mid-character panics.
                let c = self.src[start..].chars().next().unwrap_or('\u{FFFD}');
                let span = Span::new(start, start + c.len_utf8());
                return Some(Err(self.error(format!("unexpected character `{c}`"), span)));
            }
        };
        Some(Ok(self.token(kind, start)))
    }
}

/// Lexes all of `src`, stopping at the first error.
pub fn lex(src: &str) -> Result<Vec<Token<'_>>, Error> {
    Lexer::new(src).collect()
}

/// The value of a string literal token (quotes included), with escapes decoded. The lexer has
/// already rejected unknown escapes.
pub(crate) fn unescape(text: &str) -> String {
    let inner = &text[1..text.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other), // `\"` and `\\`
            None => {}
        }
    }
    out
}
