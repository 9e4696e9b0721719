//! Milestone 5: what real S3 clients rely on, checked offline over 127.0.0.1: conditional
//! requests (`If-None-Match`, `If-Match`) on reads and writes, server-side copies, the finer
//! points of ListObjectsV2 (continuation tokens, `start-after`, `encoding-type=url`), and
//! `Expect: 100-continue`. Driven by hyper's client, and by a raw TCP client where the exact
//! bytes on the wire matter.

use std::net::SocketAddr;
use std::time::Duration;

use ex01_object_store::{http, BucketName, ObjectKey, Precondition, PutOptions, Store, StoreError};
use hyper::body::to_bytes;
use hyper::client::HttpConnector;
use hyper::{Body, Client, Method, Request, Response, StatusCode};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Server {
    addr: SocketAddr,
    store: Store,
    client: Client<HttpConnector>,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(http::serve(store.clone(), listener));
    let server = Server {
        addr,
        store,
        client: Client::new(),
        _dir: dir,
    };
    let (status, body) = server.call(Method::PUT, "/data", &[], "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server
}

impl Server {
    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Response<Body> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.addr, path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.client
            .request(req.body(body.into()).unwrap())
            .await
            .expect("request")
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> (StatusCode, String) {
        let response = self.send(method, path, headers, body).await;
        let status = response.status();
        let body = to_bytes(response.into_body()).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// PUTs an object and returns its quoted ETag.
    async fn put(&self, path: &str, body: &[u8]) -> String {
        let response = self.send(Method::PUT, path, &[], body.to_vec()).await;
        assert_eq!(response.status(), StatusCode::OK, "PUT {path}");
        header(&response, "etag").to_owned()
    }

    async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let response = self.send(Method::GET, path, &[], Body::empty()).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        to_bytes(response.into_body()).await.unwrap().to_vec()
    }
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i.wrapping_mul(131) ^ (i >> 7)) as u8).wrapping_add(seed.wrapping_mul(59)))
        .collect()
}

fn assert_code(status: StatusCode, body: &str, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert!(
        body.contains(&format!("<Code>{code}</Code>")),
        "{code}: {body}"
    );
}

/// The texts of every `<name>` element of an XML body, in order.
fn xml_all(xml: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let start = at + open.len();
        let len = rest[start..].find(&close).unwrap();
        out.push(rest[start..start + len].to_owned());
        rest = &rest[start + len..];
    }
    out
}

fn xml_text(xml: &str, name: &str) -> Option<String> {
    xml_all(xml, name).into_iter().next()
}

/// The keys of a listing page, from `<Contents><Key>`.
fn listed_keys(xml: &str) -> Vec<String> {
    xml_all(xml, "Contents")
        .iter()
        .map(|c| xml_text(c, "Key").unwrap())
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn a_read_whose_if_none_match_matches_answers_304_without_a_body() {
    let server = start().await;
    let data = bytes(10_000, 1);
    let etag = server.put("/data/k", &data).await;
    assert_eq!(etag, format!("\"{}\"", sha1_hex(&data)));
    let bare = etag.trim_matches('"').to_owned();
    let weak = format!("W/{etag}");
    let listed = format!("\"0000\", {etag}");
    for value in [etag.as_str(), bare.as_str(), weak.as_str(), &listed, "*"] {
        for method in [Method::GET, Method::HEAD] {
            let response = server
                .send(method.clone(), "/data/k", &[("if-none-match", value)], "")
                .await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_MODIFIED,
                "{method} If-None-Match: {value}"
            );
            assert_eq!(header(&response, "etag"), etag);
            let body = to_bytes(response.into_body()).await.unwrap();
            assert!(body.is_empty(), "a 304 has no body");
        }
    }
    // Another ETag: the object is sent as usual, ranges included.
    let response = server
        .send(Method::GET, "/data/k", &[("if-none-match", "\"0000\"")], "")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(to_bytes(response.into_body()).await.unwrap() == data);
    let response = server
        .send(
            Method::GET,
            "/data/k",
            &[("if-none-match", "\"0000\""), ("range", "bytes=0-9")],
            "",
        )
        .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert!(to_bytes(response.into_body()).await.unwrap() == data[..10]);
}

#[tokio::test]
async fn a_read_whose_if_match_fails_answers_412_precondition_failed() {
    let server = start().await;
    let data = bytes(5_000, 2);
    let etag = server.put("/data/k", &data).await;

    for method in [Method::GET, Method::HEAD] {
        let (status, body) = server
            .call(method.clone(), "/data/k", &[("if-match", "\"0000\"")], "")
            .await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{method}");
        if method == Method::GET {
            assert_code(
                status,
                &body,
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
            );
        }
    }
    for value in [etag.as_str(), "*", &format!("\"0000\",{etag}")] {
        let response = server
            .send(Method::GET, "/data/k", &[("if-match", value)], "")
            .await;
        assert_eq!(response.status(), StatusCode::OK, "If-Match: {value}");
        assert!(to_bytes(response.into_body()).await.unwrap() == data);
    }
    let response = server
        .send(
            Method::GET,
            "/data/k",
            &[("if-match", &etag), ("range", "bytes=100-199")],
            "",
        )
        .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert!(to_bytes(response.into_body()).await.unwrap() == data[100..200]);
    // A precondition is judged before the range: 412, not 416.
    let (status, _) = server
        .call(
            Method::GET,
            "/data/k",
            &[("if-match", "\"0000\""), ("range", "bytes=90000-")],
            "",
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    // If-Match passes and If-None-Match matches: not modified.
    let (status, _) = server
        .call(
            Method::GET,
            "/data/k",
            &[("if-match", &etag), ("if-none-match", &etag)],
            "",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    // No object, no precondition to judge.
    let (status, body) = server
        .call(Method::GET, "/data/missing", &[("if-match", "*")], "")
        .await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchKey");
}

#[tokio::test]
async fn a_put_with_if_none_match_star_creates_the_key_only_when_it_is_absent() {
    let server = start().await;
    let (status, _) = server
        .call(Method::PUT, "/data/k", &[("if-none-match", "*")], "first")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server
        .call(Method::PUT, "/data/k", &[("if-none-match", "*")], "second")
        .await;
    assert_code(
        status,
        &body,
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailed",
    );
    assert_eq!(server.get_bytes("/data/k").await, b"first");

    // Eight racing creators: exactly one wins, and the object is the winner's.
    let mut racers = Vec::new();
    for i in 0..8u8 {
        let request = server.send(
            Method::PUT,
            "/data/race",
            &[("if-none-match", "*")],
            bytes(20_000, i),
        );
        racers.push(async move {
            let response = request.await;
            (i, response.status(), header(&response, "etag").to_owned())
        });
    }
    let results = futures::future::join_all(racers).await;
    let winners: Vec<_> = results
        .iter()
        .filter(|(_, status, _)| *status == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|(_, status, _)| *status == StatusCode::OK
            || *status == StatusCode::PRECONDITION_FAILED));
    let (winner, _, etag) = winners[0];
    assert_eq!(*etag, format!("\"{}\"", sha1_hex(&bytes(20_000, *winner))));
    assert!(server.get_bytes("/data/race").await == bytes(20_000, *winner));
    let tmp = server._dir.path().join("tmp");
    assert_eq!(
        std::fs::read_dir(tmp).unwrap().count(),
        0,
        "losers leave nothing"
    );
}

#[tokio::test]
async fn a_put_with_if_match_replaces_only_the_version_it_names() {
    let server = start().await;
    let (status, body) = server
        .call(Method::PUT, "/data/k", &[("if-match", "*")], "x")
        .await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchKey");

    let v1 = server.put("/data/k", b"v1").await;
    let (status, body) = server
        .call(Method::PUT, "/data/k", &[("if-match", "\"0000\"")], "v2")
        .await;
    assert_code(
        status,
        &body,
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailed",
    );
    assert_eq!(server.get_bytes("/data/k").await, b"v1");
    let response = server
        .send(Method::PUT, "/data/k", &[("if-match", &v1)], "v2")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let v2 = header(&response, "etag").to_owned();
    assert_eq!(server.get_bytes("/data/k").await, b"v2");
    let (status, _) = server
        .call(Method::PUT, "/data/k", &[("if-match", &v1)], "v3")
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "v1 is gone");

    // Two writers that both read v2: one compare-and-swap wins, the other is refused.
    let condition = [("if-match", v2.as_str())];
    let a = server.send(Method::PUT, "/data/k", &condition, "from a");
    let b = server.send(Method::PUT, "/data/k", &condition, "from b");
    let (a, b) = tokio::join!(a, b);
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);

    // The same contract through the store API.
    let store = &server.store;
    let (bucket, key) = (
        BucketName::parse("data").unwrap(),
        ObjectKey::parse("api").unwrap(),
    );
    let put = |p: Precondition, body: &'static [u8]| {
        store.put_object_if(&bucket, &key, body, PutOptions::default(), Some(p))
    };
    assert!(matches!(
        put(Precondition::IfMatch("*".into()), b"1").await,
        Err(StoreError::NoSuchKey(_))
    ));
    let meta = put(Precondition::IfAbsent, b"1").await.unwrap();
    assert!(matches!(
        put(Precondition::IfAbsent, b"2").await,
        Err(StoreError::PreconditionFailed(_))
    ));
    assert!(matches!(
        put(Precondition::IfMatch("0000".into()), b"2").await,
        Err(StoreError::PreconditionFailed(_))
    ));
    let quoted = format!("\"{}\"", meta.etag.to_uppercase());
    put(Precondition::IfMatch(quoted), b"2").await.unwrap();
    assert_eq!(server.get_bytes("/data/api").await, b"2");
}

#[tokio::test]
async fn copy_object_streams_the_bytes_and_copies_or_replaces_the_metadata() {
    let server = start().await;
    server.call(Method::PUT, "/archive", &[], "").await;
    let data = bytes(300_000, 3);
    let response = server
        .send(
            Method::PUT,
            "/data/a%20source",
            &[("content-type", "image/png"), ("x-amz-meta-owner", "ann")],
            data.clone(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = header(&response, "etag").to_owned();

    // COPY (the default): same bytes, same ETag, same content type and metadata.
    let (status, body) = server
        .call(
            Method::PUT,
            "/archive/copy",
            &[("x-amz-copy-source", "/data/a%20source")],
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<CopyObjectResult>"), "{body}");
    assert_eq!(
        xml_text(&body, "ETag").unwrap(),
        format!("&quot;{}&quot;", sha1_hex(&data))
    );
    assert!(xml_text(&body, "LastModified").is_some());
    let response = server.send(Method::GET, "/archive/copy", &[], "").await;
    assert_eq!(header(&response, "etag"), etag);
    assert_eq!(header(&response, "content-type"), "image/png");
    assert_eq!(header(&response, "x-amz-meta-owner"), "ann");
    assert!(to_bytes(response.into_body()).await.unwrap() == data);

    // REPLACE: the request's content type and metadata instead; no leading slash is fine too.
    let (status, body) = server
        .call(
            Method::PUT,
            "/data/renamed",
            &[
                ("x-amz-copy-source", "data/a%20source"),
                ("x-amz-metadata-directive", "REPLACE"),
                ("content-type", "text/plain"),
                ("x-amz-meta-owner", "bob"),
            ],
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = server.send(Method::HEAD, "/data/renamed", &[], "").await;
    assert_eq!(header(&response, "etag"), etag);
    assert_eq!(header(&response, "content-type"), "text/plain");
    assert_eq!(header(&response, "x-amz-meta-owner"), "bob");

    // Errors: a missing source, a missing source bucket, and a copy onto itself that changes
    // nothing.
    let (status, body) = server
        .call(
            Method::PUT,
            "/data/x",
            &[("x-amz-copy-source", "/data/nope")],
            "",
        )
        .await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchKey");
    let (status, body) = server
        .call(
            Method::PUT,
            "/data/x",
            &[("x-amz-copy-source", "/nobucket/k")],
            "",
        )
        .await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchBucket");
    let (status, body) = server
        .call(
            Method::PUT,
            "/data/a%20source",
            &[("x-amz-copy-source", "/data/a%20source")],
            "",
        )
        .await;
    assert_code(status, &body, StatusCode::BAD_REQUEST, "InvalidRequest");
    let (status, _) = server.call(Method::HEAD, "/data/x", &[], "").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a failed copy creates nothing"
    );
}

#[tokio::test]
async fn list_objects_v2_pages_through_every_key_with_tokens_and_start_after() {
    let server = start().await;
    let keys = [
        "a", "b/1", "b/2", "b/3", "c", "d/x/1", "d/y", "e", "f", "g", "h",
    ];
    for k in keys {
        server.put(&format!("/data/{k}"), k.as_bytes()).await;
    }

    // Every page of three, following the tokens: each key exactly once, in order.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = "/data?list-type=2&max-keys=3".to_owned();
        if let Some(t) = &token {
            path += &format!("&continuation-token={t}");
        }
        let (status, xml) = server.call(Method::GET, &path, &[], "").await;
        assert_eq!(status, StatusCode::OK, "{xml}");
        pages += 1;
        let page = listed_keys(&xml);
        assert_eq!(xml_text(&xml, "KeyCount").unwrap(), page.len().to_string());
        assert_eq!(xml_text(&xml, "MaxKeys").unwrap(), "3");
        assert_eq!(xml_text(&xml, "ContinuationToken"), token, "echoed");
        seen.extend(page);
        match xml_text(&xml, "NextContinuationToken") {
            Some(next) => {
                assert_eq!(xml_text(&xml, "IsTruncated").unwrap(), "true");
                token = Some(next);
            }
            None => {
                assert_eq!(xml_text(&xml, "IsTruncated").unwrap(), "false");
                break;
            }
        }
    }
    assert_eq!(seen, keys);
    assert_eq!(pages, 4);

    // start-after: strictly after the given key, echoed back.
    let (_, xml) = server
        .call(Method::GET, "/data?list-type=2&start-after=b%2F2", &[], "")
        .await;
    assert_eq!(listed_keys(&xml), keys[3..]);
    assert_eq!(xml_text(&xml, "StartAfter").unwrap(), "b/2");
    // With a delimiter, the rest of a group after start-after is still rolled up.
    let (_, xml) = server
        .call(
            Method::GET,
            "/data?list-type=2&delimiter=%2F&start-after=b%2F1",
            &[],
            "",
        )
        .await;
    assert_eq!(xml_all(&xml, "Prefix")[1..], ["b/", "d/"]);
    assert_eq!(listed_keys(&xml), ["c", "e", "f", "g", "h"]);
    // start-after with a prefix, and start-after ignored when a continuation token is given.
    let (_, xml) = server
        .call(
            Method::GET,
            "/data?list-type=2&prefix=b%2F&start-after=b%2F1",
            &[],
            "",
        )
        .await;
    assert_eq!(listed_keys(&xml), ["b/2", "b/3"]);
    let (_, first) = server
        .call(Method::GET, "/data?list-type=2&max-keys=2", &[], "")
        .await;
    let next = xml_text(&first, "NextContinuationToken").unwrap();
    let (_, xml) = server
        .call(
            Method::GET,
            &format!("/data?list-type=2&max-keys=2&start-after=f&continuation-token={next}"),
            &[],
            "",
        )
        .await;
    assert_eq!(listed_keys(&xml), ["b/2", "b/3"]);
}

#[tokio::test]
async fn list_objects_v2_with_encoding_type_url_percent_encodes_the_keys() {
    let server = start().await;
    let odd = ["a b/c&d.txt", "caf\u{e9}/\u{fc}ber", "plain/key-1_~.x"];
    for k in odd {
        let encoded: String = k
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        server.put(&format!("/data/{encoded}"), b"x").await;
    }
    let (_, xml) = server
        .call(Method::GET, "/data?list-type=2&encoding-type=url", &[], "")
        .await;
    assert_eq!(xml_text(&xml, "EncodingType").unwrap(), "url");
    let keys = listed_keys(&xml);
    assert_eq!(keys.len(), 3);
    assert!(
        keys[0].contains("%20") && keys[0].contains("%26"),
        "{keys:?}"
    );
    assert!(!keys[1].contains('\u{e9}'), "{keys:?}");
    assert_eq!(
        keys[2], "plain/key-1_~.x",
        "unreserved characters and / stay"
    );
    let decoded: Vec<String> = keys.iter().map(|k| percent_decode(k)).collect();
    assert_eq!(decoded, odd);

    let (_, xml) = server
        .call(
            Method::GET,
            "/data?list-type=2&encoding-type=url&delimiter=%2F&prefix=a%20",
            &[],
            "",
        )
        .await;
    assert_eq!(xml_all(&xml, "Prefix"), ["a%20", "a%20b/"]);
    // Without encoding-type the keys are plain XML text, as in milestone 2.
    let (_, xml) = server.call(Method::GET, "/data?list-type=2", &[], "").await;
    assert!(xml_text(&xml, "EncodingType").is_none());
    assert_eq!(listed_keys(&xml)[0], "a b/c&amp;d.txt");
}

/// Reads from a raw connection until the end of a response head, and returns it.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte))
            .await
            .expect("the server answered in time")
            .unwrap();
        assert_eq!(
            n,
            1,
            "connection closed after {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

#[tokio::test]
async fn expect_100_continue_is_answered_before_the_body_and_not_when_a_precondition_fails() {
    let server = start().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = "PUT /data/k HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let interim = read_head(&mut stream).await;
    assert!(
        interim.starts_with("HTTP/1.1 100 Continue\r\n"),
        "{interim}"
    );
    stream.write_all(b"hello").await.unwrap();
    let head = read_head(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("etag: \"{}\"", sha1_hex(b"hello"))),
        "{head}"
    );

    // The key exists now: a conditional create is refused before the client sends its body.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = "PUT /data/k HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\nIf-None-Match: *\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let head = read_head(&mut stream).await;
    assert!(
        head.starts_with("HTTP/1.1 412 Precondition Failed\r\n"),
        "{head}"
    );
    assert_eq!(server.get_bytes("/data/k").await, b"hello");
}
