//! The scan options that shape a result, recorded in the attestation as part
//! of the effective configuration: a verifier sees exactly how the scan was
//! run, and `verify --check-subjects` re-runs discovery the same way.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::discover::DiscoverOptions;
use crate::engine::Limits;
use crate::report::SeverityName;

/// Everything besides `tallyman.yaml` that changes what a scan reports,
/// after defaults and the configuration's values are applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct RunOptions {
    pub fail_on: Option<SeverityName>,
    pub no_builtin: bool,
    /// `--no-foreign-pragmas`.
    pub no_foreign_pragmas: bool,
    /// `-p` arguments, as given.
    pub policies: Vec<String>,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub platform: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub hidden: bool,
    pub follow_links: bool,
    pub no_ignore: bool,
    pub max_file_bytes: usize,
    pub limits: Limits,
}

/// The key of [`RunOptions`] in the effective configuration document.
pub const OPTIONS_KEY: &str = "options";
/// The key of the parsed `tallyman.yaml` in the effective configuration document.
pub const CONFIG_KEY: &str = "config";

impl RunOptions {
    /// The options recorded in an effective configuration document; the
    /// defaults when they are missing (an attestation from another tool).
    pub fn from_effective(effective: &Value) -> RunOptions {
        effective
            .get(OPTIONS_KEY)
            .cloned()
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_default()
    }

    pub fn discover_options(&self) -> DiscoverOptions {
        DiscoverOptions {
            hidden: self.hidden,
            follow_links: self.follow_links,
            no_ignore: self.no_ignore,
            include: self.include.clone(),
            exclude: self.exclude.clone(),
        }
    }

    /// The effective configuration: the parsed configuration file (every
    /// key, defaults included) and these options.
    pub fn effective(&self, config: &crate::config::Config) -> anyhow::Result<Value> {
        let mut document = serde_json::Map::new();
        document.insert(CONFIG_KEY.to_string(), serde_json::to_value(config)?);
        document.insert(OPTIONS_KEY.to_string(), serde_json::to_value(self)?);
        Ok(Value::Object(document))
    }
}
