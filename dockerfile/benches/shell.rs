//! Splitting speed: every shell-form RUN of the corpus (`../shared/corpus`,
//! next to the repository) when it is there, else the vendored sample in
//! `tests/data/shell/runs.txt`.
//!
//! `cargo bench -p tallyman-dockerfile --bench shell`; RUNs/s is the
//! element throughput criterion prints.

use std::path::Path;

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use tallyman_dockerfile::shell::split_commands;

fn corpus_runs() -> Option<Vec<String>> {
    let dump =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/buildkit-dump.jsonl");
    let text = std::fs::read_to_string(dump).ok()?;
    let mut runs = Vec::new();
    for line in text.lines() {
        let Ok(file) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        for instruction in file["instructions"].as_array().into_iter().flatten() {
            if instruction["cmd"] == "RUN"
                && instruction["json"] == false
                && let Some(script) = instruction["value"][0].as_str()
            {
                runs.push(script.to_owned());
            }
        }
    }
    Some(runs)
}

fn vendored_runs() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shell/runs.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split("\n=== ")
        .filter_map(|case| case.split_once("\n--- script\n").map(|(_, s)| s.to_owned()))
        .collect()
}

fn bench_split(c: &mut Criterion) {
    let (label, runs) = match corpus_runs() {
        Some(runs) => ("corpus RUNs", runs),
        None => {
            eprintln!("../shared/corpus not found: benchmarking the vendored sample only");
            ("vendored RUNs", vendored_runs())
        }
    };
    let mut group = c.benchmark_group("split_commands");
    group.throughput(Throughput::Elements(runs.len() as u64));
    group.bench_function(label, |b| {
        b.iter(|| {
            for run in &runs {
                black_box(split_commands(black_box(run)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench_split);
criterion_main!(benches);
