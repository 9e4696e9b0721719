//! Milestone 4: TypeScript declarations generated from the Rust types.
//!
//! The renderer is checked on declarations made up here, the wire types' declarations and the
//! whole file against the exact expected text, and then Node parses the generated file with the
//! checker at the end of this file and checks real JSON from the core against it. Node is
//! required: without it the last two tests fail.

use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};

use ex01_typescript_service::ts::{declarations, Declaration, Field, TsType, HEADER};
use ex01_typescript_service::{
    typescript_declarations, ApiError, Booking, BookingEvent, BookingId, BookingStatus,
    CancelBooking, ErrorCode, FieldError, NewBooking, Schedule, Timestamp, TypeScript,
};
use serde_json::{json, Value};

/// The generated file, byte for byte.
const EXPECTED: &str = r#"// Generated from the Rust types of ex01-typescript-service: do not edit.

/** A u64 on the server; always a decimal string on the wire (JS numbers lose precision above 2^53). */
export type BookingId = string;

/** RFC 3339 in UTC with milliseconds, exactly as Date.prototype.toISOString() prints it. */
export type Timestamp = string;

/** The body of POST /api/bookings; unknown properties are rejected. */
export interface NewBooking {
  roomId: string;
  title: string;
  start: Timestamp;
  end: Timestamp;
  attendees: string[];
  note?: string;
}

/** Confirmed, or cancelled with a reason and time: a union on `state`. */
export type BookingStatus =
  | { state: "confirmed" }
  | { state: "cancelled"; reason: string; cancelledAt: Timestamp };

/** A stored booking, as every endpoint returns it. */
export interface Booking {
  id: BookingId;
  roomId: string;
  title: string;
  start: Timestamp;
  end: Timestamp;
  attendees: string[];
  note?: string;
  status: BookingStatus;
  createdAt: Timestamp;
}

/** The body of POST /api/bookings/{id}/cancel; unknown properties are rejected. */
export interface CancelBooking {
  reason: string;
}

/** What happened to the schedule: a union on `type`. */
export type BookingEvent =
  | { type: "bookingCreated"; booking: Booking }
  | { type: "bookingCancelled"; bookingId: BookingId; reason: string; at: Timestamp };

/** The machine-readable kind of an ApiError; switch on it, never on the message. */
export type ErrorCode = "badRequest" | "validation" | "notFound" | "conflict" | "methodNotAllowed" | "payloadTooLarge" | "internal";

/** One broken rule; field is a path in the client's names, e.g. "attendees[2]". */
export interface FieldError {
  field: string;
  message: string;
}

/** The body of every error response. */
export interface ApiError {
  code: ErrorCode;
  message: string;
  fields?: FieldError[];
}
"#;

fn object(fields: Vec<Field>) -> TsType {
    TsType::Object(fields)
}

fn named(name: &str) -> TsType {
    TsType::Named(name.to_owned())
}

// ---------------------------------------------------------------------------------------------
// The renderer

#[test]
fn type_expressions_render_inline() {
    let cases = [
        (TsType::String, "string"),
        (TsType::Number, "number"),
        (TsType::Boolean, "boolean"),
        (TsType::literal("confirmed"), r#""confirmed""#),
        (TsType::literal("say \"hi\"\\"), r#""say \"hi\"\\""#),
        (named("Timestamp"), "Timestamp"),
        (TsType::array(TsType::Number), "number[]"),
        (TsType::array(TsType::array(named("Id"))), "Id[][]"),
        (
            TsType::array(TsType::Union(vec![TsType::String, TsType::Number])),
            "(string | number)[]",
        ),
        (object(vec![]), "{}"),
        (
            object(vec![
                Field::required("kind", TsType::literal("point")),
                Field::optional("tags", TsType::array(TsType::String)),
            ]),
            r#"{ kind: "point"; tags?: string[] }"#,
        ),
        (
            TsType::Union(vec![
                TsType::literal("a"),
                object(vec![Field::required("b", TsType::Boolean)]),
                named("C"),
            ]),
            r#""a" | { b: boolean } | C"#,
        ),
    ];
    for (ty, expected) in cases {
        assert_eq!(ty.to_string(), expected, "{ty:?}");
    }
}

#[test]
fn declarations_render_as_interfaces_aliases_and_multi_line_unions() {
    let point = Declaration {
        name: "Point".to_owned(),
        doc: Some("A point on the plane.".to_owned()),
        ty: object(vec![
            Field::required("x", TsType::Number),
            Field::required("y", TsType::Number),
            Field::optional("label", TsType::String),
        ]),
    };
    assert_eq!(
        point.render(),
        "/** A point on the plane. */\nexport interface Point {\n  x: number;\n  y: number;\n  label?: string;\n}\n"
    );
    let empty = Declaration {
        name: "Nothing".to_owned(),
        doc: None,
        ty: object(vec![]),
    };
    assert_eq!(empty.render(), "export interface Nothing {}\n");
    let size = Declaration {
        name: "Size".to_owned(),
        doc: None,
        ty: TsType::Union(vec![TsType::literal("s"), TsType::literal("m")]),
    };
    assert_eq!(size.render(), "export type Size = \"s\" | \"m\";\n");
    let shape = Declaration {
        name: "Shape".to_owned(),
        doc: Some("Tagged on `kind`.".to_owned()),
        ty: TsType::Union(vec![
            object(vec![Field::required("kind", TsType::literal("empty"))]),
            object(vec![
                Field::required("kind", TsType::literal("points")),
                Field::required("points", TsType::array(named("Point"))),
            ]),
        ]),
    };
    assert_eq!(
        shape.render(),
        "/** Tagged on `kind`. */\nexport type Shape =\n  | { kind: \"empty\" }\n  | { kind: \"points\"; points: Point[] };\n"
    );
    let list = Declaration {
        name: "Points".to_owned(),
        doc: None,
        ty: TsType::array(named("Point")),
    };
    assert_eq!(list.render(), "export type Points = Point[];\n");
}

#[test]
fn references_list_every_named_type_in_order() {
    let ty = TsType::Union(vec![
        object(vec![
            Field::required("a", named("A")),
            Field::optional("b", TsType::array(named("B"))),
        ]),
        named("A"),
        TsType::String,
    ]);
    assert_eq!(ty.references(), ["A", "B", "A"]);
    assert!(TsType::literal("A").references().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The contract

/// The declaration of `name` in the expected file, as `render` writes it.
fn expected_declaration(name: &str) -> String {
    EXPECTED
        .split("\n\n")
        .find(|block| {
            block.contains(&format!("export interface {name} "))
                || block.contains(&format!("export type {name} "))
        })
        .map(|block| format!("{}\n", block.trim_end()))
        .unwrap_or_else(|| panic!("{name} is not in the expected file"))
}

#[test]
fn each_wire_type_declares_its_json_shape() {
    let rendered = [
        (BookingId::NAME, BookingId::declaration()),
        (Timestamp::NAME, Timestamp::declaration()),
        (NewBooking::NAME, NewBooking::declaration()),
        (BookingStatus::NAME, BookingStatus::declaration()),
        (Booking::NAME, Booking::declaration()),
        (CancelBooking::NAME, CancelBooking::declaration()),
        (BookingEvent::NAME, BookingEvent::declaration()),
        (ErrorCode::NAME, ErrorCode::declaration()),
        (FieldError::NAME, FieldError::declaration()),
        (ApiError::NAME, ApiError::declaration()),
    ];
    for (name, declaration) in rendered {
        assert_eq!(declaration.name, name);
        assert_eq!(declaration.render(), expected_declaration(name), "{name}");
    }
}

#[test]
fn the_declaration_file_is_exactly_the_contract() {
    assert!(HEADER.starts_with("// ") && HEADER.ends_with('\n'));
    assert_eq!(typescript_declarations(), EXPECTED);
}

#[test]
fn every_referenced_type_is_declared_earlier_and_once() {
    let mut declared = HashSet::new();
    for declaration in declarations() {
        for reference in declaration.ty.references() {
            assert!(
                declared.contains(reference),
                "{} refers to {reference} before it is declared",
                declaration.name
            );
        }
        assert!(
            declared.insert(declaration.name.clone()),
            "{} is declared twice",
            declaration.name
        );
    }
    assert_eq!(declared.len(), 10);
}

// ---------------------------------------------------------------------------------------------
// The contract, checked from Node against real JSON

/// What [`SHAPES`], run by Node on the generated file, printed: the declared names and one result
/// per sample.
fn shapes(test: &str, declarations: &str, samples: &[(&str, Value)]) -> (Value, Vec<Value>) {
    let dir = std::env::temp_dir().join(format!(
        "ex01-typescript-service-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let file = dir.join("contract.d.ts");
    std::fs::write(&file, declarations).expect("write contract.d.ts");
    let checker = dir.join("shapes.cjs");
    std::fs::write(&checker, SHAPES).expect("write shapes.cjs");
    let mut child = Command::new("node")
        .arg(&checker)
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `node` ({e}): the milestone 4 tests need Node.js 18 or later on PATH"
            )
        });
    let input: Vec<Value> = samples
        .iter()
        .map(|(ty, value)| json!({ "type": ty, "value": value }))
        .collect();
    let input = Value::Array(input).to_string();
    let mut stdin = child.stdin.take().expect("node's stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("wait for node");
    writer
        .join()
        .expect("the stdin writer")
        .expect("write the samples to node");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the shape checker failed ({})\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    let mut printed: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the checker printed no JSON ({e}): {stdout}\n{stderr}"));
    let results = match printed["results"].take() {
        Value::Array(results) => results,
        other => panic!("no results from the checker: {other}"),
    };
    assert_eq!(results.len(), samples.len(), "one result per sample");
    (printed["declared"].take(), results)
}

fn at(minutes_after_nine: i64) -> Timestamp {
    Timestamp::from_millis(1_714_554_000_000 + minutes_after_nine * 60_000)
}

fn new_booking(room: &str, start: i64, end: i64, note: Option<&str>) -> NewBooking {
    NewBooking {
        room_id: room.to_owned(),
        title: " Design review ".to_owned(),
        start: at(start),
        end: at(end),
        attendees: vec!["ana@example.com".to_owned(), "bo@example.com".to_owned()],
        note: note.map(str::to_owned),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serialize")
}

#[test]
fn node_finds_the_json_of_the_core_matches_the_generated_declarations() {
    let mut schedule = Schedule::new(9_007_199_254_740_993);
    let noted = schedule
        .create(
            new_booking("blue-room", 0, 30, Some("bring slides")),
            at(-60),
        )
        .unwrap();
    let plain = schedule
        .create(new_booking("blue-room", 30, 60, None), at(-59))
        .unwrap();
    let cancelled = schedule
        .cancel(
            plain.id,
            CancelBooking {
                reason: "moved online".to_owned(),
            },
            at(-30),
        )
        .unwrap();
    let conflict = schedule
        .create(new_booking("blue-room", 10, 20, None), at(-20))
        .unwrap_err();
    let invalid = schedule
        .create(new_booking("Blue Room", 60, 30, None), at(-10))
        .unwrap_err();
    assert_eq!(conflict.code, ErrorCode::Conflict);
    assert_eq!(invalid.code, ErrorCode::Validation);

    let mut samples = vec![
        ("NewBooking", to_json(&new_booking("a", 0, 30, Some("n")))),
        ("NewBooking", to_json(&new_booking("a", 0, 30, None))),
        ("Booking", to_json(&noted)),
        ("Booking", to_json(&plain)),
        ("Booking", to_json(&cancelled)),
        ("BookingStatus", to_json(&cancelled.status)),
        ("BookingId", to_json(&noted.id)),
        ("Timestamp", to_json(&noted.created_at)),
        (
            "CancelBooking",
            to_json(&CancelBooking {
                reason: "r".to_owned(),
            }),
        ),
        ("ApiError", to_json(&conflict)),
        ("ApiError", to_json(&invalid)),
        ("FieldError", to_json(&invalid.fields[0])),
        ("ErrorCode", to_json(&ErrorCode::MethodNotAllowed)),
    ];
    for event in schedule.events() {
        samples.push(("BookingEvent", to_json(event)));
    }
    assert_eq!(schedule.events().len(), 3);

    let (declared, results) = shapes("valid", &typescript_declarations(), &samples);
    assert_eq!(
        declared,
        json!([
            "BookingId",
            "Timestamp",
            "NewBooking",
            "BookingStatus",
            "Booking",
            "CancelBooking",
            "BookingEvent",
            "ErrorCode",
            "FieldError",
            "ApiError"
        ])
    );
    for ((ty, value), result) in samples.iter().zip(&results) {
        assert_eq!(result, &json!({ "ok": true }), "{ty}: {value}");
    }
}

#[test]
fn node_rejects_json_that_breaks_the_generated_declarations() {
    let booking = json!({
        "id": "1", "roomId": "r", "title": "t",
        "start": "2024-05-01T09:00:00.000Z", "end": "2024-05-01T09:30:00.000Z",
        "attendees": ["ana@example.com"], "status": { "state": "confirmed" },
        "createdAt": "2024-05-01T08:00:00.000Z"
    });
    let with = |key: &str, value: Value| {
        let mut b = booking.clone();
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = booking.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    let snake = {
        let mut b = without("createdAt");
        b["created_at"] = json!("2024-05-01T08:00:00.000Z");
        b
    };
    let samples = [
        ("Booking", booking.clone()),
        ("Booking", with("id", json!(1))),
        ("Booking", with("note", Value::Null)),
        ("Booking", snake),
        ("Booking", without("status")),
        ("Booking", with("attendees", json!("ana@example.com"))),
        (
            "BookingStatus",
            json!({ "state": "cancelled", "reason": "r", "cancelled_at": "2024-05-01T08:00:00.000Z" }),
        ),
        ("BookingStatus", json!({ "state": "Confirmed" })),
        (
            "BookingEvent",
            json!({ "type": "bookingCancelled", "bookingId": "1", "reason": "r" }),
        ),
        ("ErrorCode", json!("bad_request")),
        (
            "ApiError",
            json!({ "code": "conflict", "message": "m", "fields": null }),
        ),
        ("CancelBooking", json!({ "reason": "r", "extra": true })),
    ];
    let (_, results) = shapes("invalid", &typescript_declarations(), &samples);
    assert_eq!(results[0], json!({ "ok": true }));
    for ((ty, value), result) in samples.iter().zip(&results).skip(1) {
        assert_eq!(result["ok"], json!(false), "{ty} should reject {value}");
    }
}

// ---------------------------------------------------------------------------------------------
// The Node side

/// The checker Node runs (`shapes.cjs`): it parses the declarations and checks the samples.
const SHAPES: &str = r#"// The Node side of the milestone 4 tests. milestone4.rs writes it next to the generated
// contract.d.ts as shapes.cjs (.cjs: CommonJS whatever package.json sits above it) and runs it.
//
//   node shapes.cjs <path/to/contract.d.ts>  < samples.json
//
// Parses the generated declarations (the subset of TypeScript the generator writes: `export
// type`, `export interface`, string/number/boolean, string literals, names, `T[]`, `(...)`, inline
// object types and unions) and checks each sample from stdin, a JSON array of
// { "type": "<declared name>", "value": <JSON> }, against its declared type. Objects must have
// every required property and no other; an optional property may be absent but not null. Prints
// one line of JSON:
//
//   { "declared": ["<name>", ...], "results": [ { "ok": true } | { "ok": false, "errors": [...] } ] }
//
// Exit status: 0 when every sample was checked (valid or not), 2 when the declarations or the
// input could not be read (the reason is on stderr).
"use strict";

const fs = require("fs");

function fail(message) {
  process.stderr.write(`shapes: ${message}\n`);
  process.exit(2);
}

function tokenize(text) {
  const tokens = [];
  const re = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|("(?:[^"\\]|\\.)*")|([A-Za-z_$][A-Za-z0-9_$]*)|(\[\]|[{}();:|=?])/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`unexpected character at offset ${at}: ${JSON.stringify(text.slice(at, at + 20))}`);
    at = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: "literal", value: JSON.parse(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: "word", value: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: "punct", value: m[3] });
  }
  return tokens;
}

function parse(text) {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (value) => i < tokens.length && tokens[i].value === value && tokens[i].kind !== "literal";
  const expect = (value) => {
    if (!peek(value)) throw new Error(`expected ${value} at token ${i}, found ${JSON.stringify(tokens[i])}`);
    i += 1;
  };
  const word = () => {
    const t = tokens[i];
    if (!t || t.kind !== "word") throw new Error(`expected a name at token ${i}, found ${JSON.stringify(t)}`);
    i += 1;
    return t.value;
  };

  function fields() {
    expect("{");
    const list = [];
    while (!peek("}")) {
      const name = word();
      const optional = peek("?");
      if (optional) i += 1;
      expect(":");
      list.push({ name, optional, type: union() });
      if (peek(";")) i += 1;
      else if (!peek("}")) throw new Error(`expected ; or } after property ${name}`);
    }
    expect("}");
    return { kind: "object", fields: list };
  }

  function primary() {
    const t = tokens[i];
    if (!t) throw new Error("unexpected end of declarations");
    let type;
    if (t.kind === "literal") {
      i += 1;
      type = { kind: "literal", value: t.value };
    } else if (peek("{")) {
      type = fields();
    } else if (peek("(")) {
      i += 1;
      type = union();
      expect(")");
    } else {
      const name = word();
      type = ["string", "number", "boolean"].includes(name) ? { kind: name } : { kind: "named", name };
    }
    while (peek("[]")) {
      i += 1;
      type = { kind: "array", item: type };
    }
    return type;
  }

  function union() {
    if (peek("|")) i += 1;
    const members = [primary()];
    while (peek("|")) {
      i += 1;
      members.push(primary());
    }
    return members.length === 1 ? members[0] : { kind: "union", members };
  }

  const declared = new Map();
  while (i < tokens.length) {
    expect("export");
    const keyword = word();
    const name = word();
    if (declared.has(name)) throw new Error(`${name} is declared twice`);
    if (keyword === "interface") {
      declared.set(name, fields());
    } else if (keyword === "type") {
      expect("=");
      declared.set(name, union());
      expect(";");
    } else {
      throw new Error(`unexpected export ${keyword}`);
    }
  }
  return declared;
}

function check(declared, type, value, path, errors) {
  const say = (what) => errors.push(`${path}: ${what}, got ${JSON.stringify(value)}`);
  switch (type.kind) {
    case "string":
    case "number":
    case "boolean":
      if (typeof value !== type.kind) say(`expected ${type.kind}`);
      return;
    case "literal":
      if (value !== type.value) say(`expected ${JSON.stringify(type.value)}`);
      return;
    case "named": {
      const target = declared.get(type.name);
      if (!target) errors.push(`${path}: ${type.name} is not declared`);
      else check(declared, target, value, path, errors);
      return;
    }
    case "array":
      if (!Array.isArray(value)) return say("expected an array");
      value.forEach((item, k) => check(declared, type.item, item, `${path}[${k}]`, errors));
      return;
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return say("expected an object");
      const names = new Set(type.fields.map((f) => f.name));
      for (const key of Object.keys(value)) {
        if (!names.has(key)) errors.push(`${path}: unexpected property ${key}`);
      }
      for (const field of type.fields) {
        if (!(field.name in value)) {
          if (!field.optional) errors.push(`${path}: missing property ${field.name}`);
        } else {
          check(declared, field.type, value[field.name], `${path}.${field.name}`, errors);
        }
      }
      return;
    }
    case "union": {
      const matches = type.members.some((member) => {
        const memberErrors = [];
        check(declared, member, value, path, memberErrors);
        return memberErrors.length === 0;
      });
      if (!matches) say("matches no member of the union");
      return;
    }
    default:
      errors.push(`${path}: unknown type kind ${type.kind}`);
  }
}

const file = process.argv[2];
if (!file) fail("usage: node shapes.cjs <path/to/contract.d.ts> < samples.json");

let declared;
try {
  declared = parse(fs.readFileSync(file, "utf8"));
} catch (e) {
  fail(`cannot read the declarations in ${file}: ${e.message}`);
}

let samples;
try {
  samples = JSON.parse(fs.readFileSync(0, "utf8"));
} catch (e) {
  fail(`stdin is not JSON: ${e}`);
}
if (!Array.isArray(samples)) fail("stdin must be a JSON array of samples");

const results = samples.map((sample) => {
  const errors = [];
  check(declared, { kind: "named", name: sample.type }, sample.value, sample.type, errors);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
});

process.stdout.write(JSON.stringify({ declared: [...declared.keys()], results }) + "\n");
"#;
