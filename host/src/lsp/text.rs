//! Lines and positions in a document's text. Reports count 1-based lines
//! and characters; LSP counts 0-based lines and UTF-16 code units. Every
//! conversion clamps: a position past a line's end, inside a surrogate
//! pair or on a line that no longer exists (the text changed since) lands
//! on the nearest real place instead of failing.

use lsp_types::{Position, Range};

pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of 0-based `line`, without its line ending.
    pub fn line(&self, line: usize) -> Option<&'a str> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let text = self.text.get(start..end)?;
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// The last real line, for places past the end of the text.
    fn clamp_line(&self, line: usize) -> usize {
        line.min(self.line_count().saturating_sub(1))
    }

    /// The position of the `chars`-th character (0-based) of 0-based `line`.
    pub fn position(&self, line: usize, chars: usize) -> Position {
        let line = self.clamp_line(line);
        let text = self.line(line).unwrap_or("");
        let units: usize = text.chars().take(chars).map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(units))
    }

    /// Where the text of 0-based `line` starts, after its indentation.
    pub fn line_start(&self, line: usize) -> Position {
        let line = self.clamp_line(line);
        let text = self.line(line).unwrap_or("");
        let indent = text.len() - text.trim_start().len();
        Position::new(to_u32(line), to_u32(utf16_len(&text[..indent])))
    }

    /// The end of 0-based `line`'s text.
    pub fn line_end(&self, line: usize) -> Position {
        let line = self.clamp_line(line);
        Position::new(
            to_u32(line),
            to_u32(utf16_len(self.line(line).unwrap_or(""))),
        )
    }

    /// The range of 1-based lines `first..=last`, from column `column`
    /// (1-based characters) or the first non-blank character.
    pub fn lines_range(&self, first: u32, column: Option<u32>, last: u32) -> Range {
        let first = (first.max(1) - 1) as usize;
        let last = (last.max(1) - 1) as usize;
        let start = match column.filter(|c| *c > 0) {
            Some(column) => self.position(first, (column - 1) as usize),
            None => self.line_start(first),
        };
        let end = self.line_end(last.max(first));
        Range::new(start, end)
    }

    /// The LSP position of a byte offset into the text (clamped to its end,
    /// and to the character boundary at or before it).
    pub fn position_of_byte(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // `starts[0]` is 0, so the line is at least 0.
        let line = self
            .starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        Position::new(
            to_u32(line),
            to_u32(utf16_len(self.text.get(start..offset).unwrap_or(""))),
        )
    }

    /// The byte offset within its line of an LSP position, and the line
    /// (None when the line does not exist). A position inside a surrogate
    /// pair or past the end lands on the character boundary before it.
    pub fn byte_in_line(&self, position: Position) -> Option<(&'a str, usize)> {
        let text = self.line(position.line as usize)?;
        let wanted = position.character as usize;
        let mut units = 0;
        for (offset, c) in text.char_indices() {
            units += c.len_utf16();
            if units > wanted {
                return Some((text, offset));
            }
        }
        Some((text, text.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_and_clamp() {
        let text = "FROM alpine\r\n  RUN echo 😀 é\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line(0), Some("FROM alpine"));
        assert_eq!(index.line(1), Some("  RUN echo 😀 é"));
        assert_eq!(index.line(2), Some(""));
        assert_eq!(index.line(3), None);
        assert_eq!(index.line_start(1), Position::new(1, 2));
        // The emoji is two UTF-16 units.
        assert_eq!(index.line_end(1), Position::new(1, 15));
        assert_eq!(index.position(1, 12), Position::new(1, 13));
        assert_eq!(index.position(1, 500), Position::new(1, 15));
        assert_eq!(index.position(99, 0), Position::new(2, 0));
        let range = index.lines_range(2, None, 1);
        assert_eq!(range, Range::new(Position::new(1, 2), Position::new(1, 15)));
        assert_eq!(index.lines_range(0, Some(0), 0).start, Position::new(0, 0));
    }

    #[test]
    fn byte_offsets_never_split_a_character() {
        let index = LineIndex::new("a😀b");
        assert_eq!(index.byte_in_line(Position::new(0, 1)), Some(("a😀b", 1)));
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(index.byte_in_line(Position::new(0, 2)), Some(("a😀b", 1)));
        assert_eq!(index.byte_in_line(Position::new(0, 3)), Some(("a😀b", 5)));
        assert_eq!(index.byte_in_line(Position::new(0, 99)), Some(("a😀b", 6)));
        assert_eq!(index.byte_in_line(Position::new(7, 0)), None);
    }
}
