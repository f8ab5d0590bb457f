//! Variable expansion and word splitting with the semantics of BuildKit's
//! shell lexer (`frontend/dockerfile/shell/lex.go`).
//!
//! BuildKit expands `$V` and `${...}` in most instruction arguments itself,
//! with its own small dialect of POSIX shell rules: quotes and the escape
//! character are processed, `$name`, `${name}`, `${name:-word}` and friends,
//! the `#`/`%`/`/` pattern operators with `*`/`?` globs, and nothing else (no
//! command substitution, arithmetic or `${#name}`). Positional and special
//! parameters (`$1`, `$@`, `$?`, ...) are read as names, which no
//! Dockerfile can set, so they expand to nothing.
//!
//! ```
//! use tallyman_dockerfile::expand::{Lexer, VarMap};
//!
//! let env: VarMap = [("VERSION", "1.2"), ("EMPTY", "")].into_iter().collect();
//! let lexer = Lexer::new('\\');
//! let expansion = lexer.process_word("app-${VERSION}${EMPTY:-x}-$MISSING", &env).unwrap();
//! assert_eq!(expansion.value, "app-1.2x-");
//! assert_eq!(expansion.unmatched, ["MISSING"]);
//! assert_eq!(lexer.process_words("a 'b c' $VERSION", &env).unwrap(), ["a", "b c", "1.2"]);
//! ```

mod cursor;
mod env;
mod error;
mod lexer;
mod pattern;
mod words;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

pub use env::{EmptyEnv, Env, VarMap};
pub use error::{ExpandError, ExpandErrorKind};

use cursor::Cursor;
use lexer::{Expander, Stop};

/// BuildKit's shell lexer: expands variables in words and splits them.
///
/// The default is BuildKit's normal mode. The other modes are the switches
/// BuildKit flips for particular uses (keeping quotes and escapes for
/// heredocs and `RUN` checks, leaving unset variables in place); they are
/// set with the `with_*` methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    skip_process_quotes: bool,
    skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer::new('\\')
    }
}

/// The result of expanding one word with [`Lexer::process_word`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    /// The expanded word.
    pub value: String,
    /// Variables the word used that were set, in order of first use.
    pub matched: Vec<String>,
    /// Variables the word used that were unset, in order of first use:
    /// BuildKit's `unmatched`, which its `UndefinedVar` check reports.
    pub unmatched: Vec<String>,
}

impl Lexer {
    /// A lexer in normal mode with the given escape character (`\`, or
    /// `` ` `` after `# escape=``).
    pub const fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// The escape character.
    pub const fn escape(&self) -> char {
        self.escape
    }

    /// Keep the quote characters in the result (BuildKit's `RawQuotes`).
    pub const fn with_raw_quotes(mut self, on: bool) -> Self {
        self.raw_quotes = on;
        self
    }

    /// Keep escape characters in the result (BuildKit's `RawEscapes`).
    pub const fn with_raw_escapes(mut self, on: bool) -> Self {
        self.raw_escapes = on;
        self
    }

    /// Treat quotes as ordinary characters (BuildKit's `SkipProcessQuotes`).
    pub const fn with_skip_process_quotes(mut self, on: bool) -> Self {
        self.skip_process_quotes = on;
        self
    }

    /// Leave references to unset variables as written, operator and word
    /// included (BuildKit's `SkipUnsetEnv`).
    pub const fn with_skip_unset_env(mut self, on: bool) -> Self {
        self.skip_unset_env = on;
        self
    }

    /// Expands one word (BuildKit's `ProcessWord`), keeping whitespace, and
    /// reports which variables it used.
    pub fn process_word<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Expansion, ExpandError> {
        if self.is_plain(word) {
            return Ok(Expansion {
                value: word.to_owned(),
                ..Expansion::default()
            });
        }
        let mut expander = self.expander(word, env, Some(NameLog::default()));
        let expanded = expander.expand_until(Stop::End, self.raw_escapes);
        let names = expander.names.take().unwrap_or_default();
        let expanded = expanded.map_err(|kind| error(word, kind))?;
        Ok(Expansion {
            value: expanded.text,
            matched: names.matched,
            unmatched: names.unmatched,
        })
    }

    /// Expands a word and splits it into fields (BuildKit's `ProcessWords`):
    /// unquoted whitespace, including whitespace in the values of unquoted
    /// expansions, separates fields; quotes and escapes protect it.
    pub fn process_words<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Vec<String>, ExpandError> {
        if self.is_plain(word) {
            return Ok(word.split_whitespace().map(str::to_owned).collect());
        }
        let mut expander = self.expander(word, env, None);
        let expanded = expander
            .expand_until(Stop::End, self.raw_escapes)
            .map_err(|kind| error(word, kind))?;
        Ok(expanded.words)
    }

    fn expander<'a, E: Env + ?Sized>(
        &'a self,
        word: &'a str,
        env: &'a E,
        names: Option<NameLog>,
    ) -> Expander<'a, E> {
        Expander {
            lexer: self,
            cursor: Cursor::new(word),
            env,
            names,
            depth: 0,
        }
    }

    /// Whether the word has nothing for the lexer to do, so it expands to
    /// itself: most instruction arguments.
    fn is_plain(&self, word: &str) -> bool {
        !word.starts_with('\u{feff}')
            && !word
                .chars()
                .any(|ch| matches!(ch, '$' | '\'' | '"') || ch == self.escape)
    }
}

fn error(word: &str, kind: ExpandErrorKind) -> ExpandError {
    ExpandError {
        word: word.to_owned(),
        kind,
    }
}

/// The names a word looked up, split by whether they were set.
#[derive(Debug, Default)]
pub(crate) struct NameLog {
    matched: Vec<String>,
    unmatched: Vec<String>,
    seen: HashSet<(bool, String)>,
}

impl NameLog {
    fn record(&mut self, name: &str, found: bool) {
        if self.seen.insert((found, name.to_owned())) {
            let list = if found {
                &mut self.matched
            } else {
                &mut self.unmatched
            };
            list.push(name.to_owned());
        }
    }
}
