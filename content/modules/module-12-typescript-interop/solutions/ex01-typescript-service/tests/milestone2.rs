//! Milestone 2: the HTTP API. Most tests call `http::handle` directly; one goes over TCP.

use std::net::TcpListener;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use ex01_typescript_service::http::{self, AppState, Clock, MAX_BODY_BYTES};
use ex01_typescript_service::Timestamp;
use hyper::{Body, Client, Method, Request, Response, StatusCode};
use tokio::sync::oneshot;

/// 2024-05-01T08:00:00.000Z, then one minute later on every reading.
fn stepping_clock() -> Clock {
    let next = Arc::new(AtomicI64::new(1_714_550_400_000));
    Arc::new(move || Timestamp::from_millis(next.fetch_add(60_000, Ordering::SeqCst)))
}

fn state() -> Arc<AppState> {
    AppState::new(9_007_199_254_740_993, stepping_clock())
}

async fn call(
    state: &Arc<AppState>,
    method: Method,
    uri: &str,
    body: &str,
) -> (StatusCode, Response<Body>, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let mut response = http::handle(Arc::clone(state), req).await;
    let bytes = hyper::body::to_bytes(response.body_mut()).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    (response.status(), response, text)
}

const STANDUP: &str = r#"{"roomId":"blue-room","title":" Standup ","start":"2024-05-01T09:00:00.000Z","end":"2024-05-01T09:15:00.000Z","attendees":["ana@example.com"],"note":"daily"}"#;

const STANDUP_STORED: &str = concat!(
    r#"{"id":"9007199254740993","roomId":"blue-room","title":"Standup","start":"2024-05-01T09:00:00.000Z","#,
    r#""end":"2024-05-01T09:15:00.000Z","attendees":["ana@example.com"],"note":"daily","#,
    r#""status":{"state":"confirmed"},"createdAt":"2024-05-01T08:00:00.000Z"}"#
);

#[tokio::test]
async fn create_then_get_returns_the_exact_contract() {
    let s = state();
    let (status, response, body) = call(&s, Method::POST, "/api/bookings", STANDUP).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.headers()["location"],
        "/api/bookings/9007199254740993"
    );
    assert_eq!(body, STANDUP_STORED);

    let (status, response, body) =
        call(&s, Method::GET, "/api/bookings/9007199254740993", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(body, STANDUP_STORED);
}

#[tokio::test]
async fn malformed_requests_are_400_with_an_api_error_body() {
    let s = state();
    let (status, _, body) = call(&s, Method::POST, "/api/bookings", "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.starts_with(r#"{"code":"badRequest","message":"invalid JSON body: "#),
        "{body}"
    );

    let typo = STANDUP.replace("title", "tittle");
    let (status, _, body) = call(&s, Method::POST, "/api/bookings", &typo).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unknown field `tittle`"), "{body}");

    let numeric_time = STANDUP.replace(r#""2024-05-01T09:00:00.000Z""#, "1714554000000");
    let (status, _, _) = call(&s, Method::POST, "/api/bookings", &numeric_time).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, body) = call(&s, Method::GET, "/api/bookings/abc", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.starts_with(r#"{"code":"badRequest","#), "{body}");
    let (status, _, _) = call(&s, Method::GET, "/api/bookings/007", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn validation_and_conflicts_have_their_own_statuses() {
    let s = state();
    let invalid = STANDUP.replace("ana@example.com", "ana");
    let (status, _, body) = call(&s, Method::POST, "/api/bookings", &invalid).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        r#"{"code":"validation","message":"the request breaks validation rules","fields":[{"field":"attendees[0]","message":"is not an e-mail address"}]}"#
    );

    assert_eq!(
        call(&s, Method::POST, "/api/bookings", STANDUP).await.0,
        StatusCode::CREATED
    );
    let overlapping = STANDUP
        .replace("09:00:00.000Z", "09:10:00.000Z")
        .replace("09:15:00.000Z", "09:30:00.000Z");
    let (status, _, body) = call(&s, Method::POST, "/api/bookings", &overlapping).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        r#"{"code":"conflict","message":"blue-room overlaps booking 9007199254740993"}"#
    );
}

#[tokio::test]
async fn cancel_flow() {
    let s = state();
    call(&s, Method::POST, "/api/bookings", STANDUP).await;
    let uri = "/api/bookings/9007199254740993/cancel";

    let (status, _, body) = call(&s, Method::POST, uri, r#"{"reason":" "}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#""field":"reason""#), "{body}");

    let (status, _, body) = call(&s, Method::POST, uri, r#"{"reason":"moved online"}"#).await;
    assert_eq!(status, StatusCode::OK);
    // The clock was read at creation (08:00) and at each cancel request (08:01, 08:02).
    let expected = STANDUP_STORED.replace(
        r#"{"state":"confirmed"}"#,
        r#"{"state":"cancelled","reason":"moved online","cancelledAt":"2024-05-01T08:02:00.000Z"}"#,
    );
    assert_eq!(body, expected);

    let (status, _, body) = call(&s, Method::POST, uri, r#"{"reason":"again"}"#).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        r#"{"code":"conflict","message":"booking 9007199254740993 is already cancelled"}"#
    );

    let (status, _, body) = call(
        &s,
        Method::POST,
        "/api/bookings/5/cancel",
        r#"{"reason":"x"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, r#"{"code":"notFound","message":"no booking 5"}"#);

    let (status, _, _) = call(&s, Method::POST, uri, r#"{"reason":"x","force":true}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The slot is free again.
    assert_eq!(
        call(&s, Method::POST, "/api/bookings", STANDUP).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn room_listing_takes_a_percent_encoded_time_window() {
    let s = state();
    call(&s, Method::POST, "/api/bookings", STANDUP).await;
    let later = STANDUP
        .replace("09:00:00.000Z", "11:00:00.000Z")
        .replace("09:15:00.000Z", "12:00:00.000Z");
    call(&s, Method::POST, "/api/bookings", &later).await;

    // What URLSearchParams produces for new Date(...).toISOString() values.
    let uri = "/api/rooms/blue-room/bookings?from=2024-05-01T00%3A00%3A00.000Z&to=2024-05-01T10%3A00%3A00.000Z";
    let (status, response, body) = call(&s, Method::GET, uri, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(body, format!("[{STANDUP_STORED}]"));

    let uri = "/api/rooms/blue-room/bookings?to=2024-05-02T00:00:00Z&from=2024-05-01T00:00:00Z";
    let (_, _, body) = call(&s, Method::GET, uri, "").await;
    assert_eq!(body.matches(r#""roomId":"blue-room""#).count(), 2);

    let (_, _, body) = call(
        &s,
        Method::GET,
        "/api/rooms/red-room/bookings?from=2024-05-01T00:00:00Z&to=2024-05-02T00:00:00Z",
        "",
    )
    .await;
    assert_eq!(body, "[]");

    for bad in [
        "/api/rooms/blue-room/bookings",
        "/api/rooms/blue-room/bookings?from=2024-05-01T00:00:00Z",
        "/api/rooms/blue-room/bookings?from=yesterday&to=2024-05-02T00:00:00Z",
        "/api/rooms/blue-room/bookings?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z",
    ] {
        let (status, _, body) = call(&s, Method::GET, bad, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body.starts_with(r#"{"code":"badRequest","#), "{body}");
    }
}

#[tokio::test]
async fn unknown_routes_wrong_methods_and_huge_bodies() {
    let s = state();
    let (status, _, body) = call(&s, Method::GET, "/api/nothing", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.starts_with(r#"{"code":"notFound","#), "{body}");

    let (status, response, body) = call(&s, Method::DELETE, "/api/bookings/1", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET");
    assert!(body.starts_with(r#"{"code":"methodNotAllowed","#), "{body}");
    let (status, response, _) = call(&s, Method::GET, "/api/bookings", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");

    let huge = format!(r#"{{"reason":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
    let (status, _, body) = call(&s, Method::POST, "/api/bookings/1/cancel", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.starts_with(r#"{"code":"payloadTooLarge","#), "{body}");
}

#[tokio::test]
async fn the_service_answers_over_tcp_and_shuts_down_gracefully() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, state(), async {
        stopped.await.ok();
    }));

    let client = Client::new();
    let post = Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}/api/bookings"))
        .header("content-type", "application/json")
        .body(Body::from(STANDUP))
        .unwrap();
    let response = client.request(post).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = hyper::body::to_bytes(response.into_body()).await.unwrap();
    assert_eq!(body, STANDUP_STORED.as_bytes());

    let get = client
        .get(
            format!("http://{addr}/api/bookings/9007199254740993")
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
