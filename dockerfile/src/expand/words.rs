//! Splitting an expanded word into fields, BuildKit's way.
//!
//! Unquoted literal text and the values of unquoted `$` expansions split at
//! whitespace; quoted text and escaped characters never do. A quoted empty
//! string (`""`) does not make a field by itself.

/// Collects the fields of one word as it is being expanded.
#[derive(Debug, Default)]
pub(crate) struct WordSplitter {
    current: String,
    words: Vec<String>,
    // BuildKit's `inWord`: set by any raw addition, cleared when a field is
    // closed. Only whitespace seen while it is set closes a field.
    in_word: bool,
}

impl WordSplitter {
    /// Adds a character that splits at whitespace.
    pub(crate) fn push_splitting(&mut self, ch: char) {
        if !ch.is_whitespace() {
            self.push_raw(ch);
        } else if self.in_word && !self.current.is_empty() {
            self.words.push(std::mem::take(&mut self.current));
            self.in_word = false;
        }
    }

    /// Adds text that splits at whitespace (an unquoted expansion's value).
    pub(crate) fn push_str_splitting(&mut self, text: &str) {
        for ch in text.chars() {
            self.push_splitting(ch);
        }
    }

    /// Adds a character that is part of the field whatever it is.
    pub(crate) fn push_raw(&mut self, ch: char) {
        self.current.push(ch);
        self.in_word = true;
    }

    /// Adds text that is part of the field whatever it is (quoted text).
    pub(crate) fn push_str_raw(&mut self, text: &str) {
        self.current.push_str(text);
        self.in_word = true;
    }

    /// The fields, the last one closed.
    pub(crate) fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.words.push(self.current);
        }
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_and_raw_text_combine_into_fields() {
        let mut words = WordSplitter::default();
        words.push_str_splitting("  a b ");
        words.push_str_raw(" c ");
        words.push_splitting('d');
        words.push_splitting(' ');
        words.push_str_raw("");
        words.push_splitting(' ');
        assert_eq!(words.finish(), ["a", "b", " c d"]);
    }

    #[test]
    fn an_empty_quoted_string_is_no_field() {
        let mut words = WordSplitter::default();
        words.push_str_raw("");
        assert!(words.finish().is_empty());
    }
}
