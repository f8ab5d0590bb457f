use tallyman_sdk::model::{Applicability, Edit, Instruction, SimpleCommand};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::program;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `apt` run in a `RUN` script (`apt update`, `apt install`,
    /// `apt list`), anywhere in the script, nested `sh -c` scripts
    /// included. Installing the `apt` package and running `apt-get`,
    /// `apt-cache` or `apt-key` are not flagged.
    ///
    /// ## Why is this bad?
    /// `apt` is the front end for people at a terminal: its output, its
    /// defaults and its options change between releases, and it warns
    /// "apt does not have a stable CLI interface. Use with caution in
    /// scripts." `apt-get` and `apt-cache` are the interfaces Debian keeps
    /// stable for scripts, so a build that uses them keeps working on the
    /// next release.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt update && apt install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// `tallyman fix --unsafe-fixes` replaces `apt` with `apt-get` where every
    /// `apt` of the `RUN` is written on its first line with a subcommand
    /// `apt-get` has (`install`, `update`, `remove`, …). Unsafe: the two keep
    /// different defaults (`apt` deletes the packages it downloaded).
    pub const HD022 = {
        id: "HD022",
        title: "apt instead of apt-get in RUN",
        severity: Low,
        tags: ["reliability"],
        equivalents: ["hadolint:DL3027", "checkov:CKV_DOCKER_9", "kics:Run Using apt"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let mut uses: Vec<String> = Vec::new();
        let mut first = None;
        let mut edits = Vec::new();
        for command in instruction.run_commands() {
            let apt = program(command);
            if !apt.is("apt") {
                continue;
            }
            first.get_or_insert(command);
            edits.push(apt_get_edit(instruction, command, apt.subcommand()));
            let written = match apt.subcommand() {
                Some(sub) => format!("`apt {sub}`"),
                None => "`apt`".to_string(),
            };
            if !uses.contains(&written) {
                uses.push(written);
            }
        }
        let Some(command) = first else {
            continue;
        };
        let replacements: Vec<String> = uses
            .iter()
            .map(|written| replacement(written.trim_matches('`')))
            .collect();
        findings.push(
            Finding::at_command(&HD022, (stage, instruction), command)
                .message(format!(
                    "{} {} `apt`, whose command line is not stable in scripts",
                    uses.join(", "),
                    if uses.len() == 1 { "runs" } else { "run" }
                ))
                .fix(replacements.join("; "))
                .fix_edits(Applicability::Unsafe, edits),
        );
    }
}

/// Subcommands `apt-get` has with the same name and meaning.
const SAME_IN_APT_GET: &[&str] = &[
    "install",
    "update",
    "upgrade",
    "remove",
    "purge",
    "autoremove",
    "clean",
    "autoclean",
    "source",
    "build-dep",
    "download",
];

/// `apt` → `apt-get`, where the command is written `apt <sub> …` with a
/// subcommand `apt-get` has too. Unsafe: the two keep different defaults
/// (`apt` deletes the packages it downloaded, shows progress bars).
fn apt_get_edit(
    instruction: &Instruction,
    command: &SimpleCommand,
    subcommand: Option<&str>,
) -> Option<Edit> {
    let sub = subcommand.filter(|sub| SAME_IN_APT_GET.contains(sub))?;
    let text = command.text.trim();
    let written_as_apt = command.name == "apt"
        && command.assignments.is_empty()
        && text
            .strip_prefix("apt")
            .is_some_and(|rest| rest.starts_with([' ', '\t']));
    if !written_as_apt || !command.args.iter().any(|arg| arg == sub) {
        return None;
    }
    Edit::at(instruction.command_text_span(command, 0..3), "apt-get")
}

/// What a script runs instead of `apt <sub>`.
fn replacement(written: &str) -> String {
    let sub = written.strip_prefix("apt ").unwrap_or_default();
    match sub {
        "search" | "show" | "policy" | "depends" | "rdepends" | "showsrc" | "showpkg" => {
            format!("`apt-cache {sub}` for `apt {sub}`")
        }
        "list" => "`dpkg-query -W` (installed) or `apt-cache policy` for `apt list`".to_string(),
        "full-upgrade" => "`apt-get dist-upgrade` for `apt full-upgrade`".to_string(),
        "" => "`apt-get`".to_string(),
        _ => format!("`apt-get {sub}` for `apt {sub}`"),
    }
}
