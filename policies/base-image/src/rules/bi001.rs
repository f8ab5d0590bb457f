use tallyman_sdk::{Dockerfile, Finding, Severity};

use crate::official_images::is_local_only;
use crate::references::{from_images, quote};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `FROM` instructions whose image has neither a tag nor a digest,
    /// after `ARG`s are resolved.
    ///
    /// ## Why is this bad?
    /// An image without a tag means `latest`: whatever the registry serves
    /// on the day of the build. The same Dockerfile then builds different
    /// images from one day to the next, a new major version can break the
    /// build without a change in the repository, and nobody can tell which
    /// base a running container was built on.
    ///
    /// References to earlier stages (`FROM builder`) and `FROM scratch` are
    /// not images from a registry and are not flagged.
    ///
    /// A name without a registry or a namespace that is not one of Docker
    /// Hub's official images (`FROM bats-jenkins`, where a test harness
    /// builds and tags `bats-jenkins` just before) can only be an image
    /// built or tagged on the builder: Docker Hub serves every other image
    /// under `namespace/name`, so a pull of it fails. Nothing floats with a
    /// registry there, and a tag would have to match whatever tags the
    /// local build sets, so such a `FROM` is only an `info` note that the
    /// image must exist on the builder. The list of official names is
    /// embedded (from `docker-library/official-images`, deprecated images
    /// included); an image made official after it was taken is reported
    /// as a local one until the list is refreshed.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Name the version you build on, and better still its digest:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    pub const BI001 = {
        id: "BI001",
        title: "Base image has no tag or digest",
        severity: Medium,
        tags: ["cis-docker-1.6:4.2", "supply-chain"],
        equivalents: ["hadolint:DL3006", "checkov:CKV_DOCKER_7"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, from, reference, name) in from_images(dockerfile) {
        if !name.is_untagged() {
            continue;
        }
        if is_local_only(name) {
            findings.push(
                Finding::at(&BI001, (stage, from))
                    .severity(Severity::Info)
                    .message(format!(
                        "{} has no tag, but it is no Docker Hub official image, so it can only \
                         be an image built or tagged on the builder (the build takes its \
                         `latest` tag there)",
                        quote(reference)
                    ))
                    .fix(
                        "nothing to pin if the image is built locally first; if it comes from \
                         a registry, name it in full: `registry/namespace/name:<version>`",
                    ),
            );
            continue;
        }
        findings.push(
            Finding::at(&BI001, (stage, from))
                .message(format!(
                    "{} has no tag or digest, so the build uses whatever `latest` is",
                    quote(reference)
                ))
                .fix(format!(
                    "pin a version: `{}:<version>`",
                    name.familiar_name()
                )),
        );
    }
}
