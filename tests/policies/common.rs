// Shared by every test policy through `include!`: the guest bindings of the
// `policy` world and small builders. Each policy crate is its own component,
// so this is compiled into each.

wit_bindgen::generate!({
    path: "../../../wit",
    world: "policy",
});

// `Dockerfile`, `Finding`, `Image` and `PolicyInfo` are `use`d by the world
// itself, so the bindings define them at the top level.
#[allow(unused_imports)]
use tallyman::policy::types::{InstructionDetail, RuleInfo, Severity, Span};

#[allow(dead_code)]
fn policy_info(name: &str, rules: &[&str]) -> PolicyInfo {
    PolicyInfo {
        name: name.to_string(),
        version: "0.1.0".to_string(),
        description: format!("test policy `{name}`"),
        rules: rules
            .iter()
            .map(|id| RuleInfo {
                id: id.to_string(),
                title: format!("rule {id}"),
                default_severity: Severity::Medium,
                description: String::new(),
                help: String::new(),
                tags: Vec::new(),
                equivalents: Vec::new(),
            })
            .collect(),
    }
}

#[allow(dead_code)]
fn finding(rule_id: &str, message: impl Into<String>) -> Finding {
    Finding {
        rule_id: rule_id.to_string(),
        message: message.into(),
        span: None,
        stage: None,
        fix: None,
        severity: None,
        autofix: None,
    }
}

/// The number after `"key":` in a settings document, if any: enough JSON for
/// tests, without a JSON crate in every component.
#[allow(dead_code)]
fn setting_number(settings: &str, key: &str) -> Option<u64> {
    let quoted = format!("\"{key}\"");
    let rest = settings.split(&quoted).nth(1)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[allow(dead_code)]
fn setting_text<'a>(settings: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("\"{key}\"");
    let rest = settings.split(&quoted).nth(1)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    rest.split('"').next()
}
