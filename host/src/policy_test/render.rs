//! The `cargo test`-shaped report of a run: a line per case, then each
//! failure with its differences, then the summary line.

use std::io::Write;

use tallyman_dockerfile::model::Finding;

use super::check::{Mismatch, line_of};
use super::{CaseOutcome, CaseResult, Summary};
use crate::engine::Diagnostics;

pub(super) fn case_line(outcome: &CaseOutcome, out: &mut dyn Write) -> std::io::Result<()> {
    let verdict = if outcome.passed() { "ok" } else { "FAILED" };
    writeln!(out, "test {} ... {verdict}", outcome.name)
}

pub(super) fn failures(outcomes: &[CaseOutcome], out: &mut dyn Write) -> std::io::Result<()> {
    let failed: Vec<&CaseOutcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nfailures:")?;
    for outcome in &failed {
        writeln!(out, "\n---- {} ----", outcome.name)?;
        match &outcome.result {
            CaseResult::Passed => {}
            CaseResult::Mismatched {
                mismatches,
                findings,
                diagnostics,
            } => {
                writeln!(
                    out,
                    "findings differ from expected.yaml (- expected, not reported; \
                     + reported, not expected; ! reported, listed as absent):"
                )?;
                for mismatch in mismatches {
                    writeln!(out, "{}", mismatch_line(mismatch))?;
                }
                writeln!(out, "every finding reported:")?;
                if findings.is_empty() {
                    writeln!(out, "    (none)")?;
                }
                let mut sorted: Vec<&Finding> = findings.iter().collect();
                sorted.sort_by(|a, b| (line_of(a), &a.rule_id).cmp(&(line_of(b), &b.rule_id)));
                for finding in sorted {
                    writeln!(out, "    {}", finding_text(finding))?;
                }
                diagnostics_text(diagnostics, out)?;
            }
            CaseResult::Error {
                reason,
                diagnostics,
            } => {
                writeln!(out, "error: {reason}")?;
                diagnostics_text(diagnostics, out)?;
            }
        }
    }
    writeln!(out, "\nfailures:")?;
    for outcome in &failed {
        writeln!(out, "    {}", outcome.name)?;
    }
    Ok(())
}

pub(super) fn summary(summary: &Summary, out: &mut dyn Write) -> std::io::Result<()> {
    let verdict = if summary.ok() { "ok" } else { "FAILED" };
    writeln!(
        out,
        "\ntest result: {verdict}. {} passed; {} failed; {} filtered out; finished in {:.2}s\n",
        summary.passed,
        summary.failed,
        summary.filtered_out,
        summary.elapsed.as_secs_f64()
    )
}

fn line_text(line: Option<u32>) -> String {
    line.map_or_else(|| "(no line)".to_string(), |line| format!("line {line}"))
}

/// `RULE line N: message`.
fn finding_text(finding: &Finding) -> String {
    format!(
        "{} {}: {}",
        finding.rule_id,
        line_text(line_of(finding)),
        finding.message
    )
}

fn mismatch_line(mismatch: &Mismatch) -> String {
    match mismatch {
        Mismatch::Missing(expected) => {
            let line = expected
                .line
                .map_or_else(|| "any line".to_string(), |line| format!("line {line}"));
            let message = expected
                .message
                .as_deref()
                .map(|part| format!(", message containing {part:?}"))
                .unwrap_or_default();
            format!("  - {} {line}{message}", expected.rule)
        }
        Mismatch::Unexpected(finding) => format!("  + {}", finding_text(finding)),
        Mismatch::Forbidden { finding, .. } => format!("  ! {}", finding_text(finding)),
    }
}

fn diagnostics_text(diagnostics: &Diagnostics, out: &mut dyn Write) -> std::io::Result<()> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    writeln!(out, "policy output:")?;
    for record in &diagnostics.logs {
        writeln!(out, "    log {:?}: {}", record.level, record.message)?;
    }
    for (stream, text) in [
        ("stdout", &diagnostics.stdout),
        ("stderr", &diagnostics.stderr),
    ] {
        for line in text.lines() {
            writeln!(out, "    {stream}: {line}")?;
        }
    }
    if diagnostics.dropped_bytes > 0 {
        writeln!(out, "    ({} bytes dropped)", diagnostics.dropped_bytes)?;
    }
    Ok(())
}
