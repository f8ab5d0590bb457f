//! multi-stage over real Dockerfiles: the vendored sample always, the
//! shared corpus in `../shared/corpus/` (beside the repository) when it is
//! there. No panic and only valid findings on any file; how often each
//! rule fires is printed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tallyman_policy_multi_stage::MultiStage;
use tallyman_sdk::testing::{self, Check};

/// Runs the policy on every file of `dir` that BuildKit's grammar accepts;
/// returns (files checked, findings per rule, failures).
fn run_over(dir: &Path) -> Option<(usize, BTreeMap<String, usize>, Vec<String>)> {
    let entries = fs::read_dir(dir).ok()?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    let mut checked = 0;
    for path in &paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        // Files BuildKit itself refuses are not the policy's concern.
        if tallyman_dockerfile::parse_str(&text).is_err() {
            continue;
        }
        // `check_model` panics on undeclared rule ids, lines past the end
        // of the file and stages that do not exist.
        let outcome =
            std::panic::catch_unwind(|| Check::new(&text).path(&name).run::<MultiStage>());
        match outcome {
            Ok(findings) => {
                checked += 1;
                for finding in findings {
                    *fired.entry(finding.rule_id).or_default() += 1;
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
    let _ = testing::take_logs();
    Some((checked, fired, failures))
}

fn report(what: &str, checked: usize, fired: &BTreeMap<String, usize>) {
    println!("multi-stage on {what}: {checked} files checked");
    for (rule, count) in fired {
        println!("  {rule}: {count}");
    }
}

#[test]
fn no_panic_and_valid_findings_on_the_vendored_sample() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../dockerfile/tests/data/corpus-sample/files");
    let Some((checked, fired, failures)) = run_over(&sample) else {
        panic!("no vendored corpus sample at {}", sample.display());
    };
    report("the vendored sample", checked, &fired);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 10, "only {checked} sample files checked");
}

#[test]
fn no_panic_and_valid_findings_on_the_corpus() {
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    let Some((checked, fired, failures)) = run_over(&corpus) else {
        println!("skipped: no corpus at {}", corpus.display());
        return;
    };
    report("the shared corpus", checked, &fired);
    assert!(
        failures.is_empty(),
        "{} file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 1000, "only {checked} corpus files checked");
}
