use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{program, quoted};
use crate::scope::{instructions_before, is_windows};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that changes the shell instead of using `SHELL`:
    /// - replacing `/bin/sh` (or `/usr/bin/sh`): `ln -sf /bin/bash /bin/sh`,
    ///   `mv`, `cp` or `install` onto it;
    /// - changing root's login shell (`chsh -s /bin/bash`, `usermod -s
    ///   /bin/bash root`) while the build runs as root: that changes the
    ///   shell of `su -` and SSH logins, not the one `RUN` uses.
    ///
    /// A login shell set for another user (`chsh -s /usr/bin/zsh dev`,
    /// `usermod --shell /bin/bash app`) is not flagged: `SHELL` cannot do
    /// that, and dev containers rely on it for their terminals (KICS flags
    /// every `chsh` and `usermod`). Windows stages are skipped.
    ///
    /// ## Why is this bad?
    /// `RUN` runs `/bin/sh -c`. Replacing `/bin/sh` with bash changes more
    /// than the build: every `#!/bin/sh` script in the image, maintainer
    /// scripts of later package installs included, then runs under bash,
    /// and the Dockerfile no longer says which shell its scripts are
    /// written for. `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` changes
    /// the shell of the `RUN`s that follow and nothing else. `chsh` for
    /// root does not change the shell `RUN` uses at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN ln -sf /bin/bash /bin/sh
    /// RUN source /opt/venv/bin/activate && pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN source /opt/venv/bin/activate && pip install -r requirements.txt
    /// ```
    pub const HD025 = {
        id: "HD025",
        title: "Shell changed by RUN instead of SHELL",
        severity: Low,
        tags: ["reliability"],
        equivalents: [
            "hadolint:DL4005",
            "kics:Changing Default Shell Using RUN Command",
        ],
    };
}

const SYSTEM_SHELLS: &[&str] = &["/bin/sh", "/usr/bin/sh"];

const LN_VALUE_FLAGS: &[&str] = &["-t", "--target-directory", "-S", "--suffix"];

const USERMOD_VALUE_FLAGS: &[&str] = &[
    "-c",
    "--comment",
    "-d",
    "--home",
    "-e",
    "--expiredate",
    "-f",
    "--inactive",
    "-g",
    "--gid",
    "-G",
    "--groups",
    "-l",
    "--login",
    "-p",
    "--password",
    "-R",
    "--root",
    "-P",
    "--prefix",
    "-s",
    "--shell",
    "-u",
    "--uid",
    "-Z",
    "--selinux-user",
];

const CHSH_VALUE_FLAGS: &[&str] = &["-s", "--shell", "-R", "--root"];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        if is_windows(dockerfile, stage) {
            continue;
        }
        for command in instruction.run_commands() {
            let message = if replaces_system_shell(command) {
                format!(
                    "{} replaces `/bin/sh`, the shell of every `RUN` and every `#!/bin/sh` \
                     script in the image",
                    quoted(command)
                )
            } else if let Some(shell) = root_login_shell(dockerfile, stage, instruction, command) {
                format!(
                    "{} makes `{shell}` root's login shell, which is not the shell `RUN` uses",
                    quoted(command)
                )
            } else {
                continue;
            };
            findings.push(
                Finding::at_command(&HD025, (stage, instruction), command)
                    .message(message)
                    .fix(
                        "to run the following `RUN`s in another shell, use `SHELL [\"/bin/bash\", \
                         \"-o\", \"pipefail\", \"-c\"]`",
                    ),
            );
        }
    }
}

/// `ln -sf bash /bin/sh`, `mv /tmp/mksh /bin/sh`: the last operand (the
/// link or destination) is the system shell.
fn replaces_system_shell(command: &SimpleCommand) -> bool {
    let run = program(command);
    if !run.is_any(&["ln", "mv", "cp", "install"]) {
        return false;
    }
    let run = run.value_flags(LN_VALUE_FLAGS);
    let operands = run.operands();
    operands.len() >= 2
        && operands
            .last()
            .is_some_and(|destination| SYSTEM_SHELLS.contains(destination))
}

/// The shell `chsh -s` or `usermod -s` gives root, when the command
/// changes root's login shell: named `root`, or no user named while the
/// build runs as root.
fn root_login_shell<'a>(
    dockerfile: &Dockerfile,
    stage: &Stage,
    instruction: &Instruction,
    command: &'a SimpleCommand,
) -> Option<&'a str> {
    let run = program(command);
    let (run, user_named): (Command<'a>, Option<&str>) = match run.program() {
        "chsh" => {
            let run = run.value_flags(CHSH_VALUE_FLAGS);
            (run, run.operands().last().copied())
        }
        "usermod" => {
            let run = run.value_flags(USERMOD_VALUE_FLAGS);
            // usermod needs the user: without one it changes nothing.
            (run, Some(*run.operands().last()?))
        }
        _ => return None,
    };
    let shell = run.flag_value(&["-s", "--shell"])?;
    let for_root = match user_named {
        Some(user) => user == "root",
        None => runs_as_root(dockerfile, stage, instruction),
    };
    for_root.then_some(shell)
}

/// No `USER` before the instruction, or `USER root`/`USER 0`.
fn runs_as_root(dockerfile: &Dockerfile, stage: &Stage, instruction: &Instruction) -> bool {
    let user = instructions_before(dockerfile, stage, instruction.line())
        .into_iter()
        .rev()
        .find_map(Instruction::as_user);
    user.is_none_or(|user| matches!(user.user.trim(), "root" | "0"))
}
