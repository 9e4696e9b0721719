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
        todo!("milestone 4")
    }
}

/// Inline rendering, on one line.
impl fmt::Display for TsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!("milestone 4")
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
        todo!("milestone 4")
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
        todo!("milestone 4")
    }
}

/// A Rust type with a TypeScript declaration that describes its JSON exactly.
pub trait TypeScript {
    /// The TypeScript name.
    const NAME: &'static str;

    /// The declaration; its `name` is [`Self::NAME`].
    fn declaration() -> Declaration;
}

impl TypeScript for BookingId {
    const NAME: &'static str = "BookingId";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for Timestamp {
    const NAME: &'static str = "Timestamp";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for NewBooking {
    const NAME: &'static str = "NewBooking";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for BookingStatus {
    const NAME: &'static str = "BookingStatus";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for Booking {
    const NAME: &'static str = "Booking";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for CancelBooking {
    const NAME: &'static str = "CancelBooking";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for BookingEvent {
    const NAME: &'static str = "BookingEvent";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for ErrorCode {
    const NAME: &'static str = "ErrorCode";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for FieldError {
    const NAME: &'static str = "FieldError";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

impl TypeScript for ApiError {
    const NAME: &'static str = "ApiError";
    fn declaration() -> Declaration {
        todo!("milestone 4")
    }
}

/// The contract's declarations, each after the ones it refers to.
pub fn declarations() -> Vec<Declaration> {
    todo!("milestone 4")
}

/// The first line of the generated file.
pub const HEADER: &str =
    "// Generated from the Rust types of ex01-typescript-service: do not edit.\n";

/// The whole `.d.ts`: [`HEADER`], then each of [`declarations`] rendered, each preceded by a blank
/// line.
pub fn typescript_declarations() -> String {
    todo!("milestone 4")
}
