//! Other tools' pragmas and configuration, end to end: `# hadolint ignore=`,
//! `# checkov:skip=`, `# trivy:ignore:`, `--no-foreign-pragmas`,
//! `.hadolint.yaml` read by `scan` and converted by `config import`.

mod cli_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tallyman_in(dir: &Path, args: &[&str]) -> Output {
    cli_support::run(dir, "foreign-pragmas-cache", args, &[])
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("foreign-pragmas-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_scan(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "-f", "json", "--fail-on", "critical", "--no-cache"];
    args.extend_from_slice(extra);
    let out = tallyman_in(dir, &args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON report ({e}): {}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

/// (rule, line) of every finding.
fn findings(report: &Value) -> BTreeSet<(String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// `hadolint:` codes each rule of the report declares.
fn hadolint_codes(report: &Value, rule: &str) -> Vec<String> {
    report["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .flat_map(|p| p["rules"].as_array().into_iter().flatten())
        .filter(|r| r["id"] == rule)
        .flat_map(|r| r["equivalents"].as_array().into_iter().flatten())
        .filter_map(|e| e.as_str()?.strip_prefix("hadolint:").map(str::to_string))
        .collect()
}

/// (line, code) of hadolint's `tty` output, vendored with the command
/// that produced it on its first line.
fn hadolint_output(name: &str) -> BTreeSet<(u64, String)> {
    let path = manifest_dir().join("tests/data/foreign-pragmas").join(name);
    std::fs::read_to_string(&path)
        .expect("vendored hadolint output")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let location = words.next()?;
            let code = words.next()?;
            let line_number = location.rsplit(':').next()?.parse().ok()?;
            Some((line_number, code.to_string()))
        })
        .collect()
}

#[test]
fn hadolint_pragmas_silence_what_hadolint_silences() {
    let dir = tempdir("hadolint-parity");
    std::fs::copy(
        manifest_dir().join("tests/data/foreign-pragmas/Dockerfile"),
        dir.join("Dockerfile"),
    )
    .expect("fixture");
    let without = hadolint_output("hadolint-without-pragmas.txt");
    let with = hadolint_output("hadolint-with-pragmas.txt");
    let hadolint_silenced: BTreeSet<(u64, String)> = without.difference(&with).cloned().collect();

    let off = json_scan(&dir, &["--no-foreign-pragmas"]);
    let on = json_scan(&dir, &[]);
    let before = findings(&off);
    let after = findings(&on);
    assert!(after.is_subset(&before), "pragmas only remove findings");
    // Each silenced tallyman finding, as the hadolint codes it stands for
    // on its line: those its rule declares that hadolint reports there.
    let mut tallyman_silenced = BTreeSet::new();
    for (rule, line) in before.difference(&after) {
        let codes: Vec<String> = hadolint_codes(&off, rule)
            .into_iter()
            .filter(|code| without.contains(&(*line, code.clone())))
            .collect();
        assert!(
            !codes.is_empty(),
            "{rule} on line {line} is silenced, but hadolint reports none of its codes there"
        );
        tallyman_silenced.extend(codes.into_iter().map(|code| (*line, code)));
    }
    assert_eq!(tallyman_silenced, hadolint_silenced);
    // The fixture exercises every scope: next line, a comment, a run of two
    // pragmas, indentation, a blank line, lower case, global and stage.
    assert_eq!(hadolint_silenced.len(), 10);
}

#[test]
fn checkov_skips_the_file_and_trivy_the_next_instruction() {
    let dir = tempdir("checkov-trivy");
    std::fs::write(
        dir.join("Dockerfile"),
        "# checkov:skip=CKV_DOCKER_2:the orchestrator probes it\nFROM ubuntu:22.04\n# trivy:ignore:AVD-DS-0029\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y wget && rm -rf /var/lib/apt/lists/*\n# trivy:ignore:DS-0002:exp:2025-12-31\nUSER root\n",
    )
    .expect("Dockerfile");
    let report = findings(&json_scan(&dir, &[]));
    let off = findings(&json_scan(&dir, &["--no-foreign-pragmas"]));
    assert!(off.contains(&("HD007".to_string(), 2)));
    assert!(!report.iter().any(|(rule, _)| rule == "HD007"), "file-wide");
    assert!(off.contains(&("HD010".to_string(), 4)));
    assert!(
        !report.contains(&("HD010".to_string(), 4)),
        "next instruction"
    );
    assert!(report.contains(&("HD010".to_string(), 5)), "only that one");
    // Expired before the evaluation date (2026-01-15): no effect.
    assert!(report.contains(&("HD001".to_string(), 7)), "{report:?}");
}

#[test]
fn unknown_foreign_ids_are_reported_and_the_switches_turn_pragmas_off() {
    let dir = tempdir("unknown");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM ubuntu:22.04\n# hadolint ignore=DL9999,DL3015\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n# trivy:ignore:DS-0099\nUSER app\n",
    )
    .expect("Dockerfile");
    let report = json_scan(&dir, &[]);
    let unknown: Vec<(u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "TM002")
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    assert_eq!(unknown[0].0, 2);
    assert!(unknown[0].1.contains("`DL9999`"), "{unknown:?}");
    assert_eq!(unknown[1].0, 4);
    assert!(unknown[1].1.contains("`DS-0099`"), "{unknown:?}");
    assert!(!findings(&report).contains(&("HD010".to_string(), 3)));

    for (config, hadolint_honoured) in [
        ("foreign-pragmas: false\n", false),
        ("foreign-pragmas: [trivy]\n", false),
        ("foreign-pragmas: [hadolint]\n", true),
    ] {
        std::fs::write(dir.join("tallyman.yaml"), config).expect("config");
        let found = findings(&json_scan(&dir, &[]));
        assert_eq!(
            !found.contains(&("HD010".to_string(), 3)),
            hadolint_honoured,
            "{config}"
        );
        assert_eq!(
            found.iter().filter(|(rule, _)| rule == "TM002").count(),
            usize::from(hadolint_honoured) + usize::from(config.contains("trivy")),
            "{config}"
        );
    }
    std::fs::write(dir.join("tallyman.yaml"), "foreign-pragmas: [hadolint]\n").expect("config");
    let found = findings(&json_scan(&dir, &["--no-foreign-pragmas"]));
    assert!(found.contains(&("HD010".to_string(), 3)));
    assert!(!found.iter().any(|(rule, _)| rule == "TM002"));
}

#[test]
fn report_pragmas_reports_every_inline_suppression_and_keeps_it_working() {
    let dir = tempdir("report");
    std::fs::write(
        dir.join("Dockerfile"),
        "# tallyman global ignore=HD007\nFROM ubuntu:22.04\n# hadolint ignore=DL3015\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n# checkov:skip=CKV_DOCKER_3:runs as root on purpose\n# tallyman ignore=HD001\nUSER root\n",
    )
    .expect("Dockerfile");
    let quiet = findings(&json_scan(&dir, &[]));
    assert!(!quiet.iter().any(|(rule, _)| rule == "TM003"), "{quiet:?}");

    std::fs::write(dir.join("tallyman.yaml"), "report-pragmas: true\n").expect("config");
    let report = json_scan(&dir, &[]);
    let reported: Vec<(u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "TM003")
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let lines: Vec<u64> = reported.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [1, 3, 5, 6], "{reported:?}");
    assert!(
        reported[0].1.contains("`tallyman global ignore=HD007`"),
        "{reported:?}"
    );
    assert!(
        reported[1].1.contains("hadolint pragma for `DL3015`"),
        "{reported:?}"
    );
    // The pragmas still silence what they name.
    let found = findings(&report);
    for silenced in ["HD001", "HD007", "HD010"] {
        assert!(!found.iter().any(|(rule, _)| rule == silenced), "{found:?}");
    }
    // Foreign pragmas that are turned off are plain comments: not reported.
    let off = findings(&json_scan(&dir, &["--no-foreign-pragmas"]));
    let off_lines: Vec<u64> = off
        .iter()
        .filter(|(rule, _)| rule == "TM003")
        .map(|(_, line)| *line)
        .collect();
    assert_eq!(off_lines, [1, 6], "{off:?}");
}

#[test]
fn a_hadolint_configuration_is_read_without_tallyman_yaml_and_imported() {
    let dir = tempdir("hadolint-config");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y --no-install-recommends curl=8.5.0 && rm -rf /var/lib/apt/lists/*\nUSER app\n",
    )
    .expect("Dockerfile");
    let hadolint = "failure-threshold: warning\nignored:\n  - DL3057\n  - DL3022\n  - DL9999\noverride:\n  error:\n    - DL3007\ntrustedRegistries:\n  - docker.io\n  - '*.gcr.io'\n  - registry.example.com/team\ndisable-ignore-pragma: true\nformat: checkstyle\nno-fail: true\n";
    std::fs::write(dir.join(".hadolint.yaml"), hadolint).expect("hadolint config");

    let out = tallyman_in(&dir, &["config", "import", ".hadolint.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("imported_tallyman_yaml", text(&out.stdout));
    assert!(text(&out.stderr).contains("warning: .hadolint.yaml: no-fail"));

    // Read by scan as it is: HD007 (DL3057) off, BI002 (DL3007) high,
    // fail-on medium.
    let out = tallyman_in(&dir, &["scan", "-f", "json", "--no-cache"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("using hadolint's configuration"),
        "{stderr}"
    );
    let found = findings(&report);
    assert!(!found.iter().any(|(rule, _)| rule == "HD007"), "{found:?}");
    let bi002 = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "BI002")
        .expect("BI002");
    assert_eq!(bi002["severity"], "high");
    assert_eq!(report["run"]["fail_on"], "medium", "{}", report["run"]);
    assert_eq!(out.status.code(), Some(1));

    // Written with -o, then used as tallyman.yaml: the same findings.
    let out = tallyman_in(
        &dir,
        &["config", "import", ".hadolint.yaml", "-o", "tallyman.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let again = tallyman_in(&dir, &["scan", "-f", "json", "--no-cache"]);
    let again: Value = serde_json::from_slice(&again.stdout).expect("JSON report");
    assert_eq!(findings(&again), found);
    let refused = tallyman_in(
        &dir,
        &["config", "import", ".hadolint.yaml", "-o", "tallyman.yaml"],
    );
    assert_eq!(refused.status.code(), Some(2));
}
