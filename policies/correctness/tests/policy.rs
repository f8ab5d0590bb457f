//! The correctness policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_correctness::Correctness;
use tallyman_sdk::testing::{self, Check};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<Correctness>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Correctness>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Correctness>();
    let info = testing::metadata::<Correctness>();
    assert_eq!(info.name, "correctness");
    let ids: Vec<String> = info.rules.iter().map(|rule| rule.id.clone()).collect();
    assert_eq!(ids, ["CR001", "CR002", "CR003"]);
    let equivalents: Vec<&[String]> = info
        .rules
        .iter()
        .map(|rule| rule.equivalents.as_slice())
        .collect();
    assert_eq!(
        equivalents,
        [
            &["buildkit:UndefinedVar".to_string()][..],
            &["hadolint:DL3044".to_string()][..],
            &["buildkit:CopyIgnoredFile".to_string()][..],
        ]
    );
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (
            r#"{"base-variables": ["1ST"]}"#,
            "`base-variables`: `1ST` is not a variable name",
        ),
        (
            r#"{"base-variables": "APP_HOME"}"#,
            "`base-variables`: invalid type",
        ),
        (
            r#"{"base_variables": []}"#,
            "unknown field `base_variables`",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<Correctness>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{"base-variables": ["APP_HOME", "_X1"]}"#;
    assert_eq!(testing::validate_settings::<Correctness>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<Correctness>("{}"), Ok(()));
}

/// hadolint's DL3061 and the issue's "first instruction is not FROM or ARG":
/// BuildKit refuses such a file ("no build stage in current context"), and
/// so does the parser, so no rule is needed: a scan reports the parse error.
#[test]
fn an_instruction_before_the_first_from_is_a_parse_error() {
    for text in [
        "RUN echo hi\nFROM alpine:3.22\n",
        "# syntax=docker/dockerfile:1\nENV A=1\nFROM alpine:3.22\n",
        "LABEL a=b\nFROM alpine:3.22\n",
    ] {
        assert!(
            tallyman_dockerfile::parse_str(text).is_err(),
            "accepted:\n{text}"
        );
    }
    for text in [
        "# a comment\nARG BASE=alpine:3.22\nFROM $BASE\n",
        "# syntax=docker/dockerfile:1\nFROM alpine:3.22\n",
    ] {
        assert!(
            tallyman_dockerfile::parse_str(text).is_ok(),
            "refused:\n{text}"
        );
    }
}

#[test]
fn base_variables_setting_defines_names_on_unknown_bases() {
    let dockerfile = "FROM registry.example.com/java/runtime:21\nCOPY app.jar $APP_HOME/\nWORKDIR $APP_HOME_DIR\n";
    let rules = |settings: &str| -> Vec<String> {
        Check::new(dockerfile)
            .settings(settings)
            .run::<Correctness>()
            .into_iter()
            .map(|finding| finding.message)
            .collect()
    };
    // An unknown base may set APP_HOME: quiet; `APP_HOME_DIR` is not a
    // near miss of anything defined.
    assert!(rules("{}").is_empty(), "{:?}", rules("{}"));
    // Once the setting says the base sets APP_HOME, `APP_HOMES`-style typos
    // of it are reported.
    let typo = "FROM registry.example.com/java/runtime:21\nCOPY app.jar $APP_HOMES/\n";
    let findings = Check::new(typo)
        .settings(r#"{"base-variables": ["APP_HOME"]}"#)
        .run::<Correctness>();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].message.contains("did you mean `$APP_HOME`"));
}
