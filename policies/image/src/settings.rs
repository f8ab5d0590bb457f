//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The labels (or manifest annotations) an image must carry (IMG001);
    /// default: `org.opencontainers.image.source`, `.revision` and `.created`.
    pub required_labels: Option<Vec<String>>,
    /// The most layers an image may have (IMG003); default 40.
    pub max_layers: Option<u32>,
}

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(labels) = &self.required_labels {
            for (i, label) in labels.iter().enumerate() {
                if label.trim().is_empty() {
                    return Err(format!(
                        "`required-labels[{i}]`: a label name cannot be empty"
                    ));
                }
            }
        }
        if self.max_layers == Some(0) {
            return Err("`max-layers`: must be at least 1".to_string());
        }
        Ok(())
    }
}
