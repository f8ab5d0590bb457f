//! The `secrets` built-in policy: secrets that end up in an image or in
//! the Dockerfile itself.
//!
//! Build arguments and environment variables named like secrets (SEC001),
//! hard-coded tokens and keys anywhere in the file (SEC002), passwords in
//! URLs (SEC003), secret files copied into layers (SEC004), the whole
//! build context copied without a `.dockerignore` (SEC005), secret build
//! arguments used in `RUN` (SEC006), secret files deleted a layer too
//! late (SEC007), credentials set or passed on a command line (SEC008),
//! CLI logins that keep a credential in the image (SEC009), credential
//! file variables pointing at copied files (SEC010) and accounts left
//! with an empty password (SEC011). One rule per module under [`rules`], each documented in
//! ruff's style; `tallyman rule SEC002` prints that documentation.
//!
//! The policy is built against the false positives users report about
//! other secrets linters: GPG key fingerprints (`GPG_KEYS`), checksums
//! (`*_SHA256`), references (`*_FILE`, `*_PATH`, `${TOKEN}`,
//! `$(cat /run/secrets/x)`), versions and public keys are not secrets.
//!
//! Images (`check-image`): SEC001 and SEC002 read the image's `Env` and
//! `Labels`, SEC002, SEC003 and SEC006 its history, where each `RUN` is
//! recorded with the build arguments it saw ([`image`]).

pub mod credentials;
pub mod detectors;
pub mod files;
pub mod ignore;
pub mod image;
pub mod logins;
pub mod names;
pub mod rules;
mod scan;
mod settings;
mod support;
pub mod url;
pub mod values;

use tallyman_sdk::{Dockerfile, Finding, Image, Policy, PolicyMeta};

pub use settings::Settings;

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Secrets;

impl Policy for Secrets {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "secrets",
            version: env!("CARGO_PKG_VERSION"),
            description: "Secrets in images and Dockerfiles: secret build arguments and \
                          environment variables, hard-coded tokens and keys, passwords in URLs, \
                          secret files in layers, unfiltered build contexts, credentials on \
                          command lines, CLI logins and credential files kept in the image",
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

tallyman_sdk::export_policy!(Secrets);
