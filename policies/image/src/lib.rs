//! The `image` built-in policy: what only a built image shows, checked by
//! `tallyman image` before the image is pushed.
//!
//! - traceability labels: `org.opencontainers.image.source`, `.revision`
//!   and `.created` (IMG001; the list is the `required-labels` setting);
//! - the platform the image was built for, against the one asked for (IMG002);
//! - the number of layers (IMG003; the `max-layers` setting).
//!
//! A Dockerfile gives this policy nothing to check: the other built-ins
//! check it, and check images too where their rules apply.

pub mod rules;
mod settings;

use tallyman_sdk::{Dockerfile, Finding, Image, Policy, PolicyMeta};

pub use settings::Settings;

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct ImagePolicy;

impl Policy for ImagePolicy {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "image",
            version: env!("CARGO_PKG_VERSION"),
            description: "Image-only checks before a push: traceability labels, the platform \
                          built for, the number of layers",
            rules: rules::ALL,
        }
    }

    fn validate_settings(settings: &Settings) -> Result<(), String> {
        settings.validate()
    }

    fn check_dockerfile(_: &Dockerfile, _: &Settings) -> Vec<Finding> {
        Vec::new()
    }

    fn check_image(image: &Image, settings: &Settings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for check in rules::CHECKS {
            check(image, settings, &mut findings);
        }
        findings
    }
}

tallyman_sdk::export_policy!(ImagePolicy);
