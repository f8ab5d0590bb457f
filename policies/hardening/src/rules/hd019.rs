use tallyman_sdk::model::{Connector, SimpleCommand};
use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{is_top_level, program};
use crate::scope::{is_windows, shell_before};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a shell-form `RUN` with a pipe (`a | b`) whose shell does not
    /// have `pipefail` set, so that a failure on the left of the pipe is
    /// ignored. `pipefail` counts as set when:
    /// - the `SHELL` in effect sets it (`SHELL ["/bin/bash", "-o",
    ///   "pipefail", "-c"]`, `"-eo", "pipefail"`), in this stage or a stage
    ///   it is built on; or
    /// - a `set -o pipefail` (or `set -eo pipefail`, `set -euxo pipefail`)
    ///   comes before the pipe in the same `RUN`, not undone by
    ///   `set +o pipefail`.
    ///
    /// Pipes whose failure cannot be lost or is handled are not flagged:
    /// - pipes inside a nested script (`sh -c 'a | b'`, `bash <<EOF`): they
    ///   run in a shell the `SHELL` instruction does not configure and the
    ///   fix belongs inside that script, which the author wrote on purpose;
    ///   tallyman does not judge them;
    /// - pipes inside a command substitution (`v=$(a | b)`), in the test
    ///   of an `if`/`while`, negated (`! a | b`) or followed by `|| …`,
    ///   where the pipe's status is tested on purpose;
    /// - pipes fed only by `echo`, `printf`, `yes` or `true`, which cannot
    ///   fail in a way that matters (`yes | cmd` would even fail *with*
    ///   `pipefail`, when `yes` is killed by `SIGPIPE`);
    /// - exec-form `RUN` (no shell), and Windows images and `SHELL`s
    ///   (`cmd`, PowerShell) that have no such option.
    ///
    /// ## Why is this bad?
    /// A pipeline's status is the status of its last command. In
    /// `RUN curl -fsSL $URL | tar -xz`, a failed download gives `tar` empty
    /// input, `tar` may succeed on it, and the build goes on with missing
    /// files, failing much later or not at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// ```
    /// or, in an image with no bash (ash and recent dash have `pipefail`):
    /// `RUN set -o pipefail && curl … | tar …`.
    pub const HD019 = {
        id: "HD019",
        title: "Pipe in RUN without pipefail",
        severity: Low,
        tags: ["reliability"],
        equivalents: ["hadolint:DL4006"],
    };
}

/// Producers whose failure carries no information.
const HARMLESS_PRODUCERS: &[&str] = &["echo", "printf", "yes", "true"];
/// Shells with no `pipefail` option.
const OTHER_SHELLS: &[&str] = &[
    "cmd",
    "cmd.exe",
    "powershell",
    "powershell.exe",
    "pwsh",
    "pwsh.exe",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        if is_windows(dockerfile, stage) {
            continue;
        }
        for (instruction, run) in stage.runs() {
            if run.command.exec_form {
                continue;
            }
            let shell = shell_before(dockerfile, stage, instruction.line());
            if let Some(words) = shell {
                let name = words
                    .first()
                    .map(|w| w.rsplit(['/', '\\']).next().unwrap_or(w));
                if name
                    .is_some_and(|name| OTHER_SHELLS.contains(&name.to_ascii_lowercase().as_str()))
                    || sets_pipefail(words)
                {
                    continue;
                }
            }
            let commands = run.command.commands.as_slice();
            let Some(consumer) = unguarded_pipe(commands) else {
                continue;
            };
            let pipe: Vec<&str> = commands
                .iter()
                .filter(|command| command.pipeline == consumer.pipeline)
                .map(|command| command.text.trim())
                .collect();
            let shell_name = shell
                .and_then(|words| words.first())
                .map_or("/bin/sh", String::as_str);
            findings.push(
                Finding::at(&HD019, (stage, instruction))
                    .message(format!(
                        "`{}` runs in `{shell_name}` without `pipefail`: a failure before the \
                         last `|` goes unnoticed",
                        pipe.join(" | ")
                    ))
                    .fix(
                        "put `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this \
                          `RUN`, or start the script with `set -o pipefail &&`",
                    ),
            );
        }
    }
}

/// `-o pipefail` among a shell's words (`-o pipefail`, `-eo pipefail`,
/// `-opipefail`).
fn sets_pipefail(words: &[String]) -> bool {
    words.windows(2).any(|pair| {
        matches!(pair, [option, name] if name == "pipefail"
            && option.starts_with('-') && !option.starts_with("--") && option.ends_with('o'))
    }) || words.iter().any(|word| word == "-opipefail")
}

/// The last command of the first pipe whose failure this script loses.
fn unguarded_pipe(commands: &[SimpleCommand]) -> Option<&SimpleCommand> {
    let mut pipefail = false;
    for (index, command) in commands.iter().enumerate() {
        if !is_top_level(command) {
            continue;
        }
        if command.name == "set" {
            pipefail = pipefail_after(pipefail, &command.args);
            continue;
        }
        if pipefail || command.pipe_position == 0 || command.in_condition || command.negated {
            continue;
        }
        let is_last = !commands
            .get(index + 1..)
            .unwrap_or_default()
            .iter()
            .any(|later| {
                later.pipeline == command.pipeline && later.pipe_position > command.pipe_position
            });
        if !is_last {
            continue;
        }
        let producers: Vec<&SimpleCommand> = commands
            .iter()
            .filter(|other| {
                other.pipeline == command.pipeline && other.pipe_position < command.pipe_position
            })
            .collect();
        // A compound producer (`{ …; } | sh`) lists no command of its own.
        let harmless = !producers.is_empty()
            && producers.len() == usize::try_from(command.pipe_position).unwrap_or(usize::MAX)
            && producers
                .iter()
                .all(|producer| program(producer).is_any(HARMLESS_PRODUCERS));
        if harmless || handled_by_or(commands, index, command) {
            continue;
        }
        return Some(command);
    }
    None
}

/// `set -o pipefail`, `set -euxo pipefail`, `set +o pipefail`.
fn pipefail_after(current: bool, args: &[String]) -> bool {
    let mut state = current;
    for pair in args.windows(2) {
        if let [option, name] = pair
            && name == "pipefail"
            && option.len() > 1
            && option.ends_with('o')
        {
            state = option.starts_with('-');
        }
    }
    state
}

/// The next pipeline at the same level comes after `||`: the pipe's
/// failure is handled.
fn handled_by_or(commands: &[SimpleCommand], index: usize, command: &SimpleCommand) -> bool {
    commands
        .get(index + 1..)
        .unwrap_or_default()
        .iter()
        .find(|later| is_top_level(later) && later.pipeline != command.pipeline)
        .is_some_and(|next| next.connector == Connector::Or)
}
