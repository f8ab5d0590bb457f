//! Fixing one file: evaluate, apply, check it still parses, again.

use std::path::PathBuf;

use arcstr::ArcStr;
use tallyman_dockerfile::edit::apply_fixes;

use super::{FixOptions, MAX_PASSES, text};
use crate::discover;
use crate::engine::Session;
use crate::report::ReportFinding;
use crate::scan::ScanFile;
use crate::scan::findings::{self, FindingFilter};
use crate::scan::read::{self, ReadOptions, ReadOutcome};

/// What fixing one file did (nothing is written here).
#[derive(Debug, Clone)]
pub struct FileFix {
    /// The report path.
    pub display: String,
    /// Where the file is.
    pub path: PathBuf,
    /// The text as read, when it could be read as text.
    pub original: Option<String>,
    /// The fixed text, when it differs from the original.
    pub fixed: Option<String>,
    /// The rule id of each fix applied.
    pub applied: Vec<ArcStr>,
    /// The findings of the last evaluation: what is left.
    pub remaining: Vec<ReportFinding>,
    /// Why the file, or some of its fixes, were left alone.
    pub notes: Vec<String>,
}

/// Evaluates files as `scan` does, for fixing.
pub struct Fixer<'a> {
    pub read: &'a ReadOptions,
    pub filter: &'a FindingFilter,
    pub known_rules: &'a (dyn Fn(&str) -> bool + Sync),
    pub options: FixOptions,
}

/// A pass's outcome.
enum Pass {
    /// Nothing more to apply.
    Done,
    /// Fixes applied: the new text and their rule ids.
    Applied(String, Vec<ArcStr>),
}

impl Fixer<'_> {
    /// Fixes the file `file` in memory.
    pub fn fix_file(&self, session: &mut Session<'_>, file: &ScanFile) -> FileFix {
        let mut outcome = FileFix {
            display: file.display.clone(),
            path: file.path.clone(),
            original: None,
            fixed: None,
            applied: Vec::new(),
            remaining: Vec::new(),
            notes: Vec::new(),
        };
        let bytes = match read::read_bytes(&file.path, self.read) {
            Ok(bytes) => bytes,
            Err(reason) => {
                outcome.notes.push(reason);
                return outcome;
            }
        };
        let original = match text::editable(&bytes) {
            Ok(text) => text.to_string(),
            Err(reason) => {
                outcome.notes.push(reason);
                return outcome;
            }
        };
        let context = || discover::build_context(&file.path, &file.repository_dir);
        let mut current = original.clone();
        let mut settled = false;
        for _ in 0..MAX_PASSES {
            let findings = match self.evaluate(session, &current, &file.display, context()) {
                Ok(findings) => findings,
                Err(reason) => {
                    outcome.notes.push(reason);
                    break;
                }
            };
            match self.pass(&current, &findings, &file.display, &mut outcome.notes) {
                Pass::Done => {
                    outcome.remaining = findings;
                    settled = true;
                    break;
                }
                Pass::Applied(text, rules) => {
                    current = text;
                    outcome.applied.extend(rules);
                }
            }
        }
        if !settled && outcome.notes.is_empty() {
            match self.evaluate(session, &current, &file.display, context()) {
                Ok(findings) => outcome.remaining = findings,
                Err(reason) => outcome.notes.push(reason),
            }
            outcome.notes.push(format!(
                "still changing after {MAX_PASSES} passes: fixes may undo each other"
            ));
        }
        if current != original {
            outcome.fixed = Some(current);
        }
        outcome.original = Some(original);
        outcome
    }

    /// The findings `scan` would report on `text`, or why it cannot be
    /// evaluated (it does not parse).
    fn evaluate(
        &self,
        session: &mut Session<'_>,
        text: &str,
        display: &str,
        build_context: tallyman_dockerfile::model::BuildContext,
    ) -> Result<Vec<ReportFinding>, String> {
        let lower = self.read.lower_options(display, build_context);
        let sha256 = read::sha256_hex(text.as_bytes());
        match read::parse_model(text.as_bytes(), sha256, &lower, self.read) {
            ReadOutcome::Model { model, .. } => {
                let outcomes = session.check_dockerfile(&model);
                let results = findings::collect(&model, outcomes, self.filter, self.known_rules);
                Ok(results.findings)
            }
            ReadOutcome::Failed { reason, .. } => Err(reason),
        }
    }

    /// Applies the wanted fixes of `findings` that leave each other alone.
    /// When together they make a file the parser refuses, each is tried
    /// alone on the text so far, and the ones that break it are reported
    /// and left out.
    fn pass(
        &self,
        text: &str,
        findings: &[ReportFinding],
        display: &str,
        notes: &mut Vec<String>,
    ) -> Pass {
        let mut fixable: Vec<&ReportFinding> = findings
            .iter()
            .filter(|finding| {
                finding
                    .autofix
                    .as_deref()
                    .is_some_and(|fix| self.options.wants(fix))
            })
            .collect();
        fixable.sort_by_key(|finding| (finding.line, finding.column, finding.rule_id.clone()));
        let (fixed, taken) = apply_fixes(text, fixable.iter().map(|finding| edits_of(finding)));
        if taken.is_empty() || fixed == text {
            return Pass::Done;
        }
        if self.parses(&fixed, display) {
            let rules = taken
                .iter()
                .map(|&i| ArcStr::clone(&fixable[i].rule_id))
                .collect();
            return Pass::Applied(fixed, rules);
        }
        let mut current = text.to_string();
        let mut rules = Vec::new();
        for finding in &fixable {
            let (candidate, taken) = apply_fixes(&current, [edits_of(finding)]);
            if taken.is_empty() || candidate == current {
                continue;
            }
            if self.parses(&candidate, display) {
                current = candidate;
                rules.push(ArcStr::clone(&finding.rule_id));
            } else {
                notes.push(format!(
                    "the fix of {} on line {} was not applied: the file would no longer parse as BuildKit parses it",
                    finding.rule_id,
                    finding.line.unwrap_or(0)
                ));
            }
        }
        if rules.is_empty() {
            Pass::Done
        } else {
            Pass::Applied(current, rules)
        }
    }

    /// The text parses and passes the parser's refusal checks, as BuildKit
    /// would accept it.
    fn parses(&self, text: &str, display: &str) -> bool {
        let lower = self.read.lower_options(display, Default::default());
        matches!(
            read::parse_model(text.as_bytes(), String::new(), &lower, self.read),
            ReadOutcome::Model { .. }
        )
    }
}

fn edits_of(finding: &ReportFinding) -> &[tallyman_dockerfile::model::Edit] {
    finding
        .autofix
        .as_deref()
        .map_or(&[][..], |fix| fix.edits.as_slice())
}
