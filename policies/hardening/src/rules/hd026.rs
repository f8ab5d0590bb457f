use tallyman_sdk::model::{RunInstruction, SimpleCommand};
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{is_top_level, program, quoted};
use crate::scope::is_windows;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags commands in a `RUN` that make no sense in a build container:
    /// - `shutdown`, `reboot`, `halt`, `poweroff`;
    /// - starting a service as the last command of the script (`service
    ///   nginx start`, `/etc/init.d/nginx start`, `systemctl start nginx`):
    ///   it is killed when the `RUN` ends;
    /// - `ps`, `top`, `free`, `ifconfig`, `uptime` printing to the log: they
    ///   describe the build container, which is gone afterwards;
    /// - `mount`/`umount` without `RUN --security=insecure` (a build has no
    ///   privilege to mount);
    /// - an interactive editor (`vim`, `vi`, `nano`, `emacs`) with no
    ///   script to run;
    /// - `ssh` to another host, unless the `RUN` forwards an SSH agent
    ///   (`--mount=type=ssh`).
    ///
    /// It reads invocations only: `apt-get install vim procps` is not
    /// flagged (KICS matches the words anywhere). Also not flagged, unlike
    /// hadolint's DL3001: `kill` (a script stops what it started itself,
    /// `mysqld & … kill $!`), `service mysql start` followed by commands
    /// that use the service, `ps` whose output a pipe or substitution
    /// reads, scripted editors (`vim -es +PlugInstall +qa`, `emacs
    /// --batch`), and `--version`/`--help`. Windows stages are skipped.
    ///
    /// ## Why is this bad?
    /// A `RUN` step runs in a throwaway container without an init system,
    /// a terminal or privileges, and only its filesystem changes are kept.
    /// A started service, a shutdown or a mount does nothing that lasts (or
    /// fails the build), an editor waits for input that never comes, and
    /// `ps`, `top` or `free` print the state of a container that no longer
    /// exists. Such lines are usually left over from an interactive session
    /// and belong in `CMD`, an entrypoint script, or nowhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends nginx \
    ///  && rm -rf /var/lib/apt/lists/* && service nginx start
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends nginx \
    ///  && rm -rf /var/lib/apt/lists/*
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    pub const HD026 = {
        id: "HD026",
        title: "Command that makes no sense in a build container",
        severity: Info,
        tags: ["style"],
        equivalents: ["hadolint:DL3001", "kics:Run Utilities And POSIX Commands"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        if is_windows(dockerfile, stage) {
            continue;
        }
        for (instruction, run) in stage.runs() {
            let commands = run.command.commands.as_slice();
            for (index, command) in commands.iter().enumerate() {
                let later = commands.get(index + 1..).unwrap_or_default();
                let Some(why) = senseless(command, later, run, commands) else {
                    continue;
                };
                findings.push(
                    Finding::at_command(&HD026, (stage, instruction), command)
                        .message(format!("{} {why}", quoted(command)))
                        .fix(
                            "remove it from the build; start services and inspect the container \
                             at run time (`CMD`, an entrypoint script, `docker exec`)",
                        ),
                );
            }
        }
    }
}

/// Why `command` makes no sense in the build, if it does not.
fn senseless(
    command: &SimpleCommand,
    later: &[SimpleCommand],
    run: &RunInstruction,
    all: &[SimpleCommand],
) -> Option<&'static str> {
    let invoked = program(command);
    if invoked.has_flag(&["--version", "--help", "-V"]) {
        return None;
    }
    match invoked.program() {
        "shutdown" | "reboot" | "halt" | "poweroff" => {
            Some("shuts down a machine the build does not have")
        }
        "ps" | "top" | "htop" | "free" | "ifconfig" | "uptime" => {
            let output_read = !is_top_level(command) || command.in_condition || piped(command, all);
            (!output_read)
                .then_some("prints the state of the build container, which is thrown away")
        }
        "mount" | "umount" => (run.security.as_deref() != Some("insecure"))
            .then_some("needs privileges a build does not have (`RUN --security=insecure`)"),
        "vim" | "vi" | "nvim" | "nano" | "emacs" => {
            (!scripted_editor(&invoked)).then_some("waits for keyboard input a build cannot give")
        }
        "ssh" => {
            let agent = run.mounts.iter().any(|mount| mount.kind == "ssh");
            (!agent).then_some("logs in to another host from the build")
        }
        _ if starts_service(command) => last_command(command, later)
            .then_some("starts a service that is killed when the `RUN` ends"),
        _ => None,
    }
}

/// `service x start`, `/etc/init.d/x restart`, `systemctl start x`,
/// `rc-service x start`.
fn starts_service(command: &SimpleCommand) -> bool {
    let invoked = program(command);
    let operands = invoked.operands();
    let starts = |action: Option<&&str>| matches!(action, Some(&("start" | "restart")));
    match invoked.program() {
        "service" | "rc-service" => starts(operands.get(1)),
        "systemctl" => starts(operands.first()),
        _ => command.name.starts_with("/etc/init.d/") && starts(operands.first()),
    }
}

/// Nothing of the script runs after `command` (at its level), so what
/// it started serves nothing.
fn last_command(command: &SimpleCommand, later: &[SimpleCommand]) -> bool {
    !later
        .iter()
        .any(|after| after.shell_depth == command.shell_depth && !program(after).is("true"))
}

/// Another command reads its output through a pipe.
fn piped(command: &SimpleCommand, all: &[SimpleCommand]) -> bool {
    all.iter().any(|other| {
        other.pipeline == command.pipeline
            && other.shell_depth == command.shell_depth
            && other.pipe_position != command.pipe_position
    })
}

/// `vim -es +PlugInstall +qa`, `emacs --batch`, `nvim --headless`: the
/// editor runs a script and exits.
fn scripted_editor(editor: &Command<'_>) -> bool {
    editor.has_flag(&[
        "-c",
        "--cmd",
        "-s",
        "-S",
        "-e",
        "-E",
        "-es",
        "-Es",
        "--headless",
        "--batch",
        "-batch",
        "--script",
        "-u",
    ]) || editor.args().iter().any(|arg| arg.starts_with('+'))
}
