//! The word splitting BuildKit's parser uses to find heredocs.
//!
//! BuildKit finds heredocs by running its shell lexer (`shell.Lex`, escape
//! `\` whatever the file's escape directive says) over the instruction with
//! an empty environment and `SkipUnsetEnv`, so that `$VAR` stays as written,
//! and with switches that keep quotes and escapes in the words. This module is
//! that lexer restricted to those settings: it splits words and never expands
//! anything. (Variable expansion proper lives in [`crate::expand`]'s
//! territory, not here.)
//!
//! Its quirks are kept on purpose: `<<` swallows the spaces, tabs and carriage
//! returns after it (so `<< EOF` is one word); a text that fails to lex
//! (an unclosed quote, a bad `${`) yields an error, which the caller treats
//! as "no words".

use super::text::{is_go_digit, is_go_letter};

const ESCAPE: char = '\\';

/// How deep `${a:-${b:-...}}` may nest. Go's growable stacks have no such
/// limit; ours is far above anything real and keeps recursion bounded.
const MAX_NESTING: usize = 100;

/// Lexing failed: an unclosed quote or a malformed `${...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError(pub(crate) &'static str);

/// BuildKit's `Lex.ProcessWords(text)` with an empty environment and
/// `SkipUnsetEnv`; `raw_quotes`/`raw_escapes` are its `RawQuotes`/`RawEscapes`.
pub(crate) fn split_words(
    text: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<String>, LexError> {
    // Go's text/scanner skips a byte-order mark at the very start.
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lexer = Lexer {
        text,
        pos: start,
        raw_quotes,
        raw_escapes,
        depth: 0,
    };
    lexer
        .process_stop_on(None, raw_escapes)
        .map(|(_, words)| words)
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    raw_quotes: bool,
    raw_escapes: bool,
    /// Current `${...}` nesting.
    depth: usize,
}

/// BuildKit's `wordsStruct`: builds words as characters arrive.
#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if c.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(c);
        }
    }

    fn add_raw_char(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(self.word);
        }
        self.words
    }
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads up to `stop` (or the end), returning the processed text and its words.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), LexError> {
        if self.depth > MAX_NESTING {
            return Err(LexError("substitutions nested too deeply"));
        }
        self.depth += 1;
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.stop_on(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        result
    }

    fn stop_on(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), LexError> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            match c {
                '$' => {
                    let text = self.dollar()?;
                    result.push_str(&text);
                    words.add_string(&text);
                }
                '<' => {
                    let text = self.possible_heredoc();
                    result.push_str(&text);
                    words.add_raw_string(&text);
                }
                '\'' => {
                    let text = self.single_quoted()?;
                    result.push_str(&text);
                    words.add_raw_string(&text);
                }
                '"' => {
                    let text = self.double_quoted()?;
                    result.push_str(&text);
                    words.add_raw_string(&text);
                }
                _ => {
                    self.next();
                    let mut c = c;
                    if c == ESCAPE {
                        if self.raw_escapes {
                            words.add_raw_char(c);
                            result.push(c);
                        }
                        let Some(escaped) = self.next() else {
                            break;
                        };
                        c = escaped;
                        words.add_raw_char(c);
                    } else {
                        words.add_char(c);
                    }
                    result.push(c);
                }
            }
        }
        if stop.is_some() {
            return Err(LexError("unexpected end of statement"));
        }
        Ok((result, words.finish()))
    }

    fn single_quoted(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        self.next();
        if self.raw_quotes {
            result.push('\'');
        }
        loop {
            match self.next() {
                None => return Err(LexError("unclosed single quote")),
                Some('\'') => {
                    if self.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn double_quoted(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        self.next();
        if self.raw_quotes {
            result.push('"');
        }
        loop {
            match self.peek() {
                None => return Err(LexError("unclosed double quote")),
                Some('"') => {
                    self.next();
                    if self.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let text = self.dollar()?;
                    result.push_str(&text);
                }
                Some(c) => {
                    self.next();
                    let mut c = c;
                    if c == ESCAPE {
                        if self.raw_escapes {
                            result.push(c);
                        }
                        match self.peek() {
                            // A backslash at the very end is dropped.
                            None => continue,
                            Some('"' | '$' | ESCAPE) => {
                                c = self.next().unwrap_or(c);
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(c);
                }
            }
        }
    }

    /// `$name`, `${name}`, `${name<op>word}`, `${name/pattern/replacement}`:
    /// with no variable set, each stays as written (with its inner words
    /// processed).
    fn dollar(&mut self) -> Result<String, LexError> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            return Ok(format!("${name}"));
        }
        self.next();
        match self.peek() {
            None => return Err(LexError("missing '}'")),
            Some('{' | '}' | ':') => return Err(LexError("bad substitution")),
            Some(_) => {}
        }
        let name = self.name();
        match self.next() {
            Some('}') => Ok(format!("${{{name}}}")),
            Some(':') => {
                let op = self.next();
                let modifier = format!(":{}", op.unwrap_or(char::REPLACEMENT_CHARACTER));
                self.modifier(&name, &modifier, op)
            }
            Some(op @ ('+' | '-' | '?' | '#' | '%')) => {
                self.modifier(&name, &op.to_string(), Some(op))
            }
            Some('/') => {
                if self.peek() == Some('/') {
                    self.next();
                }
                let (pattern, _) = self.in_braces('/', true)?;
                let (replacement, _) = self.in_braces('}', true)?;
                Ok(format!("${{{name}/{pattern}/{replacement}}}"))
            }
            _ => Err(LexError("unsupported modifier in substitution")),
        }
    }

    fn modifier(
        &mut self,
        name: &str,
        modifier: &str,
        op: Option<char>,
    ) -> Result<String, LexError> {
        let raw_escapes = matches!(op, Some('#' | '%'));
        let (word, _) = self.in_braces('}', raw_escapes)?;
        Ok(format!("${{{name}{modifier}{word}}}"))
    }

    fn in_braces(
        &mut self,
        stop: char,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), LexError> {
        self.process_stop_on(Some(stop), raw_escapes)
            .map_err(|err| {
                if self.peek().is_none() {
                    LexError("missing '}'")
                } else {
                    err
                }
            })
    }

    /// A variable name: digits, one special parameter, or letters, digits and `_`.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && is_go_digit(c) {
                while let Some(d) = self.peek().filter(|&d| is_go_digit(d)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                name.push(c);
                return name;
            }
            if !is_go_letter(c) && !is_go_digit(c) && c != '_' {
                break;
            }
            self.next();
            name.push(c);
        }
        name
    }

    /// `<<` keeps the blanks after it, so that `<< EOF` stays one word.
    fn possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_owned();
        }
        self.next();
        let mut text = "<<".to_owned();
        while let Some(c) = self.peek().filter(|c| matches!(c, ' ' | '\t' | '\r')) {
            self.next();
            text.push(c);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Vec<String> {
        split_words(text, true, true).unwrap_or_else(|err| panic!("{text:?}: {err:?}"))
    }

    #[test]
    fn keeps_quotes_escapes_and_variables_when_raw() {
        assert_eq!(
            raw(r#"RUN <<EOF "<<x" '<<y' a\ b $V ${W:-a b}"#),
            vec![
                "RUN", "<<EOF", "\"<<x\"", "'<<y'", "a\\ b", "$V", "${W:-a", "b}"
            ]
        );
        assert_eq!(
            raw("RUN <<  EOF  > foo"),
            vec!["RUN", "<<  EOF", ">", "foo"]
        );
        assert_eq!(raw("a<b <<\x0bc"), vec!["a<b", "<<", "c"]);
    }

    #[test]
    fn without_raw_switches_quotes_and_escapes_go() {
        assert_eq!(
            split_words(r#"eo'f'"#, false, false),
            Ok(vec!["eof".to_owned()])
        );
        assert_eq!(
            split_words(r"eo\'f", false, false),
            Ok(vec!["eo'f".to_owned()])
        );
        assert_eq!(
            split_words(r#"'one two'"#, false, false),
            Ok(vec!["one two".to_owned()])
        );
        assert_eq!(split_words(r#""""#, false, false), Ok(vec![]));
    }

    #[test]
    fn deep_nesting_fails_instead_of_exhausting_the_stack() {
        let deep = "${a:-\"".repeat(100_000);
        assert!(split_words(&deep, true, true).is_err());
        let fine = format!("{}x{}", "${a:-".repeat(50), "}".repeat(50));
        assert_eq!(split_words(&fine, true, true).map(|w| w.len()), Ok(1));
    }

    #[test]
    fn unclosed_quotes_and_bad_substitutions_fail() {
        for text in ["'EOF", "\"EOF", "${", "${}", "${a", "${a:-b", "${a/b"] {
            assert!(split_words(text, true, true).is_err(), "{text:?}");
        }
    }
}
