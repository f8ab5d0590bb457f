//! What BuildKit refuses after its line parser has accepted a file: its
//! instruction parser (`frontend/dockerfile/instructions/parse.go`,
//! `bflag.go`, `commands_run*.go`) and the checks its converter makes
//! before building anything (`frontend/dockerfile/dockerfile2llb/convert.go`).
//!
//! Refused, with the line of the instruction, in BuildKit's order:
//! - an unknown instruction ([`instruction`]);
//! - wrong argument counts: `FROM a b`, `FROM a AS`, `COPY onlyone`, a
//!   `USER`, `WORKDIR`, `EXPOSE`, `VOLUME`, `ENV`, `LABEL`, `ARG`... with nothing;
//! - a stage name that is not `[a-z][a-z0-9-_.]*` (`AS 1st-stage`, `AS ${NAME}`);
//! - flags the instruction does not have, a value flag without `=value`
//!   (`COPY --from build`), a switch with a value that is not a boolean, a
//!   flag given twice ([`flags`]);
//! - `HEALTHCHECK` of an unknown type, without a command, or with an option
//!   that is not a Go duration (`--interval=30`) ([`healthcheck`]);
//! - `RUN --network`/`--security` values BuildKit does not know, unreadable
//!   `--mount`/`--device` values, `--mount=from=` with a variable ([`run`]);
//! - `ONBUILD ONBUILD`, `ONBUILD FROM`, `ONBUILD MAINTAINER`, `SHELL` not in
//!   JSON form, empty `VOLUME` paths, blank `ENV`/`LABEL`/`ARG` names, a
//!   heredoc as `COPY`/`ADD` destination;
//! - an instruction other than `ARG` before the first `FROM`, and a file with
//!   no `FROM`;
//! - `COPY --from` holding a variable, numbering a stage that does not
//!   exist, or stages copying from each other in a loop ([`stages`]).
//!
//! [`check_stage_order`] runs on the lowered model, because it depends on
//! the target: a stage the target needs may not copy or mount from a stage
//! defined after it.
//!
//! Not refused: what BuildKit only finds out once build arguments are known
//! or while building a stage it needs (`EXPOSE` port syntax, `RUN --mount`
//! option values, an empty base image name, `STOPSIGNAL` names); and
//! `ONBUILD` triggers other than their keyword, which BuildKit reads when an
//! image is built `FROM` this one.

mod flags;
mod go;
mod healthcheck;
mod instruction;
mod order;
mod refusal;
mod run;
mod stages;

pub use order::check_stage_order;
use refusal::Refusal;
use stages::Stage;

use crate::ast::Ast;
use crate::parser::{ParseError, ParseErrorKind};

/// Refuses a syntax tree that BuildKit's instruction parser or converter
/// refuses; see the module documentation for what that covers.
pub fn check(ast: &Ast) -> Result<(), ParseError> {
    let mut stages: Vec<Stage<'_>> = Vec::new();
    for node in &ast.children {
        instruction::check(node, ast.escape).map_err(|refusal| refusal.at(node))?;
        if node.keyword == "from" {
            stages.push(Stage {
                name: stage_name(&node.args),
                instructions: Vec::new(),
            });
            continue;
        }
        match stages.last_mut() {
            Some(stage) => stage.instructions.push(node),
            None if node.keyword == "arg" => {}
            None => {
                let keyword = node.keyword.to_uppercase();
                return Err(Refusal::new(
                    ParseErrorKind::InstructionBeforeFrom,
                    format!(
                        "{keyword} comes before the first FROM: only ARG may, every other instruction belongs to a stage"
                    ),
                    "no build stage in current context",
                )
                .at(node));
            }
        }
    }
    if stages.is_empty() {
        return Err(Refusal::new(
            ParseErrorKind::NoStages,
            "the file has no FROM: a build starts with `FROM <image>`",
            "dockerfile contains no stages to build",
        )
        .whole_file());
    }
    stages::check(&stages, ast.escape)
}

/// The lower-cased name after `AS`, which the instruction check has validated.
fn stage_name(args: &[String]) -> Option<String> {
    match args {
        [_, _, name] => Some(name.to_lowercase()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{ParseOptions, parse_syntax};

    /// What BuildKit says about the first instruction of `text`.
    fn buildkit_says(text: &str) -> String {
        let ast = parse_syntax(text.as_bytes(), &ParseOptions::default())
            .unwrap_or_else(|err| panic!("{text:?}: {err}"));
        let node = ast
            .children
            .first()
            .unwrap_or_else(|| panic!("{text:?}: no instruction"));
        match instruction::check(node, ast.escape) {
            Ok(()) => String::from("accepted"),
            Err(refusal) => refusal.buildkit,
        }
    }

    // The cases of BuildKit's `instructions/parse_test.go`.
    #[test]
    fn argument_counts_as_in_buildkit_tests() {
        for keyword in ["MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"] {
            assert_eq!(
                buildkit_says(keyword),
                format!("{keyword} requires exactly one argument")
            );
        }
        for keyword in ["ENV", "LABEL", "ONBUILD", "HEALTHCHECK", "EXPOSE", "VOLUME"] {
            assert_eq!(
                buildkit_says(keyword),
                format!("{keyword} requires at least one argument")
            );
        }
        for keyword in ["ADD", "COPY"] {
            assert_eq!(
                buildkit_says(&format!("{keyword} arg1")),
                format!(
                    "{keyword} requires at least two arguments, but only one was provided. Destination could not be determined"
                )
            );
        }
        for keyword in ["ENV", "LABEL"] {
            assert_eq!(
                buildkit_says(&format!("{keyword} =arg2")),
                format!("{keyword} names can not be blank")
            );
        }
        assert_eq!(buildkit_says("HEALTHCHECK CMD hello world"), "accepted");
    }

    #[test]
    fn error_cases_as_in_buildkit_tests() {
        for (text, said) in [
            ("COPY\t\n  \".\"\n", "COPY requires at least two arguments"),
            (
                "ONBUILD FROM scratch",
                "FROM isn't allowed as an ONBUILD trigger",
            ),
            ("MAINTAINER --boo joe@example.com", "unknown flag: --boo"),
            (
                "ONBUILD ONBUILD RUN touch foobar",
                "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
            ),
            ("FOO bar", "unknown instruction: FOO"),
            ("foo bar", "unknown instruction: foo"),
        ] {
            let got = buildkit_says(text);
            assert!(got.contains(said), "{text:?}: {got}");
        }
    }
}
