use tallyman_sdk::model::CommandLine;
use tallyman_sdk::{Dockerfile, Finding};

use crate::scope::{is_windows, shell_before, shipping_stages};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`) in
    /// the stages that ship: the final stage and the stages it is built on.
    /// Not flagged:
    /// - a script that is a single `exec …`, which replaces the shell with
    ///   the program;
    /// - a stage where `SHELL` was set explicitly, as BuildKit does: the
    ///   author chose the shell that runs it;
    /// - Windows images, where `cmd` is the shell and signals work
    ///   differently;
    /// - builder stages, which never run as containers.
    ///
    /// hadolint's DL3025 is equivalent in part: since 2026-06 it also flags a
    /// shell-form `HEALTHCHECK CMD`, which this rule does not.
    ///
    /// ## Why is this bad?
    /// The shell form runs `/bin/sh -c "<command>"`: the shell is PID 1 and
    /// the program its child. `docker stop` sends `SIGTERM` to the shell,
    /// which does not forward it, so the program never shuts down cleanly
    /// and is killed after the timeout. Arguments given to `docker run` are
    /// also ignored by a shell-form `ENTRYPOINT`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT node server.js
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// ENTRYPOINT ["node", "server.js"]
    /// ```
    /// or, when a shell is needed for variable expansion,
    /// `ENTRYPOINT exec node server.js --port "$PORT"`.
    pub const HD013 = {
        id: "HD013",
        title: "Shell form ENTRYPOINT or CMD",
        severity: Low,
        tags: ["reliability"],
        equivalents: ["hadolint:DL3025", "buildkit:JSONArgsRecommended"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        if is_windows(dockerfile, stage) {
            continue;
        }
        for instruction in &stage.instructions {
            let command = instruction.as_cmd().or_else(|| instruction.as_entrypoint());
            let Some(command) = command else {
                continue;
            };
            if command.exec_form
                || execs_directly(command)
                || shell_before(dockerfile, stage, instruction.line()).is_some()
            {
                continue;
            }
            let script = command.args.join(" ");
            let keyword = &instruction.keyword;
            findings.push(
                Finding::at(&HD013, (stage, instruction))
                    .message(format!(
                        "`{keyword} {script}` runs under `/bin/sh -c`, which does not pass \
                         `docker stop`'s SIGTERM on to the program"
                    ))
                    .fix(match exec_form(command) {
                        Some(json) => format!("use the exec form: `{keyword} {json}`"),
                        None => format!(
                            "use the exec form (`{keyword} [\"executable\", \"arg\"]`), or \
                             start the script with `exec` so that the program replaces the shell"
                        ),
                    }),
            );
        }
    }
}

/// `CMD exec nginx -g 'daemon off;'`: the shell replaces itself.
fn execs_directly(command: &CommandLine) -> bool {
    matches!(command.commands.as_slice(), [only] if only.name == "exec")
}

/// The JSON form of a script that is one plain command.
fn exec_form(command: &CommandLine) -> Option<String> {
    match command.commands.as_slice() {
        [only] if only.assignments.is_empty() && !only.text.contains(['$', '*', '?', '~']) => {
            let words: Vec<String> = std::iter::once(&only.name)
                .chain(&only.args)
                .map(|word| format!("{word:?}"))
                .collect();
            Some(format!("[{}]", words.join(", ")))
        }
        _ => None,
    }
}
