//! Which stages a reference names and which stages a build needs, the way
//! BuildKit decides it.
//!
//! The model resolves `COPY --from` and `--mount from=` against the stages
//! defined *before* the instruction, so a forward reference
//! (`COPY --from=later` with `later` defined further down) arrives as an
//! image named `later`. BuildKit looks the name up among *all* stages, and
//! so does this module. A `FROM` or `RUN --mount=from=` written with
//! variables (`FROM base-${TARGETARCH}`) may name any stage its shape
//! matches, depending on the build arguments, which BuildKit expands there:
//! such stages count as possibly needed, so that no rule calls them dead.
//! BuildKit does not expand variables in `COPY --from`/`ADD --from`: such a
//! reference names a stage or image literally (and the parser refuses a
//! file that writes one), so it is never matched by shape.

use tallyman_sdk::image::glob_match;
use tallyman_sdk::model::{ImageReference, ImageSource, Instruction, Stage};
use tallyman_sdk::{Dockerfile, vars};

/// What a `COPY --from` or `--mount from=` reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A stage of this file, by index: earlier, later, or the same stage.
    Stage(u32),
    /// A number that is not the index of any stage (`--from=7`).
    MissingIndex(u32),
    /// An image, `scratch`, the build context, or a reference that could
    /// not be resolved.
    External,
}

/// How one stage uses another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// `FROM <stage>`.
    Base,
    /// `COPY --from=<stage>` / `ADD --from=<stage>`.
    Copy,
    /// `RUN --mount=from=<stage>`.
    Mount,
}

/// One use of a stage by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dependency {
    /// The stage used.
    pub stage: u32,
    pub how: Use,
    /// The line of the instruction that makes the use.
    pub line: u32,
    /// Whether the reference certainly names this stage, or only may,
    /// depending on build arguments.
    pub certain: bool,
}

/// What a `COPY --from` or `--mount from=` reference names, looking at
/// every stage of the file as BuildKit does.
pub fn copy_source(dockerfile: &Dockerfile, reference: &ImageReference) -> Source {
    match &reference.source {
        ImageSource::Stage(index) => Source::Stage(*index),
        ImageSource::Scratch => Source::External,
        ImageSource::Image(_) | ImageSource::Unresolved(_) => {
            let name = reference.expanded.as_str();
            if let Ok(index) = name.parse::<u32>() {
                return match dockerfile.stage(index) {
                    Some(stage) => Source::Stage(stage.index),
                    None => Source::MissingIndex(index),
                };
            }
            match dockerfile.stage_named(name) {
                Some(stage) => Source::Stage(stage.index),
                None => Source::External,
            }
        }
    }
}

/// The `COPY --from`, `ADD --from` and `RUN --mount from=` references of
/// an instruction (not its `FROM` base).
pub fn source_references(instruction: &Instruction) -> Vec<&ImageReference> {
    if instruction.is("FROM") {
        Vec::new()
    } else {
        instruction.image_references()
    }
}

/// The stages a reference written with variables may name, given the
/// candidates: every stage whose name matches the reference with each
/// variable read as `*`. Empty for a reference without variables.
fn stages_matching_shape<'a>(
    written: &str,
    candidates: impl Iterator<Item = &'a Stage>,
) -> Vec<u32> {
    if vars::referenced_variables(written).is_empty() {
        return Vec::new();
    }
    let shape = variable_shape(written).to_ascii_lowercase();
    candidates
        .filter(|stage| {
            stage
                .name
                .as_deref()
                .is_some_and(|name| glob_match(&shape, &name.to_ascii_lowercase()))
        })
        .map(|stage| stage.index)
        .collect()
}

/// `text` with every variable reference (`$NAME`, `${NAME}`,
/// `${NAME:-default}`) replaced by `*`.
pub fn variable_shape(text: &str) -> String {
    let mut shape = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    shape.push(escaped);
                }
            }
            '$' => match chars.peek().map(|&(_, next)| next) {
                Some('{') => {
                    let mut depth = 0usize;
                    for (_, inner) in chars.by_ref() {
                        match inner {
                            '{' => depth += 1,
                            '}' => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    shape.push('*');
                }
                Some(next) if next == '_' || next.is_ascii_alphabetic() => {
                    while chars
                        .peek()
                        .is_some_and(|&(_, c)| c == '_' || c.is_ascii_alphanumeric())
                    {
                        chars.next();
                    }
                    shape.push('*');
                }
                _ => shape.push('$'),
            },
            _ => shape.push(c),
        }
    }
    shape
}

/// Every stage `stage` uses, certainly or possibly, never itself.
pub fn dependencies(dockerfile: &Dockerfile, stage: &Stage) -> Vec<Dependency> {
    let mut uses = Vec::new();
    let from_line = stage
        .from_instruction()
        .map_or(stage.span.start_line, Instruction::line);
    // A base can only be an earlier stage.
    if let Some(index) = stage.base.stage_index() {
        uses.push(Dependency {
            stage: index,
            how: Use::Base,
            line: from_line,
            certain: true,
        });
    }
    let earlier = dockerfile.stages.iter().filter(|s| s.index < stage.index);
    for index in stages_matching_shape(&stage.base.written, earlier) {
        uses.push(Dependency {
            stage: index,
            how: Use::Base,
            line: from_line,
            certain: false,
        });
    }
    for instruction in &stage.instructions {
        let how = if instruction.is("RUN") {
            Use::Mount
        } else {
            Use::Copy
        };
        for reference in source_references(instruction) {
            if let Source::Stage(index) = copy_source(dockerfile, reference) {
                uses.push(Dependency {
                    stage: index,
                    how,
                    line: instruction.line(),
                    certain: true,
                });
            }
            if how == Use::Copy {
                continue;
            }
            for index in stages_matching_shape(&reference.written, dockerfile.stages.iter()) {
                uses.push(Dependency {
                    stage: index,
                    how,
                    line: instruction.line(),
                    certain: false,
                });
            }
        }
    }
    uses.retain(|dependency| dependency.stage != stage.index);
    uses
}

/// The indexes of the stages building `stage` needs or may need, `stage`
/// included, sorted.
pub fn needed_by(dockerfile: &Dockerfile, stage: &Stage) -> Vec<u32> {
    let mut needed = vec![stage.index];
    let mut pending = vec![stage];
    while let Some(current) = pending.pop() {
        for dependency in dependencies(dockerfile, current) {
            if needed.contains(&dependency.stage) {
                continue;
            }
            needed.push(dependency.stage);
            if let Some(next) = dockerfile.stage(dependency.stage) {
                pending.push(next);
            }
        }
    }
    needed.sort_unstable();
    needed
}

/// The build uses more than one stage: the final stage needs another.
pub fn is_multi_stage_build(dockerfile: &Dockerfile, final_stage: &Stage) -> bool {
    needed_by(dockerfile, final_stage).len() > 1
}

/// The build is split into building and shipping: the final stage, or a
/// stage it is built on, copies or mounts files from a stage outside that
/// chain. A chain of `FROM <stage>` alone is one image built in steps: its
/// final base is its first base, with no other to choose.
pub fn ships_artifacts_of_other_stages(dockerfile: &Dockerfile, final_stage: &Stage) -> bool {
    let chain = dockerfile.ancestry(final_stage);
    let in_chain = |index: u32| chain.iter().any(|stage| stage.index == index);
    chain.iter().any(|stage| {
        dependencies(dockerfile, stage)
            .iter()
            .any(|dependency| dependency.how != Use::Base && !in_chain(dependency.stage))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_replace_each_variable_with_a_star() {
        assert_eq!(variable_shape("base-${TARGETARCH}"), "base-*");
        assert_eq!(variable_shape("$A-$B_C.x"), "*-*.x");
        assert_eq!(variable_shape("${A:-${B}}-z"), "*-z");
        assert_eq!(variable_shape("plain"), "plain");
        assert_eq!(variable_shape("cost\\$5"), "cost$5");
        assert_eq!(variable_shape("$1"), "$1");
        assert_eq!(variable_shape("${unclosed"), "*");
    }
}
