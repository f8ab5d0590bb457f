//! `tallyman parse` end to end: the binary on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tallyman(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .args(args)
        .env("TALLYMAN_DATE", "2026-01-15")
        .output()
        .expect("the binary runs")
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dockerfile/tests/data")
        .join(path)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn dump_matches_buildkit_result_byte_for_byte() {
    for case in [
        "env",
        "json",
        "escape",
        "health",
        "ADD-COPY-with-JSON",
        "continue-at-eof",
    ] {
        let dir = data("buildkit-parser/parser/testfiles").join(case);
        let file = dir.join("Dockerfile");
        let out = tallyman(&[
            "parse",
            "--format",
            "dump",
            file.to_str().expect("utf-8 path"),
        ]);
        assert!(out.status.success(), "{case}: {}", text(&out.stderr));
        let expected = std::fs::read(dir.join("result")).expect("result file");
        assert_eq!(text(&out.stdout), text(&expected), "{case}");
    }
}

#[test]
fn commands_format_matches_the_oracle_shape() {
    let file = data("buildkit-parser/parser/testfiles/health/Dockerfile");
    let out = tallyman(&[
        "parse",
        "--format",
        "commands",
        file.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["path"], file.to_str().expect("utf-8 path"));
    let first = &line["instructions"][0];
    for key in [
        "cmd",
        "sub_cmd",
        "json",
        "original",
        "start_line",
        "end_line",
        "flags",
        "value",
        "heredocs",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["value"][0], "debian");
}

#[test]
fn refused_file_is_an_error_naming_the_file_and_line() {
    let file = data("buildkit-parser/parser/testfiles-negative/env_no_value/Dockerfile");
    let path = file.to_str().expect("utf-8 path");
    let out = tallyman(&["parse", path]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(path), "{stderr}");
    assert!(stderr.contains("line "), "{stderr}");

    // In the commands format the refusal is data, as the oracle has it.
    let out = tallyman(&["parse", "--format", "commands", path]);
    assert_eq!(out.status.code(), Some(2));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(line["error"].as_str().is_some_and(|e| !e.is_empty()));
}

#[test]
fn json_model_of_the_example_with_build_args_and_target() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/monorepo/services/api/Dockerfile");
    let out = tallyman(&[
        "parse",
        "--build-arg",
        "GO_VERSION=1.24",
        "--target",
        "build",
        file.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON model");
    assert_eq!(
        model["stages"][0]["base"]["expanded"],
        "golang:1.24-bookworm"
    );
    assert_eq!(model["target_stage"], 0);
    assert_eq!(model["evaluated_on"], "2026-01-15");
}

#[test]
fn several_files_give_one_document_per_line_and_bad_ones_dont_stop_the_rest() {
    let dir = tempdir();
    let good = dir.join("Dockerfile");
    std::fs::write(&good, "FROM alpine:3.20\nRUN echo hi\n").expect("write");
    let binary = dir.join("Dockerfile.bin");
    std::fs::write(&binary, b"FROM alpine\n\x00\x01\x02").expect("write");
    let utf16 = dir.join("Dockerfile.utf16");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "FROM alpine\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).expect("write");
    let missing = dir.join("nope/Dockerfile");

    let out = tallyman(&[
        "parse",
        binary.to_str().expect("utf-8"),
        good.to_str().expect("utf-8"),
        utf16.to_str().expect("utf-8"),
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Dockerfile.bin") && stderr.contains("NUL"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Dockerfile.utf16") && stderr.contains("UTF-16"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nope/Dockerfile") && stderr.contains("cannot read"),
        "{stderr}"
    );

    let out = tallyman(&["parse", "--max-size", "10", good.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("10"), "{}", text(&out.stderr));
}

/// A fresh directory under the target dir (no tempfile crate needed for one use).
fn tempdir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cli-parse-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
