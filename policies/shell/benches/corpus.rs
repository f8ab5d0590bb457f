//! The shell policy's cost per Dockerfile: its `check_dockerfile` over
//! every file of the shared corpus (`../shared/corpus/dockerfiles`, beside
//! the repository) when it is there, else the vendored sample, each parsed
//! and lowered once beforehand the way `tests/corpus.rs` does, so only the
//! policy is timed.
//!
//! `cargo bench -p tallyman-policy-shell --bench corpus [-- PASSES]`
//! prints the CPU time (and wall time) per file of each pass over the
//! files, and the best CPU time. One process runs every pass, as the host
//! reuses a policy instance across targets, so anything the policy builds
//! once is paid once; the memo of linted scripts is emptied before each
//! pass (a scan of distinct files), and a last pass with the memo full
//! shows what a file already seen costs.

use std::collections::BTreeMap;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tallyman_policy_shell::Shell;
use tallyman_sdk::testing::Check;
use tallyman_sdk::{Dockerfile, NoSettings, Policy};

fn main() {
    let passes = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse::<usize>().ok())
        .unwrap_or(5);
    let (label, models) = load_models();
    println!("shell policy over {} files of {label}", models.len());
    let files = models.len().max(1) as f64;
    let mut best = f64::INFINITY;
    for pass in 1..=passes {
        tallyman_policy_shell::memo::clear();
        let started = Instant::now();
        let cpu_before = thread_cpu_ns();
        let mut findings = 0;
        for model in &models {
            findings += black_box(Shell::check_dockerfile(black_box(model), &NoSettings {})).len();
        }
        let wall = started.elapsed().as_secs_f64() * 1e6 / files;
        let cpu = match (cpu_before, thread_cpu_ns()) {
            (Some(before), Some(after)) => after.saturating_sub(before) as f64 / 1e3 / files,
            _ => wall,
        };
        best = best.min(cpu);
        println!(
            "pass {pass}: {cpu:.1} µs of CPU per file ({wall:.1} µs wall), {findings} findings"
        );
    }
    println!("best: {best:.1} µs of CPU per file");
    let held = tallyman_policy_shell::memo::held_bytes();
    let cpu_before = thread_cpu_ns();
    for model in &models {
        black_box(Shell::check_dockerfile(black_box(model), &NoSettings {}));
    }
    if let (Some(before), Some(after)) = (cpu_before, thread_cpu_ns()) {
        let cpu = after.saturating_sub(before) as f64 / 1e3 / files;
        println!("every file seen before: {cpu:.1} µs of CPU per file (memo {held} bytes)");
    }
}

/// The time this thread has run, from Linux's scheduler statistics: on a
/// shared machine, the wall time also counts other processes' turns.
fn thread_cpu_ns() -> Option<u64> {
    let text = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The models of the corpus's files, or of the vendored sample's.
fn load_models() -> (&'static str, Vec<Dockerfile>) {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = manifest_dir.join("../../../shared/corpus/dockerfiles");
    if let Some(models) = models_in(&corpus) {
        return ("the shared corpus", models);
    }
    eprintln!("no corpus at {}: the vendored sample", corpus.display());
    let sample = manifest_dir.join("../../dockerfile/tests/data/corpus-sample/files");
    (
        "the vendored sample",
        models_in(&sample).unwrap_or_default(),
    )
}

/// Every file of `dir` that BuildKit's grammar accepts, lowered under its
/// path in its source repository (from the `manifest.tsv` beside `dir`).
fn models_in(dir: &Path) -> Option<Vec<Dockerfile>> {
    let repository_paths = repository_paths(dir);
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    let models = paths
        .iter()
        .filter_map(|path| {
            let text = fs::read_to_string(path).ok()?;
            tallyman_dockerfile::parse_str(&text).ok()?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            let checked_path = repository_paths.get(&name).unwrap_or(&name);
            Some(Check::new(&text).path(checked_path).model())
        })
        .collect();
    Some(models)
}

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
