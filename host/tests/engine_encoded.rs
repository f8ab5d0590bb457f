//! The `encoded` input path (one postcard buffer per target) gives exactly
//! the findings of the typed path, for every built-in policy, on real
//! Dockerfiles: the vendored corpus sample and the example monorepo.

mod common;

use std::path::{Path, PathBuf};

use tallyman::dockerfile::lower::{LowerOptions, lower};
use tallyman::dockerfile::model::Dockerfile;
use tallyman::dockerfile::parser::parse_str;
use tallyman::engine::{ConfiguredPolicy, Engine, Limits, Outcome};

use common::{engine_with, temp_cache};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the host crate is in the workspace")
        .to_path_buf()
}

/// Every Dockerfile under `dir` that parses, lowered as a scan would.
fn models_under(dir: &Path, found: &mut Vec<Dockerfile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            models_under(&path, found);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(ast) = parse_str(&text) else {
            continue;
        };
        let options = LowerOptions {
            path: path.display().to_string(),
            evaluated_on: "2026-11-27".to_string(),
            ..LowerOptions::default()
        };
        found.push(lower(&ast, &options));
    }
}

fn real_dockerfiles() -> Vec<Dockerfile> {
    let root = workspace();
    let mut models = Vec::new();
    models_under(
        &root.join("dockerfile/tests/data/corpus-sample/files"),
        &mut models,
    );
    models_under(&root.join("examples/monorepo/services"), &mut models);
    models
}

/// Findings per target and policy, as comparable text.
fn findings(engine: &Engine, models: &[Dockerfile]) -> Vec<String> {
    let policies: Vec<ConfiguredPolicy> = engine
        .load_builtin()
        .expect("the built-in policies load")
        .into_iter()
        .map(|policy| ConfiguredPolicy::new(policy, "{}"))
        .collect();
    assert!(
        policies.iter().all(|p| p.policy.takes_encoded_input()),
        "every built-in policy is built with tallyman-sdk and exports the encoded checks"
    );
    let mut session = engine.session(&policies);
    let mut lines = Vec::new();
    for model in models {
        for Outcome { policy, result, .. } in session.check_dockerfile(model) {
            let result = result.unwrap_or_else(|e| panic!("{}: {e:?}", model.path));
            for finding in result {
                lines.push(format!(
                    "{} {} {} {:?} {:?} {}",
                    model.path,
                    policy.name(),
                    finding.rule_id,
                    finding.span,
                    finding.stage,
                    finding.message
                ));
            }
        }
    }
    lines
}

#[test]
fn encoded_and_typed_inputs_give_the_same_findings() {
    let models = real_dockerfiles();
    assert!(
        models.len() >= 50,
        "only {} Dockerfiles found",
        models.len()
    );
    let cache = temp_cache();
    let typed = engine_with(
        Limits {
            encoded_input: false,
            ..Limits::default()
        },
        cache.path(),
    );
    let encoded = engine_with(Limits::default(), cache.path());
    let by_type = findings(&typed, &models);
    let by_encoding = findings(&encoded, &models);
    assert!(by_type.len() > 100, "only {} findings", by_type.len());
    let first_difference = by_type.iter().zip(&by_encoding).position(|(a, b)| a != b);
    assert_eq!(
        by_type.len(),
        by_encoding.len(),
        "different numbers of findings; first difference at {first_difference:?}"
    );
    if let Some(at) = first_difference {
        panic!(
            "finding {at} differs:\n  typed:   {}\n  encoded: {}",
            by_type[at], by_encoding[at]
        );
    }
}

/// `echo-sdk` decodes each model into a block it reuses between
/// evaluations (the SDK's `model-arena` feature); `echo-sdk-plain` is the
/// same source without it. On one live instance each, models that fit the
/// block, models that spill out of it (the first one over 256 KiB), and the
/// same after the block has grown must all read back exactly: every `FROM`
/// is echoed with its image name, and reusing the block must not mix two
/// models.
#[test]
fn models_decoded_into_the_reused_block_read_back_exactly() {
    let cache = temp_cache();
    let limits = Limits {
        max_findings: 10_000,
        max_output_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let engine = engine_with(limits, cache.path());
    let policies: Vec<ConfiguredPolicy> = ["echo-sdk", "echo-sdk-plain"]
        .into_iter()
        .map(|name| ConfiguredPolicy::new(common::load(&engine, name), "{}"))
        .collect();
    assert!(policies.iter().all(|p| p.policy.takes_encoded_input()));
    let model = |path: &str, stages: usize, seed: usize| {
        let bases: Vec<String> = (0..stages)
            .map(|i| {
                format!(
                    "registry{seed}.example/team/image-{i:05}-{}:{seed}",
                    "x".repeat(i % 97)
                )
            })
            .collect();
        let bases: Vec<&str> = bases.iter().map(String::as_str).collect();
        common::dockerfile(path, &bases)
    };
    let sequence = [
        model("small-1", 3, 1),
        model("large-1", 4_000, 2),
        model("small-2", 5, 3),
        model("large-2", 4_000, 4),
        model("larger", 9_000, 5),
        model("small-3", 1, 6),
    ];
    // The image names alone (each is encoded several times over) are more
    // than the block's initial 256 KiB.
    let names: usize = sequence[1]
        .stages
        .iter()
        .map(|s| s.base.written.len())
        .sum();
    assert!(
        names > 256 * 1024,
        "the large model names only {names} bytes"
    );
    let mut session = engine.session(&policies);
    for model in &sequence {
        let expected: Vec<String> = model
            .stages
            .iter()
            .map(|stage| format!("FROM {}", stage.base.written))
            .collect();
        for Outcome { policy, result, .. } in session.check_dockerfile(model) {
            let messages: Vec<String> = result
                .unwrap_or_else(|e| panic!("{} on {}: {e:?}", policy.name(), model.path))
                .into_iter()
                .map(|finding| finding.message)
                .collect();
            assert_eq!(messages, expected, "{} on {}", policy.name(), model.path);
        }
    }
}
