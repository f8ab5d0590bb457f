use tallyman_sdk::{Dockerfile, Finding};

use crate::references::{from_images, other_images, quote};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags images pulled from a registry that is not in the
    /// `trusted-registries` setting: in `FROM`, `COPY --from=<image>`,
    /// `ADD --from=<image>` and `RUN --mount=from=<image>`. Entries may use
    /// wildcards (`*.gcr.io`); Docker Hub is `docker.io`, which is what an
    /// image without a registry (`ubuntu`) comes from.
    ///
    /// The rule is silent while `trusted-registries` is empty.
    ///
    /// ## Why is this bad?
    /// Every image a build pulls runs code in the build or ships code in the
    /// image. An organisation that mirrors and scans its images wants every
    /// build to use the mirror; an image pulled straight from a public
    /// registry skips that review, and a typo-squatted name on a public
    /// registry can be anyone's.
    ///
    /// ## Example
    /// With `trusted-registries: [registry.example.com, "*.gcr.io"]`:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY --from=quay.io/tools/jq:1.7 /usr/bin/jq /usr/local/bin/jq
    /// ```
    ///
    /// ## Fix
    /// Pull through the trusted registry (or add the registry to the list
    /// once it is trusted):
    /// ```dockerfile
    /// FROM registry.example.com/library/node:22-slim
    /// COPY --from=registry.example.com/tools/jq:1.7 /usr/bin/jq /usr/local/bin/jq
    /// ```
    pub const BI004 = {
        id: "BI004",
        title: "Image from a registry that is not trusted",
        severity: High,
        tags: ["cis-docker-1.6:4.2", "supply-chain", "security"],
        equivalents: ["hadolint:DL3026"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    if settings.trusted_registries.is_empty() {
        return;
    }
    let trusted = settings.trusted_registries.join("`, `");
    for (stage, instruction, reference, name) in
        from_images(dockerfile).chain(other_images(dockerfile))
    {
        let is_trusted = settings
            .trusted_registries
            .iter()
            .any(|registry| name.registry_matches(registry));
        if !is_trusted {
            findings.push(
                Finding::at(&BI004, (stage, instruction))
                    .message(format!(
                        "{} comes from `{}`, which is not a trusted registry",
                        quote(reference),
                        name.canonical_registry()
                    ))
                    .fix(format!("pull it through a trusted registry (`{trusted}`)")),
            );
        }
    }
}
