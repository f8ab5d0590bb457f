//! Reads Dockerfiles the way BuildKit does, and lowers them into the typed
//! model that policies see.
//!
//! The crate is split by stage of reading:
//! - [`ast`]: BuildKit's syntax tree (what `AST.Dump()` prints);
//! - [`parser`]: text to [`ast::Ast`], byte for byte as BuildKit;
//! - [`dump`] and [`commands`]: the tree printed as BuildKit's dump and as
//!   flat per-instruction records.

pub mod ast;
pub mod commands;
pub mod dump;
pub mod parser;

pub use commands::{CommandRecord, HeredocRecord, commands};
pub use dump::dump;
pub use parser::{DEFAULT_MAX_SIZE, ParseError, ParseErrorKind, ParseOptions, parse, parse_str};
