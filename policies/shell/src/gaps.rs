//! Checks of ShellCheck codes that shuck-linter 0.2.8 does not implement but
//! that fire often on Dockerfiles (SC2185), written on the commands the model
//! already split the script into, with ShellCheck's own conditions
//! (`checkFindWithoutPath` in its `Analytics.hs`). Only top-level commands
//! count: ShellCheck does not look inside the string of a `sh -c '...'`.
//!
//! SC2002 (useless `cat`), as frequent, is not here: ShellCheck made it an
//! optional check in 0.10, and hadolint never reports it.

use tallyman_sdk::model::{RunInstruction, SimpleCommand};

use crate::lint::Diagnostic;
use crate::rules::SC2185;

/// The diagnostics of these checks on a `RUN`'s commands.
pub fn check(run: &RunInstruction) -> Vec<Diagnostic> {
    run.command
        .commands
        .iter()
        .filter(|command| command.shell_depth == 0 && is_find_without_path(command))
        .map(|command| Diagnostic {
            rule: &SC2185,
            message: "Some finds don't have a default path. Specify '.' explicitly".to_string(),
            line: command.line,
        })
        .collect()
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
