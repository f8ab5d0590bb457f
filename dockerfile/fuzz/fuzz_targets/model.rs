//! Any bytes through the whole reading pipeline: parse, then lower into the
//! typed model (variable expansion, image references, shell splitting,
//! mounts): a model or a parse error, never a panic, and the model holds
//! together.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tallyman_dockerfile::{LowerOptions, ParseOptions, lower, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(ast) = parse(data, &ParseOptions::default()) else {
        return;
    };
    let model = lower(&ast, &LowerOptions::default());
    let instructions: usize = model.global_args.len()
        + model.stages.iter().map(|s| s.instructions.len()).sum::<usize>();
    assert_eq!(instructions, ast.children.len(), "every instruction is in the model once");
    assert!(
        model.stages.is_empty() || (model.target_stage as usize) < model.stages.len(),
        "the target stage exists"
    );
});
