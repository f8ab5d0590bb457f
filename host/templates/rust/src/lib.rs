//! {{name}}: a tallyman policy.
//!
//! `tallyman policy test .` builds it and runs it on `tests/<case>/`;
//! `cargo test` runs the unit tests below natively.

use tallyman_sdk::prelude::*;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `sudo` in `RUN` instructions.
    ///
    /// ## Why is this bad?
    /// Builds already run as root until a `USER` says otherwise; `sudo`
    /// adds a setuid binary to the image and hides which user runs what.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN sudo apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// RUN apt-get install -y curl
    /// ```
    pub const ORG001 = {
        id: "ORG001",
        title: "sudo in RUN",
        severity: Medium,
        tags: ["security"],
        equivalents: ["hadolint:DL3004"],
    };
}

pub struct ThisPolicy;

impl Policy for ThisPolicy {
    // A `serde` struct with `#[serde(deny_unknown_fields, rename_all =
    // "kebab-case", default)]` gives typed settings whose errors name the key.
    type Settings = NoSettings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "{{name}}",
            version: env!("CARGO_PKG_VERSION"),
            description: "{{name}}: an organisation policy",
            rules: &[&ORG001],
        }
    }

    fn check_dockerfile(dockerfile: &Dockerfile, _settings: &NoSettings) -> Vec<Finding> {
        dockerfile
            .run_commands()
            .filter(|(_, _, command)| command.name == "sudo")
            .map(|(stage, run, command)| {
                Finding::at(&ORG001, (stage, run))
                    .message(format!("`{}` uses sudo", command.text))
                    .fix("drop sudo: the build runs as root until a USER instruction")
            })
            .collect()
    }
}

tallyman_sdk::export_policy!(ThisPolicy);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_documented() {
        tallyman_sdk::testing::assert_rules_documented::<ThisPolicy>();
    }

    #[test]
    fn flags_sudo() {
        let findings =
            tallyman_sdk::testing::check::<ThisPolicy>("FROM debian:12\nRUN sudo true\n", "{}");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line(), Some(2));
    }
}
