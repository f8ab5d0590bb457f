//! The policy's settings (kebab-case keys in `tallyman.yaml`): the label
//! schema, the shape of hadolint's `label-schema` and `strict-labels`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::types::LabelType;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The labels the image must carry, each with the type of its value:
    /// `text`, `url`, `rfc3339`, `spdx`, `hash`, `semver` or `email`
    /// (an empty type is `text`, as in hadolint). LB002–LB005 check it;
    /// without a schema they report nothing.
    pub schema: BTreeMap<String, String>,
    /// No labels other than the schema's (LB003).
    pub strict: bool,
    /// The stage that is built (`--target`), by name; the scan's target
    /// or the last stage otherwise, as for the other policies. Its labels,
    /// and those of the stages it is built on, are the image's.
    pub target: Option<String>,
}

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(target) = &self.target
            && target.trim().is_empty()
        {
            return Err("`target`: a stage name cannot be empty".to_string());
        }
        for (key, kind) in &self.schema {
            if key.trim().is_empty() {
                return Err("`schema`: a label key cannot be empty".to_string());
            }
            if LabelType::parse(kind).is_none() {
                return Err(format!(
                    "`schema.{key}`: `{kind}` is not a label type ({})",
                    LabelType::NAMES.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The schema's labels with their types, in key order. Types that do
    /// not parse were refused by [`validate`](Settings::validate); they
    /// are read as `text` if a host skipped it.
    pub fn schema(&self) -> impl Iterator<Item = (&str, LabelType)> {
        self.schema.iter().map(|(key, kind)| {
            (
                key.as_str(),
                LabelType::parse(kind).unwrap_or(LabelType::Text),
            )
        })
    }

    /// The type the schema gives `key`, if the schema has it.
    pub fn type_of(&self, key: &str) -> Option<LabelType> {
        self.schema
            .get(key)
            .map(|kind| LabelType::parse(kind).unwrap_or(LabelType::Text))
    }
}
