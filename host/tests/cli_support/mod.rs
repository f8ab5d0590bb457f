//! Running the built `tallyman` binary in end-to-end tests, isolated from
//! the machine it runs on: a fixed evaluation date, a compile cache of the
//! test file's own, no colour, a home directory of its own, and none of
//! the variables that would change what a run does (a signing key, a
//! Kubernetes job index).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
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

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory `<prefix>-<name>-<pid>` under `CARGO_TARGET_TMPDIR`
/// for one test: the prefix names the test file, the pid keeps concurrent
/// runs of it apart.
pub fn tempdir(prefix: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes `contents` to `dir/path`, making the directories on the way.
pub fn write(dir: &Path, path: &str, contents: &[u8]) {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent dir");
    }
    std::fs::write(path, contents).expect("write");
}
