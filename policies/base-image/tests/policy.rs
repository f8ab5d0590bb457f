//! The base-image policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_base_image::BaseImage;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<BaseImage>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<BaseImage>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<BaseImage>();
    let info = testing::metadata::<BaseImage>();
    assert_eq!(info.name, "base-image");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "BI001", "BI002", "BI003", "BI004", "BI005", "BI006", "BI007", "BI008", "BI009"
        ]
    );
    let bi002 = &info.rules[1];
    assert_eq!(
        bi002.equivalents,
        ["hadolint:DL3007", "trivy:DS-0001", "checkov:CKV_DOCKER_7"]
    );
    assert!(bi002.description.starts_with("## What it does\n"));
    assert!(
        bi002
            .help
            .starts_with("## Example\n```dockerfile\nFROM node:latest\n```")
    );
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (
            r#"{"require-digest": "yes"}"#,
            "`require-digest`: invalid type",
        ),
        (
            r#"{"trusted-registry": []}"#,
            "unknown field `trusted-registry`",
        ),
        (
            r#"{"trusted-registries": ["docker.io", "gcr.io/distroless"]}"#,
            "`trusted-registries[1]`: `gcr.io/distroless` is not a registry host",
        ),
        (
            r#"{"allowed-final-bases": ["node:"]}"#,
            "`allowed-final-bases[0]`: image pattern `node:` needs a name",
        ),
        (
            r#"{"end-of-life": [{"image": "python", "version": "3.10", "date": "2026-13-01"}]}"#,
            "`end-of-life[0].date`: `2026-13-01` is not a date",
        ),
        (
            r#"{"end-of-life": [{"image": "python", "version": "3..10", "date": "2026-10-31"}]}"#,
            "`end-of-life[0].version`: `3..10` is not a version",
        ),
        (
            r#"{"end-of-life": [{"image": "python", "date": "2026-10-31"}]}"#,
            "`end-of-life[0]`: missing field `version`",
        ),
        (
            r#"{"target": " "}"#,
            "`target`: a stage name cannot be empty",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<BaseImage>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{
        "target": "release",
        "require-digest": true,
        "trusted-registries": ["*.gcr.io", "docker.io"],
        "allowed-final-bases": ["scratch", "gcr.io/distroless/*", "alpine:3.*"],
        "end-of-life": [{"image": "python", "version": "3.10", "date": "2026-10-31", "name": "Python 3.10"}]
    }"#;
    assert_eq!(testing::validate_settings::<BaseImage>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<BaseImage>("{}"), Ok(()));
}

#[test]
fn end_of_life_is_skipped_with_a_log_line_when_the_date_is_unusable() {
    let findings = testing::Check::new("FROM python:2.7\n")
        .evaluated_on("someday")
        .run::<BaseImage>();
    assert!(findings.iter().all(|finding| finding.rule_id != "BI005"));
    let logs = testing::take_logs();
    assert!(
        logs.iter()
            .any(|(_, message)| message.contains("BI005 skipped")),
        "{logs:?}"
    );
}
