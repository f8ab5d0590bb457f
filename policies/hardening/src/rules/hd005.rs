use tallyman_sdk::model::SimpleCommand;
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::commands::{SHELLS, is_download, is_python, program, quoted};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags scripts that run code straight from the network:
    /// - a download piped into an interpreter that reads its program from
    ///   stdin: `curl … | sh`, `wget -O- … | sudo bash -s --`,
    ///   `curl … | python3 -`;
    /// - an interpreter given a download as its script: `sh -c "$(curl …)"`,
    ///   `bash <(curl …)`, `eval "$(wget -qO- …)"`, `. <(curl …)`.
    ///
    /// A pipe into an interpreter that runs something else (`curl … | sh -c
    /// 'tar -x'`, `curl … | python3 script.py`) reads the download as data
    /// and is not flagged.
    ///
    /// ## Why is this bad?
    /// Nothing checks what is executed: a compromised server, a hijacked
    /// domain or a tampered mirror runs arbitrary code in the build, with
    /// the build's privileges and secrets, and the result ships. The script
    /// can also change between two builds of the same Dockerfile, and a
    /// connection cut halfway runs half a script.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://get.example.com/install.sh | sh
    /// ```
    ///
    /// ## Fix
    /// Download to a file, verify it against a published checksum or
    /// signature, then run it:
    /// ```dockerfile
    /// ARG INSTALL_SHA256=4c1f2b3a...
    /// RUN curl -fsSLo /tmp/install.sh https://get.example.com/v1.4.2/install.sh \
    ///  && echo "${INSTALL_SHA256}  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    pub const HD005 = {
        id: "HD005",
        title: "Downloaded script run without verification",
        severity: High,
        tags: ["cis-docker-1.6:4.11", "security", "supply-chain"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        for message in unchecked_downloads(instruction.run_commands()) {
            findings.push(
                Finding::at(&HD005, (stage, instruction))
                    .message(message)
                    .fix(
                        "download to a file, check it against a pinned checksum or signature \
                          (`sha256sum -c`, `gpg --verify`), then run the file",
                    ),
            );
        }
    }
}

/// What, among one `RUN`'s commands, runs downloaded code unchecked: one
/// message per hit. Shared with the image check, over history commands.
pub fn unchecked_downloads(commands: &[SimpleCommand]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|command| {
            if let Some(source) = piped_download(commands, command) {
                return Some(format!(
                    "{} is piped into {}: the downloaded code runs unchecked",
                    quoted(source),
                    quoted(command)
                ));
            }
            runs_substituted_download(command)
                .then(|| format!("{} runs a downloaded script unchecked", quoted(command)))
        })
        .collect()
}

/// The download piped into `command`, when `command` is an interpreter
/// reading its program from that pipe.
fn piped_download<'a>(
    commands: &'a [SimpleCommand],
    command: &SimpleCommand,
) -> Option<&'a SimpleCommand> {
    if command.pipe_position == 0 || !reads_program_from_stdin(&program(command)) {
        return None;
    }
    commands.iter().find(|earlier| {
        earlier.pipeline == command.pipeline
            && earlier.pipe_position < command.pipe_position
            && is_download(&program(earlier))
    })
}

/// An interpreter with no script operand and no `-c`/`-e` program runs
/// what it reads on stdin (`sh`, `bash -s -- --flag`, `python3 -`).
fn reads_program_from_stdin(command: &Command<'_>) -> bool {
    let shell = command.is_any(SHELLS);
    let (inline_flags, value_flags): (&[char], &[&str]) = if shell {
        (&['c'], &[])
    } else if is_python(command.program()) {
        (&['c', 'm'], &["-W", "-X", "-Q"])
    } else if command.is_any(&["perl", "ruby"]) {
        (&['e', 'E'], &["-I", "-M", "-r"])
    } else if command.is_any(&["node", "php"]) {
        (&['e', 'r', 'p'], &["-r", "--require"])
    } else {
        return false;
    };
    let mut args = command.args().iter();
    while let Some(arg) = args.next() {
        if arg == "-" {
            return true;
        }
        if arg == "--" {
            return args.next().is_none_or(|next| next == "-");
        }
        if value_flags.contains(&arg.as_str()) {
            args.next();
            continue;
        }
        let option = arg
            .strip_prefix('-')
            .or_else(|| arg.strip_prefix('+').filter(|_| shell));
        let Some(letters) = option else {
            // A script file operand.
            return false;
        };
        if arg.starts_with("--") {
            continue;
        }
        if shell && letters.contains('s') {
            return true;
        }
        if letters.chars().any(|c| inline_flags.contains(&c)) {
            return false;
        }
        // `-o pipefail`, `-euxo pipefail`: the option name follows.
        if shell && letters.ends_with(['o', 'O']) {
            args.next();
        }
    }
    true
}

/// `sh -c "$(curl …)"`, `bash <(wget …)`, `eval "$(curl …)"`, `source <(curl …)`.
fn runs_substituted_download(command: &SimpleCommand) -> bool {
    let runner = program(command);
    let runs_code = runner.is_any(SHELLS)
        || runner.is_any(&["eval", "source", ".", "perl", "ruby", "node"])
        || is_python(runner.program());
    runs_code
        && runner.args().iter().any(|arg| {
            ["$(", "<(", "`"].iter().any(|open| {
                arg.split(open).skip(1).any(|inside| {
                    let first = inside.split_whitespace().next().unwrap_or_default();
                    let first = first.rsplit('/').next().unwrap_or(first);
                    matches!(first, "curl" | "wget" | "fetch")
                })
            })
        })
}

/// A download piped into a shell in a `RUN` recorded in the image's history.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    for (step, commands) in crate::history::run_steps(image) {
        for message in unchecked_downloads(&commands) {
            findings.push(
                Finding::new(&HD005)
                    .message(format!("history step {step}: {message}"))
                    .fix(
                        "download to a file, check it against a pinned checksum or signature \
                         (`sha256sum -c`, `gpg --verify`), then run the file",
                    ),
            );
        }
    }
}
