//! The `correctness` built-in policy: the build does something other than
//! its author thinks, without failing.
//!
//! - a variable BuildKit expands to nothing because nothing defines it
//!   (CR001), or expands to its value from before the `ENV` that sets it
//!   (CR002);
//! - a `COPY`/`ADD` of a path `.dockerignore` keeps out of the build context
//!   (CR003).
//!
//! One rule per module under [`rules`], each documented in ruff's style;
//! `tallyman rule CR001` prints that documentation. [`words`] reads variable
//! references the way BuildKit's lexer does, [`uses`] says where BuildKit
//! expands them, [`scope`] what a stage defines, [`base_env`] what well-known
//! base images set, and [`dockerignore`] matches paths against
//! `.dockerignore` patterns the way BuildKit's `patternmatcher` does.

pub mod base_env;
pub mod dockerignore;
pub mod rules;
pub mod scope;
mod settings;
mod suggest;
pub mod uses;
pub mod words;

use tallyman_sdk::{Dockerfile, Finding, Policy, PolicyMeta};

pub use settings::Settings;

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Correctness;

impl Policy for Correctness {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "correctness",
            version: env!("CARGO_PKG_VERSION"),
            description: "Correctness: builds that do something other than their author thinks \
                          (undefined variables, ENV values expanded too early, COPY of files \
                          .dockerignore excludes)",
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

tallyman_sdk::export_policy!(Correctness);
