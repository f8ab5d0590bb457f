//! `check-image` of the secrets policy: SEC001 and SEC002 on `Env` and
//! `Labels`, SEC002, SEC003 and SEC006 on the history.

use serde_json::{Value, json};
use tallyman_policy_secrets::Secrets;
use tallyman_sdk::Finding;
use tallyman_sdk::testing::{
    self, clean_image_json as base, rule_ids as ids, set_history as history,
};

fn check(image: &Value, settings: &str) -> Vec<Finding> {
    testing::check_image_json::<Secrets>(image, settings)
}

const GITHUB_TOKEN: &str = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

#[test]
fn a_clean_image_has_no_findings() {
    assert!(check(&base(), "{}").is_empty());
}

#[test]
fn sec001_flags_secret_named_values_in_env_and_labels() {
    let mut image = base();
    image["config"]["env"] = json!([
        {"key": "DB_PASSWORD", "value": "correct-horse"},
        {"key": "API_TOKEN_FILE", "value": "/run/secrets/token"},
        {"key": "GPG_KEYS", "value": "B42F6819007F00F88E364FD4036A9C25BF357DD4"},
        {"key": "ENABLE_SECRET", "value": "true"},
        {"key": "EMPTY_TOKEN", "value": ""}
    ]);
    image["config"]["labels"] = json!([{"key": "com.example.api-key", "value": "k-123456"}]);
    let found = check(&image, "{}");
    assert_eq!(ids(&found), ["SEC001"], "{found:#?}");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found.iter().all(|f| !f.message.contains("correct-horse")),
        "{found:#?}"
    );
    // Allowed values stay quiet.
    assert_eq!(
        check(&image, r#"{"allowed-values": ["correct-horse", "k-*"]}"#).len(),
        0
    );
}

#[test]
fn sec001_reports_placeholder_values_in_the_image_as_low() {
    let mut image = base();
    image["config"]["env"] = json!([{"key": "MYSQL_ROOT_PASSWORD", "value": "changeme"}]);
    let found = check(&image, "{}");
    assert_eq!(ids(&found), ["SEC001"], "{found:#?}");
    assert_eq!(
        found.first().and_then(|finding| finding.severity),
        Some(tallyman_sdk::Severity::Low),
        "{found:#?}"
    );
}

#[test]
fn sec006_and_sec002_read_build_arguments_recorded_in_history() {
    let mut image = base();
    history(
        &mut image,
        &[
            &format!(
                "RUN |3 GITHUB_TOKEN={GITHUB_TOKEN} MODE=release NPM_TOKEN= /bin/sh -c make # buildkit"
            ),
            "|1 VERSION=1.2.3 /bin/sh -c make",
        ],
    );
    let found = check(&image, "{}");
    assert_eq!(ids(&found), ["SEC002", "SEC006"], "{found:#?}");
    let sec006: Vec<&Finding> = found.iter().filter(|f| f.rule_id == "SEC006").collect();
    assert_eq!(
        sec006.len(),
        1,
        "an empty NPM_TOKEN leaks nothing: {found:#?}"
    );
    assert!(
        sec006[0].message.contains("history step 1")
            && sec006[0].message.contains("`GITHUB_TOKEN`")
    );
    assert!(
        found.iter().all(|f| !f.message.contains(GITHUB_TOKEN)),
        "{found:#?}"
    );
}

#[test]
fn sec003_finds_passwords_in_urls_anywhere() {
    let mut image = base();
    image["config"]["env"] =
        json!([{"key": "PIP_INDEX_URL", "value": "https://ci:pa55word@pypi.example.com/simple"}]);
    history(
        &mut image,
        &[
            "/bin/sh -c git clone https://bot:t0ps3cret@git.example.com/x.git",
            "/bin/sh -c curl https://$USER:$PASS@x/",
        ],
    );
    let found = check(&image, "{}");
    let sec003: Vec<&Finding> = found.iter().filter(|f| f.rule_id == "SEC003").collect();
    assert_eq!(sec003.len(), 2, "{found:#?}");
    assert!(
        sec003
            .iter()
            .any(|f| f.message.contains("https://ci:****@pypi.example.com"))
    );
    assert!(sec003.iter().any(|f| f.message.contains("history step 1")));
}

#[test]
fn sec002_finds_tokens_in_labels() {
    let mut image = base();
    image["config"]["labels"] =
        json!([{"key": "build.note", "value": format!("token {GITHUB_TOKEN}")}]);
    let found = check(&image, "{}");
    assert_eq!(ids(&found), ["SEC002"], "{found:#?}");
    assert!(
        found[0]
            .message
            .contains("`build.note` in the image's `Labels`")
    );
}
