//! The image policy on image models built in the test, its metadata and
//! its settings.

use serde_json::{Value, json};
use tallyman_policy_image::{ImagePolicy, Settings};
use tallyman_sdk::{Finding, Policy, testing};

/// A small, clean image: non-root, traceable, linux/amd64, two layers.
fn base() -> Value {
    json!({
        "reference": "oci:build/image:1.0",
        "manifest_digest": format!("sha256:{}", "a".repeat(64)),
        "platform": {"os": "linux", "architecture": "amd64", "variant": null},
        "requested_platform": {"os": "linux", "architecture": "amd64", "variant": null},
        "config": {
            "user": "10001", "env": [], "entrypoint": null, "cmd": ["/app"], "working_dir": "",
            "exposed_ports": [], "healthcheck": null, "volumes": [], "stop_signal": null,
            "labels": [
                {"key": "org.opencontainers.image.source", "value": "https://git.example.com/app"},
                {"key": "org.opencontainers.image.revision", "value": "0123abc"},
                {"key": "org.opencontainers.image.created", "value": "2026-01-01T00:00:00Z"}
            ]
        },
        "history": [],
        "layers": [
            {"digest": format!("sha256:{}", "b".repeat(64)), "size": 10, "media_type": "application/vnd.oci.image.layer.v1.tar+gzip"},
            {"digest": format!("sha256:{}", "c".repeat(64)), "size": 10, "media_type": "application/vnd.oci.image.layer.v1.tar+gzip"}
        ],
        "annotations": [],
        "created": null,
        "evaluated_on": "2026-01-15"
    })
}

fn check(image: &Value, settings: &str) -> Vec<Finding> {
    let image = testing::image_from_json(&image.to_string()).expect("a valid image model");
    let settings: Settings = serde_json::from_str(settings).expect("settings");
    ImagePolicy::check_image(&image, &settings)
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn a_clean_image_has_no_findings() {
    assert!(check(&base(), "{}").is_empty());
}

#[test]
fn img001_names_the_missing_labels_and_reads_annotations_too() {
    let mut image = base();
    image["config"]["labels"] =
        json!([{"key": "org.opencontainers.image.source", "value": "https://x"}]);
    let found = check(&image, "{}");
    assert_eq!(ids(&found), ["IMG001"]);
    assert!(
        found[0]
            .message
            .contains("`org.opencontainers.image.revision`, `org.opencontainers.image.created`"),
        "{}",
        found[0].message
    );
    assert!(
        !found[0].message.contains("image.source`"),
        "{}",
        found[0].message
    );

    image["annotations"] = json!([
        {"key": "org.opencontainers.image.revision", "value": "abc"},
        {"key": "org.opencontainers.image.created", "value": "2026-01-01"}
    ]);
    assert!(check(&image, "{}").is_empty());
    // An empty value does not count.
    image["annotations"][0]["value"] = json!(" ");
    assert_eq!(ids(&check(&image, "{}")), ["IMG001"]);
    // The list is a setting.
    let found = check(&base(), r#"{"required-labels": ["com.example.team"]}"#);
    assert_eq!(ids(&found), ["IMG001"]);
    assert!(found[0].message.contains("`com.example.team`"));
    assert!(check(&base(), r#"{"required-labels": []}"#).is_empty());
}

#[test]
fn img002_compares_the_built_and_requested_platforms() {
    let mut image = base();
    image["platform"] = json!({"os": "linux", "architecture": "arm64", "variant": null});
    let found = check(&image, "{}");
    assert_eq!(ids(&found), ["IMG002"]);
    assert!(
        found[0]
            .message
            .contains("built for linux/arm64, not for linux/amd64"),
        "{}",
        found[0].message
    );

    // arm64 without a variant is arm64/v8.
    image["requested_platform"] = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    assert!(check(&image, "{}").is_empty());
    image["platform"] = json!({"os": "linux", "architecture": "arm", "variant": "v6"});
    image["requested_platform"] = json!({"os": "linux", "architecture": "arm", "variant": "v7"});
    assert_eq!(ids(&check(&image, "{}")), ["IMG002"]);
    // No variant asked for: any variant will do.
    image["requested_platform"] = json!({"os": "linux", "architecture": "arm", "variant": null});
    assert!(check(&image, "{}").is_empty());
    image["platform"]["os"] = json!("windows");
    assert_eq!(ids(&check(&image, "{}")), ["IMG002"]);
}

#[test]
fn img003_counts_layers_against_the_setting() {
    assert!(check(&base(), r#"{"max-layers": 2}"#).is_empty());
    let found = check(&base(), r#"{"max-layers": 1}"#);
    assert_eq!(ids(&found), ["IMG003"]);
    assert!(
        found[0]
            .message
            .contains("2 layers, more than the 1 allowed"),
        "{}",
        found[0].message
    );
    let mut image = base();
    let layer = image["layers"][0].clone();
    image["layers"] = Value::Array(vec![layer; 41]);
    assert_eq!(ids(&check(&image, "{}")), ["IMG003"]);
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<ImagePolicy>();
    let info = testing::metadata::<ImagePolicy>();
    assert_eq!(info.name, "image");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(ids, ["IMG001", "IMG002", "IMG003"]);
}

#[test]
fn settings_errors_name_the_key() {
    for (json, key) in [
        (r#"{"max-layers": 0}"#, "max-layers"),
        (r#"{"required-labels": [""]}"#, "required-labels[0]"),
    ] {
        let settings: Settings = serde_json::from_str(json).expect("parses");
        let err = settings.validate().expect_err(json);
        assert!(err.contains(key), "{err}");
    }
    assert!(serde_json::from_str::<Settings>(r#"{"max_layers": 3}"#).is_err());
}

#[test]
fn a_dockerfile_gives_it_nothing_to_check() {
    assert!(testing::check::<ImagePolicy>("FROM alpine\nUSER root\n", "{}").is_empty());
}
