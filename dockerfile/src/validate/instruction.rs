//! One instruction checked as BuildKit's `ParseInstruction` checks it
//! (`frontend/dockerfile/instructions/parse.go`), in the same order, so that
//! the first problem reported is the one BuildKit reports.

use super::flags::{self, FlagSpec};
use super::refusal::Refusal;
use super::{go, healthcheck, run};
use crate::ast::Node;
use crate::parser::ParseErrorKind;
use crate::parser::heredoc::parse_opener;

/// BuildKit's `command.Commands`, upper case as `allInstructionNames` gives them.
const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

pub(crate) fn check(node: &Node, escape: char) -> Result<(), Refusal> {
    let args = node.args.as_slice();
    match node.keyword.as_str() {
        "env" => {
            no_flags("ENV", node)?;
            key_values("ENV", args)
        }
        "maintainer" => {
            exactly_one(
                "MAINTAINER",
                args,
                "a name (MAINTAINER is deprecated: prefer `LABEL org.opencontainers.image.authors=...`)",
            )?;
            no_flags("MAINTAINER", node)
        }
        "label" => {
            no_flags("LABEL", node)?;
            key_values("LABEL", args)
        }
        "add" => sources_and_destination("ADD", node, flags::ADD),
        "copy" => sources_and_destination("COPY", node, flags::COPY),
        "from" => {
            stage_name(args)?;
            flags::parse("FROM", &node.flags, flags::FROM).map(drop)
        }
        "onbuild" => onbuild(node),
        "workdir" => {
            exactly_one("WORKDIR", args, "a path")?;
            no_flags("WORKDIR", node)
        }
        "run" => run::check(node),
        "cmd" => no_flags("CMD", node),
        "entrypoint" => no_flags("ENTRYPOINT", node),
        "healthcheck" => healthcheck::check(node),
        "expose" => {
            at_least_one("EXPOSE", args, "one port")?;
            no_flags("EXPOSE", node)
        }
        "user" => {
            exactly_one("USER", args, "a user name or id")?;
            no_flags("USER", node)
        }
        "volume" => volume(node),
        // BuildKit reads no flags of STOPSIGNAL and ARG, so it ignores any.
        "stopsignal" => exactly_one("STOPSIGNAL", args, "a signal"),
        "arg" => arg(args),
        "shell" => shell(node),
        _ => Err(unknown_instruction(node, escape)),
    }
}

fn no_flags(keyword: &str, node: &Node) -> Result<(), Refusal> {
    flags::parse(keyword, &node.flags, flags::NONE).map(drop)
}

fn unknown_instruction(node: &Node, escape: char) -> Refusal {
    let written = node.keyword_as_written.as_str();
    let reason = match go::suggestion(written, INSTRUCTIONS, false) {
        Some(instruction) => {
            format!("`{written}` is not a Dockerfile instruction; did you mean `{instruction}`?")
        }
        None => format!(
            "`{written}` is not a Dockerfile instruction; if this line continues the previous instruction, end that line with `{escape}`"
        ),
    };
    Refusal::new(
        ParseErrorKind::UnknownInstruction,
        reason,
        go::with_suggestion(
            format!("unknown instruction: {written}"),
            written,
            INSTRUCTIONS,
            false,
        ),
    )
}

fn exactly_one(keyword: &str, args: &[String], what: &str) -> Result<(), Refusal> {
    if args.len() == 1 {
        return Ok(());
    }
    Err(Refusal::new(
        ParseErrorKind::ArgumentCount,
        format!("{keyword} needs {what}"),
        format!("{keyword} requires exactly one argument"),
    ))
}

fn at_least_one(keyword: &str, args: &[String], what: &str) -> Result<(), Refusal> {
    if !args.is_empty() {
        return Ok(());
    }
    Err(Refusal::new(
        ParseErrorKind::ArgumentCount,
        format!("{keyword} needs at least {what}"),
        format!("{keyword} requires at least one argument"),
    ))
}

/// `parseKvps`: `ENV`/`LABEL` arguments come as `name value separator` triples.
fn key_values(keyword: &str, args: &[String]) -> Result<(), Refusal> {
    at_least_one(keyword, args, "one `name=value`")?;
    if args
        .chunks(3)
        .any(|triple| triple.first().is_none_or(String::is_empty))
    {
        return Err(blank_name(keyword));
    }
    Ok(())
}

fn blank_name(keyword: &str) -> Refusal {
    Refusal::new(
        ParseErrorKind::BlankName,
        format!("{keyword} has a `=value` with no name before the `=`"),
        format!("{keyword} names can not be blank"),
    )
}

/// `parseAdd`/`parseCopy` and `parseSourcesAndDest`.
fn sources_and_destination(keyword: &str, node: &Node, specs: &[FlagSpec]) -> Result<(), Refusal> {
    if node.args.len() < 2 {
        return Err(Refusal::new(
            ParseErrorKind::ArgumentCount,
            format!("{keyword} needs at least one source and a destination"),
            format!(
                "{keyword} requires at least two arguments, but only one was provided. Destination could not be determined"
            ),
        ));
    }
    flags::parse(keyword, &node.flags, specs)?;
    let destination = node.args.last().map_or("", String::as_str);
    if matches!(parse_opener(destination), Ok(Some(_))) {
        return Err(Refusal::new(
            ParseErrorKind::HeredocDestination,
            format!(
                "{keyword}'s last argument is its destination, and `{destination}` is a heredoc: add a destination path after it"
            ),
            format!("{keyword} cannot accept a heredoc as a destination"),
        ));
    }
    Ok(())
}

/// BuildKit's `validStageName`: `^[a-z][a-z0-9-_.]*$` on the lower-cased name.
fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// `parseBuildStageName`.
fn stage_name(args: &[String]) -> Result<(), Refusal> {
    match args {
        [_, as_keyword, name] if as_keyword.eq_ignore_ascii_case("as") => {
            if is_valid_stage_name(&name.to_lowercase()) {
                return Ok(());
            }
            let hint = if name.contains('$') {
                "; stage names are never expanded, so a variable cannot name a stage"
            } else {
                ""
            };
            Err(Refusal::new(
                ParseErrorKind::InvalidStageName,
                format!(
                    "stage name `{name}` must start with a letter and hold only letters, digits, `-`, `_` and `.`{hint}"
                ),
                format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    go::quote(name)
                ),
            ))
        }
        [_] => Ok(()),
        _ => Err(Refusal::new(
            ParseErrorKind::ArgumentCount,
            "FROM takes an image and, optionally, `AS <name>`: `FROM <image> [AS <name>]`",
            "FROM requires either one or three arguments",
        )),
    }
}

/// `parseOnBuild`: BuildKit checks the trigger's keyword now, the rest when
/// an image is built from this one.
fn onbuild(node: &Node) -> Result<(), Refusal> {
    let Some(sub) = node.sub.as_deref() else {
        return Err(Refusal::new(
            ParseErrorKind::ArgumentCount,
            "ONBUILD needs the instruction to run in images built from this one",
            "ONBUILD requires at least one argument",
        ));
    };
    no_flags("ONBUILD", node)?;
    let trigger = sub.keyword_as_written.trim().to_uppercase();
    match trigger.as_str() {
        "ONBUILD" => Err(Refusal::new(
            ParseErrorKind::InvalidOnbuild,
            "ONBUILD cannot hold another ONBUILD",
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        )),
        "MAINTAINER" | "FROM" => Err(Refusal::new(
            ParseErrorKind::InvalidOnbuild,
            format!("{trigger} cannot be an ONBUILD trigger"),
            format!("{trigger} isn't allowed as an ONBUILD trigger"),
        )),
        _ => Ok(()),
    }
}

/// `parseVolume`.
fn volume(node: &Node) -> Result<(), Refusal> {
    at_least_one("VOLUME", &node.args, "one path")?;
    no_flags("VOLUME", node)?;
    if node.args.iter().any(|path| path.trim().is_empty()) {
        return Err(Refusal::new(
            ParseErrorKind::EmptyVolume,
            "VOLUME has an empty path",
            "VOLUME specified can not be an empty string",
        ));
    }
    Ok(())
}

/// `parseArg`: names are checked; values are kept as written.
fn arg(args: &[String]) -> Result<(), Refusal> {
    at_least_one("ARG", args, "one name")?;
    if args.iter().any(|arg| arg.starts_with('=')) {
        return Err(blank_name("ARG"));
    }
    Ok(())
}

/// `parseShell`.
fn shell(node: &Node) -> Result<(), Refusal> {
    no_flags("SHELL", node)?;
    if node.args.is_empty() {
        return Err(Refusal::new(
            ParseErrorKind::ArgumentCount,
            "SHELL needs the shell and its options as a JSON array, e.g. `SHELL [\"/bin/bash\", \"-c\"]`",
            "SHELL requires at least one argument",
        ));
    }
    if !node.json {
        return Err(Refusal::new(
            ParseErrorKind::NotExecForm,
            "SHELL must be written as a JSON array, e.g. `SHELL [\"/bin/bash\", \"-c\"]`",
            "SHELL requires the arguments to be in JSON form",
        ));
    }
    Ok(())
}
