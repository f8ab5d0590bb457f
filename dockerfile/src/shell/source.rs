//! Turns the parser's spans back into text.
//!
//! rable counts spans in characters, not bytes. Most scripts are ASCII, where
//! the two agree; for the others we build the character-to-byte table once
//! per script instead of walking the text for every span.

use rable::Span;

pub(crate) struct SourceText<'a> {
    text: &'a str,
    /// Byte offset of each character, plus the text's length at the end;
    /// `None` when the text is ASCII.
    char_offsets: Option<Vec<usize>>,
}

impl<'a> SourceText<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let char_offsets = (!text.is_ascii()).then(|| {
            text.char_indices()
                .map(|(offset, _)| offset)
                .chain(std::iter::once(text.len()))
                .collect()
        });
        Self { text, char_offsets }
    }

    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The byte offset of the character at `index` (the text's length just
    /// past its end); `None` outside the text.
    pub(crate) fn offset(&self, index: usize) -> Option<usize> {
        match &self.char_offsets {
            None => (index <= self.text.len()).then_some(index),
            Some(offsets) => offsets.get(index).copied(),
        }
    }

    /// The text a span covers; `None` for the empty spans the parser gives
    /// nodes it made up, or spans outside the text.
    pub(crate) fn span(&self, span: &Span) -> Option<&'a str> {
        if span.start >= span.end {
            return None;
        }
        let (start, end) = match &self.char_offsets {
            None => (span.start, span.end),
            Some(offsets) => (*offsets.get(span.start)?, *offsets.get(span.end)?),
        };
        self.text.get(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_character_spans_to_text() {
        let ascii = SourceText::new("echo hi");
        assert_eq!(ascii.span(&Span::new(5, 7)), Some("hi"));
        assert_eq!(ascii.span(&Span::new(0, 0)), None);
        assert_eq!(ascii.span(&Span::new(5, 70)), None);
        let wide = SourceText::new("echo ünï; ls");
        assert_eq!(wide.span(&Span::new(5, 8)), Some("ünï"));
        assert_eq!(wide.span(&Span::new(10, 12)), Some("ls"));
        assert_eq!(ascii.offset(5), Some(5));
        assert_eq!(ascii.offset(7), Some(7));
        assert_eq!(ascii.offset(8), None);
        assert_eq!(wide.offset(10), Some(12));
        assert_eq!(wide.offset(12), Some(14));
        assert_eq!(wide.offset(13), None);
    }
}
