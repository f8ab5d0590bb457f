//! What an image runs when started: the `ENTRYPOINT` and `CMD` its final
//! stage leaves, read the way a person reads them (through `tini`, `gosu`,
//! `sh -c` and entrypoint scripts that hand over to their arguments).

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{CommandLine, Stage};

/// What starting the image runs, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// No `ENTRYPOINT` or `CMD` anywhere in the chain.
    Nothing,
    /// A tool to build, test or develop with (`mvn`, `make`, `cargo`,
    /// `dotnet build`, `pytest`, `npm run dev`, a bare `npm`): the image is
    /// for building, a CI step or a development loop.
    BuildTool(String),
    /// An interactive shell (`bash`, `sh -l`, `pwsh`).
    Shell(String),
    /// An interpreter with no program to run (`python3`, `node`, `irb`,
    /// `php -a`, `jshell`): the image is the language, not an application.
    Interpreter(String),
    /// Something that only keeps the container alive (`sleep infinity`,
    /// `tail -f /dev/null`, `while sleep 1000; do :; done`), for a
    /// development container that tools attach to.
    Idle,
    /// A script of the image whose content the Dockerfile does not show:
    /// an entrypoint script with nothing after it (`/entry.sh`), or any
    /// other shell script (`catalina.sh run`, `bash /start.sh`).
    Script,
    /// An interpreter running a program of the image (`python3 app.py`,
    /// `node server.js`, `python -m app`): an application whose sources
    /// are what runs.
    InterpretedProgram(String),
    /// Anything else: a server, a binary.
    Application,
}

impl Command {
    /// The command alone says the image is for building or developing,
    /// not for running an application; with the reason.
    pub fn toolchain_reason(&self) -> Option<String> {
        match self {
            Command::BuildTool(program) => Some(format!(
                "it runs `{program}`, a tool to build, test or develop with"
            )),
            Command::Shell(program) => Some(format!("it starts the shell `{program}`")),
            Command::Interpreter(program) => Some(format!(
                "it starts the interpreter `{program}` with no program to run"
            )),
            Command::Idle => Some("it only keeps the container alive".to_string()),
            Command::Nothing
            | Command::Script
            | Command::InterpretedProgram(_)
            | Command::Application => None,
        }
    }
}

/// Programs that build software.
const BUILD_TOOLS: &[&str] = &[
    "mvn",
    "mvnw",
    "gradle",
    "gradlew",
    "ant",
    "sbt",
    "lein",
    "make",
    "gmake",
    "cmake",
    "ninja",
    "meson",
    "bazel",
    "bazelisk",
    "buck",
    "buck2",
    "scons",
    "cargo",
    "rustc",
    "rustup",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
    "javac",
    "ghc",
    "cabal",
    "stack",
    "rebar3",
    "xcodebuild",
    "msbuild",
    "nuget",
];

/// Programs that test or lint software: the image is a CI step.
const TEST_AND_LINT_TOOLS: &[&str] = &[
    "pytest",
    "tox",
    "nox",
    "jest",
    "mocha",
    "vitest",
    "karma",
    "phpunit",
    "rspec",
    "eslint",
    "tsc",
    "golangci-lint",
    "flake8",
    "pylint",
    "mypy",
    "ruff",
    "black",
    "shellcheck",
    "hadolint",
    "sonar-scanner",
];

/// Python modules run with `python -m` that build, test or lint.
const PYTHON_TOOL_MODULES: &[&str] = &[
    "pytest", "unittest", "tox", "nox", "pip", "build", "mypy", "ruff", "flake8", "pylint", "black",
];

/// Interpreters that start a read-eval-print loop when given no program.
const INTERPRETERS: &[&str] = &[
    "python", "node", "ruby", "irb", "php", "perl", "jshell", "ghci", "iex", "erl", "julia", "r",
    "lua", "scala", "groovysh", "swift", "deno", "bun", "pry",
];

/// Shells.
const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ash",
    "dash",
    "ksh",
    "fish",
    "pwsh",
    "powershell",
    "cmd",
];

/// Programs that start another program given as their arguments.
const WRAPPERS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "exec",
    "nice",
    "nohup",
    "setsid",
];

/// The program the image runs, by kind.
pub fn of(dockerfile: &Dockerfile, stage: &Stage) -> Command {
    classify(&effective_argv(dockerfile, stage), 0)
}

/// The `ENTRYPOINT` followed by the `CMD` the stage's image has, as
/// BuildKit leaves them: a stage's `ENTRYPOINT` drops the `CMD` it
/// inherited (not one the same stage sets), and a shell-form
/// `ENTRYPOINT` ignores `CMD`.
fn effective_argv(dockerfile: &Dockerfile, stage: &Stage) -> Vec<String> {
    let mut chain = dockerfile.ancestry(stage);
    chain.reverse();
    let mut entrypoint: Option<&CommandLine> = None;
    let mut cmd: Option<&CommandLine> = None;
    for ancestor in chain {
        let mut cmd_set_here = false;
        for instruction in &ancestor.instructions {
            if let Some(line) = instruction.as_entrypoint() {
                entrypoint = Some(line);
                if !cmd_set_here {
                    cmd = None;
                }
            } else if let Some(line) = instruction.as_cmd() {
                cmd = Some(line);
                cmd_set_here = true;
            }
        }
    }
    let mut argv = Vec::new();
    if let Some(line) = entrypoint {
        argv.extend(words(line));
        if !line.exec_form {
            return argv;
        }
    }
    if let Some(line) = cmd {
        argv.extend(words(line));
    }
    argv
}

/// A command line as the words it runs: the shell form through `sh -c`.
fn words(line: &CommandLine) -> Vec<String> {
    if line.exec_form {
        line.args.clone()
    } else {
        let script = line.args.join(" ");
        vec!["/bin/sh".to_string(), "-c".to_string(), script]
    }
}

/// The program name without its directory, `.exe`, version suffix
/// (`python3.12`, `gcc-13`) or case.
fn program_name(word: &str) -> String {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let base = base.to_ascii_lowercase();
    let base = base.strip_suffix(".exe").unwrap_or(&base);
    let trimmed = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    if trimmed.is_empty() {
        base.to_string()
    } else {
        trimmed.to_string()
    }
}

fn is_flag(word: &str) -> bool {
    word.starts_with('-')
}

/// Nested `sh -c` and wrappers are followed this deep at most.
const MAX_DEPTH: usize = 8;

fn classify(argv: &[String], depth: usize) -> Command {
    let Some((first, args)) = argv.split_first() else {
        return Command::Nothing;
    };
    if depth > MAX_DEPTH {
        return Command::Application;
    }
    let program = program_name(first);
    let name = program.as_str();
    let operands: Vec<&String> = args.iter().filter(|arg| !is_flag(arg)).collect();
    if WRAPPERS.contains(&name) {
        let rest = args
            .iter()
            .position(|arg| !is_flag(arg))
            .map_or(&[][..], |start| &args[start..]);
        return classify(rest, depth + 1);
    }
    if matches!(name, "gosu" | "su-exec") {
        // `gosu USER COMMAND...`
        return classify(args.get(1..).unwrap_or_default(), depth + 1);
    }
    if name == "env" {
        let rest = args
            .iter()
            .position(|arg| !is_flag(arg) && !arg.contains('='))
            .map_or(&[][..], |start| &args[start..]);
        return classify(rest, depth + 1);
    }
    if SHELLS.contains(&name) {
        return shell(&program, args, depth);
    }
    if is_idle(name, args) {
        return Command::Idle;
    }
    if BUILD_TOOLS.contains(&name) {
        return if runs_from_source(name, &operands) {
            Command::Application
        } else {
            Command::BuildTool(program)
        };
    }
    if TEST_AND_LINT_TOOLS.contains(&name) {
        return Command::BuildTool(program);
    }
    match name {
        // `go run .` and `dotnet run` run the application from its sources.
        "go" => {
            return if operands.first().is_some_and(|sub| *sub == "run") {
                Command::Application
            } else {
                Command::BuildTool(program)
            };
        }
        // `dotnet` alone is the runtime host with no application (the
        // runtime images' entrypoint); with a verb it is the SDK.
        "dotnet" => {
            let runs_an_assembly = operands
                .iter()
                .any(|arg| arg.to_ascii_lowercase().ends_with(".dll"));
            return if runs_an_assembly || operands.first().is_some_and(|sub| *sub == "run") {
                Command::Application
            } else if operands.is_empty() {
                Command::Interpreter(program)
            } else {
                Command::BuildTool(program)
            };
        }
        "npm" | "yarn" | "pnpm" => return package_manager(program, &operands),
        "npx" | "bunx" => {
            let Some(start) = args.iter().position(|arg| !is_flag(arg)) else {
                return Command::BuildTool(program);
            };
            return classify(&args[start..], depth + 1);
        }
        "bundle" if operands.first().is_some_and(|sub| *sub == "exec") => {
            return classify(args.get(1..).unwrap_or_default(), depth + 1);
        }
        "python" => {
            let module = args
                .iter()
                .position(|arg| arg == "-m")
                .and_then(|position| args.get(position + 1));
            if let Some(module) = module
                && PYTHON_TOOL_MODULES.contains(&module.as_str())
            {
                return Command::BuildTool(format!("python -m {module}"));
            }
        }
        _ => {}
    }
    if INTERPRETERS.contains(&name) {
        let repl = operands.is_empty()
            && args
                .iter()
                .all(|arg| matches!(arg.as_str(), "-a" | "-i" | "--interactive"));
        return if repl {
            Command::Interpreter(program)
        } else {
            Command::InterpretedProgram(program)
        };
    }
    if is_entrypoint_script(name) {
        return match classify(args, depth + 1) {
            Command::Nothing => Command::Script,
            handed_over => handed_over,
        };
    }
    if name.ends_with(".sh") || name.ends_with(".bash") {
        return Command::Script;
    }
    Command::Application
}

/// A build tool asked to run the application from its sources
/// (`cargo run`, `mvn spring-boot:run`, `gradle bootRun`, `make run`):
/// the image is an application that ships its toolchain.
fn runs_from_source(name: &str, operands: &[&String]) -> bool {
    operands.iter().any(|operand| {
        let goal = operand.as_str();
        match name {
            "cargo" => goal == "run",
            "mvn" | "mvnw" => goal.ends_with(":run") || goal == "exec:java",
            "gradle" | "gradlew" => matches!(goal, "run" | "bootRun" | "appRun"),
            "make" | "gmake" => matches!(goal, "run" | "start" | "serve"),
            _ => false,
        }
    })
}

/// `sleep infinity`, `sleep 1d`/a day or more, `tail -f /dev/null`.
fn is_idle(name: &str, args: &[String]) -> bool {
    match name {
        "sleep" => args.first().is_some_and(|duration| {
            let duration = duration.to_ascii_lowercase();
            duration.starts_with("inf")
                || duration.ends_with('d')
                || duration
                    .trim_end_matches('s')
                    .parse::<u64>()
                    .is_ok_and(|seconds| seconds >= 3600)
        }),
        "tail" => {
            args.iter().any(|arg| arg == "/dev/null")
                && args.iter().any(|arg| arg == "-f" || arg == "-F")
        }
        _ => false,
    }
}

/// A shell: interactive, running `-c SCRIPT`, or running a script file.
fn shell(program: &str, args: &[String], depth: usize) -> Command {
    let inline = args.iter().position(|arg| {
        matches!(
            arg.to_ascii_lowercase().as_str(),
            "-c" | "/c" | "-command" | "-lc" | "-ec" | "-xc"
        )
    });
    if let Some(position) = inline {
        let Some(script) = args.get(position + 1) else {
            return Command::Shell(program.to_string());
        };
        return inline_script(script, depth);
    }
    match args.iter().find(|arg| !is_flag(arg)) {
        None => Command::Shell(program.to_string()),
        Some(_) => Command::Script,
    }
}

/// A `sh -c` script: an idle loop when that is all it does
/// (`while sleep 1000; do :; done`; not `nginx & sleep infinity`, which
/// runs a server), else its first command.
fn inline_script(script: &str, depth: usize) -> Command {
    let words: Vec<&str> = script
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|'))
        .filter(|word| !word.is_empty())
        .collect();
    let waits = words.iter().any(|word| matches!(*word, "sleep" | "tail"));
    let only_waits = words.iter().all(|word| {
        matches!(
            *word,
            "while"
                | "until"
                | "do"
                | "done"
                | "true"
                | ":"
                | "exec"
                | "sleep"
                | "tail"
                | "-f"
                | "-F"
                | "/dev/null"
                | "infinity"
                | "inf"
        ) || word
            .trim_end_matches(['s', 'm', 'h', 'd'])
            .parse::<u64>()
            .is_ok()
    });
    if waits && only_waits {
        return Command::Idle;
    }
    let first = script
        .split([';', '&', '|', '\n'])
        .next()
        .unwrap_or_default();
    let argv: Vec<String> = first
        .split_whitespace()
        .map(|word| word.trim_matches(['"', '\'']).to_string())
        .filter(|word| word != "$@")
        .collect();
    classify(&argv, depth + 1)
}

/// `npm`, `yarn` or `pnpm`: starting an application (`start`, `serve`,
/// `run start`) or building, testing, developing (`build`, `test`,
/// `ci`, `run dev`, nothing at all).
fn package_manager(program: String, operands: &[&String]) -> Command {
    let script = match operands.first().map(|operand| operand.as_str()) {
        Some("run" | "run-script") => operands.get(1).map(|operand| operand.as_str()),
        other => other,
    };
    let building = match script {
        None => true,
        Some(script) => matches!(
            script,
            "build" | "test" | "ci" | "install" | "i" | "lint" | "dev" | "watch" | "develop"
        ),
    };
    if building {
        Command::BuildTool(program)
    } else {
        Command::Application
    }
}

/// An entrypoint script (`docker-entrypoint.sh`, `/entry.sh`), which by
/// convention prepares the container and runs its arguments. Other scripts
/// (`catalina.sh run`) take their arguments as their own.
fn is_entrypoint_script(name: &str) -> bool {
    name.contains("entrypoint") || name.starts_with("entry.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(argv: &[&str]) -> Command {
        let argv: Vec<String> = argv.iter().map(|word| word.to_string()).collect();
        classify(&argv, 0)
    }

    #[test]
    fn build_tools_shells_interpreters_and_idle_loops() {
        assert_eq!(
            kind(&["mvn", "--version"]),
            Command::BuildTool("mvn".into())
        );
        assert_eq!(kind(&["/usr/bin/make"]), Command::BuildTool("make".into()));
        assert_eq!(
            kind(&["./gradlew", "build"]),
            Command::BuildTool("gradlew".into())
        );
        assert_eq!(kind(&["dotnet"]), Command::Interpreter("dotnet".into()));
        assert_eq!(
            kind(&["dotnet", "test"]),
            Command::BuildTool("dotnet".into())
        );
        assert_eq!(
            kind(&["go", "test", "./..."]),
            Command::BuildTool("go".into())
        );
        assert_eq!(kind(&["npm"]), Command::BuildTool("npm".into()));
        assert_eq!(
            kind(&["yarn", "run", "dev"]),
            Command::BuildTool("yarn".into())
        );
        assert_eq!(kind(&["bash"]), Command::Shell("bash".into()));
        assert_eq!(kind(&["/bin/bash", "-l"]), Command::Shell("bash".into()));
        assert_eq!(kind(&["python3.12"]), Command::Interpreter("python".into()));
        assert_eq!(kind(&["php", "-a"]), Command::Interpreter("php".into()));
        assert_eq!(
            kind(&["docker-entrypoint.sh", "node"]),
            Command::Interpreter("node".into())
        );
        assert_eq!(kind(&["sleep", "infinity"]), Command::Idle);
        assert_eq!(kind(&["tail", "-f", "/dev/null"]), Command::Idle);
        assert_eq!(
            kind(&["/bin/sh", "-c", "while sleep 1000; do :; done"]),
            Command::Idle
        );
        assert_eq!(kind(&["tini", "--", "sleep", "inf"]), Command::Idle);
        assert_eq!(
            kind(&["sh", "-c", "while :; do sleep 3600; done"]),
            Command::Idle
        );
        assert_eq!(kind(&["pytest", "-x"]), Command::BuildTool("pytest".into()));
        assert_eq!(
            kind(&["python", "-m", "pytest"]),
            Command::BuildTool("python -m pytest".into())
        );
        assert_eq!(kind(&["npx", "jest"]), Command::BuildTool("jest".into()));
        assert_eq!(
            kind(&["bundle", "exec", "rspec"]),
            Command::BuildTool("rspec".into())
        );
        assert_eq!(
            kind(&["/bin/sh", "-c", "exec cargo \"$@\""]),
            Command::BuildTool("cargo".into())
        );
    }

    #[test]
    fn applications_and_scripts() {
        for application in [
            &["/app"][..],
            &["java", "-jar", "/app.jar"],
            &["dotnet", "App.dll"],
            &["dotnet", "run"],
            &["go", "run", "."],
            &["cargo", "run", "--release"],
            &["mvn", "spring-boot:run"],
            &["./gradlew", "bootRun"],
            &["make", "run"],
            &["npm", "start"],
            &["npm", "run", "start"],
            &["docker-php-entrypoint", "php-fpm"],
            &["tini", "--", "/usr/local/bin/server"],
            &["gosu", "app", "/app"],
            &["sleep", "5"],
            &["/bin/sh", "-c", "exec /app --port 80"],
            &["/bin/sh", "-c", "nginx & sleep infinity"],
            &["sh", "-c", "while true; do ./job; sleep 60; done"],
            &["npx", "serve", "dist"],
            &["bundle", "exec", "rails", "server"],
        ] {
            assert_eq!(kind(application), Command::Application, "{application:?}");
        }
        for (program, interpreter) in [
            (&["node", "server.js"][..], "node"),
            (&["python", "-m", "app"], "python"),
            (&["python3.12", "-m", "http.server"], "python"),
            (&["tini", "--", "ruby", "app.rb"], "ruby"),
        ] {
            assert_eq!(
                kind(program),
                Command::InterpretedProgram(interpreter.to_string()),
                "{program:?}"
            );
        }
        assert_eq!(kind(&["/entry.sh"]), Command::Script);
        assert_eq!(
            kind(&["tini", "--", "/usr/local/bin/jenkins.sh"]),
            Command::Script
        );
        assert_eq!(kind(&["bash", "/start.sh"]), Command::Script);
        assert_eq!(kind(&["catalina.sh", "run"]), Command::Script);
        assert_eq!(
            kind(&["/entry.sh", "make"]),
            Command::BuildTool("make".into())
        );
        assert_eq!(kind(&[]), Command::Nothing);
    }
}
