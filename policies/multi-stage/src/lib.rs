//! The `multi-stage` built-in policy: build with the full toolchain, ship
//! only the artifacts.
//!
//! What the final stage is built on and what it installs (MS001, MS002,
//! MS011), how stages refer to each other (MS003, MS004, MS005, MS010),
//! what crosses from the build into the image (MS006, MS007, MS012,
//! MS013), dead stages (MS008) and layer caching (MS009). One rule per
//! module under [`rules`], each documented in ruff's style;
//! `tallyman rule MS004` prints that documentation.
//!
//! "Final stage" is the stage that is built: the one the `target` setting
//! names, else the scan's target, else the last. Rules about what ships look
//! at the final stage and the stages it is built on (`FROM <stage>`), never
//! at builder stages whose files are only copied from.
//!
//! Rules about what ships (MS001, MS002, MS006, MS007, MS011) apply to application
//! images only, not to images whose product is a toolchain (a Maven or
//! `make` image, a CI image, a dev container): [`support::image_kind`]
//! decides from the file, a `# tallyman image-kind=...` comment or the
//! `toolchain-paths` setting.
//!
//! Stage references follow BuildKit, not the order of the file: a
//! `COPY --from` may name a stage defined further down, and a reference
//! with variables (`FROM base-${TARGETARCH}`) may name any stage of its
//! shape ([`support::graph`]).

pub mod rules;
mod settings;
pub mod support;

use tallyman_sdk::{Dockerfile, Finding, Policy, PolicyMeta};

pub use settings::{DEFAULT_ALLOWED_FINAL_BASES, Settings};

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct MultiStage;

impl Policy for MultiStage {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "multi-stage",
            version: env!("CARGO_PKG_VERSION"),
            description: "Multi-stage builds: toolchains and build tools out of the final \
                          stage, stages referred to correctly, only artifacts copied, \
                          minimal final bases, dependency layers cached",
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
}

tallyman_sdk::export_policy!(MultiStage);
