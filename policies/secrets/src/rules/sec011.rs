use tallyman_sdk::model::{Instruction, SimpleCommand};
use tallyman_sdk::{Dockerfile, Finding};

use crate::credentials::standard_input;
use crate::settings::Settings;
use crate::support::shipping_stages;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `RUN` of a stage that ships which leaves an account with an
    /// empty password:
    /// - `passwd -d <user>` (`--delete`);
    /// - `echo 'root:' | chpasswd` (an empty password after the `:`, also
    ///   from `printf` or a heredoc);
    /// - `usermod -p '' <user>`, `useradd -p '' <user>`.
    ///
    /// Locking an account (`passwd -l`, `usermod -L`, `root:!` with
    /// `chpasswd -e`) is the safe opposite and is not flagged. A password
    /// written out is SEC008's; one read from a file or a secret is not
    /// reported. Only stages that ship are checked: a builder stage's
    /// `/etc/shadow` is not part of the image.
    ///
    /// ## Why is this bad?
    /// With an empty password, any process in the container can become
    /// that user with `su` where PAM allows empty passwords (`nullok`, the
    /// default on Debian and Ubuntu), and log in to any SSH or console
    /// service the image runs: a non-root `USER` then gains nothing. It is
    /// the flaw of CVE-2019-5021, Alpine images shipped with an empty root
    /// password. Checkov's CKV2_DOCKER_17 flags every `chpasswd` for this
    /// reason and SEC008's.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -m app && passwd -d root
    /// USER app
    /// ```
    ///
    /// ## Fix
    /// Lock the account instead (no password can log in), and give the
    /// user the rights it needs another way:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -m app && passwd -l root
    /// USER app
    /// ```
    pub const SEC011 = {
        id: "SEC011",
        title: "Account left with an empty password",
        severity: Medium,
        tags: ["cis-docker-1.6:4.1", "security"],
        equivalents: ["checkov:CKV2_DOCKER_17"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        for instruction in &stage.instructions {
            let commands = instruction.run_commands();
            for command in commands {
                for (how, user) in emptied(instruction, commands, command) {
                    findings.push(
                        Finding::at(&SEC011, (stage, instruction))
                            .on_line_of(command)
                            .message(format!(
                                "{how} leaves {user} with an empty password: any process in the \
                                 container can `su` to it where PAM allows empty passwords (the \
                                 default on Debian and Ubuntu)"
                            ))
                            .fix("lock the account instead (`passwd -l <user>` or `usermod -L <user>`)"),
                    );
                }
            }
        }
    }
}

/// The accounts `command` leaves with an empty password (`` `root` ``),
/// with how.
fn emptied(
    instruction: &Instruction,
    commands: &[SimpleCommand],
    command: &SimpleCommand,
) -> Vec<(String, String)> {
    let cli = command.command();
    match cli.program() {
        "passwd" if command.has_flag(&["-d", "--delete"]) => {
            // Without a name, passwd acts on the user running it: root here
            // unless a USER says otherwise, which this rule does not track.
            let user = cli
                .operands()
                .last()
                .map_or("the current user".to_string(), |user| format!("`{user}`"));
            vec![("`passwd -d`".to_string(), user)]
        }
        "chpasswd" => {
            let Some(input) = standard_input(instruction, commands, command) else {
                return Vec::new();
            };
            input
                .lines()
                .filter_map(|line| line.trim().split_once(':'))
                .filter(|(user, password)| !user.is_empty() && password.trim().is_empty())
                .map(|(user, _)| ("`chpasswd`".to_string(), format!("`{user}`")))
                .collect()
        }
        "useradd" | "usermod" => {
            let cli = cli.value_flags(&[
                "-p",
                "--password",
                "-u",
                "-g",
                "-G",
                "-d",
                "-s",
                "-c",
                "-e",
                "-f",
                "-k",
                "-K",
                "-b",
                "-R",
            ]);
            match (cli.flag_value(&["-p", "--password"]), cli.operands().last()) {
                (Some(""), Some(user)) => {
                    vec![(format!("`{} -p ''`", cli.program()), format!("`{user}`"))]
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}
