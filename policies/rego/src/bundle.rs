//! What the host hands the runner as its settings: a Rego policy set.
//!
//! `{"bundle": {...}}` (and `"test"` to run one of its tests), the set kept as raw JSON so that an evaluation that
//! finds it already compiled pays for a scan and a hash, not a parse.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The runner's settings document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub bundle: Box<RawValue>,
    /// When set (`data.<package>.test_<name>`), `check-dockerfile` runs this
    /// test rule of the set instead of its checks and reports the outcome
    /// (see [`crate::testing`]). Outside the set's text, so that running
    /// each test in turn reuses the compiled set.
    #[serde(default)]
    pub test: Option<String>,
}

impl Settings {
    /// The set, read.
    pub fn bundle(&self) -> Result<Bundle, String> {
        serde_json::from_str(self.bundle.get()).map_err(|e| format!("bundle: {e}"))
    }

    /// The set's text, which its cache key hashes.
    pub fn raw(&self) -> &str {
        self.bundle.get()
    }
}

/// A Rego policy set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// The set's policy name (its `name:` or its directory's).
    pub name: String,
    pub modules: Vec<Module>,
    /// The `data` document (the set's `data:` files merged).
    #[serde(default)]
    pub data: serde_json::Value,
    /// What to evaluate, one entry per rule of the set.
    pub entries: Vec<Entry>,
}

/// One Rego source file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// The path shown in messages (relative to the set).
    pub path: String,
    pub text: String,
}

/// The input a package is written against.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// conftest's Dockerfile input: the array of commands.
    Conftest,
    /// Trivy's Dockerfile input: `Stages` of `Commands`.
    Trivy,
    /// tallyman's model, as `tallyman parse --format json` prints it.
    Tallyman,
}

/// One rule to evaluate: `data.<package>.<rule>`, reported as `id`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Dotted, without `data.` (`main`, `builtin.dockerfile.DS001`).
    pub package: String,
    /// `deny`, `warn_latest`, ...
    pub rule: String,
    pub shape: Shape,
    /// The tallyman rule id its results are reported under.
    pub id: String,
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
}
