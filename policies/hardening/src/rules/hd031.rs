use tallyman_sdk::model::{Flag, Instruction};
use tallyman_sdk::{Dockerfile, Finding};

use crate::scope::{is_windows, shipping_stages};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `RUN` of a single command that directly follows another
    /// such `RUN`, in the stages that ship: the final stage and the stages
    /// it is built on. Each `RUN` that could join the one before it is
    /// reported, where hadolint reports it, so that its `# hadolint
    /// ignore=DL3059` pragmas apply. Comments between them do not
    /// separate them; any other instruction does.
    ///
    /// Not flagged, because merging is not what the author wants or can do:
    /// - `RUN`s with different flags (`--mount`, `--network`,
    ///   `--security`): a secret or cache mount is deliberately scoped to
    ///   its own `RUN`, and two different mounts cannot share one;
    /// - a `RUN` that chains commands (`&&`, `;`, a pipe) or is a heredoc
    ///   script: its author already groups commands, so the split is
    ///   chosen (hadolint's reasoning for DL3059 too);
    /// - Windows stages, whose PowerShell or `cmd` scripts the shell parser
    ///   cannot count commands of;
    /// - builder stages, whose layers never ship: there separate `RUN`s
    ///   give finer build caching, which is what they are for (hadolint
    ///   issue #1056 asks for exactly this).
    ///
    /// KICS's "Multiple RUN, ADD, COPY, Instructions Listed" also asks to
    /// merge `COPY`s and `ADD`s to one destination: HD041 does that, for
    /// copies in a row only (a separate `COPY` of dependency manifests
    /// before an install step is what keeps that step cached).
    ///
    /// ## Why is this bad?
    /// Every `RUN` adds a layer to the image. Files a later layer deletes
    /// still ship in the earlier one, and each layer costs a download and
    /// an unpack. Short steps in a row are usually one step written as
    /// several.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl
    /// ```
    pub const HD031 = {
        id: "HD031",
        title: "Consecutive RUN instructions in a shipping stage",
        severity: Info,
        tags: ["size"],
        equivalents: ["hadolint:DL3059", "kics:0008c003-79aa-42d8-95b8-1c2fe37dbfe6"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        if is_windows(dockerfile, stage) {
            continue;
        }
        let mut previous: Option<&Instruction> = None;
        for instruction in &stage.instructions {
            if !is_single_command_run(instruction) {
                previous = None;
                continue;
            }
            if let Some(before) = previous
                && same_flags(&before.flags, &instruction.flags)
            {
                findings.push(
                    Finding::at(&HD031, (stage, instruction))
                        .message(format!(
                            "this `RUN` and the one before it (line {}) each run a single \
                             command, and each makes a layer of the image",
                            before.line()
                        ))
                        .fix("join them into one `RUN`, the commands chained with `&&`"),
                );
            }
            previous = Some(instruction);
        }
    }
}

/// A `RUN` of a single command, not a heredoc script, that the shell
/// parser could read.
fn is_single_command_run(instruction: &Instruction) -> bool {
    let Some(run) = instruction.as_run() else {
        return false;
    };
    if !instruction.heredocs.is_empty() || run.command.shell_error.is_some() {
        return false;
    }
    let commands = run
        .command
        .commands
        .iter()
        .filter(|command| command.shell_depth == 0 && !command.in_substitution)
        .count();
    commands == 1
}

/// The same flags, in any order and case.
fn same_flags(left: &[Flag], right: &[Flag]) -> bool {
    let normalized = |flags: &[Flag]| {
        let mut pairs: Vec<(String, Option<String>)> = flags
            .iter()
            .map(|flag| (flag.name.to_ascii_lowercase(), flag.value.clone()))
            .collect();
        pairs.sort();
        pairs
    };
    normalized(left) == normalized(right)
}
