use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::labels::{effective_labels, image_values};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags an image that lacks a label the `schema` setting requires.
    /// Without a schema it reports nothing.
    ///
    /// In a Dockerfile, the labels that count are those the built image
    /// gets: the `LABEL`s of the final stage (the `target` setting, or the
    /// scan's target) and of the stages it is built on (`FROM builder`);
    /// labels of stages only copied from do not reach the image. The finding is on the final
    /// stage's `FROM`. A label whose value is a variable (`$VERSION`)
    /// counts as set. A label the base image sets, or one given with
    /// `docker build --label`, is not in the Dockerfile: check the built
    /// image instead.
    ///
    /// On an image (`tallyman image`), a label counts when it is in the
    /// image config's `Labels` or in the manifest's annotations, as for
    /// IMG001. IMG001 (image policy) asks for the traceability labels
    /// (`org.opencontainers.image.source`, `.revision`, `.created`) with
    /// no configuration; this rule asks for the schema's labels, on
    /// Dockerfiles as well. With both on and a schema that names the same
    /// keys, a missing key is reported by both.
    ///
    /// ## Why is this bad?
    /// A label schema is an organisation's contract for its images: owner,
    /// source, version, license. Images without those labels cannot be
    /// traced to a team or a commit, filtered by registries and admission
    /// policies, or checked for licensing.
    ///
    /// ## Example
    /// With `schema: {org.opencontainers.image.version: semver,
    /// org.opencontainers.image.licenses: spdx}`:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="1.4.0"
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="1.4.0" \
    ///       org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    pub const LB002 = {
        id: "LB002",
        title: "Required label missing",
        severity: Low,
        tags: ["labels", "supply-chain"],
        equivalents: ["hadolint:DL3049"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    if settings.schema.is_empty() {
        return;
    }
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    let Some(from) = stage.instructions.first() else {
        return;
    };
    let labels = effective_labels(dockerfile, settings.target.as_deref());
    let missing: Vec<String> = settings
        .schema()
        .filter(|(key, _)| !labels.iter().any(|label| label.key() == *key))
        .map(|(key, _)| format!("`{key}`"))
        .collect();
    if missing.is_empty() {
        return;
    }
    let whose = if dockerfile.is_multi_stage() {
        format!("the image built from stage {}", stage.label())
    } else {
        "the image".to_string()
    };
    findings.push(
        Finding::at(&LB002, (stage, from))
            .message(format!("{whose} gets no {}", required(&missing)))
            .fix(format!(
                "add `LABEL {}=...` to the stage (from a build argument for a value known only at build time)",
                missing.first().map_or("", |key| key.trim_matches('`'))
            )),
    );
}

pub fn check_image(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    let missing: Vec<String> = settings
        .schema()
        .filter(|(key, _)| image_values(image, key).is_empty())
        .map(|(key, _)| format!("`{key}`"))
        .collect();
    if missing.is_empty() {
        return;
    }
    findings.push(
        Finding::new(&LB002)
            .message(format!(
                "the image has no {} (as a label or a manifest annotation)",
                required(&missing)
            ))
            .fix("set it in the Dockerfile (`LABEL`) or at build time (`docker buildx build --label`/`--annotation`)"),
    );
}

/// "`a` label, which the label schema requires", or the plural.
fn required(missing: &[String]) -> String {
    match missing {
        [one] => format!("{one} label, which the label schema requires"),
        many => format!(
            "{} labels, which the label schema requires",
            many.join(", ")
        ),
    }
}
