//! `echo` written with `tallyman-sdk`: one finding per `FROM`, nothing else.
//! The SDK exports the `encoded` checks too, so the engine's tests and
//! benchmarks compare the typed and the encoded input paths on a policy
//! whose own work is negligible.

use tallyman_sdk::model::InstructionDetail;
use tallyman_sdk::{Dockerfile, Finding, NoSettings, Policy, PolicyMeta};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Reports every `FROM`, for the engine's tests.
    ///
    /// ## Why is this bad?
    /// It is not: this is a test policy.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// ```
    ///
    /// ## Fix
    /// Nothing to fix.
    pub const ECHO1 = {
        id: "ECHO1",
        title: "A FROM instruction",
        severity: Info,
        tags: [],
        equivalents: [],
    };
}

struct EchoSdk;

impl Policy for EchoSdk {
    type Settings = NoSettings;

    fn info() -> PolicyMeta {
        PolicyMeta {
            name: env!("CARGO_PKG_NAME"),
            version: "0.1.0",
            description: "one finding per FROM, written with tallyman-sdk",
            rules: &[&ECHO1],
        }
    }

    fn check_dockerfile(dockerfile: &Dockerfile, _: &NoSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for stage in &dockerfile.stages {
            for instruction in &stage.instructions {
                if let InstructionDetail::From(from) = &instruction.detail {
                    findings.push(
                        Finding::at(&ECHO1, (stage, instruction))
                            .message(format!("FROM {}", from.base.written)),
                    );
                }
            }
        }
        findings
    }
}

tallyman_sdk::export_policy!(EchoSdk);
