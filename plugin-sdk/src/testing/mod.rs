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

use crate::model::{Dockerfile, Finding, Image, LogLevel, PolicyInfo, Severity};
use crate::policy::{self, Policy};

pub use convert::{dockerfile_from_host, dockerfile_from_json, image_from_host, image_from_json};

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
/// titles without a final period, tags and equivalents in `tool:ID` form.
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
            if !equivalent.contains(':') {
                problems.push(format!(
                    "{}: equivalent `{equivalent}` is not `tool:ID`",
                    rule.id
                ));
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
