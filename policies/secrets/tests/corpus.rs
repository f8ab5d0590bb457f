//! secrets over real-world Dockerfiles: the vendored corpus sample always,
//! and the whole corpus in `../shared/corpus/` (beside the repository) when
//! it is there. No panic, only valid findings (declared rule ids, lines in
//! the file), and how often each rule fires.
//!
//! With `SECRETS_FINDINGS_OUT=<path>`, every corpus finding is also written
//! there as JSON lines (`{"file", "rule", "line", "severity", "message"}`),
//! to read a rule's findings on real files.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tallyman_policy_secrets::Secrets;
use tallyman_sdk::Finding;
use tallyman_sdk::testing::{self, Check};

/// Runs the policy on every Dockerfile of `dir`; prints the counts per rule
/// and the files SEC001/SEC002 fire on; returns the failures.
fn run_over(dir: &Path, label: &str) -> (usize, BTreeMap<String, usize>, Vec<String>) {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) => return (0, BTreeMap::new(), Vec::new()),
    };
    paths.sort();
    let mut failures = Vec::new();
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    let mut value_findings = Vec::new();
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
        // `check_model` (under `run`) panics on an invalid finding: an
        // undeclared rule id, a line outside the file, a missing stage.
        let outcome = std::panic::catch_unwind(|| Check::new(&text).path(&name).run::<Secrets>());
        match outcome {
            Ok(findings) => {
                checked += 1;
                for finding in findings {
                    if matches!(finding.rule_id.as_str(), "SEC001" | "SEC002" | "SEC003") {
                        value_findings.push(format!(
                            "    {name}:{} {} {}",
                            finding.line().unwrap_or(0),
                            finding.rule_id,
                            finding.message
                        ));
                    }
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
        "secrets on {label}: {} files ({checked} checked, {unparsed} not parsed):",
        paths.len()
    );
    for (rule, count) in &fired {
        println!("  {rule}: {count}");
    }
    println!("  SEC001–SEC003 findings:");
    for line in &value_findings {
        println!("{line}");
    }
    let _ = testing::take_logs();
    if let Ok(out) = std::env::var("SECRETS_FINDINGS_OUT")
        && label == "the shared corpus"
    {
        write_findings(Path::new(&out), &every_finding);
    }
    (checked, fired, failures)
}

#[test]
fn the_vendored_corpus_sample() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../dockerfile/tests/data/corpus-sample/files");
    let (checked, _, failures) = run_over(&sample, "the corpus sample");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 50, "only {checked} sample files checked");
}

#[test]
fn the_shared_corpus() {
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    if !corpus.is_dir() {
        println!("skipped: no corpus at {}", corpus.display());
        return;
    }
    let (checked, fired, failures) = run_over(&corpus, "the shared corpus");
    assert!(
        failures.is_empty(),
        "{} file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 1000, "only {checked} corpus files checked");
    // The corpus is official images and well-kept projects: hard-coded
    // secrets are rare there, and a secrets rule that fires often on it is
    // firing on GPG fingerprints, checksums or references.
    for rule in ["SEC001", "SEC002", "SEC003"] {
        let count = fired.get(rule).copied().unwrap_or(0);
        assert!(count <= 10, "{rule} fires {count} times on the corpus");
    }
}

/// JSON lines, written to a temporary file and renamed into place.
fn write_findings(path: &Path, findings: &[(String, Finding)]) {
    let temporary = path.with_extension("tmp");
    let mut file = fs::File::create(&temporary).expect("findings file can be created");
    let rules = testing::metadata::<Secrets>().rules;
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
