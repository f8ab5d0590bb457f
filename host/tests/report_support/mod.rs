//! A realistic report built by hand, shared by the `report_*` tests: a small
//! monorepo (Go, Node, Python and Java services, an ignored vendor folder and
//! a file the parser refused), four policies (three built-in, one org
//! policy), findings at every severity, a failed target and a policy error.
#![allow(dead_code)]

use std::collections::HashMap;

use tallyman::report::{
    PolicyEntry, Report, ReportError, ReportFinding, RuleEntry, RunInfo, SeverityName,
    Sha256Digest, Target, TargetKind, TargetStatus, Tool,
};

pub const API: &str = "services/api/Dockerfile";
pub const WEB: &str = "services/web/Dockerfile";
pub const PY: &str = "services/py app/Dockerfile";
pub const JAVA: &str = "services/café/Containerfile";
pub const LEGACY: &str = "legacy/Dockerfile";
pub const VENDOR: &str = "vendor/tool/Dockerfile";

pub const API_SOURCE: &str = "\
# syntax=docker/dockerfile:1
FROM golang:latest AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api

FROM gcr.io/distroless/static
COPY --from=build /out/api /api
ENTRYPOINT [\"/api\"]
";

pub const WEB_SOURCE: &str = "\
FROM node:20
WORKDIR /app
COPY . .
RUN npm ci && \\
\tnpm run build && \\
\tnpm prune --production
EXPOSE 3000
CMD [\"node\", \"dist/server.js\"]
";

pub const PY_SOURCE: &str = "\
FROM python:3.12-slim
ARG PYPI_TOKEN=pypi-AgEIcHlwaS5vcmcCJGE0ZjM
RUN pip install --index-url https://__token__:${PYPI_TOKEN}@pypi.example/simple app
USER app
CMD [\"app\"]
";

pub const JAVA_SOURCE: &str = "\
FROM eclipse-temurin:21 AS build
COPY . /src
RUN /src/gradlew -p /src build

FROM eclipse-temurin:21-jre
COPY --from=build /src/build/libs/app.jar /app.jar
CMD [\"java\", \"-jar\", \"/app.jar\"]
";

/// The report path → source text lookup the tests hand to the renderers.
pub fn sources() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        (API, API_SOURCE),
        (WEB, WEB_SOURCE),
        (PY, PY_SOURCE),
        (JAVA, JAVA_SOURCE),
    ])
}

pub fn lookup(path: &str) -> Option<String> {
    sources().get(path).map(|s| (*s).to_owned())
}

pub fn rule(
    id: &str,
    title: &str,
    severity: SeverityName,
    tags: &[&str],
    equivalents: &[&str],
) -> RuleEntry {
    RuleEntry {
        id: id.to_owned(),
        title: title.to_owned(),
        severity,
        tags: tags.iter().map(|s| (*s).to_owned()).collect(),
        equivalents: equivalents.iter().map(|s| (*s).to_owned()).collect(),
        description: String::new(),
        help: String::new(),
    }
}

pub fn policies() -> Vec<PolicyEntry> {
    let mut root = rule(
        "HD001",
        "Final stage runs as root",
        SeverityName::High,
        &["security", "cis-docker-1.6:4.1"],
        &["hadolint:DL3002", "checkov:CKV_DOCKER_8", "trivy:DS-0002"],
    );
    root.description = "The final stage has no `USER` instruction, or its last `USER` is root, \
        so the container's processes run as root."
        .to_owned();
    root.help = "Create an unprivileged user in the final stage and switch to it with \
        `USER app` before `CMD`."
        .to_owned();
    vec![
        PolicyEntry {
            name: "hardening".to_owned(),
            version: "0.1.0".to_owned(),
            sha256: "5f2b7c1e0d9a4b3c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d".to_owned(),
            builtin: true,
            rules: vec![
                rule(
                    "HD003",
                    "Build tools in the final stage",
                    SeverityName::Medium,
                    &["multi-stage"],
                    &[],
                ),
                root,
                rule(
                    "HD002",
                    "No HEALTHCHECK in the final stage",
                    SeverityName::Info,
                    &["cis-docker-1.6:4.6"],
                    &["checkov:CKV_DOCKER_2"],
                ),
            ],
        },
        PolicyEntry {
            name: "base-image".to_owned(),
            version: "0.1.0".to_owned(),
            sha256: "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d".to_owned(),
            builtin: true,
            rules: vec![
                rule(
                    "BI001",
                    "Image tag is `latest` or missing",
                    SeverityName::Medium,
                    &["supply-chain"],
                    &["hadolint:DL3007", "trivy:DS-0001"],
                ),
                rule(
                    "BI002",
                    "Base image not pinned by digest",
                    SeverityName::Low,
                    &["supply-chain", "security"],
                    &["hadolint:DL3006"],
                ),
            ],
        },
        PolicyEntry {
            name: "secrets".to_owned(),
            version: "0.1.0".to_owned(),
            sha256: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d".to_owned(),
            builtin: true,
            rules: vec![rule(
                "SC001",
                "Secret in ARG or ENV",
                SeverityName::Critical,
                &["security", "cis-docker-1.6:4.10"],
                &["trivy:DS-0031"],
            )],
        },
        PolicyEntry {
            name: "acme-labels".to_owned(),
            version: "1.2.0".to_owned(),
            sha256: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90".to_owned(),
            builtin: false,
            rules: vec![rule(
                "ACME001",
                "Missing org.opencontainers.image.source label",
                SeverityName::Low,
                &["acme"],
                &[],
            )],
        },
    ]
}

pub fn target(path: &str, status: TargetStatus, reason: Option<&str>) -> Target {
    Target {
        path: path.into(),
        kind: TargetKind::Dockerfile,
        sha256: (status != TargetStatus::Failed)
            .then(|| Sha256Digest::from_hex(&format!("{:0>64}", path.len())).unwrap()),
        status,
        reason: reason.map(str::to_owned),
        repository: None,
    }
}

pub fn targets() -> Vec<Target> {
    vec![
        target(WEB, TargetStatus::Scanned, None),
        target(API, TargetStatus::Scanned, None),
        target(
            LEGACY,
            TargetStatus::Failed,
            Some("refused by the parser: line 3: unterminated heredoc <<EOF"),
        ),
        target(PY, TargetStatus::Scanned, None),
        target(
            VENDOR,
            TargetStatus::Skipped,
            Some("matched `vendor/**` in .tallymanignore"),
        ),
        target(JAVA, TargetStatus::Scanned, None),
    ]
}

#[allow(clippy::too_many_arguments)]
pub fn finding(
    rule_id: &str,
    policy: &str,
    severity: SeverityName,
    path: &str,
    line: Option<u32>,
    end_line: Option<u32>,
    column: Option<u32>,
    stage: Option<&str>,
    message: &str,
    fix: Option<&str>,
) -> ReportFinding {
    ReportFinding {
        rule_id: rule_id.into(),
        policy: policy.into(),
        severity,
        path: path.into(),
        line,
        end_line,
        column,
        stage: stage.map(Into::into),
        message: message.into(),
        fix: fix.map(Into::into),
        autofix: None,
    }
}

pub fn findings() -> Vec<ReportFinding> {
    use SeverityName::*;
    vec![
        finding(
            "SC001",
            "secrets",
            Critical,
            PY,
            Some(2),
            Some(2),
            Some(5),
            Some("0"),
            "ARG `PYPI_TOKEN` has a default that looks like a PyPI API token",
            Some(
                "Pass the token with `RUN --mount=type=secret,id=pypi` instead of a build argument",
            ),
        ),
        finding(
            "HD001",
            "hardening",
            High,
            WEB,
            Some(1),
            Some(1),
            Some(1),
            Some("0"),
            "The final stage runs as root: it has no `USER` instruction",
            Some("Add `USER node` before `CMD`"),
        ),
        finding(
            "BI001",
            "base-image",
            Medium,
            API,
            Some(2),
            Some(2),
            Some(6),
            Some("build"),
            "Image `golang:latest` uses the `latest` tag",
            Some("Pin a version, e.g. `golang:1.23`"),
        ),
        finding(
            "HD003",
            "hardening",
            Medium,
            WEB,
            Some(4),
            Some(6),
            None,
            Some("0"),
            "`npm run build` runs in the final stage: its toolchain ships with the image",
            None,
        ),
        finding(
            "BI002",
            "base-image",
            Low,
            WEB,
            Some(1),
            Some(1),
            Some(6),
            Some("0"),
            "Base image `node:20` is not pinned by digest",
            Some("Use `node:20@sha256:<digest>`"),
        ),
        finding(
            "BI002",
            "base-image",
            Low,
            JAVA,
            Some(5),
            Some(5),
            Some(6),
            None,
            "Base image `eclipse-temurin:21-jre` is not pinned by digest",
            None,
        ),
        finding(
            "HD002",
            "hardening",
            Info,
            API,
            None,
            None,
            None,
            None,
            "No HEALTHCHECK in the final stage",
            None,
        ),
        finding(
            "BI002",
            "base-image",
            Low,
            API,
            Some(9),
            Some(9),
            Some(6),
            None,
            "Base image `gcr.io/distroless/static` is not pinned by digest",
            None,
        ),
    ]
}

pub fn errors() -> Vec<ReportError> {
    vec![
        ReportError {
            path: Some(WEB.to_owned()),
            policy: Some("acme-labels".to_owned()),
            kind: "timeout".to_owned(),
            message: "evaluation exceeded the 1s deadline".to_owned(),
        },
        ReportError {
            path: Some(LEGACY.to_owned()),
            policy: None,
            kind: "parse-error".to_owned(),
            message: "line 3: unterminated heredoc <<EOF".to_owned(),
        },
    ]
}

pub fn run_info() -> RunInfo {
    RunInfo {
        started_at: "2026-11-26T10:00:00Z".to_owned(),
        duration_ms: 1234,
        evaluated_on: "2026-11-26".to_owned(),
        fail_on: SeverityName::High,
        config_sha256: None,
        shard: None,
    }
}

pub fn tool() -> Tool {
    Tool {
        name: "tallyman".to_owned(),
        version: "0.1.0".to_owned(),
    }
}

/// The fixture, finalized.
pub fn sample_report() -> Report {
    let mut report = Report::new(tool(), run_info());
    report.policies = policies();
    report.targets = targets();
    report.findings = findings();
    report.errors = errors();
    report.finalize();
    report
}

/// The fixture without errors or failed targets: a run that completed.
pub fn clean_report() -> Report {
    let mut report = sample_report();
    report.errors.clear();
    report.targets.retain(|t| t.status != TargetStatus::Failed);
    report.finalize();
    report
}

/// A report of odd but possible data: no lines, lines past the end of the
/// file, a zero line, an end before the start, a huge column, paths with
/// spaces and non-ASCII, a rule no policy declared, an empty message, a
/// huge message, and text full of markup and control characters.
pub fn odd_report() -> Report {
    use SeverityName::*;
    let mut report = Report::new(tool(), run_info());
    report.policies = policies();
    report.targets = vec![
        target(API, TargetStatus::Scanned, None),
        target("ünïcödé dir/Dockerfile.dev", TargetStatus::Scanned, None),
        Target {
            path: "oci:images/app:1.0".into(),
            kind: TargetKind::Image,
            sha256: Sha256Digest::from_hex(&"ab".repeat(32)),
            status: TargetStatus::Scanned,
            reason: None,
            repository: None,
        },
    ];
    let huge = "a very long message ".repeat(50_000);
    report.findings = vec![
        finding(
            "HD001",
            "hardening",
            High,
            API,
            None,
            None,
            None,
            None,
            "",
            None,
        ),
        finding(
            "HD001",
            "hardening",
            High,
            API,
            Some(0),
            Some(0),
            Some(0),
            None,
            "line zero",
            None,
        ),
        finding(
            "HD003",
            "hardening",
            Medium,
            API,
            Some(5000),
            Some(5001),
            Some(3),
            None,
            "past the end",
            None,
        ),
        finding(
            "HD003",
            "hardening",
            Medium,
            API,
            Some(7),
            Some(2),
            Some(u32::MAX),
            None,
            "end before start",
            None,
        ),
        finding(
            "HD003",
            "hardening",
            Medium,
            API,
            Some(u32::MAX),
            Some(u32::MAX),
            None,
            None,
            "last line",
            None,
        ),
        finding(
            "XX999",
            "mystery",
            Low,
            "ünïcödé dir/Dockerfile.dev",
            Some(1),
            None,
            Some(1),
            Some("builder stage"),
            &huge,
            None,
        ),
        finding(
            "ACME001",
            "acme-labels",
            Low,
            "oci:images/app:1.0",
            None,
            None,
            None,
            None,
            "markup <&>\"' and controls \u{0}\u{7}\u{1b}[31m red \u{b}\u{c}\u{FFFF} \u{202E}reversed",
            Some("fix with <tags> & \"quotes\"\nsecond line"),
        ),
    ];
    report.errors = vec![ReportError {
        path: None,
        policy: Some("acme-labels".to_owned()),
        kind: "load-error".to_owned(),
        message: "module sha256 mismatch: expected a1b2…, got 0000…\nsecond line".to_owned(),
    }];
    report.finalize();
    report
}

/// Renders `report` in `format` with the fixture's sources, without colour.
pub fn render(report: &Report, format: tallyman::report::ReportFormat) -> String {
    let source: &dyn Fn(&str) -> Option<String> = &lookup;
    let options = tallyman::report::RenderOptions {
        color: false,
        source: Some(source),
        root_uri: None,
    };
    let mut out = Vec::new();
    tallyman::report::write_report(report, format, &mut out, &options).expect("writing to a Vec");
    String::from_utf8(out).expect("reports are UTF-8")
}
