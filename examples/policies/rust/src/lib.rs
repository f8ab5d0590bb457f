//! An example organisation policy in Rust: every image says where its
//! source lives, nobody uses the deprecated `maintainer` label, and base
//! images come from the internal mirror.
//!
//! Settings (all optional):
//!
//! ```yaml
//! settings:
//!   org-image-labels:
//!     mirror-registries: ["registry.example.internal"]
//!     required-labels: ["org.opencontainers.image.source"]
//! ```

use serde::Deserialize;
use tallyman_sdk::model::Assignment;
use tallyman_sdk::prelude::*;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Checks that the image that is built carries every required label
    /// (by default `org.opencontainers.image.source`), set in its final
    /// stage or a stage it is built on.
    ///
    /// ## Why is this bad?
    /// Without a source label nobody can tell from a running image which
    /// repository built it, and scanners cannot link findings back to code.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM registry.example.internal/library/alpine:3.22
    /// COPY app /app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM registry.example.internal/library/alpine:3.22
    /// LABEL org.opencontainers.image.source="https://git.example.internal/team/app"
    /// COPY app /app
    /// ```
    pub const ORG001 = {
        id: "ORG001",
        title: "Required image label is missing",
        severity: Medium,
        tags: ["org", "provenance"],
        equivalents: [],
    };
}

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `maintainer` label (any case) and the `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `maintainer` is a pre-OCI convention; our tooling reads
    /// `org.opencontainers.image.authors` and ignores it, so the contact is lost.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL maintainer="jane@example.com"
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="jane@example.com"
    /// ```
    pub const ORG002 = {
        id: "ORG002",
        title: "Maintainer label instead of the OCI authors label",
        severity: Low,
        tags: ["org", "style"],
        equivalents: ["hadolint:DL4000"],
    };
}

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Checks that every base image (`FROM`, and the `org.opencontainers.image.base.name`
    /// annotation of an image) comes from one of the internal mirror registries.
    ///
    /// ## Why is this bad?
    /// Images pulled straight from public registries bypass the mirror's
    /// vulnerability scanning and break builds when the public registry
    /// rate-limits or is down.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM registry.example.internal/library/node:22-alpine
    /// ```
    pub const ORG003 = {
        id: "ORG003",
        title: "Base image not from the internal mirror",
        severity: High,
        tags: ["org", "supply-chain"],
        equivalents: [],
    };
}

/// The policy's settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// Registries base images may come from (host, with port if any).
    pub mirror_registries: Vec<String>,
    /// Labels the built image must carry.
    pub required_labels: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mirror_registries: vec!["registry.example.internal".to_string()],
            required_labels: vec!["org.opencontainers.image.source".to_string()],
        }
    }
}

pub struct OrgImageLabels;

impl Policy for OrgImageLabels {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "org-image-labels",
            version: env!("CARGO_PKG_VERSION"),
            description: "Example org policy: source labels, no maintainer label, internal mirror",
            rules: &[&ORG001, &ORG002, &ORG003],
        }
    }

    fn validate_settings(settings: &Settings) -> Result<(), String> {
        if settings.mirror_registries.is_empty() {
            return Err("`mirror-registries`: give at least one registry".to_string());
        }
        if let Some(bad) = settings
            .mirror_registries
            .iter()
            .find(|registry| registry.contains('/') || registry.trim().is_empty())
        {
            return Err(format!(
                "`mirror-registries`: `{bad}` is not a registry host (no path, not empty)"
            ));
        }
        Ok(())
    }

    fn check_dockerfile(dockerfile: &Dockerfile, settings: &Settings) -> Vec<Finding> {
        let mut findings = Vec::new();
        findings.extend(missing_labels(dockerfile, settings));
        findings.extend(maintainer_labels(dockerfile));
        findings.extend(unmirrored_bases(dockerfile, settings));
        findings
    }

    fn check_image(image: &Image, settings: &Settings) -> Vec<Finding> {
        let mut findings = Vec::new();
        let labels = &image.config.labels;
        for required in &settings.required_labels {
            if !labels.iter().any(|label| label.key == *required) {
                findings.push(
                    Finding::new(&ORG001).message(format!("the image has no `{required}` label")),
                );
            }
        }
        for label in labels
            .iter()
            .filter(|l| l.key.eq_ignore_ascii_case("maintainer"))
        {
            findings.push(Finding::new(&ORG002).message(format!(
                "label `{}` is set; use `org.opencontainers.image.authors`",
                label.key
            )));
        }
        let base = image
            .annotations
            .iter()
            .find(|a| a.key == "org.opencontainers.image.base.name");
        if let Some(base) = base {
            let registry = registry_of(&base.value);
            if !is_mirror(registry, settings) {
                findings.push(Finding::new(&ORG003).message(format!(
                    "the image was built on `{}`, from `{registry}`, not from {}",
                    base.value,
                    mirrors(settings)
                )));
            }
        }
        findings
    }
}

/// The labels set in `stage` and the stages it is built on.
fn labels_of<'a>(dockerfile: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Assignment> {
    dockerfile
        .ancestry(stage)
        .into_iter()
        .flat_map(|ancestor| ancestor.instructions.iter())
        .filter_map(|instruction| instruction.as_label())
        .flatten()
        .collect()
}

fn missing_labels(dockerfile: &Dockerfile, settings: &Settings) -> Vec<Finding> {
    let Some(stage) = dockerfile.final_stage(None) else {
        return Vec::new();
    };
    let labels = labels_of(dockerfile, stage);
    settings
        .required_labels
        .iter()
        .filter(|required| !labels.iter().any(|label| label.key == **required))
        .map(|required| {
            Finding::at(&ORG001, stage)
                .message(format!(
                    "the final stage {} has no `{required}` label",
                    stage.label()
                ))
                .fix(format!("add `LABEL {required}=\"...\"` to the final stage"))
        })
        .collect()
}

fn maintainer_labels(dockerfile: &Dockerfile) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (stage, instruction) in dockerfile.instructions() {
        if instruction.is("MAINTAINER") {
            findings.push(Finding::at(&ORG002, (stage, instruction)).message(
                "`MAINTAINER` is deprecated; use `LABEL org.opencontainers.image.authors`",
            ));
        }
        let maintainer = instruction
            .as_label()
            .into_iter()
            .flatten()
            .filter(|label| label.key.eq_ignore_ascii_case("maintainer"));
        for label in maintainer {
            findings.push(
                Finding::at(&ORG002, (stage, instruction))
                    .message(format!(
                        "label `{}` is set; use `org.opencontainers.image.authors`",
                        label.key
                    ))
                    .fix(format!(
                        "LABEL org.opencontainers.image.authors={}",
                        label.raw
                    )),
            );
        }
    }
    findings
}

fn unmirrored_bases(dockerfile: &Dockerfile, settings: &Settings) -> Vec<Finding> {
    let mut findings = Vec::new();
    for stage in &dockerfile.stages {
        let Some(image) = stage.base.image() else {
            continue; // scratch, an earlier stage, or unresolved
        };
        if is_mirror(&image.registry, settings) {
            continue;
        }
        let Some(from) = stage.from_instruction() else {
            continue;
        };
        findings.push(
            Finding::at(&ORG003, (stage, from))
                .message(format!(
                    "stage {} is built on `{}`, from `{}`, not from {}",
                    stage.label(),
                    stage.base.expanded,
                    image.registry,
                    mirrors(settings)
                ))
                .fix(format!(
                    "FROM {}/{}{}",
                    settings
                        .mirror_registries
                        .first()
                        .map_or("registry.example.internal", String::as_str),
                    image.repository,
                    image
                        .tag
                        .as_deref()
                        .map(|tag| format!(":{tag}"))
                        .unwrap_or_default()
                )),
        );
    }
    findings
}

fn is_mirror(registry: &str, settings: &Settings) -> bool {
    settings
        .mirror_registries
        .iter()
        .any(|mirror| mirror.eq_ignore_ascii_case(registry))
}

fn mirrors(settings: &Settings) -> String {
    settings
        .mirror_registries
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The registry of an image name as written in an annotation: the first
/// path component when it looks like a host (has a `.` or `:`, or is
/// `localhost`), else Docker Hub.
fn registry_of(name: &str) -> &str {
    match name.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

tallyman_sdk::export_policy!(OrgImageLabels);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_documented() {
        tallyman_sdk::testing::assert_rules_documented::<OrgImageLabels>();
    }

    #[test]
    fn registry_of_annotations() {
        assert_eq!(
            registry_of("registry.example.internal/library/node:22"),
            "registry.example.internal"
        );
        assert_eq!(registry_of("node:22"), "docker.io");
        assert_eq!(registry_of("library/node:22"), "docker.io");
        assert_eq!(registry_of("localhost:5000/node"), "localhost:5000");
    }
}
