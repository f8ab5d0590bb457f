//! Code actions on tallyman's diagnostics: silencing a rule with a pragma,
//! for one instruction (`# tallyman ignore=ID` right above it) or for the
//! whole file (`# tallyman global ignore=ID`). An existing pragma of the
//! same kind is extended rather than a second one written. And the fixes
//! findings carry: one quick fix per finding, and "fix all safe" for the
//! file, applied as `tallyman fix` would (the same edit resolution).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, NumberOrString, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use tallyman_dockerfile::edit::{apply_fixes, resolve};
use tallyman_dockerfile::model::{Applicability, Autofix, Dockerfile};
use tallyman_dockerfile::{LowerOptions, ParseOptions, parse_and_lower};

use super::analyze::Analysis;
use super::diagnostics::SOURCE;
use super::text::LineIndex;
use crate::report::ReportFinding;
use crate::scan::pragmas::parse_pragma;

/// The rule id of one of our diagnostics about a finding.
fn rule_of<'d>(diagnostic: &'d Diagnostic, analysis: &Analysis) -> Option<&'d str> {
    if diagnostic.source.as_deref() != Some(SOURCE) {
        return None;
    }
    let Some(NumberOrString::String(code)) = &diagnostic.code else {
        return None;
    };
    analysis
        .findings
        .iter()
        .any(|finding| finding.rule_id.as_str() == code)
        .then_some(code.as_str())
}

/// The line ending the document already uses.
fn newline(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// The 1-based (first, last) lines of each instruction, top to bottom.
fn instruction_lines(model: &Dockerfile) -> Vec<(u32, u32)> {
    model
        .global_args
        .iter()
        .chain(
            model
                .stages
                .iter()
                .flat_map(|stage| stage.instructions.iter()),
        )
        .map(|instruction| (instruction.span.start_line, instruction.span.end_line))
        .collect()
}

/// An edit that adds `rule` to the pragma on 0-based `line`, if that line
/// is a pragma of the wanted kind (`global` or not).
fn extend_pragma(index: &LineIndex<'_>, line: usize, global: bool, rule: &str) -> Option<TextEdit> {
    let text = index.line(line)?;
    let comment = text.trim_start().strip_prefix('#')?;
    let pragma = parse_pragma(comment, 0)?;
    if pragma.global != global {
        return None;
    }
    let end = index.position(line, text.trim_end().chars().count());
    if pragma.rules.iter().any(|id| id == rule) {
        return None;
    }
    Some(TextEdit::new(Range::new(end, end), format!(",{rule}")))
}

/// `# tallyman ignore=RULE` for the instruction covering 1-based `line`:
/// added to the pragma among the comments right above it, or inserted
/// above it with its indentation.
fn ignore_here(
    index: &LineIndex<'_>,
    model: &Dockerfile,
    line: u32,
    rule: &str,
    nl: &str,
) -> Option<TextEdit> {
    let (first, _) = instruction_lines(model)
        .into_iter()
        .find(|(first, last)| (*first..=*last).contains(&line))?;
    let first = (first.checked_sub(1)?) as usize;
    let mut above = first;
    while above > 0 {
        above -= 1;
        let Some(text) = index.line(above) else { break };
        if !text.trim_start().starts_with('#') {
            break;
        }
        if let Some(edit) = extend_pragma(index, above, false, rule) {
            return Some(edit);
        }
    }
    let instruction = index.line(first)?;
    let indent = &instruction[..instruction.len() - instruction.trim_start().len()];
    let at = Position::new(u32::try_from(first).ok()?, 0);
    Some(TextEdit::new(
        Range::new(at, at),
        format!("{indent}# tallyman ignore={rule}{nl}"),
    ))
}

/// `# tallyman global ignore=RULE`: added to the file's global pragma, or
/// inserted after the parser directives (a comment above them would end
/// them: BuildKit reads directives only before anything else).
fn ignore_in_file(
    index: &LineIndex<'_>,
    model: &Dockerfile,
    rule: &str,
    nl: &str,
) -> Option<TextEdit> {
    for comment in &model.comments {
        let line = (comment.line as usize).checked_sub(1)?;
        if let Some(edit) = extend_pragma(index, line, true, rule) {
            return Some(edit);
        }
    }
    let after_directives = model.directives.iter().map(|d| d.line).max().unwrap_or(0);
    let at = Position::new(after_directives, 0);
    Some(TextEdit::new(
        Range::new(at, at),
        format!("# tallyman global ignore={rule}{nl}"),
    ))
}

fn action(title: String, uri: &Uri, diagnostic: &Diagnostic, edits: Vec<TextEdit>) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit(uri, edits)),
        ..CodeAction::default()
    }
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The pragma actions for the diagnostics the editor asks about, on the
/// document's current text. A text that no longer parses gets none: where
/// an instruction starts is then unknown.
pub fn pragma_actions(
    uri: &Uri,
    text: &str,
    diagnostics: &[Diagnostic],
    analysis: &Analysis,
) -> Vec<CodeAction> {
    let options = ParseOptions {
        max_size: text.len().saturating_add(1),
    };
    let Ok(model) = parse_and_lower(text.as_bytes(), &options, &LowerOptions::default()) else {
        return Vec::new();
    };
    let index = LineIndex::new(text);
    let nl = newline(text);
    let mut actions = Vec::new();
    let mut offered_in_file = Vec::new();
    for diagnostic in diagnostics {
        let Some(rule) = rule_of(diagnostic, analysis) else {
            continue;
        };
        let line = diagnostic.range.start.line.saturating_add(1);
        if let Some(edit) = ignore_here(&index, &model, line, rule, nl) {
            actions.push(action(
                format!("Ignore {rule} for this instruction (tallyman pragma)"),
                uri,
                diagnostic,
                vec![edit],
            ));
        }
        if offered_in_file.contains(&rule) {
            continue;
        }
        offered_in_file.push(rule);
        if let Some(edit) = ignore_in_file(&index, &model, rule, nl) {
            actions.push(action(
                format!("Ignore {rule} in this file (tallyman pragma)"),
                uri,
                diagnostic,
                vec![edit],
            ));
        }
    }
    actions
}

/// The finding behind one of our diagnostics that carries a fix: the same
/// rule on the diagnostic's first line.
fn fixable_finding<'a>(
    diagnostic: &Diagnostic,
    analysis: &'a Analysis,
) -> Option<&'a ReportFinding> {
    let rule = rule_of(diagnostic, analysis)?;
    let line = diagnostic.range.start.line.saturating_add(1);
    analysis.findings.iter().find(|finding| {
        finding.autofix.is_some()
            && finding.rule_id.as_str() == rule
            && finding.line.unwrap_or(1) == line
    })
}

/// A fix's edits as the editor applies them, or `None` when they no longer
/// fit the text (it changed since the check).
fn text_edits(index: &LineIndex<'_>, text: &str, fix: &Autofix) -> Option<Vec<TextEdit>> {
    let resolved = resolve(text, &fix.edits).ok()?;
    Some(
        resolved
            .into_iter()
            .map(|(bytes, replacement)| {
                TextEdit::new(
                    Range::new(
                        index.position_of_byte(bytes.start),
                        index.position_of_byte(bytes.end),
                    ),
                    replacement,
                )
            })
            .collect(),
    )
}

fn applicability_word(fix: &Autofix) -> &'static str {
    match fix.applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe: may change the build",
    }
}

/// Quick fixes from the edits the findings carry: one per diagnostic whose
/// finding has a fix (preferred when it is safe), and one action applying
/// every safe fix of the file in one pass, as `tallyman fix` does.
pub fn fix_actions(
    uri: &Uri,
    text: &str,
    diagnostics: &[Diagnostic],
    analysis: &Analysis,
) -> Vec<CodeAction> {
    let index = LineIndex::new(text);
    let mut actions = Vec::new();
    for diagnostic in diagnostics {
        let Some(finding) = fixable_finding(diagnostic, analysis) else {
            continue;
        };
        let Some(fix) = finding.autofix.as_deref() else {
            continue;
        };
        let Some(edits) = text_edits(&index, text, fix) else {
            continue;
        };
        let title = format!("Fix {} ({})", finding.rule_id, applicability_word(fix));
        actions.push(CodeAction {
            is_preferred: Some(fix.applicability == Applicability::Safe),
            ..action(title, uri, diagnostic, edits)
        });
    }
    let safe: Vec<&[tallyman_dockerfile::model::Edit]> = analysis
        .findings
        .iter()
        .filter_map(|finding| finding.autofix.as_deref())
        .filter(|fix| fix.applicability == Applicability::Safe)
        .map(|fix| fix.edits.as_slice())
        .collect();
    if !safe.is_empty() {
        let (fixed, taken) = apply_fixes(text, safe);
        if !taken.is_empty() && fixed != text {
            let whole = Range::new(Position::new(0, 0), index.position_of_byte(text.len()));
            actions.push(CodeAction {
                title: format!(
                    "Fix all safe tallyman findings in this file ({})",
                    taken.len()
                ),
                kind: Some(CodeActionKind::SOURCE_FIX_ALL),
                edit: Some(workspace_edit(uri, vec![TextEdit::new(whole, fixed)])),
                ..CodeAction::default()
            });
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallyman_dockerfile::parse_str;

    fn model(text: &str) -> Dockerfile {
        tallyman_dockerfile::lower(&parse_str(text).expect("parses"), &LowerOptions::default())
    }

    fn apply(text: &str, edit: &TextEdit) -> String {
        let index = LineIndex::new(text);
        let offset = |p: Position| {
            let start: usize = (0..p.line as usize)
                .map(|l| index.line(l).map_or(0, |t| t.len() + 1))
                .sum();
            start + index.byte_in_line(p).map_or(0, |(_, b)| b)
        };
        let (start, end) = (offset(edit.range.start), offset(edit.range.end));
        format!("{}{}{}", &text[..start], edit.new_text, &text[end..])
    }

    #[test]
    fn ignore_here_inserts_above_the_instruction_with_its_indent() {
        let text = "FROM alpine\n  RUN apk add \\\n    curl\n";
        let edit =
            ignore_here(&LineIndex::new(text), &model(text), 3, "HD009", "\n").expect("an edit");
        assert_eq!(
            apply(text, &edit),
            "FROM alpine\n  # tallyman ignore=HD009\n  RUN apk add \\\n    curl\n"
        );
    }

    #[test]
    fn ignore_here_extends_the_pragma_above() {
        let text = "FROM alpine\n# tallyman ignore=HD001  \n# why\nRUN apk add curl\n";
        let edit =
            ignore_here(&LineIndex::new(text), &model(text), 4, "HD009", "\n").expect("an edit");
        assert_eq!(
            apply(text, &edit),
            "FROM alpine\n# tallyman ignore=HD001,HD009  \n# why\nRUN apk add curl\n"
        );
    }

    #[test]
    fn ignore_in_file_goes_after_the_directives_or_into_the_global_pragma() {
        let text = "# syntax=docker/dockerfile:1\n# escape=\\\nFROM alpine\n";
        let edit =
            ignore_in_file(&LineIndex::new(text), &model(text), "BI002", "\n").expect("an edit");
        let once = apply(text, &edit);
        assert_eq!(
            once,
            "# syntax=docker/dockerfile:1\n# escape=\\\n# tallyman global ignore=BI002\nFROM alpine\n"
        );
        assert_eq!(model(&once).directives.len(), 2);
        let edit =
            ignore_in_file(&LineIndex::new(&once), &model(&once), "BI003", "\n").expect("an edit");
        assert!(apply(&once, &edit).contains("# tallyman global ignore=BI002,BI003\n"));
    }
}
