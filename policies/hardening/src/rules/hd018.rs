use tallyman_sdk::model::{Applicability, Edit, Instruction, SimpleCommand};
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{Family, option_values, program, quoted, written_text};
use crate::scope::instructions_before;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags package manager commands that ask for confirmation, run
    /// without the switch that answers it:
    /// - `apt-get`/`apt` `install`, `upgrade`, `dist-upgrade`,
    ///   `full-upgrade`, `remove`, `purge`, `autoremove`, `build-dep`
    ///   without `-y`/`--yes`/`--assume-yes` (or `-qq`, which implies it,
    ///   or `-o APT::Get::Assume-Yes=true`);
    /// - `yum`, `dnf`, `tdnf` `install`, `update`, `upgrade`, `remove`,
    ///   `erase`, `reinstall`, `downgrade`, `groupinstall`, `localinstall`,
    ///   `autoremove`, `distro-sync` without `-y`/`--assumeyes`;
    /// - `zypper` `install`, `remove`, `update`, `patch`, `dist-upgrade`
    ///   without `-n`/`--non-interactive` (before the command) or
    ///   `-y`/`--no-confirm` (after it).
    ///
    /// Not flagged: a simulation (`apt-get install -s`), input piped from
    /// `yes`, and an answer configured by an
    /// earlier `RUN` of the stage (`APT::Get::Assume-Yes "true";` in an
    /// `apt.conf` snippet, `assumeyes=1` in `yum.conf` or `dnf.conf`).
    /// `microdnf` and `apk` never prompt.
    ///
    /// The finding points at the line of the install command.
    ///
    /// ## Why is this bad?
    /// A build has no terminal: the prompt reads end-of-file and the
    /// package manager aborts ("Abort.", "Exiting on user command"), so the
    /// build fails, or, depending on the version and what needs
    /// confirming, hangs or goes ahead. The result then depends on what the
    /// repositories contain on the day of the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install --no-install-recommends curl
    /// RUN dnf install httpd
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// RUN dnf install -y httpd
    /// ```
    ///
    /// `tallyman fix` adds the switch (`-y` after the subcommand,
    /// `--non-interactive` after `zypper`) where that word is on the `RUN`'s
    /// first line. A safe fix: a build that passed was asked nothing.
    pub const HD018 = {
        id: "HD018",
        title: "Package install without the non-interactive switch",
        severity: Medium,
        tags: ["reliability"],
        equivalents: [
            "hadolint:DL3014",
            "hadolint:DL3030",
            "hadolint:DL3038",
            "hadolint:DL3034",
            "trivy:DS-0021",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let commands = instruction.run_commands();
        for command in commands {
            let run = program(command);
            let Some(family) = Family::of(&run) else {
                continue;
            };
            if !prompts(family, &run) || answered(family, &run) || piped_from_yes(commands, command)
            {
                continue;
            }
            let configured = instructions_before(dockerfile, stage, instruction.line())
                .into_iter()
                .chain([instruction])
                .any(|earlier| configures_yes(&written_text(earlier)));
            if configured {
                continue;
            }
            let edit = match family {
                Family::Zypper => after_word(instruction, command, "zypper", " --non-interactive"),
                _ => run
                    .subcommand()
                    .and_then(|sub| after_word(instruction, command, sub, " -y")),
            };
            findings.push(
                Finding::at_command(&HD018, (stage, instruction), command)
                    .message(format!(
                        "{} asks for confirmation, which a build cannot give",
                        quoted(command)
                    ))
                    .fix(match family {
                        Family::Zypper => "add `--non-interactive` after `zypper`".to_string(),
                        _ => format!(
                            "add `-y`: `{} -y {}`",
                            run.program(),
                            run.subcommand().unwrap_or_default()
                        ),
                    })
                    .fix_edits(Applicability::Safe, [edit]),
            );
        }
    }
}

/// The command asks before changing packages.
fn prompts(family: Family, run: &Command<'_>) -> bool {
    let sub = run.subcommand().unwrap_or_default();
    match family {
        Family::Apt => {
            run.is_any(&["apt-get", "apt"])
                && matches!(
                    sub,
                    "install"
                        | "upgrade"
                        | "dist-upgrade"
                        | "full-upgrade"
                        | "remove"
                        | "purge"
                        | "autoremove"
                        | "build-dep"
                        | "reinstall"
                )
        }
        Family::Rpm => {
            !run.is("microdnf")
                && matches!(
                    sub,
                    "install"
                        | "update"
                        | "upgrade"
                        | "remove"
                        | "erase"
                        | "reinstall"
                        | "downgrade"
                        | "groupinstall"
                        | "localinstall"
                        | "autoremove"
                        | "distro-sync"
                        | "groupremove"
                        | "group"
                        | "module"
                )
        }
        Family::Zypper => matches!(
            sub,
            "install"
                | "in"
                | "remove"
                | "rm"
                | "update"
                | "up"
                | "patch"
                | "dist-upgrade"
                | "dup"
                | "source-install"
                | "si"
        ),
        Family::Apk => false,
    }
}

/// The command carries the switch that answers the prompt.
fn answered(family: Family, run: &Command<'_>) -> bool {
    match family {
        Family::Apt => {
            // `-s` and its synonyms only simulate: nothing to confirm.
            run.has_flag(&["-y", "--yes", "--assume-yes"])
                || run.has_flag(&[
                    "-s",
                    "--simulate",
                    "--just-print",
                    "--dry-run",
                    "--recon",
                    "--no-act",
                ])
                || run
                    .args()
                    .iter()
                    .any(|arg| matches!(arg.as_str(), "-qq" | "-q=2" | "--quiet=2"))
                || option_values(run, "-o", "--option")
                    .iter()
                    .any(|option| configures_yes(option))
        }
        Family::Rpm => run.has_flag(&["-y", "--assumeyes"]),
        Family::Zypper => run.has_flag(&["-n", "--non-interactive", "-y", "--no-confirm"]),
        Family::Apk => true,
    }
}

/// `yes | apt-get install …`.
fn piped_from_yes(commands: &[SimpleCommand], command: &SimpleCommand) -> bool {
    commands.iter().any(|earlier| {
        earlier.pipeline == command.pipeline
            && earlier.pipe_position < command.pipe_position
            && program(earlier).is("yes")
    })
}

/// `APT::Get::Assume-Yes "true";`, `-o APT::Get::Assume-Yes=1`,
/// `assumeyes=1` (yum.conf, dnf.conf).
fn configures_yes(text: &str) -> bool {
    text.lines().any(|line| {
        let compact: String = line
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ';'))
            .collect::<String>()
            .to_ascii_lowercase();
        let value = compact
            .strip_prefix("apt::get::assume-yes")
            .or_else(|| compact.strip_prefix("assumeyes"))
            .map(|rest| rest.strip_prefix('=').unwrap_or(rest));
        matches!(value, Some("1" | "true" | "yes"))
    })
}

/// `switch` inserted right after the first blank-delimited `word` of the
/// command, where the command is written plainly (no prefix assignments)
/// and `word` is on the line it starts on. Safe: where the build passed,
/// nothing was asked, and the switch answers nothing.
fn after_word(
    instruction: &Instruction,
    command: &SimpleCommand,
    word: &str,
    switch: &str,
) -> Option<Edit> {
    if !command.assignments.is_empty() {
        return None;
    }
    let on_first_line = command.name == word
        || command
            .args
            .iter()
            .position(|arg| arg == word)
            .is_some_and(|index| command.arg_lines.get(index).copied() == Some(command.line));
    if !on_first_line {
        return None;
    }
    let text = command.text.trim();
    let mut offset = 0;
    for token in text.split([' ', '\t']) {
        if token == word {
            let end = offset + token.len();
            return Edit::at(instruction.command_text_span(command, end..end), switch);
        }
        offset += token.len() + 1;
    }
    None
}
