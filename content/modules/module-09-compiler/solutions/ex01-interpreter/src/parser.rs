use std::rc::Rc;

use crate::ast::{BinOp, Block, Expr, ExprKind, FnDef, Stmt, UnOp};
use crate::lexer::{lex, unescape};
use crate::{Error, ErrorKind, Span, Token, TokenKind};

/// Binding power of prefix `-` and `!`: tighter than `*`, looser than `**`, so `-2 ** 2` is
/// `-(2 ** 2)` as in Python and mathematics.
const PREFIX_BP: u8 = 13;

/// Left binding power of a call's `(`, a postfix operator: higher than every infix operator, so
/// `-f(x) ** 2` is `-(f(x) ** 2)` and `f(1)(2)` calls the result of `f(1)`.
const CALL_BP: u8 = 17;

/// Deeper nesting than this is reported instead of risking a stack overflow.
const MAX_NESTING: usize = 200;

/// How many levels of [`MAX_NESTING`] a braced block uses. A block nested in a block never
/// passes through `expr` (`{ { { } } }`, or `fn` declarations inside function bodies), and
/// the functions that parse blocks have large stack frames in debug builds, so blocks are
/// counted themselves, as two levels.
const BLOCK_COST: usize = 2;

/// Parses a whole program: statements, then an optional trailing expression whose value is
/// the program's value.
pub fn parse(src: &str) -> Result<Block, Error> {
    let mut parser = Parser::new(src)?;
    let block = parser.block_contents(None)?;
    Ok(block)
}

/// Parses a single expression that must span all of `src`.
pub fn parse_expr(src: &str) -> Result<Expr, Error> {
    let mut parser = Parser::new(src)?;
    let expr = parser.expr(0)?;
    if parser.peek().is_some() {
        return Err(parser.unexpected("end of input"));
    }
    Ok(expr)
}

struct Parser<'src> {
    src: &'src str,
    tokens: Vec<Token<'src>>,
    pos: usize,
    depth: usize,
    /// How many function bodies enclose the current position: `return` needs at least one.
    fn_depth: usize,
}

/// `(left, right)` binding powers of infix operators; higher binds tighter. Left-associative
/// operators have `right = left + 1`; right-associative ones (`=`, `**`) have `right < left`.
fn infix_binding_power(kind: TokenKind) -> Option<(u8, u8, Option<BinOp>)> {
    use TokenKind::*;
    let (l, r, op) = match kind {
        Eq => (2, 1, None), // assignment
        OrOr => (3, 4, Some(BinOp::Or)),
        AndAnd => (5, 6, Some(BinOp::And)),
        EqEq => (7, 8, Some(BinOp::Eq)),
        BangEq => (7, 8, Some(BinOp::Ne)),
        Lt => (7, 8, Some(BinOp::Lt)),
        LtEq => (7, 8, Some(BinOp::Le)),
        Gt => (7, 8, Some(BinOp::Gt)),
        GtEq => (7, 8, Some(BinOp::Ge)),
        Plus => (9, 10, Some(BinOp::Add)),
        Minus => (9, 10, Some(BinOp::Sub)),
        Star => (11, 12, Some(BinOp::Mul)),
        Slash => (11, 12, Some(BinOp::Div)),
        Percent => (11, 12, Some(BinOp::Rem)),
        StarStar => (16, 15, Some(BinOp::Pow)),
        _ => return None,
    };
    Some((l, r, op))
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// How a token is named in "expected X, found Y" messages.
fn describe(token: Option<&Token<'_>>) -> String {
    match token {
        None => "end of input".to_owned(),
        Some(t) => match t.kind {
            TokenKind::Ident => format!("identifier `{}`", t.text),
            TokenKind::Int | TokenKind::Float => format!("number `{}`", t.text),
            TokenKind::Str => "string literal".to_owned(),
            _ => format!("`{}`", t.text),
        },
    }
}

impl<'src> Parser<'src> {
    fn new(src: &'src str) -> Result<Self, Error> {
        Ok(Self {
            src,
            tokens: lex(src)?,
            pos: 0,
            depth: 0,
            fn_depth: 0,
        })
    }

    fn peek(&self) -> Option<&Token<'src>> {
        self.tokens.get(self.pos)
    }

    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }

    fn peek_kind_at(&self, ahead: usize) -> Option<TokenKind> {
        self.tokens.get(self.pos + ahead).map(|t| t.kind)
    }

    fn advance(&mut self) -> Option<Token<'src>> {
        let token = self.tokens.get(self.pos).copied();
        self.pos += 1;
        token
    }

    /// The span of the next token, or an empty span at the end of the input.
    fn here(&self) -> Span {
        self.peek()
            .map_or(Span::new(self.src.len(), self.src.len()), |t| t.span)
    }

    fn error(&self, message: impl Into<String>, span: Span) -> Error {
        Error::new(ErrorKind::Parse, message, span, self.src)
    }

    fn unexpected(&self, expected: &str) -> Error {
        self.error(
            format!("expected {expected}, found {}", describe(self.peek())),
            self.here(),
        )
    }

    fn expect(&mut self, kind: TokenKind, expected: &str) -> Result<Token<'src>, Error> {
        match self.peek() {
            Some(t) if t.kind == kind => Ok(self.advance().expect("peeked")),
            _ => Err(self.unexpected(expected)),
        }
    }

    /// Statements and an optional tail, up to `closing` (`}`) or the end of input if `None`.
    /// The closing token itself is not consumed.
    fn block_contents(&mut self, closing: Option<TokenKind>) -> Result<Block, Error> {
        let start = self.here().start;
        let mut block = Block::default();
        loop {
            let at_end = match (self.peek_kind(), closing) {
                (None, None) => true,
                (None, Some(_)) => return Err(self.unexpected("`}`")),
                (Some(kind), Some(close)) => kind == close,
                (Some(_), None) => false,
            };
            if at_end {
                break;
            }
            if self.peek_kind() == Some(TokenKind::Let) {
                block.stmts.push(self.let_stmt()?);
                continue;
            }
            // `fn name(..) { .. }` declares; `fn (..) { .. }` is an expression like any other.
            if self.peek_kind() == Some(TokenKind::Fn)
                && self.peek_kind_at(1) == Some(TokenKind::Ident)
            {
                block.stmts.push(self.fn_decl()?);
                if self.peek_kind() == Some(TokenKind::Semi) {
                    self.advance();
                }
                continue;
            }
            let block_like = matches!(
                self.peek_kind(),
                Some(TokenKind::LBrace | TokenKind::If | TokenKind::While)
            );
            // A statement that starts with `{`, `if` or `while` ends with its closing brace,
            // as in Rust: `if c { a } else { b } - 1` is a statement followed by `-1`.
            let expr = if block_like {
                self.block_like()?
            } else {
                self.expr(0)?
            };
            let next = self.peek_kind();
            if next == Some(TokenKind::Semi) {
                self.advance();
                block.stmts.push(Stmt::Expr(expr));
            } else if next == closing {
                block.tail = Some(Box::new(expr));
                break;
            } else if block_like {
                block.stmts.push(Stmt::Expr(expr));
            } else {
                return Err(self.unexpected("`;`"));
            }
        }
        block.span = Span::new(start, self.here().start.max(start));
        Ok(block)
    }

    fn let_stmt(&mut self) -> Result<Stmt, Error> {
        self.expect(TokenKind::Let, "`let`")?;
        let name = self.expect(TokenKind::Ident, "identifier")?;
        self.expect(TokenKind::Eq, "`=`")?;
        let init = self.expr(0)?;
        self.expect(TokenKind::Semi, "`;`")?;
        Ok(Stmt::Let {
            name: name.text.to_owned(),
            name_span: name.span,
            init,
        })
    }

    /// `fn name(params) { body }`: sugar for `let name = fn name(params) { body };`, which is
    /// all recursion needs, since the body looks `name` up when it runs.
    fn fn_decl(&mut self) -> Result<Stmt, Error> {
        let start = self.expect(TokenKind::Fn, "`fn`")?.span;
        let name = self.expect(TokenKind::Ident, "identifier")?;
        let init = self.fn_rest(start, Some(name.text.to_owned()))?;
        Ok(Stmt::Let {
            name: name.text.to_owned(),
            name_span: name.span,
            init,
        })
    }

    /// The parameter list and body of a function whose `fn` (and name) are already consumed.
    fn fn_rest(&mut self, start: Span, name: Option<String>) -> Result<Expr, Error> {
        self.expect(TokenKind::LParen, "`(`")?;
        let mut params: Vec<String> = Vec::new();
        while self.peek_kind() != Some(TokenKind::RParen) {
            let param = self.expect(TokenKind::Ident, "identifier")?;
            if params.iter().any(|p| p == param.text) {
                return Err(self.error(format!("duplicate parameter `{}`", param.text), param.span));
            }
            params.push(param.text.to_owned());
            if !self.list_separator()? {
                break;
            }
        }
        self.expect(TokenKind::RParen, "`)`")?;
        self.fn_depth += 1;
        let body = self.braced_block();
        self.fn_depth -= 1;
        let body = body?;
        let span = start.to(body.span);
        Ok(Expr {
            kind: ExprKind::Fn(Rc::new(FnDef { name, params, body })),
            span,
        })
    }

    /// After an element of a parenthesized list: consumes a `,` and returns true, or returns
    /// false before a `)`. A trailing comma is allowed.
    fn list_separator(&mut self) -> Result<bool, Error> {
        match self.peek_kind() {
            Some(TokenKind::Comma) => {
                self.advance();
                Ok(true)
            }
            Some(TokenKind::RParen) => Ok(false),
            _ => Err(self.unexpected("`,` or `)`")),
        }
    }

    /// `(arg, ..)` after a callee; the `(` is the next token.
    fn call(&mut self, callee: Expr) -> Result<Expr, Error> {
        let paren_span = self.expect(TokenKind::LParen, "`(`")?.span;
        let mut args = Vec::new();
        while self.peek_kind() != Some(TokenKind::RParen) {
            args.push(self.expr(0)?);
            if !self.list_separator()? {
                break;
            }
        }
        let close = self.expect(TokenKind::RParen, "`)`")?;
        let span = callee.span.to(close.span);
        Ok(Expr {
            kind: ExprKind::Call {
                callee: Box::new(callee),
                paren_span,
                args,
            },
            span,
        })
    }

    /// `return` with an optional value: none when `;`, `}` or the end of input follows.
    fn return_expr(&mut self) -> Result<Expr, Error> {
        let token = self.expect(TokenKind::Return, "`return`")?;
        if self.fn_depth == 0 {
            return Err(self.error("`return` outside of a function", token.span));
        }
        let value = match self.peek_kind() {
            None | Some(TokenKind::Semi | TokenKind::RBrace) => None,
            Some(_) => Some(Box::new(self.expr(0)?)),
        };
        let span = value.as_ref().map_or(token.span, |v| token.span.to(v.span));
        Ok(Expr {
            kind: ExprKind::Return(value),
            span,
        })
    }

    /// `{ .. }`, `if .. { .. } else ..` or `while .. { .. }`.
    fn block_like(&mut self) -> Result<Expr, Error> {
        match self.peek_kind() {
            Some(TokenKind::LBrace) => {
                let block = self.braced_block()?;
                let span = block.span;
                Ok(Expr {
                    kind: ExprKind::Block(block),
                    span,
                })
            }
            Some(TokenKind::If) => self.if_expr(),
            Some(TokenKind::While) => {
                let start = self.advance().expect("peeked").span;
                let cond = self.expr(0)?;
                let body = self.braced_block()?;
                let span = start.to(body.span);
                Ok(Expr {
                    kind: ExprKind::While {
                        cond: Box::new(cond),
                        body,
                    },
                    span,
                })
            }
            _ => Err(self.unexpected("`{`, `if` or `while`")),
        }
    }

    fn braced_block(&mut self) -> Result<Block, Error> {
        self.depth += BLOCK_COST;
        if self.depth > MAX_NESTING {
            return Err(self.error("expression is nested too deeply", self.here()));
        }
        let open = self.expect(TokenKind::LBrace, "`{`")?;
        let mut block = self.block_contents(Some(TokenKind::RBrace))?;
        let close = self.expect(TokenKind::RBrace, "`}`")?;
        block.span = open.span.to(close.span);
        self.depth -= BLOCK_COST;
        Ok(block)
    }

    fn if_expr(&mut self) -> Result<Expr, Error> {
        let start = self.expect(TokenKind::If, "`if`")?.span;
        let cond = self.expr(0)?;
        let then_branch = self.braced_block()?;
        let mut span = start.to(then_branch.span);
        let else_branch = if self.peek_kind() == Some(TokenKind::Else) {
            self.advance();
            let other = if self.peek_kind() == Some(TokenKind::If) {
                self.if_expr()?
            } else {
                let block = self.braced_block()?;
                let span = block.span;
                Expr {
                    kind: ExprKind::Block(block),
                    span,
                }
            };
            span = span.to(other.span);
            Some(Box::new(other))
        } else {
            None
        };
        Ok(Expr {
            kind: ExprKind::If {
                cond: Box::new(cond),
                then_branch,
                else_branch,
            },
            span,
        })
    }

    /// Pratt parsing: parse a prefix expression, then keep absorbing infix operators whose
    /// left binding power is at least `min_bp`.
    fn expr(&mut self, min_bp: u8) -> Result<Expr, Error> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error("expression is nested too deeply", self.here()));
        }
        let result = self.expr_inner(min_bp);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<Expr, Error> {
        let mut lhs = self.prefix()?;
        while let Some(op_token) = self.peek().copied() {
            if op_token.kind == TokenKind::LParen && CALL_BP >= min_bp {
                lhs = self.call(lhs)?;
                continue;
            }
            let Some((l_bp, r_bp, op)) = infix_binding_power(op_token.kind) else {
                break;
            };
            if l_bp < min_bp {
                break;
            }
            self.advance();
            let rhs = self.expr(r_bp)?;
            let span = lhs.span.to(rhs.span);
            lhs = match op {
                None => {
                    let ExprKind::Var(name) = lhs.kind else {
                        return Err(self.error("invalid assignment target", lhs.span));
                    };
                    Expr {
                        kind: ExprKind::Assign {
                            name,
                            value: Box::new(rhs),
                        },
                        span,
                    }
                }
                Some(op) => {
                    let expr = Expr {
                        kind: ExprKind::Binary {
                            op,
                            op_span: op_token.span,
                            lhs: Box::new(lhs),
                            rhs: Box::new(rhs),
                        },
                        span,
                    };
                    // Comparisons are non-associative, as in Rust: `a < b < c` is an error
                    // rather than the surprising `(a < b) < c`.
                    if is_comparison(op) {
                        if let Some(next) = self.peek().filter(|t| {
                            infix_binding_power(t.kind)
                                .and_then(|(_, _, op)| op)
                                .is_some_and(is_comparison)
                        }) {
                            return Err(
                                self.error("comparison operators cannot be chained", next.span)
                            );
                        }
                    }
                    expr
                }
            };
        }
        Ok(lhs)
    }

    fn prefix(&mut self) -> Result<Expr, Error> {
        let Some(token) = self.peek().copied() else {
            return Err(self.unexpected("expression"));
        };
        let literal = |kind| {
            Ok(Expr {
                kind,
                span: token.span,
            })
        };
        match token.kind {
            TokenKind::Int => {
                self.advance();
                match token.text.parse() {
                    Ok(n) => literal(ExprKind::Int(n)),
                    Err(_) => Err(self.error("integer literal is too large", token.span)),
                }
            }
            TokenKind::Float => {
                self.advance();
                match token.text.parse() {
                    Ok(x) => literal(ExprKind::Float(x)),
                    Err(_) => Err(self.error("invalid float literal", token.span)),
                }
            }
            TokenKind::Str => {
                self.advance();
                literal(ExprKind::Str(unescape(token.text)))
            }
            TokenKind::True | TokenKind::False => {
                self.advance();
                literal(ExprKind::Bool(token.kind == TokenKind::True))
            }
            TokenKind::Nil => {
                self.advance();
                literal(ExprKind::Nil)
            }
            TokenKind::Ident => {
                self.advance();
                literal(ExprKind::Var(token.text.to_owned()))
            }
            TokenKind::LParen => {
                self.advance();
                let inner = self.expr(0)?;
                let close = self.expect(TokenKind::RParen, "`)`")?;
                Ok(Expr {
                    kind: inner.kind,
                    span: token.span.to(close.span),
                })
            }
            TokenKind::Minus | TokenKind::Bang => {
                self.advance();
                let op = if token.kind == TokenKind::Minus {
                    UnOp::Neg
                } else {
                    UnOp::Not
                };
                let operand = self.expr(PREFIX_BP)?;
                let span = token.span.to(operand.span);
                Ok(Expr {
                    kind: ExprKind::Unary {
                        op,
                        op_span: token.span,
                        operand: Box::new(operand),
                    },
                    span,
                })
            }
            TokenKind::LBrace | TokenKind::If | TokenKind::While => self.block_like(),
            TokenKind::Fn => {
                self.advance();
                self.fn_rest(token.span, None)
            }
            TokenKind::Return => self.return_expr(),
            _ => Err(self.unexpected("expression")),
        }
    }
}
