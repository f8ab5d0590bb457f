//! The shell policy on its fixtures (`tests/fixtures/<RULE>/`) and its
//! metadata.
//!
//! The policy declares one rule per ShellCheck code shuck-linter reports
//! (294), so fixtures cover the codes that fire on the shared corpus and
//! the policy's own logic (dialects, lines, variables, skipped stages)
//! rather than every code: shuck's own test suite covers each check.

use std::path::PathBuf;

use shuck_linter::{Rule, ShellCheckCodeMap};
use tallyman_policy_shell::{Shell, lint, rules};
use tallyman_sdk::Severity;
use tallyman_sdk::testing::{self, Fixture};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    let mut problems = Vec::new();
    let paths = testing::fixture_paths(&fixtures());
    assert!(paths.len() >= 15, "only {} fixtures", paths.len());
    for path in &paths {
        match Fixture::load(path) {
            Ok(fixture) => problems.extend(fixture.run::<Shell>().1),
            Err(error) => problems.push(error),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_directory_has_a_firing_and_a_quiet_case() {
    let dirs = std::fs::read_dir(fixtures()).expect("fixtures directory");
    for dir in dirs.filter_map(Result::ok).map(|entry| entry.path()) {
        let names: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixture directory")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        let has = |prefix: &str| names.iter().any(|name| name.starts_with(prefix));
        assert!(has("bad-") && has("good-"), "{}: {names:?}", dir.display());
    }
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Shell>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Shell>();
    let info = testing::metadata::<Shell>();
    assert_eq!(info.name, "shell");
    let sc2086 = info.rules.iter().find(|rule| rule.id == "SC2086");
    let sc2086 = sc2086.expect("SC2086 is declared");
    assert_eq!(sc2086.equivalents, ["hadolint:SC2086"]);
    assert_eq!(sc2086.default_severity, Severity::Info);
    assert!(sc2086.help.starts_with("## Example\n```sh\n"));
}

#[test]
fn every_code_shuck_reports_is_a_rule_or_skipped_on_purpose() {
    let map = ShellCheckCodeMap::default();
    let mut missing = Vec::new();
    for rule in Rule::iter() {
        let Some(code) = map.code_for_rule(rule) else {
            continue;
        };
        let id = format!("SC{code}");
        let declared = lint::policy_rule(rule).is_some_and(|declared| declared.id == id);
        if !declared && !rules::SKIPPED.contains(&id.as_str()) {
            missing.push(id);
        }
    }
    assert!(missing.is_empty(), "not declared: {missing:?}");
    let ids: Vec<&str> = rules::ALL.iter().map(|rule| rule.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| id[2..].parse::<u32>().unwrap_or(0));
    sorted.dedup();
    assert_eq!(ids, sorted, "rules::ALL is sorted by code, each once");
}

#[test]
fn shellcheck_levels_map_to_severities() {
    let severity = |id: &str| {
        rules::ALL
            .iter()
            .find(|rule| rule.id == id)
            .map(|rule| rule.severity)
    };
    // error, warning, info and style in ShellCheck.
    assert_eq!(severity("SC2068"), Some(Severity::Medium));
    assert_eq!(severity("SC2155"), Some(Severity::Low));
    assert_eq!(severity("SC2086"), Some(Severity::Info));
    assert_eq!(severity("SC2006"), Some(Severity::Info));
    assert!(
        rules::ALL
            .iter()
            .all(|rule| rule.severity <= Severity::Medium)
    );
}
