//! The commands of `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD`.

use crate::ast::Heredoc;
use crate::model::{CommandLine, Connector, KeyValue, SimpleCommand};
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

fn to_model(command: shell::SimpleCommand) -> SimpleCommand {
    SimpleCommand {
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

/// The exec form runs exactly one process: its arguments are the command.
pub(crate) fn exec_form(args: Vec<String>) -> CommandLine {
    let mut words = args.iter();
    let commands = match words.next() {
        Some(name) => vec![SimpleCommand {
            name: name.clone(),
            args: words.cloned().collect(),
            assignments: Vec::new(),
            text: args.join(" "),
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
pub(crate) fn shell_form(script: String, heredocs: &[Heredoc]) -> CommandLine {
    let (commands, shell_error) = match shell_text(&script, heredocs) {
        Some(text) => {
            let split = shell::split_commands(&text);
            (
                split.commands.into_iter().map(to_model).collect(),
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

/// The text a shell runs for this `RUN`. `RUN <<EOF` alone runs the body as
/// the script (None when a shebang names another interpreter); otherwise
/// the command line is followed by each body and its delimiter, as in a
/// shell script.
fn shell_text<'a>(script: &'a str, heredocs: &'a [Heredoc]) -> Option<Cow<'a, str>> {
    if heredocs.is_empty() {
        return Some(Cow::Borrowed(script));
    }
    if let [only] = heredocs
        && script.trim().starts_with("<<")
        && !script.trim().contains(char::is_whitespace)
    {
        return (!runs_another_interpreter(&only.content)).then_some(Cow::Borrowed(&only.content));
    }
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
        text.push_str(&heredoc.content);
        if !heredoc.content.is_empty() && !heredoc.content.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&heredoc.name);
        text.push('\n');
    }
    Some(Cow::Owned(text))
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

/// `CMD`/`ENTRYPOINT`/`RUN`/`HEALTHCHECK CMD` arguments as a command line.
pub(crate) fn command_line(json: bool, args: &[String], heredocs: &[Heredoc]) -> CommandLine {
    if json {
        exec_form(args.to_vec())
    } else {
        shell_form(args.join(" "), heredocs)
    }
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
