//! Which shell runs a `RUN`: the stage's `SHELL` (inherited from the
//! stages it is built on), `/bin/sh -c` by default, or the shebang of a
//! heredoc script. Stages whose shell is not a POSIX-family shell
//! (PowerShell, `cmd`) and Windows stages are not checked.

use shuck_linter::ShellDialect;
use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{InstructionDetail, Stage};

/// The shell a `RUN` at `line` of `stage` runs in, as a dialect and the
/// shebang ShellCheck would be given; `None` when it is not a shell this
/// policy checks.
pub fn of_run(dockerfile: &Dockerfile, stage: &Stage, line: u32) -> Option<(ShellDialect, String)> {
    match shell_before(dockerfile, stage, line) {
        Some(words) => from_shell_words(&words),
        None if is_windows(dockerfile, stage) => None,
        None if is_debian_family(dockerfile, stage) => {
            Some((ShellDialect::Dash, "/bin/dash".to_string()))
        }
        None => Some((ShellDialect::Sh, "/bin/sh".to_string())),
    }
}

/// Debian and Ubuntu release names, as image tags carry them
/// (`python:3.13-slim-bookworm`, `eclipse-temurin:21-jdk-noble`).
const DEBIAN_FAMILY_RELEASES: &[&str] = &[
    "buster", "bullseye", "bookworm", "trixie", "forky", "sid", "xenial", "bionic", "focal",
    "jammy", "noble", "oracular", "plucky", "questing",
];

/// The stage is built on Debian or Ubuntu, where `/bin/sh` is dash: a shell
/// with `local` and `echo -n`, which ShellCheck's `sh` dialect would flag
/// on every such image although the build never runs anything else. Only
/// what the image's name or tag says is used; an image of unknown lineage
/// keeps the strict POSIX `sh` dialect.
fn is_debian_family(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    let base = dockerfile.root_base(stage).expanded.to_ascii_lowercase();
    let (name, tag) = split_reference(&base);
    let repository = name.rsplit('/').next().unwrap_or(name);
    if tag.contains("alpine") {
        return false;
    }
    matches!(repository, "debian" | "ubuntu" | "buildpack-deps")
        || tag
            .split(['-', '.', '_'])
            .any(|part| DEBIAN_FAMILY_RELEASES.contains(&part))
}

/// `(name, tag)` of an image reference, ignoring any digest.
fn split_reference(reference: &str) -> (&str, &str) {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    // A colon after the last slash separates the tag; one before it is a
    // registry's port.
    let last_slash = without_digest.rfind('/').map_or(0, |at| at + 1);
    match without_digest[last_slash..].find(':') {
        Some(colon) => (
            &without_digest[..last_slash + colon],
            &without_digest[last_slash + colon + 1..],
        ),
        None => (without_digest, ""),
    }
}

/// The dialect of a shebang line's interpreter (the text after `#!`):
/// `/bin/bash`, `/usr/bin/env bash`, `/bin/sh -e`, and its program.
pub fn from_shebang(shebang: &str) -> Option<(ShellDialect, String)> {
    let words: Vec<String> = shebang.split_whitespace().map(str::to_string).collect();
    from_shell_words(&words)
}

/// A script that starts with a shebang runs in the shell it names (a
/// heredoc script is a file BuildKit executes), whatever the stage's shell.
pub fn of_script(script: &str) -> Option<(ShellDialect, String)> {
    let shebang = script.lines().next()?.strip_prefix("#!")?;
    from_shebang(shebang)
}

/// The dialect of a `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (or of a
/// shebang split into words), with the program as ShellCheck's shebang.
fn from_shell_words(words: &[String]) -> Option<(ShellDialect, String)> {
    let mut words = words.iter().map(String::as_str);
    let mut program = words.next()?;
    if program.ends_with("/env") || program == "env" {
        program = words.find(|word| !word.starts_with('-'))?;
    }
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let dialect = match name.to_ascii_lowercase().as_str() {
        // busybox's ash is a POSIX shell with few extensions; ShellCheck
        // itself checks it as `sh` (hadolint drops its SC2187 notice).
        "sh" | "ash" => ShellDialect::Sh,
        "bash" => ShellDialect::Bash,
        "dash" => ShellDialect::Dash,
        "ksh" => ShellDialect::Ksh,
        "mksh" => ShellDialect::Mksh,
        _ => return None,
    };
    Some((dialect, program.to_string()))
}

/// The words of the last `SHELL` before `line` in `stage`, or in the stages
/// it is built on.
fn shell_before(dockerfile: &Dockerfile, stage: &Stage, line: u32) -> Option<Vec<String>> {
    dockerfile
        .ancestry(stage)
        .into_iter()
        .enumerate()
        .find_map(|(depth, ancestor)| {
            ancestor
                .instructions
                .iter()
                .rev()
                .filter(|instruction| depth > 0 || instruction.span.start_line < line)
                .find_map(|instruction| match &instruction.detail {
                    InstructionDetail::Shell(words) => Some(words.clone()),
                    _ => None,
                })
        })
}

/// The stage builds a Windows image: its base is a Windows image, or the
/// file uses the backtick escape Windows Dockerfiles use. Its default
/// shell is `cmd`.
fn is_windows(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    if dockerfile.escape_char == "`" {
        return true;
    }
    let base = dockerfile.root_base(stage).expanded.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore", "ltsc20"]
        .iter()
        .any(|word| base.contains(word))
}
