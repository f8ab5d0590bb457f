//! A refusal as the checks build it: what to tell the user, and what
//! BuildKit itself says, so that a user who searches for BuildKit's message
//! finds it.

use crate::ast::Node;
use crate::parser::{ParseError, ParseErrorKind};

pub(crate) struct Refusal {
    pub(crate) kind: ParseErrorKind,
    /// What is wrong and how to fix it.
    pub(crate) reason: String,
    /// BuildKit's error message, word for word.
    pub(crate) buildkit: String,
}

impl Refusal {
    pub(crate) fn new(
        kind: ParseErrorKind,
        reason: impl Into<String>,
        buildkit: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            reason: reason.into(),
            buildkit: buildkit.into(),
        }
    }

    /// The error, placed on the lines of the instruction it is about.
    pub(crate) fn at(self, node: &Node) -> ParseError {
        ParseError::new(
            self.kind,
            format!("{} (BuildKit: {})", self.reason, self.buildkit),
        )
        .spanning(node.start_line, node.end_line)
    }

    /// The error, placed on the lines of a model instruction.
    pub(crate) fn at_lines(self, start: u32, end: u32) -> ParseError {
        let line = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        ParseError::new(
            self.kind,
            format!("{} (BuildKit: {})", self.reason, self.buildkit),
        )
        .spanning(line(start), line(end))
    }

    /// The error for the whole file.
    pub(crate) fn whole_file(self) -> ParseError {
        ParseError::new(
            self.kind,
            format!("{} (BuildKit: {})", self.reason, self.buildkit),
        )
    }
}
