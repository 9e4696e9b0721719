//! Milestone 3: the same core in Node, as a native addon over N-API.
//!
//! The first tests call the string-in, string-out `bridge` functions from Rust. The others load
//! the crate's cdylib into a real `node` process: cargo builds the library (rlib and cdylib)
//! before this test binary, next to it in `target/<profile>/deps/`; each test copies it to a
//! fresh `addon.node`, writes the JavaScript harness at the end of this file next to it, runs
//! `node harness.cjs addon.node` with a JSON list of calls on stdin and compares what the harness
//! prints. Node is required: without it these tests fail.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use ex01_typescript_service::bridge::{normalize_timestamp, validate_new_booking_json};
use ex01_typescript_service::ErrorCode;
use serde_json::{json, Value};

const VALID: &str = r#"{"roomId":"blue-room","title":"Design review","start":"2024-05-01T09:00:00.000Z","end":"2024-05-01T10:00:00.000Z","attendees":["ana@example.com"]}"#;

const INVALID: &str = r#"{"roomId":"Blue Room","title":"   ","start":"2024-05-01T09:00:00Z","end":"2024-05-01T17:30:00Z","attendees":["ana@example.com","not-an-address","ANA@example.com"],"note":null}"#;

const INVALID_ERRORS: &str = r#"[{"field":"roomId","message":"must be 1 to 32 characters of a-z, 0-9 and inner '-'"},{"field":"title","message":"must not be blank"},{"field":"end","message":"a booking lasts at most 480 minutes"},{"field":"attendees[1]","message":"is not an e-mail address"},{"field":"attendees[2]","message":"duplicates attendees[0]"}]"#;

// ---------------------------------------------------------------------------------------------
// The bridge, from Rust

#[test]
fn bridge_validates_json_bookings_into_json_field_errors() {
    assert_eq!(validate_new_booking_json(VALID).unwrap(), "[]");
    assert_eq!(validate_new_booking_json(INVALID).unwrap(), INVALID_ERRORS);
}

#[test]
fn bridge_rejects_input_that_is_not_a_new_booking_as_bad_request() {
    let not_bookings = [
        "",
        "{",
        "[]",
        r#"{"roomId":"blue-room"}"#,
        &VALID.replace("\"title\"", "\"tittle\""),
        &VALID.replace(r#""2024-05-01T09:00:00.000Z""#, "1714554000000"),
        &VALID.replace(
            r#""roomId":"blue-room","#,
            r#""roomId":"blue-room","extra":1,"#,
        ),
    ];
    for input in not_bookings {
        let err = validate_new_booking_json(input).expect_err(input);
        assert_eq!(err.code, ErrorCode::BadRequest, "{input}");
        assert!(
            err.message.starts_with("invalid JSON body: "),
            "{input}: {}",
            err.message
        );
        assert!(err.fields.is_empty(), "{input}");
    }
}

#[test]
fn bridge_normalizes_timestamps_to_the_canonical_utc_form() {
    for (input, canonical) in [
        ("2024-05-01T09:00:00Z", "2024-05-01T09:00:00.000Z"),
        ("2024-05-01T11:00:00.5+02:00", "2024-05-01T09:00:00.500Z"),
        (
            "2024-04-30T23:30:00.123456-09:30",
            "2024-05-01T09:00:00.123Z",
        ),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
    ] {
        assert_eq!(normalize_timestamp(input).unwrap(), canonical, "{input}");
    }
    for input in [
        "",
        "2024-02-30T09:00:00Z",
        "2024-05-01 09:00:00Z",
        "1714554000000",
    ] {
        let err = normalize_timestamp(input).expect_err(input);
        assert_eq!(err.code, ErrorCode::BadRequest, "{input}");
        assert_eq!(
            err.message,
            format!(
                "invalid timestamp {input:?}: expected RFC 3339, e.g. 2024-05-01T09:00:00.000Z"
            )
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The addon, from Node

/// The cdylib cargo built for this test run: next to this test executable (`deps/`) or one
/// directory up (`target/<profile>/`).
fn built_library() -> PathBuf {
    let name = format!(
        "{}ex01_typescript_service{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("the test executable's directory");
    let candidates = [deps.join(&name), deps.join("..").join(&name)];
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no {name} in {candidates:?}: the library must be built as a cdylib \
                 (crate-type = [\"cdylib\", \"rlib\"] in Cargo.toml)"
            )
        })
}

/// Copies the library to `<temp>/<unique>/addon.node`, the name Node's `require` expects, and
/// writes [`HARNESS`] next to it as `harness.cjs`.
fn addon_copy(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ex01-typescript-service-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let addon = dir.join("addon.node");
    std::fs::copy(built_library(), &addon).expect("copy the cdylib to addon.node");
    std::fs::write(dir.join("harness.cjs"), HARNESS).expect("write harness.cjs");
    addon
}

/// What the harness printed: the addon's exports and one result per call.
struct Run {
    exports: Value,
    results: Vec<Value>,
}

/// Runs `node harness.cjs addon.node` with `calls` on stdin.
fn node(test: &str, calls: Value) -> Run {
    let addon = addon_copy(test);
    let harness = addon.with_file_name("harness.cjs");
    let mut child = Command::new("node")
        .arg(&harness)
        .arg(&addon)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `node` ({e}): the milestone 3 tests need Node.js 18 or later on PATH"
            )
        });
    let input = calls.to_string();
    let mut stdin = child.stdin.take().expect("node's stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("wait for node");
    writer
        .join()
        .expect("the stdin writer")
        .expect("write the calls to node");
    let _ = std::fs::remove_dir_all(addon.parent().expect("the addon's directory"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node failed ({}), so the addon crashed or did not load\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    let mut printed: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the harness printed no JSON ({e}): {stdout}\n{stderr}"));
    let results = match printed["results"].take() {
        Value::Array(results) => results,
        other => panic!("no results from the harness: {other}"),
    };
    assert_eq!(
        results.len(),
        calls.as_array().map_or(0, Vec::len),
        "one result per call"
    );
    Run {
        exports: printed["exports"].take(),
        results,
    }
}

fn call(function: &str, args: Value) -> Value {
    json!({ "fn": function, "args": args })
}

fn returned(result: &Value) -> &Value {
    result
        .get("returned")
        .unwrap_or_else(|| panic!("expected a return value, got {result}"))
}

fn threw(result: &Value) -> &Value {
    result
        .get("threw")
        .unwrap_or_else(|| panic!("expected a thrown error, got {result}"))
}

#[test]
fn node_loads_the_addon_with_exactly_the_two_functions() {
    let run = node("exports", json!([]));
    assert_eq!(
        run.exports,
        json!({ "normalizeTimestamp": "function", "validateNewBooking": "function" })
    );
}

#[test]
fn node_validates_bookings_with_the_same_messages_as_rust() {
    let inputs = [
        VALID.to_owned(),
        INVALID.to_owned(),
        VALID.replace(
            r#""end":"2024-05-01T10:00:00.000Z""#,
            r#""end":"2024-05-01T09:00:00.000Z""#,
        ),
        VALID.replace(r#"["ana@example.com"]"#, "[]"),
    ];
    let calls: Vec<Value> = inputs
        .iter()
        .map(|input| call("validateNewBooking", json!([input])))
        .collect();
    let run = node("validate", Value::Array(calls));
    assert_eq!(returned(&run.results[0]), "[]");
    assert_eq!(returned(&run.results[1]), INVALID_ERRORS);
    for (input, result) in inputs.iter().zip(&run.results) {
        assert_eq!(
            returned(result),
            &Value::String(validate_new_booking_json(input).unwrap()),
            "{input}"
        );
    }
}

#[test]
fn node_normalizes_timestamps() {
    let run = node(
        "timestamps",
        json!([
            call("normalizeTimestamp", json!(["2024-05-01T11:00:00.5+02:00"])),
            call("normalizeTimestamp", json!(["1969-12-31T23:59:59.999Z"])),
            call("normalizeTimestamp", json!(["2024-02-29T00:00:00-00:30"])),
        ]),
    );
    assert_eq!(returned(&run.results[0]), "2024-05-01T09:00:00.500Z");
    assert_eq!(returned(&run.results[1]), "1969-12-31T23:59:59.999Z");
    assert_eq!(returned(&run.results[2]), "2024-02-29T00:30:00.000Z");
}

#[test]
fn rust_errors_are_thrown_as_js_errors_with_the_api_error_code() {
    let run = node(
        "errors",
        json!([
            call("validateNewBooking", json!(["{"])),
            call(
                "validateNewBooking",
                json!([VALID.replace("\"title\"", "\"tittle\"")])
            ),
            call("normalizeTimestamp", json!(["2024-02-30T09:00:00Z"])),
        ]),
    );
    let syntax = validate_new_booking_json("{").unwrap_err();
    assert_eq!(
        threw(&run.results[0]),
        &json!({ "name": "Error", "code": "badRequest", "message": syntax.message })
    );
    let unknown = threw(&run.results[1]);
    assert_eq!(unknown["name"], "Error");
    assert_eq!(unknown["code"], "badRequest");
    let message = unknown["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid JSON body: unknown field `tittle`"),
        "{message}"
    );
    assert_eq!(
        threw(&run.results[2]),
        &json!({
            "name": "Error",
            "code": "badRequest",
            "message": "invalid timestamp \"2024-02-30T09:00:00Z\": expected RFC 3339, e.g. 2024-05-01T09:00:00.000Z"
        })
    );
}

#[test]
fn wrong_argument_types_throw_type_errors_and_node_keeps_running() {
    let mut calls = Vec::new();
    for function in ["validateNewBooking", "normalizeTimestamp"] {
        for args in [
            json!([]),
            json!([42]),
            json!([null]),
            json!([{ "roomId": "x" }]),
            json!([["a"]]),
        ] {
            calls.push(call(function, args));
        }
    }
    calls.push(call("normalizeTimestamp", json!(["2024-05-01T09:00:00Z"])));
    let run = node("types", Value::Array(calls));
    for (i, result) in run.results[..10].iter().enumerate() {
        let function = if i < 5 {
            "validateNewBooking"
        } else {
            "normalizeTimestamp"
        };
        assert_eq!(
            threw(result),
            &json!({
                "name": "TypeError",
                "code": null,
                "message": format!("{function} expects a string argument")
            }),
            "call {i}"
        );
    }
    assert_eq!(returned(&run.results[10]), "2024-05-01T09:00:00.000Z");
}

#[test]
fn long_and_non_ascii_strings_cross_the_boundary_intact() {
    let padded = format!("{}{VALID}{}", " ".repeat(100_000), "\n".repeat(100_000));
    let cups = |n: usize| {
        VALID.replace(
            "\"Design review\"",
            &format!("\"{}\"", "\u{2615}".repeat(n)),
        )
    };
    let run = node(
        "strings",
        json!([
            call("validateNewBooking", json!([padded])),
            call("validateNewBooking", json!([cups(100)])),
            call("validateNewBooking", json!([cups(101)])),
            call("normalizeTimestamp", json!(["r\u{e9}union \u{2615} 9h"])),
        ]),
    );
    assert_eq!(returned(&run.results[0]), "[]");
    assert_eq!(returned(&run.results[1]), "[]");
    assert_eq!(
        returned(&run.results[2]),
        r#"[{"field":"title","message":"must be at most 100 characters"}]"#
    );
    assert_eq!(
        threw(&run.results[3])["message"],
        "invalid timestamp \"r\u{e9}union \u{2615} 9h\": expected RFC 3339, e.g. 2024-05-01T09:00:00.000Z"
    );
}

#[test]
fn the_addon_answers_thousands_of_calls_in_one_process() {
    let calls: Vec<Value> = (0..3000)
        .map(|i| match i % 3 {
            0 => call("validateNewBooking", json!([INVALID])),
            1 => call("normalizeTimestamp", json!(["2024-05-01T11:00:00+02:00"])),
            _ => call("normalizeTimestamp", json!(["nope"])),
        })
        .collect();
    let run = node("many", Value::Array(calls));
    for (i, result) in run.results.iter().enumerate() {
        match i % 3 {
            0 => assert_eq!(returned(result), INVALID_ERRORS, "call {i}"),
            1 => assert_eq!(returned(result), "2024-05-01T09:00:00.000Z", "call {i}"),
            _ => assert_eq!(threw(result)["code"], "badRequest", "call {i}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The Node side

/// The harness Node runs (`harness.cjs`): it loads the addon, makes the calls and prints the results.
const HARNESS: &str = r#"// The Node side of the milestone 3 tests. milestone3.rs writes it next to the addon as
// harness.cjs (.cjs: CommonJS whatever package.json sits above it) and runs it.
//
//   node harness.cjs <path/to/addon.node>  < calls.json
//
// Loads the native addon with require(), then makes the calls read from stdin, a JSON array of
// { "fn": "<exported name>", "args": [<JSON values>] }, and prints one line of JSON:
//
//   { "exports": { "<name>": "<typeof>", ... },
//     "results": [ { "returned": <value> } | { "threw": { "name", "code", "message" } }, ... ] }
//
// `returned` is the call's result as JSON (so a string stays a string); `code` is null when the
// thrown value has none. Exit status: 0 when every call was made, 2 when the addon could not be
// loaded or the input was not understood (the reason is on stderr).
"use strict";

const fs = require("fs");

function fail(message) {
  process.stderr.write(`harness: ${message}\n`);
  process.exit(2);
}

const addonPath = process.argv[2];
if (!addonPath) fail("usage: node harness.cjs <path/to/addon.node> < calls.json");

let addon;
try {
  addon = require(addonPath);
} catch (e) {
  fail(`cannot load ${addonPath}: ${e && e.stack ? e.stack : e}`);
}

let calls;
try {
  calls = JSON.parse(fs.readFileSync(0, "utf8"));
} catch (e) {
  fail(`stdin is not JSON: ${e}`);
}
if (!Array.isArray(calls)) fail("stdin must be a JSON array of calls");

const exportsSeen = {};
for (const name of Object.keys(addon).sort()) exportsSeen[name] = typeof addon[name];

const results = calls.map((call) => {
  const fn = addon[call.fn];
  if (typeof fn !== "function") {
    return { threw: { name: "HarnessError", code: null, message: `${call.fn} is not exported` } };
  }
  try {
    const value = fn(...(call.args || []));
    return { returned: value === undefined ? "<undefined>" : value };
  } catch (e) {
    const isObject = e !== null && typeof e === "object";
    return {
      threw: {
        name: isObject && e instanceof Error ? e.name : `non-Error ${typeof e}`,
        code: isObject && e.code !== undefined ? e.code : null,
        message: isObject ? String(e.message) : String(e),
      },
    };
  }
});

process.stdout.write(JSON.stringify({ exports: exportsSeen, results }) + "\n");
"#;
