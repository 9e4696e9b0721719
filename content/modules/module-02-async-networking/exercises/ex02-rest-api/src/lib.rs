//! A JSON REST API for notes, on hyper 0.14 with a hand-written router.
//!
//! | method and path      | success                     | errors                          |
//! |----------------------|-----------------------------|---------------------------------|
//! | `POST /notes`        | 201, `Location`, `ETag`     | 400, 413, 415, 422              |
//! | `GET /notes`         | 200, a page of notes        | 400                             |
//! | `GET /notes/{id}`    | 200 + `ETag`, or 304        | 404                             |
//! | `PUT /notes/{id}`    | 200 + `ETag`                | 400, 404, 409, 413, 415, 422    |
//! | `DELETE /notes/{id}` | 204                         | 400, 404, 412                   |
//!
//! Every error body is `{"error": {"code": ..., "message": ...}}`, plus `fields` on validation errors and
//! `current_version` on 409 and 412.

// The starter's `todo!()` bodies leave parameters and fields unused; delete this line when you are done.
#![allow(unused_variables, dead_code)]

pub mod api;
pub mod error;
pub mod model;
pub mod server;
pub mod store;

pub use api::handle;
pub use error::ApiError;
pub use model::{CreateNote, FieldError, Note, NoteDraft, UpdateNote};
pub use server::{serve, ServeError, ServerHandle};
pub use store::{JsonFileStore, ListQuery, MemoryStore, NoteStore, Page, StoreError};
