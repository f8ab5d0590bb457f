//! Parsing throughput over a corpus of real Dockerfiles.
//!
//! Uses `../shared/corpus/dockerfiles` (next to the repository) when present,
//! else the sample vendored under `tests/data/corpus-sample`. Reports bytes/s
//! and files/s for one pass over every file.
//!
//! `cargo bench -p tallyman-dockerfile --bench parse`

use std::path::Path;

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use tallyman_dockerfile::{LowerOptions, ParseOptions, lower, parse};

#[path = "support/corpus.rs"]
mod corpus;

fn parse_all(files: &[Vec<u8>], options: &ParseOptions) -> usize {
    files
        .iter()
        .map(|file| parse(black_box(file), options).map_or(0, |ast| ast.children.len()))
        .sum()
}

fn bench(c: &mut Criterion) {
    let (name, files) = corpus::corpus(Path::new(env!("CARGO_MANIFEST_DIR")));
    let bytes: usize = files.iter().map(Vec::len).sum();
    let options = ParseOptions::default();
    eprintln!("parsing the {name}: {} files, {bytes} bytes", files.len());

    let mut group = c.benchmark_group("parse corpus (bytes)");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(name.as_str(), |b| b.iter(|| parse_all(&files, &options)));
    group.finish();

    let mut group = c.benchmark_group("parse corpus (files)");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function(name.as_str(), |b| b.iter(|| parse_all(&files, &options)));
    group.finish();

    // The whole reading pipeline a scan runs per file: parse, then lower
    // into the typed model (expansion, references, shell splitting).
    let mut group = c.benchmark_group("parse + lower corpus (bytes)");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(name.as_str(), |b| b.iter(|| model_all(&files, &options)));
    group.finish();
}

fn model_all(files: &[Vec<u8>], options: &ParseOptions) -> usize {
    let lower_options = LowerOptions::default();
    files
        .iter()
        .map(|file| {
            parse(black_box(file), options)
                .map_or(0, |ast| lower(&ast, &lower_options).stages.len())
        })
        .sum()
}

criterion_group!(benches, bench);
criterion_main!(benches);
