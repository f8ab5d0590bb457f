//! The compliance report: what [`assess`](super::assess::assess) produces
//! and every format renders. Its JSON form (`tallyman report -f json`) is a
//! contract, documented in the README: fields are only ever added.

use serde::Serialize;

use super::framework::Method;
use crate::report::{SeverityName, Tool};

/// The version of the JSON contract below.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceReport {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The tallyman that made this compliance report.
    pub tool: Tool,
    pub framework: FrameworkInfo,
    /// Where the evidence came from, and whether it was verified.
    pub source: Source,
    pub summary: ComplianceSummary,
    /// Every control of the section, in the benchmark's order.
    pub controls: Vec<ControlAssessment>,
    /// Every repository of the scan, by name (`null` last: targets outside
    /// any repository, such as images).
    pub repositories: Vec<RepositoryAssessment>,
    /// What kept evidence from being complete: failed targets and errors.
    pub gaps: Vec<Gap>,
    /// Targets the scan's configuration left out (skipped), with the reason.
    pub excluded: Vec<ExcludedTarget>,
    /// The policies that ran, with the digests the evidence names.
    pub policies: Vec<PolicyRef>,
    /// Things the reader should know that fit nowhere else (rule tags that
    /// name no control of the section, ...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkInfo {
    /// `cis-docker-1.6`.
    pub id: String,
    pub name: String,
    pub version: String,
    pub section: String,
    pub section_title: String,
}

/// The scan report the assessment read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file as given on the command line.
    pub file: String,
    /// The sha256 of that file's bytes.
    pub sha256: String,
    pub kind: SourceKind,
    /// True only for an attestation whose signature verified.
    pub verified: bool,
    /// The keyid of the key that verified it (sha256 of the public key's DER).
    pub keyid: Option<String>,
    /// The tallyman that ran the scan.
    pub scanned_by: Tool,
    /// When the scan started (RFC 3339) and the date its policies were told.
    pub started_at: String,
    pub evaluated_on: String,
    /// The digest of the scan's effective configuration, when recorded.
    pub config_sha256: Option<String>,
    /// The ignores in the attested configuration; null for a plain report,
    /// whose configuration is not known.
    pub config_ignores: Option<ConfigIgnores>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A `-f json` scan report, as written: anyone could have edited it.
    Report,
    /// A DSSE envelope of `scan --sign`, verified with `--verify-key`.
    Attestation,
}

/// The configuration's `ignore` section, as an attestation records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigIgnores {
    /// Rules turned off everywhere: they cannot support a control.
    pub rules: Vec<String>,
    /// Rules turned off under some paths.
    pub rule_paths: Vec<RulePaths>,
    /// Targets left out (they are listed as skipped).
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulePaths {
    pub rule: String,
    pub paths: Vec<String>,
}

/// A control's or a repository's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A rule that supports the control reported a finding.
    Fail,
    /// No finding, but the evidence has gaps: a target failed, a policy
    /// that supports the control errored. Not a pass.
    Incomplete,
    /// The control's rules ran on every scanned target and found nothing.
    Pass,
    /// Nothing was scanned (no targets, or all skipped).
    NotApplicable,
    /// No rule of the scan supports the control.
    NotAssessed,
}

impl Verdict {
    /// Every verdict, worst first.
    pub const ALL: [Verdict; 5] = [
        Verdict::Fail,
        Verdict::Incomplete,
        Verdict::Pass,
        Verdict::NotApplicable,
        Verdict::NotAssessed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "not-applicable",
            Verdict::NotAssessed => "not-assessed",
        }
    }

    /// As a reader would say it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "not applicable",
            Verdict::NotAssessed => "not assessed",
        }
    }

    /// The verdict of several parts (repositories of a control, controls of
    /// a repository): the worst one that says something, so that one
    /// failure fails the whole and one gap keeps it from passing.
    pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut all = verdicts.into_iter().peekable();
        if all.peek().is_none() {
            return Verdict::NotApplicable;
        }
        all.min().unwrap_or(Verdict::NotApplicable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplianceSummary {
    /// Controls in the section.
    pub controls: usize,
    pub fail: usize,
    pub incomplete: usize,
    pub pass: usize,
    pub not_applicable: usize,
    pub not_assessed: usize,
    /// Over the controls (see [`Verdict::combine`]): `fail` if any fails,
    /// else `incomplete` if any is, else `pass` if any passes, else
    /// `not-applicable` (nothing scanned) or `not-assessed` (no rule).
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlAssessment {
    pub id: String,
    pub title: String,
    pub method: Method,
    /// Across repositories (see [`Verdict::combine`]).
    pub verdict: Verdict,
    /// The rules that support it, from the scanned report's policies.
    pub rules: Vec<CoveringRule>,
    /// The control's verdict in each repository, in the order of
    /// [`ComplianceReport::repositories`].
    pub repositories: Vec<RepositoryVerdict>,
    /// The findings that fail it.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoveringRule {
    pub id: String,
    pub title: String,
    pub policy: String,
    pub policy_sha256: String,
    pub severity: SeverityName,
    /// Turned off by the attested configuration's `ignore.rules`: listed,
    /// but it supports nothing.
    pub ignored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepositoryVerdict {
    /// Null for targets outside any repository.
    pub repository: Option<String>,
    pub verdict: Verdict,
    pub findings: usize,
    /// How many entries of [`ComplianceReport::gaps`] concern this
    /// control in this repository.
    pub gaps: usize,
}

/// A finding that fails a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub repository: Option<String>,
    pub path: String,
    pub line: Option<u32>,
    pub end_line: Option<u32>,
    pub rule_id: String,
    pub policy: String,
    pub policy_sha256: String,
    pub severity: SeverityName,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepositoryAssessment {
    /// Null for targets outside any repository (images).
    pub name: Option<String>,
    /// Where its targets are in report paths (`.` for the scan root).
    pub path: Option<String>,
    pub commit: Option<String>,
    pub targets: usize,
    pub scanned: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Over the assessed controls.
    pub verdict: Verdict,
}

/// Something that kept the evidence from being complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The repository of `path`; null for targets outside any repository.
    pub repository: Option<String>,
    /// Null for an error that names no file (a policy that failed to
    /// load): such a gap concerns every repository.
    pub path: Option<String>,
    pub policy: Option<String>,
    /// `target-failed`, or the scan error's kind (`timeout`, `trap`, ...).
    pub kind: String,
    pub message: String,
    /// The controls it leaves without complete evidence.
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedTarget {
    pub repository: Option<String>,
    pub path: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub builtin: bool,
}

#[cfg(test)]
mod tests {
    use super::Verdict::*;
    use super::*;

    #[test]
    fn the_worst_verdict_that_says_something_wins() {
        assert_eq!(Verdict::combine([Pass, Fail, Incomplete]), Fail);
        assert_eq!(Verdict::combine([Pass, Incomplete]), Incomplete);
        assert_eq!(Verdict::combine([Pass, NotApplicable]), Pass);
        assert_eq!(
            Verdict::combine([NotApplicable, NotApplicable]),
            NotApplicable
        );
        assert_eq!(Verdict::combine([NotAssessed, Pass]), Pass);
        assert_eq!(Verdict::combine([]), NotApplicable);
    }
}
