//! `tallyman rule ID` end to end: the binary explaining the built-in rules
//! (and a `-p` policy's), and what it says about an id nobody declares.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One compile cache for every test of this file: the built-ins compile once.
fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-rule-cache")
}

fn tallyman(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .args(args)
        .arg("--cache-dir")
        .arg(cache_dir())
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The ruff-style sections every built-in rule documents, in order.
const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix",
];

/// Where each of `SECTIONS` starts a line of `text`, or which is missing
/// or out of order.
fn section_offsets(text: &str) -> Result<Vec<usize>, String> {
    let mut offsets = Vec::new();
    let mut from = 0;
    for section in SECTIONS {
        let line = format!("\n{section}\n");
        let at = text
            .get(from..)
            .and_then(|rest| rest.find(&line))
            .ok_or_else(|| format!("no `{section}` line after byte {from}"))?;
        offsets.push(from + at);
        from += at + line.len();
    }
    Ok(offsets)
}

#[test]
fn ms004_prints_its_header_and_documentation() {
    let out = tallyman(&["rule", "MS004"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let header = "\
# MS004: Stage reference names no earlier stage

- Policy: multi-stage ";
    assert!(text.starts_with(header), "{text}");
    for line in [
        "- Default severity: high\n",
        "- Tags: correctness\n",
        "- Equivalents: hadolint:DL3022, hadolint:DL3023, trivy:DS-0006\n",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    let offsets = section_offsets(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    // The body of each section, not just its heading, made it through
    // metadata(): the description (before `## Example`) and the help.
    let body = |i: usize| {
        let start = offsets[i];
        let end = offsets.get(i + 1).copied().unwrap_or(text.len());
        &text[start..end]
    };
    assert!(body(0).contains("COPY --from"), "{}", body(0));
    assert!(body(1).contains("a stranger's image"), "{}", body(1));
    assert!(
        body(2).contains("COPY --from=build /app /app"),
        "{}",
        body(2)
    );
    assert!(
        body(3).contains("COPY --from=builder /app /app"),
        "{}",
        body(3)
    );
    assert!(text.ends_with("```\n"), "{text}");
}

#[test]
fn the_id_is_matched_in_any_case() {
    let upper = tallyman(&["rule", "MS004"]);
    let lower = tallyman(&["rule", "ms004"]);
    assert!(lower.status.success(), "{}", stderr(&lower));
    assert_eq!(stdout(&lower), stdout(&upper));
}

#[test]
fn tallymans_own_rules_are_explained_too() {
    for id in ["TM001", "tm002", "TM003"] {
        let out = tallyman(&["rule", id]);
        assert!(out.status.success(), "{id}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("# {}: ", id.to_uppercase())),
            "{text}"
        );
        assert!(text.contains("- Policy: tallyman "), "{text}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&tallyman(&["rule", "TM003", "-f", "json"]))).expect("JSON");
    assert_eq!(json["equivalents"][0], "hadolint:DL1001");
    assert_eq!(json["policy"]["name"], "tallyman");
}

#[test]
fn cis_controls_are_listed_apart_from_the_other_tags() {
    let out = tallyman(&["rule", "hd001"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("# HD001: "), "{text}");
    assert!(text.contains("\n- Tags: security\n"), "{text}");
    assert!(
        text.contains("\n- CIS Docker Benchmark 1.6: 4.1\n"),
        "{text}"
    );
}

#[test]
fn json_is_the_rule_record() {
    let out = tallyman(&["rule", "sec001", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(record["id"], "SEC001");
    assert_eq!(record["policy"]["name"], "secrets");
    assert_eq!(record["policy"]["builtin"], true);
    assert_eq!(record["severity"], "high");
    let strings = |key: &str| -> Vec<String> {
        record[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} is an array: {record}"))
            .iter()
            .map(|v| v.as_str().expect("a string").to_string())
            .collect()
    };
    assert!(strings("tags").contains(&"cis-docker-1.6:4.10".to_string()));
    assert!(strings("equivalents").contains(&"hadolint:DL3064".to_string()));
    let description = record["description"].as_str().expect("description");
    let help = record["help"].as_str().expect("help");
    assert!(
        description.starts_with("## What it does\n"),
        "{description}"
    );
    assert!(
        description.contains("\n## Why is this bad?\n"),
        "{description}"
    );
    assert!(help.starts_with("## Example\n"), "{help}");
    assert!(help.contains("\n## Fix\n"), "{help}");
}

#[test]
fn every_built_in_rule_prints_all_four_sections() {
    let out = tallyman(&["policy", "list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let policies: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ids: Vec<String> = policies
        .as_array()
        .expect("a list of policies")
        .iter()
        .flat_map(|p| p["rules"].as_array().expect("rules").iter())
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    assert!(
        ids.len() >= 50,
        "only {} built-in rules: {ids:?}",
        ids.len()
    );
    let mut failures = Vec::new();
    for id in &ids {
        let out = tallyman(&["rule", id]);
        let text = stdout(&out);
        if !out.status.success() {
            failures.push(format!("{id}: exit {}: {}", out.status, stderr(&out)));
        } else if !text.starts_with(&format!("# {id}: ")) {
            failures.push(format!("{id}: header: {text}"));
        } else if let Err(e) = section_offsets(&text) {
            failures.push(format!("{id}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_unknown_id_is_an_error_with_an_overview() {
    let out = tallyman(&["rule", "NOPE"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("no loaded policy declares rule `NOPE`"),
        "{err}"
    );
    // Nothing is close to NOPE: the message says which ids there are.
    assert!(
        err.contains("MS001 to MS013 (multi-stage, 13 rules)"),
        "{err}"
    );
    assert!(err.contains("`tallyman policy info NAME`"), "{err}");
}

#[test]
fn a_misspelt_id_suggests_the_closest() {
    let out = tallyman(&["rule", "ms04"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no loaded policy declares rule `ms04`"),
        "{err}"
    );
    assert!(err.contains("did you mean `MS004`"), "{err}");
}

#[test]
fn another_tools_id_points_to_its_equivalent() {
    let out = tallyman(&["rule", "DL3007"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`BI002` (base-image)"), "{err}");
}

#[test]
fn a_policy_given_with_p_is_searched_too() {
    let echo = common::test_policies().join("echo.wasm");
    let echo = echo.to_str().expect("utf-8 path");
    let out = tallyman(&["rule", "echo1", "-p", echo]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The test policy declares no documentation: the header says so much.
    assert_eq!(
        text,
        format!(
            "# ECHO1: rule ECHO1\n\n\
             - Policy: echo 0.1.0 ({echo})\n\
             - Default severity: medium\n\n\
             (the policy gives no documentation for this rule)\n"
        )
    );
    let without = tallyman(&["rule", "echo1"]);
    assert_eq!(without.status.code(), Some(2));
}
