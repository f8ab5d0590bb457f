//! Findings as LSP diagnostics: the rule id as the code, the severity as
//! SARIF maps it (info → information, low and medium → warning, high and
//! critical → error), a link to the rule's documentation, and the stage a
//! finding belongs to as related information.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range, Uri,
};
use tallyman_dockerfile::model::Dockerfile;

use super::text::LineIndex;
use crate::report::{ReportError, ReportFinding, SeverityName};

/// What every diagnostic says it comes from.
pub const SOURCE: &str = "tallyman";

/// Codes of the diagnostics that are about the file or the setup, not a rule.
pub const CONFIG_ERROR: &str = "config-error";
pub const PARSE_ERROR: &str = "parse-error";
pub const FILE_TOO_LARGE: &str = "file-too-large";

pub fn severity(severity: SeverityName) -> DiagnosticSeverity {
    match severity {
        SeverityName::Info => DiagnosticSeverity::INFORMATION,
        SeverityName::Low | SeverityName::Medium => DiagnosticSeverity::WARNING,
        SeverityName::High | SeverityName::Critical => DiagnosticSeverity::ERROR,
    }
}

/// Where the built-in rules are documented: the rule's row in
/// `docs/rules.md` on the project's repository.
pub fn rule_docs(rule_id: &str) -> Option<CodeDescription> {
    let href = format!(
        "{}/blob/main/docs/rules.md#{}",
        env!("CARGO_PKG_REPOSITORY"),
        rule_id.to_ascii_lowercase()
    );
    Some(CodeDescription {
        href: Uri::from_str(&href).ok()?,
    })
}

/// A diagnostic about the whole file (no rule), on its first line.
pub fn file_diagnostic(
    index: &LineIndex<'_>,
    code: &str,
    severity: DiagnosticSeverity,
    message: String,
) -> Diagnostic {
    Diagnostic {
        range: index.lines_range(1, None, 1),
        severity: Some(severity),
        code: Some(NumberOrString::String(code.to_string())),
        source: Some(SOURCE.to_string()),
        message,
        ..Diagnostic::default()
    }
}

/// A finding's range: its lines, from its column when it has one; a
/// finding with no line (about the whole file) sits on the first line.
fn finding_range(index: &LineIndex<'_>, finding: &ReportFinding) -> Range {
    let first = finding.line.unwrap_or(1);
    let last = finding.end_line.unwrap_or(first).max(first);
    index.lines_range(first, finding.column, last)
}

/// The stage a finding belongs to, pointing at its `FROM`, when the
/// finding is not on that line already.
fn stage_information(
    uri: &Uri,
    index: &LineIndex<'_>,
    model: &Dockerfile,
    finding: &ReportFinding,
) -> Option<Vec<DiagnosticRelatedInformation>> {
    let label = finding.stage.as_deref()?;
    let stage = model
        .stages
        .iter()
        .find(|stage| stage.name.as_deref() == Some(label) || stage.index.to_string() == label)?;
    let from_line = stage.span.start_line;
    if from_line == 0 || finding.line == Some(from_line) {
        return None;
    }
    let named = match &stage.name {
        Some(name) => format!("stage `{name}`"),
        None => format!("stage {}", stage.index),
    };
    Some(vec![DiagnosticRelatedInformation {
        location: Location::new(uri.clone(), index.lines_range(from_line, None, from_line)),
        message: format!("in {named}, which starts here"),
    }])
}

pub fn from_finding(
    uri: &Uri,
    index: &LineIndex<'_>,
    model: &Dockerfile,
    finding: &ReportFinding,
    documented: bool,
) -> Diagnostic {
    let mut message = finding.message.to_string();
    if let Some(fix) = finding.fix.as_deref().filter(|fix| !fix.trim().is_empty()) {
        message.push_str("\nFix: ");
        message.push_str(fix);
    }
    Diagnostic {
        range: finding_range(index, finding),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule_id.to_string())),
        code_description: documented.then(|| rule_docs(&finding.rule_id)).flatten(),
        source: Some(SOURCE.to_string()),
        message,
        related_information: stage_information(uri, index, model, finding),
        ..Diagnostic::default()
    }
}

/// A policy that failed on this file (trapped, timed out, returned
/// garbage): one diagnostic, the others' findings still shown.
pub fn from_error(index: &LineIndex<'_>, error: &ReportError) -> Diagnostic {
    let message = match &error.policy {
        Some(policy) => format!(
            "policy `{policy}` failed on this file ({}): {}",
            error.kind, error.message
        ),
        None => format!("{}: {}", error.kind, error.message),
    };
    file_diagnostic(index, &error.kind, DiagnosticSeverity::ERROR, message)
}
