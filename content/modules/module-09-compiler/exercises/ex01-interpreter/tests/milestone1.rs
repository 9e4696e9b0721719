//! Milestone 1: lexer, Pratt parser and evaluator for expressions, `let` and assignment, with
//! errors that carry line:column positions.

use ex01_interpreter::{
    eval, lex, parse, parse_expr, ErrorKind, Interpreter, Span, TokenKind, Value,
};

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn string(s: &str) -> Value {
    Value::Str(s.into())
}

fn ok(src: &str) -> Value {
    eval(src).unwrap_or_else(|e| panic!("{src:?} failed: {e}"))
}

fn sexpr(src: &str) -> String {
    parse_expr(src)
        .unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"))
        .to_string()
}

/// Asserts that `src` fails with the given kind, position and message.
fn fails(src: &str, kind: ErrorKind, line: usize, column: usize, message: &str) {
    let err = eval(src).expect_err(src);
    assert_eq!(
        (err.kind, err.line, err.column, err.message.as_str()),
        (kind, line, column, message),
        "error for {src:?} was: {err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[test]
fn lexes_every_token_kind() {
    use TokenKind::*;
    let src = "let x = 12 + 3.5 * (y - 1) ** 2; // comment\n\"hi\" != true && false || !nil <= >= < > == / % { } , fn if else while return";
    let kinds: Vec<TokenKind> = lex(src).unwrap().iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            Let, Ident, Eq, Int, Plus, Float, Star, LParen, Ident, Minus, Int, RParen, StarStar,
            Int, Semi, Str, BangEq, True, AndAnd, False, OrOr, Bang, Nil, LtEq, GtEq, Lt, Gt, EqEq,
            Slash, Percent, LBrace, RBrace, Comma, Fn, If, Else, While, Return,
        ]
    );
}

#[test]
fn tokens_borrow_their_text_and_know_their_spans() {
    let src = "let total_2 = \"a\\\"b\";";
    let tokens = lex(src).unwrap();
    let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
    assert_eq!(texts, ["let", "total_2", "=", "\"a\\\"b\"", ";"]);
    assert_eq!(tokens[1].span, Span::new(4, 11));
    for t in &tokens {
        assert_eq!(&src[t.span.start..t.span.end], t.text);
    }
    assert!(lex("   // only a comment").unwrap().is_empty());
}

#[test]
fn maximal_munch() {
    use TokenKind::*;
    let kinds = |src: &str| lex(src).unwrap().iter().map(|t| t.kind).collect::<Vec<_>>();
    assert_eq!(kinds("a***b"), [Ident, StarStar, Star, Ident]);
    assert_eq!(kinds("a===b"), [Ident, EqEq, Eq, Ident]);
    assert_eq!(kinds("!!=<=="), [Bang, BangEq, LtEq, Eq]);
    assert_eq!(kinds("1.5 23 4.0"), [Float, Int, Float]);
}

#[test]
fn lex_errors_have_positions() {
    fails("1 + @", ErrorKind::Lex, 1, 5, "unexpected character `@`");
    fails(
        "let s = \"héllo\";\nlet t = \"never closed",
        ErrorKind::Lex,
        2,
        9,
        "unterminated string literal",
    );
    fails(
        "\"bad \\q escape\"",
        ErrorKind::Lex,
        1,
        6,
        "unknown escape sequence `\\q`",
    );
    fails(
        "99999999999999999999",
        ErrorKind::Lex,
        1,
        1,
        "integer literal is too large",
    );
    fails("a & b", ErrorKind::Lex, 1, 3, "unexpected character `&`");
    fails("2.", ErrorKind::Lex, 1, 2, "unexpected character `.`");
    // Columns count characters, not bytes: `é` is two bytes but one column.
    fails(
        "\"é\" + €",
        ErrorKind::Lex,
        1,
        7,
        "unexpected character `€`",
    );
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

#[test]
fn precedence() {
    assert_eq!(sexpr("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(sexpr("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(
        sexpr("1 * 2 + 3 % 4 - 5 / 6"),
        "(- (+ (* 1 2) (% 3 4)) (/ 5 6))"
    );
    assert_eq!(sexpr("a + b < c * d"), "(< (+ a b) (* c d))");
    assert_eq!(sexpr("a || b && c || d"), "(|| (|| a (&& b c)) d)");
    assert_eq!(sexpr("!a && b"), "(&& (! a) b)");
    assert_eq!(sexpr("-x * y"), "(* (- x) y)");
    assert_eq!(sexpr("-2 ** 2"), "(- (** 2 2))");
    assert_eq!(sexpr("2 ** -1"), "(** 2 (- 1))");
    assert_eq!(sexpr("x = 1 + 2"), "(= x (+ 1 2))");
    assert_eq!(sexpr("a < b || c >= d"), "(|| (< a b) (>= c d))");
    assert_eq!(sexpr("1.5 + \"s\\n\" + nil"), "(+ (+ 1.5 \"s\\n\") nil)");
}

#[test]
fn associativity() {
    assert_eq!(sexpr("a - b - c"), "(- (- a b) c)");
    assert_eq!(sexpr("a / b / c"), "(/ (/ a b) c)");
    assert_eq!(sexpr("2 ** 3 ** 2"), "(** 2 (** 3 2))");
    assert_eq!(sexpr("a = b = c"), "(= a (= b c))");
    assert_eq!(sexpr("- - x"), "(- (- x))");
    assert_eq!(sexpr("!!x"), "(! (! x))");
}

#[test]
fn programs_are_statements_with_an_optional_tail() {
    assert_eq!(
        parse("let x = 1; x + 1").unwrap().to_string(),
        "{(let x 1) (+ x 1)}"
    );
    assert_eq!(
        parse("let x = 1; x = x * 2;").unwrap().to_string(),
        "{(let x 1) (= x (* x 2));}"
    );
    assert_eq!(parse("").unwrap().to_string(), "{}");
    let program = parse("1; 2; 3").unwrap();
    assert_eq!(program.stmts.len(), 2);
    assert!(program.tail.is_some());
}

#[test]
fn parse_errors_say_what_was_expected() {
    fails(
        "1 +",
        ErrorKind::Parse,
        1,
        4,
        "expected expression, found end of input",
    );
    fails(
        "let x = ;",
        ErrorKind::Parse,
        1,
        9,
        "expected expression, found `;`",
    );
    fails(
        "let = 5;",
        ErrorKind::Parse,
        1,
        5,
        "expected identifier, found `=`",
    );
    fails(
        "let x 5;",
        ErrorKind::Parse,
        1,
        7,
        "expected `=`, found number `5`",
    );
    fails(
        "let x = 5",
        ErrorKind::Parse,
        1,
        10,
        "expected `;`, found end of input",
    );
    fails(
        "(1 + 2",
        ErrorKind::Parse,
        1,
        7,
        "expected `)`, found end of input",
    );
    fails(
        "1 2",
        ErrorKind::Parse,
        1,
        3,
        "expected `;`, found number `2`",
    );
    fails(
        "let a = 1;\nlet b = (a + );",
        ErrorKind::Parse,
        2,
        14,
        "expected expression, found `)`",
    );
    fails(
        "x y",
        ErrorKind::Parse,
        1,
        3,
        "expected `;`, found identifier `y`",
    );
    fails(
        "1 + \"s\" \"t\"",
        ErrorKind::Parse,
        1,
        9,
        "expected `;`, found string literal",
    );
}

#[test]
fn assignment_targets_and_chained_comparisons_are_checked() {
    fails(
        "1 + a = 3",
        ErrorKind::Parse,
        1,
        1,
        "invalid assignment target",
    );
    fails(
        "let a = 1; -a = 2",
        ErrorKind::Parse,
        1,
        12,
        "invalid assignment target",
    );
    assert_eq!(
        ok("let a = 1; (a) = 2; a"),
        int(2),
        "a parenthesized variable is still a variable"
    );
    fails(
        "1 < 2 < 3",
        ErrorKind::Parse,
        1,
        7,
        "comparison operators cannot be chained",
    );
    fails(
        "a == b != c",
        ErrorKind::Parse,
        1,
        8,
        "comparison operators cannot be chained",
    );
    assert_eq!(sexpr("(1 < 2) == true"), "(== (< 1 2) true)");
}

#[test]
fn error_display_format() {
    let err = eval("let a = 1;\n  a +").unwrap_err();
    assert_eq!(
        err.to_string(),
        "2:6: parse error: expected expression, found end of input"
    );
    let err = eval("\n\nlet q = 10 / 0;").unwrap_err();
    assert_eq!(err.to_string(), "3:12: runtime error: division by zero");
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

#[test]
fn arithmetic() {
    assert_eq!(ok("1 + 2 * 3"), int(7));
    assert_eq!(ok("(1 + 2) * 3"), int(9));
    assert_eq!(ok("100 - 10 - 1"), int(89));
    assert_eq!(ok("2 ** 3 ** 2"), int(512));
    assert_eq!(ok("-2 ** 2"), int(-4));
    assert_eq!(ok("7 / 2"), int(3));
    assert_eq!(ok("-7 / 2"), int(-3));
    assert_eq!(ok("7 % 3"), int(1));
    assert_eq!(ok("7.0 / 2"), Value::Float(3.5));
    assert_eq!(ok("1 + 0.5"), Value::Float(1.5));
    assert_eq!(ok("2 ** 0.5 * 2 ** 0.5 > 1.99"), Value::Bool(true));
    assert_eq!(ok("- - 5"), int(5));
}

#[test]
fn comparison_equality_and_logic() {
    assert_eq!(ok("1 < 2"), Value::Bool(true));
    assert_eq!(ok("2 <= 1"), Value::Bool(false));
    assert_eq!(ok("1 == 1.0"), Value::Bool(true));
    assert_eq!(ok("1 != 2"), Value::Bool(true));
    assert_eq!(ok("\"abc\" < \"abd\""), Value::Bool(true));
    assert_eq!(ok("\"a\" == \"a\""), Value::Bool(true));
    assert_eq!(ok("1 == \"1\""), Value::Bool(false));
    assert_eq!(ok("nil == nil"), Value::Bool(true));
    assert_eq!(ok("true && !false"), Value::Bool(true));
    assert_eq!(ok("false || 1 > 2"), Value::Bool(false));
    // Short-circuit: the right operand is never evaluated.
    assert_eq!(ok("false && undefined_variable"), Value::Bool(false));
    assert_eq!(ok("true || 1 / 0 == 0"), Value::Bool(true));
}

#[test]
fn strings_and_literals() {
    assert_eq!(ok("\"hello, \" + \"world\""), string("hello, world"));
    assert_eq!(
        ok("\"tab\\tquote\\\" backslash\\\\ newline\\n\""),
        string("tab\tquote\" backslash\\ newline\n")
    );
    assert_eq!(ok("\"ünïcödé ✓\""), string("ünïcödé ✓"));
    assert_eq!(ok("nil"), Value::Nil);
    assert_eq!(ok("true"), Value::Bool(true));
    assert_eq!(ok("1.25"), Value::Float(1.25));
}

#[test]
fn let_and_assignment() {
    assert_eq!(ok("let x = 2; let y = x * 10; y + x"), int(22));
    assert_eq!(ok("let x = 1; x = x + 41; x"), int(42));
    assert_eq!(ok("let a = 0; let b = 0; a = b = 7; a + b"), int(14));
    assert_eq!(ok("let x = 1; let x = \"shadowed\"; x"), string("shadowed"));
    assert_eq!(
        ok("let x = 1; x = 2"),
        int(2),
        "an assignment is an expression with the assigned value"
    );
    assert_eq!(
        ok("let x = 1;"),
        Value::Nil,
        "a program ending in a statement has value nil"
    );
    assert_eq!(ok(""), Value::Nil);
}

#[test]
fn globals_persist_across_runs() {
    let mut interp = Interpreter::new();
    assert_eq!(interp.run("let counter = 1;").unwrap(), Value::Nil);
    assert_eq!(
        interp.run("counter = counter + 1; counter * 10").unwrap(),
        int(20)
    );
    assert_eq!(interp.global("counter"), Some(&int(2)));
    assert!(interp.run("let boom = 1; boom + nil").is_err());
    assert_eq!(
        interp.global("boom"),
        Some(&int(1)),
        "definitions before a runtime error remain"
    );
    assert_eq!(interp.run("counter").unwrap(), int(2));
    assert_eq!(interp.global("nope"), None);
}

#[test]
fn runtime_errors_point_at_the_culprit() {
    fails(
        "1 + true",
        ErrorKind::Runtime,
        1,
        3,
        "cannot apply `+` to int and bool",
    );
    fails(
        "\"a\" * 3",
        ErrorKind::Runtime,
        1,
        5,
        "cannot apply `*` to string and int",
    );
    fails(
        "\"a\" < 1",
        ErrorKind::Runtime,
        1,
        5,
        "cannot apply `<` to string and int",
    );
    fails(
        "-\"x\"",
        ErrorKind::Runtime,
        1,
        1,
        "cannot apply `-` to string",
    );
    fails("!0", ErrorKind::Runtime, 1, 1, "cannot apply `!` to int");
    fails(
        "1 && true",
        ErrorKind::Runtime,
        1,
        3,
        "operands of `&&` must be bool, found int",
    );
    fails(
        "false || nil",
        ErrorKind::Runtime,
        1,
        7,
        "operands of `||` must be bool, found nil",
    );
    fails(
        "let x = 1;\nx + y",
        ErrorKind::Runtime,
        2,
        5,
        "undefined variable `y`",
    );
    fails("z = 3", ErrorKind::Runtime, 1, 1, "undefined variable `z`");
    fails("7 % 0", ErrorKind::Runtime, 1, 3, "division by zero");
    fails(
        "9223372036854775807 + 1",
        ErrorKind::Runtime,
        1,
        21,
        "integer overflow",
    );
    fails("2 ** 64", ErrorKind::Runtime, 1, 3, "integer overflow");
    fails("2 ** -1", ErrorKind::Runtime, 1, 3, "negative exponent");
    fails(
        "let s = \"żółw\"; s + 1",
        ErrorKind::Runtime,
        1,
        19,
        "cannot apply `+` to string and int",
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let err = eval(&src).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Parse);
    assert_eq!(err.message, "expression is nested too deeply");
    let src = format!("{}1", "-".repeat(10_000));
    assert_eq!(
        eval(&src).unwrap_err().message,
        "expression is nested too deeply"
    );
    assert_eq!(
        ok(&format!("{}1{}", "(".repeat(50), ")".repeat(50))),
        int(1)
    );
    assert_eq!(ok(&format!("{}1", "1 + ".repeat(99))), int(100));
}
