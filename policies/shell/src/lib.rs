//! The `shell` built-in policy: ShellCheck-class diagnostics on the script
//! of every shell-form `RUN` (heredocs included), in the dialect of the
//! stage's `SHELL` (`sh` by default, `bash`, `dash`, `ash`, `ksh`).
//! Stages whose shell is PowerShell or `cmd`, and Windows stages without a
//! POSIX `SHELL`, are not checked.
//!
//! The analysis is [shuck-linter](https://github.com/ewhauser/shuck), a
//! clean-room Rust reimplementation of ShellCheck's checks, compiled into
//! the policy. Rule ids are ShellCheck's codes (`SC2086`), so
//! `# tallyman ignore=SC2086` reads as users already write it; [`rules`]
//! is generated from shuck's metadata, one module per code.
//!
//! - [`dialect`]: which shell runs a `RUN`;
//! - [`script`]: the text the shell runs and the file line of each byte;
//! - [`environment`]: the variables the build defines before the script;
//! - [`lint`]: the linter run and its diagnostics as findings.

pub mod dialect;
pub mod environment;
pub mod lint;
pub mod rules;
pub mod script;

use tallyman_sdk::{Dockerfile, Finding, NoSettings, Policy, PolicyMeta};

use crate::lint::Context;
use crate::script::Script;

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Shell;

impl Policy for Shell {
    type Settings = NoSettings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "shell",
            version: env!("CARGO_PKG_VERSION"),
            description: "Shell: ShellCheck's checks on every RUN script, in the stage's shell",
            rules: rules::ALL,
        }
    }

    fn check_dockerfile(dockerfile: &Dockerfile, _: &NoSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (stage, instruction) in dockerfile.instructions() {
            let Some(run) = instruction.as_run() else {
                continue;
            };
            let Some(script) = Script::of(instruction, &run.command) else {
                continue;
            };
            let shell = dialect::of_script(&script.text)
                .or_else(|| dialect::of_run(dockerfile, stage, instruction.span.start_line));
            let Some((dialect, shell)) = shell else {
                continue;
            };
            let defined = environment::defined_for(dockerfile, stage, instruction);
            let context = Context {
                dialect,
                shell: &shell,
                defined: &defined,
            };
            findings.extend(lint::findings(
                lint::lint(&script, &context),
                stage,
                instruction,
            ));
        }
        findings
    }
}

tallyman_sdk::export_policy!(Shell);
