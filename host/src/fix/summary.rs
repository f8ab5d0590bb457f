//! What `tallyman fix` says when it is done: fixes per rule, and what is left.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{FileFix, FixOptions};
use crate::fix::Applicability;

/// Counts over every file of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Fixes applied (or that would be), by rule id.
    pub applied: BTreeMap<String, usize>,
    /// Files whose text changed.
    pub files_changed: usize,
    pub files_checked: usize,
    /// Findings left after fixing.
    pub remaining: usize,
    /// Of those, findings whose fix is unsafe and was not asked for.
    pub unsafe_left: usize,
    /// Of those, findings with a wanted fix that could not be applied.
    pub fixable_left: usize,
    /// `path: why` for each file or fix left alone.
    pub notes: Vec<String>,
    /// Image references pinned by digest (counted under BI003 in
    /// `applied` too), of them `refreshed` replacing a moved digest.
    pub pinned: usize,
    pub refreshed: usize,
    /// `path:line: reference: why` for each reference that could not be
    /// pinned; each such file is left as it was.
    pub pin_errors: Vec<String>,
    /// Files left as they were because a reference could not be pinned.
    pub files_refused: usize,
}

impl Summary {
    pub fn of(files: &[FileFix], options: FixOptions) -> Summary {
        let mut summary = Summary {
            files_checked: files.len(),
            ..Summary::default()
        };
        for file in files {
            for rule in &file.applied {
                *summary.applied.entry(rule.to_string()).or_default() += 1;
            }
            if file.fixed.is_some() {
                summary.files_changed += 1;
            }
            summary.remaining += file.remaining.len();
            for finding in &file.remaining {
                match finding.autofix.as_deref() {
                    Some(fix) if options.wants(fix) => summary.fixable_left += 1,
                    Some(fix) if fix.applicability == Applicability::Unsafe => {
                        summary.unsafe_left += 1;
                    }
                    _ => {}
                }
            }
            summary.pinned += file.pinned;
            summary.refreshed += file.refreshed;
            if !file.pin_errors.is_empty() {
                summary.files_refused += 1;
            }
            summary.pin_errors.extend(
                file.pin_errors
                    .iter()
                    .map(|error| format!("{}:{}: {}", file.display, error.line, error.message)),
            );
            summary.notes.extend(
                file.notes
                    .iter()
                    .map(|note| format!("{}: {note}", file.display)),
            );
        }
        summary
    }

    pub fn total_applied(&self) -> usize {
        self.applied.values().sum()
    }

    /// The text printed at the end; `would` when nothing is written
    /// (`--diff`, `--check`).
    pub fn render(&self, would: bool) -> String {
        let mut out = String::new();
        let verb = if would { "would apply" } else { "applied" };
        let _ = writeln!(
            out,
            "{verb} {} fixes in {} of {} files",
            self.total_applied(),
            self.files_changed,
            self.files_checked,
        );
        let width = self.applied.keys().map(String::len).max().unwrap_or(0);
        for (rule, count) in &self.applied {
            let _ = writeln!(out, "  {rule:<width$}  {count}");
        }
        let _ = write!(out, "{} findings left", self.remaining);
        if self.unsafe_left > 0 {
            let _ = write!(
                out,
                "; {} of them with an unsafe fix (--unsafe-fixes applies it)",
                self.unsafe_left
            );
        }
        if self.fixable_left > 0 {
            let _ = write!(
                out,
                "; {} with a fix that overlapped another or would break the file",
                self.fixable_left
            );
        }
        out.push('\n');
        if self.pinned > 0 {
            let verb = if would { "would pin" } else { "pinned" };
            let _ = write!(out, "{verb} {} image references by digest", self.pinned);
            if self.refreshed > 0 {
                let _ = write!(out, " ({} of them refreshed)", self.refreshed);
            }
            out.push('\n');
        }
        if self.files_refused > 0 {
            let _ = writeln!(
                out,
                "{} image references could not be pinned; {} files left as they were",
                self.pin_errors.len(),
                self.files_refused
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}
