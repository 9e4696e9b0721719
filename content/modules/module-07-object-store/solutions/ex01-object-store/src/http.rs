//! Milestone 2: an S3-style HTTP/1.1 API over [`Store`], on hyper 0.14.
//!
//! | request                                   | operation                         |
//! | ----------------------------------------- | --------------------------------- |
//! | `GET /`                                   | list buckets                      |
//! | `PUT /{bucket}` / `DELETE` / `HEAD`       | create / delete / probe a bucket  |
//! | `GET /{bucket}?list-type=2&prefix=...`    | list objects (ListObjectsV2)      |
//! | `PUT /{bucket}/{key}`                     | streaming upload                  |
//! | `GET` / `HEAD /{bucket}/{key}` (+`Range`) | download / metadata               |
//! | `DELETE /{bucket}/{key}`                  | delete an object                  |
//! | `POST /{bucket}/{key}?uploads`            | create a multipart upload         |
//! | `PUT /{bucket}/{key}?partNumber=N&uploadId=ID` | upload one part              |
//! | `GET /{bucket}/{key}?uploadId=ID`         | list the parts of an upload       |
//! | `POST /{bucket}/{key}?uploadId=ID`        | complete an upload                |
//! | `DELETE /{bucket}/{key}?uploadId=ID`      | abort an upload                   |
//!
//! Milestone 5 adds conditional requests (`If-Match` and `If-None-Match` on `GET`, `HEAD` and
//! `PUT`), server-side copies (`PUT` with `x-amz-copy-source`) and ListObjectsV2's
//! `start-after` and `encoding-type=url`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{Buf, Bytes};
use hyper::body::HttpBody;
use hyper::header::{
    HeaderMap, HeaderValue, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    IF_MATCH, IF_NONE_MATCH, LAST_MODIFIED, RANGE,
};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use crate::meta::etag_matches;
use crate::{
    BucketName, ByteRange, CompletedPart, ListOptions, MultipartOptions, ObjectKey, ObjectMeta,
    Precondition, PutOptions, Store, StoreError, CHUNK_SIZE,
};

const META_PREFIX: &str = "x-amz-meta-";
const COPY_SOURCE: &str = "x-amz-copy-source";
const METADATA_DIRECTIVE: &str = "x-amz-metadata-directive";

/// The largest `CompleteMultipartUpload` body accepted: 10,000 parts of about 100 bytes each
/// fit comfortably. It is the one request body the server reads whole, so it is bounded.
const MAX_COMPLETE_BODY: usize = 2 * 1024 * 1024;

/// Serves the API for `store` on an already-bound listener until the server fails. Spawn it;
/// dropping the future stops the server and closes the listener.
pub async fn serve(store: Store, listener: TcpListener) -> Result<(), hyper::Error> {
    let make = make_service_fn(move |_conn| {
        let store = store.clone();
        async move {
            Ok::<_, Infallible>(service_fn(move |req| {
                let store = store.clone();
                async move { Ok::<_, Infallible>(handle(store, req).await) }
            }))
        }
    });
    Server::from_tcp(listener)?.serve(make).await
}

/// Handles one request. Never fails: every error becomes an S3-style XML error response.
pub async fn handle(store: Store, req: Request<Body>) -> Response<Body> {
    let resource = req.uri().path().to_owned();
    match route(store, req).await {
        Ok(response) => response,
        Err(err) => error_response(&err, &resource),
    }
}

/// Errors of the HTTP layer: store errors, plus requests the API does not understand.
enum ApiError {
    Store(StoreError),
    BadRequest(String),
    InvalidArgument(String),
    MethodNotAllowed,
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

async fn route(store: Store, req: Request<Body>) -> Result<Response<Body>, ApiError> {
    let path = percent_decode(req.uri().path().trim_start_matches('/'))
        .ok_or_else(|| ApiError::BadRequest("path is not valid percent-encoded UTF-8".into()))?;
    let (bucket, key) = match path.split_once('/') {
        Some((bucket, key)) => (bucket.to_owned(), key.to_owned()),
        None => (path, String::new()),
    };
    let method = req.method().clone();
    if bucket.is_empty() {
        return match method {
            Method::GET => Ok(list_buckets(&store)),
            _ => Err(ApiError::MethodNotAllowed),
        };
    }
    let bucket = BucketName::parse(&bucket)?;
    if key.is_empty() {
        return match method {
            Method::PUT => {
                store.create_bucket(&bucket).await?;
                Ok(empty(StatusCode::OK))
            }
            Method::DELETE => {
                store.delete_bucket(&bucket).await?;
                Ok(empty(StatusCode::NO_CONTENT))
            }
            Method::HEAD => {
                store.list_objects(
                    &bucket,
                    &ListOptions {
                        max_keys: 0,
                        ..ListOptions::default()
                    },
                )?;
                Ok(empty(StatusCode::OK))
            }
            Method::GET => list_objects(&store, &bucket, req.uri().query().unwrap_or("")),
            _ => Err(ApiError::MethodNotAllowed),
        };
    }
    let key = ObjectKey::parse(&key)?;
    let params = query_params(req.uri().query().unwrap_or(""))?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    match (method, param("uploadId")) {
        (Method::POST, None) if param("uploads").is_some() => {
            create_upload(&store, &bucket, &key, &req).await
        }
        (Method::PUT, Some(id)) => {
            let part = param("partNumber").ok_or_else(|| {
                ApiError::InvalidArgument("partNumber is required with uploadId".into())
            })?;
            upload_part(&store, &bucket, &key, &id, &part, req).await
        }
        (Method::GET, Some(id)) => list_parts(&store, &bucket, &key, &id),
        (Method::POST, Some(id)) => complete_upload(&store, &bucket, &key, &id, req).await,
        (Method::DELETE, Some(id)) => {
            store.abort_multipart_upload(&bucket, &key, &id).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        (Method::PUT, None) => put_object(&store, &bucket, &key, req).await,
        (Method::GET | Method::HEAD, None) => get_object(&store, &bucket, &key, &req).await,
        (Method::DELETE, None) => {
            store.delete_object(&bucket, &key).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

async fn put_object(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    req: Request<Body>,
) -> Result<Response<Body>, ApiError> {
    let headers = req.headers();
    if let Some(source) = headers.get(COPY_SOURCE) {
        let source = source
            .to_str()
            .map_err(|_| ApiError::BadRequest(format!("bad {COPY_SOURCE}")))?
            .to_owned();
        return copy_object(store, bucket, key, &source, headers).await;
    }
    let precondition = match (headers.get(IF_NONE_MATCH), headers.get(IF_MATCH)) {
        (Some(v), _) if v.as_bytes() == b"*" => Some(Precondition::IfAbsent),
        (Some(_), _) => {
            return Err(ApiError::InvalidArgument(
                "If-None-Match on PUT only supports *".into(),
            ))
        }
        (None, Some(v)) => Some(Precondition::IfMatch(
            v.to_str()
                .map_err(|_| ApiError::BadRequest("bad If-Match".into()))?
                .to_owned(),
        )),
        (None, None) => None,
    };
    let opts = PutOptions {
        content_type: content_type(headers),
        user_metadata: user_metadata(headers)?,
        expected_len: content_length(headers)?,
        expected_etag: None,
    };
    // The body is never collected: BodyReader hands the store one hyper chunk at a time, and
    // hyper only reads more from the socket when the store asks for more. A precondition that
    // fails is reported before the first read, so a client waiting on `Expect: 100-continue`
    // never sends its body.
    let body = BodyReader::new(req.into_body());
    let meta = store
        .put_object_if(bucket, key, body, opts, precondition)
        .await?;
    let mut response = empty(StatusCode::OK);
    response
        .headers_mut()
        .insert(ETAG, header(&format!("\"{}\"", meta.etag))?);
    Ok(response)
}

/// `PUT` with `x-amz-copy-source: [/]bucket/key`: streams the source object into the target,
/// with the source's content type and metadata (`x-amz-metadata-directive: COPY`, the default)
/// or the request's (`REPLACE`).
async fn copy_object(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    source: &str,
    headers: &HeaderMap,
) -> Result<Response<Body>, ApiError> {
    let source = source.split_once('?').map_or(source, |(path, _)| path);
    let source = percent_decode(source.trim_start_matches('/'))
        .ok_or_else(|| ApiError::BadRequest(format!("{COPY_SOURCE} is not percent-encoded")))?;
    let (source_bucket, source_key) = source
        .split_once('/')
        .ok_or_else(|| ApiError::BadRequest(format!("{COPY_SOURCE} must be bucket/key")))?;
    let source_bucket = BucketName::parse(source_bucket)?;
    let source_key = ObjectKey::parse(source_key)?;
    let replace = match headers.get(METADATA_DIRECTIVE).map(HeaderValue::as_bytes) {
        None | Some(b"COPY") => false,
        Some(b"REPLACE") => true,
        Some(_) => {
            return Err(ApiError::InvalidArgument(format!(
                "{METADATA_DIRECTIVE} must be COPY or REPLACE"
            )))
        }
    };
    if source_bucket == *bucket && source_key == *key && !replace {
        return Err(ApiError::BadRequest(
            "This copy request is illegal because it is trying to copy an object to itself \
             without changing the object's metadata"
                .into(),
        ));
    }
    let source = store.get_object(&source_bucket, &source_key, None).await?;
    let meta = &source.meta;
    let (content_type, user_metadata) = if replace {
        (content_type(headers), user_metadata(headers)?)
    } else {
        (Some(meta.content_type.clone()), meta.user_metadata.clone())
    };
    let opts = PutOptions {
        content_type,
        user_metadata,
        // The copy is checked against the source on the way: a multipart ETag (`...-N`) is
        // not a digest of the bytes, so only a plain one can be.
        expected_len: Some(meta.size),
        expected_etag: Some(meta.etag.clone()).filter(|e| !e.contains('-')),
    };
    let copied = store.put_object(bucket, key, source.body, opts).await?;
    Ok(xml_response(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag></CopyObjectResult>",
            iso8601(copied.last_modified),
            copied.etag
        ),
    ))
}

/// What the conditional headers of a read say to do with an object of this ETag.
enum Verdict {
    Proceed,
    NotModified,
    PreconditionFailed,
}

/// RFC 9110's order: `If-Match` first (412 when no listed ETag matches), then `If-None-Match`
/// (304 when one does). Lists, `*`, quotes and weak `W/` prefixes are understood.
fn judge(headers: &HeaderMap, etag: &str) -> Verdict {
    let listed = |value: &HeaderValue| {
        value
            .to_str()
            .map(|v| v.split(',').any(|t| etag_matches(t, etag)))
            .unwrap_or(false)
    };
    if headers.get(IF_MATCH).is_some_and(|v| !listed(v)) {
        return Verdict::PreconditionFailed;
    }
    if headers.get(IF_NONE_MATCH).is_some_and(listed) {
        return Verdict::NotModified;
    }
    Verdict::Proceed
}

/// The response a read gets when its preconditions stop it, if they do.
fn precondition_response(
    req: &Request<Body>,
    meta: &ObjectMeta,
) -> Result<Option<Response<Body>>, ApiError> {
    match judge(req.headers(), &meta.etag) {
        Verdict::Proceed => Ok(None),
        Verdict::PreconditionFailed => Ok(Some(error_response(
            &ApiError::Store(StoreError::PreconditionFailed(format!(
                "the object's ETag is {}",
                meta.etag
            ))),
            req.uri().path(),
        ))),
        Verdict::NotModified => {
            let mut response = empty(StatusCode::NOT_MODIFIED);
            let headers = response.headers_mut();
            headers.insert(ETAG, header(&format!("\"{}\"", meta.etag))?);
            headers.insert(LAST_MODIFIED, header(&http_date(meta.last_modified))?);
            Ok(Some(response))
        }
    }
}

fn content_length(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    match headers.get(CONTENT_LENGTH) {
        Some(v) => Ok(Some(
            v.to_str()
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| ApiError::BadRequest("bad Content-Length".into()))?,
        )),
        None => Ok(None),
    }
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn user_metadata(headers: &HeaderMap) -> Result<BTreeMap<String, String>, ApiError> {
    let mut user_metadata = BTreeMap::new();
    for (name, value) in headers {
        if let Some(meta_key) = name.as_str().strip_prefix(META_PREFIX) {
            let value = value
                .to_str()
                .map_err(|_| ApiError::BadRequest(format!("non-ASCII value for {name}")))?;
            user_metadata.insert(meta_key.to_owned(), value.to_owned());
        }
    }
    Ok(user_metadata)
}

async fn create_upload(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    req: &Request<Body>,
) -> Result<Response<Body>, ApiError> {
    let opts = MultipartOptions {
        content_type: content_type(req.headers()),
        user_metadata: user_metadata(req.headers())?,
    };
    let id = store.create_multipart_upload(bucket, key, opts).await?;
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId></InitiateMultipartUploadResult>",
        xml_escape(bucket.as_str()),
        xml_escape(key.as_str()),
        xml_escape(&id)
    );
    Ok(xml_response(StatusCode::OK, xml))
}

async fn upload_part(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    upload_id: &str,
    part_number: &str,
    req: Request<Body>,
) -> Result<Response<Body>, ApiError> {
    let part_number: u32 = part_number
        .parse()
        .map_err(|_| ApiError::InvalidArgument(format!("bad partNumber {part_number:?}")))?;
    let expected_len = content_length(req.headers())?;
    // Streamed exactly like a put: one chunk in memory at a time.
    let part = store
        .upload_part(
            bucket,
            key,
            upload_id,
            part_number,
            BodyReader::new(req.into_body()),
            expected_len,
        )
        .await?;
    let mut response = empty(StatusCode::OK);
    response
        .headers_mut()
        .insert(ETAG, header(&format!("\"{}\"", part.etag))?);
    Ok(response)
}

fn list_parts(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    upload_id: &str,
) -> Result<Response<Body>, ApiError> {
    let parts = store.list_parts(bucket, key, upload_id)?;
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult><Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId><IsTruncated>false</IsTruncated>",
        xml_escape(bucket.as_str()),
        xml_escape(key.as_str()),
        xml_escape(upload_id)
    );
    for part in parts {
        xml += &format!(
            "<Part><PartNumber>{}</PartNumber><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag><Size>{}</Size></Part>",
            part.part_number,
            iso8601(part.last_modified),
            part.etag,
            part.size
        );
    }
    xml += "</ListPartsResult>";
    Ok(xml_response(StatusCode::OK, xml))
}

async fn complete_upload(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    upload_id: &str,
    req: Request<Body>,
) -> Result<Response<Body>, ApiError> {
    let location = req.uri().path().to_owned();
    let body = read_bounded(req.into_body(), MAX_COMPLETE_BODY).await?;
    let xml = std::str::from_utf8(&body)
        .map_err(|_| StoreError::MalformedXml("the body is not UTF-8".into()))?;
    let parts = parse_complete_request(xml)?;
    let meta = store
        .complete_multipart_upload(bucket, key, upload_id, &parts)
        .await?;
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>&quot;{}&quot;</ETag></CompleteMultipartUploadResult>",
        xml_escape(&location),
        xml_escape(bucket.as_str()),
        xml_escape(key.as_str()),
        meta.etag
    );
    Ok(xml_response(StatusCode::OK, xml))
}

/// Collects a small request body, refusing one longer than `limit` bytes as malformed.
async fn read_bounded(mut body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| StoreError::Io(io::Error::other(e)))?;
        if out.len() + chunk.len() > limit {
            return Err(StoreError::MalformedXml(format!("the body exceeds {limit} bytes")).into());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Parses `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"..."</ETag></Part>
/// ...</CompleteMultipartUpload>` into its `(PartNumber, ETag)` pairs, in document order.
/// Other elements inside a `<Part>` (checksums) are ignored; anything else between parts is
/// malformed. Whether the list is valid (order, ETags) is the store's business.
fn parse_complete_request(xml: &str) -> Result<Vec<CompletedPart>, StoreError> {
    let malformed = |why: &str| StoreError::MalformedXml(why.to_owned());
    const ROOT: &str = "<CompleteMultipartUpload";
    let start = xml
        .find(ROOT)
        .ok_or_else(|| malformed("no <CompleteMultipartUpload> element"))?;
    let rest = &xml[start + ROOT.len()..];
    // The root may carry an xmlns attribute: skip to the end of its start tag.
    if !rest.starts_with(['>', ' ', '\t', '\r', '\n']) {
        return Err(malformed("no <CompleteMultipartUpload> element"));
    }
    let open_end = rest
        .find('>')
        .ok_or_else(|| malformed("unterminated start tag"))?;
    let inner = &rest[open_end + 1..];
    let close = inner
        .find("</CompleteMultipartUpload>")
        .ok_or_else(|| malformed("no </CompleteMultipartUpload>"))?;
    let mut inner = &inner[..close];

    let mut parts = Vec::new();
    loop {
        inner = inner.trim_start();
        if inner.is_empty() {
            return Ok(parts);
        }
        let body = inner
            .strip_prefix("<Part>")
            .ok_or_else(|| malformed("expected <Part>"))?;
        let end = body
            .find("</Part>")
            .ok_or_else(|| malformed("no </Part>"))?;
        let part = &body[..end];
        inner = &body[end + "</Part>".len()..];
        let number = element_text(part, "PartNumber")
            .ok_or_else(|| malformed("a <Part> without <PartNumber>"))?;
        let etag =
            element_text(part, "ETag").ok_or_else(|| malformed("a <Part> without <ETag>"))?;
        let part_number = number
            .trim()
            .parse()
            .map_err(|_| malformed("<PartNumber> is not a number"))?;
        let etag = xml_unescape(etag.trim()).ok_or_else(|| malformed("bad entity in <ETag>"))?;
        parts.push(CompletedPart { part_number, etag });
    }
}

/// The raw text of the first `<name>...</name>` in `xml`.
fn element_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    Some(&xml[start..start + len])
}

/// Replaces the five named XML entities and numeric character references.
fn xml_unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';')? + amp;
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => entity.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

async fn get_object(
    store: &Store,
    bucket: &BucketName,
    key: &ObjectKey,
    req: &Request<Body>,
) -> Result<Response<Body>, ApiError> {
    let range = match req.headers().get(RANGE) {
        Some(v) => Some(ByteRange::parse(v.to_str().unwrap_or(""))?),
        None => None,
    };
    let conditional =
        req.headers().contains_key(IF_MATCH) || req.headers().contains_key(IF_NONE_MATCH);
    if req.method() == Method::HEAD || conditional {
        // Preconditions are judged before the range (a failed If-Match is 412, never 416).
        let meta = store.head_object(bucket, key)?;
        if let Some(response) = precondition_response(req, &meta)? {
            return Ok(response);
        }
    }
    if req.method() == Method::HEAD {
        let meta = store.head_object(bucket, key)?;
        let mut response = empty(StatusCode::OK);
        object_headers(response.headers_mut(), &meta)?;
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(meta.size));
        return Ok(response);
    }
    let object = match store.get_object(bucket, key, range).await {
        Err(StoreError::InvalidRange(msg)) if range.is_some() => {
            // Unsatisfiable: 416 must say how big the object actually is.
            let size = store.head_object(bucket, key)?.size;
            let mut response = error_response(
                &ApiError::Store(StoreError::InvalidRange(msg)),
                req.uri().path(),
            );
            response
                .headers_mut()
                .insert(CONTENT_RANGE, header(&format!("bytes */{size}"))?);
            return Ok(response);
        }
        other => other?,
    };
    if conditional {
        // Judge again the version actually opened: it may have been replaced meanwhile.
        if let Some(response) = precondition_response(req, &object.meta)? {
            return Ok(response);
        }
    }
    let (status, len) = match object.range {
        Some((first, last)) => (StatusCode::PARTIAL_CONTENT, last - first + 1),
        None => (StatusCode::OK, object.meta.size),
    };
    let mut response = Response::new(Body::wrap_stream(reader_stream(object.body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    object_headers(headers, &object.meta)?;
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    if let Some((first, last)) = object.range {
        headers.insert(
            CONTENT_RANGE,
            header(&format!("bytes {first}-{last}/{}", object.meta.size))?,
        );
    }
    Ok(response)
}

fn object_headers(headers: &mut HeaderMap, meta: &ObjectMeta) -> Result<(), ApiError> {
    headers.insert(ETAG, header(&format!("\"{}\"", meta.etag))?);
    headers.insert(CONTENT_TYPE, header(&meta.content_type)?);
    headers.insert(LAST_MODIFIED, header(&http_date(meta.last_modified))?);
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    for (k, v) in &meta.user_metadata {
        let name = hyper::header::HeaderName::try_from(format!("{META_PREFIX}{k}"))
            .map_err(|_| ApiError::BadRequest(format!("bad metadata key {k}")))?;
        headers.insert(name, header(v)?);
    }
    Ok(())
}

fn list_buckets(store: &Store) -> Response<Body> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult><Buckets>",
    );
    for bucket in store.list_buckets() {
        xml += &format!(
            "<Bucket><Name>{}</Name></Bucket>",
            xml_escape(bucket.as_str())
        );
    }
    xml += "</Buckets></ListAllMyBucketsResult>";
    xml_response(StatusCode::OK, xml)
}

fn list_objects(
    store: &Store,
    bucket: &BucketName,
    query: &str,
) -> Result<Response<Body>, ApiError> {
    let mut opts = ListOptions::default();
    let mut url_encoded = false;
    for (name, value) in query_params(query)? {
        match name.as_str() {
            "prefix" => opts.prefix = value,
            "delimiter" => opts.delimiter = Some(value).filter(|d| !d.is_empty()),
            "continuation-token" => opts.continuation_token = Some(value),
            "start-after" => opts.start_after = Some(value).filter(|s| !s.is_empty()),
            "encoding-type" if value == "url" => url_encoded = true,
            "encoding-type" => {
                return Err(ApiError::InvalidArgument(
                    "encoding-type must be url".into(),
                ))
            }
            "max-keys" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| ApiError::BadRequest("bad max-keys".into()))?;
                opts.max_keys = n.min(1000);
            }
            _ => {} // list-type=2 and parameters we do not support are ignored
        }
    }
    let page = store.list_objects(bucket, &opts)?;
    // With encoding-type=url, every key-like value is percent-encoded (clients decode them):
    // the way to return keys that XML 1.0 cannot carry, such as control characters.
    let text = |s: &str| {
        if url_encoded {
            url_encode(s)
        } else {
            xml_escape(s)
        }
    };
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult><Name>{}</Name><Prefix>{}</Prefix><MaxKeys>{}</MaxKeys><KeyCount>{}</KeyCount><IsTruncated>{}</IsTruncated>",
        xml_escape(bucket.as_str()),
        text(&opts.prefix),
        opts.max_keys,
        page.objects.len() + page.common_prefixes.len(),
        page.next_continuation_token.is_some(),
    );
    if url_encoded {
        xml += "<EncodingType>url</EncodingType>";
    }
    if let Some(d) = &opts.delimiter {
        xml += &format!("<Delimiter>{}</Delimiter>", text(d));
    }
    if let Some(t) = &opts.continuation_token {
        xml += &format!("<ContinuationToken>{}</ContinuationToken>", xml_escape(t));
    }
    if let Some(s) = &opts.start_after {
        xml += &format!("<StartAfter>{}</StartAfter>", text(s));
    }
    if let Some(t) = &page.next_continuation_token {
        xml += &format!(
            "<NextContinuationToken>{}</NextContinuationToken>",
            xml_escape(t)
        );
    }
    for meta in &page.objects {
        xml += &format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag><Size>{}</Size></Contents>",
            text(meta.key.as_str()),
            iso8601(meta.last_modified),
            meta.etag,
            meta.size
        );
    }
    for prefix in &page.common_prefixes {
        xml += &format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            text(prefix)
        );
    }
    xml += "</ListBucketResult>";
    Ok(xml_response(StatusCode::OK, xml))
}

/// The query string's `name=value` pairs in order, values percent-decoded (`+` is a space). A
/// parameter without `=` (like `?uploads`) has an empty value.
fn query_params(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(&value.replace('+', " "))
                .ok_or_else(|| ApiError::BadRequest(format!("bad query parameter {name}")))?;
            Ok((name.to_owned(), value))
        })
        .collect()
}

fn error_response(err: &ApiError, resource: &str) -> Response<Body> {
    let (status, code, message) = match err {
        ApiError::BadRequest(msg) => (StatusCode::BAD_REQUEST, "InvalidRequest", msg.clone()),
        ApiError::InvalidArgument(msg) => (StatusCode::BAD_REQUEST, "InvalidArgument", msg.clone()),
        ApiError::MethodNotAllowed => (
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "method not allowed".into(),
        ),
        ApiError::Store(e) => {
            let (status, code) = match e {
                StoreError::InvalidBucketName(..) => (StatusCode::BAD_REQUEST, "InvalidBucketName"),
                StoreError::InvalidKey(_) => (StatusCode::BAD_REQUEST, "KeyTooLongError"),
                StoreError::NoSuchBucket(_) => (StatusCode::NOT_FOUND, "NoSuchBucket"),
                StoreError::BucketAlreadyExists(_) => {
                    (StatusCode::CONFLICT, "BucketAlreadyOwnedByYou")
                }
                StoreError::BucketNotEmpty(_) => (StatusCode::CONFLICT, "BucketNotEmpty"),
                StoreError::NoSuchKey(_) => (StatusCode::NOT_FOUND, "NoSuchKey"),
                StoreError::InvalidRange(_) => (StatusCode::RANGE_NOT_SATISFIABLE, "InvalidRange"),
                StoreError::ChecksumMismatch { .. } => (StatusCode::BAD_REQUEST, "BadDigest"),
                StoreError::LengthMismatch { .. } => (StatusCode::BAD_REQUEST, "IncompleteBody"),
                StoreError::InvalidMetadata(_) => (StatusCode::BAD_REQUEST, "InvalidArgument"),
                StoreError::InvalidToken => (StatusCode::BAD_REQUEST, "InvalidArgument"),
                StoreError::NoSuchUpload(_) => (StatusCode::NOT_FOUND, "NoSuchUpload"),
                StoreError::InvalidPartNumber(_) => (StatusCode::BAD_REQUEST, "InvalidArgument"),
                StoreError::InvalidPart(_) => (StatusCode::BAD_REQUEST, "InvalidPart"),
                StoreError::InvalidPartOrder => (StatusCode::BAD_REQUEST, "InvalidPartOrder"),
                StoreError::EntityTooSmall { .. } => (StatusCode::BAD_REQUEST, "EntityTooSmall"),
                StoreError::MalformedXml(_) => (StatusCode::BAD_REQUEST, "MalformedXML"),
                StoreError::PreconditionFailed(_) => {
                    (StatusCode::PRECONDITION_FAILED, "PreconditionFailed")
                }
                StoreError::Corrupt(_) | StoreError::Io(_) | StoreError::Crashed(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "InternalError")
                }
            };
            (status, code, e.to_string())
        }
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message><Resource>{}</Resource></Error>",
        xml_escape(&message),
        xml_escape(resource)
    );
    xml_response(status, xml)
}

fn xml_response(status: StatusCode, xml: String) -> Response<Body> {
    let mut response = Response::new(Body::from(xml));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn header(value: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(value)
        .map_err(|_| ApiError::BadRequest(format!("value {value:?} cannot be sent as a header")))
}

/// Adapts a hyper request body (a stream of `Bytes` chunks) to `AsyncRead`, holding at most
/// one chunk. `poll_data` is only called when the reader is asked for bytes, which is what
/// carries the store's pace back to the socket and, through TCP flow control, to the client.
struct BodyReader {
    body: Body,
    chunk: Bytes,
}

impl BodyReader {
    fn new(body: Body) -> Self {
        Self {
            body,
            chunk: Bytes::new(),
        }
    }
}

impl AsyncRead for BodyReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.chunk.is_empty() {
            match Pin::new(&mut this.body).poll_data(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(Ok(())), // end of body
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(io::Error::other(e))),
                Poll::Ready(Some(Ok(chunk))) => this.chunk = chunk,
            }
        }
        let n = this.chunk.len().min(buf.remaining());
        buf.put_slice(&this.chunk[..n]);
        this.chunk.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// Turns an `AsyncRead` into a stream of `Bytes` for a response body. hyper polls it only when
/// the connection can take more, so a slow client slows the file reads instead of filling RAM.
fn reader_stream<R>(reader: R) -> impl futures::Stream<Item = io::Result<Bytes>> + Send + 'static
where
    R: AsyncRead + Unpin + Send + 'static,
{
    futures::stream::try_unfold(reader, |mut reader| async move {
        let mut buf = vec![0u8; CHUNK_SIZE];
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), reader)))
    })
}

/// Decodes `%XX` escapes; `None` if an escape is malformed or the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes every byte but the unreserved characters and `/`, as S3 does for
/// `encoding-type=url`.
fn url_encode(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Splits a timestamp into UTC calendar fields (days-to-civil, proleptic Gregorian).
fn civil(t: SystemTime) -> (i64, u32, u32, u64, u64, u64, u64) {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 4).rem_euclid(7) as u64; // 1970-01-01 was a Thursday
    (
        year,
        month,
        day,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        weekday,
    )
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`, the format of `Last-Modified`.
fn http_date(t: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s, wd) = civil(t);
    format!(
        "{}, {d:02} {} {y} {h:02}:{mi:02}:{s:02} GMT",
        DAYS[wd as usize],
        MONTHS[mo as usize - 1]
    )
}

/// `1994-11-06T08:49:37Z`, the format of `LastModified` in listings.
fn iso8601(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, _) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(iso8601(t), "1994-11-06T08:49:37Z");
        assert_eq!(
            iso8601(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%2Fc").as_deref(), Some("a b/c"));
        assert_eq!(percent_decode("%C3%BC").as_deref(), Some("ü"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%2"), None);
    }
}
