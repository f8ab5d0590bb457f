//! What a result-cache key costs per Dockerfile, on one core: the key
//! tallyman uses (a digest of the file's bytes and of the options that shape
//! its model) against a key over the model as the policies receive it
//! (parse, lower, convert to the WIT types, encode, digest). The files are
//! in memory, so neither figure includes reading them.
//!
//! Uses `../shared/corpus/dockerfiles` (next to the repository) when
//! present, else the sample vendored in `dockerfile/tests/data/corpus-sample`.
//!
//! `cargo bench -p tallyman --bench result_cache`; figures in BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use tallyman::dockerfile::{ParseOptions, lower, parse};
use tallyman::engine::{CacheDir, Engine, Limits};
use tallyman::result_cache::{BuildId, TargetKey};
use tallyman::scan::read::{self, ReadOptions};

#[path = "../../dockerfile/benches/support/corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let (name, files) =
        corpus::corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../dockerfile"));
    let options = ReadOptions {
        max_size: 4 * 1024 * 1024,
        evaluated_on: "2026-01-15".into(),
        target: None,
        build_args: vec![],
        platform: "linux/amd64".into(),
    };
    let build = BuildId::new("bench");
    let engine = Engine::new(Limits::default(), CacheDir::Disabled).expect("engine");
    let mut session = engine.session(&[]);
    let parse_options = ParseOptions::default();
    eprintln!("{name}: {} files", files.len());

    let mut group = c.benchmark_group("result-cache key per file");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("file digest (tallyman's key)", |b| {
        b.iter(|| {
            for file in &files {
                let sha256 = read::sha256_hex(black_box(file));
                let lower = options.lower_options("svc/Dockerfile", Default::default());
                black_box(TargetKey::dockerfile(&build, &sha256, &lower));
            }
        })
    });
    group.bench_function("model digest (parse, lower, convert, encode)", |b| {
        b.iter(|| {
            for file in &files {
                let Ok(ast) = parse(black_box(file), &parse_options) else {
                    continue;
                };
                let lower_options = options.lower_options("svc/Dockerfile", Default::default());
                let model = lower(&ast, &lower_options);
                // A session without policies converts the model to the WIT
                // types and stops there; the model's own postcard encoding
                // stands in for the WIT record's, which has the same fields.
                black_box(session.check_dockerfile(&model));
                let encoded = postcard::to_allocvec(&model).unwrap_or_default();
                black_box(Sha256::digest(&encoded));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
