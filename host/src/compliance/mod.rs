//! Compliance reports: a scan report read as evidence for the controls of a
//! benchmark (`tallyman report REPORT --framework cis-docker-1.6`).
//!
//! The flow: [`input::read_evidence`] reads a JSON report or verifies an
//! attestation, [`assess::assess`] judges each control in each repository,
//! and one renderer per [`ComplianceFormat`] writes the result.
//!
//! # What the verdicts mean
//!
//! A rule *supports* a control when one of its tags names it
//! (`cis-docker-1.6:4.1`); the tags come from the report's `policies`, so
//! an organisation's policies count as soon as they tag their rules. For
//! each control and repository:
//!
//! - **fail**: a supporting rule reported a finding in one of the
//!   repository's targets, whatever its severity. The findings are the
//!   evidence. Findings are definite, so gaps elsewhere do not soften a fail.
//! - **incomplete**: no finding, but the evidence has a gap: a target of
//!   the repository failed (unreadable, too large, refused by the parser),
//!   or a policy that supports the control errored on one of its targets
//!   (or errored with no target named, or is missing from the report, as
//!   when it failed to load: what it supports is then unknown, so every
//!   control is affected). Incomplete is never a pass.
//! - **pass**: the supporting rules ran on every scanned target of the
//!   repository and none reported anything.
//! - **not applicable**: nothing of the repository was scanned (no
//!   targets, or all skipped).
//! - **not assessed**: no rule of the scan supports the control. It says
//!   nothing either way and is listed so that nobody mistakes silence for
//!   a pass.
//!
//! A control's overall verdict, and a repository's over all controls, is
//! the worst of its parts in the order fail, incomplete, pass, not
//! applicable ([`model::Verdict::combine`]).
//!
//! Skipped targets (the configuration's `ignore.paths`) are out of scope by
//! the scan's own configuration: they do not change verdicts, and are
//! listed as excluded so that the scope is visible. Findings silenced by
//! `ignore` settings or pragmas are not in the report at all; for an
//! attestation the configuration's ignores are shown, and a rule turned off
//! by `ignore.rules` supports nothing.

pub mod assess;
pub mod framework;
mod html;
pub mod input;
mod markdown;
pub mod model;
mod text;

use std::io::{self, Write};

pub use assess::assess;
pub use framework::{CIS_DOCKER_1_6, Framework};
pub use input::{Provenance, read_evidence};
pub use model::{ComplianceReport, Verdict};

/// The formats of `tallyman report -f`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ComplianceFormat {
    /// One self-contained HTML page: summary chart, tables, evidence; prints well.
    Html,
    /// GitHub-flavoured Markdown tables.
    #[value(name = "md", alias = "markdown")]
    Markdown,
    /// The JSON contract (see the README).
    Json,
}

impl ComplianceFormat {
    /// The name as `-f` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceFormat::Html => "html",
            ComplianceFormat::Markdown => "md",
            ComplianceFormat::Json => "json",
        }
    }
}

/// Writes `report` in `format`.
pub fn render(
    report: &ComplianceReport,
    format: ComplianceFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ComplianceFormat::Html => html::render(report, out),
        ComplianceFormat::Markdown => markdown::render(report, out),
        ComplianceFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
            writeln!(out)
        }
    }
}

/// The exit code of `tallyman report`: 0 when no control fails and none is
/// incomplete, 1 otherwise (2, an error, is the CLI's).
pub fn exit_code(report: &ComplianceReport) -> u8 {
    match report.summary.verdict {
        Verdict::Fail | Verdict::Incomplete => 1,
        Verdict::Pass | Verdict::NotApplicable | Verdict::NotAssessed => 0,
    }
}
