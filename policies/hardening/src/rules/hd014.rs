use tallyman_sdk::{Dockerfile, Finding};

use tallyman_sdk::model::SimpleCommand;

use crate::commands::{program, quoted, removes};
use crate::scope::{instructions_before, shipping_stages};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags files and directories made writable by every user, in the
    /// stages that ship (the final stage and the stages it is built on):
    /// - `chmod` with a mode that gives others write access: octal
    ///   (`777`, `0666`, `-R 757`) or symbolic (`a+w`, `o+rwx`, `ugo=rwx`);
    /// - `mkdir -m`/`install -m` with such a mode;
    /// - `COPY --chmod=777` and `ADD --chmod=...` likewise.
    ///
    /// A mode with the sticky bit (`1777`, `+t`) is the standard for shared
    /// temporary directories and is not flagged: users cannot delete each
    /// other's files there. `chmod +w` without a `who` follows the umask
    /// and is not flagged, nor is a scratch directory the same `RUN`
    /// deletes again. A named pipe (made by `mkfifo` or `mknod … p` earlier
    /// in the stage) is not flagged either: it stores nothing anyone could
    /// replace, and other users writing to it (a log pipe a non-root
    /// process writes to) is what it is made for. A mode set in a builder
    /// stage and kept by `COPY --from` is not traced.
    ///
    /// A finding about a command points at the line of that command.
    ///
    /// ## Why is this bad?
    /// Any process in the container, whatever its user, can then replace
    /// the program, its configuration or its libraries: a foothold as an
    /// unprivileged user becomes persistence or code execution as the
    /// application. Running as non-root (HD001) protects little if the
    /// files root installed are writable by everyone.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chmod=777 app /app
    /// RUN chmod -R 777 /var/www
    /// ```
    ///
    /// ## Fix
    /// Give write access only to the user that needs it:
    /// ```dockerfile
    /// COPY --chmod=755 app /app
    /// RUN chown -R app:app /var/www/uploads && chmod -R 750 /var/www
    /// ```
    pub const HD014 = {
        id: "HD014",
        title: "World-writable permissions",
        severity: Medium,
        tags: ["security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let fix = "drop write access for others (`755` for directories and programs, `644` for \
               files) and `chown` what the application must write to its own user";
    for stage in shipping_stages(dockerfile, settings) {
        for instruction in &stage.instructions {
            if let Some(copy) = instruction.as_copy_or_add()
                && let Some(mode) = copy.chmod.as_deref().filter(|mode| world_writable(mode))
            {
                findings.push(
                    Finding::at(&HD014, (stage, instruction))
                        .message(format!(
                            "`{} --chmod={mode}` makes the copied files writable by every user",
                            instruction.keyword
                        ))
                        .fix(fix),
                );
            }
            let commands = instruction.run_commands();
            for (index, command) in commands.iter().enumerate() {
                let Some((mode, targets)) = mode_set(command) else {
                    continue;
                };
                if !world_writable(mode) {
                    continue;
                }
                let later = commands.get(index + 1..).unwrap_or_default();
                // A scratch directory deleted before the `RUN` ends ships nothing.
                let removed = !targets.is_empty()
                    && targets
                        .iter()
                        .all(|target| later.iter().any(|after| removes(after, target)));
                let earlier = commands.get(..index).unwrap_or_default();
                let pipes = !targets.is_empty()
                    && targets.iter().all(|target| {
                        made_as_fifo(earlier, target)
                            || instructions_before(dockerfile, stage, instruction.line())
                                .into_iter()
                                .any(|before| made_as_fifo(before.run_commands(), target))
                    });
                if !removed && !pipes {
                    findings.push(
                        Finding::at_command(&HD014, (stage, instruction), command)
                            .message(format!(
                                "{} makes files writable by every user (mode `{mode}`)",
                                quoted(command)
                            ))
                            .fix(fix),
                    );
                }
            }
        }
    }
}

/// The mode a command sets and the paths it sets it on: `chmod MODE
/// PATH…`, `mkdir -m MODE DIR…`, `install -m MODE …`.
fn mode_set(command: &SimpleCommand) -> Option<(&str, Vec<&str>)> {
    let run = program(command);
    match run.program() {
        "chmod" => {
            // chmod's options are few and take no value; a mode such as
            // `-w` or `-x` starts with a dash, so take the first word that
            // is not an option chmod knows, and the paths after it.
            let mut words = run.args().iter().map(String::as_str).skip_while(|arg| {
                matches!(
                    *arg,
                    "-R" | "-f"
                        | "-v"
                        | "-c"
                        | "--recursive"
                        | "--silent"
                        | "--quiet"
                        | "--verbose"
                        | "--changes"
                        | "--"
                ) || arg.starts_with("--reference")
            });
            let mode = words.next()?;
            Some((mode, words.filter(|word| !word.starts_with('-')).collect()))
        }
        "mkdir" | "install" => {
            let run = run.value_flags(&["-m", "--mode"]);
            let mode = run.flag_value(&["-m", "--mode"])?;
            Some((mode, run.operands()))
        }
        _ => None,
    }
}

/// One of `commands` makes `path` a named pipe: `mkfifo [-m MODE] PATH…`,
/// `mknod PATH p`.
fn made_as_fifo(commands: &[SimpleCommand], path: &str) -> bool {
    commands.iter().any(|command| {
        let run = program(command);
        match run.program() {
            "mkfifo" => run
                .value_flags(&["-m", "--mode", "--context"])
                .operands()
                .contains(&path),
            "mknod" => {
                let operands = run.value_flags(&["-m", "--mode", "--context"]).operands();
                operands.first() == Some(&path) && operands.get(1) == Some(&"p")
            }
            _ => false,
        }
    })
}

/// Others get write access, without the sticky bit.
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
        let others = digits.last().copied().unwrap_or(0);
        let sticky = digits.len() == 4 && digits.first().is_some_and(|special| special & 1 == 1);
        return others & 2 == 2 && !sticky;
    }
    let clauses: Vec<&str> = mode.split(',').collect();
    let sticky = clauses
        .iter()
        .any(|clause| clause.contains(['+', '=']) && clause.contains('t'));
    let writable = clauses.iter().any(|clause| {
        let Some(at) = clause.find(['+', '=']) else {
            return false;
        };
        let (who, perms) = clause.split_at(at);
        (who.contains('o') || who.contains('a')) && perms.contains('w')
    });
    writable && !sticky
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn octal_and_symbolic_modes() {
        for mode in [
            "777", "0777", "666", "0757", "a+w", "o+rwx", "ugo=rwx", "u+x,o+w", "a+rwX",
        ] {
            assert!(world_writable(mode), "{mode}");
        }
        for mode in [
            "755", "0644", "1777", "a+rwxt", "+w", "u+w", "go-w", "g+w", "o-w", "", "x",
        ] {
            assert!(!world_writable(mode), "{mode}");
        }
    }
}
