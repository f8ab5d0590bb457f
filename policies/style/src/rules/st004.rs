use tallyman_sdk::model::{Instruction, InstructionDetail};
use tallyman_sdk::{Dockerfile, Finding};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a comment right above an `ARG` or a named `FROM` that does not
    /// start with the name of what the instruction defines: the argument's
    /// name (any of them, for an `ARG` declaring several), or the stage's
    /// name in lower case, as BuildKit compares it.
    ///
    /// Only the last comment line counts, and only when it is on the line
    /// directly above the instruction: an empty line between a comment and
    /// the instruction is how BuildKit's documentation says to mark a
    /// comment that is not a description (BuildKit's parser itself carries
    /// comments across empty lines and warns there too). A comment line
    /// holding only `#` ends a description as well. Suppression pragmas
    /// (`# tallyman ...`, `# hadolint ...`, `# checkov:...`, `# trivy:...`)
    /// are not descriptions. BuildKit runs this check only when its
    /// experimental checks are turned on.
    ///
    /// ## Why is this bad?
    /// `docker build --call=outline` and `--call=targets` list the build's
    /// stages and arguments with a description taken from the comment
    /// directly above each, when it starts with the name. A comment that
    /// reads as prose ("# Install the toolchain") gives that listing no
    /// description, and `docker build --check` with experimental checks
    /// warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// # The version to build
    /// ARG VERSION=1.4
    /// # compiles the CLI
    /// FROM golang:1.24 AS build-cli
    /// ```
    ///
    /// ## Fix
    /// Start the comment with the name, or separate it with an empty line:
    /// ```dockerfile
    /// # VERSION is the version to build
    /// ARG VERSION=1.4
    /// # build-cli compiles the CLI
    /// FROM golang:1.24 AS build-cli
    /// ```
    pub const ST004 = {
        id: "ST004",
        title: "Comment above an ARG or stage is not a description of it",
        severity: Info,
        tags: ["style"],
        equivalents: ["buildkit:InvalidDefinitionDescription"],
    };
}

/// Comments that tell tools what to do, not what the instruction is.
const PRAGMA_PREFIXES: &[&str] = &["tallyman ", "hadolint ", "checkov:", "trivy:"];

pub fn check(dockerfile: &Dockerfile, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.every_instruction() {
        let Some((keyword, names)) = defined_names(instruction) else {
            continue;
        };
        let Some(comment) = instruction.comments.last() else {
            continue;
        };
        let directly_above = instruction.span.start_line.checked_sub(1);
        if !dockerfile
            .comments
            .iter()
            .any(|written| Some(written.line) == directly_above)
        {
            continue;
        }
        if PRAGMA_PREFIXES
            .iter()
            .any(|prefix| comment.starts_with(prefix))
        {
            continue;
        }
        let first_word = comment.split(' ').next().unwrap_or_default();
        if names.iter().any(|name| name == first_word) {
            continue;
        }
        let example = match names.as_slice() {
            [name] => name.clone(),
            _ => "<name>".to_string(),
        };
        let finding = match stage {
            Some(stage) => Finding::at(&ST004, (stage, instruction)),
            None => Finding::at(&ST004, instruction),
        };
        findings.push(
            finding
                .message(format!(
                    "the comment above this `{keyword}` does not start with the name it \
                     describes (`# {example} <description>`)"
                ))
                .fix(format!(
                    "start the comment with `{example}`, or put an empty line between the \
                     comment and the `{keyword}`"
                )),
        );
    }
}

/// What an instruction defines that a comment can describe: the names of
/// an `ARG`, or the lower case name of a named stage.
fn defined_names(instruction: &Instruction) -> Option<(&'static str, Vec<String>)> {
    match &instruction.detail {
        InstructionDetail::Arg(declarations) if !declarations.is_empty() => Some((
            "ARG",
            declarations
                .iter()
                .map(|declaration| declaration.name.clone())
                .collect(),
        )),
        InstructionDetail::From(from) => from
            .stage_name
            .as_ref()
            .map(|name| ("FROM", vec![name.to_lowercase()])),
        _ => None,
    }
}
