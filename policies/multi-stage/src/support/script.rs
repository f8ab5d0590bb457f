//! What a `RUN` script sees: its shell variables, the Dockerfile's `ENV`
//! and `ARG` values, and its working directory.

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};

/// A `RUN`'s commands with where they run, for looking up variables.
#[derive(Debug, Clone, Copy)]
pub struct Script<'a> {
    pub dockerfile: &'a Dockerfile,
    pub stage: &'a Stage,
    pub instruction: &'a Instruction,
    pub commands: &'a [SimpleCommand],
}

impl<'a> Script<'a> {
    pub fn new(dockerfile: &'a Dockerfile, stage: &'a Stage, instruction: &'a Instruction) -> Self {
        Script {
            dockerfile,
            stage,
            instruction,
            commands: instruction.run_commands(),
        }
    }

    /// The value `name` has when command `at` runs: set earlier in the
    /// script (`NAME=value`, `export NAME=value`), else by an `ENV` or an
    /// `ARG` default of the stage. `None` when it cannot be known.
    pub fn variable(&self, at: usize, name: &str) -> Option<String> {
        let earlier = self.commands.get(..at).unwrap_or_default();
        for command in earlier.iter().rev() {
            if command.name.is_empty() {
                if let Some(value) = command.assignment(name) {
                    return Some(value.to_string());
                }
            } else if matches!(
                command.name.as_str(),
                "export" | "declare" | "typeset" | "readonly" | "local"
            ) && let Some(value) = command
                .args
                .iter()
                .find_map(|arg| arg.strip_prefix(name)?.strip_prefix('='))
            {
                return Some(value.to_string());
            }
        }
        let line = self.instruction.line();
        if let Some(value) = self.dockerfile.env_before(self.stage, line, name) {
            return Some(value.to_string());
        }
        let declaration = self
            .stage
            .instructions
            .iter()
            .filter(|instruction| instruction.line() < line)
            .filter_map(|instruction| instruction.as_arg())
            .flatten()
            .rev()
            .find(|declaration| declaration.name == name)?;
        // `ARG NAME` without a default takes the global `ARG`'s value.
        declaration.default.clone().or_else(|| {
            self.dockerfile
                .global_args
                .iter()
                .filter_map(|instruction| instruction.as_arg())
                .flatten()
                .rev()
                .find(|global| global.name == name)
                .and_then(|global| global.default.clone())
        })
    }

    /// The words `word` stands for when command `at` runs: itself without
    /// variables, or with them expanded and split at whitespace. `None`
    /// when a variable's value or a command substitution cannot be known.
    pub fn expand(&self, at: usize, word: &str) -> Option<Vec<String>> {
        if !word.contains('$') && !word.contains('`') {
            return Some(vec![word.to_string()]);
        }
        if word.contains("$(") || word.contains('`') {
            return None;
        }
        let mut out = String::new();
        let mut rest = word;
        while let Some(at_dollar) = rest.find('$') {
            out.push_str(rest.get(..at_dollar)?);
            let after = rest.get(at_dollar + 1..)?;
            let (name, default, tail) = if let Some(braced) = after.strip_prefix('{') {
                let end = braced.find('}')?;
                let inner = braced.get(..end)?;
                // `${NAME:-default}` and `${NAME-default}`.
                let (name, default) = match inner.find('-') {
                    Some(dash) => (
                        inner.get(..dash)?.trim_end_matches(':'),
                        Some(inner.get(dash + 1..)?),
                    ),
                    None => (inner, None),
                };
                (name, default, braced.get(end + 1..)?)
            } else {
                let end = after
                    .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                    .unwrap_or(after.len());
                (after.get(..end)?, None, after.get(end..)?)
            };
            if name.is_empty() || !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
                return None;
            }
            match (self.variable(at, name), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) if !default.contains('$') => out.push_str(default),
                (None, _) => return None,
            }
            rest = tail;
        }
        out.push_str(rest);
        Some(out.split_whitespace().map(str::to_string).collect())
    }

    /// The directory command `at` runs in: the stage's `WORKDIR`, changed by
    /// `cd` commands earlier in the script. `None` after a `cd` to a place
    /// that cannot be known.
    pub fn directory(&self, at: usize) -> Option<String> {
        let mut directory = working_directory(self.dockerfile, self.stage, self.instruction.line());
        let depth = self
            .commands
            .get(at)
            .map_or(0, |command| command.shell_depth);
        for (index, command) in self.commands.iter().enumerate().take(at) {
            if command.name != "cd" || command.in_substitution || command.shell_depth > depth {
                continue;
            }
            let target = command.args.iter().find(|arg| !arg.starts_with('-'))?;
            let target = self.expand(index, target)?.into_iter().next()?;
            directory = join(&directory, &target);
        }
        Some(directory)
    }
}

/// The working directory at `line` of `stage`: its `WORKDIR`s and those of
/// the stages it is built on, `/` without any.
pub fn working_directory(dockerfile: &Dockerfile, stage: &Stage, line: u32) -> String {
    let mut directory = "/".to_string();
    let chain = dockerfile.ancestry(stage);
    for ancestor in chain.iter().rev() {
        for instruction in &ancestor.instructions {
            if ancestor.index == stage.index && instruction.line() >= line {
                break;
            }
            if let Some(path) = instruction.as_workdir() {
                directory = join(&directory, path);
            }
        }
    }
    directory
}

/// `path` resolved against `base`, normalised (no `.`, `..`, repeated or
/// trailing `/`).
pub fn join(base: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base}/{path}")
    };
    normalize(&full)
}

/// An absolute path without `.`, `..`, repeated or trailing `/`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_normalise() {
        assert_eq!(join("/src", "app"), "/src/app");
        assert_eq!(join("/src", "/out/"), "/out");
        assert_eq!(join("/src/a", "../b/./c"), "/src/b/c");
        assert_eq!(join("/", ".."), "/");
        assert_eq!(normalize("//a//b/"), "/a/b");
    }
}
