//! The runner as the host calls it: settings `{"bundle": ...}` through the
//! SDK's settings parsing, validation, and `check-dockerfile`.

use tallyman_policy_rego::describe::describe;
use tallyman_policy_rego::testing::{TEST_RULE, TestResult};
use tallyman_policy_rego::{Module, Rego};
use tallyman_sdk::testing::{Check, validate_settings};

fn settings(name: &str, text: &str) -> String {
    let modules = vec![Module {
        path: format!("{name}.rego"),
        text: text.to_string(),
    }];
    let described = describe(name, modules, serde_json::Value::Null, "main").unwrap();
    serde_json::json!({ "bundle": described.bundle }).to_string()
}

/// `check-dockerfile` as the host calls it. (The SDK harness would refuse
/// the findings: the runner declares no rules itself, the host declares a
/// set's rules when it loads the set.)
fn run(dockerfile: &str, settings: &str) -> Vec<tallyman_sdk::Finding> {
    use tallyman_sdk::Policy;
    let settings = tallyman_sdk::settings::parse(settings).unwrap();
    Rego::check_dockerfile(&Check::new(dockerfile).model(), &settings)
}

const LATEST: &str = r#"package main
import rego.v1

deny contains result if {
	some command in input
	command.Cmd == "from"
	endswith(command.Value[0], ":latest")
	result := {"msg": sprintf("%s uses latest", [command.Value[0]]), "StartLine": command.StartLine}
}

warn_maintainer contains "MAINTAINER is deprecated" if {
	some command in input
	command.Cmd == "maintainer"
}
"#;

#[test]
fn conftest_rules_report_with_their_ids_lines_and_stages() {
    let settings = settings("org", LATEST);
    assert_eq!(validate_settings::<Rego>(&settings), Ok(()));
    let findings = run(
        "FROM alpine:3.20 AS build\nFROM ubuntu:latest\nMAINTAINER me\n",
        &settings,
    );
    let found: Vec<(&str, &str, Option<u32>, Option<u32>)> = findings
        .iter()
        .map(|f| {
            (
                f.rule_id.as_str(),
                f.message.as_str(),
                f.span.map(|s| s.start_line),
                f.stage,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("org/deny", "ubuntu:latest uses latest", Some(2), Some(1)),
            (
                "org/warn_maintainer",
                "MAINTAINER is deprecated",
                None,
                None
            ),
        ]
    );
}

#[test]
fn the_tallyman_shape_reads_split_commands() {
    let text = r#"package tallyman.sudo
import rego.v1
deny contains {"msg": "sudo", "startline": c.line} if {
	some stage in input.stages
	some instruction in stage.instructions
	some c in instruction.detail.Run.command.commands
	c.name == "sudo"
}
"#;
    let settings = settings("t", text);
    let findings = run(
        "FROM alpine:3.20\nRUN apk add curl && \\\n    sudo ls\n",
        &settings,
    );
    let found: Vec<(&str, Option<u32>)> = findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.span.map(|s| s.start_line)))
        .collect();
    assert_eq!(found, [("t/tallyman.sudo.deny", Some(3))]);
}

#[test]
fn a_forbidden_builtin_is_refused_at_validation() {
    let settings = settings(
        "net",
        "package main\nimport rego.v1\ndeny contains x if { x := time.now_ns() }\n",
    );
    let error = validate_settings::<Rego>(&settings).unwrap_err();
    assert!(
        error.starts_with("net.rego:3: calls `time.now_ns`"),
        "{error}"
    );
}

#[test]
fn a_result_that_cannot_be_reported_is_an_error_naming_the_rule() {
    let settings = settings(
        "bad",
        "package main\nimport rego.v1\ndeny contains 42 if { true }\n",
    );
    let outcome = std::panic::catch_unwind(|| run("FROM alpine:3.20\n", &settings));
    let message = outcome
        .expect_err("a trap")
        .downcast::<String>()
        .map(|m| *m)
        .unwrap_or_default();
    assert!(
        message.contains("data.main.deny gave a result that is a number"),
        "{message}"
    );
}

#[test]
fn settings_naming_a_test_run_that_test_and_report_its_outcome() {
    let modules = vec![
        Module {
            path: "p.rego".into(),
            text: "package main\nimport rego.v1\ndeny contains \"root\" if input[_].Value[0] == \"root\"\n".into(),
        },
        Module {
            path: "p_test.rego".into(),
            text: "package main\nimport rego.v1\ntest_root if { deny with input as [{\"Value\": [\"root\"]}] }\ntest_wrong if { count(deny) == 1 }\ntest_broken if { 1 / 0 }\n".into(),
        },
    ];
    // The host's test bundle: every module, no checks.
    let bundle = tallyman_policy_rego::Bundle {
        name: "p".into(),
        modules,
        ..Default::default()
    };
    let outcome = |test: &str| {
        let settings = serde_json::json!({ "bundle": bundle, "test": test }).to_string();
        let findings = run("FROM alpine:3.20\n", &settings);
        let [finding] = findings.as_slice() else {
            panic!("{test}: {findings:?}");
        };
        assert_eq!(finding.rule_id, TEST_RULE);
        TestResult::from_message(&finding.message).unwrap()
    };
    assert_eq!(outcome("data.main.test_root"), TestResult::Pass);
    assert_eq!(outcome("data.main.test_wrong"), TestResult::Fail);
    // A builtin's error (here a division by zero) makes its expression
    // undefined, as in OPA with its default non-strict builtin errors: the
    // test fails rather than erring.
    assert_eq!(outcome("data.main.test_broken"), TestResult::Fail);
}
