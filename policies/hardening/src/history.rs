//! Image history as commands: a history entry's `created_by` is the shell
//! command a `RUN` ran (`/bin/sh -c apt-get install ...`), with the build
//! arguments it saw when there were some (`|2 A=b C=d /bin/sh -c ...`) and
//! a `# buildkit` suffix from BuildKit. This module recovers the script and
//! splits it into [`SimpleCommand`]s the way the Dockerfile model does, so
//! the `RUN` rules' helpers apply to images too.
//!
//! The splitter is a small POSIX subset: quotes, backslashes, `&&`, `||`,
//! `|`, `;`, `&` and newlines, and `sh -c '...'` scripts one level deep per
//! nesting. What it cannot read (unbalanced quotes) it splits as far as it
//! can; it never fails.

use tallyman_sdk::Image;
use tallyman_sdk::model::{Connector, KeyValue, SimpleCommand};

/// What a history entry ran, when it ran a shell command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRun {
    /// `NAME=value` build arguments recorded before the command (`|N ...`).
    pub build_args: Vec<(String, String)>,
    /// The shell script.
    pub script: String,
}

const SHELL_PREFIXES: &[&str] = &["/bin/sh -c ", "/bin/bash -c ", "sh -c ", "bash -c "];
/// How many `sh -c '...'` levels are split.
const MAX_DEPTH: u32 = 3;

/// Reads a `created_by`; `None` for metadata-only entries (`#(nop) ENV ...`,
/// BuildKit's `ENV ...`, `COPY ...`).
pub fn parse_created_by(created_by: &str) -> Option<HistoryRun> {
    let mut text = created_by.trim();
    let buildkit_run = text.strip_prefix("RUN ");
    if let Some(rest) = buildkit_run {
        text = rest.trim_start();
    }
    if let Some(rest) = text.strip_suffix("# buildkit") {
        text = rest.trim_end();
    }
    let mut build_args = Vec::new();
    if let Some(rest) = text.strip_prefix('|') {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let count: usize = digits.parse().ok()?;
        let mut remaining = rest.get(digits.len()..)?.trim_start();
        for _ in 0..count {
            let end = remaining
                .find(char::is_whitespace)
                .unwrap_or(remaining.len());
            let word = remaining.get(..end)?;
            if let Some((name, value)) = word.split_once('=') {
                build_args.push((name.to_string(), value.to_string()));
            }
            remaining = remaining.get(end..)?.trim_start();
        }
        text = remaining;
    }
    let script = SHELL_PREFIXES
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))
        .or_else(|| buildkit_run.map(|_| text))?;
    let script = script.trim();
    if script.starts_with("#(nop)") {
        return None;
    }
    Some(HistoryRun {
        build_args,
        script: script.to_string(),
    })
}

/// The image's `RUN` steps, split into commands: `(step, commands)` with
/// steps counted from 1 over the whole history, as `docker history` lists
/// them oldest first.
pub fn run_steps(image: &Image) -> Vec<(usize, Vec<SimpleCommand>)> {
    image
        .history
        .iter()
        .enumerate()
        .filter_map(|(at, entry)| {
            parse_created_by(&entry.created_by).map(|run| (at + 1, split(&run.script)))
        })
        .collect()
}

/// One word or operator of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word {
        text: String,
        start: usize,
        end: usize,
    },
    Op(&'static str),
}

fn tokenize(script: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = script.char_indices().peekable();
    let mut word = String::new();
    let mut start: Option<usize> = None;
    let flush =
        |word: &mut String, start: &mut Option<usize>, end: usize, tokens: &mut Vec<Token>| {
            if let Some(begin) = start.take() {
                tokens.push(Token::Word {
                    text: std::mem::take(word),
                    start: begin,
                    end,
                });
            }
        };
    while let Some((at, c)) = chars.next() {
        match c {
            '\'' => {
                start.get_or_insert(at);
                for (_, inner) in chars.by_ref() {
                    if inner == '\'' {
                        break;
                    }
                    word.push(inner);
                }
            }
            '"' => {
                start.get_or_insert(at);
                while let Some((_, inner)) = chars.next() {
                    match inner {
                        '"' => break,
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                if !matches!(escaped, '"' | '\\' | '$' | '`') {
                                    word.push('\\');
                                }
                                word.push(escaped);
                            }
                        }
                        other => word.push(other),
                    }
                }
            }
            '\\' => {
                start.get_or_insert(at);
                match chars.next() {
                    Some((_, '\n')) | None => {}
                    Some((_, escaped)) => word.push(escaped),
                }
            }
            '&' | '|' | ';' | '\n' => {
                flush(&mut word, &mut start, at, &mut tokens);
                let doubled = chars
                    .peek()
                    .is_some_and(|(_, next)| *next == c && c != ';' && c != '\n');
                if doubled {
                    chars.next();
                }
                tokens.push(Token::Op(match (c, doubled) {
                    ('&', true) => "&&",
                    ('|', true) => "||",
                    ('|', false) => "|",
                    _ => ";",
                }));
            }
            c if c.is_whitespace() => flush(&mut word, &mut start, at, &mut tokens),
            other => {
                start.get_or_insert(at);
                word.push(other);
            }
        }
    }
    flush(&mut word, &mut start, script.len(), &mut tokens);
    tokens
}

fn is_assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then_some((name, value))
}

/// Splits a script into simple commands.
pub fn split(script: &str) -> Vec<SimpleCommand> {
    let mut out = Vec::new();
    split_into(script, 0, &mut 0, &mut out);
    out
}

fn split_into(script: &str, depth: u32, pipeline: &mut u32, out: &mut Vec<SimpleCommand>) {
    let mut connector = Connector::Start;
    let mut pipe_position = 0u32;
    let mut words: Vec<(String, usize, usize)> = Vec::new();
    let finish = |words: &mut Vec<(String, usize, usize)>,
                  connector: Connector,
                  pipeline: u32,
                  pipe_position: u32,
                  out: &mut Vec<SimpleCommand>| {
        if words.is_empty() {
            return;
        }
        let text_start = words.first().map_or(0, |w| w.1);
        let text_end = words.last().map_or(0, |w| w.2);
        let text = script
            .get(text_start..text_end)
            .unwrap_or_default()
            .to_string();
        let mut assignments = Vec::new();
        let mut rest = words.drain(..).map(|(w, _, _)| w).peekable();
        while let Some((name, value)) = rest.peek().and_then(|w| is_assignment(w)) {
            assignments.push(KeyValue {
                key: name.to_string(),
                value: value.to_string(),
            });
            rest.next();
        }
        let name = rest.next().unwrap_or_default();
        let args: Vec<String> = rest.collect();
        let nested = (matches!(
            name.rsplit('/').next(),
            Some("sh" | "bash" | "dash" | "ash")
        ) && depth < MAX_DEPTH)
            .then(|| {
                args.iter()
                    .position(|a| a == "-c")
                    .and_then(|i| args.get(i + 1))
                    .cloned()
            })
            .flatten();
        out.push(SimpleCommand {
            name,
            args,
            assignments,
            text,
            // An image's history has no file to point into.
            line: 0,
            arg_lines: Vec::new(),
            pipeline,
            pipe_position,
            in_substitution: false,
            shell_depth: depth,
            negated: false,
            in_condition: false,
            connector,
        });
        if let Some(inner) = nested {
            let mut inner_pipeline = pipeline.saturating_add(1000);
            split_into(&inner, depth + 1, &mut inner_pipeline, out);
        }
    };
    for token in tokenize(script) {
        match token {
            Token::Word { text, start, end } => words.push((text, start, end)),
            Token::Op("|") => {
                finish(&mut words, connector, *pipeline, pipe_position, out);
                pipe_position = pipe_position.saturating_add(1);
            }
            Token::Op(op) => {
                finish(&mut words, connector, *pipeline, pipe_position, out);
                *pipeline = pipeline.saturating_add(1);
                pipe_position = 0;
                connector = match op {
                    "&&" => Connector::And,
                    "||" => Connector::Or,
                    _ => Connector::Sequence,
                };
            }
        }
    }
    finish(&mut words, connector, *pipeline, pipe_position, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_buildkit_and_classic_entries() {
        let run =
            parse_created_by("RUN |2 NPM_TOKEN=abc B=c /bin/sh -c npm ci # buildkit").unwrap();
        assert_eq!(
            run.build_args,
            vec![("NPM_TOKEN".into(), "abc".into()), ("B".into(), "c".into())]
        );
        assert_eq!(run.script, "npm ci");
        let classic = parse_created_by("/bin/sh -c apt-get update").unwrap();
        assert_eq!(classic.script, "apt-get update");
        assert!(parse_created_by("/bin/sh -c #(nop)  ENV A=b").is_none());
        assert!(parse_created_by("ENV A=b").is_none());
        assert!(parse_created_by("COPY . . # buildkit").is_none());
        assert!(parse_created_by("|9 A=b").is_none());
        assert!(parse_created_by("|x").is_none());
    }

    #[test]
    fn splits_pipelines_and_lists() {
        let commands = split(
            "curl -fsSL 'https://x/y.sh' | sh && A=1 sudo apt-get install -y x; echo \"a b\"",
        );
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["curl", "sh", "sudo", "echo"]);
        assert_eq!(commands[1].pipe_position, 1);
        assert_eq!(commands[0].pipeline, commands[1].pipeline);
        assert_eq!(commands[2].assignments[0].key, "A");
        assert_eq!(commands[3].args, ["a b"]);
        assert_eq!(commands[0].args, ["-fsSL", "https://x/y.sh"]);
    }

    #[test]
    fn splits_nested_shell_scripts_and_survives_bad_quotes() {
        let commands = split("sh -c 'wget -qO- http://x | bash'");
        assert!(
            commands
                .iter()
                .any(|c| c.name == "bash" && c.shell_depth == 1 && c.pipe_position == 1)
        );
        for odd in ["'unterminated", "\"x", "\\", "|||", "&&&", ";;", ""] {
            let _ = split(odd);
        }
    }
}
