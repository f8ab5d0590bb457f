//! shell over real-world Dockerfiles: the vendored sample always, and the
//! shared corpus in `../shared/corpus/` (beside the repository) when it is
//! there. No panic and only valid findings (declared rule ids, lines in the
//! file, existing stages) on any file; how often each rule fires, and how
//! long the run took (the linter is the costliest policy per `RUN`).
//!
//! With `SHELL_FINDINGS_OUT=<path>`, the corpus findings are also
//! written there as JSON lines (`{"file", "rule", "line", "severity",
//! "message"}`; `severity` is null when the finding keeps its rule's), the
//! input of `scripts/shellcheck_agreement.py`. With `SHELL_SCRIPTS_OUT=<path>`,
//! every script the policy lints is written there as JSON lines (`{"file",
//! "line", "shell", "dialect", "defined", "text", "first_line", "anchors"}`):
//! the script is given to ShellCheck itself by the same scripts, and
//! `first_line` and `anchors` place its offsets on the file's lines.
//!
//! Each corpus file is checked under its path in its source repository (from
//! the corpus's `manifest.tsv`), as a scan of that repository would see it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tallyman_policy_shell::Shell;
use tallyman_sdk::Finding;
use tallyman_sdk::testing::{self, Check};

/// What a run over a directory of Dockerfiles found.
#[derive(Default)]
struct Outcome {
    checked: usize,
    unparsed: usize,
    failures: Vec<String>,
    fired: BTreeMap<String, usize>,
    findings: Vec<(String, Finding)>,
    scripts: Vec<serde_json::Value>,
    elapsed: std::time::Duration,
}

/// The path in its source repository of each corpus file, by file name,
/// from the `manifest.tsv` beside `dir` (empty when there is none).
fn repository_paths(dir: &Path) -> BTreeMap<String, String> {
    let manifest = dir.parent().map(|parent| parent.join("manifest.tsv"));
    let Some(Ok(text)) = manifest.map(fs::read_to_string) else {
        return BTreeMap::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let file = fields.next()?;
            let _repository = fields.next()?;
            let path = fields.next()?;
            Some((file.to_string(), path.to_string()))
        })
        .collect()
}

fn run_over(dir: &Path) -> Option<Outcome> {
    let repository_paths = repository_paths(dir);
    let entries = fs::read_dir(dir).ok()?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut outcome = Outcome::default();
    let started = std::time::Instant::now();
    for path in &paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(text) = fs::read_to_string(path) else {
            outcome.unparsed += 1;
            continue;
        };
        // Files BuildKit itself refuses are not the policy's concern.
        if tallyman_dockerfile::parse_str(&text).is_err() {
            outcome.unparsed += 1;
            continue;
        }
        // The harness validates every finding (rule id declared, lines in
        // the file, stage exists) and panics on an invalid one.
        let checked_path = repository_paths.get(&name).unwrap_or(&name);
        let result =
            std::panic::catch_unwind(|| Check::new(&text).path(checked_path).run::<Shell>());
        if std::env::var_os("SHELL_SCRIPTS_OUT").is_some() {
            let model = Check::new(&text).path(checked_path).model();
            outcome
                .scripts
                .extend(tallyman_policy_shell::runs(&model).iter().map(|run| {
                    serde_json::json!({
                        "file": name,
                        "line": run.instruction.span.start_line,
                        "shell": run.shell,
                        "dialect": run.dialect.as_str(),
                        "defined": run.defined,
                        "text": run.script.text,
                        "first_line": run.script.first_line(),
                        "anchors": run.script.anchors(),
                    })
                }));
        }
        match result {
            Ok(findings) => {
                outcome.checked += 1;
                for finding in findings {
                    *outcome.fired.entry(finding.rule_id.clone()).or_default() += 1;
                    outcome.findings.push((name.clone(), finding));
                }
            }
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                outcome.failures.push(format!("{name}: {reason}"));
            }
        }
    }
    let _ = testing::take_logs();
    outcome.elapsed = started.elapsed();
    Some(outcome)
}

fn report(label: &str, outcome: &Outcome) {
    println!(
        "shell on {label}: {} checked, {} not parsed, {:.1?} (model building included)",
        outcome.checked, outcome.unparsed, outcome.elapsed
    );
    for (rule, count) in &outcome.fired {
        let files = outcome
            .findings
            .iter()
            .filter(|(_, finding)| &finding.rule_id == rule)
            .map(|(file, _)| file)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        println!("  {rule}: {count} findings in {files} files");
    }
    assert!(
        outcome.failures.is_empty(),
        "{} file(s) failed:\n{}",
        outcome.failures.len(),
        outcome.failures.join("\n")
    );
}

#[test]
fn no_panic_and_valid_findings_on_the_vendored_sample() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../dockerfile/tests/data/corpus-sample/files");
    let outcome = run_over(&sample).expect("the vendored corpus sample is in the repository");
    report("the vendored sample", &outcome);
    assert!(
        outcome.checked > 50,
        "only {} sample files checked",
        outcome.checked
    );
}

#[test]
fn no_panic_and_valid_findings_on_the_corpus() {
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    let Some(outcome) = run_over(&corpus) else {
        println!("skipped: no corpus at {}", corpus.display());
        return;
    };
    report("the shared corpus", &outcome);
    assert!(
        outcome.checked > 1000,
        "only {} corpus files checked",
        outcome.checked
    );
    if let Ok(out) = std::env::var("SHELL_FINDINGS_OUT") {
        let lines = outcome.findings.iter().map(|(name, finding)| {
            serde_json::json!({
                "file": name,
                "rule": finding.rule_id,
                "line": finding.line(),
                "severity": finding.severity.map(testing::severity_name),
                "message": finding.message,
            })
        });
        write_json_lines(Path::new(&out), lines);
    }
    if let Ok(out) = std::env::var("SHELL_SCRIPTS_OUT") {
        write_json_lines(Path::new(&out), outcome.scripts.iter().cloned());
    }
}

/// JSON lines, written to a temporary file and renamed into place.
fn write_json_lines(path: &Path, lines: impl Iterator<Item = serde_json::Value>) {
    let temporary = path.with_extension("tmp");
    let mut file = fs::File::create(&temporary).expect("output file can be created");
    for line in lines {
        writeln!(file, "{line}").expect("output file can be written");
    }
    drop(file);
    fs::rename(&temporary, path).expect("output file can be renamed into place");
}
