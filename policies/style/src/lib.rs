//! The `style` built-in policy: how a Dockerfile is written, where BuildKit's
//! build checks warn about it, for files whose builds succeed either way.
//!
//! - instruction keywords in one case (ST001);
//! - empty lines inside a `\` continuation, which BuildKit will refuse
//!   (ST002);
//! - `EXPOSE` protocols in lower case (ST003);
//! - comments above `ARG` and named `FROM` that read as descriptions for
//!   `docker build --call=outline` but name something else (ST004);
//! - the legacy `ENV key value` / `LABEL key value` form (ST005).
//!
//! How a Dockerfile is written leaves no trace in an image's metadata: the
//! policy has no `check-image`.
//!
//! Each rule follows BuildKit's own check (`buildkit:<Name>` in its
//! equivalents; the differences are in each rule's documentation). One rule
//! per module under [`rules`], each documented in ruff's style; `tallyman
//! rule ST005` prints that documentation.

pub mod rules;

use tallyman_sdk::{Dockerfile, Finding, NoSettings, Policy, PolicyMeta};

/// The policy, exported as a Wasm component by [`tallyman_sdk::export_policy!`].
pub struct Style;

impl Policy for Style {
    type Settings = NoSettings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: "style",
            version: env!("CARGO_PKG_VERSION"),
            description: "Style: BuildKit's syntax checks (instruction casing, empty continuation \
                          lines, EXPOSE protocol casing, definition descriptions, the legacy \
                          ENV/LABEL form)",
            rules: rules::ALL,
        }
    }

    fn check_dockerfile(dockerfile: &Dockerfile, _: &NoSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for check in rules::CHECKS {
            check(dockerfile, &mut findings);
        }
        findings
    }
}

tallyman_sdk::export_policy!(Style);
