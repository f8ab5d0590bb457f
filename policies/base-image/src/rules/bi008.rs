use tallyman_sdk::{Dockerfile, Finding};

use crate::references::{other_images, quote};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags images used by `COPY --from`, `ADD --from` and
    /// `RUN --mount=from=` that have no tag or digest, or the `latest` tag.
    /// Stage names are not images and are not flagged (an unknown stage name
    /// is the multi-stage policy's business).
    ///
    /// ## Why is this bad?
    /// Copying a binary out of an image is a dependency like any other: with
    /// `latest` or no tag, the build takes whatever version was pushed last,
    /// so two builds of the same commit ship different files, and an update
    /// of the tool arrives unreviewed. It is also easy to miss, since base
    /// image checks usually look only at `FROM`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY --from=ghcr.io/astral-sh/uv /uv /usr/local/bin/uv
    /// RUN --mount=from=busybox,source=/bin/busybox,target=/busybox /busybox true
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY --from=ghcr.io/astral-sh/uv:0.8.3 /uv /usr/local/bin/uv
    /// RUN --mount=from=busybox:1.37,source=/bin/busybox,target=/busybox /busybox true
    /// ```
    pub const BI008 = {
        id: "BI008",
        title: "Image copied from or mounted without a tag, or with latest",
        severity: Medium,
        tags: ["cis-docker-1.6:4.2", "supply-chain"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction, reference, name) in other_images(dockerfile) {
        let problem = if name.is_untagged() {
            "has no tag or digest"
        } else if name.is_latest() && !name.has_digest() {
            "uses the `latest` tag"
        } else {
            continue;
        };
        findings.push(
            Finding::at(&BI008, (stage, instruction))
                .message(format!(
                    "{} used by {} {problem}",
                    quote(reference),
                    instruction.keyword
                ))
                .fix(format!(
                    "pin a version: `{}:<version>`",
                    name.familiar_name()
                )),
        );
    }
}
