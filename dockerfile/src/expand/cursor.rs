//! A character cursor with the one quirk of Go's `text/scanner` that
//! BuildKit's lexer inherits: a byte-order mark at the very start of the
//! input is skipped.

const BYTE_ORDER_MARK: char = '\u{feff}';

/// Reads a string one `char` at a time, with one character of lookahead.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    rest: std::str::Chars<'a>,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
        Cursor { rest: text.chars() }
    }

    /// The next character, without consuming it.
    pub(crate) fn peek(&self) -> Option<char> {
        self.rest.clone().next()
    }

    /// Consumes and returns the next character.
    pub(crate) fn next_char(&mut self) -> Option<char> {
        self.rest.next()
    }

    /// Whether the input is used up.
    pub(crate) fn at_end(&self) -> bool {
        self.rest.as_str().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_only_a_leading_byte_order_mark() {
        let mut cursor = Cursor::new("\u{feff}a\u{feff}");
        assert_eq!(cursor.peek(), Some('a'));
        assert_eq!(cursor.next_char(), Some('a'));
        assert_eq!(cursor.next_char(), Some('\u{feff}'));
        assert!(cursor.at_end());
        assert_eq!(cursor.next_char(), None);
    }
}
