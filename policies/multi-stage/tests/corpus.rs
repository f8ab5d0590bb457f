//! multi-stage over real Dockerfiles: the vendored sample always, the
//! shared corpus in `../shared/corpus/` (beside the repository) when it is
//! there. No panic and only valid findings on any file; how often each
//! rule fires is printed.
//!
//! With `MULTI_STAGE_FINDINGS=<path>` set, the corpus test also writes every
//! finding to that file, one per line (`rule<TAB>file<TAB>line<TAB>message`),
//! for `tools/hadolint_agreement.py`.
//!
//! With `MULTI_STAGE_KINDS=<path>` set, it writes what kind of image each
//! file builds (`file<TAB>application` or `file<TAB>toolchain<TAB>why`), to
//! review the image-kind classifier's decisions on files where no rule fires.
//!
//! Each corpus file is checked under its path in its source repository (from
//! the corpus's `manifest.tsv`), as a scan of that repository would see it:
//! the multi-stage rules read the path (`.devcontainer/`, `Dockerfile.ci`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tallyman_policy_multi_stage::support::image_kind::{self, ImageKind};
use tallyman_policy_multi_stage::{MultiStage, Settings};
use tallyman_sdk::testing::{self, Check};

/// What a run over a directory found.
struct Run {
    checked: usize,
    fired: BTreeMap<String, usize>,
    failures: Vec<String>,
    /// `rule<TAB>file<TAB>line<TAB>message`, one per finding.
    lines: Vec<String>,
    /// `file<TAB>kind[<TAB>why]`, one per file.
    kinds: Vec<String>,
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

/// Runs the policy on every file of `dir` that BuildKit's grammar accepts.
fn run_over(dir: &Path) -> Option<Run> {
    let repository_paths = repository_paths(dir);
    let entries = fs::read_dir(dir).ok()?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    let mut checked = 0;
    let mut lines = Vec::new();
    let mut kinds = Vec::new();
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
        let path_in_repository = repository_paths.get(&name).unwrap_or(&name);
        let model = Check::new(&text).path(path_in_repository).model();
        if let Some(final_stage) = model.final_stage(None) {
            kinds.push(
                match image_kind::classify(&model, &Settings::default(), final_stage) {
                    ImageKind::Application => format!("{name}\tapplication"),
                    ImageKind::Toolchain(why) => format!("{name}\ttoolchain\t{why}"),
                },
            );
        }
        let outcome = std::panic::catch_unwind(|| {
            Check::new(&text)
                .path(path_in_repository)
                .run::<MultiStage>()
        });
        match outcome {
            Ok(findings) => {
                checked += 1;
                for finding in findings {
                    lines.push(format!(
                        "{}\t{name}\t{}\t{}",
                        finding.rule_id,
                        finding.line().unwrap_or(0),
                        finding.message.replace(['\t', '\n'], " ")
                    ));
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
    Some(Run {
        checked,
        fired,
        failures,
        lines,
        kinds,
    })
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
    let Some(run) = run_over(&sample) else {
        panic!("no vendored corpus sample at {}", sample.display());
    };
    report("the vendored sample", run.checked, &run.fired);
    assert!(run.failures.is_empty(), "{}", run.failures.join("\n"));
    assert!(
        run.checked > 10,
        "only {} sample files checked",
        run.checked
    );
}

#[test]
fn no_panic_and_valid_findings_on_the_corpus() {
    let corpus =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    let Some(run) = run_over(&corpus) else {
        println!("skipped: no corpus at {}", corpus.display());
        return;
    };
    report("the shared corpus", run.checked, &run.fired);
    if let Some(out) = std::env::var_os("MULTI_STAGE_FINDINGS") {
        let mut text = run.lines.join("\n");
        text.push('\n');
        if let Err(error) = fs::write(&out, text) {
            panic!("cannot write {}: {error}", PathBuf::from(out).display());
        }
    }
    if let Some(out) = std::env::var_os("MULTI_STAGE_KINDS") {
        let mut text = run.kinds.join("\n");
        text.push('\n');
        if let Err(error) = fs::write(&out, text) {
            panic!("cannot write {}: {error}", PathBuf::from(out).display());
        }
    }
    assert!(
        run.failures.is_empty(),
        "{} file(s) failed:\n{}",
        run.failures.len(),
        run.failures.join("\n")
    );
    assert!(
        run.checked > 1000,
        "only {} corpus files checked",
        run.checked
    );
}
