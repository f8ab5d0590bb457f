use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::references::{from_images, quote};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `FROM` instructions that use the `latest` tag, after `ARG`s are
    /// resolved.
    ///
    /// ## Why is this bad?
    /// `latest` is not a version: it moves whenever the image's publisher
    /// pushes a new one. Builds stop being reproducible, upgrades happen
    /// unreviewed, and a rollback rebuilds something other than what ran.
    /// Writing `:latest` explicitly does not make it any more stable.
    ///
    /// A reference pinned by digest (`ubuntu:latest@sha256:…`) is not
    /// flagged: the digest decides what is pulled.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22-bookworm-slim
    /// ```
    pub const BI002 = {
        id: "BI002",
        title: "Base image uses the latest tag",
        severity: Medium,
        tags: ["cis-docker-1.6:4.2", "supply-chain"],
        equivalents: [
            "hadolint:DL3007",
            "trivy:DS-0001",
            "checkov:CKV_DOCKER_7",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, from, reference, name) in from_images(dockerfile) {
        if name.is_latest() && !name.has_digest() {
            findings.push(
                Finding::at(&BI002, (stage, from))
                    .message(format!(
                        "{} uses the `latest` tag, which moves with every release",
                        quote(reference)
                    ))
                    .fix(format!(
                        "pin a version instead of `latest`: `{}:<version>`",
                        name.familiar_name()
                    )),
            );
        }
    }
}

/// The image's base, named by its `org.opencontainers.image.base.name`
/// annotation or label, is `latest` without a digest. An untagged name
/// counts as `latest`: it is what the build pulled.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    let Some((written, name)) = crate::image::base_name(image) else {
        return;
    };
    if (name.is_latest() || name.tag.is_none()) && !name.has_digest() {
        findings.push(
            Finding::new(&BI002)
                .message(format!(
                    "the image was built on `{written}` (its `{}`), the `latest` tag, which moves with every release",
                    crate::image::BASE_NAME
                ))
                .fix(format!("pin a version of the base instead of `latest`: `{}:<version>`", name.familiar_name())),
        );
    }
}
