use tallyman_sdk::model::SimpleCommand;
use tallyman_sdk::shell::Command;
use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::commands::{SHELLS, is_download, is_python, program, quoted};
use crate::fetched::{unchecked_runs, unchecked_runs_in_history};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags scripts that run code straight from the network:
    /// - a download piped into an interpreter that reads its program from
    ///   stdin: `curl … | sh`, `wget -O- … | sudo bash -s --`,
    ///   `curl … | python3 -`, `curl … | bash /dev/stdin --prefix …`,
    ///   `curl … | php -- --install-dir=…` (Composer's installer);
    /// - an interpreter given a download as its script: `sh -c "$(curl …)"`,
    ///   `bash <(curl …)`, `eval "$(wget -qO- …)"`, `. <(curl …)`;
    /// - a file fetched (`curl -o f`, `curl -O`, `wget -O f`, `wget URL`,
    ///   `ADD <url> f` without `--checksum`) and then run (`sh f`, `bash f`,
    ///   `python3 get-pip.py`, `./f`, `/tmp/f`, `. f`) with no checksum or
    ///   signature check in between. The file is followed across `&&`, `;`
    ///   and the `RUN`s of a stage and the stages it is built on; a script
    ///   named without a directory (`sh install.sh` after `cd /tmp`)
    ///   matches the file fetched under that name. Any check between the fetch and the run counts, whatever
    ///   file it names (`sha256sum -c`, `echo "<sum>  f" | sha256sum -c`,
    ///   `shasum -a 256 -c`, a digest compared in a test, `gpg --verify`,
    ///   `gpgv`, `cosign`, `minisign`, `openssl dgst`): which file a
    ///   checksum list covers is often out of sight. A file only checked
    ///   for syntax (`sh -n f`, `php -l f`) does not run. A program run by
    ///   its bare name (`tool --version` after `curl -o
    ///   /usr/local/bin/tool …`) is not matched: which file `PATH` resolves
    ///   it to is not known.
    ///
    /// A pipe into an interpreter that runs something else (`curl … | sh -c
    /// 'tar -x'`, `curl … | python3 script.py`) reads the download as data
    /// and is not flagged.
    ///
    /// The finding points at the line of the command it is about (where the
    /// pipe starts, or the command that runs the fetched file), even deep in
    /// a long `RUN`.
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

const FIX: &str = "download to a file, check it against a pinned checksum or signature \
                   (`sha256sum -c`, `gpg --verify`, `ADD --checksum=`), then run the file";

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        let mut fetched_and_run = unchecked_runs(dockerfile, stage).into_iter().peekable();
        for (index, instruction) in stage.instructions.iter().enumerate() {
            let piped = unchecked_downloads(instruction.run_commands())
                .into_iter()
                .map(|(message, command)| (message, command.line));
            let from_files = std::iter::from_fn(|| {
                fetched_and_run
                    .next_if(|run| run.instruction == index)
                    .map(|run| (run.message, run.line))
            });
            for (message, line) in piped.chain(from_files) {
                // At the line of the command that runs the code, in a long `RUN`.
                let at = Finding::at(&HD005, (stage, instruction));
                let inside = at
                    .span
                    .is_some_and(|span| (span.start_line..=span.end_line).contains(&line));
                let at = if inside { at.lines(line, line) } else { at };
                findings.push(at.message(message).fix(FIX));
            }
        }
    }
}

/// What, among one `RUN`'s commands, runs downloaded code unchecked: one
/// message per hit, with the command it is about (the download of a pipe,
/// where the pipe starts). Shared with the image check, over history
/// commands.
pub fn unchecked_downloads(commands: &[SimpleCommand]) -> Vec<(String, &SimpleCommand)> {
    commands
        .iter()
        .filter_map(|command| {
            if let Some(source) = piped_download(commands, command) {
                return Some((
                    format!(
                        "{} is piped into {}: the downloaded code runs unchecked",
                        quoted(source),
                        quoted(command)
                    ),
                    source,
                ));
            }
            runs_substituted_download(command).then(|| {
                (
                    format!("{} runs a downloaded script unchecked", quoted(command)),
                    command,
                )
            })
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

/// Script operands that name the interpreter's own stdin.
const STDIN_PATHS: &[&str] = &["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"];

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
    } else if command.is("php") {
        // `php -r code`: the program is inline; `-c`/`-d` take a value.
        (&['r'], &["-c", "-d", "-z"])
    } else if command.is("node") {
        (&['e', 'p'], &["-r", "--require"])
    } else {
        return false;
    };
    let mut args = command.args().iter();
    while let Some(arg) = args.next() {
        if arg == "-" {
            return true;
        }
        if arg == "--" {
            // php's `--` ends its own options: what follows is for the
            // script it reads (Composer's installer: `php -- --install-dir=…`).
            return command.is("php") || args.next().is_none_or(|next| next == "-");
        }
        if STDIN_PATHS.contains(&arg.as_str()) {
            return true;
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

/// A download piped into a shell, or fetched and then run, in the `RUN`s
/// recorded in the image's history.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    let steps = crate::history::run_steps(image);
    let piped = steps.iter().flat_map(|(step, commands)| {
        unchecked_downloads(commands)
            .into_iter()
            .map(move |(message, _)| (*step, message))
    });
    let mut found: Vec<(usize, String)> = piped.collect();
    found.extend(unchecked_runs_in_history(&steps));
    // In step order, as the history reads.
    found.sort_by_key(|(step, _)| *step);
    for (step, message) in found {
        findings.push(
            Finding::new(&HD005)
                .message(format!("history step {step}: {message}"))
                .fix(FIX),
        );
    }
}
