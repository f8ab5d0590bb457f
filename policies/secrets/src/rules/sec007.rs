use tallyman_sdk::model::SimpleCommand;
use tallyman_sdk::{Dockerfile, Finding};

use crate::files::{basename, is_within, secret_file};
use crate::rules::sec004::secret_copies;
use crate::settings::{Settings, glob_matches};
use crate::support::{Walk, secret_id, shipping_stages};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that deletes a secret file (see SEC004 for which files)
    /// that an earlier instruction wrote: copied in with `COPY`/`ADD`, or
    /// written by a `RUN` (a redirection such as `> ~/.npmrc`, `tee`, `cp`,
    /// `ssh-keygen -f`, `npm config set …_authToken`, `docker login`,
    /// `aws configure`).
    ///
    /// Writing and deleting in the same `RUN` is fine and not flagged. Only
    /// stages that ship are checked (the final stage and the stages it is
    /// built on).
    ///
    /// ## Why is this bad?
    /// Each instruction is a layer, and a layer cannot change the ones below
    /// it: `rm` in a later step only hides the file. It is still in the
    /// image, one `docker save` and `tar x` away.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY .npmrc /root/.npmrc
    /// RUN npm ci
    /// RUN rm /root/.npmrc
    /// ```
    ///
    /// ## Fix
    /// Mount the file for the step that needs it; there is nothing to delete:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    pub const SEC007 = {
        id: "SEC007",
        title: "Secret file deleted in a later layer",
        severity: High,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

/// A secret file an instruction wrote.
struct Written {
    path: String,
    line: u32,
    keyword: String,
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let shipping = shipping_stages(dockerfile, settings);
    let Some(root) = shipping.first() else {
        return;
    };
    let mut walk = Walk::at_start(dockerfile, root);
    let mut written: Vec<Written> = Vec::new();
    for stage in &shipping {
        for instruction in &stage.instructions {
            if let Some(copy) = instruction.as_copy_or_add() {
                written.extend(
                    secret_copies(instruction, copy, &walk)
                        .into_iter()
                        .map(|secret| Written {
                            path: secret.destination,
                            line: instruction.line(),
                            keyword: instruction.keyword.clone(),
                        }),
                );
            }
            for command in instruction.run_commands() {
                for deleted in deleted_paths(command, &walk) {
                    let mut index = 0;
                    while let Some(entry) = written.get(index) {
                        let matches = is_within(&entry.path, &deleted)
                            || (deleted.contains('*') && glob_matches(&deleted, &entry.path));
                        if !matches {
                            index += 1;
                            continue;
                        }
                        if entry.line != instruction.line() {
                            findings.push(
                                Finding::at(&SEC007, (*stage, instruction))
                                    .message(format!(
                                        "RUN deletes `{}`, which {} on line {} wrote: the file \
                                         stays in that layer, and in the image",
                                        entry.path, entry.keyword, entry.line
                                    ))
                                    .fix(format!(
                                        "don't write it to a layer: mount it only for the RUN \
                                         that needs it, `RUN --mount=type=secret,id={},target={} \
                                         ...`, or write, use and delete it in one RUN",
                                        secret_id(&entry.path),
                                        entry.path
                                    )),
                            );
                        }
                        written.remove(index);
                    }
                }
                written.extend(
                    written_paths(command, &walk)
                        .into_iter()
                        .filter(|path| secret_file(path).is_some())
                        .map(|path| Written {
                            path,
                            line: instruction.line(),
                            keyword: instruction.keyword.clone(),
                        }),
                );
            }
            walk.apply(instruction);
        }
    }
}

/// The files a command deletes (`rm`, `unlink`, `shred -u`), resolved.
fn deleted_paths(command: &SimpleCommand, walk: &Walk) -> Vec<String> {
    let program = command.command();
    let deletes = program.is_any(&["rm", "unlink"])
        || (program.is("shred") && program.has_flag(&["-u", "--remove"]));
    if !deletes {
        return Vec::new();
    }
    program
        .operands()
        .into_iter()
        .filter(|operand| resolvable(operand))
        .map(|operand| walk.resolve(operand))
        .collect()
}

/// The files a command writes, resolved.
fn written_paths(command: &SimpleCommand, walk: &Walk) -> Vec<String> {
    let mut paths: Vec<String> = redirect_targets(&command.text);
    let program = command.command();
    let operands = program.operands();
    if program.is("tee") {
        paths.extend(operands.iter().map(|operand| operand.to_string()));
    } else if program.is_any(&["cp", "mv", "install"])
        && let Some((destination, sources)) = operands.split_last()
        && !sources.is_empty()
    {
        paths.push(destination.to_string());
        paths.extend(
            sources.iter().map(|source| {
                format!("{}/{}", destination.trim_end_matches('/'), basename(source))
            }),
        );
    } else if program.is("ssh-keygen")
        && let Some(file) = program.flag_value(&["-f"])
    {
        paths.push(file.to_string());
    } else if program.is_any(&["npm", "pnpm", "yarn"]) {
        let sets_auth = operands
            .first()
            .is_some_and(|sub| *sub == "config" || *sub == "set")
            && command.args.iter().any(|arg| {
                let arg = arg.to_ascii_lowercase();
                arg.contains("_auth") || arg.contains("token")
            });
        let logs_in = operands
            .first()
            .is_some_and(|sub| matches!(*sub, "login" | "adduser"));
        if sets_auth || logs_in {
            paths.push("~/.npmrc".to_string());
        }
    } else if program.is("docker") && operands.first() == Some(&"login") {
        paths.push("~/.docker/config.json".to_string());
    } else if program.is("aws") && operands.first() == Some(&"configure") {
        paths.push("~/.aws/credentials".to_string());
    }
    paths
        .into_iter()
        .filter(|path| resolvable(path) && !path.starts_with("/dev/"))
        .map(|path| walk.resolve(&path))
        .collect()
}

/// A path this policy can place: no variables other than `$HOME`.
fn resolvable(path: &str) -> bool {
    let rest = path
        .strip_prefix("${HOME}")
        .or_else(|| path.strip_prefix("$HOME"))
        .unwrap_or(path);
    !rest.is_empty() && !rest.contains('$') && !rest.contains('`')
}

/// The targets of output redirections in a command's text (`> file`,
/// `>> file`, `&> file`), outside quotes; `2>&1` duplicates a descriptor
/// and has none.
fn redirect_targets(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut targets = Vec::new();
    let mut quote: Option<char> = None;
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        at += 1;
        match (quote, c) {
            (Some(open), _) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\\') => at += 1,
            (None, '\'' | '"') => quote = Some(c),
            (None, '>') => {
                if matches!(chars.get(at), Some('>' | '|')) {
                    at += 1;
                }
                if chars.get(at) == Some(&'&') {
                    continue;
                }
                while chars.get(at).is_some_and(|c| c.is_whitespace()) {
                    at += 1;
                }
                let mut word = String::new();
                let mut word_quote: Option<char> = None;
                while let Some(&c) = chars.get(at) {
                    match (word_quote, c) {
                        (Some(open), _) if c == open => word_quote = None,
                        (Some(_), _) => word.push(c),
                        (None, '\'' | '"') => word_quote = Some(c),
                        (None, c) if c.is_whitespace() || ";|&<>()".contains(c) => break,
                        (None, c) => word.push(c),
                    }
                    at += 1;
                }
                if !word.is_empty() {
                    targets.push(word);
                }
            }
            _ => {}
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirections() {
        assert_eq!(
            redirect_targets("echo \"//r/:_authToken=$T\" > ~/.npmrc"),
            ["~/.npmrc"]
        );
        assert_eq!(
            redirect_targets("printf x >>'/root/.netrc' 2>&1"),
            ["/root/.netrc"]
        );
        assert_eq!(redirect_targets("cmd &> log.txt"), ["log.txt"]);
        assert_eq!(redirect_targets("echo '>' x"), Vec::<String>::new());
        assert_eq!(redirect_targets("a 2>&1 >/dev/null"), ["/dev/null"]);
        assert_eq!(redirect_targets("é > é"), ["é"]);
    }

    #[test]
    fn resolvable_paths() {
        assert!(resolvable("$HOME/.npmrc"));
        assert!(resolvable("/root/.npmrc"));
        assert!(!resolvable("$NPMRC"));
        assert!(!resolvable("${DIR}/.npmrc"));
    }
}
