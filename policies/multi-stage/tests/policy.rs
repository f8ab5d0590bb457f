//! The multi-stage policy on its fixtures (`tests/fixtures/<RULE>/`), its
//! metadata and its settings.

use std::path::PathBuf;

use tallyman_policy_multi_stage::MultiStage;
use tallyman_sdk::testing;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_gets_exactly_its_marked_findings() {
    testing::assert_fixtures::<MultiStage>(&fixtures());
}

#[test]
fn fixture_findings_snapshots() {
    insta::glob!("fixtures/*/*.Dockerfile", |path| {
        insta::assert_snapshot!(testing::render_fixture::<MultiStage>(path));
    });
}

#[test]
fn rules_are_declared_and_documented() {
    testing::assert_rules_documented::<MultiStage>();
    let info = testing::metadata::<MultiStage>();
    assert_eq!(info.name, "multi-stage");
    let ids: Vec<&str> = info.rules.iter().map(|rule| rule.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "MS001", "MS002", "MS003", "MS004", "MS005", "MS006", "MS007", "MS008", "MS009",
            "MS010", "MS011", "MS012", "MS013"
        ]
    );
    let equivalents = |id: &str| {
        info.rules
            .iter()
            .find(|rule| rule.id == id)
            .map(|rule| rule.equivalents.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        equivalents("MS004"),
        ["hadolint:DL3022", "hadolint:DL3023", "trivy:DS-0006"]
    );
    assert_eq!(
        equivalents("MS005"),
        [
            "hadolint:DL3024",
            "hadolint:DL3063",
            "trivy:DS-0012",
            "checkov:CKV_DOCKER_11",
            "buildkit:DuplicateStageName",
            "buildkit:ReservedStageName"
        ]
    );
    assert_eq!(equivalents("MS007"), ["hadolint:DL3067"]);
    assert_eq!(
        equivalents("MS010"),
        ["buildkit:StageNameCasing", "buildkit:FromAsCasing"]
    );
    let severities: Vec<&str> = info
        .rules
        .iter()
        .map(|rule| testing::severity_name(rule.default_severity))
        .collect();
    assert_eq!(
        severities,
        [
            "medium", "low", "low", "high", "high", "medium", "medium", "info", "low", "info",
            "low", "info", "medium"
        ]
    );
    let ms004 = info.rules.iter().find(|rule| rule.id == "MS004");
    assert!(
        ms004.is_some_and(|rule| rule.description.starts_with("## What it does\n")
            && rule.help.starts_with("## Example\n```dockerfile\n"))
    );
}

#[test]
fn settings_errors_name_the_key() {
    let cases = [
        (r#"{"target": 3}"#, "`target`: invalid type"),
        (r#"{"target": ""}"#, "`target`: `` is not a stage name"),
        (
            r#"{"target": "my stage"}"#,
            "`target`: `my stage` is not a stage name",
        ),
        (
            r#"{"allowed-final-bases": ["scratch", "node:"]}"#,
            "`allowed-final-bases[1]`: image pattern `node:` needs a name",
        ),
        (
            r#"{"allowed-final-bases": "scratch"}"#,
            "`allowed-final-bases`: invalid type",
        ),
        (
            r#"{"allowed-final-base": []}"#,
            "unknown field `allowed-final-base`",
        ),
        ("[]", "settings must be a JSON object"),
        (
            r#"{"toolchain-paths": ["ci/**", "ci/[x"]}"#,
            "`toolchain-paths[1]`: path glob `ci/[x` is invalid: unclosed character class",
        ),
        (
            r#"{"toolchain-paths": [""]}"#,
            "`toolchain-paths[0]`: a path glob cannot be empty",
        ),
        (
            r#"{"toolchain-paths": ["ci\\**"]}"#,
            "`toolchain-paths[0]`: path glob `ci\\**`: paths are `/`-separated",
        ),
        (
            r#"{"toolchain-paths": "ci/**"}"#,
            "`toolchain-paths`: invalid type",
        ),
        (
            r#"{"toolchain-path": []}"#,
            "unknown field `toolchain-path`",
        ),
    ];
    let mut failures = Vec::new();
    for (settings, expected) in cases {
        match testing::validate_settings::<MultiStage>(settings) {
            Ok(()) => failures.push(format!("{settings}: accepted")),
            Err(error) if error.starts_with(expected) => {}
            Err(error) => failures.push(format!("{settings}: {error}\n  wanted: {expected}…")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let complete = r#"{"target": "release", "allowed-final-bases": ["scratch", "gcr.io/distroless/*", "ubuntu:24.04"], "toolchain-paths": ["ci/**", "**/.devcontainer/**"]}"#;
    assert_eq!(testing::validate_settings::<MultiStage>(complete), Ok(()));
    assert_eq!(testing::validate_settings::<MultiStage>("{}"), Ok(()));
    assert_eq!(testing::validate_settings::<MultiStage>(""), Ok(()));
}

#[test]
fn the_target_setting_and_the_scans_target_pick_the_final_stage() {
    let text = "FROM golang:1.23 AS build\nRUN go build -o /app .\nCMD [\"/app\"]\n\
                FROM gcr.io/distroless/static-debian12 AS release\nCOPY --from=build /app /app\n";
    let rules = |findings: Vec<tallyman_sdk::Finding>| {
        findings
            .into_iter()
            .map(|finding| format!("{}:{}", finding.rule_id, finding.line().unwrap_or(0)))
            .collect::<Vec<_>>()
    };
    // Built as a whole: the Go build is copied into a static base with cgo on.
    assert_eq!(rules(testing::check::<MultiStage>(text, "{}")), ["MS013:5"]);
    // `--target build` (setting or scan): the golang stage ships.
    let by_setting = testing::check::<MultiStage>(text, r#"{"target": "build"}"#);
    assert_eq!(rules(by_setting), ["MS001:1"]);
    let by_scan = testing::Check::new(text)
        .target("build")
        .run::<MultiStage>();
    assert_eq!(rules(by_scan), ["MS001:1"]);
    // A target setting naming no stage of this file falls back to the scan's.
    let unknown = testing::check::<MultiStage>(text, r#"{"target": "nope"}"#);
    assert_eq!(rules(unknown), ["MS013:5"]);
}

/// The four images of issue 17 build toolchains, not applications: no rule
/// of the policy may fire on them.
#[test]
fn toolchain_images_of_issue_17_are_quiet() {
    let snippets = [
        "MS001/good-maven-image.Dockerfile",
        "MS002/good-make-image.Dockerfile",
        "MS002/good-dev-container.Dockerfile",
        "MS011/good-toolchain-chain.Dockerfile",
    ];
    for snippet in snippets {
        let path = fixtures().join(snippet);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let findings = testing::Check::new(&text).path(snippet).run::<MultiStage>();
        let fired: Vec<String> = findings
            .iter()
            .map(|finding| format!("{}: {}", finding.rule_id, finding.message))
            .collect();
        assert!(fired.is_empty(), "{snippet}: {fired:#?}");
    }
}

/// The dev-container signals that live in the path and the pragma's
/// spelling, which fixtures (named `<RULE>/<file>`) cannot show.
#[test]
fn dev_container_paths_and_pragmas_decide_the_image_kind() {
    let image = "FROM node:22\nRUN apt-get update && apt-get install -y gcc\nCMD [\"node\", \"server.js\"]\n";
    let rules = |text: &str, path: &str| {
        testing::Check::new(text)
            .path(path)
            .run::<MultiStage>()
            .into_iter()
            .map(|finding| finding.rule_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(image, "svc/Dockerfile"), ["MS001", "MS002"]);
    assert!(rules(image, ".devcontainer/Dockerfile").is_empty());
    assert!(rules(image, "tools/.devcontainer/app.Dockerfile").is_empty());
    assert!(rules(image, ".github/actions/lint/Dockerfile").is_empty());
    // `eng/` holds a repository's engineering tools (.NET's Arcade
    // convention), also under the repository's prefix in an org-wide
    // scan; `engine/` or a file named `eng` is another thing.
    assert!(rules(image, "eng/update-dependencies/Dockerfile").is_empty());
    assert!(rules(image, "dotnet-docker/eng/Dockerfile").is_empty());
    assert_eq!(rules(image, "svc/engine/Dockerfile"), ["MS001", "MS002"]);
    assert_eq!(rules(image, "svc/eng"), ["MS001", "MS002"]);
    let ci_base = image.replace("FROM node:22", "FROM cimg/node:22.1");
    assert!(rules(&ci_base, "svc/Dockerfile").is_empty());
    assert!(rules(image, "Dockerfile.dev").is_empty());
    assert!(rules(image, "ci.Dockerfile").is_empty());
    let declared = format!("#  tallyman  image-kind=toolchain \n{image}");
    assert!(rules(&declared, "svc/Dockerfile").is_empty());
    // Not the pragma: a word glued to `tallyman`, or an unknown kind.
    let glued = format!("# tallymanimage-kind=toolchain\n{image}");
    assert_eq!(rules(&glued, "svc/Dockerfile"), ["MS001", "MS002"]);
    let unknown = format!("# tallyman image-kind=tools\n{image}");
    assert_eq!(rules(&unknown, "svc/Dockerfile"), ["MS001", "MS002"]);
    let logs = testing::take_logs();
    assert!(
        logs.iter()
            .any(|(_, message)| message.contains("`image-kind=tools` is neither")),
        "{logs:?}"
    );
    // A script under `jdk17/` is the JDK variant of an image matrix; an
    // application run there is not.
    let server = "FROM eclipse-temurin:17-jdk-noble\nCMD [\"catalina.sh\", \"run\"]\n";
    assert!(rules(server, "10.1/jdk17/temurin-noble/Dockerfile").is_empty());
    assert_eq!(rules(server, "svc/Dockerfile"), ["MS001"]);
    let jar = "FROM eclipse-temurin:17-jdk-noble\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n";
    assert_eq!(rules(jar, "jdk17/Dockerfile"), ["MS001"]);
    // The last pragma wins.
    let both =
        format!("# tallyman image-kind=toolchain\n# tallyman image-kind=application\n{image}");
    assert_eq!(rules(&both, "Dockerfile.dev"), ["MS001", "MS002"]);
}
