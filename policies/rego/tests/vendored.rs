//! The vendored real policies (`tests/rego/`), evaluated natively with the
//! runner's own code: trivy-checks' `_test.rego` suites, and conftest's
//! Dockerfile example giving the findings conftest documents.

use std::path::{Path, PathBuf};

use tallyman_policy_rego::Module;
use tallyman_policy_rego::describe::describe;
use tallyman_policy_rego::runner::Compiled;
use tallyman_policy_rego::testing::{TestResult, run_tests};

fn vendored(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/rego")
        .join(dir)
}

fn modules(root: &Path) -> Vec<Module> {
    let mut paths = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rego") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| Module {
            path: path.strip_prefix(root).unwrap().display().to_string(),
            text: std::fs::read_to_string(&path).unwrap(),
        })
        .collect()
}

fn model(text: &str) -> tallyman_sdk::Dockerfile {
    tallyman_sdk::testing::Check::new(text).model()
}

#[test]
fn every_trivy_check_test_passes() {
    let modules = modules(&vendored("trivy-checks"));
    let outcomes = run_tests(&modules, &serde_json::Value::Null).unwrap();
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.result != TestResult::Pass)
        .map(|o| format!("{} ({}): {:?}", o.name, o.path, o.result))
        .collect();
    assert!(outcomes.len() > 100, "only {} tests found", outcomes.len());
    assert!(
        failed.is_empty(),
        "{} of {} failed:\n{}",
        failed.len(),
        outcomes.len(),
        failed.join("\n")
    );
}

#[test]
fn conftest_example_gives_the_documented_findings() {
    let root = vendored("conftest-docker");
    let dockerfile = model(&std::fs::read_to_string(root.join("Dockerfile")).unwrap());
    let policy = modules(&root.join("policy"));

    // `conftest test -p policy Dockerfile`: package main only.
    let described = describe(
        "conftest-docker",
        policy.clone(),
        serde_json::Value::Null,
        "main",
    )
    .unwrap();
    let ids: Vec<&str> = described.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["conftest-docker/deny"]);
    let findings = Compiled::new(described.bundle)
        .unwrap()
        .check(&dockerfile)
        .unwrap();
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [r#"unallowed image found ["openjdk:8-jdk-alpine"]"#]
    );

    // `--all-namespaces`: the commands package too.
    let described = describe("conftest-docker", policy, serde_json::Value::Null, "*").unwrap();
    let mut findings = Compiled::new(described.bundle)
        .unwrap()
        .check(&dockerfile)
        .unwrap();
    findings.sort_by(|a, b| a.message.cmp(&b.message));
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "conftest-docker/commands.deny",
                r#"unallowed commands found ["apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1"]"#
            ),
            (
                "conftest-docker/deny",
                r#"unallowed image found ["openjdk:8-jdk-alpine"]"#
            ),
        ]
    );
}

#[test]
fn trivy_checks_find_what_they_describe_on_a_dockerfile() {
    let modules = modules(&vendored("trivy-checks"));
    let described = describe("trivy", modules, serde_json::Value::Null, "main").unwrap();
    let dockerfile =
        model("FROM ubuntu:latest\nRUN sudo apt-get install -y curl\nEXPOSE 22\nUSER root\n");
    let findings = Compiled::new(described.bundle)
        .unwrap()
        .check(&dockerfile)
        .unwrap();
    let mut found: Vec<(String, Option<u32>)> = findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.span.map(|s| s.start_line)))
        .collect();
    found.sort();
    for expected in [
        ("DS-0001", Some(1)),
        ("DS-0004", Some(3)),
        ("DS-0010", Some(2)),
    ] {
        assert!(
            found.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} not among {found:?}"
        );
    }
}

#[test]
fn a_builtin_failing_on_its_argument_is_undefined_as_in_opa() {
    // DS-0008 calls `to_number` on each EXPOSE port: on `$PORT` it fails,
    // which OPA (and Trivy) treat as undefined rather than as an error.
    let modules = modules(&vendored("trivy-checks"));
    let described = describe("trivy", modules, serde_json::Value::Null, "main").unwrap();
    let dockerfile = model("FROM alpine:3.20\nEXPOSE $PORT 22\n");
    let findings = Compiled::new(described.bundle)
        .unwrap()
        .check(&dockerfile)
        .unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.rule_id == "DS-0004" && f.span.map(|s| s.start_line) == Some(2)),
        "{findings:?}"
    );
}
