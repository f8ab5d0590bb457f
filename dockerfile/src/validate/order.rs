//! BuildKit builds the stages its target needs in file order, so a stage the
//! target needs may not copy or mount from a stage defined after it
//! (`dispatch` and `dispatchRunMounts` in `frontend/dockerfile/dockerfile2llb/
//! convert.go` and `convert_runmount.go`, since BuildKit 0.13: "Dockerfile
//! stages always needed to be in order").
//!
//! Which stages the target needs depends on the target (`--target`) and on
//! how `FROM` lines expand, so this runs on the lowered model rather than
//! the syntax tree.

use crate::model::{
    Dockerfile, ImageReference, ImageSource, Instruction, InstructionDetail, Stage,
};
use crate::parser::{ParseError, ParseErrorKind};

use super::refusal::Refusal;

/// Refuses a model whose target needs a stage that copies or mounts from a
/// stage defined after it.
pub fn check_stage_order(model: &Dockerfile) -> Result<(), ParseError> {
    let needed = needed_stages(model);
    for stage in &model.stages {
        if !needed.get(index(stage.index)).copied().unwrap_or(false) {
            continue;
        }
        for instruction in &stage.instructions {
            if let Some(refusal) = later_source(stage, instruction) {
                return Err(
                    refusal.at_lines(instruction.span.start_line, instruction.span.end_line)
                );
            }
        }
    }
    Ok(())
}

fn index(stage: u32) -> usize {
    usize::try_from(stage).unwrap_or(usize::MAX)
}

/// The stages a stage reads from: its base, `COPY --from` and `--mount from=`.
fn sources(stage: &Stage) -> impl Iterator<Item = &ImageReference> {
    std::iter::once(&stage.base).chain(stage.instructions.iter().flat_map(references))
}

fn references(instruction: &Instruction) -> Box<dyn Iterator<Item = &ImageReference> + '_> {
    match &instruction.detail {
        InstructionDetail::Copy(copy) => Box::new(copy.from.iter()),
        InstructionDetail::Run(run) => {
            Box::new(run.mounts.iter().filter_map(|mount| mount.from.as_ref()))
        }
        _ => Box::new(std::iter::empty()),
    }
}

/// BuildKit's `allReachableStages` from the target.
fn needed_stages(model: &Dockerfile) -> Vec<bool> {
    let mut needed = vec![false; model.stages.len()];
    let mut pending = vec![index(model.target_stage)];
    while let Some(current) = pending.pop() {
        let Some(stage) = model.stages.get(current) else {
            continue;
        };
        if needed.get(current).copied().unwrap_or(true) {
            continue;
        }
        needed[current] = true;
        for reference in sources(stage) {
            if let ImageSource::Stage(source) = reference.source {
                pending.push(index(source));
            }
        }
    }
    needed
}

fn later_source(stage: &Stage, instruction: &Instruction) -> Option<Refusal> {
    let later = |reference: &&ImageReference| matches!(reference.source, ImageSource::Stage(source) if source > stage.index);
    let stage_name = stage.name.as_ref().map_or_else(
        || format!("stage-{}", stage.index),
        |name| name.to_lowercase(),
    );
    match &instruction.detail {
        InstructionDetail::Copy(copy) => copy.from.as_ref().filter(later).map(|from| {
            Refusal::new(
                ParseErrorKind::LaterStage,
                format!(
                    "`COPY --from={}` copies from a stage defined after this one; BuildKit builds stages in file order, so move that stage above",
                    from.written
                ),
                format!(
                    "cannot copy from stage \"{}\", it needs to be defined before current stage \"{stage_name}\"",
                    from.written
                ),
            )
        }),
        InstructionDetail::Run(run) => run.mounts.iter().find_map(|mount| {
            let from = mount.from.as_ref().filter(later)?;
            Some(Refusal::new(
                ParseErrorKind::LaterStage,
                format!(
                    "`--mount=from={}` mounts a stage defined after this one; BuildKit builds stages in file order, so move that stage above",
                    from.written
                ),
                format!(
                    "cannot mount from stage \"{}\" to \"{}\", stage needs to be defined before current command",
                    from.written,
                    mount.target.as_deref().unwrap_or_default()
                ),
            ))
        }),
        _ => None,
    }
}
