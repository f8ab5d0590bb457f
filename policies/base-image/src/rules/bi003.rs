use tallyman_sdk::{Dockerfile, Finding, Severity};

use crate::references::{from_images, quote};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `FROM` instructions whose image is not pinned by digest
    /// (`@sha256:…`), in every stage.
    ///
    /// The finding is `info` by default, a reminder; with the setting
    /// `require-digest: true` it is `high`, for teams whose builds must be
    /// reproducible bit for bit.
    ///
    /// ## Why is this bad?
    /// A tag is a pointer the publisher can move: `python:3.12-slim` is
    /// rebuilt for every patch release and every Debian security update,
    /// and a compromised registry account can point it at anything. Only a
    /// digest names one image for good, so only a digest makes a build
    /// reproducible and lets a review or a signature refer to what was
    /// actually built on. Builder stages count too: their toolchain ends up
    /// in the binaries.
    ///
    /// Pinning means updating: pair it with a bot (Renovate, Dependabot)
    /// that proposes new digests.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// ## Fix
    /// Keep the tag for readers and add the digest it had when you pinned it
    /// (`docker buildx imagetools inspect python:3.12-slim` prints it;
    /// `tallyman fix --pin-digests` asks the registry and writes it, for
    /// `COPY --from` and `RUN --mount from=` images too):
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:2d7f1a7a5e3c5b0c8f4f1e4a9b0e8e6d2c9c1e5f0a3b6d8e7c4f2a1b0c9d8e7f
    /// ```
    pub const BI003 = {
        id: "BI003",
        title: "Base image is not pinned by digest",
        severity: Info,
        tags: ["cis-docker-1.6:4.2", "supply-chain"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for (stage, from, reference, name) in from_images(dockerfile) {
        if name.has_digest() {
            continue;
        }
        let mut finding = Finding::at(&BI003, (stage, from))
            .message(format!("{} is not pinned by digest", quote(reference)))
            .fix(format!(
                "add the digest: `{}@sha256:<digest>`",
                name.familiar()
            ));
        if settings.require_digest {
            finding = finding.severity(Severity::High);
        }
        findings.push(finding);
    }
}
