use tallyman_sdk::model::{InstructionDetail, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::base_env::known_env;
use crate::settings::Settings;
use crate::words::{Quotes, references};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags an `ENV` that refers to a variable an earlier assignment of the
    /// same `ENV` sets: `ENV A=1 B=$A`. A variable referring to itself
    /// (`ENV PATH=/opt/bin:$PATH`) is fine, and so is a reference whose
    /// value before the statement is the one the statement sets. A reference
    /// to a variable the statement sets after it (`ENV B=$A A=1`) is flagged
    /// only when the variable has no value before (`ENV OLD_PATH=$PATH
    /// PATH=/opt/bin` keeps the old value on purpose); on a base image whose
    /// variables are not known, that case is left alone.
    ///
    /// ## Why is this bad?
    /// BuildKit expands every value of an `ENV` with the variables as they
    /// were before the statement: in `ENV A=1 B=$A`, `B` is empty (or the
    /// old value of `A`), not `1`. The image gets a value its author never
    /// wrote.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_HOME=/opt/app PATH=$APP_HOME/bin:$PATH
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ENV APP_HOME=/opt/app
    /// ENV PATH=$APP_HOME/bin:$PATH
    /// ```
    pub const CR002 = {
        id: "CR002",
        title: "ENV refers to a variable set in the same ENV",
        severity: Medium,
        tags: ["correctness"],
        equivalents: ["hadolint:DL3044"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    let escape = dockerfile.escape_char.chars().next().unwrap_or('\\');
    for (stage, instruction) in dockerfile.instructions() {
        let Some(assignments) = instruction.as_env() else {
            continue;
        };
        let base = known_env(dockerfile.root_base(stage));
        let mut reported: Vec<String> = Vec::new();
        for (index, assignment) in assignments.iter().enumerate() {
            for reference in references(&assignment.raw, escape, Quotes::Processed) {
                let name = reference.name.as_str();
                if reported.iter().any(|done| done == name) {
                    continue;
                }
                let earlier = assignments
                    .iter()
                    .take(index)
                    .rev()
                    .find(|earlier| earlier.key == name);
                let later = assignments
                    .iter()
                    .skip(index + 1)
                    .find(|later| later.key == name);
                let before = value_before(dockerfile, stage, instruction.line(), name);
                let base_sets_it = base
                    .as_ref()
                    .is_none_or(|known| known.names.contains(&name));
                let old = match (before, base_sets_it) {
                    (Some(Some(value)), _) => format!("its value before this `ENV` (`{value}`)"),
                    (Some(None), _) => "the value of the build argument".to_string(),
                    (None, true) => "the base image's value, if it sets one".to_string(),
                    (None, false) => "an empty string".to_string(),
                };
                let message = match (earlier, later) {
                    (Some(earlier), _) => {
                        if sets_itself(name, &earlier.raw)
                            || before == Some(Some(earlier.value.as_str()))
                        {
                            continue;
                        }
                        format!(
                            "`{}` uses `${name}`, set earlier in the same `ENV`: BuildKit expands it to {old}, not `{}`",
                            assignment.key, earlier.value
                        )
                    }
                    // `ENV OLD_PATH=$PATH PATH=/opt/bin` keeps the old value
                    // on purpose; only a variable with no old value at all
                    // is a mistake.
                    (None, Some(_)) if before.is_none() && !base_sets_it => format!(
                        "`{}` uses `${name}`, which this `ENV` sets only after it: BuildKit expands it to an empty string",
                        assignment.key
                    ),
                    _ => continue,
                };
                reported.push(name.to_string());
                findings.push(
                    Finding::at(&CR002, (stage, instruction))
                        .message(message)
                        .fix(format!(
                            "set `{name}` in an `ENV` of its own, before the one that uses it"
                        )),
                );
            }
        }
    }
}

/// `NAME=$NAME` (quoted or braced): the assignment keeps the value it had.
fn sets_itself(name: &str, raw: &str) -> bool {
    let unquoted = raw.trim_matches('"');
    unquoted == format!("${name}") || unquoted == format!("${{{name}}}")
}

/// The value `name` has before `line` of `stage`, from the last `ENV` or
/// `ARG` of the stage or the stages it is built on: `None` when nothing
/// defines it, `Some(None)` for an `ARG` without a default (the value of a
/// `--build-arg`).
fn value_before<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    line: u32,
    name: &str,
) -> Option<Option<&'a str>> {
    let mut chain = dockerfile.ancestry(stage);
    chain.reverse();
    let mut value = None;
    for ancestor in chain {
        let before = ancestor
            .instructions
            .iter()
            .filter(|instruction| ancestor.index != stage.index || instruction.line() < line);
        for instruction in before {
            match &instruction.detail {
                InstructionDetail::Env(assignments) => {
                    for assignment in assignments.iter().filter(|a| a.key == name) {
                        value = Some(Some(assignment.value.as_str()));
                    }
                }
                InstructionDetail::Arg(declarations) => {
                    for declaration in declarations.iter().filter(|d| d.name == name) {
                        value = Some(declaration.default.as_deref());
                    }
                }
                _ => {}
            }
        }
    }
    value
}
