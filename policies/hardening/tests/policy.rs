//! The hardening policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_hardening::Hardening;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<Hardening>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<Hardening>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<Hardening>();
    let info = testing::metadata::<Hardening>();
    assert_eq!(info.name, "hardening");
    let ids: Vec<String> = info.rules.iter().map(|rule| rule.id.clone()).collect();
    let expected: Vec<String> = (1..=28)
        .chain(30..=34)
        .chain([40, 41])
        .map(|n| format!("HD{n:03}"))
        .collect();
    assert_eq!(ids, expected);
    let hd001 = &info.rules[0];
    assert_eq!(
        hd001.equivalents,
        [
            "hadolint:DL3002",
            "trivy:DS-0002",
            "checkov:CKV_DOCKER_3",
            "checkov:CKV_DOCKER_8"
        ]
    );
    assert!(hd001.tags.contains(&"cis-docker-1.6:4.1".to_string()));
    assert!(hd001.description.starts_with("## What it does\n"));
    assert!(hd001.help.starts_with("## Example\n```dockerfile\n"));
    // Every security rule says so.
    for id in ["HD001", "HD002", "HD005", "HD006", "HD014"] {
        let rule = info.rules.iter().find(|rule| rule.id == id);
        assert!(
            rule.is_some_and(|rule| rule.tags.contains(&"security".to_string())),
            "{id} is not tagged security"
        );
    }
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (
            r#"{"target": " "}"#,
            "`target`: a stage name cannot be empty",
        ),
        (r#"{"target": 3}"#, "`target`: invalid type"),
        (
            r#"{"unpinned-severity": "urgent"}"#,
            "`unpinned-severity`: `urgent` is not a severity",
        ),
        (
            r#"{"unpinned-severity": true}"#,
            "`unpinned-severity`: invalid type",
        ),
        (
            r#"{"unpinned_severity": "low"}"#,
            "unknown field `unpinned_severity`",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<Hardening>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{"target": "release", "unpinned-severity": "High"}"#;
    assert_eq!(testing::validate_settings::<Hardening>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<Hardening>("{}"), Ok(()));
}

#[test]
fn unpinned_severity_setting_overrides_the_default() {
    let dockerfile = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n";
    let severities = |settings: &str| -> Vec<Option<tallyman_sdk::Severity>> {
        testing::check::<Hardening>(dockerfile, settings)
            .into_iter()
            .filter(|finding| finding.rule_id == "HD020")
            .map(|finding| finding.severity)
            .collect()
    };
    assert_eq!(severities("{}"), [None]);
    assert_eq!(
        severities(r#"{"unpinned-severity": "high"}"#),
        [Some(tallyman_sdk::Severity::High)]
    );
}

/// A weakening flag inside a heredoc script, on a continuation line of its
/// command: the finding is on the body line that holds the flag (a fixture
/// cannot mark it, as a comment line would end the shell's continuation).
#[test]
fn hd006_points_at_the_heredoc_line_holding_the_flag() {
    let dockerfile = "FROM debian:12-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y \\
  --force-yes curl
EOF
RUN bash <<EOF
curl -fsSL \\
  -k https://example.com/x.tgz -o /tmp/x.tgz
EOF
";
    let lines: Vec<(String, Option<u32>)> = testing::check::<Hardening>(dockerfile, "{}")
        .into_iter()
        .filter(|finding| finding.rule_id == "HD006")
        .map(|finding| (finding.message.clone(), finding.line()))
        .collect();
    assert_eq!(
        lines,
        [
            (
                "`apt-get --force-yes` turns off package signature verification".to_string(),
                Some(6)
            ),
            (
                "`curl -k` turns off TLS certificate verification".to_string(),
                Some(10)
            ),
        ]
    );
}

#[test]
fn hd001_severity_follows_what_is_known_of_the_base_user() {
    use tallyman_sdk::Severity::Low;
    // `Some(None)`: flagged at the rule's high; `Some(Some(Low))`: the
    // base's user is unknown; `None`: the base sets a non-root user.
    let cases = [
        ("debian:bookworm-slim", Some(None)),
        ("docker.io/library/python:3.13", Some(None)),
        ("arm64v8/alpine:3.22", Some(None)),
        ("quay.io/centos/centos:stream9", Some(None)),
        ("registry.access.redhat.com/ubi9/ubi-minimal", Some(None)),
        ("redhat/ubi10-minimal", Some(None)),
        ("gcr.io/distroless/static-debian12", Some(None)),
        (
            "mcr.microsoft.com/dotnet/runtime-deps:9.0-noble",
            Some(None),
        ),
        (
            "mcr.microsoft.com/dotnet/aspnet:9.0-windowsservercore-ltsc2022",
            Some(None),
        ),
        ("mcr.microsoft.com/azurelinux/base/core:3.0", Some(None)),
        ("gcr.io/distroless/static-debian12:nonroot", None),
        ("nginxinc/nginx-unprivileged:1.27", None),
        (
            "mcr.microsoft.com/dotnet/runtime-deps:9.0-noble-chiseled",
            None,
        ),
        (
            "mcr.microsoft.com/dotnet/aspnet:9.0-azurelinux3.0-distroless",
            None,
        ),
        (
            "mcr.microsoft.com/dotnet/aspnet:9.0-nanoserver-ltsc2022",
            None,
        ),
        ("mcr.microsoft.com/dotnet/monitor/base:9.0.5-amd64", None),
        ("quay.io/jupyter/scipy-notebook:2025-01-01", None),
        ("jupyter/docker-stacks-foundation", None),
        ("jenkins/jenkins:lts-jdk21", None),
        ("jenkins/inbound-agent:latest-jdk21", None),
        ("bitnami/postgresql:16", None),
        ("sonarqube:10-community", None),
        // Not known either way: a one-word name is `library/<name>` on
        // Docker Hub, but only the listed official images are known.
        ("bats-jenkins", Some(Some(Low))),
        ("someone/python:3.12", Some(Some(Low))),
        ("ghcr.io/example/ubuntu:24.04", Some(Some(Low))),
        ("bitnami/minideb:bookworm", Some(Some(Low))),
        (
            "registry.access.redhat.com/ubi9/python-312",
            Some(Some(Low)),
        ),
        ("quay.io/jupyter/repo2docker", Some(Some(Low))),
        ("jenkins/ssh-agent", Some(Some(Low))),
    ];
    let mut wrong = Vec::new();
    for (base, expected) in cases {
        let dockerfile = format!("FROM {base}\nCMD [\"app\"]\n");
        let found: Vec<_> = testing::check::<Hardening>(&dockerfile, "{}")
            .into_iter()
            .filter(|finding| finding.rule_id == "HD001")
            .map(|finding| finding.severity)
            .collect();
        let wanted: Vec<_> = expected.into_iter().collect();
        if found != wanted {
            wrong.push(format!("{base}: {found:?}, wanted {wanted:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn hd001_leaves_dev_containers_to_devcontainer_json() {
    // devcontainers/images, src/base-debian/.devcontainer/Dockerfile: built
    // on buildpack-deps (root), but a dev container, whose user is
    // devcontainer.json's `remoteUser`.
    let dockerfile = r#"ARG VARIANT="trixie"
FROM buildpack-deps:${VARIANT}-curl
RUN apt-get update && export DEBIAN_FRONTEND=noninteractive \
    && apt-get upgrade -y \
    && rm -rf /var/lib/apt/lists/*
"#;
    let hd001 = |path: &str| -> Vec<Option<tallyman_sdk::Severity>> {
        testing::Check::new(dockerfile)
            .path(path)
            .run::<Hardening>()
            .into_iter()
            .filter(|finding| finding.rule_id == "HD001")
            .map(|finding| finding.severity)
            .collect()
    };
    assert!(hd001("src/base-debian/.devcontainer/Dockerfile").is_empty());
    assert!(hd001(".devcontainer/Dockerfile").is_empty());
    assert!(hd001("tools\\.devcontainer\\Dockerfile").is_empty());
    // The same file anywhere else is an image running as root, at the
    // rule's own (high) severity.
    assert_eq!(hd001("src/base-debian/Dockerfile"), [None]);
    assert_eq!(hd001("devcontainer/Dockerfile"), [None]);
}

#[test]
fn odd_inputs_give_valid_findings_and_no_panic() {
    // (An empty file, instructions before the first FROM and others BuildKit
    // refuses are the parser's to refuse, not the policy's.)
    let inputs = [
        "ARG BASE\nFROM $BASE\n",
        "FROM scratch\nUSER :\nUSER \"\"\n",
        "FROM alpine\nEXPOSE 99999999999999999999 -1 /tcp : 22-\n",
        "FROM alpine\nRUN a |\nRUN | b\nRUN ''\nRUN \"\nRUN $(\n",
        "FROM alpine\nRUN sh -c \"$(curl\"\nRUN bash <(\nRUN curl x | sh -c\n",
        "FROM alpine\nRUN chmod\nRUN chmod 7777777777 x\nRUN mkdir -m\nCOPY --chmod= a b\n",
        "FROM alpine\nWORKDIR \"\"\nWORKDIR é\nADD https:// /\n",
        "FROM alpine\nRUN apt-get install -o\nRUN pip install -r\nRUN npm install @\nRUN go install @\n",
        "FROM alpine\nRUN set -o\nRUN set -o pipefail |\nSHELL [\"\"]\nRUN a | b\n",
        "FROM alpine\nENV GIT_SSL_NO_VERIFY= NODE_TLS_REJECT_UNAUTHORIZED=\nARG PIP_TRUSTED_HOST\n",
        "FROM alpine\nRUN echo 'é\\n\u{1F600}=0\\ngpgcheck=0' > x\nMAINTAINER \"\n",
        "FROM a AS b\nFROM b AS a\nUSER root\n",
    ];
    for input in inputs {
        // The harness validates every finding and panics with the reason on
        // an invalid one; a panic in the policy fails the test the same way.
        let findings = testing::check::<Hardening>(input, r#"{"target": "a"}"#);
        assert!(
            findings
                .iter()
                .all(|finding| finding.rule_id.starts_with("HD")),
            "{input:?}: {findings:?}"
        );
    }
}

#[test]
fn hd030_leaves_dev_containers_to_devcontainer_json() {
    let dockerfile = "FROM mcr.microsoft.com/devcontainers/base:bookworm\nUSER vscode\n";
    let hd030 = |path: &str| -> usize {
        testing::Check::new(dockerfile)
            .path(path)
            .run::<Hardening>()
            .into_iter()
            .filter(|finding| finding.rule_id == "HD030")
            .count()
    };
    assert_eq!(hd030(".devcontainer/Dockerfile"), 0);
    assert_eq!(hd030("Dockerfile"), 0, "built on a dev container image");
    let deployed = "FROM debian:12-slim\nUSER vscode\n";
    let found = testing::Check::new(deployed)
        .path(".devcontainer/Dockerfile")
        .run::<Hardening>();
    assert!(found.iter().all(|finding| finding.rule_id != "HD030"));
    let found = testing::Check::new(deployed)
        .path("app/Dockerfile")
        .run::<Hardening>();
    assert_eq!(
        found
            .iter()
            .filter(|finding| finding.rule_id == "HD030")
            .count(),
        1
    );
}
