//! Reads Dockerfiles the way BuildKit does, and lowers them into the typed
//! model that policies see.
//!
//! The crate is split by stage of reading:
//! - [`ast`]: BuildKit's syntax tree (what `AST.Dump()` prints);
//! - [`model`]: the typed model, a mirror of `wit/policy.wit`.

pub mod ast;
pub mod model;
