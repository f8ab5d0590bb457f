//! Trivy's Dockerfile input (trivy's `pkg/iac/providers/dockerfile`):
//! `{"Stages": [{"Name", "Commands": [...]}]}`, each command `Cmd`,
//! `SubCmd`, `Flags`, `Value`, `Original`, `JSON`, `Stage`, `Path`,
//! `StartLine` and `EndLine`. A stage's `Name` is its `FROM` argument as
//! written (`golang:1.22 AS build`); the global `ARG`s belong to the first
//! stage, where trivy-checks' `lib.docker` looks for them.

use regorus::Value;
use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::Instruction;

use super::{flags, instructions, json_form, object, onbuild, strings};

pub fn trivy(dockerfile: &Dockerfile) -> Value {
    let mut stages: Vec<(String, Vec<Value>)> = dockerfile
        .stages
        .iter()
        .map(|stage| {
            let name = stage
                .instructions
                .first()
                .map(|from| from.args.join(" "))
                .unwrap_or_default();
            (name, Vec::new())
        })
        .collect();
    if stages.is_empty() {
        stages.push((String::new(), Vec::new()));
    }
    for (stage, instruction) in instructions(dockerfile) {
        let index = (stage as usize).min(stages.len() - 1);
        stages[index]
            .1
            .push(command(&dockerfile.path, stage, instruction));
    }
    let stages = stages
        .into_iter()
        .map(|(name, commands)| {
            object(vec![
                ("Name", Value::from(name)),
                ("Commands", Value::from(commands)),
            ])
        })
        .collect::<Vec<_>>();
    object(vec![("Stages", Value::from(stages))])
}

fn command(path: &str, stage: u32, instruction: &Instruction) -> Value {
    let (sub_command, value) = match onbuild(instruction) {
        Some((sub, args)) => (sub, strings(args)),
        None => (String::new(), strings(&instruction.args)),
    };
    object(vec![
        ("Cmd", Value::from(instruction.keyword.to_ascii_lowercase())),
        ("SubCmd", Value::from(sub_command)),
        ("Flags", flags(instruction)),
        ("Value", value),
        ("Original", Value::from(instruction.original.as_str())),
        ("JSON", Value::from(json_form(instruction))),
        ("Stage", Value::from(stage)),
        ("Path", Value::from(path)),
        ("StartLine", Value::from(instruction.span.start_line)),
        ("EndLine", Value::from(instruction.span.end_line)),
    ])
}
