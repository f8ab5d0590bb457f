//! Fixing one file: evaluate, apply, check it still parses, again.

use std::path::PathBuf;

use arcstr::ArcStr;
use tallyman_dockerfile::edit::apply_fixes;

use super::pin::{FilePins, PIN_RULE, PinEdit, PinError, Pinner};
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
    /// Image references pinned by digest (`--pin-digests`), of them
    /// `refreshed` replacing a digest that had moved.
    pub pinned: usize,
    pub refreshed: usize,
    /// Image references that could not be pinned: the file is left as it was.
    pub pin_errors: Vec<PinError>,
}

/// Evaluates files as `scan` does, for fixing.
pub struct Fixer<'a> {
    pub read: &'a ReadOptions,
    pub filter: &'a FindingFilter,
    pub known_rules: &'a (dyn Fn(&str) -> bool + Sync),
    pub options: FixOptions,
    /// Pins image references by digest too (`--pin-digests`).
    pub pins: Option<&'a Pinner>,
}

/// One fix a pass may apply: a finding's, or a digest pin.
struct Candidate<'f> {
    rule: ArcStr,
    edits: &'f [tallyman_dockerfile::model::Edit],
    order: (u32, u32),
    pin: Option<&'f PinEdit>,
}

/// A pass's outcome.
enum Pass {
    /// Nothing more to apply.
    Done,
    /// Fixes applied: the new text and, for each, its rule id and, for a
    /// pin, whether it refreshed one.
    Applied(String, Vec<(ArcStr, Option<bool>)>),
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
            pinned: 0,
            refreshed: 0,
            pin_errors: Vec::new(),
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
        let mut first_findings = None;
        for pass in 0..MAX_PASSES {
            let (model, findings) = match self.evaluate(session, &current, &file.display, context())
            {
                Ok(evaluated) => evaluated,
                Err(reason) => {
                    outcome.notes.push(reason);
                    break;
                }
            };
            let pins = self.pins_for(&model, &current);
            if pass == 0 {
                outcome.notes.extend(
                    pins.skipped
                        .iter()
                        .map(|s| format!("line {}: {}", s.line, s.message)),
                );
            }
            if !pins.errors.is_empty() {
                // No partial pinning: the file stays as it was.
                outcome.pin_errors = pins.errors;
                outcome.remaining = first_findings.unwrap_or(findings);
                outcome.applied.clear();
                outcome.pinned = 0;
                outcome.refreshed = 0;
                outcome.original = Some(original);
                return outcome;
            }
            if first_findings.is_none() {
                first_findings = Some(findings.clone());
            }
            match self.pass(
                &current,
                &findings,
                &pins.edits,
                &file.display,
                &mut outcome.notes,
            ) {
                Pass::Done => {
                    outcome.remaining = findings;
                    settled = true;
                    break;
                }
                Pass::Applied(text, applied) => {
                    current = text;
                    for (rule, pin) in applied {
                        if let Some(refresh) = pin {
                            outcome.pinned += 1;
                            outcome.refreshed += usize::from(refresh);
                        }
                        outcome.applied.push(rule);
                    }
                }
            }
        }
        if !settled && outcome.notes.is_empty() {
            match self.evaluate(session, &current, &file.display, context()) {
                Ok((_, findings)) => outcome.remaining = findings,
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

    /// The digest pins `model` (parsed from `text`) needs, when asked for.
    fn pins_for(&self, model: &tallyman_dockerfile::model::Dockerfile, text: &str) -> FilePins {
        match self.pins {
            Some(pinner) => pinner.plan(model, text, &|line| {
                self.filter.silences(model, PIN_RULE, line)
            }),
            None => FilePins::default(),
        }
    }

    /// The findings `scan` would report on `text`, or why it cannot be
    /// evaluated (it does not parse).
    fn evaluate(
        &self,
        session: &mut Session<'_>,
        text: &str,
        display: &str,
        build_context: tallyman_dockerfile::model::BuildContext,
    ) -> Result<
        (
            Box<tallyman_dockerfile::model::Dockerfile>,
            Vec<ReportFinding>,
        ),
        String,
    > {
        let lower = self.read.lower_options(display, build_context);
        let sha256 = read::sha256_hex(text.as_bytes());
        match read::parse_model(text.as_bytes(), sha256, &lower, self.read) {
            ReadOutcome::Model { model, .. } => {
                let outcomes = session.check_dockerfile(&model);
                let results = findings::collect(&model, outcomes, self.filter, self.known_rules);
                Ok((model, results.findings))
            }
            ReadOutcome::Failed { reason, .. } => Err(reason),
        }
    }

    /// Applies the wanted fixes of `findings` and the digest `pins` that
    /// leave each other alone. When together they make a file the parser
    /// refuses, each is tried alone on the text so far, and the ones that
    /// break it are reported and left out.
    fn pass(
        &self,
        text: &str,
        findings: &[ReportFinding],
        pins: &[PinEdit],
        display: &str,
        notes: &mut Vec<String>,
    ) -> Pass {
        let fixes = findings.iter().filter_map(|finding| {
            let fix = finding.autofix.as_deref()?;
            self.options.wants(fix).then(|| Candidate {
                rule: ArcStr::clone(&finding.rule_id),
                edits: fix.edits.as_slice(),
                order: (finding.line.unwrap_or(0), finding.column.unwrap_or(0)),
                pin: None,
            })
        });
        let pins = pins.iter().map(|pin| Candidate {
            rule: ArcStr::from(PIN_RULE),
            edits: std::slice::from_ref(&pin.edit),
            order: (pin.edit.span.start_line, pin.edit.span.start_column),
            pin: Some(pin),
        });
        let mut candidates: Vec<Candidate> = fixes.chain(pins).collect();
        candidates.sort_by(|a, b| (a.order, &a.rule).cmp(&(b.order, &b.rule)));
        let applied = |candidate: &Candidate| {
            (
                ArcStr::clone(&candidate.rule),
                candidate.pin.map(|pin| pin.refresh),
            )
        };
        let (fixed, taken) = apply_fixes(text, candidates.iter().map(|c| c.edits));
        if taken.is_empty() || fixed == text {
            return Pass::Done;
        }
        if self.parses(&fixed, display) {
            return Pass::Applied(
                fixed,
                taken.iter().map(|&i| applied(&candidates[i])).collect(),
            );
        }
        let mut current = text.to_string();
        let mut done = Vec::new();
        for candidate in &candidates {
            let (attempt, taken) = apply_fixes(&current, [candidate.edits]);
            if taken.is_empty() || attempt == current {
                continue;
            }
            if self.parses(&attempt, display) {
                current = attempt;
                done.push(applied(candidate));
            } else {
                let what = match candidate.pin {
                    Some(_) => format!("the digest pin ({})", candidate.rule),
                    None => format!("the fix of {}", candidate.rule),
                };
                notes.push(format!(
                    "{what} on line {} was not applied: the file would no longer parse as BuildKit parses it",
                    candidate.order.0
                ));
            }
        }
        if done.is_empty() {
            Pass::Done
        } else {
            Pass::Applied(current, done)
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
