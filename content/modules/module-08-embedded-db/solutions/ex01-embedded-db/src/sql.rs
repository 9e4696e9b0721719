//! Milestone 4's SQL subset: a lexer and a recursive-descent parser producing an AST.
//!
//! ```text
//! statement  = create | insert | select | BEGIN | COMMIT | ROLLBACK, then an optional ';'
//! create     = CREATE TABLE name '(' name type [PRIMARY KEY] {',' name type [PRIMARY KEY]} ')'
//! insert     = INSERT INTO name ['(' name {',' name} ')'] VALUES row {',' row}    row = '(' expr {',' expr} ')'
//! select     = SELECT ('*' | expr {',' expr}) FROM name [WHERE expr]
//! expr       = or;  or = and {OR and};  and = not {AND not};  not = NOT not | cmp
//! cmp        = sum [('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') sum | IS [NOT] NULL | BETWEEN sum AND sum]
//! sum        = product {('+' | '-') product};  product = unary {('*' | '/' | '%') unary}
//! unary      = '-' unary | primary;  primary = integer | 'text' | NULL | name | '(' expr ')'
//! ```

use crate::{DbError, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Integer,
    Text,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnDef {
    pub(crate) name: String,
    pub(crate) ty: ColumnType,
    pub(crate) primary_key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Literal(Value),
    /// A column by name, as parsed, with the position of its name in the statement.
    Name(String, usize),
    /// A column by index, once the planner has resolved the name.
    Column(usize),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Statement {
    Create {
        name: String,
        columns: Vec<ColumnDef>,
    },
    Insert {
        table: String,
        columns: Option<Vec<(String, usize)>>,
        rows: Vec<Vec<Expr>>,
    },
    Select {
        table: String,
        table_at: usize,
        /// `None` for `*`.
        items: Option<Vec<Expr>>,
        filter: Option<Expr>,
    },
    Begin,
    Commit,
    Rollback,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// Unsigned: `-9223372036854775808` is a minus sign and 2^63.
    Integer(u64),
    Text(String),
    Symbol(&'static str),
    End,
}

const SYMBOLS: [&str; 15] = [
    "<=", ">=", "!=", "<>", "=", "<", ">", "(", ")", ",", ";", "*", "+", "-", "/",
];

fn syntax(position: usize, message: impl Into<String>) -> DbError {
    DbError::Sql {
        position,
        message: message.into(),
    }
}

/// Splits `sql` into tokens, each with its byte offset.
fn lex(sql: &str) -> Result<Vec<(Token, usize)>, DbError> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        let start = at;
        if c.is_ascii_whitespace() {
            at += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            tokens.push((Token::Word(sql[start..at].to_ascii_lowercase()), start));
        } else if c.is_ascii_digit() {
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                at += 1;
            }
            let n = sql[start..at]
                .parse()
                .map_err(|_| syntax(start, "integer literal out of range"))?;
            tokens.push((Token::Integer(n), start));
        } else if c == b'\'' {
            let mut text = String::new();
            at += 1;
            loop {
                let Some(rest) = sql.get(at..) else {
                    return Err(syntax(start, "unterminated string"));
                };
                let Some(quote) = rest.find('\'') else {
                    return Err(syntax(start, "unterminated string"));
                };
                text.push_str(&rest[..quote]);
                at += quote + 1;
                if bytes.get(at) == Some(&b'\'') {
                    text.push('\'');
                    at += 1;
                } else {
                    break;
                }
            }
            tokens.push((Token::Text(text), start));
        } else if c == b'%' {
            tokens.push((Token::Symbol("%"), start));
            at += 1;
        } else if let Some(symbol) = SYMBOLS.iter().find(|s| sql[at..].starts_with(**s)) {
            tokens.push((Token::Symbol(symbol), start));
            at += symbol.len();
        } else {
            let ch = sql[at..].chars().next().unwrap_or('?');
            return Err(syntax(start, format!("unexpected character {ch:?}")));
        }
    }
    tokens.push((Token::End, sql.len()));
    Ok(tokens)
}

const RESERVED: [&str; 20] = [
    "create", "table", "insert", "into", "values", "select", "from", "where", "and", "or", "not",
    "null", "is", "between", "primary", "key", "begin", "commit", "rollback", "integer",
];

pub(crate) fn parse(sql: &str) -> Result<Statement, DbError> {
    let mut p = Parser {
        tokens: lex(sql)?,
        at: 0,
    };
    let statement = p.statement()?;
    p.eat_symbol(";");
    match p.peek() {
        Token::End => Ok(statement),
        _ => Err(p.unexpected("the end of the statement")),
    }
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)].0
    }

    fn position(&self) -> usize {
        self.tokens[self.at.min(self.tokens.len() - 1)].1
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn unexpected(&self, wanted: &str) -> DbError {
        let found = match self.peek() {
            Token::Word(w) => format!("`{w}`"),
            Token::Integer(n) => n.to_string(),
            Token::Text(t) => format!("'{t}'"),
            Token::Symbol(s) => format!("`{s}`"),
            Token::End => "the end of the statement".to_owned(),
        };
        syntax(self.position(), format!("expected {wanted}, found {found}"))
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Token::Word(w) if w == word)
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        let found = self.is_keyword(word);
        if found {
            self.advance();
        }
        found
    }

    fn keyword(&mut self, word: &str) -> Result<(), DbError> {
        if self.eat_keyword(word) {
            Ok(())
        } else {
            Err(self.unexpected(&word.to_ascii_uppercase()))
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Token::Symbol(s) if *s == symbol);
        if found {
            self.advance();
        }
        found
    }

    fn symbol(&mut self, symbol: &str) -> Result<(), DbError> {
        if self.eat_symbol(symbol) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{symbol}`")))
        }
    }

    fn name(&mut self) -> Result<(String, usize), DbError> {
        let at = self.position();
        match self.peek() {
            Token::Word(w) if !RESERVED.contains(&w.as_str()) => {
                let w = w.clone();
                self.advance();
                Ok((w, at))
            }
            _ => Err(self.unexpected("a name")),
        }
    }

    fn statement(&mut self) -> Result<Statement, DbError> {
        if self.eat_keyword("create") {
            self.keyword("table")?;
            let (name, _) = self.name()?;
            self.symbol("(")?;
            let mut columns = Vec::new();
            loop {
                let (column, _) = self.name()?;
                let ty = if self.eat_keyword("integer") {
                    ColumnType::Integer
                } else if self.eat_keyword("text") {
                    ColumnType::Text
                } else {
                    return Err(self.unexpected("INTEGER or TEXT"));
                };
                let primary_key = self.eat_keyword("primary");
                if primary_key {
                    self.keyword("key")?;
                }
                columns.push(ColumnDef {
                    name: column,
                    ty,
                    primary_key,
                });
                if !self.eat_symbol(",") {
                    break;
                }
            }
            self.symbol(")")?;
            Ok(Statement::Create { name, columns })
        } else if self.eat_keyword("insert") {
            self.keyword("into")?;
            let (table, _) = self.name()?;
            let columns = if self.eat_symbol("(") {
                let mut names = vec![self.name()?];
                while self.eat_symbol(",") {
                    names.push(self.name()?);
                }
                self.symbol(")")?;
                Some(names)
            } else {
                None
            };
            self.keyword("values")?;
            let mut rows = Vec::new();
            loop {
                self.symbol("(")?;
                let mut row = vec![self.expr()?];
                while self.eat_symbol(",") {
                    row.push(self.expr()?);
                }
                self.symbol(")")?;
                rows.push(row);
                if !self.eat_symbol(",") {
                    break;
                }
            }
            Ok(Statement::Insert {
                table,
                columns,
                rows,
            })
        } else if self.eat_keyword("select") {
            let items = if self.eat_symbol("*") {
                None
            } else {
                let mut items = vec![self.expr()?];
                while self.eat_symbol(",") {
                    items.push(self.expr()?);
                }
                Some(items)
            };
            self.keyword("from")?;
            let (table, table_at) = self.name()?;
            let filter = if self.eat_keyword("where") {
                Some(self.expr()?)
            } else {
                None
            };
            Ok(Statement::Select {
                table,
                table_at,
                items,
                filter,
            })
        } else if self.eat_keyword("begin") {
            Ok(Statement::Begin)
        } else if self.eat_keyword("commit") {
            Ok(Statement::Commit)
        } else if self.eat_keyword("rollback") {
            Ok(Statement::Rollback)
        } else {
            Err(self.unexpected("CREATE, INSERT, SELECT, BEGIN, COMMIT or ROLLBACK"))
        }
    }

    fn expr(&mut self) -> Result<Expr, DbError> {
        let mut lhs = self.and()?;
        while self.eat_keyword("or") {
            lhs = Expr::Binary(BinOp::Or, Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, DbError> {
        let mut lhs = self.not()?;
        while self.eat_keyword("and") {
            lhs = Expr::Binary(BinOp::And, Box::new(lhs), Box::new(self.not()?));
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, DbError> {
        if self.eat_keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, DbError> {
        let lhs = self.sum()?;
        let op = match self.peek() {
            Token::Symbol("=") => BinOp::Eq,
            Token::Symbol("!=" | "<>") => BinOp::Ne,
            Token::Symbol("<") => BinOp::Lt,
            Token::Symbol("<=") => BinOp::Le,
            Token::Symbol(">") => BinOp::Gt,
            Token::Symbol(">=") => BinOp::Ge,
            Token::Word(w) if w == "is" => {
                self.advance();
                let negated = self.eat_keyword("not");
                self.keyword("null")?;
                return Ok(Expr::IsNull(Box::new(lhs), negated));
            }
            Token::Word(w) if w == "between" => {
                self.advance();
                let low = self.sum()?;
                self.keyword("and")?;
                let high = self.sum()?;
                let ge = Expr::Binary(BinOp::Ge, Box::new(lhs.clone()), Box::new(low));
                let le = Expr::Binary(BinOp::Le, Box::new(lhs), Box::new(high));
                return Ok(Expr::Binary(BinOp::And, Box::new(ge), Box::new(le)));
            }
            _ => return Ok(lhs),
        };
        self.advance();
        Ok(Expr::Binary(op, Box::new(lhs), Box::new(self.sum()?)))
    }

    fn sum(&mut self) -> Result<Expr, DbError> {
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek() {
                Token::Symbol("+") => BinOp::Add,
                Token::Symbol("-") => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.advance();
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, DbError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Symbol("*") => BinOp::Mul,
                Token::Symbol("/") => BinOp::Div,
                Token::Symbol("%") => BinOp::Rem,
                _ => return Ok(lhs),
            };
            self.advance();
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, DbError> {
        if self.eat_symbol("-") {
            // Fold `-<integer>` so that i64::MIN can be written.
            if let Token::Integer(n) = self.peek() {
                let at = self.position();
                let n = 0i64
                    .checked_sub_unsigned(*n)
                    .ok_or_else(|| syntax(at, "integer literal out of range"))?;
                self.advance();
                return Ok(Expr::Literal(Value::Integer(n)));
            }
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, DbError> {
        let at = self.position();
        match self.peek().clone() {
            Token::Integer(n) => {
                let n = i64::try_from(n).map_err(|_| syntax(at, "integer literal out of range"))?;
                self.advance();
                Ok(Expr::Literal(Value::Integer(n)))
            }
            Token::Text(t) => {
                self.advance();
                Ok(Expr::Literal(Value::Text(t)))
            }
            Token::Word(w) if w == "null" => {
                self.advance();
                Ok(Expr::Literal(Value::Null))
            }
            Token::Word(w) if !RESERVED.contains(&w.as_str()) => {
                self.advance();
                Ok(Expr::Name(w, at))
            }
            Token::Symbol("(") => {
                self.advance();
                let e = self.expr()?;
                self.symbol(")")?;
                Ok(e)
            }
            _ => Err(self.unexpected("an expression")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_positions() {
        let Statement::Select { filter, .. } =
            parse("select * from t where a = 1 or b < 2 and not c is null").unwrap()
        else {
            panic!()
        };
        assert!(matches!(filter, Some(Expr::Binary(BinOp::Or, _, _))));
        match parse("SELECT * FROM t WHERE") {
            Err(DbError::Sql { position, .. }) => assert_eq!(position, 21),
            other => panic!("{other:?}"),
        }
        assert!(parse("INSERT INTO t VALUES ('it''s', -9223372036854775808)").is_ok());
    }
}
