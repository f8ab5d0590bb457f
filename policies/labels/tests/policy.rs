//! The labels policy on its fixtures (`tests/fixtures/<RULE>/`), on image
//! models built in the test, its metadata and its settings.

use std::path::PathBuf;

use serde_json::{Value, json};
use tallyman_policy_labels::Labels;
use tallyman_sdk::{Finding, testing};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<Labels>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Labels>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Labels>();
    let info = testing::metadata::<Labels>();
    assert_eq!(info.name, "labels");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(ids, ["LB001", "LB002", "LB003", "LB004", "LB005"]);
    let lb005 = &info.rules[4];
    assert_eq!(
        lb005.equivalents,
        [
            "hadolint:DL3052",
            "hadolint:DL3053",
            "hadolint:DL3054",
            "hadolint:DL3055",
            "hadolint:DL3056",
            "hadolint:DL3058"
        ]
    );
    assert!(lb005.description.starts_with("## What it does\n"));
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (
            r#"{"schema": {"version": "semvr"}}"#,
            "`schema.version`: `semvr` is not a label type (text, url, rfc3339, spdx, hash, semver, email)",
        ),
        (
            r#"{"schema": {"version": "SEMVER"}}"#,
            "`schema.version`: `SEMVER` is not a label type",
        ),
        (
            r#"{"schema": {" ": "text"}}"#,
            "`schema`: a label key cannot be empty",
        ),
        (
            r#"{"schema": {"version": 1}}"#,
            "`schema.version`: invalid type",
        ),
        (r#"{"schema": ["version"]}"#, "`schema`: invalid type"),
        (r#"{"strict": "yes"}"#, "`strict`: invalid type"),
        (
            r#"{"strict-labels": true}"#,
            "unknown field `strict-labels`",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<Labels>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let every_type = r#"{"schema": {"a": "text", "b": "url", "c": "rfc3339", "d": "spdx",
        "e": "hash", "f": "semver", "g": "email", "h": ""}, "strict": true, "target": "release"}"#;
    assert_eq!(testing::validate_settings::<Labels>(every_type), Ok(()));
    assert_eq!(testing::validate_settings::<Labels>("{}"), Ok(()));
}

/// An image with these labels and annotations.
fn image(labels: Value, annotations: Value) -> Value {
    json!({
        "reference": "oci:build/image:1.0",
        "manifest_digest": format!("sha256:{}", "a".repeat(64)),
        "platform": {"os": "linux", "architecture": "amd64", "variant": null},
        "requested_platform": {"os": "linux", "architecture": "amd64", "variant": null},
        "config": {
            "user": "10001", "env": [], "entrypoint": null, "cmd": ["/app"], "working_dir": "",
            "exposed_ports": [], "healthcheck": null, "volumes": [], "stop_signal": null,
            "labels": labels
        },
        "history": [],
        "layers": [],
        "annotations": annotations,
        "created": null,
        "evaluated_on": "2026-01-15"
    })
}

fn check_image(image: &Value, settings: &str) -> Vec<Finding> {
    testing::check_image_json::<Labels>(image, settings)
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

const SCHEMA: &str = r#"{"schema": {
    "org.opencontainers.image.version": "semver",
    "org.opencontainers.image.created": "rfc3339",
    "org.opencontainers.image.revision": "hash"}, "strict": true}"#;

#[test]
fn images_are_checked_against_the_schema_in_labels_and_annotations() {
    let clean = image(
        json!([
            {"key": "org.opencontainers.image.version", "value": "1.4.0"},
            // A base image's label: strict does not apply to images.
            {"key": "Maintainer", "value": "NGINX Docker Maintainers"}
        ]),
        json!([
            {"key": "org.opencontainers.image.created", "value": "2026-01-15T09:30:00Z"},
            {"key": "org.opencontainers.image.revision", "value": "0123abcd"}
        ]),
    );
    assert!(check_image(&clean, SCHEMA).is_empty());
    // Nothing without a schema.
    assert!(check_image(&image(json!([]), json!([])), "{}").is_empty());

    let missing = check_image(&image(json!([]), json!([])), SCHEMA);
    assert_eq!(ids(&missing), ["LB002"]);
    assert!(
        missing[0].message.contains(
            "no `org.opencontainers.image.created`, `org.opencontainers.image.revision`, \
             `org.opencontainers.image.version` labels, which the label schema requires (as a label or a manifest annotation)"
        ),
        "{}",
        missing[0].message
    );

    let wrong = image(
        json!([
            {"key": "org.opencontainers.image.version", "value": "v1.4.0"},
            {"key": "org.opencontainers.image.created", "value": ""}
        ]),
        json!([
            {"key": "org.opencontainers.image.revision", "value": "HEAD"},
            {"key": "org.opencontainers.image.created", "value": " "}
        ]),
    );
    let found = check_image(&wrong, SCHEMA);
    assert_eq!(ids(&found), ["LB004", "LB005", "LB005"]);
    assert!(
        found[0]
            .message
            .contains("`org.opencontainers.image.created` is empty")
    );
    assert!(
        found[1]
            .message
            .contains("manifest annotation `org.opencontainers.image.revision` is `HEAD`, not a git commit hash"),
        "{}",
        found[1].message
    );
    assert!(
        found[2].message.contains(
            "label `org.opencontainers.image.version` is `v1.4.0`, not a semantic version"
        ),
        "{}",
        found[2].message
    );
    // An empty label with a value in the annotations is set.
    let annotated = image(
        json!([{"key": "org.opencontainers.image.created", "value": ""}]),
        json!([{"key": "org.opencontainers.image.created", "value": "2026-01-15T09:30:00Z"}]),
    );
    let found = check_image(
        &annotated,
        r#"{"schema": {"org.opencontainers.image.created": "rfc3339"}}"#,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn messages_say_why_a_value_is_not_of_its_type() {
    let schema = r#"{"schema": {"v": "semver", "d": "rfc3339", "l": "spdx", "u": "url", "m": "email", "h": "hash"}}"#;
    let dockerfile =
        "FROM alpine:3.22\nLABEL v=v1.2.3 d=2026-01-15 l=GPLv3 u=example.com m=jane h=abc\n";
    let messages: Vec<String> = testing::check::<Labels>(dockerfile, schema)
        .into_iter()
        .map(|finding| finding.message)
        .collect();
    assert_eq!(
        messages,
        [
            "label `v` is `v1.2.3`, not a semantic version (SemVer 2.0.0): a leading `v` is not part of a semantic version",
            "label `d` is `2026-01-15`, not an RFC 3339 date and time: it is a date without a time (`2026-01-15T00:00:00Z`)",
            "label `l` is `GPLv3`, not an SPDX license expression: not an identifier of the SPDX license list (`Apache-2.0`, `MIT`) or a `LicenseRef-`",
            "label `u` is `example.com`, not an absolute URL (RFC 3986): it has no scheme (`https:`)",
            "label `m` is `jane`, not an email address (RFC 5322): it has no `@`",
            "label `h` is `abc`, not a git commit hash: 3 hex digits are too few for a commit id (7 or more)",
        ]
    );
}

#[test]
fn odd_inputs_give_valid_findings_and_no_panic() {
    let inputs = [
        "FROM alpine\nLABEL a=\n",
        "FROM alpine\nLABEL \"\"=x\n",
        "FROM alpine\nLABEL é=é\n",
        "FROM alpine\nLABEL v=\u{1F600} d=9999-99-99T99:99:99Z u=:: m=@ h=\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} l=(((\n",
        "FROM alpine\nLABEL d=2026-01-15T09:30:00.\u{e9} u=http://[ m=\"\\\"@x l=\")\"\n",
        "FROM a AS b\nFROM b AS a\nLABEL v=1\n",
        "ARG X\nFROM $X\nLABEL $X=$X\n",
    ];
    let settings = r#"{"schema": {"v": "semver", "d": "rfc3339", "l": "spdx", "u": "url", "m": "email", "h": "hash", "a": "text"}, "strict": true}"#;
    for input in inputs {
        let findings = testing::check::<Labels>(input, settings);
        assert!(
            findings
                .iter()
                .all(|finding| finding.rule_id.starts_with("LB")),
            "{input:?}: {findings:?}"
        );
    }
}
