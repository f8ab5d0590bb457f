//! Rego sets through the engine, sandboxed: conftest's example gives the
//! findings conftest documents, and hostile sets end as classified policy
//! errors while a built-in policy beside them still reports.

mod cli_support;
mod common;

use std::path::{Path, PathBuf};

use tallyman::engine::rego::{self, RegoSet, RegoSpec};
use tallyman::engine::{ConfiguredPolicy, ErrorKind, Limits, Policy};
use tallyman_policy_rego::runner::COMPILED_LOG;
use tallyman_policy_rego::testing::TestResult;

use common::{engine_with, temp_cache};

fn vendored(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/rego")
        .join(dir)
}

fn configured(policy: Policy) -> ConfiguredPolicy {
    let settings = policy
        .bundled_settings()
        .expect("a Rego set has its settings")
        .to_string();
    ConfiguredPolicy::new(policy, settings)
}

fn parse(path: &str, text: &str) -> tallyman::dockerfile::model::Dockerfile {
    let options = tallyman::dockerfile::LowerOptions {
        path: path.to_string(),
        ..Default::default()
    };
    tallyman::dockerfile::parse_and_lower(text.as_bytes(), &Default::default(), &options)
        .expect("the Dockerfile parses")
}

#[test]
fn conftest_example_gives_the_documented_findings_in_the_sandbox() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let root = vendored("conftest-docker");
    let mut spec = RegoSpec::new(&root.join("policy"));
    spec.namespace = Some("*".into());
    let set = RegoSet::read(&spec).unwrap();
    let policy = rego::load(&engine, &set).unwrap();
    assert_eq!(policy.name(), "policy");
    let target = parse(
        "Dockerfile",
        &std::fs::read_to_string(root.join("Dockerfile")).unwrap(),
    );
    let results = engine.check_dockerfiles(&[configured(policy)], &[target]);
    let findings = results[0][0].result.as_ref().expect("no policy error");
    let mut messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            r#"unallowed commands found ["apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1"]"#,
            r#"unallowed image found ["openjdk:8-jdk-alpine"]"#,
        ]
    );
}

#[test]
fn a_set_is_compiled_once_per_instance_not_per_target() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let set = RegoSet::read(&RegoSpec::new(&vendored("trivy-checks"))).unwrap();
    let policies = [configured(rego::load(&engine, &set).unwrap())];
    let mut session = engine.session(&policies);
    let mut compiles = 0;
    let mut findings = 0;
    for n in 0..40 {
        let target = parse(
            &format!("Dockerfile.{n}"),
            &format!(
                "FROM ubuntu:{n}.04\nRUN apt-get update\nRUN yum install -y x{n}\nEXPOSE 22\n"
            ),
        );
        for outcome in session.check_dockerfile(&target) {
            findings += outcome.result.expect("no policy error").len();
            compiles += outcome
                .diagnostics
                .logs
                .iter()
                .filter(|log| log.message.starts_with(COMPILED_LOG))
                .count();
        }
    }
    assert!(findings >= 40 * 4, "{findings} findings");
    assert_eq!(
        compiles, 1,
        "the set was compiled {compiles} times for 40 targets"
    );
}

/// `sh.parse_commands` splits scripts inside the Wasm guest, which cannot
/// start the thread the splitter gives a script whose stack bound passes
/// its inline budget (a long script with many `$`, as nginx's and node's
/// images have). It used to give up on such a script and hand Trivy's
/// checks the whole of it as one command, so DS-0017 saw `update` and
/// `install` in the same command and called the update orphaned.
#[test]
fn long_scripts_are_split_in_the_sandbox_as_natively() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let set = RegoSet::read(&RegoSpec::new(&vendored("trivy-checks"))).unwrap();
    let policies = [configured(rego::load(&engine, &set).unwrap())];
    let variables: String = (0..80).map(|n| format!(" ${{V{n}}}")).collect();
    let long = format!(
        "FROM debian:12\nRUN set -x; \\\n    arch=\"$(dpkg --print-architecture)\" \\\n    && case \"$arch\" in \\\n        amd64) apt-get update ;; \\\n        *) apt-get update && echo{variables} ;; \\\n    esac \\\n    && apt-get install -y --no-install-recommends curl\n"
    );
    let orphaned = "FROM debian:12\nRUN apt-get update\n";
    let ds0017 = |text: &str| -> usize {
        let target = parse("Dockerfile", text);
        let results = engine.check_dockerfiles(&policies, &[target]);
        let findings = results[0][0].result.as_ref().expect("no policy error");
        findings.iter().filter(|f| f.rule_id == "DS-0017").count()
    };
    assert_eq!(ds0017(&long), 0, "{long}");
    assert_eq!(ds0017(orphaned), 1);
}

#[test]
fn a_set_calling_a_forbidden_builtin_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.rego"),
        "package main\nimport rego.v1\ndeny contains msg if {\n  r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1/\"})\n  msg := r.body\n}\n",
    )
    .unwrap();
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let set = RegoSet::read(&RegoSpec::new(dir.path())).unwrap();
    let error = rego::load(&engine, &set).unwrap_err();
    assert!(
        error.message.contains("net.rego:4: calls `http.send`"),
        "{error}"
    );
}

#[test]
fn hostile_sets_end_as_classified_errors_and_a_builtin_still_reports() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let mut policies = Vec::new();
    for name in ["endless", "flood", "recursion"] {
        let mut spec = RegoSpec::new(&vendored("hostile").join(name));
        spec.name = Some(format!("hostile-{name}"));
        let set = RegoSet::read(&spec).unwrap();
        policies.push(configured(rego::load(&engine, &set).unwrap()));
    }
    let control = engine
        .load_builtin()
        .unwrap()
        .into_iter()
        .find(|p| p.name() == "base-image")
        .expect("the base-image built-in");
    policies.push(ConfiguredPolicy::new(control, "{}"));
    let target = parse("Dockerfile", "FROM ubuntu:latest\nRUN echo hi\n");
    let results = engine.check_dockerfiles(&policies, &[target]);
    for outcome in &results[0] {
        match outcome.policy.name() {
            "base-image" => {
                let findings = outcome.result.as_ref().expect("the control reports");
                assert!(!findings.is_empty());
            }
            name => {
                let error = outcome.result.as_ref().expect_err(name);
                assert!(
                    matches!(
                        error.kind,
                        ErrorKind::Timeout | ErrorKind::OutOfMemory | ErrorKind::Trap
                    ),
                    "{name}: {error}"
                );
                eprintln!(
                    "{name}: {:?}: {}",
                    error.kind,
                    error.message.lines().next().unwrap_or("")
                );
            }
        }
    }
}

#[test]
fn every_trivy_check_test_passes_in_the_sandbox() {
    let cache = temp_cache();
    let engine = engine_with(Limits::default(), cache.path());
    let set = RegoSet::read(&RegoSpec::new(&vendored("trivy-checks"))).unwrap();
    let outcomes = rego::run_tests(&engine, &set, None).unwrap();
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.result != TestResult::Pass)
        .map(|o| format!("{} ({}): {:?}", o.name, o.path, o.result))
        .collect();
    assert_eq!(outcomes.len(), 175);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_hostile_test_rule_fails_alone_under_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.rego"),
        "package main\nimport rego.v1\ndeny contains \"no\" if input[_].Cmd == \"user\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy_test.rego"),
        r#"package main
import rego.v1

test_endless if {
	total := sum([n | some n in numbers.range(0, 10000000000000)])
	total > 0
}

test_flood if {
	count({sprintf("%d", [n]) | some n in numbers.range(1, 100000000)}) > 0
}

test_user_denied if {
	deny with input as [{"Cmd": "user", "Value": ["root"]}]
}

test_from_allowed if {
	count(deny) == 0 with input as [{"Cmd": "from", "Value": ["alpine"]}]
}
"#,
    )
    .unwrap();
    let cache = temp_cache();
    let limits = Limits {
        timeout_ms: 300,
        ..Limits::default()
    };
    let engine = engine_with(limits, cache.path());
    let set = RegoSet::read(&RegoSpec::new(dir.path())).unwrap();
    let outcomes = rego::run_tests(&engine, &set, None).unwrap();
    let result = |test: &str| {
        outcomes
            .iter()
            .find(|o| o.name == format!("data.main.{test}"))
            .map(|o| o.result.clone())
            .unwrap_or_else(|| panic!("{test} not run: {outcomes:?}"))
    };
    for hostile in ["test_endless", "test_flood"] {
        match result(hostile) {
            TestResult::Error(error) => {
                assert!(
                    ["timeout", "out-of-memory", "trap"]
                        .iter()
                        .any(|kind| error.starts_with(kind)),
                    "{hostile}: {error}"
                );
                eprintln!("{hostile}: {}", error.lines().next().unwrap_or(""));
            }
            other => panic!("{hostile}: {other:?}"),
        }
    }
    assert_eq!(result("test_user_denied"), TestResult::Pass);
    assert_eq!(result("test_from_allowed"), TestResult::Pass);
}

// --- the command line -----------------------------------------------------------

fn tallyman(dir: &Path, args: &[&str]) -> std::process::Output {
    cli_support::run(dir, "rego-sets-cache", args, &[])
}

fn both(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn policy_test_runs_the_trivy_suites_and_rule_explains_a_check() {
    let dir = tempfile::tempdir().unwrap();
    let checks = vendored("trivy-checks");
    let checks = checks.to_str().unwrap();
    let out = tallyman(dir.path(), &["policy", "test", checks]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("PASS: 175/175"), "{}", both(&out));

    let out = tallyman(dir.path(), &["policy", "test", checks, "DS017"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("PASS: 16/16"),
        "{}",
        both(&out)
    );

    let out = tallyman(dir.path(), &["rule", "ds-0017", "-p", checks]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("DS-0017"), "{}", both(&out));
    assert!(stdout.contains("update"), "{}", both(&out));
}

#[test]
fn a_set_is_signed_with_policy_sign_and_the_signature_covers_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out = tallyman(root, &["keygen", "--out", "signer"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    std::fs::create_dir_all(root.join("org/rego")).unwrap();
    std::fs::create_dir_all(root.join("tree")).unwrap();
    std::fs::write(
        root.join("org/rego/policy.rego"),
        "package main\nimport rego.v1\ndeny contains \"no latest\" if endswith(input[_].Value[0], \":latest\")\n",
    )
    .unwrap();
    std::fs::write(root.join("org/allowed.yaml"), "allowed: [alpine]\n").unwrap();
    std::fs::write(root.join("tree/Dockerfile"), "FROM alpine:latest\n").unwrap();
    std::fs::write(
        root.join("tallyman.yaml"),
        "trusted-policy-keys: [signer.pub]\npolicies:\n  - rego: org/rego/\n    data: [org/allowed.yaml]\n",
    )
    .unwrap();
    let scan = || {
        tallyman(
            root,
            &[
                "scan",
                "tree",
                "--no-builtin",
                "-c",
                "tallyman.yaml",
                "-f",
                "json",
            ],
        )
    };

    let out = scan();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("missing signature"),
        "{}",
        both(&out)
    );

    let out = tallyman(
        root,
        &[
            "policy",
            "sign",
            "org/rego/",
            "--key",
            "signer.key",
            "--data",
            "org/allowed.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(root.join("org/rego.sig").is_file(), "{}", both(&out));
    let out = scan();
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["message"], "no latest");

    // Changing the data file, or any .rego file, breaks the signature.
    std::fs::write(root.join("org/allowed.yaml"), "allowed: [debian]\n").unwrap();
    let out = scan();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    std::fs::write(root.join("org/allowed.yaml"), "allowed: [alpine]\n").unwrap();
    std::fs::write(root.join("org/rego/extra.rego"), "package extra\n").unwrap();
    let out = scan();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
}

#[test]
fn the_rego_scaffold_passes_its_tests_and_finds_sudo() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("acme");
    let project_arg = project.to_str().unwrap();
    let out = tallyman(
        dir.path(),
        &[
            "policy",
            "new",
            "acme-no-sudo",
            "--lang",
            "rego",
            "--dir",
            project_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let out = tallyman(dir.path(), &["policy", "test", project_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("PASS: 2/2"),
        "{}",
        both(&out)
    );
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nRUN sudo apk add curl\n",
    )
    .unwrap();
    let policy = project.join("policy");
    let out = tallyman(
        dir.path(),
        &[
            "scan",
            "Dockerfile",
            "--no-builtin",
            "-p",
            policy.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["line"], 2, "{report}");
}
