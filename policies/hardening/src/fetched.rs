//! Files a build downloads and later runs: `curl -o`, `wget -O` and
//! `ADD <url>` fetch a file; `sh file`, `python3 file`, `./file` run it; a
//! checksum or signature check in between vouches for what was fetched.
//! Followed in order across the commands of a `RUN` and across the `RUN`s
//! of a stage and the stages it is built on.

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};
use tallyman_sdk::shell::Command;

use crate::commands::{SHELLS, is_python, program, quoted};
use crate::sources::{Source, classify};

/// A file fetched from the network and not verified since.
#[derive(Debug, Clone)]
struct Fetch {
    path: String,
    /// How the file was fetched, for the message (`curl -fsSLo x URL`).
    how: String,
}

/// A fetched file run with no check of it in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedRun {
    /// The stage and the index of the instruction that runs the file.
    pub stage: u32,
    pub instruction: usize,
    pub message: String,
    /// The line of the command that runs the file (0 for none known).
    pub line: u32,
}

/// Every fetched file a stage's own instructions run unchecked. What the
/// stages it is built on fetched (and did not check) counts too; what they
/// ran is theirs to report.
pub fn unchecked_runs(dockerfile: &Dockerfile, stage: &Stage) -> Vec<UncheckedRun> {
    let mut chain = dockerfile.ancestry(stage);
    chain.reverse();
    let mut pending: Vec<Fetch> = Vec::new();
    let mut found = Vec::new();
    for ancestor in chain {
        for (index, instruction) in ancestor.instructions.iter().enumerate() {
            let runs = follow(instruction, &mut pending);
            if ancestor.index == stage.index {
                found.extend(runs.into_iter().map(|(message, line)| UncheckedRun {
                    stage: stage.index,
                    instruction: index,
                    message,
                    line,
                }));
            }
        }
    }
    found
}

/// Updates what is fetched and unchecked after `instruction`; returns a
/// message for each unchecked file it runs.
fn follow(instruction: &Instruction, pending: &mut Vec<Fetch>) -> Vec<(String, u32)> {
    if let Some(add) = instruction.as_add() {
        if add.checksum.is_none() {
            for source in &add.sources {
                if classify(source) == Source::Url {
                    let path = added_path(source, &add.destination, add.sources.len() > 1);
                    remember(
                        pending,
                        Fetch {
                            path,
                            how: format!("`ADD {source}`"),
                        },
                    );
                }
            }
        }
        return Vec::new();
    }
    follow_commands(instruction.run_commands(), pending)
}

/// [`follow`] over the commands of one `RUN`: each message with the line
/// of the command that runs the file.
fn follow_commands(commands: &[SimpleCommand], pending: &mut Vec<Fetch>) -> Vec<(String, u32)> {
    let mut messages = Vec::new();
    for command in commands {
        if verifies(command) {
            // Which file a check covers is often out of sight (`sha256sum
            // -c SHA256SUMS`, `echo "$SUM  f" | sha256sum -c`): any check
            // vouches for everything fetched before it.
            pending.clear();
            continue;
        }
        if let Some(script) = run_file(command)
            && let Some(at) = pending
                .iter()
                .position(|fetch| same_file(&fetch.path, script))
        {
            let fetch = pending.remove(at);
            messages.push((
                format!(
                    "{} fetches `{}` and {} runs it with no checksum or signature check in between",
                    fetch.how,
                    fetch.path,
                    quoted(command)
                ),
                command.line,
            ));
            continue;
        }
        if let Some(path) = fetched_file(command) {
            remember(
                pending,
                Fetch {
                    path,
                    how: quoted(command),
                },
            );
        }
    }
    messages
}

/// Every fetched file the `RUN` steps of an image's history run unchecked,
/// with the step that runs it (the steps of one image are one chain).
pub fn unchecked_runs_in_history(steps: &[(usize, Vec<SimpleCommand>)]) -> Vec<(usize, String)> {
    let mut pending = Vec::new();
    steps
        .iter()
        .flat_map(|(step, commands)| {
            follow_commands(commands, &mut pending)
                .into_iter()
                .map(|(message, _)| (*step, message))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A new fetch of a path replaces the old one.
fn remember(pending: &mut Vec<Fetch>, fetch: Fetch) {
    pending.retain(|old| old.path != fetch.path);
    pending.push(fetch);
}

/// Where `ADD <url> <destination>` puts the file: the destination, or the
/// URL's file name inside it when it is a directory.
fn added_path(url: &str, destination: &str, several: bool) -> String {
    if destination.ends_with('/') || several {
        format!(
            "{}/{}",
            destination.trim_end_matches('/'),
            url_file_name(url)
        )
    } else {
        destination.to_string()
    }
}

/// The last path segment of a URL, without query or fragment.
fn url_file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

/// The file a download command writes: `curl -o f`, `curl -O URL`,
/// `wget -O f`, `wget URL` (both by the URL's name, in `--output-dir`/`-P`).
fn fetched_file(command: &SimpleCommand) -> Option<String> {
    let run = program(command);
    let url = || {
        run.operands()
            .into_iter()
            .find(|operand| operand.contains("://"))
    };
    let in_dir = |dir: Option<&str>, name: &str| match dir {
        Some(dir) => format!("{}/{name}", dir.trim_end_matches('/')),
        None => name.to_string(),
    };
    let path = match run.program() {
        "curl" => match run.flag_value(&["-o", "--output"]) {
            Some(output) => output.to_string(),
            None if run.has_flag(&["-O", "--remote-name"]) => {
                in_dir(run.flag_value(&["--output-dir"]), url_file_name(url()?))
            }
            None => return None,
        },
        "wget" => match run.flag_value(&["-O", "--output-document"]) {
            Some(output) => output.to_string(),
            None => in_dir(
                run.flag_value(&["-P", "--directory-prefix"]),
                url_file_name(url()?),
            ),
        },
        _ => return None,
    };
    let written = !path.is_empty() && path != "-" && !path.starts_with("/dev/");
    written.then_some(path)
}

/// Checksum tools: they verify when checking (`-c`) or when their output is
/// compared (piped, substituted, tested).
const CHECKSUM_TOOLS: &[&str] = &[
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "md5sum",
    "b2sum",
    "shasum",
    "cksum",
    "rhash",
];

/// A checksum or signature check: `sha256sum -c`, `echo "$SUM  f" |
/// sha256sum -c -`, `[ "$(sha256sum f)" = ... ]`, `gpg --verify`, `gpgv`,
/// `cosign verify-blob`, `minisign -V`, `openssl dgst`/`openssl sha512`, a
/// PHP, Perl, Node.js or Python one-liner hashing the file.
fn verifies(command: &SimpleCommand) -> bool {
    let run = program(command);
    if run.is_any(CHECKSUM_TOOLS) {
        return run.has_flag(&["-c", "--check"])
            || command.in_substitution
            || command.in_condition
            || command.pipe_position > 0;
    }
    match run.program() {
        "gpg" | "gpg2" => run.has_flag(&["--verify", "--verify-files"]),
        "gpgv" | "gpgv2" | "cosign" | "minisign" | "signify" | "signify-openbsd" => true,
        // `openssl dgst -sha256 -verify key.pem -signature f.sig f`, or a
        // digest compared: `[ "$(openssl sha512 -r < f)" = "$SUM" ]`.
        "openssl" => run
            .subcommand()
            .is_some_and(|sub| sub == "dgst" || sub.starts_with("sha") || sub == "md5"),
        "php" | "perl" | "ruby" | "node" => run.args().iter().any(|arg| {
            arg.contains("hash_file(") || arg.contains("Digest::") || arg.contains("createHash(")
        }),
        name if is_python(name) => run.args().iter().any(|arg| arg.contains("hashlib")),
        _ => false,
    }
}

/// The file a command runs as a program: `./x`, `/tmp/x.sh`, `sh x.sh`,
/// `bash -e x.sh args`, `python3 get-pip.py`, `. ./env.sh`.
fn run_file(command: &SimpleCommand) -> Option<&str> {
    let inner = command.command();
    // The program's word as written, directory included: the word just
    // before its arguments (after wrappers such as `sudo`).
    let at = command.args.len().saturating_sub(inner.args().len());
    let written = match at.checked_sub(1) {
        Some(index) => command.args.get(index)?,
        None => &command.name,
    };
    if written.contains('/') {
        return Some(written);
    }
    let run = program(command);
    let name = run.program();
    if matches!(name, "." | "source") {
        return run.args().first().map(String::as_str);
    }
    let shell = run.is_any(SHELLS) && name != "busybox";
    if !(shell || is_python(name) || run.is_any(&["perl", "ruby", "node", "php"])) {
        return None;
    }
    script_operand(&run, shell)
}

/// The script an interpreter runs from a file: its first operand, unless
/// an option gives it the program inline (`-c`, `-e`, `-r`), as a module
/// (`-m`) or on stdin (`-s`), or only checks its syntax (`sh -n`, `php -l`,
/// `node --check`, `perl -c`, `ruby -c`).
fn script_operand<'a>(run: &Command<'a>, shell: bool) -> Option<&'a str> {
    // Letters that mean no script file runs, and options taking a value.
    let (no_file, value_flags): (&[char], &[&str]) = if shell {
        (&['c', 's', 'n'], &["-o", "-O", "+o", "+O"])
    } else if run.is("php") {
        (&['r', 'l'], &["-c", "-d", "-z"])
    } else if run.is("perl") {
        (&['e', 'E', 'c'], &["-I", "-M", "-m"])
    } else if run.is("ruby") {
        (&['e', 'c'], &["-I", "-r"])
    } else if run.is("node") {
        (&['e', 'p', 'c'], &["-r", "--require", "--import"])
    } else {
        (&['c', 'm'], &["-W", "-X"])
    };
    if run.has_flag(&["--check", "--syntax-check", "--eval", "--print"]) {
        return None;
    }
    let mut args = run.args().iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            return args.next().map(String::as_str);
        }
        if run.is("php") && arg == "-f" {
            return args.next().map(String::as_str);
        }
        if value_flags.contains(&arg.as_str()) {
            args.next();
            continue;
        }
        match arg
            .strip_prefix('-')
            .or_else(|| arg.strip_prefix('+').filter(|_| shell))
        {
            Some(letters) if !arg.starts_with("--") => {
                if letters.chars().any(|letter| no_file.contains(&letter)) {
                    return None;
                }
                if shell && letters.ends_with(['o', 'O']) {
                    args.next();
                }
            }
            Some(_) => {}
            None => return Some(arg),
        }
    }
    None
}

/// Two names of one file: equal once `./` is dropped, or a bare name run
/// from the directory the file was fetched into (`curl -o /tmp/i.sh …;
/// cd /tmp; sh i.sh`).
fn same_file(fetched: &str, run: &str) -> bool {
    let fetched = fetched.trim_start_matches("./");
    let run = run.trim_start_matches("./");
    if fetched == run {
        return true;
    }
    let bare = |path: &str| !path.contains('/');
    let name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    (bare(fetched) || bare(run)) && !name(run).is_empty() && name(fetched) == name(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_one_file() {
        assert!(same_file("/tmp/install.sh", "/tmp/install.sh"));
        assert!(same_file("x", "./x"));
        assert!(same_file("./get-pip.py", "get-pip.py"));
        assert!(same_file("/tmp/install.sh", "install.sh"));
        assert!(!same_file("/tmp/install.sh", "/opt/install.sh"));
        assert!(!same_file("/tmp/a.sh", "b.sh"));
    }

    #[test]
    fn added_paths() {
        assert_eq!(
            added_path("https://x/y/install.sh?raw=1", "/tmp/", false),
            "/tmp/install.sh"
        );
        assert_eq!(
            added_path("https://x/y/install.sh", "/i.sh", false),
            "/i.sh"
        );
    }
}
