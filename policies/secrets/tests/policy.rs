//! The secrets policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_secrets::Secrets;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<Secrets>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Secrets>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Secrets>();
    let info = testing::metadata::<Secrets>();
    assert_eq!(info.name, "secrets");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "SEC001", "SEC002", "SEC003", "SEC004", "SEC005", "SEC006", "SEC007", "SEC008",
            "SEC009", "SEC010", "SEC011"
        ]
    );
    let sec001 = &info.rules[0];
    assert_eq!(
        sec001.equivalents,
        [
            "hadolint:DL3064",
            "buildkit:SecretsUsedInArgOrEnv",
            "trivy:DS-0031"
        ]
    );
    for rule in &info.rules {
        // SEC011 (an empty password) stores no secret: CIS 4.10 is not its.
        let cis = if rule.id == "SEC011" {
            "cis-docker-1.6:4.1"
        } else {
            "cis-docker-1.6:4.10"
        };
        assert!(
            rule.tags.iter().any(|tag| tag == cis) && rule.tags.iter().any(|tag| tag == "security"),
            "{}: {:?}",
            rule.id,
            rule.tags
        );
    }
    assert_eq!(
        info.rules[1].default_severity,
        tallyman_sdk::Severity::Critical
    );
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (
            r#"{"secret-names": "TOKEN"}"#,
            "`secret-names`: invalid type",
        ),
        (r#"{"secret-name": []}"#, "unknown field `secret-name`"),
        (
            r#"{"secret-names": ["MY TOKEN"]}"#,
            "`secret-names[0]`: `MY TOKEN` is not a variable name or pattern",
        ),
        (
            r#"{"allowed-names": ["OK", "**"]}"#,
            "`allowed-names[1]`: `**` would match every name",
        ),
        (
            r#"{"allowed-values": ["*"]}"#,
            "`allowed-values[0]`: `*` would allow every value",
        ),
        (
            r#"{"target": ""}"#,
            "`target`: a stage name cannot be empty",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<Secrets>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{
        "target": "release",
        "secret-names": ["cert_key", "ACME_*"],
        "allowed-names": ["DUMMY_TOKEN", "TEST_*"],
        "allowed-values": ["AKIAIOSFODNN7EXAMPLE", "test-*"]
    }"#;
    assert_eq!(testing::validate_settings::<Secrets>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<Secrets>("{}"), Ok(()));
}

#[test]
fn messages_never_print_a_whole_secret() {
    let token = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
    let password = "Tr0ub4dor3xyz";
    let text = format!(
        "FROM alpine:3.22\nENV GITHUB_TOKEN={token}\nRUN git clone https://bot:{password}@git.example.com/app.git\n"
    );
    let findings = testing::check::<Secrets>(&text, "{}");
    assert!(findings.len() >= 3, "{findings:?}");
    for finding in &findings {
        let shown = format!(
            "{} {}",
            finding.message,
            finding.fix.as_deref().unwrap_or_default()
        );
        assert!(!shown.contains(token), "{shown}");
        assert!(!shown.contains(password), "{shown}");
    }
}
