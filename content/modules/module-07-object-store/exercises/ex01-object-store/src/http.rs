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
//! See the exercise README for status codes, headers and the XML bodies.

use std::net::TcpListener;

use hyper::{Body, Request, Response};

use crate::Store;

/// Serves the API for `store` on an already-bound listener until the server fails. Spawn it;
/// dropping the future stops the server and closes the listener.
pub async fn serve(store: Store, listener: TcpListener) -> Result<(), hyper::Error> {
    todo!("serve on {:?}", listener.local_addr())
}

/// Handles one request. Never fails: every error becomes an S3-style XML error response.
pub async fn handle(store: Store, req: Request<Body>) -> Response<Body> {
    todo!("{} {}", req.method(), req.uri())
}
