use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{program, quoted};
use crate::scope::{instructions_before, is_windows};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `wget` run without an option that quiets its progress
    /// output: `-q`/`--quiet`, `-nv`/`--no-verbose`, `--progress=…`, or a
    /// log file (`-o`/`--output-file`, `-a`/`--append-output`). A `wget`
    /// whose standard error is redirected (`2>/dev/null`, `&>`) is not
    /// flagged either.
    ///
    /// BusyBox `wget` (`busybox wget`, or plain `wget` in an Alpine or
    /// BusyBox stage that has not installed GNU wget) is not flagged: it
    /// prints at most one status line a second, not one line per 50 KB
    /// (hadolint flags it too). Windows stages are skipped (`wget` is a
    /// PowerShell alias there).
    ///
    /// ## Why is this bad?
    /// Without a terminal, GNU wget falls back to its "dot" progress: a line
    /// of dots for every 50 KB downloaded. A 100 MB download writes about
    /// 2,000 lines into the build log, which buries the output that matters
    /// and can hit CI log limits. `--progress=dot:giga` keeps a progress
    /// report at one line per 32 MB; `-nv` keeps only the summary.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget https://example.com/tool.tar.gz
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN wget --progress=dot:giga https://example.com/tool.tar.gz
    /// ```
    pub const HD023 = {
        id: "HD023",
        title: "wget without a progress option",
        severity: Info,
        tags: ["style"],
        equivalents: ["hadolint:DL3047"],
    };
}

/// Options that quiet or redirect wget's progress output.
const QUIET: &[&str] = &[
    "-q",
    "--quiet",
    "-nv",
    "--no-verbose",
    "--progress",
    "-o",
    "--output-file",
    "-a",
    "--append-output",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        for command in instruction.run_commands() {
            let wget = program(command);
            if !wget.is("wget") || wget.has_flag(QUIET) || stderr_redirected(command) {
                continue;
            }
            if command.name.rsplit('/').next() == Some("busybox")
                || is_windows(dockerfile, stage)
                || has_busybox_wget(dockerfile, stage, instruction)
            {
                continue;
            }
            findings.push(
                Finding::at_command(&HD023, (stage, instruction), command)
                    .message(format!(
                        "{} prints a line of progress dots for every 50 KB it downloads",
                        quoted(command)
                    ))
                    .fix(
                        "add `--progress=dot:giga` (one line per 32 MB), or `-nv` to keep only \
                         the summary, or `-q`",
                    ),
            );
        }
    }
}

/// `wget … 2>/dev/null`, `wget … &> log`: its progress goes elsewhere.
fn stderr_redirected(command: &SimpleCommand) -> bool {
    let text = command.text.replace(' ', "");
    text.contains("2>") || text.contains("&>")
}

/// The stage's `wget` is BusyBox's: an Alpine or BusyBox base, and no
/// `apk add wget` before this instruction.
fn has_busybox_wget(dockerfile: &Dockerfile, stage: &Stage, instruction: &Instruction) -> bool {
    let base = dockerfile.root_base(stage).expanded.to_ascii_lowercase();
    let busybox_base = ["alpine", "busybox"].iter().any(|name| base.contains(name));
    if !busybox_base {
        return false;
    }
    let gnu_installed = instructions_before(dockerfile, stage, instruction.line())
        .into_iter()
        .chain([instruction])
        .flat_map(Instruction::run_commands)
        .any(|command| {
            let apk = program(command);
            apk.is("apk")
                && apk
                    .operands_after("add")
                    .iter()
                    .any(|package| package.split(['=', '~', '<', '>']).next() == Some("wget"))
        });
    !gnu_installed
}
