//! The expansion itself: one pass over a word, as BuildKit's `shellWord`
//! makes it.

use unicode_general_category::{GeneralCategory, get_general_category};

use super::cursor::Cursor;
use super::env::Env;
use super::error::ExpandErrorKind;
use super::pattern;
use super::words::WordSplitter;
use super::{Lexer, NameLog};

type Result<T> = std::result::Result<T, ExpandErrorKind>;

/// The state of one expansion: the lexer's settings, the input, the
/// variables, and the names looked up so far.
pub(crate) struct Expander<'a, E: Env + ?Sized> {
    pub(crate) lexer: &'a Lexer,
    pub(crate) cursor: Cursor<'a>,
    pub(crate) env: &'a E,
    /// `None` when the caller does not want the names (`process_words`).
    pub(crate) names: Option<NameLog>,
    /// How many `${` are open.
    pub(crate) depth: usize,
}

/// How deeply `${...}` may nest. Real Dockerfiles nest two or three levels.
pub(crate) const MAX_NESTING: usize = 64;

/// What to stop on: the end of the word, or a closing character of `${...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    End,
    At(char),
}

/// The text and fields produced by one [`Expander::expand_until`].
pub(crate) struct Expanded {
    pub(crate) text: String,
    pub(crate) words: Vec<String>,
}

impl<'a, E: Env + ?Sized> Expander<'a, E> {
    /// Expands up to `stop` (consumed). `raw_escapes` keeps escape
    /// characters in the result instead of removing them: BuildKit does so
    /// in patterns, where the pattern language reads them itself.
    ///
    /// With a stop character, reaching the end of the word is an error; the
    /// caller reports which brace or slash is missing.
    pub(crate) fn expand_until(&mut self, stop: Stop, raw_escapes: bool) -> Result<Expanded> {
        let mut text = String::new();
        let mut words = WordSplitter::default();
        let escape = self.lexer.escape;
        let quotes = !self.lexer.skip_process_quotes;
        while let Some(ch) = self.cursor.peek() {
            if stop == Stop::At(ch) {
                self.cursor.next_char();
                return Ok(Expanded {
                    text,
                    words: words.finish(),
                });
            }
            match ch {
                '$' => {
                    let value = self.dollar()?;
                    text.push_str(&value);
                    words.push_str_splitting(&value);
                }
                '\'' if quotes => {
                    let quoted = self.single_quoted()?;
                    text.push_str(&quoted);
                    words.push_str_raw(&quoted);
                }
                '"' if quotes => {
                    let quoted = self.double_quoted(raw_escapes)?;
                    text.push_str(&quoted);
                    words.push_str_raw(&quoted);
                }
                _ => {
                    self.cursor.next_char();
                    if ch != escape {
                        text.push(ch);
                        words.push_splitting(ch);
                        continue;
                    }
                    if raw_escapes {
                        text.push(ch);
                        words.push_raw(ch);
                    }
                    // An escape at the very end escapes nothing and vanishes.
                    let Some(escaped) = self.cursor.next_char() else {
                        break;
                    };
                    text.push(escaped);
                    words.push_raw(escaped);
                }
            }
        }
        match stop {
            Stop::End => Ok(Expanded {
                text,
                words: words.finish(),
            }),
            // Callers turn this into the error for the construct they parse.
            Stop::At(_) => Err(ExpandErrorKind::MissingCloseBrace),
        }
    }

    /// `'...'`: everything up to the next `'` is literal; nothing escapes.
    fn single_quoted(&mut self) -> Result<String> {
        let mut text = String::new();
        let raw_quotes = self.lexer.raw_quotes;
        if let Some(open) = self.cursor.next_char().filter(|_| raw_quotes) {
            text.push(open);
        }
        loop {
            match self.cursor.next_char() {
                None => return Err(ExpandErrorKind::UnterminatedSingleQuote),
                Some('\'') => {
                    if raw_quotes {
                        text.push('\'');
                    }
                    return Ok(text);
                }
                Some(ch) => text.push(ch),
            }
        }
    }

    /// `"..."`: literal except `$` expansions and the escape character,
    /// which escapes only `"`, `$` and itself (and is otherwise kept).
    fn double_quoted(&mut self, raw_escapes: bool) -> Result<String> {
        let mut text = String::new();
        let raw_quotes = self.lexer.raw_quotes;
        let escape = self.lexer.escape;
        if let Some(open) = self.cursor.next_char().filter(|_| raw_quotes) {
            text.push(open);
        }
        loop {
            match self.cursor.peek() {
                None => return Err(ExpandErrorKind::UnterminatedDoubleQuote),
                Some('"') => {
                    self.cursor.next_char();
                    if raw_quotes {
                        text.push('"');
                    }
                    return Ok(text);
                }
                Some('$') => {
                    let value = self.dollar()?;
                    text.push_str(&value);
                }
                Some(ch) => {
                    self.cursor.next_char();
                    let mut literal = ch;
                    if ch == escape {
                        if raw_escapes {
                            text.push(ch);
                        }
                        match self.cursor.peek() {
                            // The loop reports the missing closing quote.
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == escape => {
                                self.cursor.next_char();
                                literal = next;
                            }
                            // BuildKit keeps the escape character here, and
                            // in raw mode that means writing it twice.
                            Some(_) => {}
                        }
                    }
                    text.push(literal);
                }
            }
        }
    }

    /// `$name`, `${name}` or `${name<op>word}`, starting at the `$`.
    fn dollar(&mut self) -> Result<String> {
        self.cursor.next_char();
        if self.cursor.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match self.lookup(&name) {
                Some(value) => value.to_owned(),
                None if self.lexer.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.cursor.next_char();
        // Each `${` with an operator recurses; Go's growable stacks don't
        // mind, ours would, so absurd nesting is refused.
        if self.depth >= MAX_NESTING {
            return Err(ExpandErrorKind::TooDeeplyNested(MAX_NESTING));
        }
        self.depth += 1;
        let braced = self.braced();
        self.depth -= 1;
        braced
    }

    /// `${...}` after the `{`.
    fn braced(&mut self) -> Result<String> {
        match self.cursor.peek() {
            None => return Err(ExpandErrorKind::MissingCloseBrace),
            Some('{' | '}' | ':') => return Err(ExpandErrorKind::BadSubstitution),
            Some(_) => {}
        }
        let name = self.name();
        match self.cursor.next_char() {
            None => Err(ExpandErrorKind::MissingCloseBrace),
            Some('}') => Ok(match self.lookup(&name) {
                Some(value) => value.to_owned(),
                None if self.lexer.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':') => {
                let operator = self.cursor.next_char();
                self.modifier(&name, operator, true)
            }
            Some(operator @ ('+' | '-' | '?' | '#' | '%')) => {
                self.modifier(&name, Some(operator), false)
            }
            Some('/') => self.substitution(&name),
            Some(other) => Err(ExpandErrorKind::UnsupportedModifier(other.to_string())),
        }
    }

    /// `${name<op>word}` for the `-`, `+`, `?`, `#`, `%` operators, `op`
    /// read after `:` when `colon` (then an empty value counts as unset).
    fn modifier(&mut self, name: &str, operator: Option<char>, colon: bool) -> Result<String> {
        let written = match (colon, operator) {
            (true, Some(op)) => format!(":{op}"),
            (true, None) => ":".to_owned(),
            (false, op) => op.map(String::from).unwrap_or_default(),
        };
        let is_trim = matches!(operator, Some('#' | '%'));
        if colon && is_trim {
            return Err(ExpandErrorKind::UnsupportedModifier(written));
        }
        // BuildKit reads the word whatever the operator, so `${V:x...}`
        // fails on a missing `}` before it fails on the operator.
        let word = self
            .expand_until(Stop::At('}'), is_trim)
            .map_err(|error| self.at_end_means(error, ExpandErrorKind::MissingCloseBrace))?
            .text;

        let value = self.lookup(name);
        if value.is_none() && self.lexer.skip_unset_env {
            return Ok(format!("${{{name}{written}{word}}}"));
        }
        let set = value.is_some();
        let value = value.unwrap_or_default();
        // With `:`, set-but-empty counts as unset for `-`, `+` and `?`.
        let null = !set || (colon && value.is_empty());
        match operator {
            Some('-') => Ok(if null { word } else { value.to_owned() }),
            Some('+') => Ok(if null { String::new() } else { word }),
            Some('?') if !set => Err(required(name, word, "is not allowed to be unset")),
            Some('?') if null => Err(required(name, word, "is not allowed to be empty")),
            Some('?') => Ok(value.to_owned()),
            Some(op @ ('#' | '%')) => {
                // A doubled operator (`##`, `%%`) asks for the longest match.
                let (pattern, greedy) = match word.strip_prefix(op) {
                    Some(rest) => (rest.to_owned(), true),
                    None => (word, false),
                };
                let trimmed = if op == '#' {
                    pattern::trim_prefix(&pattern, value, greedy)
                } else {
                    pattern::trim_suffix(&pattern, value, greedy)
                };
                trimmed.map_err(|reason| ExpandErrorKind::InvalidPattern { pattern, reason })
            }
            _ => Err(ExpandErrorKind::UnsupportedModifier(written)),
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`,
    /// after the first `/`.
    fn substitution(&mut self, name: &str) -> Result<String> {
        let all = self.cursor.peek() == Some('/');
        if all {
            self.cursor.next_char();
        }
        let pattern = self
            .expand_until(Stop::At('/'), true)
            .map_err(|error| self.at_end_means(error, ExpandErrorKind::MissingReplacementSlash))?
            .text;
        let replacement = self
            .expand_until(Stop::At('}'), true)
            .map_err(|error| self.at_end_means(error, ExpandErrorKind::MissingCloseBrace))?
            .text;
        let value = self.lookup(name);
        if value.is_none() && self.lexer.skip_unset_env {
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        }
        let value = value.unwrap_or_default();
        let replaced = if all {
            pattern::replace_all(&pattern, value, &replacement)
        } else {
            pattern::replace_first(&pattern, value, &replacement)
        };
        replaced.map_err(|reason| ExpandErrorKind::InvalidPattern { pattern, reason })
    }

    /// BuildKit reports any failure inside `${...}` that leaves the input
    /// used up as the missing closing character, whatever it was.
    fn at_end_means(&self, error: ExpandErrorKind, at_end: ExpandErrorKind) -> ExpandErrorKind {
        if self.cursor.at_end() { at_end } else { error }
    }

    /// A variable name: a run of letters, digits and `_`; a run of digits
    /// alone (a positional parameter); or one special parameter character.
    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.cursor.peek() {
            Some(first) if is_digit(first) => {
                while let Some(digit) = self.cursor.peek().filter(|&ch| is_digit(ch)) {
                    self.cursor.next_char();
                    name.push(digit);
                }
            }
            Some(first @ ('@' | '*' | '#' | '?' | '-' | '$' | '!')) => {
                self.cursor.next_char();
                name.push(first);
            }
            _ => {
                while let Some(ch) = self.cursor.peek().filter(|&ch| is_name_char(ch)) {
                    self.cursor.next_char();
                    name.push(ch);
                }
            }
        }
        name
    }

    fn lookup(&mut self, name: &str) -> Option<&'a str> {
        let env: &'a E = self.env;
        let value = env.get(name);
        if let Some(names) = self.names.as_mut() {
            names.record(name, value.is_some());
        }
        value
    }
}

fn required(name: &str, word: String, default_message: &str) -> ExpandErrorKind {
    let message = if word.is_empty() {
        default_message.to_owned()
    } else {
        word
    };
    ExpandErrorKind::RequiredVariable {
        name: name.to_owned(),
        message,
    }
}

/// Go's `unicode.IsLetter`: general category L.
pub(crate) fn is_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(ch),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
    )
}

/// Go's `unicode.IsDigit`: general category Nd.
pub(crate) fn is_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    get_general_category(ch) == GeneralCategory::DecimalNumber
}

/// A character that may continue a variable name.
pub(crate) fn is_name_char(ch: char) -> bool {
    ch == '_' || is_letter(ch) || is_digit(ch)
}
