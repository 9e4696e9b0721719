//! Milestone 5: request ids, CORS and preflight for a browser client, checked through
//! `http::handle` and by a Node client (`fetch`) against the real server on 127.0.0.1. Node is
//! required: without it the last test fails.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use ex01_typescript_service::http::{self, AppState, Clock};
use ex01_typescript_service::Timestamp;
use hyper::{Body, Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;

const APP: &str = "https://app.example.com";

const STANDUP: &str = r#"{"roomId":"blue-room","title":"Standup","start":"2024-05-01T09:00:00.000Z","end":"2024-05-01T09:15:00.000Z","attendees":["ana@example.com"]}"#;

/// 2024-05-01T08:00:00.000Z, then one minute later on every reading.
fn stepping_clock() -> Clock {
    let next = Arc::new(AtomicI64::new(1_714_550_400_000));
    Arc::new(move || Timestamp::from_millis(next.fetch_add(60_000, Ordering::SeqCst)))
}

fn state() -> Arc<AppState> {
    AppState::with_allowed_origins(1, stepping_clock(), &[APP, "http://localhost:5173"])
}

async fn call(
    state: &Arc<AppState>,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Response<Body>, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let req = req.body(Body::from(body.to_owned())).unwrap();
    let mut response = http::handle(Arc::clone(state), req).await;
    let bytes = hyper::body::to_bytes(response.body_mut()).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    (response.status(), response, text)
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("an ASCII header"))
}

const CORS_HEADERS: [&str; 5] = [
    "access-control-allow-origin",
    "access-control-expose-headers",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
];

#[tokio::test]
async fn every_response_gets_a_generated_request_id_in_order() {
    let s = state();
    let requests = [
        (Method::POST, "/api/bookings", STANDUP, StatusCode::CREATED),
        (Method::GET, "/api/bookings/1", "", StatusCode::OK),
        (Method::GET, "/api/bookings/99", "", StatusCode::NOT_FOUND),
        (
            Method::DELETE,
            "/api/bookings/1",
            "",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (Method::POST, "/api/bookings", "{", StatusCode::BAD_REQUEST),
        (Method::GET, "/nowhere", "", StatusCode::NOT_FOUND),
        (Method::OPTIONS, "/api/bookings", "", StatusCode::NO_CONTENT),
    ];
    for (i, (method, uri, body, expected)) in requests.into_iter().enumerate() {
        let (status, response, _) = call(&s, method.clone(), uri, &[], body).await;
        assert_eq!(status, expected, "{method} {uri}");
        assert_eq!(
            header(&response, "x-request-id"),
            Some(format!("req-{}", i + 1).as_str()),
            "{method} {uri}"
        );
    }
}

#[tokio::test]
async fn sane_client_request_ids_are_echoed_and_others_replaced() {
    let s = state();
    let long_ok = "a".repeat(64);
    let too_long = "a".repeat(65);
    let cases = [
        ("abc-123_X.y", "abc-123_X.y"),
        (long_ok.as_str(), long_ok.as_str()),
        (too_long.as_str(), "req-1"),
        ("has space", "req-2"),
        ("semi;colon", "req-3"),
        (
            "9f86d081-884c-4d63-a2e1-4c3b1f1a2b3c",
            "9f86d081-884c-4d63-a2e1-4c3b1f1a2b3c",
        ),
        ("", "req-4"),
    ];
    for (given, expected) in cases {
        let (_, response, _) = call(
            &s,
            Method::GET,
            "/api/bookings/7",
            &[("x-request-id", given)],
            "",
        )
        .await;
        assert_eq!(
            header(&response, "x-request-id"),
            Some(expected),
            "{given:?}"
        );
    }
}

#[tokio::test]
async fn allowed_origins_get_cors_headers_on_successes_and_errors() {
    let s = state();
    // The same booking twice: created for the first origin, a conflict for the second.
    for (method, uri, body, expected) in [
        (
            Method::POST,
            "/api/bookings",
            STANDUP,
            [StatusCode::CREATED, StatusCode::CONFLICT],
        ),
        (
            Method::GET,
            "/api/bookings/x",
            "",
            [StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST],
        ),
        (
            Method::PUT,
            "/api/bookings",
            "",
            [
                StatusCode::METHOD_NOT_ALLOWED,
                StatusCode::METHOD_NOT_ALLOWED,
            ],
        ),
    ] {
        for (origin, expected) in [APP, "http://localhost:5173"].into_iter().zip(expected) {
            let (status, response, _) =
                call(&s, method.clone(), uri, &[("origin", origin)], body).await;
            assert_eq!(status, expected, "{method} {uri}");
            assert_eq!(
                header(&response, "access-control-allow-origin"),
                Some(origin)
            );
            assert_eq!(
                header(&response, "access-control-expose-headers"),
                Some("location, x-request-id")
            );
            assert_eq!(header(&response, "vary"), Some("origin"));
            assert_eq!(header(&response, "content-type"), Some("application/json"));
        }
    }
}

#[tokio::test]
async fn other_origins_are_served_without_cors_headers() {
    let s = state();
    for origin in [
        "https://evil.example.com",
        "https://app.example.com.evil.com",
        "https://APP.example.com",
        "https://app.example.com/",
        "null",
    ] {
        let (status, response, body) = call(
            &s,
            Method::GET,
            "/api/bookings/5",
            &[("origin", origin)],
            "",
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{origin}");
        assert!(body.contains(r#""code":"notFound""#), "{body}");
        for name in CORS_HEADERS {
            assert_eq!(header(&response, name), None, "{origin}: {name}");
        }
        assert_eq!(header(&response, "vary"), Some("origin"), "{origin}");
    }
    let (_, response, _) = call(&s, Method::GET, "/api/bookings/5", &[], "").await;
    assert_eq!(header(&response, "vary"), None, "no Origin, no Vary");
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn preflight_answers_with_the_route_method() {
    let s = state();
    for (uri, method) in [
        ("/api/bookings", "POST"),
        ("/api/bookings/42", "GET"),
        ("/api/bookings/42/cancel", "POST"),
        ("/api/rooms/blue-room/bookings", "GET"),
    ] {
        let (status, response, body) = call(
            &s,
            Method::OPTIONS,
            uri,
            &[
                ("origin", APP),
                ("access-control-request-method", method),
                ("access-control-request-headers", "content-type"),
            ],
            "",
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{uri}");
        assert_eq!(body, "", "{uri}");
        assert_eq!(header(&response, "allow"), Some(method), "{uri}");
        assert_eq!(header(&response, "access-control-allow-origin"), Some(APP));
        assert_eq!(
            header(&response, "access-control-allow-methods"),
            Some(method)
        );
        assert_eq!(
            header(&response, "access-control-allow-headers"),
            Some("content-type, x-request-id")
        );
        assert_eq!(header(&response, "access-control-max-age"), Some("600"));
        assert_eq!(header(&response, "vary"), Some("origin"));
    }
    // A preflight does not run the route: nothing was created.
    let (status, _, _) = call(&s, Method::GET, "/api/bookings/1", &[], "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn preflight_from_other_origins_or_to_unknown_paths_grants_nothing() {
    let s = state();
    let (status, response, _) = call(
        &s,
        Method::OPTIONS,
        "/api/bookings",
        &[("origin", "https://evil.example.com")],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(header(&response, "allow"), Some("POST"));
    for name in CORS_HEADERS {
        assert_eq!(header(&response, name), None, "{name}");
    }
    let (status, response, body) =
        call(&s, Method::OPTIONS, "/api/nothing", &[("origin", APP)], "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains(r#""code":"notFound""#), "{body}");
    assert_eq!(header(&response, "access-control-allow-origin"), Some(APP));
    // Without configured origins, nobody is allowed.
    let closed = AppState::new(1, stepping_clock());
    let (status, response, _) = call(
        &closed,
        Method::OPTIONS,
        "/api/bookings",
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert_eq!(header(&response, "access-control-allow-methods"), None);
}

#[test]
fn a_node_fetch_client_sees_the_contract_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = runtime.spawn(http::serve(listener, state(), async {
        let _ = stopped.await;
    }));

    let mut child = Command::new("node")
        .arg("-e")
        .arg(CLIENT)
        .arg(&base)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `node` ({e}): the milestone 5 tests need Node.js 18 or later on PATH"
            )
        });
    let mut stdin = child.stdin.take().expect("node's stdin");
    stdin.write_all(STANDUP.as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().expect("wait for node");
    let _ = stop.send(());
    runtime.block_on(server).unwrap().unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Node client failed ({})\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    let seen: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the client printed no JSON ({e}): {stdout}\n{stderr}"));
    assert_eq!(
        seen["preflight"],
        json!({ "status": 204, "allowOrigin": APP, "allowMethods": "POST", "requestId": "req-1" })
    );
    assert_eq!(
        seen["created"],
        json!({
            "status": 201, "allowOrigin": APP, "requestId": "client-1",
            "location": "/api/bookings/1", "id": "1", "state": "confirmed",
            "createdAt": "2024-05-01T08:00:00.000Z"
        })
    );
    assert_eq!(
        seen["missing"],
        json!({ "status": 404, "allowOrigin": APP, "requestId": "req-2", "code": "notFound" })
    );
    assert_eq!(
        seen["foreign"],
        json!({ "status": 200, "allowOrigin": null, "requestId": "req-3", "id": "1" })
    );
}

/// The Node client (`node -e`, base URL as its argument, a `NewBooking` on stdin): reads
/// exactly what a browser's `fetch` would expose, and prints it as one line of JSON.
const CLIENT: &str = r#"
"use strict";
const base = process.argv[1];
const input = require("fs").readFileSync(0, "utf8");
const app = { Origin: "https://app.example.com" };
const pick = (r, extra) => ({
  status: r.status,
  allowOrigin: r.headers.get("access-control-allow-origin"),
  requestId: r.headers.get("x-request-id"),
  ...extra,
});
(async () => {
  const pre = await fetch(`${base}/api/bookings`, {
    method: "OPTIONS",
    headers: { ...app, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
  });
  const preflight = pick(pre, { allowMethods: pre.headers.get("access-control-allow-methods") });
  const post = await fetch(`${base}/api/bookings`, {
    method: "POST",
    headers: { ...app, "Content-Type": "application/json", "X-Request-Id": "client-1" },
    body: input,
  });
  const booking = await post.json();
  const created = pick(post, {
    location: post.headers.get("location"),
    id: booking.id,
    state: booking.status.state,
    createdAt: booking.createdAt,
  });
  const miss = await fetch(`${base}/api/bookings/99`, { headers: app });
  const missing = pick(miss, { code: (await miss.json()).code });
  const other = await fetch(`${base}/api/bookings/${booking.id}`, { headers: { Origin: "https://evil.example.com" } });
  const foreign = pick(other, { id: (await other.json()).id });
  process.stdout.write(JSON.stringify({ preflight, created, missing, foreign }) + "\n");
})().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
"#;
