//! Milestone 2: the S3-style HTTP API on hyper 0.14, driven by hyper's client over 127.0.0.1.

use std::net::SocketAddr;

use bytes::Bytes;
use ex01_object_store::{http, Store};
use hyper::body::to_bytes;
use hyper::client::HttpConnector;
use hyper::{Body, Client, Method, Request, Response, StatusCode};
use sha1::{Digest, Sha1};

struct Server {
    addr: SocketAddr,
    client: Client<HttpConnector>,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(http::serve(store, listener));
    Server {
        addr,
        client: Client::new(),
        _dir: dir,
    }
}

impl Server {
    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Response<Body> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.addr, path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.client
            .request(req.body(body).unwrap())
            .await
            .expect("request")
    }

    async fn call(&self, method: Method, path: &str) -> (StatusCode, String) {
        let response = self.send(method, path, &[], Body::empty()).await;
        let status = response.status();
        let body = to_bytes(response.into_body()).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
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

#[tokio::test]
async fn bucket_operations() {
    let s = start().await;
    assert_eq!(s.call(Method::PUT, "/alpha").await.0, StatusCode::OK);
    assert_eq!(s.call(Method::PUT, "/beta").await.0, StatusCode::OK);
    let (status, body) = s.call(Method::PUT, "/alpha").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("<Code>BucketAlreadyOwnedByYou</Code>"),
        "{body}"
    );

    let (status, body) = s.call(Method::GET, "/").await;
    assert_eq!(status, StatusCode::OK);
    let alpha = body.find("<Name>alpha</Name>").expect("alpha listed");
    let beta = body.find("<Name>beta</Name>").expect("beta listed");
    assert!(alpha < beta);

    assert_eq!(s.call(Method::HEAD, "/alpha").await.0, StatusCode::OK);
    assert_eq!(
        s.call(Method::HEAD, "/gamma").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = s.call(Method::PUT, "/Bad_Name").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<Code>InvalidBucketName</Code>"), "{body}");

    assert_eq!(
        s.call(Method::DELETE, "/beta").await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = s.call(Method::DELETE, "/beta").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<Code>NoSuchBucket</Code>"), "{body}");
}

#[tokio::test]
async fn streamed_put_then_get_head_and_delete() {
    let s = start().await;
    s.call(Method::PUT, "/data").await;

    // Send the body in pieces through a channel, as a real client streaming a file would.
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let (mut tx, body) = Body::channel();
    let chunks: Vec<Bytes> = payload.chunks(40_000).map(Bytes::copy_from_slice).collect();
    let sender = tokio::spawn(async move {
        for chunk in chunks {
            tx.send_data(chunk).await.unwrap();
        }
    });
    let response = s
        .send(
            Method::PUT,
            "/data/dir/file.bin",
            &[
                ("content-type", "application/x-test"),
                ("x-amz-meta-color", "blue"),
            ],
            body,
        )
        .await;
    sender.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = format!("\"{}\"", sha1_hex(&payload));
    assert_eq!(header(&response, "etag"), etag);

    let response = s
        .send(Method::GET, "/data/dir/file.bin", &[], Body::empty())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), etag);
    assert_eq!(header(&response, "content-type"), "application/x-test");
    assert_eq!(
        header(&response, "content-length"),
        payload.len().to_string()
    );
    assert_eq!(header(&response, "x-amz-meta-color"), "blue");
    assert_eq!(header(&response, "accept-ranges"), "bytes");
    assert!(header(&response, "last-modified").ends_with(" GMT"));
    let body = to_bytes(response.into_body()).await.unwrap();
    assert!(body[..] == payload[..], "downloaded bytes differ");

    let response = s
        .send(Method::HEAD, "/data/dir/file.bin", &[], Body::empty())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-length"),
        payload.len().to_string()
    );
    assert_eq!(header(&response, "etag"), etag);
    assert!(to_bytes(response.into_body()).await.unwrap().is_empty());

    let (status, body) = s.call(Method::DELETE, "/data").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("<Code>BucketNotEmpty</Code>"), "{body}");

    assert_eq!(
        s.call(Method::DELETE, "/data/dir/file.bin").await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = s.call(Method::GET, "/data/dir/file.bin").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<Code>NoSuchKey</Code>"), "{body}");
    assert!(
        body.contains("<Resource>/data/dir/file.bin</Resource>"),
        "{body}"
    );
    assert_eq!(
        s.call(Method::DELETE, "/data").await.0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn range_requests() {
    let s = start().await;
    s.call(Method::PUT, "/data").await;
    let payload: Vec<u8> = (0..100u8).collect();
    let response = s
        .send(Method::PUT, "/data/r", &[], Body::from(payload.clone()))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    for (range, content_range, want) in [
        ("bytes=10-19", "bytes 10-19/100", 10..20),
        ("bytes=95-", "bytes 95-99/100", 95..100),
        ("bytes=-5", "bytes 95-99/100", 95..100),
        ("bytes=0-0", "bytes 0-0/100", 0..1),
        ("bytes=90-500", "bytes 90-99/100", 90..100),
    ] {
        let response = s
            .send(Method::GET, "/data/r", &[("range", range)], Body::empty())
            .await;
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(header(&response, "content-range"), content_range, "{range}");
        assert_eq!(
            header(&response, "content-length"),
            want.len().to_string(),
            "{range}"
        );
        let body = to_bytes(response.into_body()).await.unwrap();
        assert_eq!(&body[..], &payload[want], "{range}");
    }

    let response = s
        .send(
            Method::GET,
            "/data/r",
            &[("range", "bytes=100-")],
            Body::empty(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&response, "content-range"), "bytes */100");
}

#[tokio::test]
async fn listing_over_http() {
    let s = start().await;
    s.call(Method::PUT, "/photos").await;
    for key in [
        "2023/a.jpg",
        "2024/b.jpg",
        "2024/c.jpg",
        "notes%20%26%20more.txt",
    ] {
        let response = s
            .send(Method::PUT, &format!("/photos/{key}"), &[], Body::from("x"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{key}");
    }

    let (status, body) = s
        .call(Method::GET, "/photos?list-type=2&delimiter=%2F")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<Key>notes &amp; more.txt</Key>"),
        "keys are percent-decoded and XML-escaped: {body}"
    );
    assert!(
        body.contains("<CommonPrefixes><Prefix>2023/</Prefix></CommonPrefixes>"),
        "{body}"
    );
    assert!(
        body.contains("<CommonPrefixes><Prefix>2024/</Prefix></CommonPrefixes>"),
        "{body}"
    );
    assert!(!body.contains("<Key>2024/b.jpg</Key>"), "{body}");
    assert!(body.contains("<IsTruncated>false</IsTruncated>"), "{body}");

    let (_, body) = s
        .call(Method::GET, "/photos?list-type=2&prefix=2024%2F")
        .await;
    assert!(
        body.contains("<Key>2024/b.jpg</Key>") && body.contains("<Key>2024/c.jpg</Key>"),
        "{body}"
    );
    assert!(!body.contains("2023/a.jpg"), "{body}");

    // Follow continuation tokens one key at a time.
    let mut keys = Vec::new();
    let mut query = String::from("list-type=2&max-keys=1");
    for _ in 0..10 {
        let (status, body) = s.call(Method::GET, &format!("/photos?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        for part in body.split("<Key>").skip(1) {
            keys.push(part.split("</Key>").next().unwrap().to_owned());
        }
        match body.split("<NextContinuationToken>").nth(1) {
            Some(rest) => {
                let token = rest.split("</NextContinuationToken>").next().unwrap();
                assert!(body.contains("<IsTruncated>true</IsTruncated>"));
                query = format!("list-type=2&max-keys=1&continuation-token={token}");
            }
            None => break,
        }
    }
    assert_eq!(
        keys,
        [
            "2023/a.jpg",
            "2024/b.jpg",
            "2024/c.jpg",
            "notes &amp; more.txt"
        ]
    );

    let (status, body) = s.call(Method::GET, "/nope?list-type=2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<Code>NoSuchBucket</Code>"), "{body}");
}

#[tokio::test]
async fn many_clients_at_once() {
    let s = start().await;
    s.call(Method::PUT, "/load").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = s.client.clone();
        let uri = format!("http://{}/load/obj-{i:02}", s.addr);
        tasks.push(tokio::spawn(async move {
            let body = vec![i as u8; 20_000];
            let put = Request::put(&uri).body(Body::from(body.clone())).unwrap();
            assert_eq!(client.request(put).await.unwrap().status(), StatusCode::OK);
            let got = client.get(uri.parse().unwrap()).await.unwrap();
            assert_eq!(to_bytes(got.into_body()).await.unwrap(), body);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (_, body) = s.call(Method::GET, "/load?list-type=2").await;
    assert_eq!(body.matches("<Contents>").count(), 20);
}
