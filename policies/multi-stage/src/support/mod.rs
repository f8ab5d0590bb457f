//! Helpers the rules share. Candidates for the SDK (see the crate docs):
//! forward-aware stage resolution and reachability ([`graph`]), image
//! classification ([`images`]), what kind of image a file builds
//! ([`image_kind`], from what it runs: [`command`]), package installs and
//! removals ([`packages`]), variables and directories of a `RUN`
//! ([`script`]).

pub mod command;
pub mod graph;
pub mod image_kind;
pub mod images;
pub mod packages;
pub mod script;

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{CopyInstruction, ImageReference, Stage};

/// How a message quotes a reference: as written, with the value it expands
/// to when variables were involved (`` `$BASE` (`ubuntu`) ``).
pub fn quote(reference: &ImageReference) -> String {
    if reference.written == reference.expanded {
        format!("`{}`", reference.written)
    } else {
        format!("`{}` (`{}`)", reference.written, reference.expanded)
    }
}

/// `" (through `x`)"` when `stage` is built on the stage where the fact
/// was found rather than being it; empty otherwise.
pub fn through(stage: &Stage, found_in: &Stage) -> String {
    if stage.index == found_in.index {
        String::new()
    } else {
        format!(" (inherited from stage {})", found_in.label())
    }
}

/// A source of a `COPY`/`ADD` without `--from` that is the whole build
/// context: `.`, `./`, `/`, `*`, `./*`.
pub fn is_whole_context(source: &str) -> bool {
    let trimmed = source.trim_end_matches('/');
    matches!(trimmed, "" | "." | "*" | "./*" | "./." | "/." | "/*")
}

/// A source of a `COPY --from` that is the stage's whole filesystem.
pub fn is_whole_filesystem(source: &str) -> bool {
    matches!(
        source.trim_end_matches('/'),
        "" | "/." | "/*" | "." | "./" | "*" | "./*"
    )
}

/// The `COPY`/`ADD` copies from the build context (no `--from`) and some
/// source is the whole context.
pub fn copies_whole_context(copy: &CopyInstruction) -> bool {
    copy.from.is_none() && copy.sources.iter().any(|source| is_whole_context(source))
}

/// The build context's `.dockerignore` excludes everything and lists what
/// to let in (`*` then `!dist/`): copying `.` then copies only that.
pub fn context_is_allow_listed(dockerfile: &Dockerfile) -> bool {
    let patterns = &dockerfile.build_context.dockerignore_patterns;
    let Some(everything) = patterns
        .iter()
        .position(|pattern| matches!(pattern.trim(), "*" | "**" | "**/*" | "/*" | "./*"))
    else {
        return false;
    };
    patterns
        .iter()
        .skip(everything + 1)
        .any(|pattern| pattern.trim_start().starts_with('!'))
}

/// The stage, or a stage it is built on, sets `ENTRYPOINT` or `CMD`: the
/// image runs an application. Without either it is an export stage, a CI
/// step, a development environment or a base for other images.
pub fn runs_a_program(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    dockerfile.ancestry(stage).iter().any(|ancestor| {
        ancestor
            .instructions
            .iter()
            .any(|instruction| instruction.is("ENTRYPOINT") || instruction.is("CMD"))
    })
}
