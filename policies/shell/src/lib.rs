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
//! - [`lint`]: the linter run and its diagnostics as findings;
//! - [`memo`]: the linter's answers on sources already seen;
//! - [`gaps`]: a frequent ShellCheck code shuck does not implement.

pub mod dialect;
pub mod environment;
pub mod gaps;
pub mod lint;
pub mod memo;
pub mod rules;
pub mod script;

use shuck_linter::ShellDialect;
use tallyman_sdk::model::{Instruction, Stage};
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
        runs(dockerfile)
            .into_iter()
            .flat_map(|run| {
                let mut diagnostics = lint::lint(&run.script, &run.context());
                diagnostics.extend(
                    run.instruction
                        .as_run()
                        .map(gaps::check)
                        .unwrap_or_default(),
                );
                lint::findings(diagnostics, run.stage, run.instruction)
            })
            .collect()
    }
}

/// A shell-form `RUN` this policy lints, with what the linter is told.
pub struct LintedRun<'a> {
    pub stage: &'a Stage,
    pub instruction: &'a Instruction,
    pub script: Script,
    pub dialect: ShellDialect,
    /// The shell's program, for the shebang (`/bin/sh`).
    pub shell: String,
    /// The variables defined before the script runs.
    pub defined: Vec<String>,
}

impl LintedRun<'_> {
    pub fn context(&self) -> Context<'_> {
        Context {
            dialect: self.dialect,
            shell: &self.shell,
            defined: &self.defined,
        }
    }
}

/// Every `RUN` whose script is shell in a POSIX-family shell.
pub fn runs(dockerfile: &Dockerfile) -> Vec<LintedRun<'_>> {
    dockerfile
        .instructions()
        .filter_map(|(stage, instruction)| {
            let run = instruction.as_run()?;
            let script = Script::of(instruction, &run.command)?;
            let (dialect, shell) = dialect::of_script(&script.text)
                .or_else(|| dialect::of_run(dockerfile, stage, instruction.span.start_line))?;
            let defined = environment::defined_for(dockerfile, stage, instruction);
            Some(LintedRun {
                stage,
                instruction,
                script,
                dialect,
                shell,
                defined,
            })
        })
        .collect()
}

tallyman_sdk::export_policy!(Shell);
