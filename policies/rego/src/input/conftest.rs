//! conftest's Dockerfile input (`parser/docker` of open-policy-agent/conftest):
//! the array of commands, each `Cmd` (lower case), `SubCmd` (for
//! `ONBUILD`), `JSON`, `Flags`, `Value` and `Stage`, with a `comment`
//! command for each comment line above an instruction, as conftest's
//! parser lists them. tallyman adds `Original`, `StartLine` and `EndLine`
//! (not in conftest's input, so no conftest policy reads them) so that a
//! result object can carry a line.

use regorus::Value;
use tallyman_sdk::Dockerfile;

use super::{flags, instructions, json_form, object, onbuild, strings};

pub fn conftest(dockerfile: &Dockerfile) -> Value {
    let mut commands = Vec::new();
    for (stage, instruction) in instructions(dockerfile) {
        for comment in &instruction.comments {
            commands.push(object(vec![
                ("Cmd", Value::from("comment")),
                ("SubCmd", Value::from("")),
                ("JSON", Value::from(false)),
                ("Flags", Value::from(Vec::<Value>::new())),
                ("Value", Value::from(vec![Value::from(comment.trim())])),
                ("Stage", Value::from(stage)),
            ]));
        }
        let (sub_command, value) = match onbuild(instruction) {
            Some((sub, args)) => (sub, strings(args)),
            None => (String::new(), strings(&instruction.args)),
        };
        commands.push(object(vec![
            ("Cmd", Value::from(instruction.keyword.to_ascii_lowercase())),
            ("SubCmd", Value::from(sub_command)),
            ("JSON", Value::from(json_form(instruction))),
            ("Flags", flags(instruction)),
            ("Value", value),
            ("Stage", Value::from(stage)),
            ("Original", Value::from(instruction.original.as_str())),
            ("StartLine", Value::from(instruction.span.start_line)),
            ("EndLine", Value::from(instruction.span.end_line)),
        ]));
    }
    Value::from(commands)
}
