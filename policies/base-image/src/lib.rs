//! The `base-image` built-in policy: what a Dockerfile builds on.
//!
//! Tags and digests (BI001–BI003), trusted registries (BI004), end of life
//! (BI005), `ARG`s in `FROM` (BI006), `--platform` (BI007), external images
//! in `COPY --from` and `RUN --mount from=` (BI008) and allowed final bases
//! (BI009). One rule per module under [`rules`], each documented in ruff's
//! style; `tallyman rule BI005` prints that documentation.

mod eol;
pub mod image;
mod official_images;
mod references;
pub mod rules;
mod settings;
mod substitution;

use tallyman_sdk::{Dockerfile, Finding, Image, Policy, PolicyMeta};

pub use settings::{EndOfLifeSetting, Settings};

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct BaseImage;

impl Policy for BaseImage {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "base-image",
            version: env!("CARGO_PKG_VERSION"),
            description: "What a Dockerfile builds on: tags and digests, trusted registries, \
                          end-of-life images, ARGs and platforms in FROM, allowed final bases",
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

tallyman_sdk::export_policy!(BaseImage);
