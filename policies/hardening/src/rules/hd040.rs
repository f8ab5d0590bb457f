use tallyman_sdk::model::{CopyInstruction, Instruction, SimpleCommand, Stage};
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::program;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `COPY` of a local tar archive (`.tar`, `.tar.gz`, `.tgz`,
    /// `.tar.bz2`, `.tar.xz`, `.tar.zst`, ...) that a later `RUN` of the
    /// same stage unpacks whole with `tar -x`, where `ADD` would unpack it
    /// in one step.
    ///
    /// Only what `ADD` can do instead is flagged: the `tar` command must
    /// extract every member of that archive (no member list, no
    /// `--strip-components`, `--exclude`, `--wildcards`, `-O`), and the
    /// archive a tar archive, because `ADD` leaves `.zip`, a lone `.gz` and
    /// other formats as they are (hadolint's DL3010 also asks for `ADD`
    /// after `unzip` or `gunzip`, which would not unpack anything). A
    /// `COPY --from`, a source with an unresolved variable and an archive
    /// piped into `tar` are left alone.
    ///
    /// ## Why is this bad?
    /// The `COPY` layer keeps the archive for good, even when the `RUN`
    /// removes it afterwards: the image carries the packed and the unpacked
    /// files. `ADD` unpacks a local tar archive into its destination in one
    /// layer, and says so in one instruction.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// COPY vendor/node-v22.tar.xz /tmp/
    /// RUN tar -xJf /tmp/node-v22.tar.xz -C /opt && rm /tmp/node-v22.tar.xz
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// ADD vendor/node-v22.tar.xz /opt/
    /// ```
    pub const HD040 = {
        id: "HD040",
        title: "Local tar archive copied, then unpacked in RUN: ADD unpacks it in one step",
        severity: Info,
        tags: ["image-size", "style"],
        equivalents: ["hadolint:DL3010"],
    };
}

/// Endings of the tar archives `ADD` unpacks: plain, gzip, bzip2, xz, zstd.
const TAR_ENDINGS: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".taz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz",
    ".tar.zst", ".tzst",
];

/// `tar` options under which `ADD` would not give the same files.
const SELECTIVE_OPTIONS: &[&str] = &[
    "--strip-components",
    "--exclude",
    "-X",
    "--exclude-from",
    "--wildcards",
    "-O",
    "--to-stdout",
    "-T",
    "--files-from",
    "--transform",
    "--xform",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        check_stage(stage, findings);
    }
}

fn check_stage(stage: &Stage, findings: &mut Vec<Finding>) {
    let mut copied: Vec<(&Instruction, &str)> = Vec::new();
    for instruction in &stage.instructions {
        if let Some(copy) = instruction.as_copy() {
            copied.extend(tar_archives(copy).map(|archive| (instruction, archive)));
            continue;
        }
        for command in instruction.run_commands() {
            let Some(unpacked) = unpacked_archive(command) else {
                continue;
            };
            let name = file_name(unpacked);
            let Some(at) = copied
                .iter()
                .position(|(_, archive)| file_name(archive) == name)
            else {
                continue;
            };
            let (copy, archive) = copied.remove(at);
            let into = program(command)
                .flag_value(&["-C", "--directory"])
                .map_or_else(
                    || "<directory>/".to_string(),
                    |dir| format!("{}/", dir.trim_end_matches('/')),
                );
            findings.push(
                Finding::at(&HD040, (stage, copy))
                    .message(format!(
                        "`{archive}` is copied, then unpacked by `{}` on line {}: the image keeps \
                         the archive in the `COPY` layer",
                        command.text.trim(),
                        command.line.max(instruction.line())
                    ))
                    .fix(format!(
                        "`ADD {archive} {into}` unpacks it there in one step; drop the `tar` command"
                    )),
            );
        }
    }
}

/// The local sources of a `COPY` that are tar archives `ADD` would unpack.
fn tar_archives(copy: &CopyInstruction) -> impl Iterator<Item = &str> {
    let local = copy.from.is_none();
    copy.sources
        .iter()
        .map(String::as_str)
        .filter(move |source| local && !source.contains('$') && is_tar_archive(source))
}

fn is_tar_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    TAR_ENDINGS.iter().any(|ending| lower.ends_with(ending))
}

/// The archive a `tar` command unpacks whole, if it is one.
fn unpacked_archive(command: &SimpleCommand) -> Option<&str> {
    let tar = program(command);
    if !tar.is("tar") {
        return None;
    }
    let args = tar.args();
    // Traditional syntax: `tar xzf archive.tgz [members]`, the key letters
    // first and without a dash, values in the order of their letters.
    if let Some(key) = args.first().filter(|key| !key.starts_with('-')) {
        return traditional(key, args.get(1..).unwrap_or_default());
    }
    let extracts = tar.has_flag(&["-x", "--extract", "--get"]);
    if !extracts || tar.has_flag(SELECTIVE_OPTIONS) {
        return None;
    }
    let archive = tar.flag_value(&["-f", "--file"])?;
    // Any operand is a member to extract: only those would be unpacked.
    tar.operands().is_empty().then_some(archive)
}

fn traditional<'a>(key: &str, rest: &'a [String]) -> Option<&'a str> {
    let letters = key.trim_start_matches(|c: char| c.is_ascii_digit());
    if !letters.contains('x') || !letters.contains('f') {
        return None;
    }
    let rest = Command::new("tar", rest);
    if rest.has_flag(SELECTIVE_OPTIONS) {
        return None;
    }
    // Key letters that take a value (`f` the archive, `b` the blocking
    // factor) take the next words, in the order of the letters.
    let values_before_file = letters
        .chars()
        .take_while(|letter| *letter != 'f')
        .filter(|letter| *letter == 'b')
        .count();
    let operands = rest.operands();
    let archive = *operands.get(values_before_file)?;
    let values = letters.chars().filter(|letter| *letter == 'b').count() + 1;
    (operands.len() == values).then_some(archive)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
