//! Which variables an instruction can see, the way BuildKit's converter
//! builds a stage's environment: the `ENV`s and `ARG`s of the stage so far,
//! and everything the stages it is built on (`FROM <stage>`) defined. The
//! `ARG`s before the first `FROM` are not in it: a stage sees a global
//! `ARG` only after declaring it again.

use std::collections::BTreeSet;

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{Instruction, InstructionDetail, Stage};

/// The `ARG`s BuildKit defines in the global scope by itself: usable in
/// `FROM`, and in a stage once declared with a bare `ARG TARGETARCH`.
pub const AUTOMATIC_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Names BuildKit never reports (`nonEnvArgs` in `convert.go`).
pub const NEVER_REPORTED: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// The names an instruction defines for the ones after it.
pub fn defined_by(instruction: &Instruction) -> Vec<&str> {
    match &instruction.detail {
        InstructionDetail::Env(assignments) => assignments
            .iter()
            .map(|assignment| assignment.key.as_str())
            .collect(),
        InstructionDetail::Arg(declarations) => declarations
            .iter()
            .map(|declaration| declaration.name.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

/// What every stage `stage` is built on defines (all of their instructions).
pub fn inherited<'a>(dockerfile: &'a Dockerfile, stage: &'a Stage) -> BTreeSet<&'a str> {
    dockerfile
        .ancestry(stage)
        .into_iter()
        .skip(1)
        .flat_map(|ancestor| ancestor.instructions.iter())
        .flat_map(defined_by)
        .collect()
}

/// The names the global `ARG`s (before the first `FROM`) declare.
pub fn global_args(dockerfile: &Dockerfile) -> BTreeSet<&str> {
    dockerfile.global_args.iter().flat_map(defined_by).collect()
}

/// Where in `stage`, after `line`, an `ARG` or `ENV` defines `name`.
pub fn defined_later(stage: &Stage, line: u32, name: &str) -> Option<u32> {
    stage
        .instructions
        .iter()
        .filter(|instruction| instruction.line() > line)
        .find(|instruction| defined_by(instruction).contains(&name))
        .map(Instruction::line)
}
