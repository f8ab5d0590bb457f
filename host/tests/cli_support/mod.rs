//! Running the built `tallyman` binary in end-to-end tests, isolated from
//! the machine it runs on: a fixed evaluation date, a compile cache of the
//! test file's own, no colour, a home directory of its own, and none of
//! the variables that would change what a run does (a signing key, a
//! Kubernetes job index).

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The binary, to run in `dir`, with its compile cache in
/// `CARGO_TARGET_TMPDIR/<cache>`.
pub fn command(dir: &Path, cache: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tallyman"));
    command
        .current_dir(dir)
        .env("TALLYMAN_DATE", "2026-01-15")
        .env(
            "TALLYMAN_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(cache),
        )
        .env("NO_COLOR", "1")
        // hadolint's configuration in the home directory is read when a
        // directory has no tallyman.yaml: not the machine's.
        .env("HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("home"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("TALLYMAN_SIGNING_KEY")
        .env_remove("JOB_COMPLETION_INDEX");
    command
}

/// Runs `tallyman ARGS` in `dir` with `env` added.
pub fn run(dir: &Path, cache: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(dir, cache)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}
