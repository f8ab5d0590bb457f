use tallyman_sdk::model::{Applicability, Edit, Instruction, SimpleCommand};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{Family, option_values, program, quoted, written_text};
use crate::scope::{instructions_before, shipping_stages};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `apt-get install` and `apt install` without
    /// `--no-install-recommends` in the stages that ship (the final stage
    /// and the stages it is built on). Recommends are also off with
    /// `-o APT::Install-Recommends=false` (or `0`), or when an earlier `RUN`
    /// wrote `APT::Install-Recommends "0";` (or `"false"`) into an
    /// `apt.conf` snippet.
    ///
    /// Builder stages are not flagged: extra packages there cost build time,
    /// not image size, since only copied artifacts ship. Nor is a dry run
    /// (`-s`, `--simulate`, `--dry-run`, `--just-print`, `--recon`,
    /// `--no-act`), which installs nothing: `if apt-get install -s pkg;
    /// then ...` only asks whether a package exists.
    ///
    /// The finding points at the line of the install command.
    ///
    /// ## Why is this bad?
    /// apt installs "recommended" packages by default: documentation,
    /// optional tools and libraries the application never uses, often
    /// doubling the size of what was asked for. Each one is more to
    /// download, to scan and to patch, and more attack surface.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// `tallyman fix --unsafe-fixes` adds `--no-install-recommends` after
    /// `install` where that word is on the line its command starts on and
    /// the command on the `RUN`'s first line. Unsafe: a program may need a
    /// package that was only recommended.
    pub const HD010 = {
        id: "HD010",
        title: "apt install without --no-install-recommends",
        severity: Low,
        tags: ["cis-docker-1.6:4.3", "size"],
        equivalents: ["hadolint:DL3015", "trivy:DS-0029"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        for (instruction, _) in stage.runs() {
            let configured = || {
                instructions_before(dockerfile, stage, instruction.line())
                    .into_iter()
                    .chain([instruction])
                    .any(|earlier| turns_recommends_off(&written_text(earlier)))
            };
            let command = instruction.run_commands().iter().find(|command| {
                let run = program(command);
                Family::of(&run) == Some(Family::Apt)
                    && run.is_any(&["apt-get", "apt"])
                    && run.has_subcommand("install")
                    && !run.has_flag(&["--no-install-recommends"])
                    && !run.has_flag(DRY_RUN)
                    && !option_values(&run, "-o", "--option")
                        .iter()
                        .any(|option| turns_recommends_off(option))
            });
            let Some(command) = command else {
                continue;
            };
            if configured() {
                continue;
            }
            findings.push(
                Finding::at_command(&HD010, (stage, instruction), command)
                    .message(format!(
                        "{} also installs every recommended package",
                        quoted(command)
                    ))
                    .fix("add `--no-install-recommends` and list what the image needs")
                    .fix_edits(
                        Applicability::Unsafe,
                        [after_install_word(instruction, command)],
                    ),
            );
        }
    }
}

/// apt's spellings of "simulate, install nothing".
const DRY_RUN: &[&str] = &[
    "-s",
    "--simulate",
    "--dry-run",
    "--just-print",
    "--recon",
    "--no-act",
];

/// `APT::Install-Recommends=false` (an option) or `APT::Install-Recommends
/// "0";` (a configuration line), in any case.
fn turns_recommends_off(text: &str) -> bool {
    text.lines().any(|line| {
        let compact: String = line
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ';'))
            .collect::<String>()
            .to_ascii_lowercase();
        let value = compact
            .strip_prefix("apt::install-recommends")
            .map(|rest| rest.strip_prefix('=').unwrap_or(rest));
        matches!(value, Some("0" | "false" | "no"))
    })
}

/// ` --no-install-recommends` right after the `install` subcommand, where
/// that word is on the line the command starts on. Unsafe: a program may
/// need a package only recommended.
fn after_install_word(instruction: &Instruction, command: &SimpleCommand) -> Option<Edit> {
    let index = command.args.iter().position(|arg| arg == "install")?;
    if command.arg_lines.get(index).copied() != Some(command.line) {
        return None;
    }
    let end = word_end(command.text.trim(), "install")?;
    Edit::at(
        instruction.command_text_span(command, end..end),
        " --no-install-recommends",
    )
}

/// The byte offset just past the first blank-delimited `word` of `text`.
fn word_end(text: &str, word: &str) -> Option<usize> {
    let mut offset = 0;
    for token in text.split([' ', '\t']) {
        if token == word {
            return Some(offset + token.len());
        }
        offset += token.len() + 1;
    }
    None
}
