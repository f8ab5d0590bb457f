use tallyman_sdk::model::{
    Applicability, Connector, Edit, ImageSource, Instruction, SimpleCommand, Stage,
};
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
    /// A pipe into a group (`curl … | (gpg --dearmor … || echo failed)`,
    /// `curl … | { tar -x; }`) is a pipe too: an `||` inside the group
    /// handles the group's own failure, not the download's; only an `||`
    /// after the group handles the pipe. A group holding a `case` is not
    /// judged (its patterns end in `)`, which hides where the group ends).
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
    /// The finding points at the line where the pipe starts.
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
    ///
    /// `tallyman fix --unsafe-fixes` inserts that `SHELL` line before the
    /// first such `RUN` of a stage built on an image known to have bash
    /// (Debian, Ubuntu and the official language images but their Alpine
    /// variants), or starts the script with `set -o pipefail &&` where a
    /// `SHELL` already names bash, zsh, ksh or ash. Unsafe: a pipe that
    /// used to pass may now fail the build, which is the point.
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
        // One `SHELL` line covers every later `RUN` of the stage.
        let mut shell_offered = false;
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
            let script = run.command.args.first().map_or("", String::as_str);
            let Some((pipe, first)) = unguarded_pipe(commands, script) else {
                continue;
            };
            let shell_name = shell
                .and_then(|words| words.first())
                .map_or("/bin/sh", String::as_str);
            let edit = match shell {
                Some(words) => set_pipefail_edit(instruction, words, commands, script),
                None if !shell_offered && has_bash(dockerfile, stage) => {
                    shell_offered = true;
                    Edit::insert_before_line(instruction.line(), PIPEFAIL_SHELL_LINE)
                }
                None => None,
            };
            findings.push(
                Finding::at_command(&HD019, (stage, instruction), first)
                    .message(format!(
                        "`{pipe}` runs in `{shell_name}` without `pipefail`: a failure before \
                         the last `|` goes unnoticed"
                    ))
                    .fix(
                        "put `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this \
                          `RUN`, or start the script with `set -o pipefail &&`",
                    )
                    .fix_edits(Applicability::Unsafe, [edit]),
            );
        }
    }
}

/// What the fix inserts before the first such `RUN` of a stage with no
/// `SHELL`.
const PIPEFAIL_SHELL_LINE: &str = "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n";

/// Shells whose `set -o pipefail` works.
const PIPEFAIL_SHELLS: &[&str] = &["bash", "zsh", "ksh", "mksh", "ash"];

/// Base images that ship `/bin/bash` (their Alpine variants do not).
const BASH_BASES: &[&str] = &[
    "debian",
    "ubuntu",
    "python",
    "node",
    "golang",
    "ruby",
    "rust",
    "php",
    "openjdk",
    "eclipse-temurin",
    "maven",
    "gradle",
    "buildpack-deps",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
];

/// The stage's base is an image known to have bash.
fn has_bash(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    let ImageSource::Image(name) = &dockerfile.root_base(stage).source else {
        return false;
    };
    let base = name.repository.rsplit('/').next().unwrap_or_default();
    let alpine = name
        .tag
        .as_deref()
        .is_some_and(|tag| tag.contains("alpine"));
    name.repository.starts_with("library/") && BASH_BASES.contains(&base) && !alpine
}

/// `set -o pipefail && ` before the script, where `SHELL` is a shell that
/// has the option and the script starts on the `RUN`'s first line.
fn set_pipefail_edit(
    instruction: &Instruction,
    shell: &[String],
    commands: &[SimpleCommand],
    script: &str,
) -> Option<Edit> {
    let name = shell.first()?.rsplit('/').next()?;
    if !PIPEFAIL_SHELLS.contains(&name) {
        return None;
    }
    let first = commands
        .first()
        .filter(|first| first.line == instruction.line() && is_top_level(first))?;
    let start = script.find(first.text.trim())?;
    // Only at the very start: before a `(` the option would not reach past it.
    if !script.get(..start)?.trim().is_empty() {
        return None;
    }
    let at = instruction.offset_of_suffix(script)? + start;
    Edit::at(instruction.first_line_span(at..at), "set -o pipefail && ")
}

/// `-o pipefail` among a shell's words (`-o pipefail`, `-eo pipefail`,
/// `-opipefail`).
fn sets_pipefail(words: &[String]) -> bool {
    words.windows(2).any(|pair| {
        matches!(pair, [option, name] if name == "pipefail"
            && option.starts_with('-') && !option.starts_with("--") && option.ends_with('o'))
    }) || words.iter().any(|word| word == "-opipefail")
}

/// The first pipe whose failure this script loses, as text (`a | b`), and
/// its first command.
fn unguarded_pipe<'a>(
    commands: &'a [SimpleCommand],
    script: &str,
) -> Option<(String, &'a SimpleCommand)> {
    let places = locate(commands, script);
    let mut pipefail = false;
    for (index, command) in commands.iter().enumerate() {
        if !is_top_level(command) {
            continue;
        }
        if command.name == "set" {
            pipefail = pipefail_after(pipefail, &command.args);
            continue;
        }
        if pipefail || command.in_condition || command.negated {
            continue;
        }
        if command.pipe_position == 0 {
            if let Some(pipe) = into_group(commands, &places, index, script) {
                return Some((pipe, command));
            }
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
        let pipe: Vec<&str> = commands
            .iter()
            .filter(|other| other.pipeline == command.pipeline)
            .map(|other| other.text.trim())
            .collect();
        // The pipe is where its first command is.
        let first = producers.first().copied().unwrap_or(command);
        return Some((pipe.join(" | "), first));
    }
    None
}

/// Where each top-level command's text lies in the script (byte range),
/// found in order; `None` for nested and substituted commands, whose text
/// is not a slice of this script, and for a text not found.
fn locate(commands: &[SimpleCommand], script: &str) -> Vec<Option<(usize, usize)>> {
    let mut cursor = 0;
    commands
        .iter()
        .map(|command| {
            let text = command.text.trim();
            if !is_top_level(command) || text.is_empty() {
                return None;
            }
            let start = cursor + script.get(cursor..)?.find(text)?;
            cursor = start + text.len();
            Some((start, cursor))
        })
        .collect()
}

/// `producer | ( … )` or `producer | { …; }`: the split lists the commands
/// of a group as pipelines of their own, so the producer looks alone. Its
/// text followed by a single `|` then a bracket says otherwise. An `||`
/// inside the group handles the group's own failure, not the producer's;
/// one after the group handles the whole pipe.
fn into_group(
    commands: &[SimpleCommand],
    places: &[Option<(usize, usize)>],
    index: usize,
    script: &str,
) -> Option<String> {
    let producer = commands.get(index)?;
    let alone = commands
        .iter()
        .filter(|other| other.pipeline == producer.pipeline)
        .count()
        == 1;
    if !alone || program(producer).is_any(HARMLESS_PRODUCERS) {
        return None;
    }
    let (_, end) = (*places.get(index)?)?;
    let after = script.get(end..)?;
    let pipe = after.trim_start().strip_prefix('|')?;
    if pipe.starts_with('|') {
        return None;
    }
    let group = pipe.strip_prefix('&').unwrap_or(pipe).trim_start();
    if !group.starts_with(['(', '{']) {
        return None;
    }
    let open = script.len() - group.len();
    // A `case` pattern's `)` closes no bracket: the group's end is then
    // unknown, and so is whether an `||` follows it.
    if group.contains("esac") {
        return None;
    }
    let close = group_end(places, script, open)?;
    // The first command after the group, at the top level.
    let next = commands
        .iter()
        .zip(places)
        .find(|(_, place)| place.is_some_and(|(start, _)| start > close))
        .map(|(command, _)| command);
    if next.is_some_and(|next| next.connector == Connector::Or) {
        return None;
    }
    Some(format!(
        "{} | {}",
        producer.text.trim(),
        script.get(open..=close)?.trim()
    ))
}

/// The byte offset of the bracket closing the group opened at `open`,
/// counting brackets only between commands (a command's words may hold
/// any character).
fn group_end(places: &[Option<(usize, usize)>], script: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    while at < script.len() {
        if let Some((_, end)) = places
            .iter()
            .flatten()
            .find(|(start, end)| *start == at && *end > at)
        {
            at = *end;
            continue;
        }
        let byte = *script.as_bytes().get(at)?;
        match byte {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
        at += 1;
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
