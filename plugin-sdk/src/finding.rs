//! Building findings: `Finding::at(&RULE, instruction).message(...).fix(...)`,
//! and the edits that fix them: `.edit(instruction.keyword_span(), "COPY")`.

use std::ops::Range;

use crate::model::{
    Applicability, Autofix, Edit, Finding, Heredoc, Instruction, Severity, SimpleCommand, Span,
    Stage,
};
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

/// The instruction's lines: its span's start column is the keyword's,
/// which is where edits go, not what a report points at.
impl Locate for &Instruction {
    fn span(&self) -> Option<Span> {
        Some(lines_of(self.span))
    }
}

fn lines_of(span: Span) -> Span {
    Span {
        start_column: 0,
        end_column: 0,
        ..span
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
        Some(lines_of(
            self.from_instruction().map_or(self.span, |from| from.span),
        ))
    }
    fn stage(&self) -> Option<u32> {
        Some(self.index)
    }
}

/// An instruction of a stage: the instruction's span, the stage's index.
impl Locate for (&Stage, &Instruction) {
    fn span(&self) -> Option<Span> {
        Some(lines_of(self.1.span))
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
            autofix: None,
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

    /// A safe fix: replace the text at `place` with `replacement`. `place`
    /// is a span with known columns, usually from an instruction's
    /// [`keyword_span`](Instruction::keyword_span) or
    /// [`text_span`](Instruction::text_span); when it is `None` (the text is
    /// not where an edit can reach, such as a continued instruction) the
    /// finding carries no fix. Replaces any fix set before: for several
    /// edits use [`fix_edits`](Finding::fix_edits).
    ///
    /// ```
    /// let dockerfile = tallyman_sdk::testing::Check::new("FROM a\n  ADD x /y\n").model();
    /// let add = &dockerfile.stages[0].instructions[1];
    /// // `Finding::at(&HD003, add).edit(add.keyword_span(), "COPY")` replaces:
    /// let span = add.keyword_span().unwrap();
    /// assert_eq!((span.start_line, span.start_column, span.end_column), (2, 3, 6));
    /// ```
    #[must_use]
    pub fn edit(self, place: Option<Span>, replacement: impl Into<String>) -> Finding {
        self.fix_edits(Applicability::Safe, [Edit::at(place, replacement)])
    }

    /// An unsafe fix (the build may behave differently: exec form, a pinned
    /// version): applied only when the user asks for unsafe fixes. Otherwise
    /// as [`edit`](Finding::edit).
    #[must_use]
    pub fn unsafe_edit(self, place: Option<Span>, replacement: impl Into<String>) -> Finding {
        self.fix_edits(Applicability::Unsafe, [Edit::at(place, replacement)])
    }

    /// A fix of several edits, applied together or not at all: when any is
    /// `None` (see [`Edit::at`]) the finding carries no fix.
    #[must_use]
    pub fn fix_edits(
        mut self,
        applicability: Applicability,
        edits: impl IntoIterator<Item = Option<Edit>>,
    ) -> Finding {
        self.autofix = edits
            .into_iter()
            .collect::<Option<Vec<Edit>>>()
            .filter(|edits| !edits.is_empty())
            .map(|edits| Autofix {
                applicability,
                edits,
            });
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

impl Edit {
    /// Replace the text at `place` with `replacement`; `None` when `place`
    /// is unknown or a column of it is (0).
    pub fn at(place: Option<Span>, replacement: impl Into<String>) -> Option<Edit> {
        place
            .filter(|span| span.start_column > 0 && span.end_column > 0)
            .map(|span| Edit {
                span,
                replacement: replacement.into(),
            })
    }

    /// Insert `text` at the start of `line` (end it with `\n` to insert
    /// whole lines; the host writes the file's own line ending).
    pub fn insert_before_line(line: u32, text: impl Into<String>) -> Option<Edit> {
        Edit::at(Some(Span::point(line, 1)), text)
    }

    /// Remove lines `start..=end` with their line endings.
    pub fn delete_lines(start: u32, end: u32) -> Option<Edit> {
        let span = Span {
            start_line: start,
            start_column: 1,
            end_line: end.checked_add(1)?,
            end_column: 1,
        };
        (start > 0 && end >= start).then_some(Edit {
            span,
            replacement: String::new(),
        })
    }
}

impl Span {
    /// An empty span at (line, column): where an insertion goes.
    pub fn point(line: u32, column: u32) -> Span {
        Span {
            start_line: line,
            start_column: column,
            end_line: line,
            end_column: column,
        }
    }
}

/// Where an instruction's text is in the file, for edits.
impl Instruction {
    /// The keyword as written (`add`, `ADD`), on the instruction's first
    /// line. `None` when its column is not known (the instruction inside
    /// an `ONBUILD`).
    pub fn keyword_span(&self) -> Option<Span> {
        let start = self.span.start_column;
        if start == 0 {
            return None;
        }
        let len = u32::try_from(self.keyword_written.chars().count()).ok()?;
        Some(Span {
            start_line: self.span.start_line,
            start_column: start,
            end_line: self.span.start_line,
            end_column: start.checked_add(len)?,
        })
    }

    /// Bytes `range` of [`original`](Instruction::original), where the
    /// instruction is written on one line (no continuation, no heredoc):
    /// there `original` is the line from the keyword on, so its offsets map
    /// to columns. `None` otherwise, or when `range` is not on character
    /// boundaries of `original`.
    pub fn text_span(&self, range: Range<usize>) -> Option<Span> {
        let one_line = self.span.start_line == self.span.end_line
            && self.heredocs.is_empty()
            && !self.original.contains('\n');
        if !one_line {
            return None;
        }
        self.first_line_span(range)
    }

    /// Bytes `range` of [`original`](Instruction::original) that the caller
    /// knows are on the instruction's first line: a command or word whose
    /// line is the instruction's first. `original` joins the lines of a
    /// continued instruction, and up to the first continuation it is that
    /// line from the keyword on, so offsets there map to columns; past it
    /// they do not, which is why the caller must know. `None` when the
    /// keyword's column is not known or `range` is not on character
    /// boundaries.
    pub fn first_line_span(&self, range: Range<usize>) -> Option<Span> {
        let start = self.span.start_column;
        if start == 0 || range.end < range.start {
            return None;
        }
        let column = |offset: usize| -> Option<u32> {
            let before = self.original.get(..offset)?;
            start.checked_add(u32::try_from(before.chars().count()).ok()?)
        };
        Some(Span {
            start_line: self.span.start_line,
            start_column: column(range.start)?,
            end_line: self.span.start_line,
            end_column: column(range.end)?,
        })
    }

    /// The byte offset in [`original`](Instruction::original) where
    /// `text`, a suffix of it (a shell-form script as BuildKit gives it),
    /// begins.
    pub fn offset_of_suffix(&self, text: &str) -> Option<usize> {
        self.original
            .ends_with(text)
            .then(|| self.original.len() - text.len())
    }

    /// Bytes `range` of `command`'s [`text`](SimpleCommand::text) (blanks
    /// around it trimmed), where
    /// `command` is a top-level command of this shell-form `RUN` and the
    /// range is on the line the command starts on (its name, when it has no
    /// prefix assignments): the commands are found in the script in order,
    /// so that two with the same text are told apart. `None` when the
    /// place cannot be known for certain: a command inside `sh -c` or a
    /// substitution, a heredoc, or a command on a continuation line.
    pub fn command_text_span(&self, command: &SimpleCommand, range: Range<usize>) -> Option<Span> {
        let run = self.as_run().filter(|run| !run.command.exec_form)?;
        if command.line != self.span.start_line || !self.heredocs.is_empty() {
            return None;
        }
        let script = run.command.args.first()?;
        let script_offset = self.offset_of_suffix(script)?;
        let mut cursor = 0;
        for candidate in &run.command.commands {
            if candidate.shell_depth > 0 || candidate.in_substitution {
                continue;
            }
            let text = candidate.text.trim();
            if text.is_empty() {
                continue;
            }
            let start = cursor + script.get(cursor..)?.find(text)?;
            cursor = start + text.len();
            if std::ptr::eq(candidate, command) {
                if range.end > text.len() {
                    return None;
                }
                let at = script_offset + start;
                return self.first_line_span(at + range.start..at + range.end);
            }
        }
        None
    }

    /// `keyword` in the case this instruction's keyword is written in (a
    /// lower-case `add` gives `copy`), so that a fix keeps the file's casing.
    pub fn in_keyword_case(&self, keyword: &str) -> String {
        if self.keyword_written.chars().any(|c| c.is_ascii_uppercase()) {
            keyword.to_ascii_uppercase()
        } else {
            keyword.to_ascii_lowercase()
        }
    }

    /// The whole instruction, where it is written on one line (see
    /// [`text_span`](Instruction::text_span)).
    pub fn whole_span(&self) -> Option<Span> {
        self.text_span(0..self.original.len())
    }
}
