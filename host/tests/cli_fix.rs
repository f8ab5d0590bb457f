//! `tallyman fix` end to end: the binary on small trees, with the built-in
//! policies' fixes.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use cli_support::{text, write};

fn tallyman_in(dir: &Path, args: &[&str]) -> Output {
    cli_support::run(dir, "cli-fix-cache", args, &[])
}

fn tempdir(name: &str) -> PathBuf {
    cli_support::tempdir("cli-fix", name)
}

fn read(dir: &Path, path: &str) -> Vec<u8> {
    std::fs::read(dir.join(path)).expect("read")
}

const LEGACY: &str = "FROM alpine:3.22\nADD app.py /app/\nENV APP_HOME /app\nMAINTAINER Jane <jane@example.com>\nCMD python /app/app.py\n";

#[test]
fn fix_applies_safe_fixes_and_a_second_run_changes_nothing() {
    let dir = tempdir("safe");
    write(&dir, "Dockerfile", LEGACY.as_bytes());
    let out = tallyman_in(&dir, &["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fixed = text(&read(&dir, "Dockerfile"));
    assert_eq!(
        fixed,
        "FROM alpine:3.22\nCOPY app.py /app/\nENV APP_HOME=/app\nLABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"\nCMD python /app/app.py\n"
    );
    let summary = text(&out.stdout);
    assert!(
        summary.contains("applied 3 fixes in 1 of 1 files"),
        "{summary}"
    );
    for rule in ["HD003", "HD016", "ST005"] {
        assert!(summary.contains(rule), "{rule} in {summary}");
    }
    assert!(
        summary.contains("with an unsafe fix (--unsafe-fixes applies it)"),
        "HD013's exec form is unsafe: {summary}"
    );
    let again = tallyman_in(&dir, &["fix"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(text(&read(&dir, "Dockerfile")), fixed);
    assert!(text(&again.stdout).contains("applied 0 fixes in 0 of 1 files"));
}

#[test]
fn unsafe_fixes_only_on_request() {
    let dir = tempdir("unsafe");
    write(&dir, "Dockerfile", LEGACY.as_bytes());
    let out = tallyman_in(&dir, &["fix", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fixed = text(&read(&dir, "Dockerfile"));
    assert!(
        fixed.ends_with("CMD [\"python\", \"/app/app.py\"]\n"),
        "{fixed}"
    );
}

#[test]
fn diff_prints_and_check_exits_1_and_neither_writes() {
    let dir = tempdir("diff");
    write(&dir, "app/Dockerfile", LEGACY.as_bytes());
    let out = tallyman_in(&dir, &["fix", "--diff"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with("--- a/app/Dockerfile\n+++ b/app/Dockerfile\n"),
        "{diff}"
    );
    assert!(diff.contains("\n-ADD app.py /app/\n"), "{diff}");
    assert!(diff.contains("\n+COPY app.py /app/\n"), "{diff}");
    assert!(
        diff.contains("\n CMD python /app/app.py\n"),
        "unchanged lines are context: {diff}"
    );
    assert!(text(&out.stderr).contains("would apply 3 fixes"));
    assert_eq!(read(&dir, "app/Dockerfile"), LEGACY.as_bytes());

    let check = tallyman_in(&dir, &["fix", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stdout));
    assert_eq!(read(&dir, "app/Dockerfile"), LEGACY.as_bytes());

    let clean = tempdir("clean");
    write(
        &clean,
        "Dockerfile",
        b"FROM alpine:3.22\nCOPY app.py /app/\n",
    );
    let nothing = tallyman_in(&clean, &["fix", "--check"]);
    assert_eq!(nothing.status.code(), Some(0), "{}", text(&nothing.stdout));
}

#[test]
fn line_endings_bom_and_a_missing_final_newline_are_kept() {
    let dir = tempdir("bytes");
    write(
        &dir,
        "Dockerfile",
        b"\xef\xbb\xbfFROM alpine:3.22\r\nADD app.py /app/\r\nENV A 1",
    );
    let out = tallyman_in(&dir, &["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        read(&dir, "Dockerfile"),
        b"\xef\xbb\xbfFROM alpine:3.22\r\nCOPY app.py /app/\r\nENV A=1"
    );
}

#[test]
fn pragmas_and_configuration_keep_findings_from_being_fixed() {
    let dir = tempdir("pragmas");
    let text_before =
        "FROM alpine:3.22\n# tallyman ignore=HD003\nADD a.py /a/\nADD b.py /b/\nENV A 1\n";
    write(&dir, "Dockerfile", text_before.as_bytes());
    write(&dir, "tallyman.yaml", b"ignore:\n  rules: [ST005]\n");
    let out = tallyman_in(&dir, &["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&read(&dir, "Dockerfile")),
        "FROM alpine:3.22\n# tallyman ignore=HD003\nADD a.py /a/\nCOPY b.py /b/\nENV A 1\n"
    );
}

#[test]
fn files_that_do_not_parse_or_are_not_utf8_are_left_alone() {
    let dir = tempdir("refused");
    let broken = b"FROM alpine:3.22\nADD --bogus a /a\n";
    write(&dir, "broken/Dockerfile", broken);
    let latin1 = b"FROM alpine:3.22\n# caf\xe9\nADD a /a\n";
    write(&dir, "latin1/Dockerfile", latin1);
    let out = tallyman_in(&dir, &["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&dir, "broken/Dockerfile"), broken);
    assert_eq!(read(&dir, "latin1/Dockerfile"), latin1);
    let summary = text(&out.stdout);
    assert!(
        summary.contains("note: broken/Dockerfile: not a Dockerfile BuildKit accepts"),
        "{summary}"
    );
    assert!(
        summary.contains("note: latin1/Dockerfile: not UTF-8"),
        "{summary}"
    );
}

#[test]
fn scan_fix_fixes_then_reports_what_is_left() {
    let dir = tempdir("scan-fix");
    write(&dir, "Dockerfile", LEGACY.as_bytes());
    let out = tallyman_in(
        &dir,
        &["scan", "--fix", "-f", "json", "--fail-on", "critical"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&read(&dir, "Dockerfile")).contains("COPY app.py /app/"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|finding| finding["rule_id"].as_str())
        .collect();
    assert!(!rules.contains(&"HD003"), "{rules:?}");
    assert!(rules.contains(&"HD013"), "{rules:?}");
    let hd013 = report["findings"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["rule_id"] == "HD013"))
        .expect("HD013");
    assert_eq!(hd013["autofix"]["applicability"], "unsafe", "{hd013}");
    assert!(text(&out.stderr).contains("applied 3 fixes"));
}
