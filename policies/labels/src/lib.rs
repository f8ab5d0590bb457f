//! The `labels` built-in policy: the labels an image carries.
//!
//! - label keys of every `LABEL` (LB001, on by default);
//! - a label schema (the `schema` and `strict` settings, hadolint's
//!   `label-schema` and `strict-labels`): required labels (LB002), labels
//!   outside a strict schema (LB003), empty values (LB004) and values not
//!   of their type (LB005: url, rfc3339, spdx, hash, semver, email).
//!
//! In a Dockerfile the schema applies to the labels the built image gets
//! ([`labels`]): the final stage's and those of the stages it is built on,
//! each key's last value. Images (`check-image`): LB002, LB004 and LB005
//! on the config's `Labels` and the manifest's annotations. Value types
//! live in [`types`], one module per format.

pub mod labels;
pub mod rules;
mod settings;
pub mod types;

use tallyman_sdk::{Dockerfile, Finding, Image, Policy, PolicyMeta};

pub use settings::Settings;

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Labels;

impl Policy for Labels {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "labels",
            version: env!("CARGO_PKG_VERSION"),
            description: "Labels: valid keys, and a configurable schema of required labels and \
                          value types (url, rfc3339, spdx, hash, semver, email), on Dockerfiles \
                          and images",
            rules: rules::ALL,
        }
    }

    fn validate_settings(settings: &Settings) -> Result<(), String> {
        settings.validate()
    }

    fn check_dockerfile(dockerfile: &Dockerfile, settings: &Settings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for check in rules::CHECKS {
            check(dockerfile, settings, &mut findings);
        }
        findings
    }

    fn check_image(image: &Image, settings: &Settings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for check in rules::IMAGE_CHECKS {
            check(image, settings, &mut findings);
        }
        findings
    }
}

tallyman_sdk::export_policy!(Labels);
