//! `RUN` flags, checked as BuildKit's `parseRun` and its hooks check them
//! when reading the instruction (`frontend/dockerfile/instructions/
//! commands_run{device,mount,network,security}.go`, run in that order).
//!
//! `--mount` values are only read as CSV here, with `from=` refused when it
//! holds a variable: BuildKit checks the rest of a mount once build arguments
//! are expanded, when it builds the stage (see [`crate::mount`]).

use super::flags;
use super::go;
use super::refusal::Refusal;
use crate::ast::Node;
use crate::mount::{self, MountError};
use crate::parser::ParseErrorKind;

pub(crate) fn check(node: &Node) -> Result<(), Refusal> {
    let parsed = flags::parse("RUN", &node.flags, flags::RUN)?;
    for value in parsed.values("device") {
        device(value)?;
    }
    for value in parsed.values("mount") {
        mount::check_as_written(value).map_err(|err| bad_mount(value, &err))?;
    }
    if let Some(network) = parsed.value("network")
        && !matches!(network, "default" | "none" | "host")
    {
        return Err(Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!("`--network={network}`: RUN's network is `default`, `none` or `host`"),
            format!("invalid network mode {}", go::quote(network)),
        ));
    }
    if let Some(security) = parsed.value("security")
        && !matches!(security, "insecure" | "sandbox")
    {
        return Err(Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!("`--security={security}`: RUN's security is `sandbox` or `insecure`"),
            format!("security {} is not valid", go::quote(security)),
        ));
    }
    Ok(())
}

fn bad_mount(value: &str, err: &MountError) -> Refusal {
    let reason = match err {
        MountError::VariableInFrom => format!(
            "`--mount={value}`: `from` names a stage or image as written and is never expanded; declare the image in an `ARG` before the first `FROM`, build a stage `FROM` it, and mount from that stage"
        ),
        _ => format!("`--mount={value}` cannot be read as `key=value` fields separated by commas"),
    };
    let kind = match err {
        MountError::VariableInFrom => ParseErrorKind::VariableInFrom,
        _ => ParseErrorKind::InvalidFlagValue,
    };
    Refusal::new(kind, reason, err.to_string())
}

/// `ParseDevice`.
fn device(value: &str) -> Result<(), Refusal> {
    let refuse = |said: String| {
        Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!("`--device={value}` is not `<name>[,required]`"),
            said,
        )
    };
    let fields = match mount::csv_fields(value) {
        Ok(fields) => fields,
        Err(MountError::Empty) => {
            return Err(refuse("failed to parse csv devices: EOF".to_owned()));
        }
        Err(MountError::Csv { column, reason }) => {
            return Err(refuse(format!(
                "failed to parse csv devices: parse error on line 1, column {column}: {reason}"
            )));
        }
        Err(other) => return Err(refuse(other.to_string())),
    };
    // BuildKit's `d.Name`, where empty means unset.
    let mut name = String::new();
    for field in fields {
        let Some((key, field_value)) = field.split_once('=') else {
            if field.to_lowercase() == "required" {
                continue;
            }
            if name.is_empty() {
                name = field;
                continue;
            }
            return Err(refuse(format!(
                "invalid field '{field}' must be a key=value pair"
            )));
        };
        match key.to_lowercase().as_str() {
            "name" => {
                if !name.is_empty() {
                    return Err(refuse(format!("device name already set to {name}")));
                }
                name = field_value.to_owned();
            }
            "required" => {
                if go::parse_bool(field_value).is_none() {
                    return Err(refuse(format!("invalid value for required: {field_value}")));
                }
            }
            other => {
                if name.is_empty() {
                    name.clone_from(&field);
                    continue;
                }
                return Err(refuse(go::with_suggestion(
                    format!("unexpected key '{other}' in '{field}'"),
                    other,
                    &["name", "required"],
                    true,
                )));
            }
        }
    }
    Ok(())
}
