//! Reads Dockerfiles the way BuildKit does, and lowers them into the typed
//! model that policies see.
//!
//! The crate is split by stage of reading:
//! - [`parser`]: text to [`ast::Ast`], BuildKit's syntax tree, byte for byte as BuildKit;
//! - [`validate`]: what BuildKit's instruction parser and converter refuse in that tree;
//! - [`dump`] and [`commands`]: the tree printed as BuildKit's dump and as
//!   flat per-instruction records;
//! - [`expand`]: BuildKit's shell lexer, for variable expansion;
//! - [`imageref`]: image references with Docker's normalisation;
//! - [`shell`]: `RUN` scripts split into simple commands;
//! - [`mount`]: `RUN --mount=` values;
//! - [`model`]: the typed model, a mirror of `wit/policy.wit`.

pub mod ast;
pub mod commands;
pub mod dump;
pub mod edit;
pub mod expand;
pub mod imageref;
pub mod lower;
pub mod model;
pub mod mount;
pub mod parser;
pub mod shell;
pub mod validate;

pub use commands::{CommandRecord, HeredocRecord, commands};
pub use dump::dump;
pub use lower::{LowerOptions, lower};
pub use parser::{
    DEFAULT_MAX_SIZE, ParseError, ParseErrorKind, ParseOptions, parse, parse_str, parse_syntax,
};

/// Parses and lowers a Dockerfile as a scan does, refusing what BuildKit
/// refuses: [`parse()`], [`lower()`], then [`validate::check_stage_order`], which
/// needs the target that `lower_options` names.
pub fn parse_and_lower(
    source: &[u8],
    parse_options: &ParseOptions,
    lower_options: &LowerOptions,
) -> Result<model::Dockerfile, ParseError> {
    let ast = parse(source, parse_options)?;
    let model = lower(&ast, lower_options);
    validate::check_stage_order(&model)?;
    Ok(model)
}
