//! Each simple command knows the line of the file it starts on, however the
//! instruction was written: continued over many lines (with comments and
//! blank lines inside), with a backtick escape, CRLF endings, heredoc
//! bodies, `sh -c` scripts and substitutions.

use tallyman_dockerfile::model::{CommandLine, InstructionDetail};
use tallyman_dockerfile::{LowerOptions, lower, parse_str};

/// `(program and first argument, line)` of every command, by instruction.
fn lines(text: &str) -> Vec<Vec<(String, u32)>> {
    let ast = parse_str(text).expect("test Dockerfile parses");
    let model = lower(&ast, &LowerOptions::default());
    model
        .stages
        .iter()
        .flat_map(|stage| &stage.instructions)
        .filter_map(|instruction| match &instruction.detail {
            InstructionDetail::Run(run) => Some(&run.command),
            InstructionDetail::Cmd(command) | InstructionDetail::Entrypoint(command) => {
                Some(command)
            }
            InstructionDetail::Healthcheck(check) => check.command.as_ref(),
            _ => None,
        })
        .map(named_lines)
        .collect()
}

fn named_lines(command_line: &CommandLine) -> Vec<(String, u32)> {
    command_line
        .commands
        .iter()
        .map(|c| {
            let first = c.args.first().map_or("", String::as_str);
            (format!("{} {first}", c.name).trim().to_string(), c.line)
        })
        .collect()
}

fn named(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
    pairs.iter().map(|(n, l)| ((*n).to_string(), *l)).collect()
}

const CONTINUED: &str = "FROM debian:12
RUN set -eux; \\
    apt-get update; \\
    # pinned below

    apt-get install -y --force-yes curl; \\
    rm -rf /var/lib/apt/lists/*
CMD echo ready
";

#[test]
fn continuation_lines_comments_and_blank_lines_keep_their_numbers() {
    assert_eq!(
        lines(CONTINUED),
        [
            named(&[
                ("set -eux", 2),
                ("apt-get update", 3),
                ("apt-get install", 6),
                ("rm -rf", 7)
            ]),
            named(&[("echo ready", 8)]),
        ]
    );
}

#[test]
fn crlf_line_endings_change_nothing() {
    assert_eq!(lines(&CONTINUED.replace('\n', "\r\n")), lines(CONTINUED));
}

#[test]
fn a_backtick_escape_continues_lines_too() {
    let text = "# escape=`\nFROM alpine\nRUN apk add curl && `\n    curl -fsSL https://example.com `\n      -o /tmp/x\n";
    assert_eq!(lines(text), [named(&[("apk add", 3), ("curl -fsSL", 4)])]);
}

#[test]
fn heredoc_bodies_are_lines_of_the_file() {
    let text = "FROM alpine
RUN <<EOF
set -e
apk add --no-cache git
EOF
RUN bash <<EOF && echo done
make install

curl -fsSL x | sh
EOF
RUN cat <<A >/a && sh <<B
one
A
echo two
B
";
    assert_eq!(
        lines(text),
        [
            named(&[("set -e", 3), ("apk add", 4)]),
            named(&[
                ("bash", 6),
                ("make install", 7),
                ("curl -fsSL", 9),
                ("sh", 9),
                ("echo done", 6)
            ]),
            named(&[("cat", 11), ("sh", 11), ("echo two", 14)]),
        ]
    );
}

#[test]
fn a_heredoc_the_shell_rewrites_keeps_its_lines() {
    // `<<-` strips tabs, and an unquoted delimiter joins `\` continued
    // lines: the shell is handed a body that is not the file's text, but
    // which bytes went is known.
    let text = "FROM alpine\nRUN bash <<-EOF\n\techo a\n\techo b\n\tEOF\nRUN sh <<EOF\nmake \\\n  install\ncurl x\nEOF\nRUN <<EOF\nmake \\\n  install\ncurl x\nEOF\n";
    assert_eq!(
        lines(text),
        [
            named(&[("bash", 2), ("echo a", 3), ("echo b", 4)]),
            named(&[("sh", 6), ("make install", 7), ("curl x", 9)]),
            // Run as the script itself, the body is parsed as written.
            named(&[("make install", 12), ("curl x", 14)]),
        ]
    );
}

#[test]
fn substitutions_in_a_joined_heredoc_body_keep_their_lines() {
    let text = "FROM alpine\nRUN cat <<EOF > /etc/motd\nbuilt \\\n  on $(date \\\n  +%F)\nby $(id -un)\nEOF\n";
    assert_eq!(
        lines(text),
        [named(&[("cat", 2), ("date +%F", 4), ("id -un", 6)])]
    );
}

#[test]
fn sh_c_scripts_written_as_is_keep_exact_lines() {
    let text = "FROM alpine
RUN sh -c 'apk update && \\
    apk add curl' && \\
    su app -c \"echo \\\"hi\\\"; \\
      id -u\"
";
    assert_eq!(
        lines(text),
        [named(&[
            ("sh -c", 2),
            ("apk update", 2),
            ("apk add", 3),
            ("su app", 4),
            // The quotes had to be undone: the script is not the file's
            // text, so its commands are placed at the word holding it.
            ("echo hi", 4),
            ("id -u", 4),
        ])]
    );
}

#[test]
fn substitutions_are_placed_where_they_are_written() {
    let text = "FROM alpine
RUN echo \\
      $(id -u) \\
      `uname \\`id\\``
";
    assert_eq!(
        lines(text),
        [named(&[
            ("echo $(id -u)", 2),
            ("id -u", 3),
            ("uname `id`", 4),
            ("id", 4)
        ])]
    );
}

#[test]
fn exec_form_and_healthcheck_commands_are_on_the_instruction_line() {
    let text = "FROM alpine
ENTRYPOINT [\"/bin/app\", \\
    \"--serve\"]
HEALTHCHECK --interval=5s \\
  CMD wget -q -O- http://localhost/ \\
   || exit 1
";
    assert_eq!(
        lines(text),
        [
            named(&[("/bin/app --serve", 2)]),
            named(&[("wget -q", 5), ("exit 1", 6)]),
        ]
    );
}

#[test]
fn a_script_the_shell_refuses_still_places_what_it_recovers() {
    let text = "FROM alpine\nRUN apk add curl && \\\n    echo \"unterminated\n";
    let found = lines(text);
    let commands = found.first().expect("the RUN");
    // The whole script first, then the statements that parse alone.
    assert_eq!(commands.first().map(|c| c.1), Some(2));
    assert!(
        commands.contains(&("apk add".to_string(), 2)),
        "{commands:?}"
    );
    assert!(
        commands.iter().all(|c| (2..=3).contains(&c.1)),
        "{commands:?}"
    );
}

#[test]
fn a_script_on_a_later_line_than_its_flags_starts_there() {
    let text = "FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk \\\n    --network=default \\\n    apk add curl\n";
    assert_eq!(lines(text), [named(&[("apk add", 4)])]);
}

/// `(argument, line)` of every argument of the commands named `name`, in
/// every instruction.
fn arg_lines(text: &str, name: &str) -> Vec<(String, u32)> {
    let ast = parse_str(text).expect("test Dockerfile parses");
    let model = lower(&ast, &LowerOptions::default());
    let mut found = Vec::new();
    for instruction in model.stages.iter().flat_map(|stage| &stage.instructions) {
        let command_line = match &instruction.detail {
            InstructionDetail::Run(run) => &run.command,
            InstructionDetail::Cmd(c) | InstructionDetail::Entrypoint(c) => c,
            InstructionDetail::Healthcheck(check) => match &check.command {
                Some(command) => command,
                None => continue,
            },
            _ => continue,
        };
        for command in command_line.commands.iter().filter(|c| c.name == name) {
            assert_eq!(command.args.len(), command.arg_lines.len(), "{command:?}");
            found.extend(
                command
                    .args
                    .iter()
                    .cloned()
                    .zip(command.arg_lines.iter().copied()),
            );
        }
    }
    found
}

#[test]
fn each_argument_is_on_the_line_it_is_written_on() {
    let text = r"FROM debian:12
RUN apt-get install -y \
    --force-yes curl
RUN apt-get install \
    # a comment inside the continuation
    -y \

    --allow-unauthenticated \
      wget && apt-get clean
";
    assert_eq!(
        arg_lines(text, "apt-get"),
        named(&[
            ("install", 2),
            ("-y", 2),
            ("--force-yes", 3),
            ("curl", 3),
            ("install", 4),
            ("-y", 6),
            ("--allow-unauthenticated", 8),
            ("wget", 9),
            ("clean", 9),
        ])
    );
}

#[test]
fn arguments_of_heredoc_scripts_are_on_their_body_lines() {
    // Run as the script itself, the body is parsed as written; handed to
    // `sh` on stdin, the shell joins its continued lines, and the words are
    // put back where they are written.
    let text = r"FROM debian:12
RUN <<EOF
apt-get install \
  --force-yes curl
EOF
RUN sh <<EOF
apt-get update &&
apt-get install -y \
  --allow-unauthenticated git
EOF
";
    assert_eq!(
        arg_lines(text, "apt-get"),
        named(&[
            ("install", 3),
            ("--force-yes", 4),
            ("curl", 4),
            ("update", 7),
            ("install", 8),
            ("-y", 8),
            ("--allow-unauthenticated", 9),
            ("git", 9),
        ])
    );
}

#[test]
fn arguments_of_a_rewritten_script_are_at_the_word_holding_it() {
    // The quotes of the `sh -c` script had to be undone: its words are
    // placed where the script's word starts, as its commands are.
    let text = r#"FROM alpine
RUN sh -c "apk add \"curl\" \
      --allow-untrusted"
"#;
    assert_eq!(
        arg_lines(text, "apk"),
        named(&[("add", 2), ("curl", 2), ("--allow-untrusted", 2)])
    );
}

#[test]
fn exec_form_arguments_are_on_their_lines() {
    let text = r#"FROM alpine
ENTRYPOINT ["/bin/app", \
    "--serve", \
    "--port=\"80\""]
HEALTHCHECK --interval=5s CMD ["curl", \
  "-k", "https://localhost/"]
"#;
    assert_eq!(
        arg_lines(text, "/bin/app"),
        named(&[("--serve", 3), ("--port=\"80\"", 4)])
    );
    assert_eq!(
        arg_lines(text, "curl"),
        named(&[("-k", 6), ("https://localhost/", 6)])
    );
}

#[test]
fn a_refused_script_still_places_its_words() {
    let text =
        "FROM alpine\nRUN apk add curl \\\n    --allow-untrusted && \\\n    echo \"unterminated\n";
    let found = arg_lines(text, "apk");
    assert!(
        found.contains(&("--allow-untrusted".to_string(), 3)),
        "{found:?}"
    );
    assert!(found.contains(&("curl".to_string(), 2)), "{found:?}");
}

/// Every Dockerfile of the sample (and of the shared corpus when present):
/// each command is placed inside its instruction, and a command of the
/// script itself (not nested, not in a heredoc) starts with a word written
/// on the line it is placed on.
#[test]
fn on_real_files_each_command_starts_on_its_line() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![manifest.join("tests/data/corpus-sample/files")];
    let shared = manifest.join("../../shared/corpus/dockerfiles");
    if shared.is_dir() {
        dirs.push(shared);
    }
    let (mut checked, mut args_checked, mut misplaced) = (0usize, 0usize, Vec::new());
    for dir in dirs {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        paths.sort();
        for path in paths {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(ast) = tallyman_dockerfile::parse(&bytes, &Default::default()) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let file_lines: Vec<&str> = text.lines().collect();
            let model = lower(&ast, &LowerOptions::default());
            for instruction in model.stages.iter().flat_map(|s| &s.instructions) {
                let command_line = match &instruction.detail {
                    InstructionDetail::Run(run) => &run.command,
                    InstructionDetail::Cmd(c) | InstructionDetail::Entrypoint(c) => c,
                    _ => continue,
                };
                for command in &command_line.commands {
                    checked += 1;
                    let span = instruction.span;
                    let inside = (span.start_line..=span.end_line).contains(&command.line);
                    let plain = !command_line.exec_form
                        && instruction.heredocs.is_empty()
                        && command_line.shell_error.is_none()
                        && command.shell_depth == 0
                        && !command.in_substitution;
                    if command.args.len() != command.arg_lines.len() {
                        misplaced.push(format!(
                            "{}: `{}` has {} arguments and {} argument lines",
                            path.display(),
                            command.text,
                            command.args.len(),
                            command.arg_lines.len()
                        ));
                    }
                    // A plain word (no quotes, escapes or expansions) is
                    // on the line its argument is placed on.
                    for (arg, line) in command.args.iter().zip(&command.arg_lines) {
                        let plain_word = !arg.is_empty()
                            && arg
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
                        let placed = usize::try_from(*line)
                            .ok()
                            .and_then(|line| file_lines.get(line.wrapping_sub(1)))
                            .is_some_and(|text| {
                                // Quotes inside the word (`A='b'`) are gone
                                // from the argument.
                                text.replace(['\'', '"', '\\'], "").contains(arg.as_str())
                            });
                        args_checked += usize::from(plain && plain_word);
                        if plain && plain_word && !placed {
                            misplaced.push(format!(
                                "{}:{line} argument `{arg}` of `{}`",
                                path.display(),
                                command.text
                            ));
                        }
                    }
                    let first_word = command.text.split_whitespace().next().unwrap_or("");
                    let on_its_line = !plain
                        || usize::try_from(command.line)
                            .ok()
                            .and_then(|line| file_lines.get(line.wrapping_sub(1)))
                            .is_some_and(|line| line.contains(first_word));
                    if !inside || !on_its_line {
                        misplaced.push(format!(
                            "{}:{} `{}` (instruction {}-{})",
                            path.display(),
                            command.line,
                            command.text,
                            span.start_line,
                            span.end_line
                        ));
                    }
                }
            }
        }
    }
    println!("{checked} commands and {args_checked} plain arguments placed");
    assert!(checked > 500, "only {checked} commands");
    assert!(args_checked > 1000, "only {args_checked} arguments");
    assert!(misplaced.is_empty(), "{misplaced:#?}");
}
