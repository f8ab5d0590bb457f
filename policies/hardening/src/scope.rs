//! Where an instruction stands: whether its stage ships, what it inherits
//! from the stages it is built on, and what a variable holds at that point.

use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{Instruction, SimpleCommand, Stage};

use crate::commands::{assignments, is_top_level};
use crate::settings::Settings;

/// The stages whose filesystem and configuration end up in the image: the
/// final stage (the `target` setting, or the host's target) and the stages
/// it is built on with `FROM <stage>`. A stage used only through
/// `COPY --from` ships only the files copied, which these rules cannot see.
pub fn shipping_stages<'a>(dockerfile: &'a Dockerfile, settings: &Settings) -> Vec<&'a Stage> {
    dockerfile
        .final_stage(settings.target.as_deref())
        .map(|stage| dockerfile.ancestry(stage))
        .unwrap_or_default()
}

/// A stage in which nothing runs by itself: based on `scratch`, with no
/// `CMD` or `ENTRYPOINT` of its own or inherited. It is an export stage
/// (`FROM scratch AS binaries`, built with `--output`) or a base image that
/// other Dockerfiles build on (the chiseled .NET `runtime-deps` images).
pub fn is_export_stage(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    dockerfile.root_base(stage).is_scratch()
        && dockerfile.inherited_instruction(stage, "CMD").is_none()
        && dockerfile
            .inherited_instruction(stage, "ENTRYPOINT")
            .is_none()
}

/// The instructions that come before `line` for `stage`: every
/// instruction of the stages it is built on, then its own before `line`.
pub fn instructions_before<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    line: u32,
) -> Vec<&'a Instruction> {
    let mut chain = dockerfile.ancestry(stage);
    chain.reverse();
    chain
        .into_iter()
        .flat_map(|ancestor| {
            ancestor.instructions.iter().filter(move |instruction| {
                ancestor.index != stage.index || instruction.line() < line
            })
        })
        .collect()
}

/// The `SHELL` in effect at `line` of `stage` (its words), if any was set.
pub fn shell_before<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    line: u32,
) -> Option<&'a [String]> {
    instructions_before(dockerfile, stage, line)
        .into_iter()
        .rev()
        .find_map(Instruction::as_shell)
}

/// The stage builds a Windows image: its base is a Windows image, or the
/// file uses the backtick escape Windows Dockerfiles use. Shell rules do
/// not apply there (`cmd` and PowerShell are the shells).
pub fn is_windows(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    if dockerfile.escape_char == "`" {
        return true;
    }
    let base = dockerfile.root_base(stage).expanded.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore", "ltsc20"]
        .iter()
        .any(|word| base.contains(word))
}

/// What a variable holds for a command of a `RUN`: set earlier in the same
/// script (`PKGS="a b"; export VER=1`), by an `ENV` of the stage or the
/// stages it is built on, or by an `ARG` default. `None` when it cannot be
/// known (a loop variable, a `--build-arg` without default, a value
/// computed at build time).
pub fn variable<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    instruction: &'a Instruction,
    earlier_commands: &'a [SimpleCommand],
    name: &str,
) -> Option<&'a str> {
    let in_script = earlier_commands
        .iter()
        .rev()
        .filter(|command| is_top_level(command) && command.name != "env")
        .find_map(|command| {
            assignments(command)
                .into_iter()
                .rev()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value)
        });
    if in_script.is_some() {
        return in_script;
    }
    if let Some(value) = dockerfile.env_before(stage, instruction.line(), name) {
        return Some(value);
    }
    arg_default(dockerfile, stage, instruction.line(), name)
}

/// The default of the last `ARG name` of `stage` before `line`; a
/// redeclared global `ARG` without a default takes the global default.
fn arg_default<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    line: u32,
    name: &str,
) -> Option<&'a str> {
    let declaration = stage
        .instructions
        .iter()
        .filter(|instruction| instruction.line() < line)
        .filter_map(Instruction::as_arg)
        .flatten()
        .rfind(|declaration| declaration.name == name)?;
    if let Some(default) = &declaration.default {
        return Some(default);
    }
    dockerfile
        .global_args
        .iter()
        .filter_map(Instruction::as_arg)
        .flatten()
        .rfind(|global| global.name == name)
        .and_then(|global| global.default.as_deref())
}

/// A word with its variable references replaced by `lookup`'s values.
///
/// A word that is one reference (`$PACKAGES`, `"${PACKAGES}"`) becomes the
/// words of the value; `None` when that value is unknown. In a longer word
/// (`foo=$VERSION`, `python${PY}-dev`) known references are replaced and
/// unknown ones kept as written. A command substitution makes the word
/// unknown.
pub fn expand_word<'a>(
    word: &str,
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> Option<Vec<String>> {
    // A command substitution is computed at build time.
    if word.contains("$(") || word.contains('`') {
        return None;
    }
    if let Some(name) = sole_reference(word) {
        return lookup(name).map(|value| value.split_whitespace().map(str::to_string).collect());
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        let (name, consumed) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (braced.get(..end).unwrap_or_default(), end + 2),
                None => ("", 0),
            },
            None => {
                let end = after
                    .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                    .unwrap_or(after.len());
                (after.get(..end).unwrap_or_default(), end)
            }
        };
        match lookup(name).filter(|_| !name.is_empty()) {
            Some(value) => out.push_str(value),
            None => out.push_str(rest.get(at..at + 1 + consumed).unwrap_or("$")),
        }
        rest = after.get(consumed..).unwrap_or_default();
    }
    out.push_str(rest);
    Some(vec![out])
}

/// The variable name when `word` is exactly `$NAME` or `${NAME}`.
fn sole_reference(word: &str) -> Option<&str> {
    let name = word.strip_prefix('$')?;
    let name = match name.strip_prefix('{') {
        Some(braced) => braced.strip_suffix('}')?,
        None => name,
    };
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<&'static str> {
        match name {
            "PKGS" => Some("curl git=1:2.39"),
            "VER" => Some("1.2"),
            _ => None,
        }
    }

    #[test]
    fn sole_references_become_the_value_words() {
        assert_eq!(
            expand_word("$PKGS", lookup),
            Some(vec!["curl".to_string(), "git=1:2.39".to_string()])
        );
        assert_eq!(expand_word("${PKGS}", lookup).map(|w| w.len()), Some(2));
        assert_eq!(expand_word("$UNKNOWN", lookup), None);
        assert_eq!(expand_word("$(cat /tmp/list)", lookup), None);
        assert_eq!(expand_word("pkg=`cat v`", lookup), None);
    }

    #[test]
    fn references_inside_words_are_replaced_when_known() {
        assert_eq!(
            expand_word("foo=$VER", lookup),
            Some(vec!["foo=1.2".to_string()])
        );
        assert_eq!(
            expand_word("python${PY}-dev", lookup),
            Some(vec!["python${PY}-dev".to_string()])
        );
        assert_eq!(expand_word("a$", lookup), Some(vec!["a$".to_string()]));
        assert_eq!(
            expand_word("${VER", lookup),
            Some(vec!["${VER".to_string()])
        );
        // A name ends at the first character that cannot be in one, as in sh.
        assert_eq!(
            expand_word("é$VERé", lookup),
            Some(vec!["é1.2é".to_string()])
        );
        assert_eq!(
            expand_word("é${VER}é", lookup),
            Some(vec!["é1.2é".to_string()])
        );
    }
}
