//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use serde::Deserialize;
use tallyman_sdk::Severity;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The stage that is built (`--target`), by name; the host's target
    /// stage (the last one unless the scan names another) otherwise. The
    /// rules about what ships (HD001, HD007, HD009–HD011, HD013, HD014,
    /// HD030, HD031, HD034) look at this stage and the stages it is built
    /// on.
    pub target: Option<String>,
    /// The severity of HD020 (unpinned package versions): `info` (the
    /// default), `low`, `medium`, `high` or `critical`. Teams that require
    /// reproducible builds raise it.
    pub unpinned_severity: Option<String>,
}

const SEVERITIES: [(&str, Severity); 5] = [
    ("info", Severity::Info),
    ("low", Severity::Low),
    ("medium", Severity::Medium),
    ("high", Severity::High),
    ("critical", Severity::Critical),
];

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(target) = &self.target
            && target.trim().is_empty()
        {
            return Err("`target`: a stage name cannot be empty".to_string());
        }
        if let Some(name) = &self.unpinned_severity
            && parse_severity(name).is_none()
        {
            return Err(format!(
                "`unpinned-severity`: `{name}` is not a severity (info, low, medium, high, critical)"
            ));
        }
        Ok(())
    }

    /// The severity HD020 reports with: the setting, or `None` for the
    /// rule's default.
    pub fn unpinned_severity(&self) -> Option<Severity> {
        self.unpinned_severity.as_deref().and_then(parse_severity)
    }
}

fn parse_severity(name: &str) -> Option<Severity> {
    SEVERITIES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name.trim()))
        .map(|(_, severity)| *severity)
}
