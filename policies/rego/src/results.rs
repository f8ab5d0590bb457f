//! A rule's value, as tallyman findings.
//!
//! A rule yields a set (or array) of results; each is a string (the
//! message) or an object with `msg`, and a place when it has one: Trivy's
//! `result.new` gives `startline`/`endline`, an input command's own
//! `StartLine`/`EndLine` work too. A result of any other kind cannot be
//! reported and is an error for the target, naming the rule.

use regorus::Value;
use tallyman_sdk::{Dockerfile, Finding, Span};

use crate::bundle::Entry;

/// More results than this from one evaluation are an error: no real policy
/// reports that much on one file, and a policy that does would flood the
/// report (the host caps what it accepts too).
pub const MAX_RESULTS: usize = 10_000;

/// Adds the findings of `value`, the value of `entry`'s rule.
pub fn collect(
    value: &Value,
    entry: &Entry,
    dockerfile: &Dockerfile,
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    let rule = || format!("data.{}.{}", entry.package, entry.rule);
    let items: Vec<&Value> = match value {
        Value::Undefined | Value::Null => return Ok(()),
        Value::Bool(false) => return Ok(()),
        Value::Bool(true) => {
            findings.push(finding(entry, entry.rule.clone(), None, dockerfile));
            return Ok(());
        }
        Value::Set(set) => set.iter().collect(),
        Value::Array(array) => array.iter().collect(),
        other => {
            return Err(format!(
                "{} is {}, not a set of results",
                rule(),
                describe(other)
            ));
        }
    };
    if items.len() > MAX_RESULTS {
        return Err(format!(
            "{} gave {} results, more than the {MAX_RESULTS} tallyman accepts from one rule",
            rule(),
            items.len()
        ));
    }
    for item in items {
        let (message, lines) = match item {
            Value::String(message) => (message.to_string(), None),
            Value::Object(_) => match &item["msg"] {
                Value::String(message) => (message.to_string(), lines(item)),
                _ => {
                    return Err(format!(
                        "{} gave a result without a string `msg`: {}",
                        rule(),
                        excerpt(item)
                    ));
                }
            },
            other => {
                return Err(format!(
                    "{} gave a result that is {}, not a message or an object with `msg`: {}",
                    rule(),
                    describe(other),
                    excerpt(other)
                ));
            }
        };
        findings.push(finding(entry, message, lines, dockerfile));
    }
    Ok(())
}

fn finding(
    entry: &Entry,
    message: String,
    lines: Option<(u32, u32)>,
    dockerfile: &Dockerfile,
) -> Finding {
    let span = lines.map(|(start, end)| Span {
        start_line: start,
        start_column: 0,
        end_line: end.max(start),
        end_column: 0,
    });
    let stage = lines.and_then(|(start, _)| {
        dockerfile
            .stages
            .iter()
            .find(|stage| stage.span.start_line <= start && start <= stage.span.end_line)
            .map(|stage| stage.index)
    });
    Finding {
        rule_id: entry.id.clone(),
        message: shortened(message),
        span,
        stage,
        fix: None,
        autofix: None,
        severity: None,
    }
}

/// Messages longer than this are cut: Trivy's checks quote whole `RUN`
/// scripts, and the host refuses a message over its `max-message-bytes`
/// (4 KiB by default) as invalid output, losing every finding of the file.
pub const MAX_MESSAGE_BYTES: usize = 2048;

/// `message`, cut at a character boundary within [`MAX_MESSAGE_BYTES`] and
/// marked as cut.
fn shortened(message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &message[..end], message.len())
}

/// The result's lines, when it gives a positive start line.
fn lines(result: &Value) -> Option<(u32, u32)> {
    let number = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|key| result[*key].as_u64().ok())
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n > 0)
    };
    let start = number(["startline", "StartLine"])?;
    let end = number(["endline", "EndLine"]).unwrap_or(start);
    Some((start, end))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Set(_) => "a set",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
        #[allow(unreachable_patterns)]
        _ => "a value of another kind",
    }
}

/// The value as JSON, cut short.
fn excerpt(value: &Value) -> String {
    let json = value.to_json_str().unwrap_or_default();
    match json.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &json[..cut]),
        None => json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_at_a_character_boundary_and_say_so() {
        assert_eq!(shortened("short".into()), "short");
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let cut = shortened(long.clone());
        assert!(cut.len() < MAX_MESSAGE_BYTES + 40, "{}", cut.len());
        assert!(cut.ends_with(&format!("… ({} bytes in all)", long.len())));
    }
}
