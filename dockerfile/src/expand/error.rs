//! Why a word could not be expanded.

use thiserror::Error;

/// A word that BuildKit's lexer refuses, with the word and the reason.
///
/// Displays like BuildKit's own error: `failed to process "<word>": <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("failed to process {word:?}: {kind}")]
pub struct ExpandError {
    /// The word as given to the lexer.
    pub word: String,
    /// What went wrong.
    pub kind: ExpandErrorKind,
}

/// The reasons BuildKit's lexer gives for refusing a word.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExpandErrorKind {
    /// A `'` with no closing `'`.
    #[error("unexpected end of statement while looking for matching single-quote")]
    UnterminatedSingleQuote,
    /// A `"` with no closing `"`.
    #[error("unexpected end of statement while looking for matching double-quote")]
    UnterminatedDoubleQuote,
    /// A `${` whose `}` never comes.
    #[error("syntax error: missing '}}'")]
    MissingCloseBrace,
    /// `${...}` nested more deeply than the limit (BuildKit has none; no
    /// real Dockerfile comes near it).
    #[error("syntax error: substitutions nested more than {0} levels deep")]
    TooDeeplyNested(usize),
    /// `${V/pattern` with no `/` before the end.
    #[error("syntax error: missing '/' in ${{}}")]
    MissingReplacementSlash,
    /// `${}`, `${{...}`, `${:...}`.
    #[error("syntax error: bad substitution")]
    BadSubstitution,
    /// An operator BuildKit does not implement, such as `${V:=w}`, `${V:x}`
    /// or `${V.}`; holds the operator as written.
    #[error("unsupported modifier ({0}) in substitution")]
    UnsupportedModifier(String),
    /// `${V?msg}` with `V` unset, or `${V:?msg}` with `V` unset or empty.
    #[error("{name}: {message}")]
    RequiredVariable {
        /// The variable that must be set.
        name: String,
        /// The word after `?`, or BuildKit's default message.
        message: String,
    },
    /// A `#`, `%` or `/` pattern with a backslash that escapes nothing the
    /// pattern language knows (`\x`, or `\` at the end).
    #[error("invalid pattern ({pattern}) in substitution: {reason}")]
    InvalidPattern {
        /// The pattern after expansion.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
}
