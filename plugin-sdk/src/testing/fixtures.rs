//! Fixture files: Dockerfiles that say in comments what a policy must
//! report on them.
//!
//! A policy keeps them under `tests/fixtures/<RULE-ID>/*.Dockerfile`, bad
//! and good cases side by side. Comment lines carry the expectations and
//! the test setup:
//!
//! ```dockerfile
//! # settings: {"trusted-registries": ["registry.example.com"]}
//! # evaluated-on: 2025-06-01
//! # expect: BI004
//! FROM docker.io/library/alpine:3.22
//! ```
//!
//! - `# expect: ID[, ID…]`: the next instruction (the next line that is
//!   neither blank nor a comment) gets a finding of each rule listed, on
//!   its first line. Inside an instruction continued over several lines
//!   (where comment lines are allowed), the marker names the next line of
//!   the instruction instead: where a finding about one command of a long
//!   `RUN` ([`Finding::at_command`]) points. For the rule the directory is named after, and for
//!   every rule some marker names, the findings must be exactly the ones
//!   marked: a missing one and an extra one are both failures. Other
//!   rules' findings are ignored.
//! - `# settings: {json}`: the policy settings (default `{}`).
//! - `# evaluated-on: YYYY-MM-DD`: the evaluation date (default
//!   [`DEFAULT_EVALUATION_DATE`](super::DEFAULT_EVALUATION_DATE)).
//! - `# target: NAME`: the scan's `--target`.
//! - `# build-arg: NAME=value`: a `--build-arg` (repeatable).
//! - `# dockerignore: PATTERN, PATTERN`: the build context has a
//!   `.dockerignore` with these patterns (none after the colon: an empty
//!   one). Without it the context has no `.dockerignore`.
//!
//! A file with no marker for its directory's rule is a "must not fire"
//! case. [`assert_fixtures`] runs every file, requires at least one firing
//! and one quiet file per rule of the policy, and reports every failure at
//! once; [`render_fixture`] gives the findings as text for snapshot tests.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Check, render};
use crate::model::Finding;
use crate::policy::Policy;

/// A fixture file, read.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `BI001/bad-untagged.Dockerfile`: the directory and file name.
    pub name: String,
    /// The rule the directory is named after.
    pub rule: String,
    /// The test setup and the Dockerfile text.
    pub check: Check,
    /// `(rule id, line)` of every expected finding, sorted.
    pub expected: Vec<(String, u32)>,
}

impl Fixture {
    /// Reads `<dir>/<RULE-ID>/<file>`.
    pub fn load(path: &Path) -> Result<Fixture, String> {
        let text = fs::read_to_string(path)
            .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        let rule = path
            .parent()
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Fixture::parse(&rule, &format!("{rule}/{file}"), &text)
    }

    /// Reads a fixture's text; `rule` is its directory's name.
    pub fn parse(rule: &str, name: &str, text: &str) -> Result<Fixture, String> {
        let mut check = Check::new(text).path(name);
        let mut expected = Vec::new();
        let mut pending: Vec<String> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let trimmed = line.trim();
            let Some(comment) = trimmed.strip_prefix('#') else {
                if !trimmed.is_empty() {
                    expected.extend(pending.drain(..).map(|rule| (rule, number)));
                }
                continue;
            };
            let Some((key, value)) = comment.trim().split_once(':') else {
                continue;
            };
            let value = value.trim();
            let problem = |what: &str| format!("{name}:{number}: {what}");
            match key.trim() {
                "expect" => {
                    let ids: Vec<String> = value
                        .split(',')
                        .map(|id| id.trim().to_string())
                        .filter(|id| !id.is_empty())
                        .collect();
                    if ids.is_empty() {
                        return Err(problem("`# expect:` names no rule"));
                    }
                    pending.extend(ids);
                }
                "settings" => check = check.settings(value),
                "evaluated-on" => check = check.evaluated_on(value),
                "target" => check = check.target(value),
                "build-arg" => {
                    let (key, value) = value
                        .split_once('=')
                        .ok_or_else(|| problem("`# build-arg:` needs NAME=value"))?;
                    check = check.build_arg(key.trim(), value);
                }
                "dockerignore" => {
                    let patterns: Vec<&str> = value
                        .split(',')
                        .map(str::trim)
                        .filter(|pattern| !pattern.is_empty())
                        .collect();
                    check = check.dockerignore(&patterns);
                }
                _ => {}
            }
        }
        if !pending.is_empty() {
            return Err(format!(
                "{name}: `# expect: {}` is not followed by an instruction",
                pending.join(", ")
            ));
        }
        expected.sort();
        Ok(Fixture {
            name: name.to_string(),
            rule: rule.to_string(),
            check,
            expected,
        })
    }

    /// The rules whose findings this fixture pins down: its directory's rule
    /// and every rule a marker names.
    pub fn checked_rules(&self) -> Vec<&str> {
        let mut rules = vec![self.rule.as_str()];
        for (rule, _) in &self.expected {
            if !rules.contains(&rule.as_str()) {
                rules.push(rule);
            }
        }
        rules
    }

    /// Some marker names the directory's rule: a "must fire" case.
    pub fn fires(&self) -> bool {
        self.expected.iter().any(|(rule, _)| *rule == self.rule)
    }

    /// Runs the policy; the findings of the checked rules, and every
    /// difference from the markers (empty when the fixture passes).
    pub fn run<P: Policy>(&self) -> (Vec<Finding>, Vec<String>) {
        let checked = self.checked_rules();
        let findings: Vec<Finding> = self
            .check
            .run::<P>()
            .into_iter()
            .filter(|finding| checked.contains(&finding.rule_id.as_str()))
            .collect();
        let mut actual: Vec<(String, u32)> = findings
            .iter()
            .map(|finding| (finding.rule_id.clone(), finding.line().unwrap_or(0)))
            .collect();
        actual.sort();
        let mut problems = Vec::new();
        let mut unmatched = actual.clone();
        for expected in &self.expected {
            match unmatched.iter().position(|actual| actual == expected) {
                Some(at) => {
                    unmatched.remove(at);
                }
                None => problems.push(format!(
                    "{}: expected {} on line {}, not reported",
                    self.name, expected.0, expected.1
                )),
            }
        }
        for (rule, line) in unmatched {
            let message = findings
                .iter()
                .find(|finding| finding.rule_id == rule && finding.line().unwrap_or(0) == line)
                .map(|finding| finding.message.as_str())
                .unwrap_or_default();
            problems.push(format!(
                "{}: unexpected {rule} on line {line}: {message}",
                self.name
            ));
        }
        (findings, problems)
    }
}

/// The fixture files under `dir` (`<dir>/<RULE-ID>/*.Dockerfile`), sorted.
pub fn fixture_paths(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let Ok(rules) = fs::read_dir(dir) else {
        return paths;
    };
    for rule in rules.filter_map(Result::ok) {
        let Ok(files) = fs::read_dir(rule.path()) else {
            continue;
        };
        paths.extend(
            files
                .filter_map(Result::ok)
                .map(|file| file.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "Dockerfile")),
        );
    }
    paths.sort();
    paths
}

/// The checked rules' findings on one fixture, rendered for a snapshot
/// (see [`render`](super::render)).
pub fn render_fixture<P: Policy>(path: &Path) -> String {
    match Fixture::load(path) {
        Ok(fixture) => render::<P>(&fixture.run::<P>().0),
        Err(error) => panic!("{error}"),
    }
}

/// Runs every fixture under `dir` against the policy and panics with every
/// failure: markers not matched, fixtures that cannot be read, rules of the
/// policy without a firing and a quiet fixture, directories named after no
/// rule of the policy.
pub fn assert_fixtures<P: Policy>(dir: &Path) {
    let meta = P::info();
    let mut problems = Vec::new();
    let mut fixtures = Vec::new();
    for path in fixture_paths(dir) {
        match Fixture::load(&path) {
            Ok(fixture) => fixtures.push(fixture),
            Err(error) => problems.push(error),
        }
    }
    for fixture in &fixtures {
        if meta.rule(&fixture.rule).is_none() {
            problems.push(format!(
                "{}: the directory names no rule of policy {}",
                fixture.name, meta.name
            ));
            continue;
        }
        // A panic in the policy (or an invalid finding) fails this fixture
        // only; the others still run.
        let outcome = std::panic::catch_unwind(|| fixture.run::<P>());
        match outcome {
            Ok((_, fixture_problems)) => problems.extend(fixture_problems),
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                problems.push(format!("{}: panicked: {reason}", fixture.name));
            }
        }
    }
    for rule in meta.rules {
        let own: Vec<&Fixture> = fixtures.iter().filter(|f| f.rule == rule.id).collect();
        if !own.iter().any(|fixture| fixture.fires()) {
            problems.push(format!(
                "{}: no fixture in {}/{} where it must fire",
                rule.id,
                dir.display(),
                rule.id
            ));
        }
        if !own.iter().any(|fixture| !fixture.fires()) {
            problems.push(format!(
                "{}: no fixture in {}/{} where it must not fire",
                rule.id,
                dir.display(),
                rule.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} fixture problem(s) in {} ({} fixtures):\n{}",
        problems.len(),
        dir.display(),
        fixtures.len(),
        problems.join("\n")
    );
}
