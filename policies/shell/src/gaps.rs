//! Checks of ShellCheck codes that shuck-linter 0.2.8 does not implement but
//! that fire often on Dockerfiles (SC2002, SC2185), written on the commands
//! the model already split the script into. They follow ShellCheck's own
//! conditions (`checkUuoc`, `checkFindWithoutPath` in its `Analytics.hs`).
//! Only top-level commands count: ShellCheck does not look inside the
//! string of a `sh -c '...'`.

use tallyman_sdk::model::{RunInstruction, SimpleCommand};

use crate::lint::Diagnostic;
use crate::rules::{SC2002, SC2185};

/// The diagnostics of these checks on a `RUN`'s commands.
pub fn check(run: &RunInstruction) -> Vec<Diagnostic> {
    let commands: Vec<&SimpleCommand> = run
        .command
        .commands
        .iter()
        .filter(|command| command.shell_depth == 0)
        .collect();
    let mut diagnostics = Vec::new();
    for command in &commands {
        if is_useless_cat(command, &commands) {
            diagnostics.push(Diagnostic {
                rule: &SC2002,
                message: "Useless cat. Consider 'cmd < file | ..' or 'cmd file | ..' instead"
                    .to_string(),
                line: command.line,
            });
        }
        if is_find_without_path(command) {
            diagnostics.push(Diagnostic {
                rule: &SC2185,
                message: "Some finds don't have a default path. Specify '.' explicitly".to_string(),
                line: command.line,
            });
        }
    }
    diagnostics
}

/// `cat FILE | next`: the first command of a pipeline of several, `cat`
/// with one operand that is not an option and cannot become several words.
fn is_useless_cat(command: &SimpleCommand, commands: &[&SimpleCommand]) -> bool {
    let piped = commands.iter().any(|other| {
        other.pipeline == command.pipeline
            && other.pipe_position == 1
            && other.in_substitution == command.in_substitution
    });
    command.pipe_position == 0
        && piped
        && program(&command.name) == "cat"
        && matches!(command.args.as_slice(), [only] if !only.starts_with('-'))
        && !may_split(command.text.get(command.name.len()..).unwrap_or_default())
}

/// `find` whose first operands are not a path: each leading word is an
/// option of at most two characters or of pre-path option letters only,
/// up to the first word that does not start with `-` (the path).
fn is_find_without_path(command: &SimpleCommand) -> bool {
    if program(&command.name) != "find" || command.args.iter().any(|arg| arg == "--help") {
        return false;
    }
    for arg in &command.args {
        if !arg.starts_with('-') {
            return false;
        }
        let leading = arg.len() <= 2 || arg.chars().all(|c| "-EHLPXdfsxO0123456789".contains(c));
        if !leading {
            return true;
        }
    }
    true
}

fn program(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The raw words have an unquoted expansion, glob or brace that can make
/// one word several (`$files`, `*.txt`, `{a,b}`, a command substitution).
fn may_split(raw: &str) -> bool {
    let mut single = false;
    let mut double = false;
    let mut escaped = false;
    for c in raw.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '$' | '*' | '?' | '[' | '{' | '`' if !single && !double => return true,
            _ => {}
        }
    }
    false
}
