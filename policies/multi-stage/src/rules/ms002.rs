use tallyman_sdk::model::{Instruction, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::image_kind;
use crate::support::packages::{self, AptMarks, Install, Removal};
use crate::support::script::Script;
use crate::support::through;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags package installs in the final stage that bring compilers,
    /// build tools or development headers: `gcc`, `g++`, `make`, `cmake`,
    /// `build-essential`, `build-base`, `clang`, `golang`, `rustc`, `cargo`,
    /// `maven`, JDKs, `*-dev` and `*-devel` packages, and RPM
    /// "Development Tools" groups, installed with `apt-get`, `apt`, `apk`,
    /// `yum`, `dnf`, `microdnf` or `zypper`.
    ///
    /// Package lists held in variables are followed (`$buildDeps` set
    /// earlier in the script, or by `ENV` or `ARG`). Tools removed again in
    /// the same `RUN` are not flagged: `apk add --virtual .build-deps ... &&
    /// apk del .build-deps`, `apt-get purge gcc`, or the `apt-mark auto` then
    /// `apt-get purge --auto-remove` idiom of the official images. Only the
    /// final stage and the stages it is built on are checked; builder stages
    /// exist to hold build tools.
    ///
    /// Images whose product is a toolchain are not checked either: build
    /// tools are their point. That is an image that runs a build tool
    /// (`ENTRYPOINT ["make"]`, `["mvn"]`), a shell, an interpreter with no
    /// program (`CMD ["python3"]`, `["php", "-a"]`) or an idle loop
    /// (`sleep infinity`); a dev container or CI image (a
    /// `mcr.microsoft.com/devcontainers` or `cimg/*` base, a file under
    /// `.devcontainer/` or `.github/`) or a source-to-image builder; an
    /// image with neither `ENTRYPOINT` nor `CMD`, unless it is built on an
    /// official image that runs a server (`nginx`, `php:8-apache`) or copies
    /// another stage's output onto a base other than a toolchain or a
    /// distribution; one whose
    /// final stage, file or labels are named for development, CI or a
    /// toolchain (`AS dev`, `Dockerfile.ci`), or whose entrypoint is a
    /// script in a chain of stages so named (`FROM toolchain AS cross` ...
    /// `ENTRYPOINT ["/entry.sh"]`). See MS001 for the whole decision.
    /// Declare an image either way with a comment
    /// `# tallyman image-kind=toolchain` (or `=application`) anywhere in the
    /// file, or list paths in the `toolchain-paths` setting
    /// (`["ci/**", "**/.devcontainer/**"]`).
    ///
    /// Some applications compile at run time and need their compilers:
    /// BPF tools (BCC, bpftrace), benchmark suites that build their tests,
    /// kernel-module installers, PHP images that keep `PHPIZE_DEPS` so that
    /// extensions can be built on them. The rule cannot tell those from
    /// build tools left behind; declare them toolchains as above.
    ///
    /// The rule is `low` for that reason: on the real files of the project's
    /// corpus about half of what is left after the toolchain decision is an
    /// image that needs its compilers (`docs/precision.md`). Where every
    /// image you build is an application, raise it in `tallyman.yaml`
    /// (`severity: {MS002: medium}`).
    ///
    /// ## Why is this bad?
    /// Compilers and headers in the image that runs in production are dead
    /// weight and attack surface: an attacker who gets a shell can build
    /// exploits on the spot, and every CVE in the toolchain is reported
    /// against the image. Removing them in a later `RUN` does not help the
    /// size: the layer that installed them is still part of the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// Build wheels in a builder stage and install only them:
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev
    /// COPY requirements.txt .
    /// RUN pip wheel --no-cache-dir -w /wheels -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
    ///     && rm -rf /var/lib/apt/lists/*
    /// COPY --from=build /wheels /wheels
    /// RUN pip install --no-cache-dir /wheels/*
    /// ```
    pub const MS002 = {
        id: "MS002",
        title: "Final stage installs compilers or build tools",
        severity: Low,
        tags: ["cis-docker-1.6:4.3", "security"],
        equivalents: [],
    };
}

/// A `RUN` of the final stage's chain, in build order, with its installs
/// and removals.
struct Run<'a> {
    stage: &'a Stage,
    instruction: &'a Instruction,
    installs: Vec<Install>,
    removals: Vec<Removal>,
    marks: AptMarks,
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(final_stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if !image_kind::classify(dockerfile, settings, final_stage).is_application() {
        return;
    }
    let mut chain = dockerfile.ancestry(final_stage);
    chain.reverse();
    let runs: Vec<Run<'_>> = chain
        .iter()
        .flat_map(|stage| {
            stage
                .runs()
                .map(move |(instruction, _)| (*stage, instruction))
        })
        .map(|(stage, instruction)| {
            let script = Script::new(dockerfile, stage, instruction);
            Run {
                stage,
                instruction,
                installs: packages::installs(&script),
                removals: packages::removals(&script),
                marks: packages::apt_marks(&script),
            }
        })
        .collect();
    for (position, run) in runs.iter().enumerate() {
        for install in &run.installs {
            let mut tools: Vec<&String> = Vec::new();
            for package in &install.packages {
                if !tools.contains(&package) {
                    tools.push(package);
                }
            }
            let tools: Vec<&String> = tools
                .into_iter()
                .filter(|package| packages::is_build_tool(package))
                .filter(|package| {
                    !run.removals.iter().any(|removal| {
                        packages::is_removed(install, package, removal, &run.marks, true)
                    })
                })
                .collect();
            if tools.is_empty() {
                continue;
            }
            let removed_later = runs.iter().skip(position + 1).find(|later| {
                tools.iter().all(|package| {
                    later.removals.iter().any(|removal| {
                        packages::is_removed(install, package, removal, &later.marks, false)
                    })
                })
            });
            let list = tools
                .iter()
                .map(|package| format!("`{package}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut message = format!(
                "the final stage {} installs build tools with {}: {list}{}",
                final_stage.label(),
                install.program,
                through(final_stage, run.stage)
            );
            if let Some(later) = removed_later {
                message.push_str(&format!(
                    "; they are removed on line {}, but the layer of line {} still holds them",
                    later.instruction.line(),
                    run.instruction.line()
                ));
            }
            findings.push(
                Finding::at(&MS002, (run.stage, run.instruction))
                    .message(message)
                    .fix(
                        "install build tools in a builder stage and copy only its output into \
                         the final stage (`COPY --from=build ...`), or remove them in the same \
                         RUN (`apk add --virtual .build-deps ... && ... && apk del .build-deps`)",
                    ),
            );
        }
    }
}
