//! The three inputs a Rego package can be written against, built from the
//! model the host hands the runner (so the host parses a file once, as
//! for every policy).

mod conftest;
mod trivy;

use regorus::Value;
use tallyman_sdk::Dockerfile;
use tallyman_sdk::model::{Instruction, InstructionDetail};

use crate::bundle::Shape;

pub use conftest::conftest;
pub use trivy::trivy;

/// The input of `shape` for `dockerfile`.
pub fn build(shape: Shape, dockerfile: &Dockerfile) -> Result<Value, String> {
    match shape {
        Shape::Conftest => Ok(conftest(dockerfile)),
        Shape::Trivy => Ok(trivy(dockerfile)),
        Shape::Tallyman => tallyman(dockerfile),
    }
}

/// tallyman's model, in the JSON `tallyman parse --format json` prints.
pub fn tallyman(dockerfile: &Dockerfile) -> Result<Value, String> {
    serde_json::to_value(dockerfile)
        .map(Value::from)
        .map_err(|e| format!("cannot write the model as JSON: {e}"))
}

/// Every instruction in file order with its stage index: the global `ARG`s
/// before the first `FROM` count as stage 0, as conftest and Trivy do.
pub(crate) fn instructions(dockerfile: &Dockerfile) -> Vec<(u32, &Instruction)> {
    let globals = dockerfile.global_args.iter().map(|i| (0, i));
    let staged = dockerfile
        .stages
        .iter()
        .flat_map(|stage| stage.instructions.iter().map(move |i| (stage.index, i)));
    globals.chain(staged).collect()
}

/// The instruction's flags as written (`--from=build`, `--link`).
pub(crate) fn flags(instruction: &Instruction) -> Value {
    let flags = instruction
        .flags
        .iter()
        .map(|flag| match &flag.value {
            Some(value) => Value::from(format!("--{}={value}", flag.name)),
            None => Value::from(format!("--{}", flag.name)),
        })
        .collect::<Vec<_>>();
    Value::from(flags)
}

pub(crate) fn strings(values: &[String]) -> Value {
    Value::from(
        values
            .iter()
            .map(|s| Value::from(s.as_str()))
            .collect::<Vec<_>>(),
    )
}

/// BuildKit's `json` attribute: the arguments were written as a JSON array.
pub(crate) fn json_form(instruction: &Instruction) -> bool {
    match &instruction.detail {
        InstructionDetail::Run(run) => run.command.exec_form,
        InstructionDetail::Cmd(command) | InstructionDetail::Entrypoint(command) => {
            command.exec_form
        }
        InstructionDetail::Healthcheck(check) => {
            check.command.as_ref().is_some_and(|c| c.exec_form)
        }
        InstructionDetail::Shell(_) => true,
        _ => {
            let mut words = instruction.original.split_whitespace().skip(1);
            let mut rest = instruction.original.trim_start();
            rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r);
            while let Some(word) = words.next().filter(|w| w.starts_with("--")) {
                rest = rest.trim_start().strip_prefix(word).unwrap_or(rest);
            }
            rest.trim_start().starts_with('[')
        }
    }
}

/// `ONBUILD`'s sub-command (lower case) and the trigger's arguments.
pub(crate) fn onbuild(instruction: &Instruction) -> Option<(String, &[String])> {
    match &instruction.detail {
        InstructionDetail::Onbuild(trigger) => {
            Some((trigger.keyword.to_ascii_lowercase(), &trigger.args))
        }
        _ => None,
    }
}

/// An object from (key, value) pairs.
pub(crate) fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::from(
        pairs
            .into_iter()
            .map(|(key, value)| (Value::from(key), value))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}
