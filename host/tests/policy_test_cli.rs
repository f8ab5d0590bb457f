//! `tallyman policy test` end to end: the example org policies in Rust,
//! Python and JavaScript built from source and passing their cases, the
//! built-in policies' fixtures, failures shown with a diff (exit 1), build
//! and load errors (exit 2), and `scan -p` with all three examples.
//!
//! The Python and JavaScript examples need componentize-py and
//! componentize-js (`scripts/test` installs them). Without them these tests
//! fail under CI (`CI` set) and are skipped, saying so, elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
}

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-test-cli")
}

/// The binary, with a compile cache shared by this file's tests, and the
/// environment of a user's shell: cargo's variables for this test run
/// removed, policy projects built into one target directory.
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
        .env("CARGO_TARGET_DIR", scratch().join("cargo-target"))
        .env("TALLYMAN_CACHE_DIR", scratch().join("cache"));
    command
}

fn run(args: &[&str]) -> Output {
    tallyman().args(args).output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// The number of case directories under `dir` (those with an expected.yaml).
fn case_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("list the cases")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("expected.yaml").is_file())
        .count()
}

/// Whether the toolchain a language's example needs is installed; when it
/// is not, under CI that is a failure, elsewhere the test is skipped.
fn toolchain_ready(lang: &str) -> bool {
    let dir = std::env::var_os("TALLYMAN_TOOLCHAINS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/tallyman/toolchains"))
        })
        .unwrap_or_default();
    let (tool, on_path) = match lang {
        "python" => (dir.join("python/bin/componentize-py"), "componentize-py"),
        _ => (
            dir.join("js/node_modules/.bin/componentize-js"),
            "componentize-js",
        ),
    };
    let found = tool.is_file()
        || Command::new(on_path)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{on_path} is not installed (looked in {} and on PATH): scripts/test installs it",
            tool.display()
        );
        eprintln!("skipped: {on_path} is not installed; scripts/test installs it");
    }
    found
}

/// A copy of `examples/policies/<lang>` in a scratch directory (so that its
/// build does not write into the source tree), tested once per test run.
/// Returns the run's output and the project's directory.
fn example(lang: &'static str) -> &'static (Output, PathBuf) {
    static RUST: OnceLock<(Output, PathBuf)> = OnceLock::new();
    static PYTHON: OnceLock<(Output, PathBuf)> = OnceLock::new();
    static JS: OnceLock<(Output, PathBuf)> = OnceLock::new();
    let cell = match lang {
        "rust" => &RUST,
        "python" => &PYTHON,
        _ => &JS,
    };
    cell.get_or_init(|| {
        let source = workspace().join("examples/policies").join(lang);
        // The Rust example depends on the SDK by a relative path: built in place
        // (its target directory is outside the tree).
        let dir = if lang == "rust" {
            source
        } else {
            let copy = scratch().join("examples").join(lang);
            let _ = std::fs::remove_dir_all(&copy);
            copy_dir(&source, &copy);
            copy
        };
        let out = tallyman()
            .args(["policy", "test"])
            .arg(&dir)
            .output()
            .expect("the binary runs");
        (out, dir)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("list the example") {
        let entry = entry.expect("directory entry");
        let name = entry.file_name();
        if name == "policy.wasm" || name == "node_modules" || name == "__pycache__" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy a file");
        }
    }
}

fn rust_example_wasm() -> PathBuf {
    scratch().join("cargo-target/wasm32-wasip2/release/org_image_labels.wasm")
}

fn assert_example_passes(lang: &'static str) {
    let (out, dir) = example(lang);
    let cases = case_count(&dir.join("tests"));
    assert!(cases >= 4, "{lang}: only {cases} cases");
    assert_eq!(out.status.code(), Some(0), "{}", show(out));
    let text = stdout(out);
    assert!(
        text.contains(&format!("test result: ok. {cases} passed; 0 failed")),
        "{}",
        show(out)
    );
    assert_eq!(
        text.lines().filter(|l| l.ends_with(" ... ok")).count(),
        cases,
        "one line per case:\n{text}"
    );
}

#[test]
fn the_rust_example_passes_its_cases() {
    assert_example_passes("rust");
    let (out, _) = example("rust");
    assert!(stdout(out).contains("test image-metadata ... ok"));
    assert!(stderr(out).contains("Building"), "{}", show(out));
}

#[test]
fn the_python_example_builds_and_passes_its_cases() {
    if toolchain_ready("python") {
        assert_example_passes("python");
    }
}

#[test]
fn the_js_example_builds_and_passes_its_cases() {
    if toolchain_ready("js") {
        assert_example_passes("js");
    }
}

#[test]
fn builtin_policies_pass_their_fixtures() {
    for policy in [
        "base-image",
        "correctness",
        "hardening",
        "labels",
        "multi-stage",
        "secrets",
        "shell",
        "style",
    ] {
        let fixtures = workspace().join("policies").join(policy).join("tests");
        let count = walk_dockerfiles(&fixtures.join("fixtures"));
        let out = tallyman()
            .args(["policy", "test", policy, "--tests"])
            .arg(&fixtures)
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(0), "{policy}: {}", show(&out));
        assert!(
            stdout(&out).contains(&format!("test result: ok. {count} passed; 0 failed")),
            "{policy}: {}",
            show(&out)
        );
    }
}

fn walk_dockerfiles(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("list fixtures")
        .filter_map(Result::ok)
        .map(|rule| {
            std::fs::read_dir(rule.path())
                .map(|files| {
                    files
                        .filter_map(Result::ok)
                        .filter(|f| f.path().extension().is_some_and(|e| e == "Dockerfile"))
                        .count()
                })
                .unwrap_or(0)
        })
        .sum()
}

/// The Rust example's cases in a scratch directory, with `edit` applied to
/// one case's expected.yaml.
fn edited_cases(name: &str, case: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = scratch().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&workspace().join("examples/policies/rust/tests"), &dir);
    let expected = dir.join(case).join("expected.yaml");
    let text = std::fs::read_to_string(&expected).expect("read expected.yaml");
    let edited = edit(&text);
    assert_ne!(text, edited, "the edit changed nothing");
    std::fs::write(&expected, edited).expect("write expected.yaml");
    dir
}

#[test]
fn a_wrong_expectation_fails_with_exit_1_and_a_diff() {
    // Built (once) by the example's own test run.
    let (out, _) = example("rust");
    assert_eq!(out.status.code(), Some(0), "{}", show(out));
    let wasm = rust_example_wasm();
    let tests = edited_cases("wrong-line", "missing-source-label", |text| {
        text.replace("line: 5", "line: 6")
    });
    let out = tallyman()
        .args(["policy", "test"])
        .arg(&wasm)
        .arg("--tests")
        .arg(&tests)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let text = stdout(&out);
    let cases = case_count(&tests);
    for expected in [
        "test missing-source-label ... FAILED".to_string(),
        "test good-mirrored ... ok".to_string(),
        "---- missing-source-label ----".to_string(),
        "  - ORG001 line 6, message containing \"no `org.opencontainers.image.source` label\""
            .to_string(),
        "  + ORG001 line 5: the final stage #1 has no `org.opencontainers.image.source` label"
            .to_string(),
        format!(
            "test result: FAILED. {} passed; 1 failed; 0 filtered out",
            cases - 1
        ),
    ] {
        assert!(text.contains(&expected), "no {expected:?} in:\n{text}");
    }
}

#[test]
fn forbidden_findings_and_broken_cases_fail_and_the_filter_selects() {
    let (out, _) = example("rust");
    assert_eq!(out.status.code(), Some(0), "{}", show(out));
    let tests = edited_cases("forbidden", "public-bases", |text| {
        text.replace(
            "absent:\n  - rule: ORG001",
            "absent:\n  - rule: ORG001\n  - rule: ORG003\n    line: 7",
        )
        .replace(
            "  - rule: ORG003\n    line: 7\n    message: \"from `gcr.io`\"\n",
            "",
        )
    });
    // A case whose expected.yaml has a key tallyman does not know.
    std::fs::write(
        tests.join("label-inherited/expected.yaml"),
        "absent:\n  - rule: ORG001\nexpect: []\n",
    )
    .expect("write");
    let out = tallyman()
        .args(["policy", "test"])
        .arg(rust_example_wasm())
        .arg("--tests")
        .arg(&tests)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let text = stdout(&out);
    assert!(text.contains("test public-bases ... FAILED"), "{text}");
    assert!(
        text.contains(
            "  ! ORG003 line 7: stage #2 is built on `gcr.io/distroless/nodejs22-debian12`"
        ),
        "{text}"
    );
    assert!(text.contains("test label-inherited ... FAILED"), "{text}");
    assert!(text.contains("unknown field `expect`"), "{text}");

    let out = tallyman()
        .args(["policy", "test"])
        .arg(rust_example_wasm())
        .arg("maintainer")
        .arg("--tests")
        .arg(&tests)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let filtered = case_count(&tests) - 1;
    assert!(
        stdout(&out).contains(&format!("1 passed; 0 failed; {filtered} filtered out")),
        "{}",
        show(&out)
    );
}

#[test]
fn build_and_load_errors_exit_2() {
    let dir = scratch().join("failing-build");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).expect("create");
    std::fs::write(
        dir.join("tallyman-policy.yaml"),
        "build: echo compiling; exit 3\nwasm: policy.wasm\n",
    )
    .expect("write");
    let out = run(&["policy", "test", dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("failed"), "{}", show(&out));
    assert!(
        stderr(&out).contains("compiling"),
        "build output goes to stderr: {}",
        show(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", show(&out));

    // A build that "succeeds" with a file that is not a component.
    std::fs::write(
        dir.join("tallyman-policy.yaml"),
        "build: printf 'not wasm' > policy.wasm\nwasm: policy.wasm\n",
    )
    .expect("write");
    let out = run(&["policy", "test", dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        stderr(&out).contains("not a WebAssembly component"),
        "{}",
        show(&out)
    );

    // Neither a project file nor a Cargo.toml.
    std::fs::remove_file(dir.join("tallyman-policy.yaml")).expect("remove");
    let out = run(&["policy", "test", dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        stderr(&out).contains("tallyman-policy.yaml"),
        "{}",
        show(&out)
    );
}

/// `scan -p` loads the three example policies with the built-ins and
/// reports findings of each on the example monorepo.
#[test]
fn scan_with_the_three_examples_reports_findings_of_each() {
    let mut policies = vec![rust_example_wasm()];
    let (out, _) = example("rust");
    assert_eq!(out.status.code(), Some(0), "{}", show(out));
    for lang in ["python", "js"] {
        if !toolchain_ready(lang) {
            return;
        }
        let (out, dir) = example(lang);
        assert_eq!(out.status.code(), Some(0), "{}", show(out));
        policies.push(dir.join("policy.wasm"));
    }
    let mut command = tallyman();
    command.args(["scan", "--format", "json"]);
    for policy in &policies {
        command.arg("-p").arg(policy);
    }
    let out = command
        .arg(workspace().join("examples/monorepo"))
        .output()
        .expect("the binary runs");
    // Exit 1: the example has findings at or above the fail-on level.
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["errors"], serde_json::json!([]), "{report:#}");
    let names: Vec<&str> = report["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let findings = report["findings"].as_array().expect("findings");
    let found = |policy: &str, rule: &str, path: &str| {
        findings
            .iter()
            .any(|f| f["policy"] == policy && f["rule_id"] == rule && f["path"] == path)
    };
    for policy in [
        "org-image-labels",
        "org-service-runtime",
        "org-node-runtime",
    ] {
        assert!(names.contains(&policy), "{policy} not loaded: {names:?}");
    }
    assert!(
        found("org-image-labels", "ORG001", "services/api/Dockerfile"),
        "{report:#}"
    );
    assert!(
        found("org-image-labels", "ORG003", "services/web/Dockerfile"),
        "{report:#}"
    );
    assert!(
        found("org-service-runtime", "PY002", "services/web/Dockerfile"),
        "{report:#}"
    );
    assert!(
        found("org-node-runtime", "JS002", "services/web/Dockerfile"),
        "{report:#}"
    );
    // The built-ins ran too.
    let builtin = report["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .filter(|p| p["builtin"] == true)
        .count();
    assert!(builtin >= 4, "{names:?}");
    assert!(
        findings.iter().any(|f| f["policy"] == "hardening"),
        "{report:#}"
    );
}

/// The examples carry a copy of the WIT (componentize-py and componentize-js
/// read it); it must be the workspace's.
#[test]
fn the_examples_wit_copies_match_the_workspace() {
    let wit = std::fs::read_to_string(workspace().join("wit/policy.wit")).expect("read wit/");
    for lang in ["python", "js"] {
        let copy = workspace()
            .join("examples/policies")
            .join(lang)
            .join("wit/policy.wit");
        let text = std::fs::read_to_string(&copy).expect("read the copy");
        assert!(
            text == wit,
            "{} differs from wit/policy.wit: copy it again (cp wit/policy.wit {})",
            copy.display(),
            copy.display()
        );
    }
}

/// `validate-settings` errors come back through each language's binding
/// of `result<_, string>` (a raised `Err` in Python, a thrown string in
/// JavaScript) and fail the case with the policy's own message.
#[test]
fn rejected_settings_fail_the_case_with_the_policys_message() {
    let tests = scratch().join("rejected-settings");
    let _ = std::fs::remove_dir_all(&tests);
    std::fs::create_dir_all(tests.join("unknown-key")).expect("create");
    std::fs::write(tests.join("unknown-key/Dockerfile"), "FROM alpine:3.22\n").expect("write");
    std::fs::write(
        tests.join("unknown-key/expected.yaml"),
        "settings:\n  no-such-setting: 1\n",
    )
    .expect("write");
    let mut wasm = vec![(
        "rust",
        rust_example_wasm(),
        "unknown field `no-such-setting`",
    )];
    for (lang, message) in [
        (
            "python",
            "unknown key `no-such-setting` (known: `allowed-ports`",
        ),
        (
            "js",
            "unknown key `no-such-setting` (known: `runtime-stages`",
        ),
    ] {
        if toolchain_ready(lang) {
            wasm.push((lang, example(lang).1.join("policy.wasm"), message));
        }
    }
    let (out, _) = example("rust");
    assert_eq!(out.status.code(), Some(0), "{}", show(out));
    for (lang, file, message) in wasm {
        let out = tallyman()
            .args(["policy", "test"])
            .arg(&file)
            .arg("--tests")
            .arg(&tests)
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(1), "{lang}: {}", show(&out));
        let text = stdout(&out);
        assert!(
            text.contains("error: the policy rejected the settings {\"no-such-setting\":1}: ")
                && text.contains(message),
            "{lang}: {text}"
        );
    }
}
