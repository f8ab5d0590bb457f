//! `.hadolint.yaml`: found where hadolint looks for it, and turned into the
//! tallyman configuration that does the same through the equivalents each
//! rule declares. What tallyman cannot express is named, never dropped in
//! silence.
//!
//! The keys are hadolint's (`src/Hadolint/Config/Configuration.hs`):
//! `ignored`, `override` (`error`/`warning`/`info`/`style` lists; DL1001
//! given any level turns on `report-pragmas`),
//! `trustedRegistries`, `label-schema`, `strict-labels`,
//! `failure-threshold`, `disable-ignore-pragma`, `no-fail`, `format`,
//! `formats`, `no-color`, `verbose`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::config::{Config, parse_config};
use crate::report::SeverityName;

/// The names hadolint looks for in the current directory and in `$HOME`.
const HIDDEN_NAMES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];
/// The names it looks for in `$XDG_CONFIG_HOME` and `~/.hadolint/`.
const VISIBLE_NAMES: [&str; 2] = ["hadolint.yaml", "hadolint.yml"];
/// More names it looks for in `~/.hadolint/`.
const MORE_NAMES: [&str; 2] = ["config.yaml", "config.yml"];

/// Whether `path` is named like a hadolint configuration file.
pub fn is_hadolint_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| HIDDEN_NAMES.contains(&name) || VISIBLE_NAMES.contains(&name))
}

/// The hadolint configuration hadolint itself would use (`Configfile.hs`,
/// `findConfig`): `.hadolint.yaml`/`.yml` in the scan root or the current
/// directory, then `$XDG_CONFIG_HOME/hadolint.yaml` (`~/.config`), then
/// `~/.hadolint/{hadolint,config}.yaml`, then `~/.hadolint.yaml`; `.yml`
/// after `.yaml` each time.
pub fn find(root: &Path) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| home.as_ref().map(|home| home.join(".config")));
    let mut candidates: Vec<PathBuf> = Vec::new();
    for dir in [root, Path::new(".")] {
        candidates.extend(HIDDEN_NAMES.iter().map(|name| dir.join(name)));
    }
    if let Some(xdg) = &xdg {
        candidates.extend(VISIBLE_NAMES.iter().map(|name| xdg.join(name)));
    }
    if let Some(home) = &home {
        let app = home.join(".hadolint");
        candidates.extend(
            VISIBLE_NAMES
                .iter()
                .chain(MORE_NAMES.iter())
                .map(|name| app.join(name)),
        );
        candidates.extend(HIDDEN_NAMES.iter().map(|name| home.join(name)));
    }
    candidates.into_iter().find(|candidate| candidate.is_file())
}

/// hadolint's severities, mildest last.
const LEVELS: [(&str, SeverityName); 4] = [
    ("error", SeverityName::High),
    ("warning", SeverityName::Medium),
    ("info", SeverityName::Low),
    ("style", SeverityName::Info),
];

/// A hadolint severity as tallyman's: error → high, warning → medium,
/// info → low, style → info.
fn severity(level: &str) -> Option<SeverityName> {
    LEVELS
        .iter()
        .find(|(name, _)| *name == level)
        .map(|(_, severity)| *severity)
}

/// A loaded rule as the conversion sees it.
pub struct RuleFacts<'a> {
    pub id: &'a str,
    /// The hadolint codes it declares (`DL3008`, `SC2086`), and its own id
    /// when that is a ShellCheck code.
    pub hadolint: Vec<&'a str>,
}

impl<'a> RuleFacts<'a> {
    pub fn new(id: &'a str, equivalents: &'a [String]) -> RuleFacts<'a> {
        let mut hadolint: Vec<&str> = equivalents
            .iter()
            .filter_map(|e| {
                e.strip_prefix("hadolint:")
                    .or_else(|| e.strip_prefix("shellcheck:"))
            })
            .collect();
        if id.starts_with("SC") && !hadolint.contains(&id) {
            hadolint.push(id);
        }
        RuleFacts { id, hadolint }
    }
}

/// The tallyman configuration, and what could not be carried over.
#[derive(Debug)]
pub struct Conversion {
    /// The `tallyman.yaml` document.
    pub document: Mapping,
    pub config: Config,
    /// One sentence each: what is not expressed, or expressed in part.
    pub warnings: Vec<String>,
}

impl Conversion {
    /// The document as YAML, with the warnings as comments above it.
    pub fn to_yaml(&self, source: &Path) -> String {
        let mut text = format!(
            "# Converted from {} by `tallyman config import`.\n",
            source.display()
        );
        for warning in &self.warnings {
            text.push_str("# warning: ");
            text.push_str(warning);
            text.push('\n');
        }
        if self.document.is_empty() {
            return text;
        }
        text.push_str(&serde_yaml::to_string(&self.document).unwrap_or_default());
        text
    }
}

fn strings(value: &Value, key: &str, file: &Path) -> anyhow::Result<Vec<String>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Sequence(items) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                other => anyhow::bail!(
                    "{}: {key}: expected a list of strings, found {}",
                    file.display(),
                    describe(other)
                ),
            })
            .collect(),
        other => anyhow::bail!(
            "{}: {key}: expected a list, found {}",
            file.display(),
            describe(other)
        ),
    }
}

fn boolean(value: &Value, key: &str, file: &Path) -> anyhow::Result<Option<bool>> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(flag) => Ok(Some(*flag)),
        other => anyhow::bail!(
            "{}: {key}: expected true or false, found {}",
            file.display(),
            describe(other)
        ),
    }
}

fn describe(value: &Value) -> String {
    serde_yaml::to_string(value)
        .map(|text| format!("`{}`", text.trim()))
        .unwrap_or_else(|_| "something else".to_string())
}

/// What a hadolint configuration says, read as hadolint reads it.
#[derive(Debug, Clone, Default)]
pub struct HadolintConfig {
    ignored: Vec<String>,
    /// (level, rule codes), in hadolint's order of precedence.
    overrides: Vec<(String, Vec<String>)>,
    trusted_registries: Vec<String>,
    label_schema: BTreeMap<String, String>,
    strict_labels: Option<bool>,
    failure_threshold: Option<String>,
    disable_ignore_pragma: Option<bool>,
    no_fail: Option<bool>,
    formats: Vec<String>,
    no_color: Option<bool>,
    verbose: Option<bool>,
    unknown_keys: Vec<String>,
}

/// Reads a hadolint configuration; a wrong type is an error naming the
/// file and the key, as hadolint refuses it too.
pub fn parse(text: &str, file: &Path) -> anyhow::Result<HadolintConfig> {
    let mut config = HadolintConfig::default();
    if text.trim().is_empty() {
        return Ok(config);
    }
    let value: Value = serde_yaml::from_str(text)
        .map_err(|e| anyhow::anyhow!("{}: not YAML: {e}", file.display()))?;
    let Value::Mapping(map) = value else {
        anyhow::bail!(
            "{}: expected a mapping of hadolint settings",
            file.display()
        );
    };
    for (key, value) in &map {
        let Some(key) = key.as_str() else {
            anyhow::bail!("{}: a key is not a string", file.display());
        };
        match key {
            "ignored" => config.ignored = strings(value, key, file)?,
            "trustedRegistries" => config.trusted_registries = strings(value, key, file)?,
            "override" => {
                let Value::Mapping(levels) = value else {
                    anyhow::bail!(
                        "{}: override: expected error/warning/info/style lists",
                        file.display()
                    );
                };
                for (level, codes) in levels {
                    let level = level.as_str().unwrap_or_default().to_string();
                    if severity(&level).is_none() {
                        anyhow::bail!(
                            "{}: override.{level}: not a hadolint severity (error, warning, info, style)",
                            file.display()
                        );
                    }
                    let codes = strings(codes, &format!("override.{level}"), file)?;
                    config.overrides.push((level, codes));
                }
            }
            "label-schema" => match value {
                Value::Null => {}
                Value::Mapping(schema) => {
                    for (label, kind) in schema {
                        let (Some(label), Some(kind)) = (label.as_str(), kind.as_str()) else {
                            anyhow::bail!(
                                "{}: label-schema: expected `label: type` pairs",
                                file.display()
                            );
                        };
                        config
                            .label_schema
                            .insert(label.to_string(), kind.to_string());
                    }
                }
                other => anyhow::bail!(
                    "{}: label-schema: expected a mapping, found {}",
                    file.display(),
                    describe(other)
                ),
            },
            "strict-labels" => config.strict_labels = boolean(value, key, file)?,
            "disable-ignore-pragma" => config.disable_ignore_pragma = boolean(value, key, file)?,
            "no-fail" => config.no_fail = boolean(value, key, file)?,
            "no-color" => config.no_color = boolean(value, key, file)?,
            "verbose" => config.verbose = boolean(value, key, file)?,
            "failure-threshold" => {
                let Some(level) = value.as_str() else {
                    anyhow::bail!("{}: failure-threshold: expected a severity", file.display());
                };
                if severity(level).is_none() && !matches!(level, "ignore" | "none") {
                    anyhow::bail!(
                        "{}: failure-threshold: `{level}` is not error, warning, info, style, ignore or none",
                        file.display()
                    );
                }
                config.failure_threshold = Some(level.to_string());
            }
            "format" => {
                if let Some(format) = value.as_str() {
                    config.formats.push(format.to_string());
                }
            }
            "formats" => config.formats.extend(strings(value, key, file)?),
            other => config.unknown_keys.push(other.to_string()),
        }
    }
    Ok(config)
}

/// The label types hadolint's `label-schema` takes (`""` means text).
const LABEL_TYPES: [&str; 7] = ["text", "url", "rfc3339", "spdx", "hash", "semver", "email"];

/// The policy whose settings carry a label schema.
const LABELS_POLICY: &str = "labels";

/// Converts `hadolint` for the loaded `rules` (of the policies named
/// `policies`).
pub fn convert(
    hadolint: &HadolintConfig,
    rules: &[RuleFacts<'_>],
    policies: &[&str],
    source: &Path,
) -> anyhow::Result<Conversion> {
    let mut document = Mapping::new();
    let mut warnings = Vec::new();
    let covered = |code: &str| rules.iter().any(|rule| rule.hadolint.contains(&code));

    let mut ignored_rules = Vec::new();
    for rule in rules.iter().filter(|rule| !rule.hadolint.is_empty()) {
        let named: Vec<&str> = rule
            .hadolint
            .iter()
            .copied()
            .filter(|code| hadolint.ignored.iter().any(|i| i == code))
            .collect();
        if named.len() == rule.hadolint.len() {
            ignored_rules.push(rule.id.to_string());
        } else if !named.is_empty() {
            let rest: Vec<&str> = rule
                .hadolint
                .iter()
                .copied()
                .filter(|code| !named.contains(code))
                .collect();
            warnings.push(format!(
                "ignored: {} also covers {} (not ignored), so {} stays on (add it to `ignore.rules` to turn it off)",
                rule.id,
                rest.join(", "),
                rule.id
            ));
        }
    }
    for code in hadolint.ignored.iter().filter(|code| !covered(code)) {
        warnings.push(format!(
            "ignored: no loaded rule covers {code}, so there is nothing to ignore"
        ));
    }
    if !ignored_rules.is_empty() {
        let mut ignore = Mapping::new();
        ignore.insert("rules".into(), string_list(&ignored_rules));
        document.insert("ignore".into(), Value::Mapping(ignore));
    }

    convert_overrides(
        hadolint,
        rules,
        &ignored_rules,
        &mut document,
        &mut warnings,
    );

    if let Some(level) = &hadolint.failure_threshold {
        let fail_on = severity(level).unwrap_or(SeverityName::Info);
        document.insert("fail-on".into(), Value::String(fail_on.as_str().into()));
        if matches!(level.as_str(), "ignore" | "none") {
            warnings.push(format!(
                "failure-threshold: `{level}` makes hadolint fail on any finding; `fail-on: info` does the same"
            ));
        }
    }
    if hadolint.no_fail == Some(true) {
        warnings.push(
            "no-fail: tallyman has no setting that never fails; use `--fail-on critical`, or ignore the exit code in CI"
                .to_string(),
        );
    }

    let (registries, refused): (Vec<&String>, Vec<&String>) = hadolint
        .trusted_registries
        .iter()
        .partition(|registry| !registry.contains('/') && !registry.is_empty());
    for registry in refused {
        warnings.push(format!(
            "trustedRegistries: `{registry}` is not a registry host, so it is left out"
        ));
    }
    if !registries.is_empty() {
        let registries: Vec<String> = registries.into_iter().cloned().collect();
        document.insert("trusted-registries".into(), string_list(&registries));
    }

    convert_labels(hadolint, policies, &mut document, &mut warnings);

    if hadolint.disable_ignore_pragma == Some(true) {
        document.insert(
            "foreign-pragmas".into(),
            string_list(&["checkov".to_string(), "trivy".to_string()]),
        );
    }
    for format in &hadolint.formats {
        let tallyman = match format.as_str() {
            "tty" => Some("text"),
            "json" | "sarif" | "junit" => Some(format.as_str()),
            _ => None,
        };
        warnings.push(match tallyman {
            Some(name) => format!(
                "format: tallyman.yaml has no output format; pass `-f {name}` on the command line"
            ),
            None => format!(
                "format: tallyman has no `{format}` report; it writes text, json, sarif and junit"
            ),
        });
    }
    if hadolint.no_color == Some(true) {
        warnings.push(
            "no-color: tallyman.yaml has no colour setting; set NO_COLOR=1 (output to a file or pipe has none)"
                .to_string(),
        );
    }
    if hadolint.verbose.is_some() {
        warnings.push("verbose: tallyman has no verbose mode; left out".to_string());
    }
    for key in &hadolint.unknown_keys {
        warnings.push(format!(
            "`{key}` is not a hadolint setting (hadolint ignores it too); left out"
        ));
    }

    let text = serde_yaml::to_string(&document)?;
    let config = parse_config(&text, source)?;
    Ok(Conversion {
        document,
        config,
        warnings,
    })
}

fn string_list(items: &[String]) -> Value {
    Value::Sequence(items.iter().map(|s| Value::String(s.clone())).collect())
}

/// `override`: a rule takes a level when every hadolint code it covers is
/// given that level (hadolint applies error last, so it wins).
fn convert_overrides(
    hadolint: &HadolintConfig,
    rules: &[RuleFacts<'_>],
    ignored_rules: &[String],
    document: &mut Mapping,
    warnings: &mut Vec<String>,
) {
    let level_of = |code: &str| -> Option<&str> {
        ["error", "warning", "info", "style"]
            .into_iter()
            .find(|level| {
                hadolint
                    .overrides
                    .iter()
                    .any(|(l, codes)| l == level && codes.iter().any(|c| c == code))
            })
    };
    let mut severities = Mapping::new();
    for rule in rules
        .iter()
        .filter(|rule| !ignored_rules.iter().any(|r| r == rule.id))
    {
        let levels: Vec<Option<&str>> = rule.hadolint.iter().map(|code| level_of(code)).collect();
        let Some(Some(first)) = levels.first() else {
            if levels.iter().any(Option::is_some) {
                warnings.push(partial_override(rule, &levels));
            }
            continue;
        };
        if levels.iter().all(|level| *level == Some(*first)) {
            if let Some(severity) = severity(first) {
                severities.insert(rule.id.into(), Value::String(severity.as_str().into()));
            }
        } else {
            warnings.push(partial_override(rule, &levels));
        }
    }
    for (level, codes) in &hadolint.overrides {
        for code in codes {
            // DL1001 (inline pragmas are discouraged) is off unless given a
            // level; tallyman's counterpart is a switch, not a policy rule.
            if code == "DL1001" {
                document.insert("report-pragmas".into(), Value::Bool(true));
                continue;
            }
            if !rules
                .iter()
                .any(|rule| rule.hadolint.contains(&code.as_str()))
            {
                warnings.push(format!(
                    "override.{level}: no loaded rule covers {code}, so there is nothing to re-rate"
                ));
            }
        }
    }
    if !severities.is_empty() {
        document.insert("severity".into(), Value::Mapping(severities));
    }
}

fn partial_override(rule: &RuleFacts<'_>, levels: &[Option<&str>]) -> String {
    let given: Vec<String> = rule
        .hadolint
        .iter()
        .zip(levels)
        .map(|(code, level)| format!("{code}: {}", level.unwrap_or("not overridden")))
        .collect();
    format!(
        "override: {} covers several hadolint codes given different severities ({}), so its severity is left as it is",
        rule.id,
        given.join(", ")
    )
}

/// `label-schema` and `strict-labels` as the `labels` policy's settings.
fn convert_labels(
    hadolint: &HadolintConfig,
    policies: &[&str],
    document: &mut Mapping,
    warnings: &mut Vec<String>,
) {
    if hadolint.label_schema.is_empty() && hadolint.strict_labels.is_none() {
        return;
    }
    if !policies.contains(&LABELS_POLICY) {
        warnings.push(format!(
            "label-schema, strict-labels: no `{LABELS_POLICY}` policy is loaded to check labels; left out"
        ));
        return;
    }
    let mut schema = Mapping::new();
    for (label, kind) in &hadolint.label_schema {
        let kind = if kind.is_empty() {
            "text"
        } else {
            kind.as_str()
        };
        if LABEL_TYPES.contains(&kind) {
            schema.insert(label.as_str().into(), kind.into());
        } else {
            warnings.push(format!(
                "label-schema: `{label}: {kind}` is not a label type ({}); left out",
                LABEL_TYPES.join(", ")
            ));
        }
    }
    let mut labels = Mapping::new();
    labels.insert("schema".into(), Value::Mapping(schema));
    if let Some(strict) = hadolint.strict_labels {
        labels.insert("strict".into(), Value::Bool(strict));
    }
    let mut settings = Mapping::new();
    settings.insert(LABELS_POLICY.into(), Value::Mapping(labels));
    document.insert("settings".into(), Value::Mapping(settings));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equivalents(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn convert_text(text: &str, policies: &[&str]) -> Conversion {
        let hd020 = equivalents(&["hadolint:DL3008", "hadolint:DL3013"]);
        let hd007 = equivalents(&["hadolint:DL3057", "trivy:DS-0026"]);
        let bi002 = equivalents(&["hadolint:DL3007"]);
        let bi004 = equivalents(&["hadolint:DL3026"]);
        let none: Vec<String> = Vec::new();
        let rules = [
            RuleFacts::new("HD020", &hd020),
            RuleFacts::new("HD007", &hd007),
            RuleFacts::new("BI002", &bi002),
            RuleFacts::new("BI004", &bi004),
            RuleFacts::new("SC2086", &none),
        ];
        let file = Path::new(".hadolint.yaml");
        let parsed = parse(text, file).expect("hadolint config");
        convert(&parsed, &rules, policies, file).expect("converts")
    }

    #[test]
    fn ignored_disables_only_rules_wholly_ignored() {
        let conversion = convert_text(
            "ignored: [DL3057, DL3008, SC2086, DL3059]\n",
            &["hardening"],
        );
        assert_eq!(conversion.config.ignore.rules, ["HD007", "SC2086"]);
        let warnings = conversion.warnings.join("\n");
        assert!(warnings.contains("HD020 also covers DL3013"), "{warnings}");
        assert!(
            warnings.contains("no loaded rule covers DL3059"),
            "{warnings}"
        );
    }

    #[test]
    fn dl1001_given_a_level_reports_inline_pragmas() {
        let conversion = convert_text("override:\n  warning: [DL1001]\n", &["hardening"]);
        assert!(conversion.config.report_pragmas);
        let warnings = conversion.warnings.join("\n");
        assert!(!warnings.contains("DL1001"), "{warnings}");
    }

    #[test]
    fn overrides_threshold_and_registries() {
        let conversion = convert_text(
            "override:\n  error: [DL3007]\n  style: [DL3008]\n  info: [DL3099]\nfailure-threshold: warning\ntrustedRegistries: [docker.io, '*.gcr.io', 'my.registry/team']\ndisable-ignore-pragma: true\n",
            &["base-image"],
        );
        let config = &conversion.config;
        assert_eq!(config.severity.get("BI002"), Some(&SeverityName::High));
        assert_eq!(config.severity.get("HD020"), None);
        assert_eq!(config.fail_on, Some(SeverityName::Medium));
        assert_eq!(
            config.trusted_registries.as_deref(),
            Some(&["docker.io".to_string(), "*.gcr.io".to_string()][..])
        );
        assert_eq!(
            config.foreign_pragma_tools(false),
            [
                crate::scan::foreign::Tool::Checkov,
                crate::scan::foreign::Tool::Trivy
            ]
        );
        let warnings = conversion.warnings.join("\n");
        assert!(warnings.contains("HD020 covers several"), "{warnings}");
        assert!(warnings.contains("my.registry/team"), "{warnings}");
        assert!(warnings.contains("DL3099"), "{warnings}");
    }

    #[test]
    fn labels_need_the_labels_policy() {
        let text = "label-schema:\n  author: text\n  version: semver\n  when: ''\n  odd: colour\nstrict-labels: true\n";
        let with = convert_text(text, &["labels"]);
        assert_eq!(
            serde_json::to_value(&with.config.settings["labels"]).expect("json"),
            serde_json::json!({"schema": {"author": "text", "version": "semver", "when": "text"}, "strict": true})
        );
        assert!(with.warnings.iter().any(|w| w.contains("odd: colour")));
        let without = convert_text(text, &["hardening"]);
        assert!(without.config.settings.is_empty());
        assert!(
            without
                .warnings
                .iter()
                .any(|w| w.contains("no `labels` policy"))
        );
    }

    #[test]
    fn what_cannot_be_expressed_is_named() {
        let conversion = convert_text(
            "no-fail: true\nformat: checkstyle\nformats: [sarif]\nno-color: true\nverbose: true\nfailure-threshold: none\nnonsense: 1\n",
            &[],
        );
        assert_eq!(conversion.config.fail_on, Some(SeverityName::Info));
        let warnings = conversion.warnings.join("\n");
        for expected in [
            "no-fail",
            "no `checkstyle` report",
            "`-f sarif`",
            "NO_COLOR",
            "verbose",
            "any finding",
            "`nonsense`",
        ] {
            assert!(warnings.contains(expected), "{expected}: {warnings}");
        }
    }

    #[test]
    fn wrong_types_are_errors_naming_the_key() {
        let err = parse("ignored: DL3008\n", Path::new(".hadolint.yaml"))
            .expect_err("not a list")
            .to_string();
        assert!(err.contains("ignored"), "{err}");
        let err = parse(
            "override:\n  fatal: [DL3008]\n",
            Path::new(".hadolint.yaml"),
        )
        .expect_err("not a level")
        .to_string();
        assert!(err.contains("override.fatal"), "{err}");
    }
}
