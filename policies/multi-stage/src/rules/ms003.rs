use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::graph::{self, Source};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `COPY --from=<number>` and `RUN --mount=from=<number>` that
    /// name a stage by its position instead of its name. (`ADD` has no
    /// `--from`; BuildKit, and tallyman, refuse a file that gives it one.)
    ///
    /// ## Why is this bad?
    /// Stage indexes change meaning when a stage is added, removed or moved:
    /// `--from=0` silently starts copying from a different stage, and the
    /// build may still succeed with the wrong files. A name says what the
    /// stage is for and keeps pointing at it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=0 /app /app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=build /app /app
    /// ```
    pub const MS003 = {
        id: "MS003",
        title: "Stage referred to by index instead of by name",
        severity: Low,
        tags: ["maintainability"],
        equivalents: ["kics:68a51e22-ae5a-4d48-8e87-b01a323605c9"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        for reference in graph::source_references(instruction) {
            if reference.expanded.parse::<u32>().is_err() {
                continue;
            }
            // An index that names no stage or this stage is refused by the
            // parser, as BuildKit refuses it; a later one is MS004's: a name
            // would not make it right.
            let Source::Stage(index) = graph::copy_source(dockerfile, reference) else {
                continue;
            };
            if index >= stage.index {
                continue;
            }
            let Some(used) = dockerfile.stage(index) else {
                continue;
            };
            let prefix = if instruction.is("RUN") {
                "--mount=from="
            } else {
                "--from="
            };
            let flag = format!("{prefix}{}", reference.written);
            let (message, fix) = match &used.name {
                Some(name) => (
                    format!("`{flag}` refers to stage `{name}` by its index {index}"),
                    format!("use the stage's name: `{prefix}{name}`"),
                ),
                None => {
                    let base = &used.base.written;
                    (
                        format!(
                            "`{flag}` refers to the unnamed stage {index} (`FROM {base}`) by its index"
                        ),
                        format!(
                            "name the stage (`FROM {base} AS build`, line {}) and use `{prefix}build`",
                            used.span.start_line
                        ),
                    )
                }
            };
            findings.push(
                Finding::at(&MS003, (stage, instruction))
                    .message(message)
                    .fix(fix),
            );
        }
    }
}
