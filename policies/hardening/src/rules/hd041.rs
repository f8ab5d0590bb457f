use tallyman_sdk::model::{CopyInstruction, Instruction};
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `COPY` (or `ADD`) that comes right after another of the same
    /// kind, with the same flags (`--from`, `--chown`, `--chmod`, `--link`,
    /// `--parents`, `--exclude`) and the same directory destination (ending
    /// in `/`, or `.`): the two could be one instruction.
    ///
    /// Two copies into one directory with an instruction between them are
    /// left alone: the usual `COPY package.json ./`, `RUN npm ci`, `COPY . ./`
    /// split exists so that a change to the sources does not redo the
    /// install. So are copies with different flags, which one instruction
    /// cannot express, destinations that name a file, and wildcard sources
    /// (`COPY tnsnames.or[a] ./` is the idiom for a file that may not
    /// exist, which a merged instruction would change).
    ///
    /// ## Why is this bad?
    /// Each `COPY` is a layer and a cache step of its own. Two in a row into
    /// one directory give nothing that one would not: a change to either
    /// source invalidates everything after both anyway.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json ./
    /// COPY package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    pub const HD041 = {
        id: "HD041",
        title: "Consecutive COPY or ADD into the same directory",
        severity: Info,
        tags: ["style"],
        equivalents: ["kics:0008c003-79aa-42d8-95b8-1c2fe37dbfe6"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        for pair in stage.instructions.windows(2) {
            let [first, second] = pair else {
                continue;
            };
            if !mergeable(first, second) {
                continue;
            }
            let Some(copy) = second.as_copy_or_add() else {
                continue;
            };
            let keyword = second.keyword.to_ascii_uppercase();
            findings.push(
                Finding::at(&HD041, (stage, second))
                    .message(format!(
                        "`{keyword}` into `{}` right after the same on line {}: one instruction \
                         does both",
                        copy.destination,
                        first.line()
                    ))
                    .fix(format!(
                        "add `{}` to the sources of the `{keyword}` on line {} and drop this one",
                        copy.sources.join(" "),
                        first.line()
                    )),
            );
        }
    }
}

fn mergeable(first: &Instruction, second: &Instruction) -> bool {
    let same_kind = (first.as_copy().is_some() && second.as_copy().is_some())
        || (first.as_add().is_some() && second.as_add().is_some());
    let (Some(a), Some(b)) = (first.as_copy_or_add(), second.as_copy_or_add()) else {
        return false;
    };
    same_kind
        && same_flags(a, b)
        && a.destination == b.destination
        && is_directory(&a.destination)
        && !has_heredoc(first)
        && !has_heredoc(second)
        && !has_pattern(a)
        && !has_pattern(b)
}

/// A wildcard source may match nothing, which one `COPY` of its own
/// allows: `COPY tnsnames.or[a] ./` copies the file only if it exists.
/// Merged with another source, the pair means something else.
fn has_pattern(copy: &CopyInstruction) -> bool {
    copy.sources
        .iter()
        .any(|source| source.contains(['*', '?', '[']))
}

fn same_flags(a: &CopyInstruction, b: &CopyInstruction) -> bool {
    a.from == b.from
        && a.chown == b.chown
        && a.chmod == b.chmod
        && a.link == b.link
        && a.checksum.is_none()
        && b.checksum.is_none()
        && a.parents == b.parents
        && a.exclude == b.exclude
}

fn is_directory(destination: &str) -> bool {
    destination.ends_with('/') || destination == "."
}

/// A heredoc source is written in place: merging would move its text.
fn has_heredoc(instruction: &Instruction) -> bool {
    !instruction.heredocs.is_empty()
}
