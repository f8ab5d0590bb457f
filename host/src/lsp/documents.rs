//! The documents the editor has open: their text as it is in the editor,
//! the version it sent, and when each is next due to be checked.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::analyze::Analysis;
use super::text::LineIndex;
use super::uri;
use crate::discover::is_dockerfile_name;

pub struct OpenDocument {
    pub text: String,
    pub version: i32,
    pub path: Option<PathBuf>,
    /// Whether tallyman checks it: a Dockerfile by its language or its name.
    pub checked: bool,
    /// When it is to be checked next (None: its diagnostics are current).
    pub due: Option<Instant>,
    pub analysis: Analysis,
}

impl OpenDocument {
    pub fn new(uri: &Uri, language: &str, text: String, version: i32) -> OpenDocument {
        let checked = language.eq_ignore_ascii_case("dockerfile")
            || language.eq_ignore_ascii_case("containerfile")
            || is_dockerfile_name(&uri::file_name(uri));
        OpenDocument {
            text,
            version,
            path: uri::to_path(uri),
            checked,
            due: None,
            analysis: Analysis::default(),
        }
    }

    /// Applies the editor's changes in order: whole texts, or ranges
    /// replaced. A range that does not fit the text (a confused client) is
    /// clamped to it rather than refused: the next whole-text change puts
    /// things right, and a wrong diagnostic is better than a dead server.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = byte_offset(&self.text, range.start);
                    let end = byte_offset(&self.text, range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
        self.version = version;
    }
}

/// The byte offset of an LSP position in `text`, clamped to the text.
fn byte_offset(text: &str, position: lsp_types::Position) -> usize {
    let index = LineIndex::new(text);
    let line = position.line as usize;
    if line >= index.line_count() {
        return text.len();
    }
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let within = index.byte_in_line(position).map_or(0, |(_, at)| at);
    line_start + within
}

#[derive(Default)]
pub struct Documents {
    open: HashMap<Uri, OpenDocument>,
}

impl Documents {
    pub fn insert(&mut self, uri: Uri, document: OpenDocument) {
        self.open.insert(uri, document);
    }

    pub fn remove(&mut self, uri: &Uri) -> Option<OpenDocument> {
        self.open.remove(uri)
    }

    pub fn get(&self, uri: &Uri) -> Option<&OpenDocument> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut OpenDocument> {
        self.open.get_mut(uri)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Uri, &mut OpenDocument)> {
        self.open.iter_mut()
    }

    /// The earliest time a document is due to be checked.
    pub fn next_due(&self) -> Option<Instant> {
        self.open.values().filter_map(|d| d.due).min()
    }

    /// Every checked document is due now (the configuration changed).
    pub fn all_due(&mut self) {
        let now = Instant::now();
        for document in self.open.values_mut().filter(|d| d.checked) {
            document.due = Some(now);
        }
    }

    /// The documents due by `now`.
    pub fn due(&self, now: Instant) -> Vec<Uri> {
        self.open
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|due| due <= now))
            .map(|(uri, _)| uri.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    fn change(range: Option<Range>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order_and_clamp() {
        let uri = Uri::from_str("file:///w/Containerfile").expect("uri");
        let mut document = OpenDocument::new(&uri, "plaintext", "FROM a\nRUN 😀x\n".into(), 1);
        assert!(document.checked);
        let at = |line, character| Position::new(line, character);
        document.apply(
            vec![
                change(Some(Range::new(at(0, 5), at(0, 6))), "alpine"),
                // Past the emoji (two UTF-16 units).
                change(Some(Range::new(at(1, 6), at(1, 7))), "y"),
                // Far past the end: appended.
                change(Some(Range::new(at(40, 0), at(41, 3))), "USER app\n"),
            ],
            2,
        );
        assert_eq!(document.text, "FROM alpine\nRUN 😀y\nUSER app\n");
        assert_eq!(document.version, 2);
        document.apply(vec![change(None, "FROM b\n")], 3);
        assert_eq!(document.text, "FROM b\n");
    }
}
