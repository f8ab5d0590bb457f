//! Why a file was refused, in words a user can act on.

use std::fmt;

/// A Dockerfile the parser refuses, with the line it happened on when known.
///
/// The [`kind`](ParseError::kind) says which rule was broken (tests and
/// callers match on it); the [`reason`](ParseError::reason) says it in words,
/// naming the fix where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", LinePrefix(.line), .reason)]
pub struct ParseError {
    /// 1-based line the problem starts on, when it has one.
    pub line: Option<usize>,
    /// 1-based last line of the instruction involved, when it spans several.
    pub end_line: Option<usize>,
    /// Which rule the file breaks.
    pub kind: ParseErrorKind,
    /// A sentence for the user.
    pub reason: String,
}

/// The rules a Dockerfile can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The file is larger than [`ParseOptions::max_size`](super::ParseOptions).
    TooLarge,
    /// UTF-16 text (by byte-order mark or NUL pattern).
    Utf16,
    /// UTF-32 text (by byte-order mark or NUL pattern).
    Utf32,
    /// A NUL byte: binary data, not a text file.
    NulByte,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// A physical line longer than BuildKit's line buffer (65,535 bytes).
    LineTooLong,
    /// Nothing but blank lines, comments and parser directives.
    NoInstructions,
    /// A parser directive given twice.
    DuplicateDirective,
    /// `# escape=` with something other than `\` or a backtick.
    InvalidEscape,
    /// `ENV`/`LABEL` with a single word and no value.
    MissingValue,
    /// `ENV`/`LABEL` mixing `name=value` with a word that has no `=`.
    NotNameValue,
    /// A JSON array holding something other than strings.
    NotStringArray,
    /// A heredoc delimiter whose quoting cannot be read.
    BadHeredoc,
    /// A heredoc whose terminator line never comes.
    UnterminatedHeredoc,
    /// `ONBUILD ONBUILD ...` nested deeper than the parser follows.
    NestedTooDeep,
    // What BuildKit's instruction parser (`instructions/parse.go`) and its
    // conversion (`dockerfile2llb/convert.go`) refuse; see `crate::validate`.
    /// A keyword that is not a Dockerfile instruction.
    UnknownInstruction,
    /// A `--flag` the instruction does not have (`COPY --frm=x`, `ENV --x`).
    UnknownFlag,
    /// A flag that takes a value written without `=value` (`COPY --from build`).
    FlagWithoutValue,
    /// A flag given twice where only one is allowed.
    DuplicateFlag,
    /// A flag value BuildKit refuses (`--link=yes`, `--network=bridge`,
    /// `--interval=30`, an unreadable `--mount` or `--device`).
    InvalidFlagValue,
    /// Too few or too many arguments (`FROM a b`, `COPY onlyone`, `USER`).
    ArgumentCount,
    /// A stage name that is not `[a-z][a-z0-9-_.]*` (`AS 1st-stage`, `AS ${NAME}`).
    InvalidStageName,
    /// `ENV`, `LABEL` or `ARG` with an empty name (`ARG =x`).
    BlankName,
    /// A `HEALTHCHECK` of an unknown type, or with a missing or extra command.
    InvalidHealthcheck,
    /// `ONBUILD ONBUILD`, `ONBUILD FROM`, `ONBUILD MAINTAINER`.
    InvalidOnbuild,
    /// `SHELL` not written as a JSON array.
    NotExecForm,
    /// `VOLUME` with an empty path.
    EmptyVolume,
    /// A heredoc as the destination of `COPY`/`ADD`.
    HeredocDestination,
    /// An instruction other than `ARG` before the first `FROM`.
    InstructionBeforeFrom,
    /// No `FROM` at all.
    NoStages,
    /// A variable in `COPY --from` or `RUN --mount=from=`, which BuildKit never expands.
    VariableInFrom,
    /// `COPY --from=<n>` with no stage (or image reference) numbered `n`.
    InvalidStageIndex,
    /// Stages that copy from each other in a loop.
    CircularDependency,
    /// A stage the target needs copies or mounts from a stage defined after it.
    LaterStage,
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, reason: impl Into<String>) -> Self {
        Self {
            line: None,
            end_line: None,
            kind,
            reason: reason.into(),
        }
    }

    pub(crate) fn at(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub(crate) fn spanning(mut self, start: usize, end: usize) -> Self {
        self.line = Some(start);
        if end > start {
            self.end_line = Some(end);
        }
        self
    }
}

struct LinePrefix<'a>(&'a Option<usize>);

impl fmt::Display for LinePrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, "line {line}: "),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_line_when_known() {
        let err = ParseError::new(ParseErrorKind::MissingValue, "ENV names `FOO`").at(3);
        assert_eq!(err.to_string(), "line 3: ENV names `FOO`");
        let err = ParseError::new(ParseErrorKind::NoInstructions, "file has no instructions");
        assert_eq!(err.to_string(), "file has no instructions");
    }
}
