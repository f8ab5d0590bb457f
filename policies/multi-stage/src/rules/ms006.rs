use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::command::{self, Command};
use crate::support::{self, graph, image_kind, through};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `COPY . .`, `COPY ./ /app`, `ADD . /src` and the like (a
    /// source that is the whole build context) in the final stage of a
    /// multi-stage build, or in a stage the final stage is built on.
    ///
    /// A build is multi-stage when its final stage uses another stage (as
    /// its base, or through `COPY --from` or `RUN --mount=from=`). Builder
    /// stages may copy the whole context: they are where the build happens.
    /// A `.dockerignore` that excludes everything and lets back in only
    /// what the image needs (`*` then `!dist/`) makes the copy selective,
    /// and the rule stays quiet. So does a toolchain image (a CI image that
    /// tests the sources, a dev container, an image named for development:
    /// see MS001), where the sources are what the image is for; declare an
    /// image either way with `# tallyman image-kind=toolchain` (or
    /// `=application`) or the `toolchain-paths` setting. Nor is an image
    /// that runs its program through an interpreter (`python3 app.py`,
    /// `node server.js`, `python -m app`): its sources are the program, so
    /// copying them is the point; what else the context holds (`.git`, a
    /// `.env`) is SEC005's concern, and `.dockerignore` the fix.
    ///
    /// ## Why is this bad?
    /// The point of a multi-stage build is to ship only the artifacts. A
    /// whole-context copy in the final stage ships the sources, tests, build
    /// scripts, the Dockerfile, and whatever else sits in the directory (a
    /// `.git` folder, a `.env` file with credentials) unless `.dockerignore`
    /// keeps it out. It also invalidates the final stage's cache on every
    /// change to any file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci && npm run build
    ///
    /// FROM nginx:1.27-alpine
    /// COPY . /usr/share/nginx/html
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22 AS build
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci && npm run build
    ///
    /// FROM nginx:1.27-alpine
    /// COPY --from=build /app/dist /usr/share/nginx/html
    /// ```
    pub const MS006 = {
        id: "MS006",
        title: "Final stage of a multi-stage build copies the whole build context",
        severity: Medium,
        tags: ["cis-docker-1.6:4.3", "cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(final_stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if !graph::is_multi_stage_build(dockerfile, final_stage)
        || support::context_is_allow_listed(dockerfile)
        || !image_kind::classify(dockerfile, settings, final_stage).is_application()
        || matches!(
            command::of(dockerfile, final_stage),
            Command::InterpretedProgram(_)
        )
    {
        return;
    }
    for stage in dockerfile.ancestry(final_stage) {
        for (instruction, copy) in stage.copies() {
            if !support::copies_whole_context(copy) {
                continue;
            }
            let source = copy
                .sources
                .iter()
                .find(|source| support::is_whole_context(source))
                .map_or(".", String::as_str);
            findings.push(
                Finding::at(&MS006, (stage, instruction))
                    .message(format!(
                        "the final stage {} copies the whole build context (`{} {source} {}`){}: \
                         sources, build files and anything `.dockerignore` does not exclude ship \
                         in the image",
                        final_stage.label(),
                        instruction.keyword,
                        copy.destination,
                        through(final_stage, stage)
                    ))
                    .fix(
                        "copy the build output from a builder stage (`COPY --from=build \
                         /app/dist ./dist`) or only the files the image needs (`COPY src/ ./src/`)",
                    ),
            );
        }
    }
}
