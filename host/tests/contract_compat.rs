//! Components built against `tallyman:policy@0.1.0`, before findings could
//! carry fixes, still load and run unchanged (`tests/contract-0.1.0/`, built
//! from the last commit with that contract); components of the current
//! contract return their fixes through the engine.

mod common;

use std::path::Path;

use tallyman::dockerfile::lower::{LowerOptions, lower};
use tallyman::dockerfile::model::{Applicability, Dockerfile, Finding};
use tallyman::dockerfile::parser::parse_str;
use tallyman::engine::{ConfiguredPolicy, ContractVersion, Engine, Limits, Policy, PolicySource};

use common::{engine_with, load, sample_targets, temp_cache};

fn old_component(name: &str) -> Vec<u8> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/contract-0.1.0")
        .join(format!("{name}.wasm"));
    std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
}

fn load_old(engine: &Engine, name: &str) -> Policy {
    engine
        .load_bytes(&old_component(name), PolicySource::Bytes)
        .unwrap_or_else(|e| panic!("the 0.1.0 component {name} loads: {e}"))
}

/// Every finding of `policy` on the sample targets, as comparable text.
fn echoed(engine: &Engine, policy: Policy) -> Vec<String> {
    let policies = [ConfiguredPolicy::new(policy, "{}")];
    let mut session = engine.session(&policies);
    let mut lines = Vec::new();
    for model in sample_targets() {
        for outcome in session.check_dockerfile(&model) {
            let findings = outcome
                .result
                .unwrap_or_else(|e| panic!("{}: {e}", model.path));
            lines.extend(findings.iter().map(|finding| line(&model.path, finding)));
        }
    }
    lines
}

fn line(path: &str, finding: &Finding) -> String {
    format!(
        "{path} {} {:?} {:?} {} {:?}",
        finding.rule_id, finding.span, finding.stage, finding.message, finding.autofix
    )
}

#[test]
fn components_of_the_previous_contract_load_and_run_unchanged() {
    let cache = temp_cache();
    for encoded_input in [true, false] {
        let engine = engine_with(
            Limits {
                encoded_input,
                ..Limits::default()
            },
            cache.path(),
        );
        for (old, current) in [("echo", "echo"), ("echo-sdk", "echo-sdk")] {
            let old_policy = load_old(&engine, old);
            assert_eq!(old_policy.contract_version(), ContractVersion::V0_1);
            assert!(
                old_policy
                    .imports()
                    .iter()
                    .any(|import| import == "tallyman:policy/host@0.1.0"),
                "{old} imports {:?}",
                old_policy.imports()
            );
            assert_eq!(old_policy.takes_encoded_input(), old == "echo-sdk");
            let current_policy = load(&engine, current);
            assert_eq!(current_policy.contract_version(), ContractVersion::V0_2);
            let before = echoed(&engine, old_policy);
            assert_eq!(before.len(), 6, "one finding per FROM: {before:#?}");
            assert_eq!(
                before,
                echoed(&engine, current_policy),
                "the 0.1.0 and 0.2.0 builds of {old} disagree (encoded input {encoded_input})"
            );
        }
    }
}

#[test]
fn settings_of_an_old_component_are_validated_through_its_own_bindings() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policy = load_old(&engine, "echo-sdk");
    assert_eq!(policy.info().rules[0].id, "ECHO1");
    let refused = engine.validate_settings(&policy, r#"{"unknown": 1}"#);
    assert!(refused.is_err(), "NoSettings refuses unknown keys");
    engine
        .validate_settings(&policy, "{}")
        .expect("empty settings pass");
}

fn parsed(text: &str) -> Dockerfile {
    let ast = parse_str(text).expect("the test Dockerfile parses");
    lower(
        &ast,
        &LowerOptions {
            path: "Dockerfile".into(),
            ..LowerOptions::default()
        },
    )
}

#[test]
fn fixes_of_built_in_rules_reach_the_host() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let policies: Vec<ConfiguredPolicy> = engine
        .load_builtin()
        .expect("the built-in policies load")
        .into_iter()
        .map(|policy| ConfiguredPolicy::new(policy, "{}"))
        .collect();
    let model = parsed("FROM alpine:3.22\nRUN echo hi\n  add app.py /app/\nMAINTAINER me\n");
    let findings: Vec<Finding> = engine
        .session(&policies)
        .check_dockerfile(&model)
        .into_iter()
        .flat_map(|outcome| outcome.result.expect("no policy fails"))
        .collect();
    let fix_of = |rule: &str| {
        findings
            .iter()
            .find(|finding| finding.rule_id == rule)
            .and_then(|finding| finding.autofix.clone())
            .unwrap_or_else(|| panic!("{rule} carries a fix: {findings:#?}"))
    };
    let add = fix_of("HD003");
    assert_eq!(add.applicability, Applicability::Safe);
    assert_eq!(add.edits.len(), 1);
    let span = add.edits[0].span;
    assert_eq!(
        (
            span.start_line,
            span.start_column,
            span.end_line,
            span.end_column
        ),
        (3, 3, 3, 6)
    );
    assert_eq!(add.edits[0].replacement, "copy");
    let label = fix_of("HD016");
    assert_eq!(
        label.edits[0].replacement,
        "LABEL org.opencontainers.image.authors=\"me\""
    );
    // Reports still point at lines: the instruction's column is for edits.
    let hd003 = findings
        .iter()
        .find(|f| f.rule_id == "HD003")
        .map(|f| f.span);
    assert_eq!(hd003.flatten().map(|span| span.start_column), Some(0));
}
