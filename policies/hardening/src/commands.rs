//! Matching the simple commands the host split `RUN` scripts into: which
//! program really runs, which package manager it is and what it does, what
//! a script removes, mounts or writes. Every rule about `RUN` goes through
//! these helpers rather than matching text.

use tallyman_sdk::model::{Instruction, RunInstruction, SimpleCommand};
use tallyman_sdk::shell::Command;

/// Programs that run the command in their arguments, beyond the wrappers
/// the SDK already sees through (`sudo`, `env`, `nice`, `xargs`, ...).
const EXTRA_WRAPPERS: &[&str] = &["eatmydata", "chronic", "fakeroot", "busybox", "retry"];

/// POSIX-family shells: they run a script from `-c`, a file, or stdin.
pub const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];

/// The command that runs, seen through wrappers (`sudo`, `env`,
/// `eatmydata`, `busybox wget`) and module launchers: `python3 -m pip
/// install` and `uv pip install` are `pip install`.
pub fn program(command: &SimpleCommand) -> Command<'_> {
    let mut current = command.command();
    // Each step consumes at least one word: bounded by the arguments.
    for _ in 0..=command.args.len() {
        let args = current.args();
        let inner = match current.program() {
            name if EXTRA_WRAPPERS.contains(&name) => args
                .split_first()
                .map(|(name, rest)| Command::new(name, rest)),
            name if is_python(name) => python_module(args),
            "uv" => match args.split_first() {
                Some((pip, rest)) if pip == "pip" => Some(Command::new("pip", rest)),
                _ => None,
            },
            _ => None,
        };
        match inner {
            Some(inner) => current = inner,
            None => break,
        }
    }
    current
}

/// `command` runs `wrapper` on its way to the program it runs: `sudo make`,
/// `env X=1 sudo -E apt-get`, `nice sudo make`. The SDK's `is` sees only the
/// outermost and the innermost program.
pub fn runs_via(command: &SimpleCommand, wrapper: &str) -> bool {
    let inner = command.command();
    // The inner program's name is the word just before its arguments.
    let inner_at = command.args.len().saturating_sub(inner.args().len());
    std::iter::once(&command.name)
        .chain(command.args.iter().take(inner_at))
        .any(|word| word.rsplit('/').next() == Some(wrapper))
}

/// `python`, `python3`, `python3.12`.
pub fn is_python(program: &str) -> bool {
    program
        .strip_prefix("python")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `pip`, `pip3`, `pip3.12`.
pub fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `python -m pip ...` as `pip ...`.
fn python_module(args: &[String]) -> Option<Command<'_>> {
    let at = args.iter().position(|arg| arg == "-m")?;
    // Only interpreter flags may come before `-m`.
    if args.get(..at)?.iter().any(|arg| !arg.starts_with('-')) {
        return None;
    }
    let module = args.get(at + 1)?;
    let rest = args.get(at + 2..)?;
    is_pip(module).then(|| Command::new("pip", rest))
}

/// Programs that download from a URL.
pub fn is_download(command: &Command<'_>) -> bool {
    command.is_any(&["curl", "wget", "fetch", "aria2c", "http", "https"])
}

/// A package manager family: programs that share an index, a cache and
/// the meaning of their subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `apt-get`, `apt`, `aptitude`.
    Apt,
    /// `apk`.
    Apk,
    /// `yum`, `dnf`, `microdnf`, `tdnf` (on current systems `yum` is `dnf`).
    Rpm,
    /// `zypper`.
    Zypper,
}

impl Family {
    pub fn of(command: &Command<'_>) -> Option<Family> {
        match command.program() {
            "apt-get" | "apt" | "aptitude" | "mk-build-deps" => Some(Family::Apt),
            "apk" => Some(Family::Apk),
            "yum" | "dnf" | "dnf5" | "microdnf" | "tdnf" => Some(Family::Rpm),
            "zypper" => Some(Family::Zypper),
            _ => None,
        }
    }

    /// Refreshes the package index without installing anything.
    pub fn refreshes_index(self, command: &Command<'_>) -> bool {
        let sub = command.subcommand().unwrap_or_default();
        match self {
            Family::Apt => sub == "update" && !command.is("mk-build-deps"),
            Family::Apk => sub == "update",
            Family::Rpm => sub == "makecache",
            Family::Zypper => matches!(sub, "refresh" | "ref"),
        }
    }

    /// Installs or upgrades packages.
    pub fn installs(self, command: &Command<'_>) -> bool {
        let sub = command.subcommand().unwrap_or_default();
        if command.is("mk-build-deps") {
            // `mk-build-deps --install` installs a package's build dependencies.
            return command.has_flag(&["-i", "--install"]);
        }
        match self {
            Family::Apt => matches!(
                sub,
                "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "reinstall"
            ),
            Family::Apk => matches!(sub, "add" | "upgrade" | "fix"),
            Family::Rpm => matches!(
                sub,
                "install"
                    | "update"
                    | "upgrade"
                    | "groupinstall"
                    | "localinstall"
                    | "reinstall"
                    | "downgrade"
                    | "builddep"
                    | "distro-sync"
                    | "group"
                    | "module"
            ),
            Family::Zypper => matches!(
                sub,
                "install" | "in" | "update" | "up" | "dist-upgrade" | "dup" | "patch" | "si"
            ),
        }
    }

    /// The directories its index and cache live in.
    pub fn cache_dirs(self) -> &'static [&'static str] {
        match self {
            Family::Apt => &["/var/lib/apt/lists"],
            Family::Apk => &["/var/cache/apk", "/etc/apk/cache"],
            Family::Rpm => &[
                "/var/cache/dnf",
                "/var/cache/yum",
                "/var/cache/libdnf5",
                "/var/cache/tdnf",
            ],
            Family::Zypper => &["/var/cache/zypp"],
        }
    }

    /// Empties its index and cache: `apt-get dist-clean` (apt 2.7; `apt-get
    /// clean` keeps the lists), `yum clean all`, `zypper clean`, `apk cache
    /// clean`.
    pub fn cleans(self, command: &Command<'_>) -> bool {
        let operands = command.operands();
        match self {
            Family::Apt => !command.is("mk-build-deps") && operands.first() == Some(&"dist-clean"),
            Family::Apk => {
                operands.first() == Some(&"cache")
                    && matches!(operands.get(1), Some(&"clean" | &"purge"))
            }
            Family::Rpm => {
                operands.first() == Some(&"clean")
                    && operands
                        .get(1)
                        .is_some_and(|what| matches!(*what, "all" | "metadata" | "dbcache"))
            }
            Family::Zypper => matches!(operands.first(), Some(&"clean" | &"cc")),
        }
    }

    /// How messages name the family's usual program.
    pub fn name(self) -> &'static str {
        match self {
            Family::Apt => "apt-get",
            Family::Apk => "apk",
            Family::Rpm => "yum/dnf",
            Family::Zypper => "zypper",
        }
    }
}

/// A path operand (`/var/lib/apt/lists/*`) without its trailing glob or
/// slash: the directory it removes.
fn removed_dir(operand: &str) -> &str {
    let mut path = operand;
    for suffix in ["/*", "*", "/"] {
        path = path.strip_suffix(suffix).unwrap_or(path);
    }
    path
}

/// `outer` is `inner` or one of its parent directories.
pub fn covers(outer: &str, inner: &str) -> bool {
    let outer = outer.trim_end_matches('/');
    !outer.is_empty()
        && (inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('/')))
}

/// `rm` removes `dir` (or a parent of it): `rm -rf /var/lib/apt/lists/*`.
pub fn removes(command: &SimpleCommand, dir: &str) -> bool {
    let command = program(command);
    command.is("rm")
        && command
            .operands()
            .iter()
            .any(|operand| covers(removed_dir(operand), dir))
}

/// The `RUN` mounts a cache or tmpfs on `dir` (or a parent of it), so
/// that what is written there never reaches the layer.
pub fn mounts_cache_on(run: &RunInstruction, dir: &str) -> bool {
    run.mounts.iter().any(|mount| {
        matches!(mount.kind.as_str(), "cache" | "tmpfs")
            && mount
                .target
                .as_deref()
                .is_some_and(|target| covers(target, dir))
    })
}

/// Commands of the script itself: not in a nested `sh -c` script, not in
/// a command substitution.
pub fn is_top_level(command: &SimpleCommand) -> bool {
    command.shell_depth == 0 && !command.in_substitution
}

/// Every `NAME=value` a command sets: prefix assignments
/// (`NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci`), assignment-only commands,
/// `export`/`declare`/`readonly` arguments and `env NAME=value` arguments.
pub fn assignments(command: &SimpleCommand) -> Vec<(&str, &str)> {
    let mut found: Vec<(&str, &str)> = command
        .assignments
        .iter()
        .map(|assignment| (assignment.key.as_str(), assignment.value.as_str()))
        .collect();
    let sets_arguments = matches!(
        command.name.as_str(),
        "export" | "declare" | "readonly" | "local" | "typeset" | "env"
    );
    if sets_arguments {
        found.extend(
            command
                .args
                .iter()
                .filter(|arg| !arg.starts_with('-'))
                .filter_map(|arg| arg.split_once('='))
                .filter(|(name, _)| is_variable_name(name)),
        );
    }
    found
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// The text a `RUN` writes into files, where configuration that changes a
/// tool's behaviour shows up: the arguments of `echo` and `printf`, and the
/// heredoc bodies the script hands to programs (`cat <<EOF > file`).
pub fn written_text(instruction: &Instruction) -> String {
    let mut text = String::new();
    for command in instruction.run_commands() {
        let command = program(command);
        if command.is_any(&["echo", "printf"]) {
            for arg in command.args() {
                // `printf 'a\nb\n'` writes lines: read them as lines.
                text.push_str(&arg.replace("\\n", "\n"));
                text.push('\n');
            }
        }
    }
    for heredoc in &instruction.heredocs {
        text.push_str(&heredoc.content);
        text.push('\n');
    }
    text
}

/// Every value of a repeatable option: `-o A=1 -oB=2 --option=C=3` gives
/// `A=1`, `B=2`, `C=3` for `short` `-o` and `long` `--option`.
pub fn option_values<'a>(command: &Command<'a>, short: &str, long: &str) -> Vec<&'a str> {
    let mut values = Vec::new();
    let mut args = command.args().iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        if arg == short || arg == long {
            if let Some(value) = args.next() {
                values.push(value.as_str());
            }
        } else if let Some(value) = arg
            .strip_prefix(long)
            .and_then(|rest| rest.strip_prefix('='))
        {
            values.push(value);
        } else if let Some(value) = arg.strip_prefix(short).filter(|_| short.len() == 2) {
            values.push(value.strip_prefix('=').unwrap_or(value));
        }
    }
    values
}

/// A command's words as one line, for messages: `curl -fsSL $URL`. Long
/// commands are cut.
pub fn quoted(command: &SimpleCommand) -> String {
    const MAX: usize = 80;
    let words: Vec<&str> = std::iter::once(command.name.as_str())
        .chain(command.args.iter().map(String::as_str))
        .collect();
    let line = words.join(" ");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("`{} …`", line.get(..cut).unwrap_or(&line).trim_end()),
        None => format!("`{line}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallyman_sdk::model::Connector;

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
            connector: Connector::Start,
        }
    }

    #[test]
    fn programs_through_wrappers_and_launchers() {
        let run = |line: &str| {
            let command = simple(line);
            let program = program(&command);
            (
                program.program().to_string(),
                program.subcommand().map(str::to_string),
            )
        };
        assert_eq!(
            run("python3 -m pip install x"),
            ("pip".into(), Some("install".into()))
        );
        assert_eq!(run("python -u -m pip3 install x").0, "pip");
        assert_eq!(run("python -m venv /v").0, "python");
        assert_eq!(run("python script.py -m pip").0, "python");
        assert_eq!(run("uv pip install x").0, "pip");
        assert_eq!(run("sudo eatmydata apt-get install -y x").0, "apt-get");
        assert_eq!(run("busybox wget -O- http://x").0, "wget");
        assert_eq!(run("eatmydata").0, "eatmydata");
    }

    #[test]
    fn wrappers_in_the_middle_of_a_chain() {
        assert!(runs_via(
            &simple("env DEBIAN_FRONTEND=noninteractive sudo -E apt-get -y install git"),
            "sudo"
        ));
        assert!(runs_via(&simple("/usr/bin/sudo make"), "sudo"));
        assert!(runs_via(&simple("sudo"), "sudo"));
        assert!(!runs_via(&simple("apt-get install -y sudo"), "sudo"));
        assert!(!runs_via(&simple("command -v sudo"), "sudo"));
    }

    #[test]
    fn families_and_their_subcommands() {
        let command = simple("apt-get -o Dpkg::Options::=--force-confnew -y install x");
        let program = program(&command);
        let family = Family::of(&program);
        assert_eq!(family, Some(Family::Apt));
        assert!(family.is_some_and(|f| f.installs(&program)));
        let clean = simple("dnf clean all");
        assert!(Family::Rpm.cleans(&program_of(&clean)));
        let clean = simple("apk cache clean");
        assert!(Family::Apk.cleans(&program_of(&clean)));
        assert!(!Family::Rpm.cleans(&program_of(&simple("yum clean expire-cache"))));
    }

    fn program_of(command: &SimpleCommand) -> Command<'_> {
        program(command)
    }

    #[test]
    fn removal_covers_the_directory() {
        assert!(removes(
            &simple("rm -rf /var/lib/apt/lists/*"),
            "/var/lib/apt/lists"
        ));
        assert!(removes(
            &simple("rm -rf /tmp/* /var/lib/apt/lists"),
            "/var/lib/apt/lists"
        ));
        assert!(removes(
            &simple("rm -rf /var/lib/apt/*"),
            "/var/lib/apt/lists"
        ));
        assert!(!removes(
            &simple("rm -rf /var/lib/apt/lists/partial"),
            "/var/lib/apt/lists"
        ));
        assert!(!removes(
            &simple("rm -rf /var/lib/aptitude"),
            "/var/lib/apt"
        ));
        assert!(!removes(
            &simple("echo /var/lib/apt/lists"),
            "/var/lib/apt/lists"
        ));
        // A bare `/` (from `rm -rf /*`) is not read as a cleanup.
        assert!(!covers("/", "/var"));
        assert!(covers("/var/cache/", "/var/cache/apk"));
    }

    #[test]
    fn assignments_in_every_form() {
        let mut command = simple("export A=1 -n B=2 not-an-assignment");
        assert_eq!(assignments(&command), [("A", "1"), ("B", "2")]);
        command = simple("npm ci GIT_SSL_NO_VERIFY=1");
        assert!(
            assignments(&command).is_empty(),
            "npm's arguments set nothing"
        );
        command.assignments.push(tallyman_sdk::model::KeyValue {
            key: "X".into(),
            value: "0".into(),
        });
        assert_eq!(assignments(&command), [("X", "0")]);
    }

    #[test]
    fn every_option_value() {
        let command = simple("apt-get -o A=1 -oB=2 --option=C=3 --option D=4 install -- -o E");
        assert_eq!(
            option_values(&program(&command), "-o", "--option"),
            ["A=1", "B=2", "C=3", "D=4"]
        );
        let command = simple("git -c http.sslVerify=false -c core.x=1 clone u");
        assert_eq!(
            option_values(&program(&command), "-c", "--config"),
            ["http.sslVerify=false", "core.x=1"]
        );
    }

    #[test]
    fn quoted_commands_are_cut() {
        assert_eq!(quoted(&simple("curl -k https://x")), "`curl -k https://x`");
        let long = format!("echo {}", "x".repeat(200));
        assert!(quoted(&simple(&long)).ends_with(" …`"));
    }
}
