//! The hardening policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_hardening::Hardening;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<Hardening>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Hardening>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Hardening>();
    let info = testing::metadata::<Hardening>();
    assert_eq!(info.name, "hardening");
    let ids: Vec<String> = info.rules.iter().map(|rule| rule.id.clone()).collect();
    let expected: Vec<String> = (1..=21).map(|n| format!("HD{n:03}")).collect();
    assert_eq!(ids, expected);
    let hd001 = &info.rules[0];
    assert_eq!(
        hd001.equivalents,
        [
            "hadolint:DL3002",
            "trivy:DS-0002",
            "checkov:CKV_DOCKER_3",
            "checkov:CKV_DOCKER_8"
        ]
    );
    assert!(hd001.tags.contains(&"cis-docker-1.6:4.1".to_string()));
    assert!(hd001.description.starts_with("## What it does\n"));
    assert!(hd001.help.starts_with("## Example\n```dockerfile\n"));
    // Every security rule says so.
    for id in ["HD001", "HD002", "HD005", "HD006", "HD014"] {
        let rule = info.rules.iter().find(|rule| rule.id == id);
        assert!(
            rule.is_some_and(|rule| rule.tags.contains(&"security".to_string())),
            "{id} is not tagged security"
        );
    }
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (
            r#"{"target": " "}"#,
            "`target`: a stage name cannot be empty",
        ),
        (r#"{"target": 3}"#, "`target`: invalid type"),
        (
            r#"{"unpinned-severity": "urgent"}"#,
            "`unpinned-severity`: `urgent` is not a severity",
        ),
        (
            r#"{"unpinned-severity": true}"#,
            "`unpinned-severity`: invalid type",
        ),
        (
            r#"{"unpinned_severity": "low"}"#,
            "unknown field `unpinned_severity`",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<Hardening>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{"target": "release", "unpinned-severity": "High"}"#;
    assert_eq!(testing::validate_settings::<Hardening>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<Hardening>("{}"), Ok(()));
}

#[test]
fn unpinned_severity_setting_overrides_the_default() {
    let dockerfile = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n";
    let severities = |settings: &str| -> Vec<Option<tallyman_sdk::Severity>> {
        testing::check::<Hardening>(dockerfile, settings)
            .into_iter()
            .filter(|finding| finding.rule_id == "HD020")
            .map(|finding| finding.severity)
            .collect()
    };
    assert_eq!(severities("{}"), [None]);
    assert_eq!(
        severities(r#"{"unpinned-severity": "high"}"#),
        [Some(tallyman_sdk::Severity::High)]
    );
}

#[test]
fn odd_inputs_give_valid_findings_and_no_panic() {
    // (An empty file, instructions before the first FROM and others BuildKit
    // refuses are the parser's to refuse, not the policy's.)
    let inputs = [
        "ARG BASE\nFROM $BASE\n",
        "FROM scratch\nUSER :\nUSER \"\"\n",
        "FROM alpine\nEXPOSE 99999999999999999999 -1 /tcp : 22-\n",
        "FROM alpine\nRUN a |\nRUN | b\nRUN ''\nRUN \"\nRUN $(\n",
        "FROM alpine\nRUN sh -c \"$(curl\"\nRUN bash <(\nRUN curl x | sh -c\n",
        "FROM alpine\nRUN chmod\nRUN chmod 7777777777 x\nRUN mkdir -m\nCOPY --chmod= a b\n",
        "FROM alpine\nWORKDIR \"\"\nWORKDIR é\nADD https:// /\n",
        "FROM alpine\nRUN apt-get install -o\nRUN pip install -r\nRUN npm install @\nRUN go install @\n",
        "FROM alpine\nRUN set -o\nRUN set -o pipefail |\nSHELL [\"\"]\nRUN a | b\n",
        "FROM alpine\nENV GIT_SSL_NO_VERIFY= NODE_TLS_REJECT_UNAUTHORIZED=\nARG PIP_TRUSTED_HOST\n",
        "FROM alpine\nRUN echo 'é\\n\u{1F600}=0\\ngpgcheck=0' > x\nMAINTAINER \"\n",
        "FROM a AS b\nFROM b AS a\nUSER root\n",
    ];
    for input in inputs {
        // The harness validates every finding and panics with the reason on
        // an invalid one; a panic in the policy fails the test the same way.
        let findings = testing::check::<Hardening>(input, r#"{"target": "a"}"#);
        assert!(
            findings
                .iter()
                .all(|finding| finding.rule_id.starts_with("HD")),
            "{input:?}: {findings:?}"
        );
    }
}
