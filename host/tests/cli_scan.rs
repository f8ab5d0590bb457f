//! `tallyman scan` end to end: the binary on real trees, with the built-in
//! policies embedded by the build.

mod sarif_schema;

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use cli_support::{text, write};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One compile cache for every test of this binary: compiling the built-in
/// policies once is enough (writes to it are atomic).
fn tallyman_in(dir: &Path, args: &[&str]) -> Output {
    cli_support::run(dir, "cli-scan-cache", args, &[])
}

/// A fresh directory for one test.
fn tempdir(name: &str) -> PathBuf {
    cli_support::tempdir("cli-scan", name)
}

fn json_scan(dir: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let mut args = vec!["scan", "-f", "json"];
    args.extend_from_slice(extra);
    let out = tallyman_in(dir, &args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON report ({e}): {}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    (out.status.code(), report, text(&out.stderr))
}

fn rule_ids(report: &Value, path: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn discovery_matches_the_make_monorepo_manifest() {
    let dir = tempdir("monorepo");
    let tree = dir.join("mono");
    let corpus = manifest_dir().join("../dockerfile/tests/data/corpus-sample/files");
    let status = Command::new("python3")
        .arg(manifest_dir().join("tests/data/make-monorepo"))
        .arg(&tree)
        .args(["--n", "40", "--teams", "5", "--corpus"])
        .arg(&corpus)
        .status()
        .expect("python3 runs make-monorepo");
    assert!(status.success());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("mono.manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    let expected: Vec<String> = {
        let mut v: Vec<String> = manifest["dockerfiles"]
            .as_array()
            .expect("dockerfiles")
            .iter()
            .map(|d| d["path"].as_str().expect("path").to_string())
            .collect();
        v.sort();
        v
    };
    let (_, report, stderr) = json_scan(&tree, &[]);
    let found: Vec<String> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["path"].as_str().expect("path").to_string())
        .collect();
    assert_eq!(found, expected, "{stderr}");
    for ignored in manifest["ignored_dockerfiles"].as_array().expect("ignored") {
        assert!(!found.contains(&ignored["path"].as_str().unwrap_or_default().to_string()));
    }
    for decoy in manifest["decoys"].as_array().expect("decoys") {
        assert!(!found.contains(&decoy.as_str().unwrap_or_default().to_string()));
    }
    assert!(
        !found.iter().any(|p| p.starts_with("team-00/alias/")),
        "symlink followed"
    );
    assert_eq!(report["summary"]["targets"], expected.len());
}

#[test]
fn every_target_is_reported_once_and_bad_files_fail_without_stopping_the_scan() {
    let dir = tempdir("bad-files");
    write(&dir, "good/Dockerfile", b"FROM alpine:3.20\nUSER app\n");
    write(&dir, "binary/Dockerfile", b"FROM alpine\n\x00\x01\x02\xff");
    write(&dir, "empty/Dockerfile", b"# only a comment\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "FROM alpine\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write(&dir, "utf16/Dockerfile", &utf16);
    write(&dir, "huge/Dockerfile", &vec![b'#'; 5000]);
    let (code, report, _) = json_scan(&dir, &["--max-file-size", "4096"]);
    assert_eq!(code, Some(2), "failed targets make the scan an error");
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 5);
    let status = |path: &str| {
        targets
            .iter()
            .find(|t| t["path"] == path)
            .unwrap_or_else(|| panic!("{path} missing"))
            .clone()
    };
    assert_eq!(status("good/Dockerfile")["status"], "scanned");
    for (path, reason) in [
        ("binary/Dockerfile", "NUL"),
        ("empty/Dockerfile", "no instructions"),
        ("utf16/Dockerfile", "UTF-16"),
        ("huge/Dockerfile", "over the limit"),
    ] {
        let target = status(path);
        assert_eq!(target["status"], "failed", "{path}");
        let why = target["reason"].as_str().unwrap_or_default();
        assert!(why.contains(reason), "{path}: {why}");
    }
    assert_eq!(report["summary"]["failed"], 4);
    assert_eq!(report["summary"]["scanned"], 1);
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempdir("exit-codes");
    // Only low/info findings: a pinned, non-root, healthy single-stage image.
    write(
        &dir,
        "Dockerfile",
        b"FROM alpine:3.22@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1\nRUN apk add --no-cache curl=8.14.1-r1\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nCMD [\"sh\"]\n",
    );
    let (code, report, stderr) = json_scan(&dir, &[]);
    assert_eq!(code, Some(0), "{stderr}\n{report}");
    assert_eq!(report["summary"]["verdict"], "pass");
    let (code, report, _) = json_scan(&dir, &["--fail-on", "info"]);
    let findings = report["summary"]["findings"].as_u64().unwrap_or(0);
    assert_eq!(code, Some(if findings > 0 { 1 } else { 0 }));

    write(
        &dir,
        "root/Dockerfile",
        b"FROM ubuntu:latest\nCMD [\"bash\"]\n",
    );
    let (code, report, _) = json_scan(&dir, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(report["summary"]["verdict"], "fail");
    assert!(rule_ids(&report, "root/Dockerfile").contains(&"HD001".to_string()));
    let (code, _, _) = json_scan(&dir, &["--fail-on", "critical"]);
    assert_eq!(code, Some(0));
}

#[test]
fn config_errors_name_the_file_the_key_and_the_reason() {
    let dir = tempdir("config");
    write(&dir, "Dockerfile", b"FROM alpine:3.20\n");
    let cases: [(&str, &str); 5] = [
        ("fail-on: high\nfial-on: low\n", "fial-on"),
        ("ignore:\n  rulez: [X]\n", "rulez"),
        ("fail-on: severe\n", "severe"),
        (
            "settings:\n  base-image:\n    require-digest: \"yes\"\n",
            "require-digest",
        ),
        ("settings:\n  no-such-policy: {}\n", "no-such-policy"),
    ];
    for (config, key) in cases {
        write(&dir, "tallyman.yaml", config.as_bytes());
        let out = tallyman_in(&dir, &["scan"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{config}: {stderr}");
        assert!(stderr.contains("tallyman.yaml"), "{config}: {stderr}");
        assert!(stderr.contains(key), "{config}: {stderr}");
    }
    // -c names another file, and that name is in the error.
    write(&dir, "other.yaml", b"limits:\n  memory-mb: 12\n");
    let out = tallyman_in(&dir, &["scan", "-c", "other.yaml"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("other.yaml") && stderr.contains("memory-mb"),
        "{stderr}"
    );
}

#[test]
fn config_ignores_severities_and_skipped_paths() {
    let dir = tempdir("config-apply");
    write(
        &dir,
        "app/Dockerfile",
        b"FROM ubuntu:latest\nCMD [\"bash\"]\n",
    );
    write(&dir, "legacy/Dockerfile", b"FROM ubuntu\n");
    let (_, report, _) = json_scan(&dir, &["--fail-on", "critical"]);
    let before = rule_ids(&report, "app/Dockerfile");
    assert!(before.contains(&"BI002".to_string()) && before.contains(&"HD001".to_string()));

    write(
        &dir,
        "tallyman.yaml",
        b"fail-on: critical\nseverity:\n  BI002: critical\nignore:\n  rules: [HD001]\n  paths: ['legacy/**']\n  rule-paths:\n    - rule: HD007\n      paths: ['app/**']\n",
    );
    let (code, report, stderr) = json_scan(&dir, &[]);
    assert_eq!(
        code,
        Some(1),
        "BI002 raised to critical fails the scan: {stderr}"
    );
    let after = rule_ids(&report, "app/Dockerfile");
    assert!(!after.contains(&"HD001".to_string()));
    assert!(!after.contains(&"HD007".to_string()));
    let bi002 = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "BI002")
        .expect("BI002 still reported");
    assert_eq!(bi002["severity"], "critical");
    let legacy = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["path"] == "legacy/Dockerfile")
        .expect("legacy listed");
    assert_eq!(legacy["status"], "skipped");
    assert!(
        legacy["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("ignore.paths")
    );
}

#[test]
fn pragmas_silence_their_instruction_or_the_file_and_unknown_ids_are_reported() {
    let dir = tempdir("pragmas");
    write(
        &dir,
        "Dockerfile",
        b"# tallyman global ignore=HD007\nFROM ubuntu:22.04\n# tallyman ignore=HD008,HD010\nRUN apt-get update\nRUN apt-get update\n# tallyman ignore=NOPE42\nUSER app\n",
    );
    let (_, report, _) = json_scan(&dir, &["--fail-on", "critical"]);
    let findings = report["findings"].as_array().expect("findings");
    let lines = |rule: &str| -> Vec<u64> {
        findings
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .filter_map(|f| f["line"].as_u64())
            .collect()
    };
    assert!(lines("HD007").is_empty(), "global pragma");
    assert_eq!(lines("HD008"), [5], "local pragma covers line 4 only");
    let unknown = findings
        .iter()
        .find(|f| f["rule_id"] == "TM001")
        .expect("unknown rule in pragma reported");
    assert_eq!(unknown["line"], 6);
    assert!(
        unknown["message"]
            .as_str()
            .unwrap_or_default()
            .contains("NOPE42")
    );
}

#[test]
fn every_format_in_one_run_and_the_json_contract() {
    let dir = tempdir("formats");
    write(
        &dir,
        "svc/Dockerfile",
        b"FROM node:latest\nCOPY . .\nRUN npm install\nCMD npm start\n",
    );
    let out = tallyman_in(
        &dir,
        &[
            "scan", "-f", "json", "-o", "r.json", "-f", "sarif", "-o", "r.sarif", "-f", "junit",
            "-o", "r.xml", "-f", "text",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("svc/Dockerfile") && stdout.contains("BI002"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour with NO_COLOR or off a terminal"
    );

    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("r.json")).expect("json")).expect("JSON");
    for key in [
        "tool", "policies", "targets", "findings", "errors", "summary",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let names: Vec<&str> = report["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for builtin in [
        "base-image",
        "correctness",
        "hardening",
        "labels",
        "multi-stage",
        "secrets",
        "style",
    ] {
        assert!(names.contains(&builtin), "{names:?}");
    }
    let finding = &report["findings"][0];
    for key in [
        "rule_id", "policy", "severity", "path", "line", "end_line", "column", "stage", "message",
        "fix",
    ] {
        assert!(finding.get(key).is_some(), "finding lacks {key}");
    }

    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.join("r.sarif")).expect("sarif")).expect("JSON");
    let errors: Vec<String> = sarif_schema::validator()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "svc/Dockerfile"
    );

    let junit = std::fs::read_to_string(dir.join("r.xml")).expect("junit");
    assert!(junit.starts_with("<?xml"));
    assert!(junit.contains("<testsuite") && junit.contains("<failure"));

    // Deterministic: a second run gives the same JSON apart from `run`.
    let again = tallyman_in(&dir, &["scan", "-f", "json"]);
    let mut second: Value = serde_json::from_slice(&again.stdout).expect("JSON");
    let mut first = report.clone();
    first["run"] = Value::Null;
    second["run"] = Value::Null;
    assert_eq!(first, second);
}

#[test]
fn the_bundled_example_scans() {
    let example = manifest_dir().join("../examples/monorepo");
    let (code, report, stderr) = json_scan(&example, &[]);
    assert_eq!(code, Some(1), "the example has high findings: {stderr}");
    let paths: Vec<&str> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(|t| t["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "services/api/Dockerfile",
            "services/billing/Dockerfile",
            "services/web/Dockerfile",
            "services/worker/Dockerfile"
        ],
        "legacy/ is in .tallymanignore"
    );
    let worker = rule_ids(&report, "services/worker/Dockerfile");
    assert!(
        worker.contains(&"SEC002".to_string()),
        "the PyPI token: {worker:?}"
    );
    assert!(worker.contains(&"SEC006".to_string()));
    let api = rule_ids(&report, "services/api/Dockerfile");
    assert!(
        !api.contains(&"HD001".to_string()),
        "the Go service runs as nonroot"
    );
    assert!(!api.contains(&"MS001".to_string()));
}

/// The text summary's account of the directories discovery left out.
fn not_walked_line(stdout: &str) -> Option<&str> {
    stdout.lines().find(|line| line.starts_with("Not walked:"))
}

fn target_paths(report: &Value) -> Vec<&str> {
    report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(|t| t["path"].as_str())
        .collect()
}

#[test]
fn hidden_directories_are_walked_but_not_vcs_metadata_or_ignored_ones() {
    let tree = tempfile::tempdir().expect("temp dir");
    let dir = tree.path();
    let dockerfile = b"FROM alpine:3.22\nUSER 1000\n";
    // Where real repositories keep Dockerfiles in hidden directories.
    for path in [
        "app/Dockerfile",
        ".devcontainer/Dockerfile",
        ".github/actions/build/Dockerfile",
        ".docker/Dockerfile.ci",
        ".ci/Dockerfile",
        // Never a build's source.
        ".git/Dockerfile",
        ".hg/store/Dockerfile",
        // Excluded by ignore files: the .gitignore (this is a git
        // checkout) and the .tallymanignore.
        ".cache/pip/Dockerfile",
        "vendor/lib/Dockerfile",
    ] {
        write(dir, path, dockerfile);
    }
    write(dir, ".gitignore", b".cache/\n");
    write(dir, ".tallymanignore", b"vendor/\n");

    let walked = [
        ".ci/Dockerfile",
        ".devcontainer/Dockerfile",
        ".docker/Dockerfile.ci",
        ".github/actions/build/Dockerfile",
        "app/Dockerfile",
    ];
    let (code, report, stderr) = json_scan(dir, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(target_paths(&report), walked);
    assert_eq!(
        report["repositories"][0]["directories_left_out"],
        serde_json::json!({ "vcs_metadata": 2, "ignore_files": 2, "hidden": 0 })
    );
    let out = tallyman_in(dir, &["scan"]);
    assert_eq!(
        not_walked_line(&text(&out.stdout)),
        Some(
            "Not walked: 4 directories: 2 version control metadata, 2 excluded by ignore files (--no-ignore walks them)"
        ),
        "{}",
        text(&out.stdout)
    );

    // `--hidden` was the switch to walk them; it still runs, as the default.
    let (_, with_old_switch, _) = json_scan(dir, &["--hidden"]);
    assert_eq!(target_paths(&with_old_switch), walked);

    let (_, no_hidden, _) = json_scan(dir, &["--no-hidden"]);
    assert_eq!(target_paths(&no_hidden), ["app/Dockerfile"]);
    assert_eq!(
        no_hidden["repositories"][0]["directories_left_out"],
        serde_json::json!({ "vcs_metadata": 2, "ignore_files": 2, "hidden": 4 })
    );
    let out = tallyman_in(dir, &["scan", "--no-hidden"]);
    assert_eq!(
        not_walked_line(&text(&out.stdout)),
        Some(
            "Not walked: 8 directories: 2 version control metadata, 2 excluded by ignore files (--no-ignore walks them), 4 hidden (--no-hidden)"
        )
    );

    let (_, no_ignore, _) = json_scan(dir, &["--no-ignore"]);
    assert_eq!(
        target_paths(&no_ignore),
        [
            ".cache/pip/Dockerfile",
            ".ci/Dockerfile",
            ".devcontainer/Dockerfile",
            ".docker/Dockerfile.ci",
            ".github/actions/build/Dockerfile",
            "app/Dockerfile",
            "vendor/lib/Dockerfile",
        ]
    );
    assert_eq!(
        no_ignore["repositories"][0]["directories_left_out"],
        serde_json::json!({ "vcs_metadata": 2, "ignore_files": 0, "hidden": 0 })
    );

    // A hidden directory named on the command line is walked whatever the switch.
    let (_, named, _) = json_scan(dir, &["--no-hidden", ".devcontainer"]);
    assert_eq!(target_paths(&named), ["Dockerfile"]);

    let out = tallyman_in(dir, &["scan", "--hidden", "--no-hidden"]);
    assert_eq!(out.status.code(), Some(2), "contradictory switches");
}

/// A tree for the path tests: a git checkout with one Dockerfile that has
/// a finding, a directory outside it to run from, and a Dockerfile in
/// neither. In the system's temp directory, which no checkout holds.
struct PathTree {
    _dir: tempfile::TempDir,
    /// Canonical, as the current directory of a process is.
    base: PathBuf,
}

impl PathTree {
    fn new() -> PathTree {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical temp dir");
        let dockerfile = b"FROM node:latest\nCOPY . .\nRUN npm install\nCMD npm start\n";
        write(&base, "repo/.git/HEAD", b"ref: refs/heads/main\n");
        write(&base, "repo/svc/Dockerfile", dockerfile);
        write(&base, "repo/other/Dockerfile", dockerfile);
        write(&base, "loose/Dockerfile", dockerfile);
        std::fs::create_dir_all(base.join("elsewhere")).expect("dir");
        PathTree { _dir: dir, base }
    }

    fn path(&self, relative: &str) -> String {
        self.base.join(relative).to_string_lossy().into_owned()
    }

    /// `scan FILE -f json -f sarif -f text` run in `cwd`: the three reports.
    fn scan(&self, cwd: &str, file: &str) -> (Value, Value, String) {
        let cwd = self.base.join(cwd);
        let out = tallyman_in(
            &cwd,
            &[
                "scan", file, "-f", "json", "-o", "r.json", "-f", "sarif", "-o", "r.sarif", "-f",
                "text",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let read = |name: &str| -> Value {
            let bytes = std::fs::read(cwd.join(name)).expect("report");
            std::fs::remove_file(cwd.join(name)).expect("remove report");
            serde_json::from_slice(&bytes).expect("JSON")
        };
        let (json, sarif) = (read("r.json"), read("r.sarif"));
        let errors: Vec<String> = sarif_schema::validator()
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
        (json, sarif, text(&out.stdout))
    }
}

fn sarif_location(sarif: &Value) -> &Value {
    &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
}

fn sarif_root(sarif: &Value) -> &Value {
    &sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
}

#[test]
fn a_file_named_by_its_absolute_path_is_reported_relative_to_its_checkout() {
    let tree = PathTree::new();
    let file = tree.path("repo/svc/Dockerfile");
    let repo_uri = format!("file://{}/", tree.path("repo"));
    // From outside the checkout, from its top, and from another of its
    // directories: always the same name, relative to the checkout.
    for cwd in ["elsewhere", "repo", "repo/other"] {
        let (json, sarif, stdout) = tree.scan(cwd, &file);
        assert_eq!(target_paths(&json), ["svc/Dockerfile"], "from {cwd}");
        assert_eq!(json["findings"][0]["path"], "svc/Dockerfile");
        assert_eq!(
            sarif_location(&sarif),
            &serde_json::json!({ "uri": "svc/Dockerfile", "uriBaseId": "%SRCROOT%" }),
            "from {cwd}"
        );
        assert_eq!(sarif_root(&sarif), &Value::String(repo_uri.clone()));
        assert!(stdout.contains("--> svc/Dockerfile:1"), "{stdout}");
        assert!(!stdout.contains("--> //"), "{stdout}");
    }
    // The same file named relative to the current directory: the same report.
    let (json, sarif, _) = tree.scan("repo", "svc/Dockerfile");
    assert_eq!(target_paths(&json), ["svc/Dockerfile"]);
    assert_eq!(sarif_root(&sarif), &Value::String(repo_uri));
}

#[test]
fn a_file_outside_any_checkout_and_the_current_directory_keeps_its_absolute_path() {
    let tree = PathTree::new();
    let file = tree.path("loose/Dockerfile");
    let (json, sarif, stdout) = tree.scan("elsewhere", &file);
    assert_eq!(target_paths(&json), [file.as_str()]);
    assert_eq!(json["findings"][0]["path"], file.as_str());
    assert_eq!(
        sarif_location(&sarif),
        &serde_json::json!({ "uri": format!("file://{file}") }),
        "an absolute URI, with no base"
    );
    assert!(stdout.contains(&format!("--> {file}:1")), "{stdout}");
    assert!(!stdout.contains("--> //"), "{stdout}");

    // Under the current directory (no checkout around it): relative to it.
    let (json, sarif, _) = tree.scan("loose", &file);
    assert_eq!(target_paths(&json), ["Dockerfile"]);
    assert_eq!(
        sarif_location(&sarif),
        &serde_json::json!({ "uri": "Dockerfile", "uriBaseId": "%SRCROOT%" })
    );
    assert_eq!(
        sarif_root(&sarif),
        &Value::String(format!("file://{}/", tree.path("loose")))
    );
}

/// What a user reads points at documents the repository ships, and every
/// one of them exists.
#[test]
fn help_and_readme_point_at_the_repositorys_own_docs() {
    let out = tallyman_in(manifest_dir(), &["scan", "--help"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    assert!(!help.contains("DESIGN.md"), "{help}");
    let root = manifest_dir().join("..");
    for doc in ["docs/cli.md", "docs/reports.md", "docs/configuration.md"] {
        assert!(help.contains(doc), "scan --help names {doc}: {help}");
        assert!(root.join(doc).is_file(), "{doc} exists");
    }
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let mut documents = vec![("README.md".to_string(), readme)];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let name = format!("docs/{}", path.file_name().unwrap().to_string_lossy());
            documents.push((name, std::fs::read_to_string(&path).expect("doc")));
        }
    }
    for (name, body) in &documents {
        assert!(
            !body.contains("DESIGN.md"),
            "{name} cites a document users do not have"
        );
    }
    // The JSON fields the reports document are the fields a report has.
    let reports = &documents
        .iter()
        .find(|(name, _)| name == "docs/reports.md")
        .expect("docs/reports.md")
        .1;
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "Dockerfile",
        b"FROM node:latest\nCMD npm start\n",
    );
    let (_, report, _) = json_scan(dir.path(), &[]);
    let object_keys = |value: &Value| -> Vec<String> {
        value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut documented = object_keys(&report);
    for list in ["policies", "repositories", "targets", "findings"] {
        documented.extend(object_keys(&report[list][0]));
    }
    documented.extend(object_keys(&report["summary"]));
    documented.extend(object_keys(&report["run"]));
    documented.extend(object_keys(
        &report["repositories"][0]["directories_left_out"],
    ));
    documented.extend(object_keys(&report["policies"][0]["rules"][0]));
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let names = |key: &str| {
        reports.match_indices(key).any(|(at, _)| {
            !reports[..at].chars().next_back().is_some_and(is_word)
                && !reports[at + key.len()..]
                    .chars()
                    .next()
                    .is_some_and(is_word)
        })
    };
    for key in documented {
        assert!(names(&key), "docs/reports.md documents `{key}`");
    }
}

/// The configuration's `builtin:` list runs exactly the built-ins it
/// names (the host's own pragma checks always run); `builtin: false` runs
/// none.
#[test]
fn the_configurations_builtin_list_runs_only_the_builtins_it_names() {
    let dir = tempdir("builtin-list");
    write(
        &dir,
        "Dockerfile",
        b"FROM alpine:3.22\nENV API_TOKEN=hunter2\nRUN apt-get install curl\n",
    );
    let policy_names = |report: &Value| -> Vec<String> {
        let mut names: Vec<String> = report["policies"]
            .as_array()
            .expect("policies")
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        names.sort();
        names
    };
    let finding_policies = |report: &Value| -> Vec<String> {
        let mut policies: Vec<String> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["policy"].as_str().map(str::to_string))
            .collect();
        policies.sort();
        policies.dedup();
        policies
    };

    write(&dir, "tallyman.yaml", b"builtin: [secrets, multi-stage]\n");
    let (_, report, stderr) = json_scan(&dir, &[]);
    assert_eq!(
        policy_names(&report),
        ["multi-stage", "secrets", "tallyman"],
        "{stderr}"
    );
    assert_eq!(finding_policies(&report), ["secrets"], "{report}");

    write(&dir, "tallyman.yaml", b"builtin: false\n");
    let (code, report, stderr) = json_scan(&dir, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(policy_names(&report), ["tallyman"]);
    assert_eq!(report["findings"], serde_json::json!([]));

    // A misspelt name would otherwise turn that policy off in silence.
    write(&dir, "tallyman.yaml", b"builtin: [secrets, multistage]\n");
    let out = tallyman_in(&dir, &["scan", "-f", "json"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("builtin: no built-in policy is named `multistage`")
            && stderr.contains("multi-stage"),
        "{stderr}"
    );
}
