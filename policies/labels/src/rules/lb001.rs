use tallyman_sdk::{Dockerfile, Finding};

use crate::labels::every_label;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `LABEL` key that breaks Docker's rules for label keys, as
    /// hadolint's DL3048 reads them: a key starts with a lower-case letter
    /// and ends with one or a digit, holds only lower-case letters, digits,
    /// `.`, `-`, `_` and `/`, has no `..` or `--`, and is not in a namespace
    /// Docker reserves (`com.docker.`, `io.docker.`, `org.dockerproject.`).
    /// Docker's own guide asks for reverse-DNS keys of lower-case letters,
    /// digits, `.` and `-`; `_` and `/` are allowed here as hadolint allows
    /// them, since no tool that reads labels trips on them.
    ///
    /// Every `LABEL` of the file is checked, in every stage: any stage can
    /// be built as a target. A key made of variables (`${PREFIX}.version`)
    /// is not checked. Images are not checked: their keys include the
    /// base image's, which the Dockerfile cannot change.
    ///
    /// ## Why is this bad?
    /// Tools that select images by label (`docker image ls --filter
    /// label=...`, Kubernetes admission policies, registries' search)
    /// compare keys exactly: `Version`, `version` and `VERSION` are three
    /// labels, and the one a query asks for is missing. Unqualified or
    /// upper-case keys also collide with other teams' and tools' labels;
    /// `com.docker.*` keys are Docker's own.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL Version="1.4.0" com.docker.project="billing"
    /// ```
    ///
    /// ## Fix
    /// Use the OCI keys where one fits, and your own reverse-DNS namespace
    /// for the rest:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// LABEL org.opencontainers.image.version="1.4.0" com.example.project="billing"
    /// ```
    pub const LB001 = {
        id: "LB001",
        title: "Invalid label key",
        severity: Info,
        tags: ["style"],
        equivalents: ["hadolint:DL3048"],
    };
}

const RESERVED_NAMESPACES: [&str; 3] = ["com.docker.", "io.docker.", "org.dockerproject."];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for label in every_label(dockerfile) {
        if label.key_has_variables() {
            continue;
        }
        let Some(problem) = key_problem(label.key()) else {
            continue;
        };
        findings.push(
            Finding::at(&LB001, (label.stage, label.instruction))
                .message(format!(
                    "label key `{}` {problem}: label keys are lower case, in reverse-DNS form \
                     (`org.opencontainers.image.version`, `com.example.team`)",
                    label.key()
                ))
                .fix(fix(label.key())),
        );
    }
}

/// Why `key` is not a valid label key, or `None` when it is.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return None;
    }
    if let Some(namespace) = RESERVED_NAMESPACES
        .iter()
        .find(|namespace| key.to_ascii_lowercase().starts_with(**namespace))
    {
        return Some(format!(
            "is in the `{namespace}` namespace, which Docker reserves"
        ));
    }
    if key.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("has upper-case letters".to_string());
    }
    if let Some(bad) = key.chars().find(|&c| !valid_char(c)) {
        return Some(match bad {
            ' ' => "has a space".to_string(),
            bad => format!("has `{bad}`, which is not a letter, digit, `.`, `-`, `_` or `/`"),
        });
    }
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("does not start with a letter".to_string());
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("does not end with a letter or a digit".to_string());
    }
    if key.contains("..") || key.contains("--") {
        return Some("has two separators in a row (`..` or `--`)".to_string());
    }
    None
}

fn valid_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/')
}

fn fix(key: &str) -> String {
    let lower = key.to_ascii_lowercase();
    if RESERVED_NAMESPACES
        .iter()
        .any(|namespace| lower.starts_with(namespace))
    {
        return "use your own namespace (`com.example.` for example.com)".to_string();
    }
    let suggested: String = lower
        .chars()
        .map(|c| if valid_char(c) { c } else { '-' })
        .collect();
    let suggested = suggested.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if suggested.is_empty() || suggested == key || key_problem(suggested).is_some() {
        "rename it: lower-case letters and digits, separated by `.` or `-`".to_string()
    } else {
        format!(
            "rename it, for example to `{suggested}`, or to an OCI key (`org.opencontainers.image.*`) where one fits"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::key_problem;

    #[test]
    fn keys() {
        for key in [
            "maintainer",
            "org.opencontainers.image.source",
            "com.example.some_key",
            "io.k8s/description",
            "version2",
            "a",
        ] {
            assert_eq!(key_problem(key), None, "{key}");
        }
        for (key, reason) in [
            ("Maintainer", "upper-case"),
            ("MAINTAINER", "upper-case"),
            ("com.docker.compose.project", "Docker reserves"),
            ("io.docker.x", "Docker reserves"),
            ("org.dockerproject.x", "Docker reserves"),
            ("2fa", "start with a letter"),
            ("_private", "start with a letter"),
            ("version.", "end with a letter or a digit"),
            ("a..b", "two separators"),
            ("a--b", "two separators"),
            ("build:date", "has `:`"),
            ("my label", "space"),
            ("clé", "has `é`"),
        ] {
            let problem = key_problem(key).unwrap_or_default();
            assert!(problem.contains(reason), "{key}: {problem:?}");
        }
    }
}
