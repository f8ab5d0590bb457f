//! Test cases of a policy: where they live, and what each expects.
//!
//! Two layouts are read, so that org policies and the built-in ones are
//! tested the same way:
//!
//! - **Case directories**: `tests/<case>/` holding a `Dockerfile` (or
//!   `image.json`, an image model in the JSON shape of
//!   `tallyman_dockerfile::model::Image`) and an `expected.yaml`.
//! - **Fixture files** (the built-in policies' layout):
//!   `tests/fixtures/<RULE-ID>/*.Dockerfile`, whose `# expect: ID` comments
//!   mark the line below as expected to fire, and whose `# settings:`,
//!   `# evaluated-on:`, `# target:`, `# build-arg:` and `# dockerignore:`
//!   comments set the case up (see `tallyman_sdk::testing::fixtures`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tallyman_dockerfile::model::{BuildContext, Image};

/// The evaluation date of a case that does not set one, so that
/// date-dependent rules (end of life) give the same result every day.
/// The same date as the Rust SDK's native harness.
pub const DEFAULT_EVALUATION_DATE: &str = "2025-06-01";

/// One test case, read and ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// `bad-label` (a case directory) or `BI001/bad-untagged.Dockerfile` (a fixture).
    pub name: String,
    pub input: Input,
    /// The policy settings, a JSON document.
    pub settings: String,
    pub expectation: Expectation,
}

/// What the policy is run on.
#[derive(Debug, Clone)]
pub enum Input {
    Dockerfile(DockerfileInput),
    Image(Box<Image>),
}

/// A Dockerfile's text and the circumstances of its scan.
#[derive(Debug, Clone)]
pub struct DockerfileInput {
    pub text: String,
    /// The path the model records (policies may match on it).
    pub path: String,
    pub evaluated_on: String,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub build_context: BuildContext,
}

/// What a case expects of the policy's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectation {
    /// Findings that must be reported.
    pub findings: Vec<ExpectedFinding>,
    /// Findings that must not be reported.
    pub absent: Vec<Absent>,
    /// Rules whose findings must be exactly `findings`: one not listed is
    /// a failure. Findings of other rules are ignored.
    pub exact_rules: Vec<String>,
}

/// A finding a case expects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    pub rule: String,
    /// The first line of the finding's span; none matches any line (and
    /// findings without a span, as on images).
    #[serde(default)]
    pub line: Option<u32>,
    /// A substring the message must contain.
    #[serde(default)]
    pub message: Option<String>,
}

/// A finding a case forbids: of this rule, on this line or anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Absent {
    pub rule: String,
    #[serde(default)]
    pub line: Option<u32>,
}

/// `expected.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ExpectedFile {
    #[serde(default)]
    findings: Vec<ExpectedFinding>,
    #[serde(default)]
    absent: Vec<Absent>,
    /// Policy settings for this case (any YAML that maps to a JSON object).
    #[serde(default)]
    settings: Option<serde_json::Value>,
    /// The path the Dockerfile's model records [default: `Dockerfile`].
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    evaluated_on: Option<String>,
    /// The scan's `--target`.
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    build_args: BTreeMap<String, String>,
}

/// A case that could not be read: it fails, with this reason.
#[derive(Debug, Clone)]
pub struct BrokenCase {
    pub name: String,
    pub reason: String,
}

/// Every case under `tests`, sorted by name: case directories first, then
/// fixture files. Cases that cannot be read are returned as broken.
pub fn discover(tests: &Path) -> Result<(Vec<Case>, Vec<BrokenCase>), String> {
    let entries = fs::read_dir(tests)
        .map_err(|e| format!("{}: cannot list the test cases: {e}", tests.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let mut cases = Vec::new();
    let mut broken = Vec::new();
    let mut fixtures_dir = None;
    for dir in dirs {
        let name = file_name(&dir);
        if name == "fixtures" && !dir.join("expected.yaml").exists() {
            fixtures_dir = Some(dir);
            continue;
        }
        // A directory without the case files (a helper, snapshots) is not a case.
        let has_input = dir.join("Dockerfile").is_file() || dir.join("image.json").is_file();
        if !has_input && !dir.join("expected.yaml").exists() {
            continue;
        }
        match read_case_dir(&dir, &name) {
            Ok(case) => cases.push(case),
            Err(reason) => broken.push(BrokenCase { name, reason }),
        }
    }
    if let Some(dir) = fixtures_dir {
        for path in fixture_paths(&dir) {
            let name = fixture_name(&path);
            match read_fixture(&path, &name) {
                Ok(case) => cases.push(case),
                Err(reason) => broken.push(BrokenCase { name, reason }),
            }
        }
    }
    Ok((cases, broken))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_case_dir(dir: &Path, name: &str) -> Result<Case, String> {
    let expected_path = dir.join("expected.yaml");
    let expected_text = fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: cannot read: {e}", expected_path.display()))?;
    let expected: ExpectedFile = if expected_text.trim().is_empty() {
        ExpectedFile::default()
    } else {
        serde_yaml::from_str(&expected_text)
            .map_err(|e| format!("{}: {e}", expected_path.display()))?
    };
    let settings = settings_json(expected.settings.as_ref())
        .map_err(|e| format!("{}: settings: {e}", expected_path.display()))?;
    let dockerfile = dir.join("Dockerfile");
    let image = dir.join("image.json");
    let input = match (dockerfile.is_file(), image.is_file()) {
        (true, true) => {
            return Err(format!(
                "{}: has both a Dockerfile and an image.json; a case tests one of them",
                dir.display()
            ));
        }
        (true, false) => {
            let text = fs::read_to_string(&dockerfile)
                .map_err(|e| format!("{}: cannot read: {e}", dockerfile.display()))?;
            Input::Dockerfile(DockerfileInput {
                text,
                path: expected.path.unwrap_or_else(|| "Dockerfile".to_string()),
                evaluated_on: expected
                    .evaluated_on
                    .unwrap_or_else(|| DEFAULT_EVALUATION_DATE.to_string()),
                target: expected.target,
                build_args: expected.build_args.into_iter().collect(),
                build_context: dockerignore(dir),
            })
        }
        (false, true) => {
            if expected.path.is_some() || expected.target.is_some() {
                return Err(format!(
                    "{}: `path` and `target` apply to Dockerfiles, not to image.json",
                    expected_path.display()
                ));
            }
            let text = fs::read_to_string(&image)
                .map_err(|e| format!("{}: cannot read: {e}", image.display()))?;
            let mut model: Image = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}: not an image model (the JSON shape of tallyman's model::Image): {e}",
                    image.display()
                )
            })?;
            if let Some(date) = expected.evaluated_on {
                model.evaluated_on = date;
            }
            Input::Image(Box::new(model))
        }
        (false, false) => {
            return Err(format!(
                "{}: no Dockerfile or image.json to run the policy on",
                dir.display()
            ));
        }
    };
    let exact_rules = unique_rules(expected.findings.iter().map(|f| f.rule.as_str()));
    Ok(Case {
        name: name.to_string(),
        input,
        settings,
        expectation: Expectation {
            findings: expected.findings,
            absent: expected.absent,
            exact_rules,
        },
    })
}

/// Settings as a JSON document; `{}` when none. They must be an object.
fn settings_json(settings: Option<&serde_json::Value>) -> Result<String, String> {
    match settings {
        None | Some(serde_json::Value::Null) => Ok("{}".to_string()),
        Some(value @ serde_json::Value::Object(_)) => {
            serde_json::to_string(value).map_err(|e| e.to_string())
        }
        Some(_) => Err("must be a mapping of keys to values".to_string()),
    }
}

/// The `.dockerignore` in the case directory, as the scan would see it.
fn dockerignore(dir: &Path) -> BuildContext {
    match fs::read_to_string(dir.join(".dockerignore")) {
        Ok(text) => BuildContext {
            dockerignore_path: Some(".dockerignore".to_string()),
            dockerignore_patterns: text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_string)
                .collect(),
        },
        Err(_) => BuildContext::default(),
    }
}

fn unique_rules<'a>(rules: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for rule in rules {
        if !unique.iter().any(|r| r == rule) {
            unique.push(rule.to_string());
        }
    }
    unique
}

/// `<dir>/<RULE-ID>/*.Dockerfile`, sorted.
fn fixture_paths(dir: &Path) -> Vec<PathBuf> {
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

/// `BI001/bad-untagged.Dockerfile`.
fn fixture_name(path: &Path) -> String {
    let rule = path.parent().map(file_name).unwrap_or_default();
    format!("{rule}/{}", file_name(path))
}

fn read_fixture(path: &Path, name: &str) -> Result<Case, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let rule = path.parent().map(file_name).unwrap_or_default();
    parse_fixture(&rule, name, &text)
}

/// A fixture's comments: `# expect: ID[, ID]` above the line expected to
/// fire, and the setup keys. The directory's rule and every rule a marker
/// names are checked exactly; other rules' findings are ignored. This is
/// the layout `tallyman_sdk::testing::fixtures` reads, with the same meaning.
pub fn parse_fixture(rule: &str, name: &str, text: &str) -> Result<Case, String> {
    let mut input = DockerfileInput {
        text: text.to_string(),
        path: name.to_string(),
        evaluated_on: DEFAULT_EVALUATION_DATE.to_string(),
        target: None,
        build_args: Vec::new(),
        build_context: BuildContext::default(),
    };
    let mut settings = "{}".to_string();
    let mut findings = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX);
        let trimmed = line.trim();
        let Some(comment) = trimmed.strip_prefix('#') else {
            if !trimmed.is_empty() {
                findings.extend(pending.drain(..).map(|rule| ExpectedFinding {
                    rule,
                    line: Some(number),
                    message: None,
                }));
            }
            continue;
        };
        let Some((key, value)) = comment.trim().split_once(':') else {
            continue;
        };
        let value = value.trim();
        let problem = |what: &str| format!("line {number}: {what}");
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
            "settings" => settings = value.to_string(),
            "evaluated-on" => input.evaluated_on = value.to_string(),
            "target" => input.target = Some(value.to_string()),
            "build-arg" => {
                let (key, value) = value
                    .split_once('=')
                    .ok_or_else(|| problem("`# build-arg:` needs NAME=value"))?;
                input
                    .build_args
                    .push((key.trim().to_string(), value.to_string()));
            }
            "dockerignore" => {
                input.build_context = BuildContext {
                    dockerignore_path: Some(".dockerignore".to_string()),
                    dockerignore_patterns: value
                        .split(',')
                        .map(str::trim)
                        .filter(|pattern| !pattern.is_empty())
                        .map(str::to_string)
                        .collect(),
                };
            }
            _ => {}
        }
    }
    if !pending.is_empty() {
        return Err(format!(
            "`# expect: {}` is not followed by an instruction",
            pending.join(", ")
        ));
    }
    let exact_rules = unique_rules(
        std::iter::once(rule).chain(findings.iter().map(|f: &ExpectedFinding| f.rule.as_str())),
    );
    Ok(Case {
        name: name.to_string(),
        input: Input::Dockerfile(input),
        settings,
        expectation: Expectation {
            findings,
            absent: Vec::new(),
            exact_rules,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_markers_expect_the_next_instruction() {
        let text = "# settings: {\"x\": 1}\n# expect: BI001, BI002\n\nFROM alpine\n# expect: BI001\nRUN true\n";
        let case = parse_fixture("BI001", "BI001/bad.Dockerfile", text).unwrap();
        assert_eq!(case.settings, "{\"x\": 1}");
        let lines: Vec<(&str, Option<u32>)> = case
            .expectation
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.line))
            .collect();
        assert_eq!(
            lines,
            vec![("BI001", Some(4)), ("BI002", Some(4)), ("BI001", Some(6))]
        );
        assert_eq!(case.expectation.exact_rules, vec!["BI001", "BI002"]);
    }

    #[test]
    fn a_dangling_marker_is_an_error() {
        let err = parse_fixture("BI001", "x", "FROM a\n# expect: BI001\n").unwrap_err();
        assert!(err.contains("not followed by an instruction"), "{err}");
    }

    #[test]
    fn settings_must_be_a_mapping() {
        assert_eq!(settings_json(None).unwrap(), "{}");
        let value = serde_json::json!({"ports": [80]});
        assert_eq!(settings_json(Some(&value)).unwrap(), r#"{"ports":[80]}"#);
        assert!(settings_json(Some(&serde_json::json!([1]))).is_err());
    }
}
