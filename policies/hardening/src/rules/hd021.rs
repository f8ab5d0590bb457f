use tallyman_sdk::model::SimpleCommand;
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{is_top_level, program};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `cd` in a `RUN` where `WORKDIR` is the tool:
    /// - the `cd` that starts the script (after `set`, `mkdir` or `export`
    ///   only): the whole `RUN` works in that directory, which is what
    ///   `WORKDIR` says;
    /// - a `cd` that ends the script: it changes nothing, since the next
    ///   instruction starts in the `WORKDIR` again (a common mistake is
    ///   `RUN cd /app` followed by `RUN make`).
    ///
    /// A `cd` in the middle of a script, into a directory the script itself
    /// creates or unpacks (`git clone … && cd repo && make`), cannot be
    /// replaced by `WORKDIR` without splitting the `RUN` and is not
    /// flagged; nor are `cd -`, a bare `cd`, a `cd` to a computed directory
    /// (`cd "$(mktemp -d)"`), and a `cd` inside `sh -c`, a subshell's
    /// substitution or a condition.
    ///
    /// ## Why is this bad?
    /// `WORKDIR` is visible to readers and tools, applies to every later
    /// instruction (and to the container at run time), and creates the
    /// directory if needed. A leading `cd` hides where the build works; a
    /// trailing one suggests the author expected it to last.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /usr/src/app && npm ci
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// WORKDIR /usr/src/app
    /// RUN npm ci
    /// ```
    pub const HD021 = {
        id: "HD021",
        title: "cd in RUN instead of WORKDIR",
        severity: Info,
        tags: ["style"],
        equivalents: ["hadolint:DL3003", "trivy:DS-0013"],
    };
}

/// Commands that may come before a leading `cd` without changing its role.
const PREAMBLE: &[&str] = &["set", "mkdir", "export", "umask"];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let top: Vec<&SimpleCommand> = instruction
            .run_commands()
            .iter()
            .filter(|command| is_top_level(command) && !command.in_condition)
            .collect();
        let leading = top
            .iter()
            .find(|command| !PREAMBLE.contains(&command.name.as_str()))
            .filter(|command| is_plain_cd(command));
        let trailing = top.last().filter(|command| is_plain_cd(command));
        let finding = match (leading, trailing) {
            (_, Some(last)) => Finding::at(&HD021, (stage, instruction))
                .message(format!(
                    "`{}` ends the `RUN`: the directory change is lost when the next \
                     instruction starts",
                    last.text.trim()
                ))
                .fix(format!(
                    "drop the `cd`; if later instructions should run there, put `WORKDIR {}` \
                     after this `RUN`",
                    directory(last)
                )),
            (Some(first), None) => Finding::at(&HD021, (stage, instruction))
                .message(format!(
                    "`{}` sets the directory for the whole `RUN`: that is what `WORKDIR` is for",
                    first.text.trim()
                ))
                .fix(format!(
                    "put `WORKDIR {}` before the `RUN` and drop the `cd`",
                    directory(first)
                )),
            (None, None) => continue,
        };
        findings.push(finding);
    }
}

fn directory(cd: &SimpleCommand) -> &str {
    cd.args.last().map_or("<dir>", String::as_str)
}

/// `cd <fixed directory>`.
fn is_plain_cd(command: &SimpleCommand) -> bool {
    let run = program(command);
    run.is("cd")
        && matches!(run.operands().as_slice(), [dir] if *dir != "-" && !dir.contains("$(") && !dir.contains('`'))
}
