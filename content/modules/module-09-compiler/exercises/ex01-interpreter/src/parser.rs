use crate::ast::{BinOp, Block, Expr, ExprKind, Stmt, UnOp};
use crate::lexer::lex;
use crate::{Error, ErrorKind, Span, Token, TokenKind};

/// Parses a whole program: statements, then an optional trailing expression whose value is
/// the program's value. See the README for the grammar, the binding powers and the error
/// messages.
pub fn parse(src: &str) -> Result<Block, Error> {
    todo!("parse {src:?}")
}

/// Parses a single expression that must span all of `src` (anything left over is an error:
/// "expected end of input, found ...").
pub fn parse_expr(src: &str) -> Result<Expr, Error> {
    todo!("parse {src:?}")
}
