use tallyman_sdk::{Dockerfile, Finding, Severity};

use crate::settings::Settings;
use crate::substitution::{Use, references};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Checks the variables a `FROM` uses (in the image and in
    /// `--platform`):
    /// - a malformed substitution (`${a:b}`, `${a`, `${}`): every build of
    ///   the stage fails whatever the arguments, so that is the one finding
    ///   for the line;
    /// - a variable that no `ARG` before the first `FROM` declares (and that
    ///   is not one of BuildKit's automatic platform arguments such as
    ///   `BUILDPLATFORM` or `TARGETARCH`). It is always empty there. When
    ///   every use of it has a default or an alternate
    ///   (`FROM ${UNDECLARED:-alpine:3.22}`, `${DEBUG:+-debug}`) the `FROM`
    ///   still builds, on the default: the finding is `low`, because
    ///   `--build-arg` cannot change that default. When that default is
    ///   itself no valid image (`FROM ${UNDECLARED:-Alpine}`), every build
    ///   fails: one `high` finding about the default;
    /// - a declared `ARG` whose default makes the image reference empty or
    ///   invalid when the build is run without `--build-arg`, or whose
    ///   value from the scan's `--build-arg` does;
    /// - a declared `ARG` with no default that the `FROM` needs
    ///   (`ARG IMAGE` then `FROM $IMAGE`, or `FROM $REPO:$TAG` with no
    ///   default for `TAG`): a required build argument. That is often the
    ///   design (a wrapper or test-harness Dockerfile whose caller always
    ///   passes the image), and a build without it fails at once, naming
    ///   the argument, so the finding is `low`: it says which
    ///   `--build-arg` the build needs, and how to give a default if the
    ///   build should also work without one. A scan given that
    ///   `--build-arg` resolves the `FROM` and reports nothing, or checks
    ///   the image it names like any other (a default of another `ARG` in
    ///   the same `FROM` is then checked too);
    /// - a reference without variables that is not a valid image name at
    ///   all, such as a template placeholder (`FROM REPLACE-ME`).
    ///
    /// ## Why is this bad?
    /// Only the `ARG`s declared before the first `FROM` are visible to `FROM`
    /// lines. Any other variable expands to an empty string, silently: a
    /// typo such as `$BUILDPLATFROM` drops the platform, and an `ARG`
    /// declared inside a stage never reaches the next `FROM`; no
    /// `--build-arg` can set either. A default that names no valid image
    /// breaks every build that relies on it. A reference that is invalid as
    /// written fails every build with `invalid reference format`. A
    /// required `ARG` is a smaller matter: the Dockerfile only builds when
    /// every caller passes the right `--build-arg`, and every tool that
    /// reads the file (this one included) cannot tell which image it builds
    /// on.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG BASE=Alpine
    /// FROM --platform=$BUILDPLATFROM golang:1.23 AS build
    /// FROM ${BASE}:3.22
    /// ```
    ///
    /// ## Fix
    /// Declare every variable before the first `FROM`, with a default that
    /// builds (or, for a required argument, no default and a caller that
    /// always passes `--build-arg`):
    /// ```dockerfile
    /// ARG BASE=alpine
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// FROM ${BASE}:3.22
    /// ```
    pub const BI006 = {
        id: "BI006",
        title: "FROM names no valid image (an undeclared ARG, a default that gives none, an invalid name)",
        severity: High,
        tags: ["correctness"],
        equivalents: ["buildkit:UndefinedArgInFrom", "buildkit:InvalidDefaultArgInFrom"],
    };
}

/// The arguments BuildKit defines for `FROM` lines without a declaration.
const AUTOMATIC_ARGS: [&str; 8] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    let declared: Vec<&str> = dockerfile
        .global_args
        .iter()
        .filter_map(|instruction| instruction.as_arg())
        .flatten()
        .map(|declaration| declaration.name.as_str())
        .collect();
    for stage in &dockerfile.stages {
        let Some(from) = stage.from_instruction() else {
            continue;
        };
        let written = stage.base.written.as_str();
        let platform = stage.platform.as_deref().unwrap_or_default();
        // A malformed `${...}` fails every build, declared or not: that is
        // the one diagnosis, whatever else the line gets wrong.
        let uses = match references(written).and_then(|mut uses| {
            uses.extend(references(platform)?);
            Ok(uses)
        }) {
            Ok(uses) => uses,
            Err(malformed) => {
                findings.push(
                    Finding::at(&BI006, (stage, from))
                        .message(format!(
                            "`{}` in FROM is not a valid variable substitution: {}. Every \
                             build of this stage fails, whatever the build arguments",
                            malformed.written, malformed.reason
                        ))
                        .fix(
                            "write `${NAME}`, `${NAME:-default}` (a default when unset or \
                             empty) or `${NAME:+alternate}`",
                        ),
                );
                continue;
            }
        };
        let mut undeclared: Vec<(&str, bool)> = Vec::new();
        for reference in &uses {
            let name = reference.name;
            if declared.contains(&name) || AUTOMATIC_ARGS.contains(&name) {
                continue;
            }
            // A default or an alternate still builds when the variable is
            // empty; a plain use or a `:?` does not.
            let harmless = matches!(reference.used, Use::Default | Use::Alternate);
            match undeclared.iter_mut().find(|(seen, _)| *seen == name) {
                Some((_, all_harmless)) => *all_harmless &= harmless,
                None => undeclared.push((name, harmless)),
            }
        }
        if uses.is_empty() {
            if let Some(reason) = stage.base.unresolved_reason() {
                findings.push(
                    Finding::at(&BI006, (stage, from))
                        .message(reason.to_string())
                        .fix(
                            "name an image: `[registry/]repository[:tag][@digest]`, in lower case",
                        ),
                );
            }
            continue;
        }
        let always_empty = undeclared.iter().any(|(_, harmless)| !harmless);
        let problem = match stage.base.unresolved_reason() {
            _ if always_empty => None,
            Some(reason) => Some(reason.to_string()),
            None if stage.base.expanded.trim().is_empty() => {
                Some("it expands to nothing".to_string())
            }
            None => None,
        };
        let required = required_args(&declared, &stage.base.expanded);
        if problem.is_some() && !undeclared.is_empty() && required.is_empty() {
            // `${UNDECLARED:-Alpine}`: the default the FROM always uses is
            // itself no image. One diagnosis, about the default.
            let names: Vec<String> = undeclared
                .iter()
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            findings.push(
                Finding::at(&BI006, (stage, from))
                    .message(format!(
                        "FROM `{written}` names no valid image: {} not declared before the \
                         first FROM, so the FROM always takes the default or alternate it \
                         writes, and that is no valid image name",
                        if names.len() == 1 {
                            format!("ARG {} is", names.join(""))
                        } else {
                            format!("ARGs {} are", names.join(", "))
                        }
                    ))
                    .fix(
                        "write a default that is a valid image name, in lower case, and declare \
                         the ARG before the first FROM if --build-arg should change it",
                    ),
            );
            continue;
        }
        for &(name, harmless) in &undeclared {
            let finding = Finding::at(&BI006, (stage, from));
            let finding = if harmless {
                // `${UNDECLARED:-alpine:3.22}` builds, on the default, always.
                finding.severity(Severity::Low).message(format!(
                    "ARG `{name}` is used in FROM but not declared before the first FROM: the \
                     FROM builds, but always as if `{name}` were empty (`--build-arg {name}=...` \
                     cannot change it)"
                ))
            } else {
                finding.message(format!(
                    "ARG `{name}` is used in FROM but not declared before the first FROM, \
                     so it is always empty"
                ))
            };
            let finding = match closest_automatic_arg(name) {
                Some(automatic) => finding.fix(format!("did you mean `{automatic}`?")),
                None => finding.fix(format!(
                    "declare `ARG {name}=<default>` before the first FROM"
                )),
            };
            findings.push(finding);
        }
        let Some(problem) = problem else {
            continue;
        };
        let finding = Finding::at(&BI006, (stage, from));
        let finding = match required.as_slice() {
            [] => finding
                .message(format!("FROM `{written}` names no valid image: {problem}"))
                .fix(
                    "give the ARG a default (or the --build-arg a value) that names a valid image",
                ),
            // The build fails at once, naming the argument: an interface,
            // not a silent mistake, so it is only worth a low note.
            [name] => finding
                .severity(Severity::Low)
                .message(format!(
                    "FROM `{written}` needs `--build-arg {name}=...`: ARG `{name}` is declared \
                     with no default, a required build argument, and the build fails without it"
                ))
                .fix(format!(
                    "if the build should also work without --build-arg, give it a default: \
                     `ARG {name}=<value>`"
                )),
            names => {
                let flags: Vec<String> = names
                    .iter()
                    .map(|name| format!("--build-arg {name}=..."))
                    .collect();
                let listed: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
                finding
                    .severity(Severity::Low)
                    .message(format!(
                        "FROM `{written}` needs `{}`: ARGs {} are declared with no default, \
                         required build arguments, and the build fails without them",
                        flags.join(" "),
                        listed.join(", ")
                    ))
                    .fix(
                        "if the build should also work without --build-arg, give them \
                         defaults: `ARG NAME=<value>`",
                    )
            }
        };
        findings.push(finding);
    }
}

/// The ARGs declared before the first FROM that `expanded` still holds as
/// written: declared with no default, and not given by the scan's
/// `--build-arg` (the model expands every variable that has a value, and
/// keeps the others as written).
fn required_args<'a>(declared: &[&'a str], expanded: &str) -> Vec<&'a str> {
    // Text the lexer refused stays as written; the malformed case was
    // reported above, so an unreadable remainder names no argument.
    let Ok(unset) = references(expanded) else {
        return Vec::new();
    };
    let mut required: Vec<&str> = Vec::new();
    for &name in declared {
        if unset.iter().any(|reference| reference.name == name) && !required.contains(&name) {
            required.push(name);
        }
    }
    required
}

/// An automatic platform argument within two edits of `name`: a typo.
fn closest_automatic_arg(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    AUTOMATIC_ARGS
        .iter()
        .copied()
        .map(|candidate| (edit_distance(&upper, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &left) in a.as_bytes().iter().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, &right) in b.iter().enumerate() {
            let substitution =
                previous.get(j).copied().unwrap_or(usize::MAX) + usize::from(left != right);
            let deletion = previous
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let insertion = current
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_of_automatic_args_are_suggested() {
        assert_eq!(
            closest_automatic_arg("BUILDPLATFROM"),
            Some("BUILDPLATFORM")
        );
        assert_eq!(closest_automatic_arg("targetarch"), Some("TARGETARCH"));
        assert_eq!(closest_automatic_arg("VERSION"), None);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
