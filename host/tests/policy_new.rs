//! `tallyman policy new` end to end: each language's scaffold, generated
//! into a scratch directory, builds and passes its own cases with
//! `tallyman policy test`; names and directories are checked.
//!
//! The Python and JavaScript scaffolds need componentize-py and
//! componentize-js (`scripts/test` installs them). Without them those
//! tests fail under CI (`CI` set) and are skipped, saying so, elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
}

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-new")
}

/// The toolchain this repository pins: a scaffold outside the repository
/// would otherwise get rustup's default, which may lack wasm32-wasip2.
fn pinned_toolchain() -> String {
    let text = std::fs::read_to_string(workspace().join("rust-toolchain.toml"))
        .expect("read rust-toolchain.toml");
    text.lines()
        .find_map(|line| line.trim().strip_prefix("channel"))
        .and_then(|rest| rest.split('"').nth(1))
        .expect("a channel in rust-toolchain.toml")
        .to_string()
}

fn tallyman() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tallyman"));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let outer = (key.starts_with("CARGO") && key != "CARGO_HOME")
            || ["RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"].contains(&key.as_str());
        if outer {
            command.env_remove(&key);
        }
    }
    command
        .env("RUSTUP_TOOLCHAIN", pinned_toolchain())
        // Shared with policy_test_cli's Rust example: the SDK's dependencies build once.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-test-cli/cargo-target"),
        )
        .env("TALLYMAN_CACHE_DIR", scratch().join("cache"));
    command
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn toolchain_ready(tool: &Path, name: &str) -> bool {
    let found = tool.is_file()
        || Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed (looked in {} and on PATH): scripts/test installs it",
            tool.display()
        );
        eprintln!("skipped: {name} is not installed; scripts/test installs it");
    }
    found
}

fn toolchains() -> PathBuf {
    std::env::var_os("TALLYMAN_TOOLCHAINS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/tallyman/toolchains"))
        })
        .unwrap_or_default()
}

/// Generates a scaffold, then builds and tests it.
fn scaffold_passes_its_tests(lang: &str) {
    let dir = scratch().join(lang);
    let _ = std::fs::remove_dir_all(&dir);
    let out = tallyman()
        .args(["policy", "new", "acme-no-sudo", "--lang", lang, "--dir"])
        .arg(&dir)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    for file in [
        "README.md",
        "build.sh",
        "tallyman-policy.yaml",
        ".gitignore",
        "wit/policy.wit",
        "tests/sudo-in-run/Dockerfile",
        "tests/sudo-in-run/expected.yaml",
        "tests/no-sudo/expected.yaml",
    ] {
        assert!(
            dir.join(file).is_file(),
            "{lang}: no {file}\n{}",
            show(&out)
        );
    }
    let wit = std::fs::read_to_string(dir.join("wit/policy.wit")).expect("read the WIT");
    assert_eq!(
        wit,
        std::fs::read_to_string(workspace().join("wit/policy.wit")).expect("read wit/")
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("read README");
    assert!(readme.starts_with("# acme-no-sudo\n"), "{readme}");

    let out = tallyman()
        .args(["policy", "test"])
        .arg(&dir)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{lang}: {}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("test sudo-in-run ... ok"), "{}", show(&out));
    assert!(
        text.contains("test result: ok. 2 passed; 0 failed"),
        "{}",
        show(&out)
    );
    assert!(
        dir.join("policy.wasm").is_file(),
        "{lang}: build.sh wrote no policy.wasm"
    );
}

#[test]
fn the_rust_scaffold_builds_and_passes_its_tests() {
    scaffold_passes_its_tests("rust");
    let manifest = std::fs::read_to_string(scratch().join("rust/Cargo.toml")).expect("read");
    // Built from this checkout: the SDK is a path dependency on it.
    let sdk = std::fs::canonicalize(workspace().join("plugin-sdk")).expect("canonical");
    assert!(
        manifest.contains(&format!(
            "tallyman-sdk = {{ path = \"{}\" }}",
            sdk.display()
        )),
        "{manifest}"
    );
    assert!(manifest.contains("name = \"acme-no-sudo\""), "{manifest}");
}

#[test]
fn the_python_scaffold_builds_and_passes_its_tests() {
    if toolchain_ready(
        &toolchains().join("python/bin/componentize-py"),
        "componentize-py",
    ) {
        scaffold_passes_its_tests("python");
    }
}

#[test]
fn the_js_scaffold_builds_and_passes_its_tests() {
    if toolchain_ready(
        &toolchains().join("js/node_modules/.bin/componentize-js"),
        "componentize-js",
    ) {
        scaffold_passes_its_tests("js");
        let package = std::fs::read_to_string(scratch().join("js/package.json")).expect("read");
        assert!(package.contains("\"@bytecodealliance/componentize-js\": \"0.23.0\""));
        assert!(package.contains("\"@bytecodealliance/jco\": \"1.34.0\""));
    }
}

#[test]
fn bad_names_and_non_empty_directories_are_refused() {
    let out = tallyman()
        .args(["policy", "new", "Bad_Name", "--lang", "rust", "--dir"])
        .arg(scratch().join("bad-name"))
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        show(&out).contains("is not a policy name"),
        "{}",
        show(&out)
    );
    assert!(!scratch().join("bad-name").exists());

    let dir = scratch().join("occupied");
    std::fs::create_dir_all(&dir).expect("create");
    std::fs::write(dir.join("keep.txt"), "mine").expect("write");
    let out = tallyman()
        .args(["policy", "new", "acme", "--lang", "python", "--dir"])
        .arg(&dir)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(show(&out).contains("not empty"), "{}", show(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).expect("read"),
        "mine"
    );

    let out = tallyman()
        .args([
            "policy",
            "new",
            "acme",
            "--lang",
            "rust",
            "--sdk-path",
            "/nonexistent",
            "--dir",
        ])
        .arg(scratch().join("bad-sdk"))
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(show(&out).contains("--sdk-path"), "{}", show(&out));
}
