use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a stage name used by an earlier stage too (BuildKit compares
    /// stage names without case: `Build` and `build` are the same name),
    /// and the reserved names `scratch` and `context`.
    ///
    /// ## Why is this bad?
    /// BuildKit refuses a Dockerfile with two stages of one name; older
    /// builders take one of them silently, so `COPY --from=build` copies
    /// from whichever stage they pick. `scratch` means the empty image and
    /// `context` the build context wherever a stage can be named: a stage
    /// called that way cannot be referred to, and `FROM scratch` after it
    /// is ambiguous to the reader.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    ///
    /// FROM golang:1.23 AS build
    /// RUN go build -o /api .
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22 AS web-build
    /// RUN npm ci && npm run build
    ///
    /// FROM golang:1.23 AS api-build
    /// RUN go build -o /api .
    /// ```
    pub const MS005 = {
        id: "MS005",
        title: "Duplicate or reserved stage name",
        severity: High,
        tags: ["correctness"],
        equivalents: [
            "hadolint:DL3024",
            "hadolint:DL3063",
            "trivy:DS-0012",
            "checkov:CKV_DOCKER_11",
            "buildkit:DuplicateStageName",
            "buildkit:ReservedStageName",
        ],
    };
}

const RESERVED: &[&str] = &["scratch", "context"];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        let Some(name) = stage.name.as_deref() else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if RESERVED.contains(&lower.as_str()) {
            let meaning = if lower == "scratch" {
                "the empty image"
            } else {
                "the build context"
            };
            findings.push(
                Finding::at(&MS005, stage)
                    .message(format!(
                        "stage name `{name}` is reserved: it means {meaning} wherever a stage \
                         can be named"
                    ))
                    .fix(format!(
                        "rename the stage (`AS {lower}-stage`) and its references"
                    )),
            );
        }
        let first = dockerfile
            .stages
            .iter()
            .filter(|earlier| earlier.index < stage.index)
            .find(|earlier| earlier.is_named(name));
        if let Some(first) = first {
            findings.push(
                Finding::at(&MS005, stage)
                    .message(format!(
                        "stage name `{name}` is already used by the stage on line {}",
                        first.span.start_line
                    ))
                    .fix("give each stage a name of its own, and update the `--from` that use it"),
            );
        }
    }
}
