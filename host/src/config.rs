//! `tallyman.yaml`: which policies run, with which settings, and what counts
//! as a failure (docs/configuration.md).
//!
//! Every key is checked: an unknown key or a wrong type is an error naming
//! the file, the key and the reason, because a typo in a policy file that
//! silently does nothing is worse than no policy file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::report::SeverityName;

/// File names looked for, in order, when `-c` is not given.
pub const CONFIG_NAMES: &[&str] = &["tallyman.yaml", ".tallyman.yaml"];

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The lowest severity that fails the scan.
    pub fail_on: Option<SeverityName>,
    /// `true`/`false` for all built-in policies, or the names of those to run.
    pub builtin: Option<BuiltinSelection>,
    /// Extra policy components.
    #[serde(default)]
    pub policies: Vec<PolicySource>,
    /// Settings per policy name, passed to the policy as JSON.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Severity overrides per rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, SeverityName>,
    #[serde(default)]
    pub ignore: Ignores,
    /// Shorthand for the `trusted-registries` setting of `base-image`.
    pub trusted_registries: Option<Vec<String>>,
    /// Shorthand for the `allowed-final-bases` setting of `base-image`.
    pub allowed_final_bases: Option<Vec<String>>,
    /// Sandbox limits (see `engine::Limits`) and `max-file-bytes`.
    pub limits: Option<serde_json::Value>,
    /// Whether other tools' inline pragmas (`# hadolint ignore=`,
    /// `# checkov:skip=`, `# trivy:ignore:`) silence the rules that declare
    /// their ids: `true` (the default), `false`, or the tools to honour.
    pub foreign_pragmas: Option<ForeignPragmaSelection>,
    /// Report every inline suppression pragma as a finding (`TM003`, the
    /// counterpart of hadolint's DL1001), for teams that keep suppressions
    /// in this file, where they are reviewed, rather than in Dockerfiles.
    #[serde(default)]
    pub report_pragmas: bool,
    /// Public keys (SPKI PEM files, relative to the config file): when
    /// given, every non-built-in policy must carry a valid `.sig` from one.
    #[serde(default)]
    pub trusted_policy_keys: Vec<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum BuiltinSelection {
    All(bool),
    Only(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ForeignPragmaSelection {
    All(bool),
    Only(Vec<crate::scan::foreign::Tool>),
}

impl Config {
    /// The tools whose pragmas are honoured; `no_foreign_pragmas` is the
    /// command line's `--no-foreign-pragmas`.
    pub fn foreign_pragma_tools(
        &self,
        no_foreign_pragmas: bool,
    ) -> Vec<crate::scan::foreign::Tool> {
        use crate::scan::foreign::Tool;
        if no_foreign_pragmas {
            return Vec::new();
        }
        match &self.foreign_pragmas {
            None | Some(ForeignPragmaSelection::All(true)) => Tool::ALL.to_vec(),
            Some(ForeignPragmaSelection::All(false)) => Vec::new(),
            Some(ForeignPragmaSelection::Only(tools)) => tools.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySource {
    /// A `.wasm` file or a directory of them, relative to the config file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// A Rego policy set: a `.rego` file or a directory of them.
    #[serde(default)]
    pub rego: Option<PathBuf>,
    /// A Rego set's `data` documents (JSON or YAML objects).
    #[serde(default)]
    pub data: Vec<PathBuf>,
    /// A Rego set's policy name [default: its directory's name].
    pub name: Option<String>,
    /// A Rego set's conftest namespace pattern [default: `main`].
    pub namespace: Option<String>,
    /// `sha256:<hex>` or `<hex>`: the module's bytes (a Rego set's
    /// manifest, see `engine::rego`) must hash to this.
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Ignores {
    /// Rule ids never reported.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Path globs whose targets are skipped.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Rules not reported in some paths.
    #[serde(default)]
    pub rule_paths: Vec<RulePaths>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RulePaths {
    pub rule: String,
    pub paths: Vec<String>,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub config: Config,
    /// None when no file was found (defaults apply).
    pub file: Option<PathBuf>,
    /// The file's bytes; signed attestations record their sha256 beside
    /// the effective configuration's.
    pub bytes: Vec<u8>,
    /// When `file` is a hadolint configuration: what it says, to be turned
    /// into `config` once the policies (whose equivalents it names) are
    /// loaded ([`LoadedConfig::adopt_hadolint`]).
    pub hadolint: Option<crate::hadolint_config::HadolintConfig>,
}

impl LoadedConfig {
    /// The directory relative paths in the config are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// Parses a config document; errors name `file`, the key and the reason.
pub fn parse_config(text: &str, file: &Path) -> anyhow::Result<Config> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let config: Config = serde_yaml::from_str(text)
        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), describe_yaml_error(&e)))?;
    for (i, policy) in config.policies.iter().enumerate() {
        let rego_only =
            !policy.data.is_empty() || policy.name.is_some() || policy.namespace.is_some();
        match (&policy.path, &policy.rego) {
            (Some(_), None) if rego_only => anyhow::bail!(
                "{}: policies[{i}]: `data`, `name` and `namespace` go with `rego:`, not `path:`",
                file.display()
            ),
            (Some(_), None) | (None, Some(_)) => {}
            _ => anyhow::bail!(
                "{}: policies[{i}]: give one of `path:` (a .wasm policy) or `rego:` (a Rego set)",
                file.display()
            ),
        }
        if let Some(pin) = &policy.sha256 {
            let hex = pin.strip_prefix("sha256:").unwrap_or(pin);
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                anyhow::bail!(
                    "{}: policies[{i}].sha256: `{pin}` is not a sha256 digest (64 hex digits, optionally prefixed with `sha256:`)",
                    file.display()
                );
            }
        }
    }
    for (i, glob) in config.ignore.paths.iter().enumerate() {
        globset::Glob::new(glob).map_err(|e| {
            anyhow::anyhow!(
                "{}: ignore.paths[{i}]: `{glob}` is not a valid glob: {e}",
                file.display()
            )
        })?;
    }
    Ok(config)
}

/// serde_yaml's messages already name the key ("unknown field `x`, expected
/// one of ..."); add the position in words a user can act on.
fn describe_yaml_error(err: &serde_yaml::Error) -> String {
    match err.location() {
        Some(at) => format!("line {}, column {}: {err}", at.line(), at.column()),
        None => err.to_string(),
    }
}

/// Loads `explicit`, else the first of [`CONFIG_NAMES`] in `root` or the
/// current directory, else the hadolint configuration hadolint would use
/// ([`hadolint_config::find`](crate::hadolint_config::find)), else the
/// defaults. A file named like hadolint's (`.hadolint.yaml`) is read as one.
pub fn load(explicit: Option<&Path>, root: &Path) -> anyhow::Result<LoadedConfig> {
    let file = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => [root, Path::new(".")]
            .iter()
            .flat_map(|dir| CONFIG_NAMES.iter().map(move |name| dir.join(name)))
            .find(|candidate| candidate.is_file())
            .or_else(|| crate::hadolint_config::find(root)),
    };
    let Some(file) = file else {
        return Ok(LoadedConfig::default());
    };
    let bytes = std::fs::read(&file)
        .with_context(|| format!("{}: cannot read the configuration file", file.display()))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", file.display()))?;
    if crate::hadolint_config::is_hadolint_file(&file) {
        let hadolint = crate::hadolint_config::parse(text, &file)?;
        return Ok(LoadedConfig {
            config: Config::default(),
            file: Some(file),
            bytes,
            hadolint: Some(hadolint),
        });
    }
    let config = parse_config(text, &file)?;
    Ok(LoadedConfig {
        config,
        file: Some(file),
        bytes,
        hadolint: None,
    })
}

impl LoadedConfig {
    /// Turns a hadolint configuration into tallyman's for the rules of
    /// `policies`, and says on stderr what it could not carry over.
    pub fn adopt_hadolint(&mut self, policies: &[crate::engine::Policy]) -> anyhow::Result<()> {
        let Some(hadolint) = self.hadolint.take() else {
            return Ok(());
        };
        let file = self.file.clone().unwrap_or_default();
        let rules: Vec<crate::hadolint_config::RuleFacts<'_>> = policies
            .iter()
            .flat_map(|policy| policy.info().rules.iter())
            .map(|rule| crate::hadolint_config::RuleFacts::new(&rule.id, &rule.equivalents))
            .collect();
        let names: Vec<&str> = policies.iter().map(crate::engine::Policy::name).collect();
        let conversion = crate::hadolint_config::convert(&hadolint, &rules, &names, &file)?;
        eprintln!(
            "no tallyman.yaml: using hadolint's configuration {} (`tallyman config import` writes the equivalent tallyman.yaml)",
            file.display()
        );
        for warning in &conversion.warnings {
            eprintln!("warning: {}: {warning}", file.display());
        }
        self.config = conversion.config;
        Ok(())
    }
}

/// The parts of a configuration the scan needs in compiled form.
pub struct Resolved {
    pub limits: crate::engine::Limits,
    pub max_file_bytes: usize,
    pub ignore_paths: Option<globset::GlobSet>,
}

/// The `limits` key that belongs to the scan, not the engine.
const MAX_FILE_BYTES: &str = "max-file-bytes";

impl Resolved {
    pub fn from(loaded: &LoadedConfig) -> anyhow::Result<Resolved> {
        let file = loaded
            .file
            .as_deref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "configuration".to_string());
        let mut max_file_bytes = tallyman_dockerfile::DEFAULT_MAX_SIZE;
        let limits = match &loaded.config.limits {
            None => crate::engine::Limits::default(),
            Some(value) => {
                let mut value = value.clone();
                if let Some(map) = value.as_object_mut()
                    && let Some(max) = map.remove(MAX_FILE_BYTES)
                {
                    max_file_bytes = max
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| anyhow::anyhow!("{file}: limits.{MAX_FILE_BYTES}: expected a number of bytes, got {max}"))?;
                }
                serde_json::from_value(value).map_err(|e| anyhow::anyhow!("{file}: limits: {e}"))?
            }
        };
        let ignore_paths = if loaded.config.ignore.paths.is_empty() {
            None
        } else {
            let mut builder = globset::GlobSetBuilder::new();
            for glob in &loaded.config.ignore.paths {
                builder.add(globset::Glob::new(glob)?);
            }
            Some(builder.build()?)
        };
        Ok(Resolved {
            limits,
            max_file_bytes,
            ignore_paths,
        })
    }
}

impl Config {
    /// The settings document for one policy, with the top-level shorthands
    /// folded into `base-image`'s settings.
    pub fn settings_for(&self, policy: &str) -> serde_json::Value {
        let mut settings = self
            .settings
            .get(policy)
            .cloned()
            .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
        if policy == "base-image"
            && let serde_json::Value::Object(map) = &mut settings
        {
            if let Some(registries) = &self.trusted_registries {
                map.entry("trusted-registries")
                    .or_insert_with(|| serde_json::json!(registries));
            }
            if let Some(bases) = &self.allowed_final_bases {
                map.entry("allowed-final-bases")
                    .or_insert_with(|| serde_json::json!(bases));
            }
        }
        settings
    }

    /// Whether the built-in policy `name` runs.
    pub fn builtin_enabled(&self, name: &str) -> bool {
        match &self.builtin {
            None | Some(BuiltinSelection::All(true)) => true,
            Some(BuiltinSelection::All(false)) => false,
            Some(BuiltinSelection::Only(names)) => names.iter().any(|n| n == name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<Config> {
        parse_config(text, Path::new("tallyman.yaml"))
    }

    #[test]
    fn full_config() {
        let config = parse(
            "fail-on: medium\nbuiltin: [base-image, secrets]\npolicies:\n  - path: org.wasm\n    sha256: sha256:0000000000000000000000000000000000000000000000000000000000000000\nsettings:\n  multi-stage:\n    target: runtime\nseverity:\n  BI003: high\nignore:\n  rules: [HD007]\n  paths: ['legacy/**']\n  rule-paths:\n    - rule: SEC005\n      paths: ['examples/**']\ntrusted-registries: ['*.gcr.io']\n",
        )
        .expect("valid config");
        assert_eq!(config.fail_on, Some(SeverityName::Medium));
        assert!(config.builtin_enabled("secrets"));
        assert!(!config.builtin_enabled("hardening"));
        assert_eq!(config.severity.get("BI003"), Some(&SeverityName::High));
        assert_eq!(
            config.settings_for("base-image")["trusted-registries"][0],
            "*.gcr.io"
        );
        assert_eq!(config.settings_for("multi-stage")["target"], "runtime");
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let err = parse("fail-on: high\nfial-on: low\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("tallyman.yaml"), "{err}");
        assert!(err.contains("fial-on"), "{err}");
        let err = parse("ignore:\n  rulez: [X]\n").unwrap_err().to_string();
        assert!(err.contains("rulez"), "{err}");
    }

    #[test]
    fn wrong_type_and_bad_values() {
        let err = parse("fail-on: severe\n").unwrap_err().to_string();
        assert!(err.contains("severe") || err.contains("fail-on"), "{err}");
        let err = parse("policies:\n  - path: x.wasm\n    sha256: abc\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("policies[0].sha256"), "{err}");
        let err = parse("ignore:\n  paths: ['a/[']\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("ignore.paths[0]"), "{err}");
    }
}
