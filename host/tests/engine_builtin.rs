//! The built-in policies on real Dockerfiles, parsed and lowered by the
//! host: every evaluation ends without a policy error, and instance reuse
//! does not change a single finding.

mod common;

use std::path::Path;

use tallyman::dockerfile::{LowerOptions, lower, parse};
use tallyman::engine::{ConfiguredPolicy, Limits};

use common::{engine_with, temp_cache};

fn examples() -> Vec<tallyman::dockerfile::model::Dockerfile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/monorepo");
    let mut paths = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "Dockerfile") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let ast = parse(&std::fs::read(path).unwrap(), &Default::default()).unwrap();
            let relative = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            lower(
                &ast,
                &LowerOptions {
                    path: relative,
                    ..LowerOptions::default()
                },
            )
        })
        .collect()
}

#[test]
fn builtin_policies_evaluate_real_dockerfiles_without_errors() {
    let targets = examples();
    assert!(!targets.is_empty());
    let cache = temp_cache();
    let run = |reuse_instances| {
        let engine = engine_with(
            Limits {
                reuse_instances,
                ..Limits::default()
            },
            cache.path(),
        );
        let policies: Vec<ConfiguredPolicy> = engine
            .load_builtin()
            .unwrap()
            .into_iter()
            .map(|policy| {
                engine.validate_settings(&policy, "{}").unwrap();
                ConfiguredPolicy::new(policy, "{}")
            })
            .collect();
        engine
            .check_dockerfiles(&policies, &targets)
            .into_iter()
            .flatten()
            .map(|outcome| match outcome.result {
                Ok(findings) => (outcome.policy.name().to_string(), findings),
                Err(error) => panic!("{error}"),
            })
            .collect::<Vec<_>>()
    };
    let reused = run(true);
    let total: usize = reused.iter().map(|(_, f)| f.len()).sum();
    eprintln!("{} evaluations, {total} findings", reused.len());
    assert_eq!(reused, run(false));
}
