use tallyman_sdk::model::{Instruction, SimpleCommand};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{program, quoted};
use crate::scope::{instructions_before, is_windows};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a stage that downloads with both `curl` and `wget`. The stage
    /// is judged with the stages it is built on (`FROM <stage>`), since
    /// their tools are in its filesystem, and each pair is reported once:
    /// at the first command, in this stage, that completes it.
    ///
    /// It is judged per stage, not per file: a builder stage that uses
    /// `curl` and a final stage that uses `wget` leave no image with both
    /// tools (hadolint's DL4001 is per stage too; Trivy's DS-0014 is per
    /// file, which users report as a false positive, trivy#10333). Windows
    /// stages are skipped (`curl.exe` ships with Windows, and `wget` is a
    /// PowerShell alias).
    ///
    /// ## Why is this bad?
    /// Two tools for one job: both must be in the image, each with its own
    /// flags for retries, TLS verification and failing on HTTP errors
    /// (`curl -f` versus wget's default), so a reader has to check the same
    /// safety twice. One tool keeps the image smaller and the downloads
    /// consistent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    /// RUN wget -q -O /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz \
    ///  && curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
    /// ```
    pub const HD024 = {
        id: "HD024",
        title: "Both curl and wget in one stage",
        severity: Low,
        tags: ["size"],
        equivalents: [
            "hadolint:DL4001",
            "trivy:DS-0014",
            "kics:Run Using 'wget' and 'curl'",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        if is_windows(dockerfile, stage) {
            continue;
        }
        // Every instruction of the stage and of the stages it is built on.
        let chain = instructions_before(dockerfile, stage, u32::MAX);
        let mut curl: Option<&SimpleCommand> = None;
        let mut wget: Option<&SimpleCommand> = None;
        let mut completed: Option<(&Instruction, &SimpleCommand)> = None;
        'chain: for instruction in chain {
            for command in instruction.run_commands() {
                let tool = program(command);
                let slot = match tool.program() {
                    "curl" => &mut curl,
                    "wget" => &mut wget,
                    _ => continue,
                };
                if slot.is_some() {
                    continue;
                }
                *slot = Some(command);
                if curl.is_some() && wget.is_some() {
                    completed = Some((instruction, command));
                    break 'chain;
                }
            }
        }
        let (Some((instruction, command)), Some(curl), Some(wget)) = (completed, curl, wget) else {
            continue;
        };
        let own = stage
            .instructions
            .iter()
            .any(|mine| std::ptr::eq(mine, instruction));
        if !own {
            continue;
        }
        let earlier = if std::ptr::eq(command, curl) {
            wget
        } else {
            curl
        };
        findings.push(
            Finding::at_command(&HD024, (stage, instruction), command)
                .message(format!(
                    "{} downloads with `{}` in a stage that already uses `{}` (line {}: {})",
                    quoted(command),
                    program(command).program(),
                    program(earlier).program(),
                    earlier.line,
                    quoted(earlier)
                ))
                .fix("download with one tool: `curl -fsSL` (or `wget -q`) everywhere in the stage"),
        );
    }
}
