//! Reads Dockerfiles the way BuildKit does, and lowers them into the typed
//! model that policies see.
//!
//! The crate is split by stage of reading:
//! - [`ast`]: BuildKit's syntax tree (what `AST.Dump()` prints);
//! - [`expand`]: BuildKit's shell lexer, for variable expansion;
//! - [`imageref`]: image references with Docker's normalisation;
//! - [`model`]: the typed model, a mirror of `wit/policy.wit`.

pub mod ast;
pub mod expand;
pub mod imageref;
pub mod model;
