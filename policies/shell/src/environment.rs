//! The variables a `RUN` script can read without assigning them: what the
//! stage (and the stages it is built on) declares with `ARG` and `ENV`
//! before it, the secrets its mounts expose as variables, and what every
//! build has (proxies, `PATH`, `HOME`). ShellCheck is told they are set,
//! as hadolint does, so that SC2154 (referenced but not assigned) is only
//! about variables nothing defines.

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{Instruction, Stage};

/// BuildKit passes the proxy variables to every `RUN` without an `ARG`
/// (hadolint's list), and the shell or the base image sets the rest.
const ALWAYS_SET: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "PATH",
    "HOME",
    "HOSTNAME",
    "PWD",
    "TERM",
];

/// The names, sorted and without duplicates.
pub fn defined_for(dockerfile: &Dockerfile, stage: &Stage, run: &Instruction) -> Vec<String> {
    let mut names: Vec<String> = ALWAYS_SET.iter().map(|name| name.to_string()).collect();
    for (depth, ancestor) in dockerfile.ancestry(stage).into_iter().enumerate() {
        let before = ancestor
            .instructions
            .iter()
            .filter(|instruction| depth > 0 || instruction.span.start_line < run.span.start_line);
        for instruction in before {
            if let Some(args) = instruction.as_arg() {
                names.extend(args.iter().map(|arg| arg.name.clone()));
            }
            if let Some(assignments) = instruction.as_env() {
                names.extend(assignments.iter().map(|env| env.key.clone()));
            }
        }
    }
    if let Some(mounts) = run.as_run().map(|run| &run.mounts) {
        names.extend(mounts.iter().filter_map(|mount| mount.env.clone()));
    }
    names.retain(|name| is_shell_name(name));
    names.sort();
    names.dedup();
    names
}

/// A name the shell can assign: anything else would make the `export`
/// line given to the linter a syntax error of its own.
fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
