//! Matching commands in `RUN` scripts: program names, subcommands, flags
//! (combined short flags such as `-yq`, `--flag=value`) and operands.
//!
//! ```
//! # use tallyman_sdk::model::SimpleCommand;
//! # let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
//! # let command = SimpleCommand {
//! #     name: "sudo".into(), args: words("-E apt-get -yq install --no-install-recommends curl git=1:2.39"),
//! #     assignments: vec![], text: String::new(), line: 1, arg_lines: vec![],
//! #     pipeline: 0, pipe_position: 0,
//! #     in_substitution: false, shell_depth: 0, negated: false, in_condition: false,
//! #     connector: tallyman_sdk::model::Connector::Start,
//! # };
//! // sudo -E apt-get -yq install --no-install-recommends curl git=1:2.39
//! assert!(command.is("apt-get") && command.has_subcommand("install"));
//! assert!(command.has_flag(&["-y", "--yes", "--assume-yes"]));
//! assert!(command.has_flag(&["--no-install-recommends"]));
//! assert_eq!(command.command().operands_after("install"), ["curl", "git=1:2.39"]);
//! assert!(command.is("sudo"));
//! ```

use crate::model::SimpleCommand;

/// A command as a program and its arguments, seen through wrappers such as
/// `sudo` and `env`, with per-program knowledge of which flags take a value.
#[derive(Debug, Clone, Copy)]
pub struct Command<'a> {
    program: &'a str,
    args: &'a [String],
    /// Declared with [`Command::value_flags`]; otherwise looked up by
    /// program when first needed (most queries only compare the name).
    value_flags: Option<&'a [&'a str]>,
}

impl SimpleCommand {
    /// The command that actually runs: wrappers (`sudo`, `env`, `nice`,
    /// `nohup`, `time`, `exec`, `command`, `timeout`, `stdbuf`, `gosu`,
    /// `su-exec`, `xargs`) and their own flags skipped, with the value flags
    /// of well-known programs (see [`Command::value_flags`]).
    pub fn command(&self) -> Command<'_> {
        Command::new(&self.name, &self.args).unwrapped()
    }

    /// The command as written, wrappers included.
    pub fn literal(&self) -> Command<'_> {
        Command::new(&self.name, &self.args)
    }

    /// The command runs `program`: its name is `program` (compared without a
    /// directory: `/usr/bin/apt-get` is `apt-get`), or it runs `program`
    /// through wrappers (`sudo apt-get` is both `sudo` and `apt-get`).
    pub fn is(&self, program: &str) -> bool {
        self.is_any(&[program])
    }

    /// [`is`](SimpleCommand::is) one of `programs`.
    pub fn is_any(&self, programs: &[&str]) -> bool {
        // Unwrapping looks at every argument: once, not once per program.
        self.literal().is_any(programs) || self.command().is_any(programs)
    }

    /// The first operand of the command that runs is `subcommand`
    /// (`apt-get -y install`: `install`).
    pub fn has_subcommand(&self, subcommand: &str) -> bool {
        self.command().has_subcommand(subcommand)
    }

    /// The command that runs has one of `flags` (see [`Command::has_flag`]).
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.command().has_flag(flags)
    }

    /// The value of the first of `flags` the command that runs has.
    pub fn flag_value(&self, flags: &[&str]) -> Option<&str> {
        self.command().flag_value(flags)
    }

    /// The line of the file argument `index` starts on: a flag on a
    /// continuation line of a long `RUN` is on that line. The command's own
    /// line where the argument's is not known (a command of an image's
    /// history, or a model from an older host).
    pub fn arg_line(&self, index: usize) -> u32 {
        match self.arg_lines.get(index) {
            Some(&line) if line > 0 => line,
            _ => self.line,
        }
    }

    /// The line of the argument `word` comes from. `word` is a piece of one
    /// of this command's arguments as the queries of [`Command`] return it
    /// (an operand, a flag's value, [`Command::flag_word`]), which is found
    /// by where it points; any other string is looked for as a whole
    /// argument. The command's line when neither finds it.
    pub fn line_of_word(&self, word: &str) -> u32 {
        let address = word.as_ptr() as usize;
        let borrowed = self.args.iter().position(|arg| {
            let start = arg.as_ptr() as usize;
            start <= address && address + word.len() <= start + arg.len()
        });
        match borrowed.or_else(|| self.args.iter().position(|arg| arg == word)) {
            Some(index) => self.arg_line(index),
            None => self.line,
        }
    }

    /// The prefix assignment `NAME=value` (`CGO_ENABLED=0 go build`).
    pub fn assignment(&self, name: &str) -> Option<&str> {
        self.assignments
            .iter()
            .find(|assignment| assignment.key == name)
            .map(|assignment| assignment.value.as_str())
    }
}

/// One argument as the flag parser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word<'a> {
    /// `--name`, `--name=value`, `-name` (a single-dash long flag), with
    /// the value when attached or taken from the next argument.
    Long(&'a str, Option<&'a str>),
    /// One letter of a short group (`-yq` is `y` then `q`), with the value
    /// of a value-taking letter.
    Short(char, Option<&'a str>),
    Operand(&'a str),
}

impl<'a> Command<'a> {
    /// A command from its name and arguments, with the value flags of
    /// well-known programs.
    pub fn new(name: &'a str, args: &'a [String]) -> Command<'a> {
        let program = basename(name);
        Command {
            program,
            args,
            value_flags: None,
        }
    }

    /// The program name without its directory.
    pub fn program(&self) -> &'a str {
        self.program
    }

    pub fn args(&self) -> &'a [String] {
        self.args
    }

    /// Declares which flags take a value in the next argument when not
    /// attached (`-o file`, `--target dir`), replacing the built-in
    /// knowledge. Needed for [`operands`](Command::operands) to be right:
    /// without it, a flag's value counts as an operand.
    #[must_use]
    pub fn value_flags(mut self, flags: &'a [&'a str]) -> Command<'a> {
        self.value_flags = Some(flags);
        self
    }

    pub fn is(&self, program: &str) -> bool {
        self.program == program
    }

    pub fn is_any(&self, programs: &[&str]) -> bool {
        programs.contains(&self.program)
    }

    /// The arguments that are not flags or flag values, in order
    /// (everything after `--` is an operand).
    pub fn operands(&self) -> Vec<&'a str> {
        self.words()
            .into_iter()
            .filter_map(|word| match word {
                Word::Operand(operand) => Some(operand),
                _ => None,
            })
            .collect()
    }

    /// The first operand: `install` in `apt-get -y install curl`.
    pub fn subcommand(&self) -> Option<&'a str> {
        self.words().into_iter().find_map(|word| match word {
            Word::Operand(operand) => Some(operand),
            _ => None,
        })
    }

    pub fn has_subcommand(&self, subcommand: &str) -> bool {
        self.subcommand() == Some(subcommand)
    }

    /// The operands after the subcommand when it is `subcommand`: the
    /// packages of `apt-get install -y curl git`. Empty when the subcommand
    /// is another.
    pub fn operands_after(&self, subcommand: &str) -> Vec<&'a str> {
        let operands = self.operands();
        match operands.split_first() {
            Some((first, rest)) if *first == subcommand => rest.to_vec(),
            _ => Vec::new(),
        }
    }

    /// Has one of `flags`, each written as it would be on a command line:
    ///
    /// - `-y`: a short flag, alone or in a group (`-yq`, `-qy`), and not
    ///   inside the value of an earlier value-taking letter of the group;
    /// - `--yes`: a long flag, bare or with `=value`;
    /// - `-ldflags`: a single-dash long flag (Go, `find`, Java), matched as
    ///   a whole word, bare or with `=value`.
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.flag_entries(flags).next().is_some()
    }

    /// The value of the first occurrence of one of `flags`: attached
    /// (`--name=value`, `-ovalue`) or, for value flags, the next argument.
    pub fn flag_value(&self, flags: &[&str]) -> Option<&'a str> {
        self.flag_entries(flags).find_map(|(_, value)| value)
    }

    /// The argument that holds the first occurrence of one of `flags`, as
    /// written (`-fsSLk` for `-k`, `--strict-ssl=false`): with
    /// [`SimpleCommand::line_of_word`], the line a finding about the flag
    /// points at.
    pub fn flag_word(&self, flags: &[&str]) -> Option<&'a str> {
        let (index, _) = self.flag_entries(flags).min_by_key(|(index, _)| *index)?;
        self.args.get(index).map(String::as_str)
    }

    /// Each occurrence of one of `flags`: the index of the argument holding
    /// it, and its value.
    fn flag_entries<'q>(
        &self,
        flags: &'q [&'q str],
    ) -> impl Iterator<Item = (usize, Option<&'a str>)> + 'q
    where
        'a: 'q,
    {
        let parsed = self
            .indexed_words()
            .into_iter()
            .filter_map(move |(index, word)| {
                flags
                    .iter()
                    .any(|flag| word_is_flag(word, flag))
                    .then_some(match word {
                        Word::Long(_, value) | Word::Short(_, value) => (index, value),
                        Word::Operand(_) => (index, None),
                    })
            });
        // Single-dash long flags that are not declared value flags were
        // parsed as short groups: find them as whole words.
        let undeclared: Vec<&'q str> = flags
            .iter()
            .copied()
            .filter(|flag| is_single_dash_long(flag) && !self.takes_value(flag))
            .collect();
        let raw = self
            .args
            .iter()
            .take_while(|arg| arg.as_str() != "--")
            .enumerate()
            .filter_map(move |(index, arg)| {
                undeclared.iter().find_map(|flag| {
                    if arg == flag {
                        Some((index, None))
                    } else {
                        arg.strip_prefix(flag)
                            .and_then(|rest| rest.strip_prefix('='))
                            .map(|value| (index, Some(value)))
                    }
                })
            });
        parsed.chain(raw)
    }

    /// The arguments parsed into flags and operands, getopt style: short
    /// groups, attached values, value flags taking the next argument, `--`.
    fn words(&self) -> Vec<Word<'a>> {
        self.indexed_words()
            .into_iter()
            .map(|(_, word)| word)
            .collect()
    }

    /// [`words`](Command::words), each with the index of the argument it
    /// starts in (a flag's detached value belongs to the flag's word).
    fn indexed_words(&self) -> Vec<(usize, Word<'a>)> {
        // Asked for every flag and letter: look the program's up once.
        let command = self.resolved();
        let mut words = Vec::new();
        let mut args = command.args.iter().enumerate();
        while let Some((index, arg)) = args.next() {
            let arg = arg.as_str();
            if arg == "--" {
                words.extend(
                    args.by_ref()
                        .map(|(i, rest)| (i, Word::Operand(rest.as_str()))),
                );
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (long, None),
                };
                let value = match value {
                    Some(value) => Some(value),
                    None if command.takes_value(arg) => next_value(&mut args),
                    None => None,
                };
                words.push((index, Word::Long(name, value)));
                continue;
            }
            let Some(group) = arg.strip_prefix('-').filter(|group| !group.is_empty()) else {
                words.push((index, Word::Operand(arg)));
                continue;
            };
            let name = group.split('=').next().unwrap_or(group);
            if name.chars().count() > 1 && command.takes_value_dashed(name) {
                // A declared single-dash long flag (`-ldflags`).
                let value = match group.split_once('=') {
                    Some((_, value)) => Some(value),
                    None => next_value(&mut args),
                };
                words.push((index, Word::Long(name, value)));
                continue;
            }
            for (at, letter) in group.char_indices() {
                let mut buffer = [0u8; 4];
                if command.takes_value_dashed(letter.encode_utf8(&mut buffer)) {
                    let attached = group.get(at + letter.len_utf8()..).unwrap_or_default();
                    let value = if attached.is_empty() {
                        next_value(&mut args)
                    } else {
                        Some(attached.strip_prefix('=').unwrap_or(attached))
                    };
                    words.push((index, Word::Short(letter, value)));
                    break;
                }
                words.push((index, Word::Short(letter, None)));
            }
        }
        words
    }

    fn takes_value(&self, flag: &str) -> bool {
        self.declared_value_flags().contains(&flag)
    }

    /// [`takes_value`](Command::takes_value) for `-name`, without building
    /// the string (this runs for every letter of every short flag group).
    fn takes_value_dashed(&self, name: &str) -> bool {
        self.declared_value_flags()
            .iter()
            .any(|flag| flag.strip_prefix('-') == Some(name))
    }

    /// This command with its value flags looked up.
    fn resolved(self) -> Command<'a> {
        Command {
            value_flags: Some(self.declared_value_flags()),
            ..self
        }
    }

    fn declared_value_flags(&self) -> &'a [&'a str] {
        self.value_flags
            .unwrap_or_else(|| known_value_flags(self.program))
    }

    /// Skips wrapper programs, repeatedly (`sudo env X=1 apt-get`).
    fn unwrapped(self) -> Command<'a> {
        let mut command = self;
        // Every step consumes at least the wrapper's name: bounded by args.
        for _ in 0..=self.args.len() {
            match wrapped_command(command) {
                Some(inner) => command = inner,
                None => break,
            }
        }
        command
    }
}

/// The next argument, taken as the value of the flag before it.
fn next_value<'a>(
    args: &mut std::iter::Enumerate<std::slice::Iter<'a, String>>,
) -> Option<&'a str> {
    args.next().map(|(_, value)| value.as_str())
}

/// Whether a parsed word is `flag` as written in a query.
fn word_is_flag(word: Word<'_>, flag: &str) -> bool {
    if let Some(long) = flag.strip_prefix("--") {
        return matches!(word, Word::Long(name, _) if name == long);
    }
    let Some(short) = flag.strip_prefix('-') else {
        return false;
    };
    let mut letters = short.chars();
    match (letters.next(), letters.next()) {
        (Some(letter), None) => matches!(word, Word::Short(found, _) if found == letter),
        _ => matches!(word, Word::Long(name, _) if name == short),
    }
}

/// `-ldflags`: one dash, more than one letter.
fn is_single_dash_long(flag: &str) -> bool {
    !flag.starts_with("--")
        && flag
            .strip_prefix('-')
            .is_some_and(|name| name.chars().count() > 1)
}

fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The command a wrapper runs, if `command` is a wrapper that runs one.
fn wrapped_command(command: Command<'_>) -> Option<Command<'_>> {
    let args = command.args;
    let skip = |value_flags: &[&str], operands_before: usize| -> Option<usize> {
        // Index of the wrapped program: after the wrapper's flags (and the
        // values of its value flags) and `operands_before` operands of its own.
        let mut index = 0;
        let mut operands = 0;
        while let Some(arg) = args.get(index) {
            if arg == "--" {
                index += 1;
                continue;
            }
            if arg.starts_with('-') && arg.len() > 1 {
                index += if value_flags.contains(&arg.as_str()) {
                    2
                } else {
                    1
                };
                continue;
            }
            if operands == operands_before {
                return Some(index);
            }
            operands += 1;
            index += 1;
        }
        None
    };
    let at = match command.program {
        "sudo" => skip(
            &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"],
            0,
        ),
        "nice" => skip(&["-n"], 0),
        "ionice" => skip(&["-c", "-n", "-p"], 0),
        "nohup" | "exec" => skip(&["-a"], 0),
        "time" => skip(&["-f", "-o"], 0),
        "stdbuf" => skip(&["-i", "-o", "-e"], 0),
        "timeout" => skip(&["-s", "-k", "--signal", "--kill-after"], 1),
        "gosu" | "su-exec" => skip(&[], 1),
        "xargs" => skip(
            &[
                "-a",
                "-d",
                "-E",
                "-I",
                "-L",
                "-n",
                "-P",
                "-s",
                "--arg-file",
                "--delimiter",
            ],
            0,
        ),
        // `command -v x` asks where x is; only `command [-p] x` runs it.
        "command" if args.iter().any(|arg| arg == "-v" || arg == "-V") => None,
        "command" => skip(&[], 0),
        "env" => {
            // Flags, then NAME=value assignments, then the program.
            let mut index = 0;
            while let Some(arg) = args.get(index) {
                if matches!(arg.as_str(), "-u" | "--unset" | "-C" | "--chdir" | "-S") {
                    index += 2;
                } else if arg.starts_with('-') || arg.contains('=') {
                    index += 1;
                } else {
                    break;
                }
            }
            args.get(index).map(|_| index)
        }
        _ => None,
    }?;
    let program = args.get(at)?;
    let rest = args.get(at + 1..).unwrap_or_default();
    Some(Command::new(program, rest))
}

/// Flags that take the next argument as their value, for programs rules
/// commonly inspect. Unknown programs get none: their `--flag value` pairs
/// then count `value` as an operand.
pub fn known_value_flags(program: &str) -> &'static [&'static str] {
    match program {
        "apt-get" | "apt" => &[
            "-o",
            "-c",
            "-t",
            "--option",
            "--config-file",
            "--target-release",
            "--default-release",
        ],
        "apk" => &[
            "-X",
            "--repository",
            "-p",
            "--root",
            "-t",
            "--virtual",
            "--repositories-file",
            "--keys-dir",
            "--arch",
            "--cache-dir",
        ],
        "yum" | "dnf" | "microdnf" | "tdnf" => &[
            "-c",
            "--config",
            "-d",
            "--debuglevel",
            "-e",
            "--errorlevel",
            "--enablerepo",
            "--disablerepo",
            "--installroot",
            "--releasever",
            "--setopt",
            "-x",
            "--exclude",
            "--repo",
            "--repoid",
        ],
        "zypper" => &[
            "-r",
            "--repo",
            "--root",
            "-D",
            "--reposd-dir",
            "-C",
            "--cache-dir",
        ],
        "pip" | "pip3" | "pip2" => &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "--trusted-host",
            "--cache-dir",
            "--python-version",
            "--platform",
            "--implementation",
            "--abi",
            "--src",
            "--upgrade-strategy",
            "--progress-bar",
            "--log",
            "--proxy",
            "--retries",
            "--timeout",
            "--cert",
            "--client-cert",
            "--only-binary",
            "--no-binary",
            "--config-settings",
            "--global-option",
            "--build-option",
        ],
        "npm" | "pnpm" | "yarn" => &[
            "--prefix",
            "--registry",
            "--cache",
            "--userconfig",
            "--globalconfig",
            "-w",
            "--workspace",
            "--filter",
            "--tag",
            "--loglevel",
            "--cwd",
        ],
        "gem" => &[
            "-v",
            "--version",
            "-i",
            "--install-dir",
            "-n",
            "--bindir",
            "-s",
            "--source",
            "--platform",
        ],
        "curl" => &[
            "-o",
            "--output",
            "-H",
            "--header",
            "-d",
            "--data",
            "--data-raw",
            "--data-binary",
            "--data-urlencode",
            "-u",
            "--user",
            "-X",
            "--request",
            "-A",
            "--user-agent",
            "-e",
            "--referer",
            "-b",
            "--cookie",
            "-c",
            "--cookie-jar",
            "-m",
            "--max-time",
            "--connect-timeout",
            "--retry",
            "--retry-delay",
            "--retry-max-time",
            "-w",
            "--write-out",
            "-x",
            "--proxy",
            "-T",
            "--upload-file",
            "-F",
            "--form",
            "--cacert",
            "--capath",
            "-E",
            "--cert",
            "--key",
            "-r",
            "--range",
            "-C",
            "--continue-at",
            "--resolve",
            "--proto",
            "--proto-redir",
            "-K",
            "--config",
            "--output-dir",
            "-z",
            "--time-cond",
            "--limit-rate",
            "-Y",
            "--speed-limit",
            "-y",
            "--speed-time",
        ],
        "wget" => &[
            "-O",
            "--output-document",
            "-o",
            "--output-file",
            "-a",
            "--append-output",
            "-P",
            "--directory-prefix",
            "-t",
            "--tries",
            "-T",
            "--timeout",
            "-U",
            "--user-agent",
            "--header",
            "--user",
            "--password",
            "--ca-certificate",
            "--ca-directory",
            "--certificate",
            "--private-key",
            "-e",
            "--execute",
            "-i",
            "--input-file",
            "-w",
            "--wait",
            "-Q",
            "--quota",
            "-l",
            "--level",
        ],
        "go" => &[
            "-o",
            "-ldflags",
            "-gcflags",
            "-tags",
            "-C",
            "-mod",
            "-p",
            "-buildmode",
        ],
        "chmod" | "chown" => &["--reference"],
        "git" => &[
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "-b",
            "--branch",
            "--depth",
            "-o",
        ],
        "tar" => &[
            "-f",
            "--file",
            "-C",
            "--directory",
            "-T",
            "--files-from",
            "-X",
            "--exclude-from",
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(line: &str) -> SimpleCommand {
        let mut words = line.split_whitespace().map(str::to_string);
        SimpleCommand {
            name: words.next().unwrap_or_default(),
            args: words.collect(),
            assignments: Vec::new(),
            text: line.to_string(),
            line: 1,
            arg_lines: Vec::new(),
            pipeline: 0,
            pipe_position: 0,
            in_substitution: false,
            shell_depth: 0,
            negated: false,
            in_condition: false,
            connector: crate::model::Connector::Start,
        }
    }

    #[test]
    fn programs_compare_without_directory() {
        assert!(simple("/usr/bin/apt-get update").is("apt-get"));
        assert!(!simple("apt-get-wrapper update").is("apt-get"));
        assert!(simple("pip3 install x").is_any(&["pip", "pip3"]));
    }

    #[test]
    fn combined_short_flags() {
        let command = simple("apt-get -yq install curl");
        assert!(command.has_flag(&["-y"]));
        assert!(command.has_flag(&["-q"]));
        assert!(!command.has_flag(&["-f"]));
        assert!(command.has_subcommand("install"));
        assert!(simple("curl -fsSLk https://x").has_flag(&["-k", "--insecure"]));
        assert!(!simple("curl -fsSL https://x").has_flag(&["-k", "--insecure"]));
    }

    #[test]
    fn a_value_letter_ends_its_group() {
        // `-o` takes a value: the `k` of `-okey` is the value, not a flag.
        let command = simple("curl -sokey https://x");
        assert!(!command.has_flag(&["-k"]));
        assert_eq!(command.flag_value(&["-o"]), Some("key"));
        // Detached value.
        let command = simple("curl -o out.tgz https://x");
        assert_eq!(command.flag_value(&["-o", "--output"]), Some("out.tgz"));
        assert_eq!(command.command().operands(), ["https://x"]);
    }

    #[test]
    fn long_flags_with_and_without_values() {
        let command = simple("apt-get install --no-install-recommends --option=Dpkg::x curl");
        assert!(command.has_flag(&["--no-install-recommends"]));
        assert!(!command.has_flag(&["--no-install"]));
        assert_eq!(command.flag_value(&["--option"]), Some("Dpkg::x"));
        let command = simple("apt-get -o Dpkg::Options::=--force-confold install -y curl");
        assert_eq!(command.command().subcommand(), Some("install"));
        assert_eq!(command.command().operands_after("install"), ["curl"]);
    }

    #[test]
    fn operands_skip_value_flags_and_stop_at_double_dash() {
        let command = simple("pip install -r requirements.txt --no-cache-dir flask==3.0 -- -weird");
        assert_eq!(
            command.command().operands_after("install"),
            ["flask==3.0", "-weird"]
        );
        assert_eq!(
            command.flag_value(&["-r", "--requirement"]),
            Some("requirements.txt")
        );
        assert!(command.command().operands_after("uninstall").is_empty());
    }

    #[test]
    fn single_dash_long_flags() {
        let command = simple("go build -ldflags=-s -o /app .");
        assert!(command.has_flag(&["-ldflags"]));
        assert!(!command.has_flag(&["-s"]));
        assert_eq!(command.flag_value(&["-ldflags"]), Some("-s"));
        assert_eq!(command.command().operands(), ["build", "."]);
        let detached = simple("go build -ldflags -w .");
        assert_eq!(detached.flag_value(&["-ldflags"]), Some("-w"));
        // Undeclared single-dash long flag: still recognised as a whole word.
        let find = simple("find / -perm -4000 -name x");
        assert!(find.has_flag(&["-name"]));
        assert!(!find.has_flag(&["-nam"]));
    }

    #[test]
    fn wrappers_are_seen_through() {
        let command = simple("sudo -u root -E apt-get install -y curl");
        assert!(command.is("sudo"));
        assert!(command.is("apt-get"));
        assert!(command.has_subcommand("install"));
        assert!(command.has_flag(&["-y"]));
        assert!(
            !command.has_flag(&["-E"]),
            "sudo's own flags are not apt-get's"
        );

        let command = simple("env -u HOME DEBIAN_FRONTEND=noninteractive apt-get install x");
        assert_eq!(command.command().program(), "apt-get");
        assert_eq!(
            simple("timeout 30 curl https://x").command().program(),
            "curl"
        );
        assert_eq!(simple("gosu app /bin/app").command().program(), "app");
        assert_eq!(
            simple("sudo env X=1 nice -n 5 make").command().program(),
            "make"
        );
        assert_eq!(simple("command -v curl").command().program(), "command");
        assert_eq!(simple("command curl x").command().program(), "curl");
        // A wrapper with nothing to run is itself.
        assert_eq!(simple("sudo").command().program(), "sudo");
        assert_eq!(simple("env").command().program(), "env");
        assert_eq!(simple("sudo -u").command().program(), "sudo");
    }

    #[test]
    fn the_word_holding_a_flag_and_its_line() {
        let mut command = simple("sudo apt-get -yq install --force-yes -o Acquire::x=1 curl");
        command.arg_lines = vec![1, 1, 2, 3, 4, 4, 5];
        let run = command.command();
        assert_eq!(run.flag_word(&["-q"]), Some("-yq"));
        assert_eq!(run.flag_word(&["--force-yes", "-y"]), Some("-yq"));
        assert_eq!(run.flag_word(&["--force-yes"]), Some("--force-yes"));
        assert_eq!(run.flag_word(&["--allow-unauthenticated"]), None);
        let forced = run.flag_word(&["--force-yes"]).unwrap_or_default();
        assert_eq!(command.line_of_word(forced), 3);
        // A flag's value and an operand are pieces of their arguments.
        let option = run.flag_value(&["-o"]).unwrap_or_default();
        assert_eq!(command.line_of_word(option), 4);
        assert_eq!(command.line_of_word(&option[..3]), 4);
        assert_eq!(run.operands_after("install"), ["curl"]);
        assert_eq!(command.line_of_word(run.operands()[1]), 5);
        // A copy is looked for as a whole argument; anything else is on
        // the command's line.
        assert_eq!(command.line_of_word("--force-yes"), 3);
        assert_eq!(command.line_of_word("--nowhere"), 1);
        // Undeclared single-dash long flags too.
        let mut find = simple("find / -perm -4000 -delete");
        find.arg_lines = vec![7, 8, 8, 9];
        let delete = find.command().flag_word(&["-delete"]).unwrap_or_default();
        assert_eq!(find.line_of_word(delete), 9);
    }

    #[test]
    fn argument_lines_fall_back_to_the_command_line() {
        let mut command = simple("apt-get install -y curl");
        command.line = 6;
        assert_eq!(
            command.arg_line(1),
            6,
            "no argument lines: an image's history"
        );
        command.arg_lines = vec![6, 0, 7];
        assert_eq!(command.arg_line(2), 7);
        assert_eq!(command.arg_line(1), 6, "0 is not known");
        assert_eq!(command.arg_line(9), 6);
    }

    #[test]
    fn assignments_are_found_by_name() {
        let mut command = simple("go build .");
        command.assignments.push(crate::model::KeyValue {
            key: "CGO_ENABLED".into(),
            value: "0".into(),
        });
        assert_eq!(command.assignment("CGO_ENABLED"), Some("0"));
        assert_eq!(command.assignment("GOOS"), None);
    }
}
