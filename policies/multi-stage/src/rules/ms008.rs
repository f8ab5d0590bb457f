use tallyman_sdk::model::Stage;
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::graph;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags stages that the final stage does not need: no chain of
    /// `FROM <stage>`, `COPY --from` and `RUN --mount=from=` leads from the
    /// final stage to them.
    ///
    /// References follow BuildKit: a `FROM` written with variables
    /// (`FROM base-${TARGETARCH}`), which BuildKit expands with the build
    /// arguments, may lead to any stage of that shape, so all of those count
    /// as needed. (BuildKit expands no variables in `COPY --from` or
    /// `RUN --mount=from=`, and refuses a needed stage that copies from one
    /// defined further down; tallyman refuses such files as BuildKit does.)
    ///
    /// Many Dockerfiles hold several targets (`test`, `lint`, `dev`,
    /// `binaries`, built with `--target`); those and what they need are not
    /// dead. A stage counts as a target of its own when it comes after the
    /// final stage, or when nothing uses it and it has a name that is not a
    /// build step's (`build`, `builder`, `deps`, `assets`, `base`, ...).
    /// What is left is dead for sure: an unnamed stage nothing uses (it
    /// cannot even be a `--target`), or a build step nothing copies from,
    /// the usual trace of a forgotten `COPY --from` or a renamed stage.
    ///
    /// ## Why is this bad?
    /// BuildKit skips a stage nothing needs, so its instructions are dead
    /// code that still has to be read and maintained, and that hides what
    /// the image is really built from; the classic builder builds it
    /// anyway, for nothing. Often it is a sign of a mistake: the final
    /// stage copies from the wrong stage, or a stage was renamed and its
    /// user was not.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS assets
    /// RUN npm ci && npm run build
    ///
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Fix
    /// Use the stage, or delete it:
    /// ```dockerfile
    /// FROM node:22 AS assets
    /// RUN npm ci && npm run build
    ///
    /// FROM golang:1.23 AS build
    /// COPY --from=assets /dist ./web/dist
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ```
    pub const MS008 = {
        id: "MS008",
        title: "Dead stage: not used by the final stage",
        severity: Info,
        tags: ["maintainability"],
        equivalents: [],
    };
}

/// Words of names given to intermediate stages: a stage named so exists
/// to be copied from or built on, not to be built on its own.
const INTERMEDIATE_WORDS: &[&str] = &[
    "build",
    "builder",
    "building",
    "base",
    "deps",
    "dependencies",
    "dependency",
    "compile",
    "compiler",
    "installer",
    "install",
    "assets",
    "source",
    "sources",
    "src",
    "modules",
    "download",
    "downloader",
    "fetch",
    "prepare",
    "prep",
    "restore",
    "packages",
    "toolchain",
    "stage",
    "intermediate",
    "tmp",
    "temp",
];

/// A name made of an intermediate word (`builder`, `web-assets`,
/// `go_build`).
fn is_intermediate_name(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|word| INTERMEDIATE_WORDS.contains(&word))
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(final_stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    let needed = graph::needed_by(dockerfile, final_stage);
    let used_by_another: Vec<u32> = dockerfile
        .stages
        .iter()
        .flat_map(|stage| graph::dependencies(dockerfile, stage))
        .map(|dependency| dependency.stage)
        .collect();
    // Stages built on their own: those after the final stage, and named
    // stages that nothing uses and whose name is not a build step's
    // (`test`, `dev`, `lint`). What they need is not dead either.
    let targets: Vec<&Stage> = dockerfile
        .stages
        .iter()
        .filter(|stage| !needed.contains(&stage.index))
        .filter(|stage| {
            stage.index > final_stage.index
                || (!used_by_another.contains(&stage.index)
                    && stage
                        .name
                        .as_deref()
                        .is_some_and(|name| !is_intermediate_name(name)))
        })
        .collect();
    let other_targets_need: Vec<u32> = targets
        .iter()
        .flat_map(|target| graph::needed_by(dockerfile, target))
        .collect();
    for stage in &dockerfile.stages {
        if stage.index >= final_stage.index
            || needed.contains(&stage.index)
            || other_targets_need.contains(&stage.index)
        {
            continue;
        }
        let why = if stage.name.is_none() {
            "it has no name, so it cannot be a `--target` of its own either"
        } else {
            "its name makes it a build step rather than a target of its own"
        };
        findings.push(
            Finding::at(&MS008, stage)
                .message(format!(
                    "stage {} is not needed to build the final stage {}: nothing on the way \
                     copies from it, mounts it or builds on it, so BuildKit skips it; {why}",
                    stage.label(),
                    final_stage.label()
                ))
                .fix(format!(
                    "delete stage {}, or use it where it is needed (`COPY --from={} ...`)",
                    stage.label(),
                    stage
                        .name
                        .clone()
                        .unwrap_or_else(|| stage.index.to_string())
                )),
        );
    }
}
