//! Applying a fix's edits to a file's text, where the edits' lines and
//! columns mean what `wit/policy.wit` says (the `edit` record): 1-based,
//! columns in characters of the line without its line ending, a byte-order
//! mark not part of line 1, the end not included.
//!
//! Shared by the host (`tallyman fix`) and the SDK's native test harness, so
//! that a rule's fixture tests apply edits exactly as the CLI does.

use std::ops::Range;

use crate::model::{Edit, Span};

/// Why a set of edits cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("an edit's column is not known (0)")]
    ColumnUnknown,
    #[error("line {line}, column {column} is outside the file")]
    OutsideFile { line: u32, column: u32 },
    #[error("an edit ends before it starts")]
    Reversed,
    #[error("two edits overlap")]
    Overlap,
}

/// The file's text split into lines, each with where it starts and where
/// its content (the line ending excluded) ends.
pub struct LineIndex<'a> {
    text: &'a str,
    /// (start, end of content) byte offsets of each line.
    lines: Vec<(usize, usize)>,
}

const BOM: char = '\u{feff}';

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let first = if text.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let mut lines = Vec::new();
        let mut start = first;
        let bytes = text.as_bytes();
        while start < text.len() {
            let end = text[start..].find('\n').map_or(text.len(), |at| start + at);
            let content_end = if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end - 1
            } else {
                end
            };
            lines.push((start, content_end));
            start = end + 1;
        }
        LineIndex { text, lines }
    }

    /// The byte offset of (line, column), or `None` when it is not in the
    /// file. Column `n + 1` of a line of `n` characters is its end; line
    /// `count + 1`, column 1, is the end of the file.
    pub fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let column = usize::try_from(column).ok()?.checked_sub(1)?;
        let Some(&(start, content_end)) = self.lines.get(index) else {
            return (index == self.lines.len() && column == 0).then_some(self.text.len());
        };
        let content = self.text.get(start..content_end)?;
        if column == 0 {
            return Some(start);
        }
        match content.char_indices().nth(column) {
            Some((at, _)) => Some(start + at),
            None => (content.chars().count() == column).then_some(content_end),
        }
    }

    /// The byte range a span covers.
    pub fn range(&self, span: &Span) -> Result<Range<usize>, EditError> {
        if span.start_column == 0 || span.end_column == 0 {
            return Err(EditError::ColumnUnknown);
        }
        let at = |line, column| {
            self.offset(line, column)
                .ok_or(EditError::OutsideFile { line, column })
        };
        let start = at(span.start_line, span.start_column)?;
        let end = at(span.end_line, span.end_column)?;
        if end < start {
            return Err(EditError::Reversed);
        }
        Ok(start..end)
    }

    /// The file's line ending: `\r\n` when its first line ends so.
    pub fn line_ending(&self) -> &'static str {
        match self.lines.first() {
            Some(&(_, content_end)) if self.text[content_end..].starts_with("\r\n") => "\r\n",
            _ => "\n",
        }
    }
}

/// Byte ranges and replacement texts of `edits`, in file order, checked not
/// to overlap. Two insertions at one place, or an insertion at either end of
/// a replaced range, do not overlap.
pub fn resolve(text: &str, edits: &[Edit]) -> Result<Vec<(Range<usize>, String)>, EditError> {
    let index = LineIndex::new(text);
    let ending = index.line_ending();
    let mut resolved = edits
        .iter()
        .map(|edit| {
            let replacement = if ending == "\n" {
                edit.replacement.clone()
            } else {
                edit.replacement.replace('\n', ending)
            };
            index.range(&edit.span).map(|range| (range, replacement))
        })
        .collect::<Result<Vec<_>, _>>()?;
    resolved.sort_by_key(|(range, _)| (range.start, range.end));
    if !disjoint(&resolved) {
        return Err(EditError::Overlap);
    }
    Ok(resolved)
}

/// Whether sorted ranges leave each other alone.
pub fn disjoint(sorted: &[(Range<usize>, String)]) -> bool {
    sorted
        .windows(2)
        .all(|pair| pair[0].0.end <= pair[1].0.start)
}

/// `text` with resolved, disjoint, sorted edits applied.
pub fn splice(text: &str, resolved: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in resolved {
        out.push_str(&text[at..range.start]);
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with `edits` applied: the file's line ending is used for the
/// newlines of each replacement, everything outside the edits is kept byte
/// for byte.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    resolve(text, edits).map(|resolved| splice(text, &resolved))
}

/// One pass over a file: each fix (a set of edits applied together) is
/// taken when its edits resolve and none of them touches text a fix taken
/// before it changes; the others wait for the next pass, on the new text.
/// Returns the new text and the indices of the fixes taken.
pub fn apply_fixes<'e>(
    text: &str,
    fixes: impl IntoIterator<Item = &'e [Edit]>,
) -> (String, Vec<usize>) {
    let mut taken: Vec<(Range<usize>, String)> = Vec::new();
    let mut applied = Vec::new();
    for (index, edits) in fixes.into_iter().enumerate() {
        let Ok(resolved) = resolve(text, edits) else {
            continue;
        };
        let clashes = resolved
            .iter()
            .any(|(range, _)| taken.iter().any(|(other, _)| overlaps(range, other)));
        if !clashes {
            taken.extend(resolved);
            applied.push(index);
        }
    }
    taken.sort_by_key(|(range, _)| (range.start, range.end));
    (splice(text, &taken), applied)
}

/// Whether two edits' ranges would interfere: they share text, or they
/// insert at the same place (the order of the two insertions is unknown).
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end)
        || a.start == b.start
        || (a.is_empty() && a.start == b.end)
        || (b.is_empty() && b.start == a.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: (u32, u32), end: (u32, u32), replacement: &str) -> Edit {
        Edit {
            span: Span {
                start_line: start.0,
                start_column: start.1,
                end_line: end.0,
                end_column: end.1,
            },
            replacement: replacement.to_string(),
        }
    }

    #[test]
    fn replaces_a_keyword_and_keeps_the_rest() {
        let text = "FROM a\n  ADD x /y\n";
        let fixed = apply(text, &[edit((2, 3), (2, 6), "COPY")]);
        assert_eq!(fixed.as_deref(), Ok("FROM a\n  COPY x /y\n"));
    }

    #[test]
    fn columns_count_characters_and_skip_the_bom() {
        let text = "\u{feff}FROM a\nLABEL x=\"é\" y=1\n";
        let fixed = apply(
            text,
            &[edit((1, 1), (1, 5), "from"), edit((2, 13), (2, 16), "z=2")],
        );
        assert_eq!(fixed.as_deref(), Ok("\u{feff}from a\nLABEL x=\"é\" z=2\n"));
    }

    #[test]
    fn crlf_files_keep_crlf_in_inserted_lines() {
        let text = "FROM a\r\nRUN b\r\n";
        let fixed = apply(text, &[edit((2, 1), (2, 1), "SHELL [\"/bin/sh\"]\n")]);
        assert_eq!(
            fixed.as_deref(),
            Ok("FROM a\r\nSHELL [\"/bin/sh\"]\r\nRUN b\r\n")
        );
    }

    #[test]
    fn line_end_and_next_line_start() {
        let text = "FROM a\nMAINTAINER me\nRUN b";
        assert_eq!(
            apply(text, &[edit((2, 1), (3, 1), "")]).as_deref(),
            Ok("FROM a\nRUN b")
        );
        assert_eq!(
            apply(text, &[edit((3, 6), (3, 6), "\n")]).as_deref(),
            Ok("FROM a\nMAINTAINER me\nRUN b\n")
        );
        assert_eq!(
            apply(text, &[edit((3, 7), (3, 7), "x")]),
            Err(EditError::OutsideFile { line: 3, column: 7 })
        );
    }

    #[test]
    fn refuses_overlaps_unknown_columns_and_reversed_spans() {
        let text = "FROM alpine\n";
        assert_eq!(
            apply(
                text,
                &[edit((1, 1), (1, 5), "x"), edit((1, 3), (1, 8), "y")]
            ),
            Err(EditError::Overlap)
        );
        assert_eq!(
            apply(text, &[edit((1, 0), (1, 5), "x")]),
            Err(EditError::ColumnUnknown)
        );
        assert_eq!(
            apply(text, &[edit((1, 5), (1, 1), "x")]),
            Err(EditError::Reversed)
        );
    }

    #[test]
    fn a_pass_takes_fixes_that_leave_each_other_alone() {
        let text = "FROM a\nADD x /y\nADD z /w\n";
        let first = [edit((2, 1), (2, 4), "COPY")];
        let clashing = [edit((2, 1), (2, 4), "copy")];
        let second = [edit((3, 1), (3, 4), "COPY")];
        let (fixed, applied) = apply_fixes(text, [&first[..], &clashing[..], &second[..]]);
        assert_eq!(fixed, "FROM a\nCOPY x /y\nCOPY z /w\n");
        assert_eq!(applied, vec![0, 2]);
    }

    #[test]
    fn adjacent_edits_both_apply() {
        let text = "FROM alpine\n";
        let fixed = apply(
            text,
            &[edit((1, 5), (1, 6), "_"), edit((1, 1), (1, 5), "from")],
        );
        assert_eq!(fixed.as_deref(), Ok("from_alpine\n"));
    }
}
