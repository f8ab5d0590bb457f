//! Engine overheads: one evaluation on a fresh instance vs on a reused one,
//! a policy's load from a cold compile vs from the cache, and a whole
//! parallel scan. Uses the `echo` test policy (one finding per `FROM`).
//!
//! `cargo bench -p tallyman --bench engine`; figures in BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../../dockerfile/benches/support/corpus.rs"]
mod corpus;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tallyman::engine::{CacheDir, ConfiguredPolicy, Engine, Limits, PolicySource};

/// Quiet: no stdout or log calls, so that the figure is the engine's overhead.
const SETTINGS: &str = r#"{"quiet": 1}"#;

fn engine(reuse_instances: bool, cache: CacheDir) -> Engine {
    engine_with_input(reuse_instances, true, cache)
}

fn engine_with_input(reuse_instances: bool, encoded_input: bool, cache: CacheDir) -> Engine {
    let limits = Limits {
        reuse_instances,
        encoded_input,
        ..Limits::default()
    };
    Engine::new(limits, cache).expect("engine")
}

/// One policy on one target, on one thread. `small` is two `FROM` lines;
/// `typical` is 30 instructions (see `typical_dockerfile`), whose model the
/// ABI copies into the guest on every call.
fn evaluation(c: &mut Criterion) {
    let wasm = common::policy_wasm("echo");
    let targets = [
        (
            "small",
            common::dockerfile("app/Dockerfile", &["golang:1.22", "alpine:3.20"]),
        ),
        ("typical", common::typical_dockerfile("app/Dockerfile")),
    ];
    let mut group = c.benchmark_group("evaluation");
    // With no policies a session only converts the model to the WIT types:
    // the part of a target's cost shared by all its policies.
    let engine_only = engine(true, CacheDir::Disabled);
    let mut session = engine_only.session(&[]);
    for (size, target) in &targets {
        group.bench_function(format!("convert-only/{size}"), |b| {
            b.iter(|| black_box(session.check_dockerfile(black_box(target))))
        });
    }
    for (label, reuse) in [("fresh-instance", false), ("reused-instance", true)] {
        let engine = engine(reuse, CacheDir::Disabled);
        let policy = engine.load_bytes(&wasm, PolicySource::Bytes).expect("echo");
        let policies = [ConfiguredPolicy::new(policy, SETTINGS)];
        let mut session = engine.session(&policies);
        for (size, target) in &targets {
            group.bench_function(format!("{label}/{size}"), |b| {
                b.iter(|| black_box(session.check_dockerfile(black_box(target))))
            });
        }
    }
    // The same work written with tallyman-sdk, which also exports the
    // `encoded` checks: the typed record against one postcard buffer, and
    // the buffer decoded through the general allocator (`echo-sdk-plain`,
    // without the SDK's `model-arena` feature) or into the reused block.
    for (label, name, encoded) in [
        ("sdk-typed", "echo-sdk", false),
        ("sdk-encoded-plain", "echo-sdk-plain", true),
        ("sdk-encoded", "echo-sdk", true),
    ] {
        let engine = engine_with_input(true, encoded, CacheDir::Disabled);
        let policy = engine
            .load_bytes(&common::policy_wasm(name), PolicySource::Bytes)
            .expect(name);
        let policies = [ConfiguredPolicy::new(policy, "{}")];
        let mut session = engine.session(&policies);
        for (size, target) in &targets {
            group.bench_function(format!("reused-instance-{label}/{size}"), |b| {
                b.iter(|| black_box(session.check_dockerfile(black_box(target))))
            });
        }
    }
    group.finish();
}

/// Ten policies over 1,000 typical targets, on all cores: the amortised cost
/// per (target × policy) of a real scan's shape.
fn scan(c: &mut Criterion) {
    let wasm = common::policy_wasm("echo");
    let targets: Vec<_> = (0..1000)
        .map(|n| common::typical_dockerfile(&format!("svc{n}/Dockerfile")))
        .collect();
    let mut group = c.benchmark_group("scan-1000x10");
    group.sample_size(10);
    for (label, reuse) in [("fresh-instance", false), ("reused-instance", true)] {
        let engine = engine(reuse, CacheDir::Disabled);
        let policy = engine.load_bytes(&wasm, PolicySource::Bytes).expect("echo");
        let policies: Vec<_> = (0..10)
            .map(|_| ConfiguredPolicy::new(policy.clone(), SETTINGS))
            .collect();
        group.bench_function(label, |b| {
            b.iter(|| black_box(engine.check_dockerfiles(&policies, &targets)))
        });
    }
    group.finish();
}

/// The built-in policies over the example monorepo's Dockerfiles, parsed and
/// lowered by the host, repeated to 1,000 targets: the real per
/// (target × policy) cost.
fn builtin_scan(c: &mut Criterion) {
    use tallyman::dockerfile::{LowerOptions, lower, parse};
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/monorepo/services");
    let mut examples = Vec::new();
    for service in ["api", "billing", "web", "worker"] {
        let text = std::fs::read(root.join(service).join("Dockerfile")).expect("example");
        let ast = parse(&text, &Default::default()).expect("parses");
        examples.push(lower(&ast, &LowerOptions::default()));
    }
    let targets: Vec<_> = examples.iter().cycle().take(1000).cloned().collect();
    let mut group = c.benchmark_group("builtin-scan-1000");
    group.sample_size(10);
    for (label, encoded) in [("typed", false), ("encoded", true)] {
        let engine = engine_with_input(true, encoded, CacheDir::Disabled);
        let policies: Vec<_> = engine
            .load_builtin()
            .expect("built-ins")
            .into_iter()
            .map(|policy| ConfiguredPolicy::new(policy, "{}"))
            .collect();
        group.bench_function(format!("{}-policies-{label}", policies.len()), |b| {
            b.iter(|| black_box(engine.check_dockerfiles(&policies, &targets)))
        });
    }
    group.finish();
}

/// Ten copies of `echo-sdk` (whose own work is negligible) over the
/// vendored corpus sample's real Dockerfiles, parsed and lowered by the
/// host and cycled to 1,000 targets, on all cores: the engine's amortised
/// overhead per (target × policy) on models of real sizes (the sample's
/// median is 11 instructions; `typical` above has 30). With and without
/// the SDK's `model-arena` (`echo-sdk-plain`), fresh and reused instances.
fn corpus_scan(c: &mut Criterion) {
    use tallyman::dockerfile::{LowerOptions, lower, parse};
    let dockerfile_crate = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dockerfile");
    let models: Vec<_> = corpus::sample(&dockerfile_crate)
        .iter()
        .filter_map(|text| parse(text, &Default::default()).ok())
        .map(|ast| lower(&ast, &LowerOptions::default()))
        .collect();
    let targets: Vec<_> = models.iter().cycle().take(1000).cloned().collect();
    let mut group = c.benchmark_group("corpus-1000x10");
    group.sample_size(10);
    for (label, name, reuse) in [
        ("fresh-instance", "echo-sdk", false),
        ("reused-instance-plain", "echo-sdk-plain", true),
        ("reused-instance", "echo-sdk", true),
    ] {
        let engine = engine(reuse, CacheDir::Disabled);
        let policy = engine
            .load_bytes(&common::policy_wasm(name), PolicySource::Bytes)
            .expect(name);
        let policies: Vec<_> = (0..10)
            .map(|_| ConfiguredPolicy::new(policy.clone(), "{}"))
            .collect();
        group.bench_function(label, |b| {
            b.iter(|| black_box(engine.check_dockerfiles(&policies, &targets)))
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let wasm = common::policy_wasm("echo");
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    let uncached = engine(true, CacheDir::Disabled);
    group.bench_function("cold-compile", |b| {
        b.iter(|| {
            black_box(
                uncached
                    .load_bytes(&wasm, PolicySource::Bytes)
                    .expect("echo"),
            )
        })
    });
    let dir = common::temp_cache();
    let cached = engine(true, CacheDir::Path(dir.path().to_path_buf()));
    cached
        .load_bytes(&wasm, PolicySource::Bytes)
        .expect("warm the cache");
    group.sample_size(50);
    group.bench_function("from-cache", |b| {
        b.iter_batched(
            || (),
            |()| black_box(cached.load_bytes(&wasm, PolicySource::Bytes).expect("echo")),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, evaluation, scan, builtin_scan, corpus_scan, load);
criterion_main!(benches);
