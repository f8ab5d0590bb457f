//! Reading a Rego set on the host: which packages are checks, in which
//! input shape, and the tallyman rules they report under.
//!
//! - A package whose `# METADATA` has `custom.id` or `custom.avd_id` (and is
//!   not `custom.library`) is a Trivy check: its `deny` results are the
//!   rule `custom.id`, at `custom.severity`, over Trivy's input. A selector
//!   without the `dockerfile` type leaves it out.
//! - A package `tallyman` or `tallyman.*` is written against tallyman's model.
//! - A package the namespace pattern matches (`main` unless configured; `*`
//!   is a wildcard) is a conftest policy.
//!
//! In the last two, each rule whose name starts with `deny`, `violation`
//! (reported at high) or `warn` (medium) is a tallyman rule
//! `<set>/<rule>` (`<set>/<package>.<rule>` outside `main`). Other
//! packages are libraries, evaluated only when a check calls them.

use serde_yaml::Value as Yaml;
use tallyman_dockerfile::model::{RuleInfo, Severity};

use crate::bundle::{Bundle, Entry, Module, Shape};

/// A set read: what the runner is given, and the rules the host declares.
#[derive(Debug, Clone)]
pub struct Described {
    pub bundle: Bundle,
    pub rules: Vec<RuleInfo>,
}

/// Whether a module holds a set's tests rather than its policy (`opa test`
/// and conftest's convention: the `_test.rego` suffix).
pub fn is_test_module(path: &str) -> bool {
    path.ends_with("_test.rego")
}

/// Reads `modules` (tests are left out of what a scan evaluates).
pub fn describe(
    name: &str,
    modules: Vec<Module>,
    data: serde_json::Value,
    namespace: &str,
) -> Result<Described, String> {
    let modules: Vec<Module> = modules
        .into_iter()
        .filter(|module| !is_test_module(&module.path))
        .collect();
    let mut entries = Vec::new();
    let mut rules: Vec<RuleInfo> = Vec::new();
    for module in &modules {
        let Some(package) = package_of(&module.text) else {
            return Err(format!("{}: no `package` line", module.path));
        };
        let metadata = package_metadata(&module.text)
            .map(|yaml| {
                serde_yaml::from_str::<Yaml>(&yaml)
                    .map_err(|e| format!("{}: its `# METADATA` is not YAML: {e}", module.path))
            })
            .transpose()?;
        if let Some(check) = metadata.as_ref().and_then(trivy_check) {
            if !check.for_dockerfiles {
                continue;
            }
            if rules.iter().any(|rule| rule.id == check.id) {
                return Err(format!(
                    "{}: a second check with id `{}`",
                    module.path, check.id
                ));
            }
            entries.push(Entry {
                package: package.clone(),
                rule: "deny".into(),
                shape: Shape::Trivy,
                id: check.id.clone(),
                severity: severity_name(check.severity).into(),
            });
            rules.push(RuleInfo {
                id: check.id.clone(),
                title: check.title,
                default_severity: check.severity,
                description: check.description,
                help: check.help,
                tags: vec!["rego:trivy".into(), "target:dockerfile".into()],
                equivalents: check.equivalents,
            });
            continue;
        }
        let shape = if package == "tallyman" || package.starts_with("tallyman.") {
            Shape::Tallyman
        } else if namespace_matches(namespace, &package) {
            Shape::Conftest
        } else {
            continue;
        };
        for rule in reported_rules(&module.text) {
            let id = if package == "main" {
                format!("{name}/{rule}")
            } else {
                format!("{name}/{package}.{rule}")
            };
            if rules.iter().any(|known| known.id == id) {
                continue;
            }
            let severity = if rule.starts_with("warn") {
                Severity::Medium
            } else {
                Severity::High
            };
            let shape_name = match shape {
                Shape::Tallyman => "tallyman",
                _ => "conftest",
            };
            entries.push(Entry {
                package: package.clone(),
                rule: rule.clone(),
                shape,
                id: id.clone(),
                severity: severity_name(severity).into(),
            });
            rules.push(RuleInfo {
                id,
                title: format!("`{rule}` of package `{package}`"),
                default_severity: severity,
                description: format!(
                    "The results of Rego rule `data.{package}.{rule}` ({}).",
                    module.path
                ),
                help: String::new(),
                tags: vec![format!("rego:{shape_name}"), "target:dockerfile".into()],
                equivalents: Vec::new(),
            });
        }
    }
    if rules.is_empty() {
        return Err(format!(
            "no checks found: a Rego set needs Trivy checks (`# METADATA` with `custom.id`), \
             conftest rules (`deny`, `violation` or `warn` in package `{namespace}`), or \
             rules in a `tallyman` package"
        ));
    }
    Ok(Described {
        bundle: Bundle {
            name: name.to_string(),
            modules,
            data,
            entries,
        },
        rules,
    })
}

/// What a Trivy check's metadata declares.
struct TrivyCheck {
    id: String,
    title: String,
    description: String,
    help: String,
    severity: Severity,
    equivalents: Vec<String>,
    for_dockerfiles: bool,
}

fn trivy_check(metadata: &Yaml) -> Option<TrivyCheck> {
    let custom = metadata.get("custom")?;
    if custom.get("library").and_then(Yaml::as_bool) == Some(true) {
        return None;
    }
    let text = |value: Option<&Yaml>| value.and_then(Yaml::as_str).map(str::to_string);
    let avd_id = text(custom.get("avd_id"));
    let id = text(custom.get("id")).or_else(|| avd_id.clone())?;
    let severity = match text(custom.get("severity"))
        .unwrap_or_default()
        .to_ascii_uppercase()
        .as_str()
    {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "LOW" => Severity::Low,
        "INFO" | "UNKNOWN" => Severity::Info,
        _ => Severity::Medium,
    };
    let selectors = custom
        .get("input")
        .and_then(|input| input.get("selector"))
        .and_then(Yaml::as_sequence);
    let for_dockerfiles = selectors.is_none_or(|selectors| {
        selectors
            .iter()
            .any(|s| s.get("type").and_then(Yaml::as_str) == Some("dockerfile"))
    });
    let mut equivalents = vec![format!("trivy:{id}")];
    if let Some(avd) = avd_id.filter(|avd| *avd != id) {
        equivalents.push(format!("trivy:{avd}"));
    }
    Some(TrivyCheck {
        title: text(metadata.get("title")).unwrap_or_else(|| id.clone()),
        description: text(metadata.get("description")).unwrap_or_default(),
        help: text(custom.get("recommended_action"))
            .or_else(|| text(custom.get("recommended_actions")))
            .unwrap_or_default(),
        id,
        severity,
        equivalents,
        for_dockerfiles,
    })
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// The module's package, dotted (`builtin.dockerfile.DS001`).
pub fn package_of(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("package")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let name = rest.split('#').next().unwrap_or("").trim();
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// The YAML of the `# METADATA` block before the `package` line.
fn package_metadata(text: &str) -> Option<String> {
    let mut block: Option<Vec<&str>> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("package") {
            break;
        }
        if trimmed == "# METADATA" {
            block = Some(Vec::new());
            continue;
        }
        match (&mut block, trimmed.strip_prefix('#')) {
            (Some(lines), Some(comment)) => {
                lines.push(comment.strip_prefix(' ').unwrap_or(comment))
            }
            (Some(_), None) if trimmed.is_empty() => {}
            (Some(_), None) => block = None,
            _ => {}
        }
    }
    block.map(|lines| lines.join("\n"))
}

/// The names of rules written at the start of a line that conftest reports:
/// `deny`, `violation` or `warn`, alone or followed by `_` and more
/// (conftest's `^(deny|violation)(_[a-zA-Z0-9]+)*$`), in order, each once.
pub fn reported_rules(text: &str) -> Vec<String> {
    rule_heads(text, |name| {
        ["deny", "violation", "warn"].iter().any(|kind| {
            name.strip_prefix(kind)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
        })
    })
}

/// The names of the `test_` rules of a module.
pub fn test_rules(text: &str) -> Vec<String> {
    rule_heads(text, |name| name.starts_with("test_"))
}

fn rule_heads(text: &str, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || !wanted(&name) {
            continue;
        }
        let rest = line[name.len()..].trim_start();
        let is_head = rest.is_empty()
            || ["[", "{", ":=", "=", "contains", "if", "(", "["]
                .iter()
                .any(|start| rest.starts_with(start))
            || rest.starts_with('#');
        if is_head && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// conftest's namespace match: the pattern as is, `*` matching any run of
/// characters.
pub fn namespace_matches(pattern: &str, package: &str) -> bool {
    fn matches(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|skip| matches(rest, &text[skip..])),
            Some((c, rest)) => text.first() == Some(c) && matches(rest, &text[1..]),
        }
    }
    matches(pattern.as_bytes(), package.as_bytes())
}
