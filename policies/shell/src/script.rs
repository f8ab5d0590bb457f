//! The script a `RUN` hands its shell, and which line of the Dockerfile
//! each byte of it came from.
//!
//! The model gives a shell-form `RUN` as its command line with
//! continuations joined (as BuildKit does) plus its heredoc bodies. The
//! shell text is rebuilt the way BuildKit runs it: `RUN <<EOF` alone runs
//! the body as the script; otherwise the command line is followed by each
//! body and its delimiter, as in a shell script.
//!
//! Lines: a heredoc body is whole lines of the file from a known first
//! line. The joined command line lost its line breaks, so its offsets are
//! placed through the simple commands the model split it into, each of
//! which knows the line it starts on: a diagnostic lands on the line of the
//! command it is in (the `RUN` line before the first command).

use tallyman_sdk::model::{CommandLine, Heredoc, Instruction};

/// A script and the file line of each of its offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// What the shell runs.
    pub text: String,
    /// The line of offsets before the first anchor.
    first_line: u32,
    /// `(offset, line)`: from `offset` on, text is on `line`; ascending.
    anchors: Vec<(usize, u32)>,
}

impl Script {
    /// The script of a shell-form command of `instruction`; `None` for the
    /// exec form, or a heredoc script whose shebang names another
    /// interpreter (`#!/usr/bin/env python3`).
    pub fn of(instruction: &Instruction, command: &CommandLine) -> Option<Script> {
        if command.exec_form {
            return None;
        }
        let command_line = command.args.first().map(String::as_str).unwrap_or_default();
        let start_line = instruction.span.start_line;
        match instruction.heredocs.as_slice() {
            [] => Some(Self::command_line_only(command_line, command, start_line)),
            [only] if runs_body_as_script(command_line) => Self::body_only(only),
            heredocs => Some(Self::with_bodies(
                command_line,
                heredocs,
                command,
                start_line,
            )),
        }
    }

    fn command_line_only(command_line: &str, command: &CommandLine, start_line: u32) -> Script {
        Script {
            text: command_line.to_string(),
            first_line: start_line,
            anchors: command_anchors(command_line, command, u32::MAX),
        }
    }

    fn body_only(heredoc: &Heredoc) -> Option<Script> {
        if runs_another_interpreter(&heredoc.content) {
            return None;
        }
        let mut script = Script {
            text: heredoc.content.clone(),
            first_line: heredoc.span.start_line,
            anchors: Vec::new(),
        };
        script.add_body_lines(0, heredoc.span.start_line);
        Some(script)
    }

    fn with_bodies(
        command_line: &str,
        heredocs: &[Heredoc],
        command: &CommandLine,
        start_line: u32,
    ) -> Script {
        let first_body_line = heredocs
            .first()
            .map_or(u32::MAX, |heredoc| heredoc.span.start_line);
        let mut script = Script {
            text: format!("{command_line}\n"),
            first_line: start_line,
            anchors: command_anchors(command_line, command, first_body_line),
        };
        for heredoc in heredocs {
            let at = script.text.len();
            script.text.push_str(&heredoc.content);
            if !heredoc.content.is_empty() && !heredoc.content.ends_with('\n') {
                script.text.push('\n');
            }
            script.text.push_str(&heredoc.name);
            script.text.push('\n');
            script.anchors.push((at, heredoc.span.start_line));
            script.add_body_lines(at, heredoc.span.start_line);
        }
        script
    }

    /// Each line break of the body starting at `at` starts the next line.
    fn add_body_lines(&mut self, at: usize, first_line: u32) {
        let body = self.text.get(at..).unwrap_or_default();
        let mut line = first_line;
        let breaks: Vec<usize> = body
            .match_indices('\n')
            .map(|(newline, _)| at + newline + 1)
            .collect();
        for offset in breaks {
            line = line.saturating_add(1);
            self.anchors.push((offset, line));
        }
    }

    /// The line of the Dockerfile byte `offset` of the script is on.
    pub fn line_of(&self, offset: usize) -> u32 {
        let after = self.anchors.partition_point(|(at, _)| *at <= offset);
        match after.checked_sub(1).and_then(|i| self.anchors.get(i)) {
            Some((_, line)) => *line,
            None => self.first_line,
        }
    }

    /// Where the lines of the file start in the script: `(offset, line)`,
    /// ascending; offsets before the first are on [`Script::first_line`].
    pub fn anchors(&self) -> &[(usize, u32)] {
        &self.anchors
    }

    /// The line the script starts on.
    pub fn first_line(&self) -> u32 {
        self.first_line
    }
}

/// `RUN <<EOF` with nothing else: the body is the script.
fn runs_body_as_script(command_line: &str) -> bool {
    let trimmed = command_line.trim();
    trimmed.starts_with("<<") && !trimmed.contains(char::is_whitespace)
}

/// A heredoc script with a shebang for something other than a POSIX-family
/// shell is not shell.
fn runs_another_interpreter(content: &str) -> bool {
    match content.lines().next().and_then(|l| l.strip_prefix("#!")) {
        Some(shebang) => crate::dialect::from_shebang(shebang).is_none(),
        None => false,
    }
}

/// Where the top-level commands of the command line start, with their
/// lines. Commands are searched for in line order, each from where the one
/// before was found, so a command written twice is placed at each of its
/// lines. Commands of heredoc bodies (from `before_line` on) and of nested
/// `sh -c` scripts (whose text is not written as is) are not anchors.
fn command_anchors(
    command_line: &str,
    command: &CommandLine,
    before_line: u32,
) -> Vec<(usize, u32)> {
    let mut commands: Vec<_> = command
        .commands
        .iter()
        .filter(|c| c.shell_depth == 0 && c.line > 0 && c.line < before_line && !c.text.is_empty())
        .collect();
    commands.sort_by_key(|c| c.line);
    let mut anchors = Vec::with_capacity(commands.len());
    let mut cursor = 0;
    for found in commands {
        let rest = command_line.get(cursor..).unwrap_or_default();
        if let Some(at) = rest.find(&found.text) {
            cursor += at;
            anchors.push((cursor, found.line));
        }
    }
    anchors
}
