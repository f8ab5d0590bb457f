//! The test harness on a small policy: checks, findings validation,
//! fixture markers, and the failures it reports.

use std::fs;
use std::path::PathBuf;

use serde::Deserialize;
use tallyman_sdk::prelude::*;
use tallyman_sdk::testing::{self, Check, Fixture};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `sudo` in `RUN`.
    ///
    /// ## Why is this bad?
    /// Builds run as root already.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN sudo true
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN true
    /// ```
    const TS001 = {
        id: "TS001",
        title: "sudo in RUN",
        severity: Medium,
        tags: ["security"],
        equivalents: ["hadolint:DL3004"],
    };
}

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags the final stage when it is built from `scratch`.
    ///
    /// ## Why is this bad?
    /// It is not; this is a test.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// ```
    ///
    /// ## Fix
    /// Nothing to fix.
    const TS002 = {
        id: "TS002",
        title: "Final stage from scratch",
        severity: Info,
        tags: [],
        equivalents: [],
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct Settings {
    target: Option<String>,
    allow_sudo: bool,
}

struct Sample;

impl Policy for Sample {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "sample",
            version: "0.1.0",
            description: "A policy for the harness tests",
            rules: &[&TS001, &TS002],
        }
    }

    fn validate_settings(settings: &Settings) -> Result<(), String> {
        match &settings.target {
            Some(target) if target.is_empty() => Err("`target`: empty".to_string()),
            _ => Ok(()),
        }
    }

    fn check_dockerfile(dockerfile: &Dockerfile, settings: &Settings) -> Vec<Finding> {
        let mut findings = Vec::new();
        if !settings.allow_sudo {
            for (stage, run, command) in dockerfile.run_commands() {
                if command.is("sudo") {
                    findings.push(
                        Finding::at(&TS001, (stage, run))
                            .message(format!("`{}` uses sudo", command.text)),
                    );
                }
            }
        }
        if let Some(stage) = dockerfile.final_stage(settings.target.as_deref())
            && stage.is_from_scratch()
        {
            findings.push(Finding::at(&TS002, stage));
        }
        findings
    }
}

/// A policy that breaks the host's rules on output.
struct Broken;

impl Policy for Broken {
    type Settings = NoSettings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "broken",
            version: "0.1.0",
            description: "Reports what it did not declare",
            rules: &[&TS001],
        }
    }

    fn check_dockerfile(_: &Dockerfile, _: &NoSettings) -> Vec<Finding> {
        vec![Finding::new(&TS002).lines(99, 99).stage(7)]
    }
}

#[test]
fn check_runs_the_policy_on_text_with_its_settings() {
    let text = "FROM debian:12 AS build\nRUN apt-get update && sudo apt-get install -y make\nFROM scratch\n";
    let findings = testing::check::<Sample>(text, "{}");
    assert_eq!(
        testing::render::<Sample>(&findings),
        "2 TS001 medium [stage 0] `sudo apt-get install -y make` uses sudo\n\
         3 TS002 info [stage 1] Final stage from scratch\n"
    );
    let quiet = testing::check::<Sample>(text, r#"{"allow-sudo": true, "target": "build"}"#);
    assert!(quiet.is_empty(), "{quiet:?}");
}

#[test]
fn settings_are_validated_like_the_host_does() {
    assert_eq!(
        testing::validate_settings::<Sample>(r#"{"target": "x"}"#),
        Ok(())
    );
    assert_eq!(
        testing::validate_settings::<Sample>(r#"{"target": ""}"#),
        Err("`target`: empty".to_string())
    );
    let error = testing::validate_settings::<Sample>(r#"{"allow_sudo": true}"#).unwrap_err();
    assert!(error.starts_with("unknown field `allow_sudo`"), "{error}");
    let panic = std::panic::catch_unwind(|| testing::check::<Sample>("FROM scratch\n", "[1]"));
    assert!(panic.is_err(), "invalid settings must fail the test");
}

#[test]
fn invalid_findings_fail_the_test_with_every_reason() {
    let panic = std::panic::catch_unwind(|| testing::check::<Broken>("FROM scratch\n", "{}"));
    let message = panic
        .err()
        .and_then(|payload| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("rule id not declared"), "{message}");
    assert!(message.contains("past the end of the file"), "{message}");
    assert!(message.contains("stage 7 does not exist"), "{message}");
}

#[test]
fn metadata_comes_from_the_declarations() {
    let info = testing::metadata::<Sample>();
    assert_eq!(info.rules.len(), 2);
    assert_eq!(info.rules[0].id, "TS001");
    assert_eq!(info.rules[0].default_severity, Severity::Medium);
    assert_eq!(
        info.rules[0].description,
        "## What it does\nFlags `sudo` in `RUN`.\n\n## Why is this bad?\nBuilds run as root already."
    );
    testing::assert_rules_documented::<Sample>();
}

#[test]
fn fixture_markers_set_expectations_and_setup() {
    let text = "\
# settings: {\"target\": \"base\"}
# evaluated-on: 2030-01-02
# dockerignore: target, .git
FROM debian:12 AS base
# expect: TS001
RUN sudo true \\
    && echo done
FROM scratch
";
    let fixture = Fixture::parse("TS001", "TS001/bad.Dockerfile", text).unwrap();
    assert_eq!(fixture.expected, [("TS001".to_string(), 6)]);
    assert!(fixture.fires());
    let model = fixture.check.model();
    assert_eq!(model.evaluated_on, "2030-01-02");
    assert_eq!(
        model.build_context.dockerignore_patterns,
        ["target", ".git"]
    );
    let (findings, problems) = fixture.run::<Sample>();
    assert!(problems.is_empty(), "{problems:?}");
    // The target setting made stage 0 final, so TS002 does not fire; it is
    // not checked in this fixture anyway.
    assert_eq!(findings.len(), 1);
}

#[test]
fn fixture_mismatches_are_all_reported() {
    let text = "\
FROM debian:12
# expect: TS001, TS002
RUN sudo true
RUN sudo false
";
    let fixture = Fixture::parse("TS001", "TS001/wrong.Dockerfile", text).unwrap();
    let (_, problems) = fixture.run::<Sample>();
    assert_eq!(
        problems,
        [
            "TS001/wrong.Dockerfile: expected TS002 on line 3, not reported",
            "TS001/wrong.Dockerfile: unexpected TS001 on line 4: `sudo false` uses sudo",
        ]
    );
    let dangling = Fixture::parse(
        "TS001",
        "TS001/x.Dockerfile",
        "FROM scratch\n# expect: TS001\n",
    );
    assert!(
        dangling
            .unwrap_err()
            .contains("not followed by an instruction")
    );
}

#[test]
fn assert_fixtures_requires_firing_and_quiet_cases_for_every_rule() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("harness-fixtures");
    let _ = fs::remove_dir_all(&dir);
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "TS001/bad.Dockerfile",
        "FROM debian:12\n# expect: TS001\nRUN sudo true\n",
    );
    write("TS001/good.Dockerfile", "FROM debian:12\nRUN true\n");
    write("TS002/bad.Dockerfile", "# expect: TS002\nFROM scratch\n");
    write("XX001/bad.Dockerfile", "FROM scratch\n");
    let panic = std::panic::catch_unwind(|| testing::assert_fixtures::<Sample>(&dir));
    let message = panic
        .err()
        .and_then(|payload| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(
        message.contains("XX001/bad.Dockerfile: the directory names no rule"),
        "{message}"
    );
    assert!(message.contains("TS002: no fixture"), "{message}");
    assert!(message.contains("where it must not fire"), "{message}");
    assert!(!message.contains("TS001:"), "{message}");

    write("TS002/good.Dockerfile", "FROM debian:12\n");
    fs::remove_dir_all(dir.join("XX001")).unwrap();
    testing::assert_fixtures::<Sample>(&dir);
}

#[test]
fn check_builder_sets_the_scan_circumstances() {
    let model = Check::new("ARG V=1\nFROM alpine:3.$V AS a\nFROM scratch AS b\n")
        .target("a")
        .build_arg("V", "22")
        .path("svc/Dockerfile")
        .model();
    assert_eq!(model.path, "svc/Dockerfile");
    assert_eq!(model.target_stage, 0);
    assert_eq!(model.stages[0].base.expanded, "alpine:3.22");
    assert_eq!(model.evaluated_on, testing::DEFAULT_EVALUATION_DATE);
    assert_eq!(model.build_context.dockerignore_path, None);
}
