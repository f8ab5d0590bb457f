use tallyman_sdk::{Finding, Image};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags an image that lacks the OCI labels that make it traceable to
    /// its source: by default `org.opencontainers.image.source`,
    /// `org.opencontainers.image.revision` and
    /// `org.opencontainers.image.created`. A label counts when it is in the
    /// image config's `Labels` or in the manifest's annotations. The list is
    /// the `required-labels` setting.
    ///
    /// It needs no configuration. For an organisation's own schema of
    /// labels, with value types and checked in Dockerfiles as well, use the
    /// `labels` policy (LB002 for required labels, LB004 and LB005 for
    /// their values); a key both require is reported by both.
    ///
    /// ## Why is this bad?
    /// When an image turns up in production, in a vulnerability report or in
    /// an incident, the first question is which commit built it. Without
    /// these labels the answer depends on registry naming conventions and
    /// CI logs that expire; with them, `docker inspect` and every scanner
    /// link the image to its repository and revision.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// COPY app /app
    /// ```
    ///
    /// ## Fix
    /// Set them at build time, from CI:
    /// ```dockerfile
    /// ARG SOURCE REVISION CREATED
    /// LABEL org.opencontainers.image.source=$SOURCE \
    ///       org.opencontainers.image.revision=$REVISION \
    ///       org.opencontainers.image.created=$CREATED
    /// ```
    /// or with `docker buildx build --label ...`/`--annotation ...`.
    pub const IMG001 = {
        id: "IMG001",
        title: "Image lacks traceability labels",
        severity: Low,
        tags: ["target:image", "supply-chain"],
        equivalents: [],
    };
}

/// The labels checked when `image-labels` is not set.
pub const DEFAULT_LABELS: &[&str] = &[
    "org.opencontainers.image.source",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.created",
];

pub fn check(image: &Image, settings: &Settings, findings: &mut Vec<Finding>) {
    let present = |name: &str| {
        image
            .config
            .labels
            .iter()
            .chain(&image.annotations)
            .any(|kv| kv.key == name && !kv.value.trim().is_empty())
    };
    let wanted: Vec<&str> = match &settings.required_labels {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => DEFAULT_LABELS.to_vec(),
    };
    let missing: Vec<String> = wanted
        .into_iter()
        .filter(|name| !present(name))
        .map(|name| format!("`{name}`"))
        .collect();
    if missing.is_empty() {
        return;
    }
    findings.push(
        Finding::new(&IMG001)
            .message(format!(
                "the image has no {} label, so it cannot be traced to the source and build that made it",
                missing.join(", ")
            ))
            .fix("set the labels at build time (`LABEL` from build arguments, or `docker buildx build --label`)"),
    );
}
