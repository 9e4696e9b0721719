//! Milestone 4: TypeScript declarations generated from the Rust types, without a derive.
//!
//! A tiny model of the TypeScript the contract needs ([`TsType`], [`Field`], [`Declaration`]), a
//! [`TypeScript`] trait that each wire type implements next to its serde attributes, and a
//! renderer with one fixed layout, so the generated `.d.ts` can be compared byte for byte and
//! checked into the client's repository. `ts-rs` does the same with a derive that reads the serde
//! attributes; here the impls are hand-written, so a test pins them against the JSON that serde
//! actually produces.

use std::fmt;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::id::BookingId;
use crate::model::{Booking, BookingEvent, BookingStatus, CancelBooking, NewBooking};
use crate::time::Timestamp;

/// A TypeScript type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TsType {
    /// `string`
    String,
    /// `number`
    Number,
    /// `boolean`
    Boolean,
    /// A string literal type, written as a JSON string: `"confirmed"`.
    Literal(String),
    /// A declared type, by name: `Timestamp`.
    Named(String),
    /// `T[]`, or `(A | B)[]` when `T` is a union.
    Array(Box<TsType>),
    /// An object type, written inline as `{ a: T; b?: U }`, or `{}` when it has no fields.
    Object(Vec<Field>),
    /// `A | B | C`.
    Union(Vec<TsType>),
}

impl TsType {
    /// A reference to the declared type `T`.
    pub fn named<T: TypeScript>() -> TsType {
        TsType::Named(T::NAME.to_owned())
    }

    /// `T[]`.
    pub fn array(item: TsType) -> TsType {
        TsType::Array(Box::new(item))
    }

    /// A string literal type.
    pub fn literal(s: &str) -> TsType {
        TsType::Literal(s.to_owned())
    }

    /// Every name this type refers to, in order of appearance, with repeats.
    pub fn references(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.collect_references(&mut names);
        names
    }

    fn collect_references<'a>(&'a self, names: &mut Vec<&'a str>) {
        match self {
            TsType::Named(name) => names.push(name),
            TsType::Array(item) => item.collect_references(names),
            TsType::Object(fields) => {
                for field in fields {
                    field.ty.collect_references(names);
                }
            }
            TsType::Union(members) => {
                for member in members {
                    member.collect_references(names);
                }
            }
            TsType::String | TsType::Number | TsType::Boolean | TsType::Literal(_) => {}
        }
    }
}

/// Inline rendering, on one line.
impl fmt::Display for TsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TsType::String => f.write_str("string"),
            TsType::Number => f.write_str("number"),
            TsType::Boolean => f.write_str("boolean"),
            TsType::Literal(s) => {
                // A JSON string is a valid TypeScript string literal, escapes included.
                let quoted = serde_json::to_string(s).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
            TsType::Named(name) => f.write_str(name),
            TsType::Array(item) if matches!(**item, TsType::Union(_)) => write!(f, "({item})[]"),
            TsType::Array(item) => write!(f, "{item}[]"),
            TsType::Object(fields) if fields.is_empty() => f.write_str("{}"),
            TsType::Object(fields) => {
                f.write_str("{ ")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{field}")?;
                }
                f.write_str(" }")
            }
            TsType::Union(members) => {
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{member}")?;
                }
                Ok(())
            }
        }
    }
}

/// A property of an object type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The JSON name, as serde writes it.
    pub name: String,
    /// Its type.
    pub ty: TsType,
    /// `name?: T`: the property may be absent (never `null`).
    pub optional: bool,
}

impl Field {
    /// A required property.
    pub fn required(name: &str, ty: TsType) -> Field {
        Field {
            name: name.to_owned(),
            ty,
            optional: false,
        }
    }

    /// An optional property.
    pub fn optional(name: &str, ty: TsType) -> Field {
        Field {
            name: name.to_owned(),
            ty,
            optional: true,
        }
    }
}

/// `name: T` or `name?: T`.
impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.optional { "?" } else { "" };
        write!(f, "{}{mark}: {}", self.name, self.ty)
    }
}

/// One exported declaration of a `.d.ts` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The exported name.
    pub name: String,
    /// A one-line doc comment, written as `/** doc */` above the declaration.
    pub doc: Option<String>,
    /// What the name stands for.
    pub ty: TsType,
}

impl Declaration {
    /// The declaration as TypeScript, ending with a newline:
    ///
    /// - an object type is an `export interface`, one property per line, indented by two spaces
    ///   and ended by `;` (`export interface Name {}` when it has none);
    /// - a union with an object member is an `export type` with one `  | member` per line and a
    ///   `;` after the last;
    /// - anything else is `export type Name = T;` on one line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(doc) = &self.doc {
            out.push_str(&format!("/** {doc} */\n"));
        }
        let name = &self.name;
        match &self.ty {
            TsType::Object(fields) if fields.is_empty() => {
                out.push_str(&format!("export interface {name} {{}}\n"));
            }
            TsType::Object(fields) => {
                out.push_str(&format!("export interface {name} {{\n"));
                for field in fields {
                    out.push_str(&format!("  {field};\n"));
                }
                out.push_str("}\n");
            }
            TsType::Union(members) if members.iter().any(|m| matches!(m, TsType::Object(_))) => {
                out.push_str(&format!("export type {name} ="));
                for member in members {
                    out.push_str(&format!("\n  | {member}"));
                }
                out.push_str(";\n");
            }
            ty => out.push_str(&format!("export type {name} = {ty};\n")),
        }
        out
    }
}

/// A Rust type with a TypeScript declaration that describes its JSON exactly.
pub trait TypeScript {
    /// The TypeScript name.
    const NAME: &'static str;

    /// The declaration; its `name` is [`Self::NAME`].
    fn declaration() -> Declaration;
}

fn declare(name: &str, doc: &str, ty: TsType) -> Declaration {
    Declaration {
        name: name.to_owned(),
        doc: Some(doc.to_owned()),
        ty,
    }
}

impl TypeScript for BookingId {
    const NAME: &'static str = "BookingId";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "A u64 on the server; always a decimal string on the wire (JS numbers lose precision above 2^53).",
            TsType::String,
        )
    }
}

impl TypeScript for Timestamp {
    const NAME: &'static str = "Timestamp";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "RFC 3339 in UTC with milliseconds, exactly as Date.prototype.toISOString() prints it.",
            TsType::String,
        )
    }
}

impl TypeScript for NewBooking {
    const NAME: &'static str = "NewBooking";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "The body of POST /api/bookings; unknown properties are rejected.",
            TsType::Object(vec![
                Field::required("roomId", TsType::String),
                Field::required("title", TsType::String),
                Field::required("start", TsType::named::<Timestamp>()),
                Field::required("end", TsType::named::<Timestamp>()),
                Field::required("attendees", TsType::array(TsType::String)),
                Field::optional("note", TsType::String),
            ]),
        )
    }
}

impl TypeScript for BookingStatus {
    const NAME: &'static str = "BookingStatus";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "Confirmed, or cancelled with a reason and time: a union on `state`.",
            TsType::Union(vec![
                TsType::Object(vec![Field::required("state", TsType::literal("confirmed"))]),
                TsType::Object(vec![
                    Field::required("state", TsType::literal("cancelled")),
                    Field::required("reason", TsType::String),
                    Field::required("cancelledAt", TsType::named::<Timestamp>()),
                ]),
            ]),
        )
    }
}

impl TypeScript for Booking {
    const NAME: &'static str = "Booking";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "A stored booking, as every endpoint returns it.",
            TsType::Object(vec![
                Field::required("id", TsType::named::<BookingId>()),
                Field::required("roomId", TsType::String),
                Field::required("title", TsType::String),
                Field::required("start", TsType::named::<Timestamp>()),
                Field::required("end", TsType::named::<Timestamp>()),
                Field::required("attendees", TsType::array(TsType::String)),
                Field::optional("note", TsType::String),
                Field::required("status", TsType::named::<BookingStatus>()),
                Field::required("createdAt", TsType::named::<Timestamp>()),
            ]),
        )
    }
}

impl TypeScript for CancelBooking {
    const NAME: &'static str = "CancelBooking";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "The body of POST /api/bookings/{id}/cancel; unknown properties are rejected.",
            TsType::Object(vec![Field::required("reason", TsType::String)]),
        )
    }
}

impl TypeScript for BookingEvent {
    const NAME: &'static str = "BookingEvent";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "What happened to the schedule: a union on `type`.",
            TsType::Union(vec![
                TsType::Object(vec![
                    Field::required("type", TsType::literal("bookingCreated")),
                    Field::required("booking", TsType::named::<Booking>()),
                ]),
                TsType::Object(vec![
                    Field::required("type", TsType::literal("bookingCancelled")),
                    Field::required("bookingId", TsType::named::<BookingId>()),
                    Field::required("reason", TsType::String),
                    Field::required("at", TsType::named::<Timestamp>()),
                ]),
            ]),
        )
    }
}

impl TypeScript for ErrorCode {
    const NAME: &'static str = "ErrorCode";
    fn declaration() -> Declaration {
        let codes = [
            ErrorCode::BadRequest,
            ErrorCode::Validation,
            ErrorCode::NotFound,
            ErrorCode::Conflict,
            ErrorCode::MethodNotAllowed,
            ErrorCode::PayloadTooLarge,
            ErrorCode::Internal,
        ];
        // The literals come from serde itself, so a renamed variant cannot drift.
        let literals = codes
            .iter()
            .map(|code| match serde_json::to_value(code) {
                Ok(serde_json::Value::String(s)) => TsType::Literal(s),
                other => unreachable!("ErrorCode serializes as a string, not {other:?}"),
            })
            .collect();
        declare(
            Self::NAME,
            "The machine-readable kind of an ApiError; switch on it, never on the message.",
            TsType::Union(literals),
        )
    }
}

impl TypeScript for FieldError {
    const NAME: &'static str = "FieldError";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "One broken rule; field is a path in the client's names, e.g. \"attendees[2]\".",
            TsType::Object(vec![
                Field::required("field", TsType::String),
                Field::required("message", TsType::String),
            ]),
        )
    }
}

impl TypeScript for ApiError {
    const NAME: &'static str = "ApiError";
    fn declaration() -> Declaration {
        declare(
            Self::NAME,
            "The body of every error response.",
            TsType::Object(vec![
                Field::required("code", TsType::named::<ErrorCode>()),
                Field::required("message", TsType::String),
                Field::optional("fields", TsType::array(TsType::named::<FieldError>())),
            ]),
        )
    }
}

/// The contract's declarations, each after the ones it refers to.
pub fn declarations() -> Vec<Declaration> {
    vec![
        BookingId::declaration(),
        Timestamp::declaration(),
        NewBooking::declaration(),
        BookingStatus::declaration(),
        Booking::declaration(),
        CancelBooking::declaration(),
        BookingEvent::declaration(),
        ErrorCode::declaration(),
        FieldError::declaration(),
        ApiError::declaration(),
    ]
}

/// The first line of the generated file.
pub const HEADER: &str =
    "// Generated from the Rust types of ex01-typescript-service: do not edit.\n";

/// The whole `.d.ts`: [`HEADER`], then each of [`declarations`] rendered, each preceded by a blank
/// line.
pub fn typescript_declarations() -> String {
    let mut out = HEADER.to_owned();
    for declaration in declarations() {
        out.push('\n');
        out.push_str(&declaration.render());
    }
    out
}
