use tallyman_sdk::{Dockerfile, Finding};

use crate::files::{is_whole_context, is_within};
use crate::settings::Settings;
use crate::support::{Walk, copied_out, shipping_stages};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `COPY . …` and `ADD . …` (also `./`, `*`) that copy the whole
    /// build context when the context has no `.dockerignore`.
    ///
    /// Only what ships is flagged: the final stage and the stages it is
    /// built on, and a builder stage whose copy of the context is copied
    /// whole into a shipping stage (`COPY --from=build /app /app`). The
    /// usual multi-stage build, where a builder copies the context and the
    /// final stage takes only the artifacts, is not flagged.
    ///
    /// ## Why is this bad?
    /// Without a `.dockerignore`, everything beside the Dockerfile goes into
    /// the layer: `.env` files, `.git` (with its history and remotes),
    /// local credentials, editor backups. They ship with the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Fix
    /// Add a `.dockerignore` beside the Dockerfile, ideally an allow-list:
    /// ```dockerfile
    /// # .dockerignore
    /// *
    /// !src/
    /// !pyproject.toml
    /// ```
    /// or copy only what the image needs: `COPY src/ ./src/`.
    pub const SEC005 = {
        id: "SEC005",
        title: "Build context copied without a .dockerignore",
        severity: Medium,
        tags: ["cis-docker-1.6:4.10", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    if dockerfile.build_context.dockerignore_path.is_some() {
        return;
    }
    let shipping = shipping_stages(dockerfile, settings);
    for stage in &dockerfile.stages {
        let ships = shipping.iter().any(|shipped| shipped.index == stage.index);
        let mut walk = Walk::at_start(dockerfile, stage);
        for instruction in &stage.instructions {
            if let Some(copy) = instruction.as_copy_or_add()
                && copy.from.is_none()
                && let Some(source) = copy.sources.iter().find(|source| is_whole_context(source))
            {
                let destination = walk.resolve(&copy.destination);
                let message = format!(
                    "{} copies the whole build context (`{source}`) into {destination}, and there \
                     is no .dockerignore to keep `.env`, `.git` and local credentials out",
                    instruction.keyword
                );
                let message = if ships {
                    Some(message)
                } else {
                    copied_out(dockerfile, &shipping, stage, |copied| {
                        is_within(&destination, copied)
                    })
                    .map(|(target, out)| {
                        format!(
                            "{message}; stage {} copies it into the image on line {}",
                            target.label(),
                            out.line()
                        )
                    })
                };
                if let Some(message) = message {
                    findings.push(
                        Finding::at(&SEC005, (stage, instruction))
                            .message(message)
                            .fix(
                                "add a .dockerignore beside the Dockerfile (an allow-list: `*` \
                                 then `!src/`, ...), or copy only the files the image needs",
                            ),
                    );
                }
            }
            walk.apply(instruction);
        }
    }
}
