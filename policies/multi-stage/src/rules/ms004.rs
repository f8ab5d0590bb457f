use tallyman_sdk::model::{ImageReference, ImageSource, Instruction, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::graph::{self, Source};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Checks what `COPY --from` and `RUN --mount=from=` name:
    ///
    /// - a stage defined later in the file, in a stage the build does not
    ///   need (a stage the build needs may not do it: BuildKit refuses the
    ///   file, and so does tallyman, as it refuses a stage that copies from
    ///   itself and an index the file does not have);
    /// - a bare name that is no stage of the file but looks like one: a
    ///   usual stage name (`build`, `builder`, `deps`, ...) or one a typo
    ///   away from a stage's name (`--from=biulder`).
    ///
    /// References to external images (`--from=nginx:1.27`,
    /// `--from=ghcr.io/org/tool`) are allowed and left to the base-image
    /// rules. A `--from` written with variables (`--from=build-${VARIANT}`)
    /// is not: BuildKit does not expand variables there, and tallyman
    /// refuses such a file as BuildKit does, before any rule runs. Variables
    /// belong in `FROM`, which BuildKit does expand
    /// (`FROM build-${VARIANT} AS build`, then `--from=build`).
    ///
    /// ## Why is this bad?
    /// A stage defined later reads backwards, and BuildKit refuses it as
    /// soon as a build needs that stage (`--target` on it, or a stage
    /// that copies from it). A name that matches no stage is read as an image on Docker
    /// Hub: the build pulls `docker.io/library/builder:latest`, fails, or
    /// worse, copies files from a stranger's image of that name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=builder /app /app
    /// ```
    pub const MS004 = {
        id: "MS004",
        title: "Stage reference names no earlier stage",
        severity: High,
        tags: ["correctness"],
        equivalents: ["hadolint:DL3022", "hadolint:DL3023", "trivy:DS-0006"],
    };
}

/// Names people give build stages: a reference with one of these that
/// names no stage is far likelier a mistake than an official image.
const USUAL_STAGE_NAMES: &[&str] = &[
    "build",
    "builder",
    "building",
    "base",
    "deps",
    "dependencies",
    "compile",
    "compiler",
    "installer",
    "install",
    "runtime",
    "release",
    "final",
    "dev",
    "development",
    "prod",
    "production",
    "test",
    "tests",
    "testing",
    "source",
    "sources",
    "src",
    "assets",
    "frontend",
    "backend",
    "artifacts",
    "artifact",
    "stage",
    "publish",
    "restore",
    "packages",
    "vendor",
    "modules",
    "bin",
    "binaries",
    "dist",
    "output",
    "out",
    "tools",
    "prepare",
    "download",
    "fetch",
    "generate",
    "gen",
    "server",
    "client",
    "web",
    "ui",
    "api",
    "app",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        for reference in graph::source_references(instruction) {
            if let Some((message, fix)) = problem(dockerfile, stage, instruction, reference) {
                findings.push(
                    Finding::at(&MS004, (stage, instruction))
                        .message(message)
                        .fix(fix),
                );
            }
        }
    }
}

fn problem(
    dockerfile: &Dockerfile,
    stage: &Stage,
    instruction: &Instruction,
    reference: &ImageReference,
) -> Option<(String, String)> {
    let flag = if instruction.is("RUN") {
        format!("--mount=from={}", reference.written)
    } else {
        format!("--from={}", reference.written)
    };
    match graph::copy_source(dockerfile, reference) {
        Source::Stage(index) if index > stage.index => {
            let used = dockerfile.stage(index)?;
            Some((
                format!(
                    "`{flag}` names stage {}, which is defined later (line {}): BuildKit \
                     refuses to build this stage, and the file reads backwards",
                    used.label(),
                    used.span.start_line
                ),
                format!(
                    "move stage {} above line {}",
                    used.label(),
                    stage.span.start_line
                ),
            ))
        }
        // The parser refuses a stage copying from itself and an index the
        // file does not have, as BuildKit does.
        Source::Stage(_) | Source::MissingIndex(_) => None,
        Source::External => mistaken_stage_name(dockerfile, stage, reference, &flag),
    }
}

/// A bare name that is no stage, but looks like one.
fn mistaken_stage_name(
    dockerfile: &Dockerfile,
    stage: &Stage,
    reference: &ImageReference,
    flag: &str,
) -> Option<(String, String)> {
    if !matches!(reference.source, ImageSource::Image(_)) || reference.uses_variables() {
        return None;
    }
    let name = reference.expanded.to_ascii_lowercase();
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !bare || name == "context" {
        return None;
    }
    let closest = dockerfile
        .stages
        .iter()
        .filter_map(|candidate| {
            let candidate_name = candidate.name.as_deref()?.to_ascii_lowercase();
            let distance = edit_distance(&name, &candidate_name);
            (distance <= 2 && distance < name.len().max(3) - 1).then_some((distance, candidate))
        })
        .min_by_key(|(distance, candidate)| (*distance, candidate.index));
    let usual = USUAL_STAGE_NAMES.contains(&name.as_str());
    if closest.is_none() && !usual {
        return None;
    }
    let pulled = format!("docker.io/library/{name}:latest");
    let (hint, fix) = match closest {
        Some((_, candidate)) if candidate.index < stage.index => (
            format!("; did you mean stage {}?", candidate.label()),
            format!(
                "use `{}{}`",
                flag.trim_end_matches(reference.written.as_str()),
                candidate.name.as_deref().unwrap_or_default()
            ),
        ),
        _ => (
            String::new(),
            format!(
                "name the stage to copy from `AS {name}`, or, if an image is meant, give it \
                 a tag: `{flag}:<tag>`"
            ),
        ),
    };
    Some((
        format!(
            "`{flag}` names no stage of this file, so the build pulls the image `{pulled}`{hint}"
        ),
        fix,
    ))
}

/// Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(usize::from(ca != cb));
            let delete = previous
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let insert = current
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("builder", "builder"), 0);
        assert_eq!(edit_distance("bulder", "builder"), 1);
        assert_eq!(edit_distance("biulder", "builder"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("xx", "go"), 2);
    }
}
