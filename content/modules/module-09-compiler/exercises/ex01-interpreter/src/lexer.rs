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
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Result<Token<'src>, Error>;

    /// The next token, or the first lexical error (after which the lexer yields `None`).
    ///
    /// Errors (see the README for the exact messages): an unexpected character, an
    /// unterminated string literal, an unknown escape sequence, an integer literal that does
    /// not fit in an `i64`.
    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}

/// Lexes all of `src`, stopping at the first error.
pub fn lex(src: &str) -> Result<Vec<Token<'_>>, Error> {
    Lexer::new(src).collect()
}
