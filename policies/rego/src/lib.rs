//! The Rego runner: Rego policy sets (conftest, Trivy and tallyman-model
//! policies) evaluated with [`regorus`] inside the same sandbox as every
//! other policy.
//!
//! The runner is embedded like the built-ins but is not applied to scans by
//! itself: the host loads it once per Rego policy set the user gives
//! (`-p DIR`, `policies: - rego: DIR`), with the set as its settings (see
//! [`bundle`]). The host reads the set's rules with [`describe`] and
//! declares them as that policy's rules; the runner evaluates them.
//!
//! Modules are parsed and compiled once per set and instance ([`runner`]
//! caches the engine by a hash of the set), not once per target.

pub mod bundle;
#[cfg(not(target_arch = "wasm32"))]
pub mod describe;
pub mod extensions;
pub mod forbidden;
pub mod hoist_some;
pub mod input;
pub mod results;
pub mod runner;
pub mod testing;

use tallyman_sdk::{Dockerfile, Finding, Policy, PolicyMeta};

pub use bundle::{Bundle, Entry, Module, Settings, Shape};

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Rego;

/// The name the runner's component declares; each loaded set is renamed.
pub const RUNNER_NAME: &str = "rego";

impl Policy for Rego {
    type Settings = Settings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: RUNNER_NAME,
            version: env!("CARGO_PKG_VERSION"),
            description: "The Rego runner: evaluates the Rego policy sets the user loads \
                          (conftest, Trivy and tallyman-model policies)",
            // The rules are those of the set it is loaded with; the host
            // declares them (see `describe`).
            rules: &[],
        }
    }

    fn validate_settings(settings: &Settings) -> Result<(), String> {
        let bundle = settings.bundle()?;
        forbidden::check_modules(&bundle.modules)?;
        runner::with_compiled(settings, |_| Ok(()))
    }

    fn check_dockerfile(dockerfile: &Dockerfile, settings: &Settings) -> Vec<Finding> {
        if let Some(test) = &settings.test {
            let outcome = runner::with_compiled(settings, |compiled| {
                Ok(testing::run_test(compiled.engine(), test))
            });
            return match outcome {
                Ok(result) => vec![testing::outcome_finding(&result)],
                Err(reason) => panic!("rego: {reason}"),
            };
        }
        match runner::with_compiled(settings, |compiled| compiled.check(dockerfile)) {
            Ok(findings) => findings,
            // `check-dockerfile` has no error channel: a trap is how the host
            // learns that this (policy, target) failed, with the reason, and
            // reports it as a policy error rather than as "no findings".
            Err(reason) => panic!("rego: {reason}"),
        }
    }
}

tallyman_sdk::export_policy!(Rego);
