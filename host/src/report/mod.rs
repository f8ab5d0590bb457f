//! The scan report: one data structure (the JSON contract of docs/reports.md)
//! and one module per output format.
//!
//! The flow is: the scan fills a [`Report`] in whatever order its workers
//! finish, [`Report::finalize`] sorts it and computes the summary, then
//! [`write_report`] renders it in each requested [`ReportFormat`].

use arcstr::ArcStr;

use serde::{Deserialize, Serialize};

mod digest;
mod finalize;
pub mod json;
pub mod junit;
mod output;
pub mod sarif;
mod strings;
pub mod text;

pub use digest::Sha256Digest;
pub use strings::SharedStrings;

pub use finalize::{EXIT_ERROR, EXIT_FINDINGS, EXIT_PASS};
pub use output::{
    RenderOptions, ReportFormat, SourceLookup, color_enabled, color_enabled_with, write_report,
};

pub use tallyman_dockerfile::model::Severity;

/// The whole report. Every field is always present in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: Tool,
    pub policies: Vec<PolicyEntry>,
    /// The repositories the targets belong to, each with its own summary:
    /// one for a scan of a tree, one per checkout for `--repos` and
    /// `--repo-depth`, none for an image.
    #[serde(default)]
    pub repositories: Vec<Repository>,
    pub targets: Vec<Target>,
    pub findings: Vec<ReportFinding>,
    pub errors: Vec<ReportError>,
    pub summary: Summary,
    /// Timing and the run's date: the only fields that differ between two
    /// runs over the same inputs.
    pub run: RunInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub builtin: bool,
    pub rules: Vec<RuleEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleEntry {
    pub id: String,
    pub title: String,
    pub severity: SeverityName,
    pub tags: Vec<String>,
    pub equivalents: Vec<String>,
    /// Markdown: what the rule checks and why (for SARIF `fullDescription`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Markdown: how to fix it (for SARIF `help`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
}

/// A repository (a checkout) that a scan covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// Unique in the report; what targets name in `repository`.
    pub name: String,
    /// Where its targets are in report paths: `.` when they are relative to
    /// the repository itself (a scan of one tree), else the prefix of their
    /// paths (`team-a/api` for `team-a/api/Dockerfile`).
    pub path: String,
    /// The checked-out commit (`git rev-parse HEAD`); null outside git.
    pub commit: Option<String>,
    /// The repository's share of the report, computed by [`Report::finalize`].
    #[serde(default)]
    pub summary: Summary,
    /// The directories discovery did not walk, by why.
    #[serde(default)]
    pub directories_left_out: DirectoriesLeftOut,
}

/// Directories discovery did not walk, counted by why: a report that says
/// nothing about them looks like it covered them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoriesLeftOut {
    /// `.git`, `.hg`, `.svn`, `.bzr`, `.jj`, `.sl`: version control
    /// metadata, never a build's source.
    pub vcs_metadata: usize,
    /// Excluded by `.gitignore`, `.ignore` or `.tallymanignore` (or git's
    /// `info/exclude`); `--no-ignore` walks them.
    pub ignore_files: usize,
    /// Hidden (a name starting with `.`), left out because of `--no-hidden`.
    pub hidden: usize,
}

impl DirectoriesLeftOut {
    pub fn total(&self) -> usize {
        self.vcs_metadata + self.ignore_files + self.hidden
    }

    /// Both counts together (the repositories of one report).
    pub fn add(&mut self, other: &DirectoriesLeftOut) {
        self.vcs_metadata += other.vcs_metadata;
        self.ignore_files += other.ignore_files;
        self.hidden += other.hidden;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Dockerfile,
    Image,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetStatus {
    Scanned,
    Skipped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Relative to the scan root, with `/`; the same text the target's
    /// findings share.
    pub path: ArcStr,
    pub kind: TargetKind,
    /// Of the file's bytes (for images, the manifest digest); null when unreadable.
    pub sha256: Option<Sha256Digest>,
    pub status: TargetStatus,
    /// Why it was skipped or failed; null when scanned.
    pub reason: Option<String>,
    /// The name of the repository it belongs to; null for images. Shared
    /// by all of the repository's targets.
    #[serde(default)]
    pub repository: Option<ArcStr>,
}

/// Severity as the report spells it: lower case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl From<Severity> for SeverityName {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Info => SeverityName::Info,
            Severity::Low => SeverityName::Low,
            Severity::Medium => SeverityName::Medium,
            Severity::High => SeverityName::High,
            Severity::Critical => SeverityName::Critical,
        }
    }
}

impl SeverityName {
    pub const ALL: [SeverityName; 5] = [
        SeverityName::Info,
        SeverityName::Low,
        SeverityName::Medium,
        SeverityName::High,
        SeverityName::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SeverityName::Info => "info",
            SeverityName::Low => "low",
            SeverityName::Medium => "medium",
            SeverityName::High => "high",
            SeverityName::Critical => "critical",
        }
    }
}

/// One finding. A scan of a large tree holds hundreds of thousands of these
/// until the report is sorted, so every string is shared: those every
/// finding of a target or a policy repeats (path, policy name, rule id), and
/// the texts many targets repeat ([`SharedStrings`]): peak memory follows
/// the number of findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub rule_id: ArcStr,
    pub policy: ArcStr,
    pub severity: SeverityName,
    pub path: ArcStr,
    pub line: Option<u32>,
    pub end_line: Option<u32>,
    pub column: Option<u32>,
    /// The stage's name, else its index as text.
    pub stage: Option<ArcStr>,
    pub message: ArcStr,
    pub fix: Option<ArcStr>,
    /// Edits that fix it, when the rule knows them (`tallyman fix` applies
    /// them). Left out of the JSON when there are none, as in reports
    /// written before fixes existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autofix: Option<Box<tallyman_dockerfile::model::Autofix>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportError {
    pub path: Option<String>,
    pub policy: Option<String>,
    /// `timeout`, `out-of-memory`, `trap`, `invalid-output`, `load-error`,
    /// `parse-error`, `read-error`, `config-error`, ...
    pub kind: String,
    pub message: String,
}

/// Counts and the verdict, computed by [`Report::finalize`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub targets: usize,
    pub scanned: usize,
    pub skipped: usize,
    pub failed: usize,
    pub findings: usize,
    pub by_severity: BySeverity,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BySeverity {
    pub info: usize,
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    pub critical: usize,
}

/// `fail` when any finding is at or above `--fail-on`; errors do not change
/// the verdict (they make the exit code 2 instead; see [`Report::exit_code`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    #[default]
    Pass,
    Fail,
}

/// How the report was made. `started_at` and `duration_ms` are the only
/// fields that differ between two runs over the same inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// RFC 3339.
    pub started_at: String,
    pub duration_ms: u64,
    /// The date policies were told (`YYYY-MM-DD`).
    pub evaluated_on: String,
    /// `--fail-on` in force.
    pub fail_on: SeverityName,
    /// The sha256 of the effective configuration (the options and the
    /// config file's settings, as a signed attestation records them), so
    /// that shards run with different settings are not merged.
    #[serde(default)]
    pub config_sha256: Option<String>,
    /// Which share of the targets this report covers (`--shard K/N`); null
    /// for a whole scan.
    #[serde(default)]
    pub shard: Option<Shard>,
}

/// Shard `index` of `count` (1-based, as `--shard K/N` reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}
