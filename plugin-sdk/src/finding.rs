//! Building findings: `Finding::at(&RULE, instruction).message(...).fix(...)`.

use crate::model::{Finding, Heredoc, Instruction, Severity, SimpleCommand, Span, Stage};
use crate::rule::Rule;

/// Something a finding can point at: a span, and the stage it belongs to
/// when known.
pub trait Locate {
    fn span(&self) -> Option<Span>;
    fn stage(&self) -> Option<u32> {
        None
    }
}

impl Locate for Span {
    fn span(&self) -> Option<Span> {
        Some(*self)
    }
}

impl Locate for &Instruction {
    fn span(&self) -> Option<Span> {
        Some(self.span)
    }
}

impl Locate for &Heredoc {
    fn span(&self) -> Option<Span> {
        Some(self.span)
    }
}

/// A stage is located at its `FROM` instruction, which is where a user
/// looks for what a stage-wide finding is about.
impl Locate for &Stage {
    fn span(&self) -> Option<Span> {
        Some(self.from_instruction().map_or(self.span, |from| from.span))
    }
    fn stage(&self) -> Option<u32> {
        Some(self.index)
    }
}

/// An instruction of a stage: the instruction's span, the stage's index.
impl Locate for (&Stage, &Instruction) {
    fn span(&self) -> Option<Span> {
        Some(self.1.span)
    }
    fn stage(&self) -> Option<u32> {
        Some(self.0.index)
    }
}

impl<T: Locate> Locate for Option<T> {
    fn span(&self) -> Option<Span> {
        self.as_ref().and_then(Locate::span)
    }
    fn stage(&self) -> Option<u32> {
        self.as_ref().and_then(Locate::stage)
    }
}

impl Finding {
    /// A finding of `rule` with no location; the message is the rule's title.
    pub fn new(rule: &Rule) -> Finding {
        Finding {
            rule_id: rule.id.to_string(),
            message: rule.title.to_string(),
            span: None,
            stage: None,
            fix: None,
            severity: None,
        }
    }

    /// A finding of `rule` at an instruction, a stage (its `FROM` line), a
    /// `(stage, instruction)` pair, a heredoc or a span.
    pub fn at(rule: &Rule, place: impl Locate) -> Finding {
        let mut finding = Finding::new(rule);
        finding.span = place.span();
        finding.stage = place.stage();
        finding
    }

    /// A finding of `rule` about one command of a `RUN` (`CMD`,
    /// `ENTRYPOINT`, `HEALTHCHECK`): at the line the command starts on, in
    /// the stage of `place` (the instruction, or a `(stage, instruction)`
    /// pair). A reader of a twenty-line `RUN` sees the offending command's
    /// line rather than the whole instruction. Where the command's line is
    /// not known, the finding covers `place`, as [`Finding::at`] does.
    pub fn at_command(rule: &Rule, place: impl Locate, command: &SimpleCommand) -> Finding {
        Finding::at(rule, place).on_line_of(command)
    }

    /// Narrows the finding to the line `command` starts on. Kept as it is
    /// when the line is not known (0: a command of an image's history) or
    /// falls outside the span already set (the command belongs elsewhere).
    #[must_use]
    pub fn on_line_of(self, command: &SimpleCommand) -> Finding {
        self.on_line(command.line)
    }

    /// Narrows the finding to the line of the argument of `command` that
    /// `word` comes from (see [`SimpleCommand::line_of_word`]): a finding
    /// about `--force-yes` on the third line of a `RUN apt-get install \`
    /// points at that third line. Falls back as [`Finding::on_line_of`].
    ///
    /// ```
    /// let text = "FROM debian\nRUN apt-get install -y \\\n    --force-yes curl\n";
    /// let dockerfile = tallyman_sdk::testing::Check::new(text).model();
    /// let command = &dockerfile.stages[0].instructions[1].run_commands()[0];
    /// let flag = command.command().flag_word(&["--force-yes"]);
    /// assert_eq!(flag, Some("--force-yes"));
    /// assert_eq!(flag.map(|flag| command.line_of_word(flag)), Some(3));
    /// ```
    #[must_use]
    pub fn on_line_of_word(self, command: &SimpleCommand, word: &str) -> Finding {
        self.on_line(command.line_of_word(word))
    }

    /// Narrows the finding to `line` of the span already set (a command's
    /// line kept by a rule that has let go of the command); kept as it is
    /// when the line is 0 (not known) or outside that span.
    #[must_use]
    pub fn on_line(mut self, line: u32) -> Finding {
        let inside = self
            .span
            .is_none_or(|span| span.start_line <= line && line <= span.end_line);
        if line > 0 && inside {
            self.span = Some(Span {
                start_line: line,
                start_column: 0,
                end_line: line,
                end_column: 0,
            });
        }
        self
    }

    /// Replaces the message (the rule's title by default). Say what was
    /// found, with the offending text: ``"`ubuntu` has no tag"``.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Finding {
        self.message = message.into();
        self
    }

    /// A suggested fix, in words or as replacement text.
    #[must_use]
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    #[must_use]
    pub fn span(mut self, span: Span) -> Finding {
        self.span = Some(span);
        self
    }

    /// Points at whole lines (1-based, inclusive), columns unknown.
    #[must_use]
    pub fn lines(mut self, start_line: u32, end_line: u32) -> Finding {
        self.span = Some(Span {
            start_line,
            start_column: 0,
            end_line: end_line.max(start_line),
            end_column: 0,
        });
        self
    }

    /// The stage the finding concerns, by index.
    #[must_use]
    pub fn stage(mut self, index: u32) -> Finding {
        self.stage = Some(index);
        self
    }

    /// Overrides the rule's default severity for this finding.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = Some(severity);
        self
    }

    /// The first line the finding points at, if it has a span.
    pub fn line(&self) -> Option<u32> {
        self.span.map(|span| span.start_line)
    }
}
