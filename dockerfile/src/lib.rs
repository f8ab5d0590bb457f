//! Reads Dockerfiles the way BuildKit does, and lowers them into the typed
//! model that policies see.
//!
//! The crate is split by stage of reading:
//! - [`ast`]: BuildKit's syntax tree (what `AST.Dump()` prints);
//! - [`parser`]: text to [`ast::Ast`], byte for byte as BuildKit;

pub mod ast;
pub mod mount;
pub mod shell;
