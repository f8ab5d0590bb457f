use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::image_kind;
use crate::support::{images, quote};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a final stage built on a build-toolchain image: `golang`,
    /// `rust`, `maven`, `gradle`, `gcc`, JDK images (`openjdk`,
    /// `eclipse-temurin` without `jre`, `amazoncorretto`, ...),
    /// `buildpack-deps` (but not its `curl` and `scm` variants), the full
    /// variants of `node` and `python` (not `slim` or `alpine`), and the .NET
    /// `sdk`.
    ///
    /// The final stage is the last one, or the one the `target` setting
    /// names. When it is built on another stage (`FROM build AS release`),
    /// the image at the root of that chain is what ships and is checked.
    /// Builder stages are not flagged: building on a toolchain image is what
    /// they are for.
    ///
    /// Nor are images whose product is a toolchain, not an application:
    ///
    /// - a Maven image (`ENTRYPOINT ["mvn"]`), a build image
    ///   (`ENTRYPOINT ["make"]`), or one that starts a shell or an
    ///   interpreter with no program (`CMD ["python3"]`, a language image);
    /// - a dev container or CI image: `CMD ["sleep", "infinity"]`, a
    ///   `mcr.microsoft.com/devcontainers`, `gitpod/workspace-*`, `cimg/*`
    ///   or `jenkins/agent` base, a file under `.devcontainer/`, `.github/`,
    ///   `.gitlab/` or `.circleci/`, or under an `eng/` directory (a
    ///   repository's engineering tools, as .NET's Arcade lays them out), a
    ///   source-to-image builder;
    /// - a final stage, file or label named for development, CI or a
    ///   toolchain (`AS dev`, `Dockerfile.ci`); when the command is a script
    ///   the file does not show (`/entry.sh`), also the stages it is built
    ///   on (`FROM toolchain AS cross`), the words `build` and `builder`, and
    ///   a `ci/`, `toolchain/` or `jdk17/` directory (the JDK variant of an
    ///   image published in JDK and JRE variants);
    /// - an image with neither `ENTRYPOINT` nor `CMD` (a base for other
    ///   images, a `validate` or `lint` step), unless it is built on an
    ///   official image that runs a server (`nginx`, `php:8-apache`), or
    ///   copies another stage's output onto a base other than a toolchain
    ///   or a distribution: those run an application.
    ///
    /// What the image runs weighs more than names: a single stage called
    /// `build` or `builder` that runs `/app` ships the Go toolchain with an
    /// application, and is flagged. So is an image that runs its
    /// application from the sources through the toolchain (`go run .`,
    /// `cargo run`, `dotnet run`, `mvn spring-boot:run`, `gradle bootRun`).
    ///
    /// Declare an image either way with a comment line, anywhere in the
    /// file: `# tallyman image-kind=toolchain` or
    /// `# tallyman image-kind=application` (lower case, `tallyman` then
    /// whitespace; the last such line wins; another kind is logged and
    /// ignored). Or list paths in the `toolchain-paths` setting, globs
    /// matched against the Dockerfile's path from the scan root
    /// (`["ci/**", "**/.devcontainer/**"]`; `*` stays within a directory,
    /// `**` crosses them). The comment outranks the setting, which outranks
    /// everything the file shows.
    ///
    /// ## Why is this bad?
    /// A toolchain image carries compilers, headers, package caches and
    /// shells that the application never uses at run time: hundreds of
    /// megabytes to pull and store, and a much larger attack surface (every
    /// CVE in gcc, binutils or the JDK is now in production). A multi-stage
    /// build compiles in a toolchain stage and copies only the artifacts
    /// into a runtime image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// WORKDIR /src
    /// COPY . .
    /// RUN go build -o /app .
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Build in a builder stage, ship from a runtime image:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    pub const MS001 = {
        id: "MS001",
        title: "Final stage is built on a build-toolchain image",
        severity: Medium,
        tags: ["cis-docker-1.6:4.3", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if !image_kind::classify(dockerfile, settings, stage).is_application() {
        return;
    }
    let base = dockerfile.root_base(stage);
    let Some(name) = base.image() else {
        return;
    };
    let Some(what) = images::toolchain(name) else {
        return;
    };
    let through = if std::ptr::eq(base, &stage.base) {
        String::new()
    } else {
        format!(" (through {})", quote(&stage.base))
    };
    findings.push(
        Finding::at(&MS001, stage)
            .message(format!(
                "the final stage {} is built on {}{through}, which ships {what}",
                stage.label(),
                quote(base)
            ))
            .fix(
                "build in a stage of its own (`FROM ... AS build`) and start the final stage \
                 from a runtime image (distroless, a `-slim` or `alpine` variant, a JRE or \
                 ASP.NET runtime), copying only the artifacts with `COPY --from=build`",
            ),
    );
}
