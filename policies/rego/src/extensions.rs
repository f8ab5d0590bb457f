//! The builtins Trivy's checks call that OPA does not have, given to every
//! set: `result.new(msg, cause)` (Trivy's, placing a result at the lines of
//! the command it is about) and `sh.parse_commands(script)` (trivy-checks').

use std::collections::BTreeMap;

use regorus::{Engine, Value};

/// Registers the extensions on `engine`.
pub fn register(engine: &mut Engine) -> Result<(), String> {
    engine
        .add_extension("result.new".into(), 2, Box::new(result_new))
        .map_err(|e| format!("cannot register result.new: {e}"))?;
    engine
        .add_extension("sh.parse_commands".into(), 1, Box::new(parse_commands))
        .map_err(|e| format!("cannot register sh.parse_commands: {e}"))
}

/// Trivy's `result.new`: the message, and the place of `cause` (a command
/// of the Trivy input, or an object with `__defsec_metadata`), under the
/// keys Trivy's results carry.
fn result_new(args: Vec<Value>) -> anyhow::Result<Value> {
    let [msg, cause] = <[Value; 2]>::try_from(args)
        .map_err(|_| anyhow::anyhow!("result.new takes a message and a cause"))?;
    let msg = msg
        .as_string()
        .map_err(|_| anyhow::anyhow!("result.new: the message is not a string"))?
        .clone();
    let mut result = BTreeMap::new();
    result.insert(Value::from("msg"), Value::String(msg));
    let place = match &cause["__defsec_metadata"] {
        Value::Object(_) => &cause["__defsec_metadata"],
        _ => &cause,
    };
    for (ours, theirs) in [
        ("startline", "StartLine"),
        ("endline", "EndLine"),
        ("filepath", "Path"),
    ] {
        let value = match &place[ours] {
            Value::Undefined => &place[theirs],
            value => value,
        };
        if *value != Value::Undefined {
            result.insert(Value::from(ours), value.clone());
        }
    }
    Ok(Value::from(result))
}

/// trivy-checks' `sh.parse_commands`: each simple command of a shell script
/// (those in substitutions too) as its list of words. Words come with
/// their quotes removed (trivy-checks' Go parser prints them as written);
/// a script the parser refuses gives its statements that do parse.
fn parse_commands(args: Vec<Value>) -> anyhow::Result<Value> {
    let script = args
        .first()
        .and_then(|value| value.as_string().ok())
        .ok_or_else(|| anyhow::anyhow!("sh.parse_commands takes a string"))?;
    let split = tallyman_dockerfile::shell::split_commands(script);
    let commands = split
        .commands
        .iter()
        .filter(|command| !command.name.is_empty())
        .map(|command| {
            let words = std::iter::once(&command.name)
                .chain(&command.args)
                .map(|word| Value::from(word.as_str()))
                .collect::<Vec<_>>();
            Value::from(words)
        })
        .collect::<Vec<_>>();
    Ok(Value::from(commands))
}
