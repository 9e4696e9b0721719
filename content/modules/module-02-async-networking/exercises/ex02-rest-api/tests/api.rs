//! End-to-end tests: a real server on 127.0.0.1:0, driven over HTTP with hyper's client.

use std::sync::Arc;

use ex02_rest_api::{serve, MemoryStore, ServerHandle};
use hyper::client::HttpConnector;
use hyper::header::{HeaderMap, ALLOW, CONTENT_TYPE, ETAG, LOCATION};
use hyper::{Body, Client, Method, Request, StatusCode};
use serde_json::{json, Value};

struct App {
    server: ServerHandle,
    client: Client<HttpConnector>,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    /// The parsed JSON body, or `Value::Null` when the body is empty.
    body: Value,
}

impl Reply {
    fn header(&self, name: impl hyper::header::AsHeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

async fn start() -> App {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = serve(listener, Arc::new(MemoryStore::new())).unwrap();
    App {
        server,
        client: Client::new(),
    }
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.server.local_addr(), path)
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(self.url(path));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let response = self.client.request(request).await.expect("request failed");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = hyper::body::to_bytes(response.into_body()).await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            assert!(
                content_type.starts_with("application/json"),
                "non-empty body must be JSON, got {content_type:?}"
            );
            serde_json::from_slice(&bytes).expect("body is not JSON")
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, &[], None).await
    }

    async fn send_json(&self, method: Method, path: &str, body: &Value) -> Reply {
        self.request(
            method,
            path,
            &[("content-type", "application/json")],
            Some(body.to_string()),
        )
        .await
    }

    async fn create(&self, title: &str, tags: &[&str]) -> Value {
        let reply = self
            .send_json(
                Method::POST,
                "/notes",
                &json!({ "title": title, "tags": tags }),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "create failed: {}",
            reply.body
        );
        reply.body
    }
}

#[tokio::test]
async fn create_returns_201_with_location_etag_and_the_note() {
    let app = start().await;
    let reply = app
        .send_json(
            Method::POST,
            "/notes",
            &json!({ "title": "Buy milk", "body": "2 litres", "tags": ["home"] }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["id"].as_u64().expect("id is a number");
    assert_eq!(reply.header(LOCATION), format!("/notes/{id}"));
    assert_eq!(reply.header(ETAG), "\"1\"");
    assert_eq!(reply.body["title"], "Buy milk");
    assert_eq!(reply.body["body"], "2 litres");
    assert_eq!(reply.body["tags"], json!(["home"]));
    assert_eq!(reply.body["version"], 1);
    assert!(reply.body["created_at"].as_u64().unwrap() > 0);
    assert_eq!(reply.body["created_at"], reply.body["updated_at"]);
}

#[tokio::test]
async fn body_and_tags_are_optional_on_create() {
    let app = start().await;
    let note = app
        .send_json(Method::POST, "/notes", &json!({ "title": "Just a title" }))
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    assert_eq!(note.body["body"], "");
    assert_eq!(note.body["tags"], json!([]));
}

#[tokio::test]
async fn get_returns_the_stored_note_with_its_etag() {
    let app = start().await;
    let created = app.create("Read RFC 9110", &["http", "reading"]).await;

    let reply = app.get(&format!("/notes/{}", created["id"])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(ETAG), "\"1\"");
    assert_eq!(reply.body, created);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_with_a_json_error() {
    let app = start().await;
    for path in ["/notes/999", "/notes/abc", "/notes/0", "/notes/-1"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error_code(), "not_found", "{path}");
        assert!(reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn update_replaces_the_content_and_bumps_the_version() {
    let app = start().await;
    let created = app.create("Draft", &["a"]).await;
    let path = format!("/notes/{}", created["id"]);

    let reply = app
        .send_json(
            Method::PUT,
            &path,
            &json!({ "title": "Final", "body": "done", "tags": ["b"], "version": 1 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header(ETAG), "\"2\"");
    assert_eq!(reply.body["title"], "Final");
    assert_eq!(reply.body["body"], "done");
    assert_eq!(reply.body["tags"], json!(["b"]));
    assert_eq!(reply.body["version"], 2);
    assert_eq!(reply.body["id"], created["id"]);
    assert_eq!(reply.body["created_at"], created["created_at"]);
    assert!(reply.body["updated_at"].as_u64().unwrap() >= created["updated_at"].as_u64().unwrap());

    let fetched = app.get(&path).await;
    assert_eq!(fetched.body, reply.body);
}

#[tokio::test]
async fn a_stale_version_on_update_is_a_409_and_changes_nothing() {
    let app = start().await;
    let created = app.create("Shared doc", &[]).await;
    let path = format!("/notes/{}", created["id"]);

    // Two clients both read version 1; the first write wins...
    let first = app
        .send_json(
            Method::PUT,
            &path,
            &json!({ "title": "Alice's edit", "version": 1 }),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);

    // ...and the second is told it lost, and which version to re-read.
    let second = app
        .send_json(
            Method::PUT,
            &path,
            &json!({ "title": "Bob's edit", "version": 1 }),
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.error_code(), "version_conflict");
    assert_eq!(second.body["error"]["current_version"], 2);

    assert_eq!(app.get(&path).await.body["title"], "Alice's edit");
}

#[tokio::test]
async fn update_of_a_missing_note_is_404_and_version_is_required() {
    let app = start().await;
    let reply = app
        .send_json(
            Method::PUT,
            "/notes/42",
            &json!({ "title": "x", "version": 1 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");

    let created = app.create("Needs a version", &[]).await;
    let reply = app
        .send_json(
            Method::PUT,
            &format!("/notes/{}", created["id"]),
            &json!({ "title": "x" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "invalid_body");
}

#[tokio::test]
async fn delete_removes_the_note() {
    let app = start().await;
    let created = app.create("Temporary", &[]).await;
    let path = format!("/notes/{}", created["id"]);

    let reply = app.request(Method::DELETE, &path, &[], None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.body, Value::Null);

    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    let again = app.request(Method::DELETE, &path, &[], None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.error_code(), "not_found");
}

#[tokio::test]
async fn delete_honours_if_match() {
    let app = start().await;
    let created = app.create("Guarded", &[]).await;
    let path = format!("/notes/{}", created["id"]);
    let updated = app
        .send_json(
            Method::PUT,
            &path,
            &json!({ "title": "Guarded v2", "version": 1 }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);

    let stale = app
        .request(Method::DELETE, &path, &[("if-match", "\"1\"")], None)
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.error_code(), "precondition_failed");
    assert_eq!(stale.body["error"]["current_version"], 2);
    assert_eq!(app.get(&path).await.status, StatusCode::OK);

    let garbage = app
        .request(Method::DELETE, &path, &[("if-match", "version two")], None)
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(garbage.error_code(), "invalid_header");

    let fresh = app
        .request(Method::DELETE, &path, &[("if-match", "\"2\"")], None)
        .await;
    assert_eq!(fresh.status, StatusCode::NO_CONTENT);

    let other = app.create("Any version", &[]).await;
    let star = app
        .request(
            Method::DELETE,
            &format!("/notes/{}", other["id"]),
            &[("if-match", "*")],
            None,
        )
        .await;
    assert_eq!(star.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_is_a_304() {
    let app = start().await;
    let created = app.create("Cached", &[]).await;
    let path = format!("/notes/{}", created["id"]);

    let hit = app
        .request(Method::GET, &path, &[("if-none-match", "\"1\"")], None)
        .await;
    assert_eq!(hit.status, StatusCode::NOT_MODIFIED);
    assert_eq!(hit.header(ETAG), "\"1\"");
    assert_eq!(hit.body, Value::Null);

    let miss = app
        .request(
            Method::GET,
            &path,
            &[("if-none-match", "\"7\", W/\"8\"")],
            None,
        )
        .await;
    assert_eq!(miss.status, StatusCode::OK);
    assert_eq!(miss.body["title"], "Cached");
}

#[tokio::test]
async fn validation_errors_are_422_and_list_every_broken_field() {
    let app = start().await;
    let long_title = "x".repeat(201);
    let reply = app
        .send_json(
            Method::POST,
            "/notes",
            &json!({ "title": long_title, "tags": ["Rust", "ok", ""] }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_code(), "validation_failed");
    let fields: Vec<&str> = reply.body["error"]["fields"]
        .as_array()
        .expect("fields is an array")
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "tags[0]", "tags[2]"]);
    for field in reply.body["error"]["fields"].as_array().unwrap() {
        assert!(field["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    let blank = app
        .send_json(Method::POST, "/notes", &json!({ "title": "   " }))
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.body["error"]["fields"][0]["field"], "title");

    let too_many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    let crowded = app
        .send_json(
            Method::POST,
            "/notes",
            &json!({ "title": "t", "tags": too_many }),
        )
        .await;
    assert_eq!(crowded.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crowded.body["error"]["fields"][0]["field"], "tags");

    // Nothing invalid was stored.
    assert_eq!(app.get("/notes").await.body["total"], 0);
}

#[tokio::test]
async fn titles_are_trimmed_and_tags_deduplicated_and_sorted() {
    let app = start().await;
    let note = app.create("  padded  ", &["web", "async", "web"]).await;
    assert_eq!(note["title"], "padded");
    assert_eq!(note["tags"], json!(["async", "web"]));
}

#[tokio::test]
async fn malformed_json_is_400_but_a_wrong_shape_is_422() {
    let app = start().await;
    let json_header = [("content-type", "application/json")];

    let broken = app
        .request(
            Method::POST,
            "/notes",
            &json_header,
            Some("{\"title\": ".to_owned()),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.error_code(), "malformed_json");

    let not_json = app
        .request(
            Method::POST,
            "/notes",
            &json_header,
            Some("title=hello".to_owned()),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_json.error_code(), "malformed_json");

    for body in [
        json!({ "title": 5 }),
        json!({ "body": "no title" }),
        json!({ "title": "t", "version": 3 }),
        json!([1, 2]),
    ] {
        let reply = app.send_json(Method::POST, "/notes", &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.error_code(), "invalid_body", "{body}");
    }
}

#[tokio::test]
async fn the_body_must_be_declared_as_json() {
    let app = start().await;
    let body = Some(json!({ "title": "t" }).to_string());

    let missing = app.request(Method::POST, "/notes", &[], body.clone()).await;
    assert_eq!(missing.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(missing.error_code(), "unsupported_media_type");

    let text = app
        .request(
            Method::POST,
            "/notes",
            &[("content-type", "text/plain")],
            body.clone(),
        )
        .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let with_charset = app
        .request(
            Method::POST,
            "/notes",
            &[("content-type", "application/json; charset=utf-8")],
            body,
        )
        .await;
    assert_eq!(with_charset.status, StatusCode::CREATED);
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = start().await;
    let body = json!({ "title": "big", "body": "x".repeat(70 * 1024) }).to_string();
    let reply = app
        .request(
            Method::POST,
            "/notes",
            &[("content-type", "application/json")],
            Some(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "payload_too_large");
}

#[tokio::test]
async fn listing_paginates_in_id_order() {
    let app = start().await;
    for i in 0..25 {
        app.create(&format!("note {i}"), &[]).await;
    }

    let first = app.get("/notes").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["total"], 25);
    assert_eq!(first.body["limit"], 20);
    assert_eq!(first.body["offset"], 0);
    assert_eq!(first.body["next_offset"], 20);
    let items = first.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["title"], "note 0");
    let ids: Vec<u64> = items.iter().map(|n| n["id"].as_u64().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "items must be in ascending id order"
    );

    let last = app.get("/notes?limit=10&offset=20").await;
    assert_eq!(last.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(last.body["items"][0]["title"], "note 20");
    assert_eq!(last.body["total"], 25);
    assert_eq!(last.body["next_offset"], Value::Null);

    let beyond = app.get("/notes?offset=100").await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert_eq!(beyond.body["items"], json!([]));
    assert_eq!(beyond.body["total"], 25);
}

#[tokio::test]
async fn bad_pagination_parameters_are_400() {
    let app = start().await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "offset=-1",
        "sort=title",
        "tag=",
    ] {
        let reply = app.get(&format!("/notes?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.error_code(), "invalid_query", "{query}");
    }
    assert_eq!(app.get("/notes?limit=100").await.status, StatusCode::OK);
}

#[tokio::test]
async fn listing_filters_by_tag() {
    let app = start().await;
    app.create("one", &["rust"]).await;
    app.create("two", &["python"]).await;
    app.create("three", &["rust", "async-io"]).await;
    app.create("four", &[]).await;

    let rust = app.get("/notes?tag=rust").await;
    assert_eq!(rust.body["total"], 2);
    let titles: Vec<&str> = rust.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["one", "three"]);

    // Query values are percent-decoded.
    let encoded = app.get("/notes?tag=async%2Dio&limit=1").await;
    assert_eq!(encoded.body["total"], 1);
    assert_eq!(encoded.body["items"][0]["title"], "three");

    let none = app.get("/notes?tag=cobol").await;
    assert_eq!(none.body["total"], 0);
    assert_eq!(none.body["items"], json!([]));
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_are_405() {
    let app = start().await;
    let unknown = app.get("/tasks").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error_code(), "not_found");

    let collection = app.request(Method::DELETE, "/notes", &[], None).await;
    assert_eq!(collection.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(collection.error_code(), "method_not_allowed");
    assert_eq!(collection.header(ALLOW), "GET, POST");

    let created = app.create("x", &[]).await;
    let item = app
        .request(
            Method::POST,
            &format!("/notes/{}", created["id"]),
            &[],
            None,
        )
        .await;
    assert_eq!(item.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(item.header(ALLOW), "GET, PUT, DELETE");
}

#[tokio::test]
async fn concurrent_creates_get_distinct_ids() {
    let app = Arc::new(start().await);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = Arc::clone(&app);
        tasks.push(tokio::spawn(async move {
            app.create(&format!("parallel {i}"), &[]).await["id"]
                .as_u64()
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    assert_eq!(app.get("/notes?limit=100").await.body["total"], 20);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let app = start().await;
    let addr = app.server.local_addr();
    assert_eq!(app.get("/health").await.status, StatusCode::OK);

    // The client still holds an idle keep-alive connection; graceful shutdown closes idle connections
    // and only waits for requests in flight.
    app.server.shutdown().await.expect("clean shutdown");

    let refused = tokio::net::TcpStream::connect(addr).await;
    assert!(
        refused.is_err(),
        "the listener should be closed after shutdown"
    );
}
