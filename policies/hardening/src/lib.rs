//! The `hardening` built-in policy: what the image runs as and with, how
//! its build fetches and verifies code, and the hygiene of its instructions.
//!
//! - the user and the final stage: root (HD001), `sudo` (HD002), no
//!   `HEALTHCHECK` (HD007), SSH port (HD011), shell-form `CMD` and
//!   `HEALTHCHECK` (HD013), world-writable files (HD014), a user name
//!   rather than a UID (HD030), volumes over `/dev`, `/proc`, `/sys`
//!   (HD034);
//! - integrity of what the build downloads: `ADD` (HD003, HD004), `curl | sh`
//!   (HD005), TLS and signature checks turned off (HD006), unpinned packages
//!   (HD020);
//! - package managers: update alone (HD008), caches left behind (HD009),
//!   recommended packages (HD010), prompts (HD018), `apt` in scripts
//!   (HD022), `zypper dist-upgrade` (HD027);
//! - instructions: invalid `EXPOSE` (HD012), repeated `CMD`/`ENTRYPOINT`/
//!   `HEALTHCHECK` (HD015), `MAINTAINER` (HD016), `WORKDIR` (HD017), pipes
//!   without `pipefail` (HD019), `cd` (HD021), `wget` progress noise
//!   (HD023), both `curl` and `wget` (HD024), the shell changed by `RUN`
//!   (HD025), commands that make no sense in a build (HD026), `useradd`
//!   filling lastlog (HD028), consecutive `RUN`s (HD031), several sources
//!   copied to a path without `/` (HD032), copies to a relative path with
//!   no `WORKDIR` (HD033), a local archive copied then unpacked (HD040),
//!   consecutive copies into one directory (HD041).
//!
//! Rules that make sense for a built image also check it (`check-image`):
//! HD001, HD007, HD011, HD013, HD030 and HD034 on its config, HD002, HD005
//! and HD006 on the `RUN` steps of its history, split into commands by
//! [`history`].
//!
//! One rule per module under [`rules`], each documented in ruff's style;
//! `tallyman rule HD019` prints that documentation. What several rules share
//! lives in [`commands`] (matching the split `RUN` commands) and [`scope`]
//! (which stages ship, what a stage inherits, what a variable holds);
//! [`base_user`] knows who well-known base images run as (HD001).

pub mod base_user;
pub mod commands;
pub mod fetched;
pub mod history;
pub mod node_cache;
pub mod rpm_pins;
pub mod rules;
pub mod scope;
mod settings;
mod sources;

use tallyman_sdk::{Dockerfile, Finding, Image, Policy, PolicyMeta};

pub use settings::Settings;

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Hardening;

impl Policy for Hardening {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "hardening",
            version: env!("CARGO_PKG_VERSION"),
            description: "Hardening: a non-root final stage, verified downloads and TLS, \
                          package manager hygiene, pinned versions and sound instructions",
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

tallyman_sdk::export_policy!(Hardening);
