//! The texts and key–value assignments of an instruction that the value
//! rules (SEC002, SEC003) look at.

use tallyman_sdk::model::{Instruction, InstructionDetail};

use crate::values::unquote;

/// A value assigned to a key somewhere in an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub key: String,
    /// As written (quotes kept where the source kept them).
    pub value: String,
}

/// Every text of the instruction a secret can be written in: the
/// instruction itself (continuation lines joined) and its heredoc bodies.
pub fn texts(instruction: &Instruction) -> impl Iterator<Item = &str> {
    std::iter::once(instruction.original.as_str()).chain(
        instruction
            .heredocs
            .iter()
            .map(|heredoc| heredoc.content.as_str()),
    )
}

/// The default of each `ARG` declaration as written (not expanded), by
/// name. BuildKit keeps `NAME=default` words in the instruction's args.
pub fn arg_defaults(instruction: &Instruction) -> Vec<(String, Option<String>)> {
    let Some(declarations) = instruction.as_arg() else {
        return Vec::new();
    };
    declarations
        .iter()
        .map(|declaration| {
            let written = instruction.args.iter().find_map(|arg| {
                arg.split_once('=')
                    .filter(|(name, _)| *name == declaration.name)
                    .map(|(_, value)| value.to_string())
            });
            let default = match (&declaration.default, written) {
                (None, _) => None,
                (Some(_), Some(written)) => Some(written),
                (Some(expanded), None) => Some(expanded.clone()),
            };
            (declaration.name.clone(), default)
        })
        .collect()
}

/// Every `key=value` the instruction assigns: `ENV`, `LABEL` and `ARG`
/// defaults; in `RUN`, prefix assignments (`TOKEN=x cmd`), `export`-style
/// assignments and `--flag=value` options; in heredoc bodies, lines of
/// `.env`, INI, YAML or JSON shape.
pub fn assignments(instruction: &Instruction) -> Vec<Assigned> {
    let mut found = Vec::new();
    match &instruction.detail {
        InstructionDetail::Env(pairs) | InstructionDetail::Label(pairs) => {
            found.extend(pairs.iter().map(|pair| Assigned {
                key: pair.key.clone(),
                value: pair.raw.clone(),
            }));
        }
        InstructionDetail::Arg(_) => {
            found.extend(
                arg_defaults(instruction)
                    .into_iter()
                    .filter_map(|(key, value)| value.map(|value| Assigned { key, value })),
            );
        }
        InstructionDetail::Run(run) => {
            for command in &run.command.commands {
                found.extend(command.assignments.iter().map(|pair| Assigned {
                    key: pair.key.clone(),
                    value: pair.value.clone(),
                }));
                found.extend(command_assignments(&command.name, &command.args));
            }
        }
        _ => {}
    }
    for heredoc in &instruction.heredocs {
        found.extend(heredoc.content.lines().filter_map(line_assignment));
    }
    found
}

/// `export K=V`, `env K=V cmd`, `--password=V`, `--token V`.
fn command_assignments(name: &str, args: &[String]) -> Vec<Assigned> {
    let mut found = Vec::new();
    let declares = matches!(
        name,
        "export" | "declare" | "typeset" | "local" | "readonly" | "env"
    );
    let mut words = args.iter().peekable();
    while let Some(word) = words.next() {
        if let Some(flag) = word.strip_prefix("--") {
            match flag.split_once('=') {
                Some((key, value)) => found.push(Assigned {
                    key: key.to_string(),
                    value: value.to_string(),
                }),
                None => {
                    if let Some(value) = words.peek().filter(|next| !next.starts_with('-')) {
                        found.push(Assigned {
                            key: flag.to_string(),
                            value: value.to_string(),
                        });
                    }
                }
            }
        } else if declares
            && !word.starts_with('-')
            && let Some((key, value)) = word.split_once('=')
        {
            found.push(Assigned {
                key: key.to_string(),
                value: value.to_string(),
            });
        }
    }
    found
}

/// A line of a configuration file: `KEY=value`, `export KEY=value`,
/// `key = value`, `key: value`, `"key": "value",`.
fn line_assignment(line: &str) -> Option<Assigned> {
    let line = line.trim();
    if line.starts_with('#') || (line.starts_with("//") && !line.contains(":_")) {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (key, value) = match line.split_once('=') {
        Some(pair) => pair,
        None => line.split_once(':')?,
    };
    let key = unquote(key.trim());
    let value = value.trim().trim_end_matches(',').trim();
    if key.is_empty() || key.contains(char::is_whitespace) || value.is_empty() {
        return None;
    }
    Some(Assigned {
        key: key.to_string(),
        value: value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_lines() {
        let pair = |line: &str| line_assignment(line).map(|a| (a.key, a.value));
        assert_eq!(
            pair("//registry.npmjs.org/:_authToken=abc"),
            Some(("//registry.npmjs.org/:_authToken".into(), "abc".into()))
        );
        assert_eq!(
            pair("password = s3cret"),
            Some(("password".into(), "s3cret".into()))
        );
        assert_eq!(
            pair("  \"api_key\": \"abc\","),
            Some(("api_key".into(), "\"abc\"".into()))
        );
        assert_eq!(pair("export TOKEN=x"), Some(("TOKEN".into(), "x".into())));
        assert_eq!(pair("# TOKEN=x"), None);
        assert_eq!(pair("just words"), None);
        assert_eq!(pair("key:"), None);
    }

    #[test]
    fn command_words() {
        let args: Vec<String> = ["--password=hunter2", "--token", "abc", "--verbose"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let found: Vec<(String, String)> = command_assignments("login", &args)
            .into_iter()
            .map(|a| (a.key, a.value))
            .collect();
        assert_eq!(
            found,
            [
                ("password".to_string(), "hunter2".to_string()),
                ("token".to_string(), "abc".to_string())
            ]
        );
        let exported = command_assignments("export", &["API_KEY=abc".to_string()]);
        assert_eq!(exported.len(), 1);
    }
}
