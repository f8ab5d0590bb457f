//! The commands of `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD`.

use super::heredoc_lines;
use super::script_lines::ScriptLines;
use crate::ast::{Heredoc, Node};
use crate::model::{CommandLine, Connector, KeyValue, SimpleCommand, to_u32};
use crate::shell;

use std::borrow::Cow;

fn connector(c: shell::Connector) -> Connector {
    match c {
        shell::Connector::Start => Connector::Start,
        shell::Connector::Sequence => Connector::Sequence,
        shell::Connector::And => Connector::And,
        shell::Connector::Or => Connector::Or,
    }
}

fn to_model(command: shell::SimpleCommand, lines: &ScriptLines) -> SimpleCommand {
    SimpleCommand {
        line: lines.line_of(command.offset),
        arg_lines: command
            .arg_offsets
            .iter()
            .map(|offset| lines.line_of(*offset))
            .collect(),
        name: command.name,
        args: command.args,
        assignments: command
            .assignments
            .into_iter()
            .map(|(key, value)| KeyValue { key, value })
            .collect(),
        text: command.text,
        pipeline: command.pipeline,
        pipe_position: command.pipe_position,
        in_substitution: command.in_substitution,
        shell_depth: command.shell_depth,
        negated: command.negated,
        in_condition: command.in_condition,
        connector: connector(command.connector),
    }
}

/// The exec form runs exactly one process: its arguments are the command,
/// placed on the instruction's first line; `word_lines` has the line of
/// each word (the name first), where known.
pub(crate) fn exec_form(args: Vec<String>, line: usize, word_lines: &[u32]) -> CommandLine {
    let mut words = args.iter();
    let commands = match words.next() {
        Some(name) => vec![SimpleCommand {
            name: name.clone(),
            args: words.cloned().collect(),
            assignments: Vec::new(),
            text: args.join(" "),
            line: to_u32(line),
            arg_lines: (1..args.len())
                .map(|i| word_lines.get(i).copied().unwrap_or(to_u32(line)))
                .collect(),
            pipeline: 0,
            pipe_position: 0,
            in_substitution: false,
            shell_depth: 0,
            negated: false,
            in_condition: false,
            connector: Connector::Start,
        }],
        None => Vec::new(),
    };
    CommandLine {
        exec_form: true,
        args,
        commands,
        shell_error: None,
    }
}

/// The shell form: the script is split with a shell parser, heredoc
/// bodies included the way the shell sees them (a body handed to `bash` is
/// split as a script, one handed to `cat` is data).
pub(crate) fn shell_form(node: &Node, script: String, heredocs: &[Heredoc]) -> CommandLine {
    let (commands, shell_error) = match shell_text(&script, heredocs) {
        Some(text) => {
            let lines = script_lines(node, &script, heredocs, &text);
            let split = shell::split_commands(&text.text);
            (
                split
                    .commands
                    .into_iter()
                    .map(|command| to_model(command, &lines))
                    .collect(),
                split.error,
            )
        }
        None => (Vec::new(), None),
    };
    CommandLine {
        exec_form: false,
        args: vec![script],
        commands,
        shell_error,
    }
}

/// The text a shell runs, and where each heredoc body is in it.
struct ShellText<'a> {
    text: Cow<'a, str>,
    /// The byte range of each body in `text` (with its delimiter line), in
    /// the order of the heredocs; empty when `text` is the command line only.
    bodies: Vec<(usize, usize)>,
}

/// The text a shell runs for this `RUN`. `RUN <<EOF` alone runs the body as
/// the script (None when a shebang names another interpreter); otherwise
/// the command line is followed by each body and its delimiter, as in a
/// shell script.
fn shell_text<'a>(script: &'a str, heredocs: &'a [Heredoc]) -> Option<ShellText<'a>> {
    if heredocs.is_empty() {
        return Some(ShellText {
            text: Cow::Borrowed(script),
            bodies: Vec::new(),
        });
    }
    if let [only] = heredocs
        && script.trim().starts_with("<<")
        && !script.trim().contains(char::is_whitespace)
    {
        return (!runs_another_interpreter(&only.content)).then(|| ShellText {
            text: Cow::Borrowed(&only.content),
            bodies: vec![(0, only.content.len())],
        });
    }
    let mut bodies = Vec::with_capacity(heredocs.len());
    let mut text = String::with_capacity(
        script.len()
            + heredocs
                .iter()
                .map(|h| h.content.len() + h.name.len() + 2)
                .sum::<usize>(),
    );
    text.push_str(script);
    text.push('\n');
    for heredoc in heredocs {
        let start = text.len();
        text.push_str(&heredoc.content);
        if !heredoc.content.is_empty() && !heredoc.content.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&heredoc.name);
        text.push('\n');
        bodies.push((start, text.len()));
    }
    Some(ShellText {
        text: Cow::Owned(text),
        bodies,
    })
}

/// The lines of the file the shell text's offsets are on.
fn script_lines(node: &Node, script: &str, heredocs: &[Heredoc], text: &ShellText) -> ScriptLines {
    let mut lines = if text.bodies.first().is_some_and(|(start, _)| *start == 0) {
        ScriptLines::one_line(node.start_line)
    } else {
        ScriptLines::of_command_line(node, script)
    };
    if !text.bodies.is_empty() {
        let first_lines = heredoc_lines(node, heredocs);
        for (&(start, end), (first_line, _)) in text.bodies.iter().zip(first_lines) {
            lines.add_body(&text.text, start, end, first_line);
        }
    }
    lines
}

/// A heredoc script with a shebang for something other than a POSIX shell
/// (`#!/usr/bin/env python3`) is not shell.
fn runs_another_interpreter(content: &str) -> bool {
    let Some(shebang) = content.lines().next().and_then(|l| l.strip_prefix("#!")) else {
        return false;
    };
    let mut words = shebang.split_whitespace();
    let program = match words.next() {
        Some(p) if p.ends_with("/env") => words.find(|w| !w.starts_with('-')).unwrap_or(""),
        Some(p) => p,
        None => "",
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    !matches!(name, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
}

/// `CMD`/`ENTRYPOINT`/`RUN`/`HEALTHCHECK CMD` arguments of `node` as a
/// command line.
pub(crate) fn command_line(node: &Node, args: &[String], heredocs: &[Heredoc]) -> CommandLine {
    if node.json {
        exec_form(args.to_vec(), node.start_line, &exec_word_lines(node, args))
    } else {
        shell_form(node, args.join(" "), heredocs)
    }
}

/// The line each word of an exec-form array is written on. The array ends
/// the instruction's line, after the keyword and the flags; each word is
/// looked for as the JSON string it is usually written as (`"word"`, with
/// `\\` and `\"` escaped). A word written with other escapes (`\u0041`) is
/// not found, and is placed where the word before it is.
fn exec_word_lines(node: &Node, words: &[String]) -> Vec<u32> {
    let written = node.original.split('\n').next().unwrap_or_default();
    let mut cursor = node.keyword_as_written.len();
    for flag in &node.flags {
        if let Some(at) = written
            .get(cursor..)
            .and_then(|rest| rest.find(flag.as_str()))
        {
            cursor += at + flag.len();
        }
    }
    if let Some(at) = written.get(cursor..).and_then(|rest| rest.find('[')) {
        cursor += at;
    }
    let mut line = node.line_at(cursor);
    words
        .iter()
        .map(|word| {
            let literal = format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""));
            if let Some(at) = written.get(cursor..).and_then(|rest| rest.find(&literal)) {
                line = node.line_at(cursor + at);
                cursor += at + literal.len();
            }
            to_u32(line)
        })
        .collect()
}

/// Every shell text lowering would split for `node` (and `ONBUILD`'s
/// instruction): what the shell splitter's differential tests run over.
#[cfg(test)]
pub(crate) fn shell_texts(node: &Node) -> Vec<String> {
    let mut texts: Vec<String> = node.sub.as_deref().map(shell_texts).unwrap_or_default();
    let (args, heredocs): (&[String], &[Heredoc]) = match node.keyword.as_str() {
        "run" => (&node.args, &node.heredocs),
        "cmd" | "entrypoint" => (&node.args, &[]),
        "healthcheck"
            if node
                .args
                .first()
                .is_some_and(|k| k.eq_ignore_ascii_case("cmd")) =>
        {
            (node.args.get(1..).unwrap_or_default(), &[])
        }
        _ => return texts,
    };
    if !node.json
        && let Some(text) = shell_text(&args.join(" "), heredocs)
    {
        texts.push(text.text.into_owned());
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_heredoc_is_not_split_as_shell() {
        assert!(runs_another_interpreter(
            "#!/usr/bin/env python3\nprint(1)\n"
        ));
        assert!(!runs_another_interpreter("#!/bin/bash\nset -e\n"));
        assert!(!runs_another_interpreter("apt-get update\n"));
    }
}
