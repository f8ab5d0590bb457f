use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::graph::{self, Source};
use crate::support::{self, image_kind, quote, through};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `COPY --from=<stage> /` (also `/.` and `/*`, and the same from
    /// an external image) in the final stage or a stage it is built on: a
    /// copy of another stage's entire filesystem into what ships.
    ///
    /// Builder stages are not flagged: copying a helper image's files into
    /// a build stage (`COPY --from=tonistiigi/xx / /`) does not reach the
    /// final image. Nor is a copy from a stage built `FROM scratch`
    /// (directly or through other stages): such a stage holds only what was
    /// copied into it, so its whole filesystem is artifacts
    /// (`FROM scratch AS binaries` then `COPY --from=binaries / /usr/bin/`).
    /// Nor is a toolchain image (a dev container or dev-environment target
    /// that takes a tool image whole, a CI or build step: see MS001), whose
    /// product is the tools; declare an image either way with
    /// `# tallyman image-kind=toolchain` (or `=application`) or the
    /// `toolchain-paths` setting.
    ///
    /// ## Why is this bad?
    /// The whole filesystem of a stage is its base image plus everything
    /// the build added: shells, package managers, compilers, caches,
    /// sources. Copying all of it into the final stage undoes the
    /// multi-stage build. It also drops the stage's metadata (`ENV`,
    /// `USER`, `WORKDIR`, `ENTRYPOINT`), which `COPY` does not carry.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// RUN apt-get update && apt-get install -y build-essential && make -C /src install
    ///
    /// FROM scratch
    /// COPY --from=build / /
    /// ```
    ///
    /// ## Fix
    /// Copy the artifacts only:
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// RUN apt-get update && apt-get install -y build-essential && make -C /src install DESTDIR=/out
    ///
    /// FROM gcr.io/distroless/cc-debian12
    /// COPY --from=build /out/usr/local/bin/app /usr/local/bin/app
    /// ```
    pub const MS007 = {
        id: "MS007",
        title: "COPY --from copies a stage's entire filesystem",
        severity: Medium,
        tags: ["cis-docker-1.6:4.3", "security"],
        equivalents: ["hadolint:DL3067"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(final_stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if !image_kind::classify(dockerfile, settings, final_stage).is_application() {
        return;
    }
    for stage in dockerfile.ancestry(final_stage) {
        for (instruction, copy) in stage.copies() {
            let Some(from) = &copy.from else {
                continue;
            };
            let Some(source) = copy
                .sources
                .iter()
                .find(|source| support::is_whole_filesystem(source))
            else {
                continue;
            };
            let what = match graph::copy_source(dockerfile, from) {
                Source::Stage(index) => match dockerfile.stage(index) {
                    // A stage built from scratch holds only what was copied
                    // into it: its whole filesystem is artifacts.
                    Some(used) if dockerfile.root_base(used).is_scratch() => continue,
                    Some(used) => format!("stage {}", used.label()),
                    None => continue,
                },
                // MS004 reports the missing stage.
                Source::MissingIndex(_) => continue,
                Source::External => format!("the image {}", quote(from)),
            };
            findings.push(
                Finding::at(&MS007, (stage, instruction))
                    .message(format!(
                        "`{} --from={} {source} {}` copies the entire filesystem of {what} into \
                         the final stage {}{}: its shell, package manager and build leftovers \
                         ship too",
                        instruction.keyword,
                        from.written,
                        copy.destination,
                        final_stage.label(),
                        through(final_stage, stage)
                    ))
                    .fix(format!(
                        "copy only the files the image needs: `{} --from={} /path/to/artifact \
                         /dest`",
                        instruction.keyword, from.written
                    )),
            );
        }
    }
}
