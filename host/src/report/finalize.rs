//! Putting a report in its final, deterministic shape: sorted, summarised,
//! and judged.
//!
//! Workers fill a report in whatever order they finish; everything that
//! renders it assumes [`Report::finalize`] has run, so two runs over the same
//! inputs produce the same bytes (docs/reports.md).

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{
    BySeverity, PolicyEntry, Report, ReportError, ReportFinding, RunInfo, SeverityName, Summary,
    Target, TargetStatus, Tool, Verdict,
};

/// Exit code: nothing at or above `--fail-on` (docs/cli.md, "Exit codes").
pub const EXIT_PASS: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: an error (a policy error, a target that could not be scanned, ...).
pub const EXIT_ERROR: u8 = 2;

impl Tool {
    /// This build of tallyman.
    pub fn tallyman() -> Tool {
        Tool {
            name: "tallyman".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

impl Report {
    /// An empty report for `tool` and `run`, to be filled by the scan and
    /// then [finalized](Report::finalize).
    pub fn new(tool: Tool, run: RunInfo) -> Report {
        Report {
            tool,
            policies: Vec::new(),
            repositories: Vec::new(),
            targets: Vec::new(),
            findings: Vec::new(),
            errors: Vec::new(),
            summary: Summary::default(),
            run,
        }
    }

    /// Sorts every list into its canonical order and recomputes the summary.
    ///
    /// Orders: policies by name (their rules by id); targets by path;
    /// findings by (path, line, rule id, column, message); errors by (path,
    /// policy, kind). Ties are broken by the remaining fields so the order is
    /// total: equal inputs always give equal output, whatever order they were
    /// added in. Idempotent.
    pub fn finalize(&mut self) {
        for policy in &mut self.policies {
            // Field order makes this "by id", then the rest as tie-breakers.
            policy.rules.sort();
        }
        self.policies.sort_by(compare_policies);
        // Both orders are total, so an unstable sort gives the same result
        // and needs no buffer half the size of what it sorts.
        self.targets.sort_unstable_by(compare_targets);
        self.findings.sort_unstable_by(compare_findings);
        self.errors.sort_by(compare_errors);
        self.repositories.sort_by(|a, b| a.name.cmp(&b.name));
        self.summary = self.compute_summary();
        self.summarise_repositories();
    }

    /// The summary of the report as it stands (what [`Report::finalize`]
    /// stores in `summary`).
    pub fn compute_summary(&self) -> Summary {
        summarise(self.targets.iter(), self.findings.iter(), self.run.fail_on)
    }

    /// Each repository's summary: its targets and the findings in them.
    fn summarise_repositories(&mut self) {
        let repository_of: HashMap<&str, &str> = self
            .targets
            .iter()
            .filter_map(|t| Some((t.path.as_str(), t.repository.as_deref()?)))
            .collect();
        let summaries: Vec<Summary> = self
            .repositories
            .iter()
            .map(|repository| {
                let name = repository.name.as_str();
                summarise(
                    self.targets
                        .iter()
                        .filter(|t| t.repository.as_deref() == Some(name)),
                    self.findings
                        .iter()
                        .filter(|f| repository_of.get(&*f.path) == Some(&name)),
                    self.run.fail_on,
                )
            })
            .collect();
        for (repository, summary) in self.repositories.iter_mut().zip(summaries) {
            repository.summary = summary;
        }
    }

    /// `fail` when any finding's severity is at or above `run.fail_on`.
    ///
    /// The verdict is about findings only: errors and failed targets do not
    /// turn it to `fail`, they make [`Report::exit_code`] 2, which outranks
    /// the verdict. A report can therefore say `pass` and still exit 2: the
    /// findings it has are below the threshold, but it is not complete.
    pub fn verdict(&self) -> Verdict {
        let fail_on = self.run.fail_on;
        if self.findings.iter().any(|f| f.severity >= fail_on) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }

    /// Whether the scan is incomplete: a policy or the host reported an
    /// error, or a target could not be scanned.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
            || self
                .targets
                .iter()
                .any(|t| t.status == TargetStatus::Failed)
    }

    /// The process exit code (docs/cli.md): 2 when the scan had errors or a
    /// target failed, else 1 when the verdict is `fail`, else 0. Computed
    /// from the data, not from `summary`, so it is right even before
    /// [`Report::finalize`].
    pub fn exit_code(&self) -> u8 {
        if self.has_errors() {
            EXIT_ERROR
        } else if self.verdict() == Verdict::Fail {
            EXIT_FINDINGS
        } else {
            EXIT_PASS
        }
    }
}

impl BySeverity {
    /// The count for one severity.
    pub fn get(&self, severity: SeverityName) -> usize {
        match severity {
            SeverityName::Info => self.info,
            SeverityName::Low => self.low,
            SeverityName::Medium => self.medium,
            SeverityName::High => self.high,
            SeverityName::Critical => self.critical,
        }
    }

    fn get_mut(&mut self, severity: SeverityName) -> &mut usize {
        match severity {
            SeverityName::Info => &mut self.info,
            SeverityName::Low => &mut self.low,
            SeverityName::Medium => &mut self.medium,
            SeverityName::High => &mut self.high,
            SeverityName::Critical => &mut self.critical,
        }
    }
}

fn summarise<'a>(
    targets: impl Iterator<Item = &'a Target>,
    findings: impl Iterator<Item = &'a ReportFinding>,
    fail_on: SeverityName,
) -> Summary {
    let mut summary = Summary::default();
    for target in targets {
        summary.targets += 1;
        match target.status {
            TargetStatus::Scanned => summary.scanned += 1,
            TargetStatus::Skipped => summary.skipped += 1,
            TargetStatus::Failed => summary.failed += 1,
        }
    }
    for finding in findings {
        summary.findings += 1;
        *summary.by_severity.get_mut(finding.severity) += 1;
        if finding.severity >= fail_on {
            summary.verdict = Verdict::Fail;
        }
    }
    summary
}

fn compare_policies(a: &PolicyEntry, b: &PolicyEntry) -> Ordering {
    (&a.name, &a.version, &a.sha256, a.builtin, &a.rules)
        .cmp(&(&b.name, &b.version, &b.sha256, b.builtin, &b.rules))
}

fn compare_targets(a: &Target, b: &Target) -> Ordering {
    (&a.path, kind_rank(a), &a.sha256, status_rank(a), &a.reason)
        .cmp(&(&b.path, kind_rank(b), &b.sha256, status_rank(b), &b.reason))
        .then_with(|| a.repository.cmp(&b.repository))
}

fn kind_rank(target: &Target) -> u8 {
    target.kind as u8
}

fn status_rank(target: &Target) -> u8 {
    target.status as u8
}

fn compare_findings(a: &ReportFinding, b: &ReportFinding) -> Ordering {
    (&a.path, a.line, &a.rule_id, a.column, &a.message)
        .cmp(&(&b.path, b.line, &b.rule_id, b.column, &b.message))
        .then_with(|| {
            (a.end_line, &a.policy, a.severity, &a.stage, &a.fix)
                .cmp(&(b.end_line, &b.policy, b.severity, &b.stage, &b.fix))
        })
}

fn compare_errors(a: &ReportError, b: &ReportError) -> Ordering {
    (&a.path, &a.policy, &a.kind, &a.message).cmp(&(&b.path, &b.policy, &b.kind, &b.message))
}
