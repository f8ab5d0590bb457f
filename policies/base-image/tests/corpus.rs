//! base-image over the real-world corpus in `../shared/corpus/` (beside the
//! repository), when it is there: no panic and only valid findings on any
//! file, and how often each rule fires.
//!
//! With `BASE_IMAGE_FINDINGS_OUT=<path>`, every finding is also written
//! there as JSON lines (`{"file", "rule", "line", "severity", "message"}`),
//! to read a rule's findings on real files.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tallyman_policy_base_image::BaseImage;
use tallyman_sdk::Finding;
use tallyman_sdk::testing::{self, Check};

#[test]
fn no_panic_and_valid_findings_on_the_corpus() {
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    let Ok(entries) = fs::read_dir(&corpus) else {
        println!("skipped: no corpus at {}", corpus.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    let mut every_finding = Vec::new();
    let (mut checked, mut unparsed) = (0, 0);
    for path in &paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(text) = fs::read_to_string(path) else {
            unparsed += 1;
            continue;
        };
        // Files BuildKit itself refuses are not the policy's concern.
        if tallyman_dockerfile::parse_str(&text).is_err() {
            unparsed += 1;
            continue;
        }
        let outcome = std::panic::catch_unwind(|| {
            Check::new(&text)
                .path(&name)
                .settings(
                    r#"{"trusted-registries": ["docker.io", "mcr.microsoft.com"],
                        "allowed-final-bases": ["scratch", "gcr.io/distroless/*", "*:*-slim"]}"#,
                )
                .run::<BaseImage>()
        });
        match outcome {
            Ok(findings) => {
                checked += 1;
                for finding in findings {
                    *fired.entry(finding.rule_id.clone()).or_default() += 1;
                    every_finding.push((name.clone(), finding));
                }
            }
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: {reason}"));
            }
        }
    }
    println!(
        "base-image on {} corpus files ({checked} checked, {unparsed} not parsed):",
        paths.len()
    );
    for (rule, count) in &fired {
        println!("  {rule}: {count}");
    }
    assert!(
        failures.is_empty(),
        "{} file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 1000, "only {checked} corpus files checked");
    let _ = testing::take_logs();
    if let Ok(out) = std::env::var("BASE_IMAGE_FINDINGS_OUT") {
        write_findings(Path::new(&out), &every_finding);
    }
}

/// JSON lines, written to a temporary file and renamed into place.
fn write_findings(path: &Path, findings: &[(String, Finding)]) {
    let temporary = path.with_extension("tmp");
    let mut file = fs::File::create(&temporary).expect("findings file can be created");
    let rules = testing::metadata::<BaseImage>().rules;
    for (name, finding) in findings {
        let severity = finding.severity.or_else(|| {
            rules
                .iter()
                .find(|rule| rule.id == finding.rule_id)
                .map(|rule| rule.default_severity)
        });
        let line = serde_json::json!({
            "file": name,
            "rule": finding.rule_id,
            "line": finding.line(),
            "severity": format!("{severity:?}"),
            "message": finding.message,
        });
        writeln!(file, "{line}").expect("findings file can be written");
    }
    drop(file);
    fs::rename(&temporary, path).expect("findings file can be renamed into place");
}
