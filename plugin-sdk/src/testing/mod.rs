//! A native test harness: unit-test rules with plain `cargo test`.
//!
//! The harness reads Dockerfile text with the host's own parser
//! (`tallyman-dockerfile`), converts the model to the guest types
//! ([`convert`]), calls the policy through the same code the Wasm export
//! uses (settings parsing included), and checks that what the policy
//! returns is valid output (declared rule ids, lines in the file, existing
//! stages). It is compiled only for non-Wasm targets.
//!
//! Being test code, the functions here panic with a message on a broken
//! policy or a bad test input rather than return errors.

pub mod convert;
mod fixes;
pub mod fixtures;
mod parse;

use crate::model::{BuildContext, Dockerfile, Finding, Image, LogLevel, PolicyInfo, Severity};
use crate::policy::{self, Policy};

pub use convert::{dockerfile_from_host, dockerfile_from_json, image_from_host, image_from_json};
pub use fixes::{Fixed, render_fix};
pub use fixtures::{Fixture, assert_fixtures, fixture_paths, render_fixture};

/// The evaluation date the harness uses unless a test sets one, so that
/// date-dependent rules give the same result on every day the tests run.
pub const DEFAULT_EVALUATION_DATE: &str = "2025-06-01";

/// Parses `dockerfile` and runs the policy's `check-dockerfile` with these
/// settings (a JSON document; `""` or `"{}"` for none), at
/// [`DEFAULT_EVALUATION_DATE`]. See [`Check`] for more control.
///
/// ```
/// # use tallyman_sdk::prelude::*;
/// # tallyman_sdk::declare_rule! {
/// #     /// ## What it does
/// #     /// x
/// #     /// ## Why is this bad?
/// #     /// x
/// #     /// ## Example
/// #     /// ```dockerfile
/// #     /// FROM x
/// #     /// ```
/// #     /// ## Fix
/// #     /// x
/// #     const EX001 = { id: "EX001", title: "Scratch stage", severity: Low, tags: [], equivalents: [] };
/// # }
/// struct Example;
/// impl Policy for Example {
///     type Settings = NoSettings;
///     fn info() -> PolicyMeta {
///         PolicyMeta { name: "example", version: "0.1.0", description: "x", rules: &[&EX001] }
///     }
///     fn check_dockerfile(dockerfile: &Dockerfile, _: &NoSettings) -> Vec<Finding> {
///         dockerfile
///             .stages
///             .iter()
///             .filter(|stage| stage.is_from_scratch())
///             .map(|stage| Finding::at(&EX001, stage))
///             .collect()
///     }
/// }
///
/// let findings = tallyman_sdk::testing::check::<Example>("FROM alpine:3.22\nFROM scratch\n", "{}");
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].line(), Some(2));
/// assert_eq!(findings[0].stage, Some(1));
/// ```
pub fn check<P: Policy>(dockerfile: &str, settings: &str) -> Vec<Finding> {
    Check::new(dockerfile).settings(settings).run::<P>()
}

/// A Dockerfile and the circumstances of its scan: settings, evaluation
/// date, `--target`, `--build-arg`s, `.dockerignore`.
#[derive(Debug, Clone)]
pub struct Check {
    text: String,
    settings: String,
    path: String,
    evaluated_on: String,
    target: Option<String>,
    build_args: Vec<(String, String)>,
    dockerignore: Option<Vec<String>>,
}

impl Check {
    pub fn new(dockerfile: &str) -> Check {
        Check {
            text: dockerfile.to_string(),
            settings: "{}".to_string(),
            path: "Dockerfile".to_string(),
            evaluated_on: DEFAULT_EVALUATION_DATE.to_string(),
            target: None,
            build_args: Vec::new(),
            dockerignore: None,
        }
    }

    /// The policy settings, as JSON.
    #[must_use]
    pub fn settings(mut self, json: &str) -> Check {
        self.settings = json.to_string();
        self
    }

    /// The path recorded in the model.
    #[must_use]
    pub fn path(mut self, path: &str) -> Check {
        self.path = path.to_string();
        self
    }

    /// The evaluation date (`YYYY-MM-DD`).
    #[must_use]
    pub fn evaluated_on(mut self, date: &str) -> Check {
        self.evaluated_on = date.to_string();
        self
    }

    /// The scan's `--target` (the model's `target-stage`).
    #[must_use]
    pub fn target(mut self, stage: &str) -> Check {
        self.target = Some(stage.to_string());
        self
    }

    /// A `--build-arg NAME=value`.
    #[must_use]
    pub fn build_arg(mut self, name: &str, value: &str) -> Check {
        self.build_args.push((name.to_string(), value.to_string()));
        self
    }

    /// The build context has a `.dockerignore` with these patterns.
    #[must_use]
    pub fn dockerignore(mut self, patterns: &[&str]) -> Check {
        self.dockerignore = Some(patterns.iter().map(|p| p.to_string()).collect());
        self
    }

    /// The model the policy sees. Panics when the parser rejects the text.
    pub fn model(&self) -> Dockerfile {
        let mut model = match parse::dockerfile(&self.text, &self.lower_options()) {
            Ok(model) => model,
            Err(error) => panic!("{}: the parser rejected the Dockerfile: {error}", self.path),
        };
        model.build_context = match &self.dockerignore {
            Some(patterns) => BuildContext {
                dockerignore_path: Some(".dockerignore".to_string()),
                dockerignore_patterns: patterns.clone(),
            },
            None => BuildContext {
                dockerignore_path: None,
                dockerignore_patterns: Vec::new(),
            },
        };
        model
    }

    /// Runs the policy on the model (see [`check_model`]).
    pub fn run<P: Policy>(&self) -> Vec<Finding> {
        check_model::<P>(&self.model(), &self.settings)
    }

    fn lower_options(&self) -> parse::Options {
        parse::Options {
            path: self.path.clone(),
            evaluated_on: self.evaluated_on.clone(),
            target: self.target.clone(),
            build_args: self.build_args.clone(),
        }
    }
}

/// Runs the policy's `check-dockerfile` on a model, as the host would:
/// settings are validated first (a rejection panics with the error), and
/// the findings are checked for validity.
pub fn check_model<P: Policy>(dockerfile: &Dockerfile, settings: &str) -> Vec<Finding> {
    if let Err(error) = validate_settings::<P>(settings) {
        panic!("settings {settings} rejected: {error}");
    }
    let findings = policy::check_dockerfile::<P>(dockerfile, settings);
    if let Err(problems) = validate_findings::<P>(&findings, Some(dockerfile)) {
        panic!(
            "policy {} returned invalid findings:\n{problems}",
            P::info().name
        );
    }
    findings
}

/// Runs the policy's `check-image` on an image model, as the host would.
pub fn check_image<P: Policy>(image: &Image, settings: &str) -> Vec<Finding> {
    if let Err(error) = validate_settings::<P>(settings) {
        panic!("settings {settings} rejected: {error}");
    }
    let findings = policy::check_image::<P>(image, settings);
    if let Err(problems) = validate_findings::<P>(&findings, None) {
        panic!(
            "policy {} returned invalid findings:\n{problems}",
            P::info().name
        );
    }
    findings
}

/// A clean image in the JSON form of the model, for `check-image` tests to
/// edit: non-root user, a health check, one exposed port, `PATH` only in the
/// environment, no labels, history, layers or annotations.
pub fn clean_image_json() -> serde_json::Value {
    serde_json::json!({
        "reference": "oci:build/image:1.0",
        "manifest_digest": format!("sha256:{}", "a".repeat(64)),
        "platform": {"os": "linux", "architecture": "amd64", "variant": null},
        "requested_platform": {"os": "linux", "architecture": "amd64", "variant": null},
        "config": {
            "user": "10001", "env": [{"key": "PATH", "value": "/usr/bin:/bin"}], "entrypoint": null,
            "cmd": ["/app"], "working_dir": "", "exposed_ports": ["8080/tcp"],
            "healthcheck": {"test": ["CMD", "/app", "health"], "interval_ns": null, "timeout_ns": null, "start_period_ns": null, "retries": null},
            "volumes": [], "stop_signal": null, "labels": []
        },
        "history": [],
        "layers": [],
        "annotations": [],
        "created": null,
        "evaluated_on": "2026-01-15"
    })
}

/// Replaces an image's history (JSON form) with one layer-making step per
/// `created_by` command.
pub fn set_history(image: &mut serde_json::Value, created_by: &[&str]) {
    image["history"] = serde_json::Value::Array(
        created_by
            .iter()
            .map(|c| serde_json::json!({"created": null, "created_by": c, "empty_layer": false, "comment": null}))
            .collect(),
    );
}

/// [`check_image`] on an image in the JSON form of the model.
pub fn check_image_json<P: Policy>(image: &serde_json::Value, settings: &str) -> Vec<Finding> {
    let image = image_from_json(&image.to_string())
        .unwrap_or_else(|error| panic!("not a valid image model: {error}"));
    check_image::<P>(&image, settings)
}

/// The distinct rule ids of `findings`, sorted.
pub fn rule_ids(findings: &[Finding]) -> Vec<&str> {
    let mut ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The policy's `validate-settings`.
pub fn validate_settings<P: Policy>(settings: &str) -> Result<(), String> {
    policy::validate_settings::<P>(settings)
}

/// The policy's `metadata`.
pub fn metadata<P: Policy>() -> PolicyInfo {
    P::info().to_policy_info()
}

/// What the policy logged on this thread since the last call.
pub fn take_logs() -> Vec<(LogLevel, String)> {
    crate::log::native::LOGS.with(|logs| std::mem::take(&mut *logs.borrow_mut()))
}

/// Checks findings the way the host does before accepting them: every rule
/// id declared, a message, spans inside the file with start before end,
/// stages that exist. Returns every problem, one per line.
pub fn validate_findings<P: Policy>(
    findings: &[Finding],
    dockerfile: Option<&Dockerfile>,
) -> Result<(), String> {
    let meta = P::info();
    let mut problems = Vec::new();
    for finding in findings {
        let what = format!("{} {:?}", finding.rule_id, finding.message);
        if meta.rule(&finding.rule_id).is_none() {
            problems.push(format!("{what}: rule id not declared by the policy"));
        }
        if finding.message.trim().is_empty() {
            problems.push(format!("{what}: empty message"));
        }
        if let Some(span) = finding.span {
            if span.start_line == 0 || span.end_line < span.start_line {
                problems.push(format!("{what}: malformed span {span:?}"));
            }
            if let Some(dockerfile) = dockerfile
                && span.end_line > dockerfile.line_count
            {
                problems.push(format!(
                    "{what}: line {} is past the end of the file ({} lines)",
                    span.end_line, dockerfile.line_count
                ));
            }
        }
        if let (Some(stage), Some(dockerfile)) = (finding.stage, dockerfile)
            && dockerfile.stage(stage).is_none()
        {
            problems.push(format!("{what}: stage {stage} does not exist"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Asserts what every policy must satisfy about its rules: ids unique,
/// each rule's documentation complete (the four sections, a fenced example),
/// titles without a final period, tags without spaces, and equivalents in
/// the vocabulary of [`equivalents`](crate::equivalents).
/// Call it from one test of each policy.
pub fn assert_rules_documented<P: Policy>() {
    let meta = P::info();
    let mut problems = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for rule in meta.rules {
        if seen.contains(&rule.id) {
            problems.push(format!("{}: declared twice", rule.id));
        }
        seen.push(rule.id);
        if rule.title.ends_with('.') {
            problems.push(format!("{}: the title ends with a period", rule.id));
        }
        let documentation = rule.documentation();
        for section in crate::rule::REQUIRED_SECTIONS {
            if !documentation.lines().any(|line| line == section) {
                problems.push(format!("{}: no `{section}` section", rule.id));
            }
        }
        if !rule.help().contains("```") {
            problems.push(format!("{}: the example has no code block", rule.id));
        }
        for equivalent in rule.equivalents {
            if let Err(problem) = crate::equivalents::check(equivalent) {
                problems.push(format!("{}: equivalent {problem}", rule.id));
            }
        }
        for tag in rule.tags {
            if tag.is_empty() || tag.chars().any(char::is_whitespace) {
                problems.push(format!("{}: tag `{tag}` is empty or has spaces", rule.id));
            }
        }
    }
    if meta.name.is_empty() || meta.version.is_empty() || meta.description.is_empty() {
        problems.push("the policy needs a name, a version and a description".to_string());
    }
    assert!(
        problems.is_empty(),
        "policy {}:\n{}",
        meta.name,
        problems.join("\n")
    );
}

/// Findings as text, one per line, for assertions and snapshots:
/// `3:1 BI001 medium [stage 0] message` then `  fix: ...` when there is
/// one. Sorted by line, then rule, as the host reports them. Severity is
/// the finding's override or the rule's default.
pub fn render<P: Policy>(findings: &[Finding]) -> String {
    let meta = P::info();
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        (a.line(), &a.rule_id, &a.message).cmp(&(b.line(), &b.rule_id, &b.message))
    });
    let mut out = String::new();
    for finding in sorted {
        let location = match finding.span {
            Some(span) if span.start_column > 0 => {
                format!("{}:{}", span.start_line, span.start_column)
            }
            Some(span) => span.start_line.to_string(),
            None => "-".to_string(),
        };
        let severity = finding
            .severity
            .or_else(|| meta.rule(&finding.rule_id).map(|rule| rule.severity))
            .map_or("?", severity_name);
        let stage = finding
            .stage
            .map(|stage| format!(" [stage {stage}]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{location} {} {severity}{stage} {}\n",
            finding.rule_id, finding.message
        ));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("  fix: {fix}\n"));
        }
    }
    out
}

/// The lower-case name of a severity, as in reports.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}
