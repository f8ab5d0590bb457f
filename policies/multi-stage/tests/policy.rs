//! The multi-stage policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_multi_stage::MultiStage;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<MultiStage>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<MultiStage>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<MultiStage>();
    let info = testing::metadata::<MultiStage>();
    assert_eq!(info.name, "multi-stage");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "MS001", "MS002", "MS003", "MS004", "MS005", "MS006", "MS007", "MS008", "MS009",
            "MS010", "MS011", "MS012", "MS013"
        ]
    );
    let equivalents = |id: &str| {
        info.rules
            .iter()
            .find(|rule| rule.id == id)
            .map(|rule| rule.equivalents.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        equivalents("MS004"),
        ["hadolint:DL3022", "hadolint:DL3023", "trivy:DS-0006"]
    );
    assert_eq!(
        equivalents("MS005"),
        [
            "hadolint:DL3024",
            "hadolint:DL3063",
            "trivy:DS-0012",
            "checkov:CKV_DOCKER_11",
            "buildkit:DuplicateStageName",
            "buildkit:ReservedStageName"
        ]
    );
    assert_eq!(equivalents("MS007"), ["hadolint:DL3067"]);
    assert_eq!(
        equivalents("MS010"),
        ["buildkit:StageNameCasing", "buildkit:FromAsCasing"]
    );
    let severities: Vec<&str> = info
        .rules
        .iter()
        .map(|rule| testing::severity_name(rule.default_severity))
        .collect();
    assert_eq!(
        severities,
        [
            "medium", "medium", "low", "high", "high", "medium", "medium", "info", "low", "info",
            "low", "info", "medium"
        ]
    );
    let ms004 = info.rules.iter().find(|rule| rule.id == "MS004");
    assert!(
        ms004.is_some_and(|rule| rule.description.starts_with("## What it does\n")
            && rule.help.starts_with("## Example\n```dockerfile\n"))
    );
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (r#"{"target": 3}"#, "`target`: invalid type"),
        (r#"{"target": ""}"#, "`target`: `` is not a stage name"),
        (
            r#"{"target": "my stage"}"#,
            "`target`: `my stage` is not a stage name",
        ),
        (
            r#"{"allowed-final-bases": ["scratch", "node:"]}"#,
            "`allowed-final-bases[1]`: image pattern `node:` needs a name",
        ),
        (
            r#"{"allowed-final-bases": "scratch"}"#,
            "`allowed-final-bases`: invalid type",
        ),
        (
            r#"{"allowed-final-base": []}"#,
            "unknown field `allowed-final-base`",
        ),
        ("[]", "settings must be a JSON object"),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<MultiStage>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{"target": "release", "allowed-final-bases": ["scratch", "gcr.io/distroless/*", "ubuntu:24.04"]}"#;
    assert_eq!(testing::validate_settings::<MultiStage>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<MultiStage>("{}"), Ok(()));
    assert_eq!(testing::validate_settings::<MultiStage>(""), Ok(()));
}

#[test]
fn the_target_setting_and_the_scans_target_pick_the_final_stage() {
    let text = "FROM golang:1.23 AS build\nRUN go build -o /app .\nCMD [\"/app\"]\n\
                FROM gcr.io/distroless/static-debian12 AS release\nCOPY --from=build /app /app\n";
    let rules = |findings: Vec<tallyman_sdk::Finding>| {
        findings
            .into_iter()
            .map(|finding| format!("{}:{}", finding.rule_id, finding.line().unwrap_or(0)))
            .collect::<Vec<_>>()
    };
    // Built as a whole: the Go build is copied into a static base with cgo on.
    assert_eq!(rules(testing::check::<MultiStage>(text, "{}")), ["MS013:5"]);
    // `--target build` (setting or scan): the golang stage ships.
    let by_setting = testing::check::<MultiStage>(text, r#"{"target": "build"}"#);
    assert_eq!(rules(by_setting), ["MS001:1"]);
    let by_scan = testing::Check::new(text)
        .target("build")
        .run::<MultiStage>();
    assert_eq!(rules(by_scan), ["MS001:1"]);
    // A target setting naming no stage of this file falls back to the scan's.
    let unknown = testing::check::<MultiStage>(text, r#"{"target": "nope"}"#);
    assert_eq!(rules(unknown), ["MS013:5"]);
}
