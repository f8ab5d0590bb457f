//! Rego sets through the engine, sandboxed: conftest's example gives the
//! findings conftest documents, and hostile sets end as classified policy
//! errors while a built-in policy beside them still reports.

mod common;

use std::path::{Path, PathBuf};

use tallyman::engine::rego::{self, RegoSet, RegoSpec};
use tallyman::engine::{ConfiguredPolicy, ErrorKind, Limits, Policy};

use common::{engine_with, temp_cache};

fn vendored(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/rego")
        .join(dir)
}

fn configured(policy: Policy) -> ConfiguredPolicy {
    let settings = policy
        .bundled_settings()
        .expect("a Rego set has its settings")
        .to_string();
    ConfiguredPolicy::new(policy, settings)
}

fn parse(path: &str, text: &str) -> tallyman::dockerfile::model::Dockerfile {
    let options = tallyman::dockerfile::LowerOptions {
        path: path.to_string(),
        ..Default::default()
    };
    tallyman::dockerfile::parse_and_lower(text.as_bytes(), &Default::default(), &options)
        .expect("the Dockerfile parses")
}

#[test]
fn conftest_example_gives_the_documented_findings_in_the_sandbox() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let root = vendored("conftest-docker");
    let mut spec = RegoSpec::new(&root.join("policy"));
    spec.namespace = Some("*".into());
    let set = RegoSet::read(&spec).unwrap();
    let policy = rego::load(&engine, &set).unwrap();
    assert_eq!(policy.name(), "policy");
    let target = parse(
        "Dockerfile",
        &std::fs::read_to_string(root.join("Dockerfile")).unwrap(),
    );
    let results = engine.check_dockerfiles(&[configured(policy)], &[target]);
    let findings = results[0][0].result.as_ref().expect("no policy error");
    let mut messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            r#"unallowed commands found ["apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1"]"#,
            r#"unallowed image found ["openjdk:8-jdk-alpine"]"#,
        ]
    );
}

#[test]
fn a_set_calling_a_forbidden_builtin_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.rego"),
        "package main\nimport rego.v1\ndeny contains msg if {\n  r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1/\"})\n  msg := r.body\n}\n",
    )
    .unwrap();
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let set = RegoSet::read(&RegoSpec::new(dir.path())).unwrap();
    let error = rego::load(&engine, &set).unwrap_err();
    assert!(
        error.message.contains("net.rego:4: calls `http.send`"),
        "{error}"
    );
}

#[test]
fn hostile_sets_end_as_classified_errors_and_a_builtin_still_reports() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let mut policies = Vec::new();
    for name in ["endless", "flood", "recursion"] {
        let mut spec = RegoSpec::new(&vendored("hostile").join(name));
        spec.name = Some(format!("hostile-{name}"));
        let set = RegoSet::read(&spec).unwrap();
        policies.push(configured(rego::load(&engine, &set).unwrap()));
    }
    let control = engine
        .load_builtin()
        .unwrap()
        .into_iter()
        .find(|p| p.name() == "base-image")
        .expect("the base-image built-in");
    policies.push(ConfiguredPolicy::new(control, "{}"));
    let target = parse("Dockerfile", "FROM ubuntu:latest\nRUN echo hi\n");
    let results = engine.check_dockerfiles(&policies, &[target]);
    for outcome in &results[0] {
        match outcome.policy.name() {
            "base-image" => {
                let findings = outcome.result.as_ref().expect("the control reports");
                assert!(!findings.is_empty());
            }
            name => {
                let error = outcome.result.as_ref().expect_err(name);
                assert!(
                    matches!(
                        error.kind,
                        ErrorKind::Timeout | ErrorKind::OutOfMemory | ErrorKind::Trap
                    ),
                    "{name}: {error}"
                );
                eprintln!(
                    "{name}: {:?}: {}",
                    error.kind,
                    error.message.lines().next().unwrap_or("")
                );
            }
        }
    }
}
