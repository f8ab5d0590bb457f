//! `HEALTHCHECK`, checked as BuildKit's `parseHealthcheck` does
//! (`frontend/dockerfile/instructions/parse.go`): the type (`CMD` or
//! `NONE`), the command, and the option values, which are Go durations
//! (`30s`, `1m30s`; a bare `30` has no unit and is refused) and an integer.

use super::flags;
use super::go;
use super::refusal::Refusal;
use crate::ast::Node;
use crate::parser::ParseErrorKind;

pub(crate) fn check(node: &Node) -> Result<(), Refusal> {
    let Some(kind) = node.args.first() else {
        return Err(Refusal::new(
            ParseErrorKind::ArgumentCount,
            "HEALTHCHECK needs `CMD <command>` or `NONE`",
            "HEALTHCHECK requires at least one argument",
        ));
    };
    let kind = kind.to_uppercase();
    let command = node.args.get(1..).unwrap_or_default();
    if kind == "NONE" {
        if command.is_empty() {
            return Ok(());
        }
        return Err(Refusal::new(
            ParseErrorKind::InvalidHealthcheck,
            "HEALTHCHECK NONE turns the check off and takes nothing after it",
            "HEALTHCHECK NONE takes no arguments",
        ));
    }
    let parsed = flags::parse("HEALTHCHECK", &node.flags, flags::HEALTHCHECK)?;
    if kind != "CMD" {
        return Err(Refusal::new(
            ParseErrorKind::InvalidHealthcheck,
            format!("HEALTHCHECK takes `CMD <command>` or `NONE`, not `{kind}`"),
            format!("Unknown type {} in HEALTHCHECK (try CMD)", go::quote(&kind)),
        ));
    }
    if command.is_empty() {
        return Err(Refusal::new(
            ParseErrorKind::InvalidHealthcheck,
            "HEALTHCHECK CMD needs the command to run",
            "Missing command after HEALTHCHECK CMD",
        ));
    }
    for name in ["interval", "timeout", "start-period", "start-interval"] {
        if let Some(value) = parsed.value(name).filter(|v| !v.is_empty()) {
            interval(name, value)?;
        }
    }
    if let Some(value) = parsed.value("retries").filter(|v| !v.is_empty()) {
        retries(value)?;
    }
    Ok(())
}

/// `parseOptInterval`.
fn interval(name: &str, value: &str) -> Result<(), Refusal> {
    let nanos = go::parse_duration(value).map_err(|said| {
        Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!(
                "`--{name}={value}` is not a duration: write a number with a unit, e.g. `30s`, `1m30s` or `500ms`"
            ),
            said,
        )
    })?;
    if go::below_minimum_interval(nanos) {
        return Err(Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!("`--{name}={value}` is shorter than one millisecond; use `0` for the default"),
            format!("Interval {} cannot be less than 1ms", go::quote(name)),
        ));
    }
    Ok(())
}

fn retries(value: &str) -> Result<(), Refusal> {
    let count = go::parse_i32(value).map_err(|said| {
        Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!("`--retries={value}` is not a whole number"),
            said,
        )
    })?;
    if count < 0 {
        return Err(Refusal::new(
            ParseErrorKind::InvalidFlagValue,
            format!("`--retries={value}` is negative"),
            format!("--retries cannot be negative ({count})"),
        ));
    }
    Ok(())
}
