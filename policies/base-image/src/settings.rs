//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use serde::Deserialize;
use tallyman_sdk::image::ImagePattern;

use crate::eol::{is_iso_date, parse_version};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The stage that is built (`--target`), by name; the last stage
    /// otherwise. Used by BI009.
    pub target: Option<String>,
    /// BI003 becomes `high`: every base image must be pinned by digest.
    pub require_digest: bool,
    /// Registries images may come from, with `*` wildcards (`*.gcr.io`,
    /// `docker.io`). Empty: BI004 is silent.
    pub trusted_registries: Vec<String>,
    /// Image patterns the final stage may be based on (`scratch`,
    /// `gcr.io/distroless/*`, `alpine:3.*`). Empty: BI009 is silent.
    pub allowed_final_bases: Vec<ImagePattern>,
    /// More end-of-life entries for BI005, checked before the built-in table.
    pub end_of_life: Vec<EndOfLifeSetting>,
}

/// One end-of-life entry: `{image: python, version: "3.10", date: 2026-10-31}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EndOfLifeSetting {
    /// An image family (the repository's last part: `python`, `node`,
    /// `static-debian12`), or, when it contains a `/`, an image pattern
    /// without a tag (`registry.example.com/base/*`).
    pub image: String,
    /// A version (`3.10` matches tags `3.10`, `3.10.4`, `3.10-slim`) or a
    /// tag word (`buster` matches `buster`, `3.9-buster`, `buster-slim`).
    pub version: String,
    /// `YYYY-MM-DD`: the first day the release is out of support.
    pub date: String,
    /// How messages name the release; `image version` by default.
    pub name: Option<String>,
}

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        for (i, registry) in self.trusted_registries.iter().enumerate() {
            if registry.is_empty()
                || registry.contains('/')
                || registry.chars().any(char::is_whitespace)
            {
                return Err(format!(
                    "`trusted-registries[{i}]`: `{registry}` is not a registry host \
                     (like `docker.io`, `*.gcr.io` or `registry.example.com:5000`)"
                ));
            }
        }
        if let Some(target) = &self.target
            && target.trim().is_empty()
        {
            return Err("`target`: a stage name cannot be empty".to_string());
        }
        for (i, entry) in self.end_of_life.iter().enumerate() {
            let key = format!("end-of-life[{i}]");
            if entry.image.trim().is_empty() {
                return Err(format!("`{key}.image`: cannot be empty"));
            }
            if entry.image.contains('/') {
                let pattern = ImagePattern::parse(&entry.image)
                    .map_err(|error| format!("`{key}.image`: {error}"))?;
                if pattern
                    .as_str()
                    .rsplit('/')
                    .next()
                    .is_some_and(|last| last.contains(':'))
                {
                    return Err(format!(
                        "`{key}.image`: give the version in `version`, not as a tag"
                    ));
                }
            }
            if entry.version.trim().is_empty() || entry.version.chars().any(char::is_whitespace) {
                return Err(format!(
                    "`{key}.version`: `{}` is neither a version nor a tag word",
                    entry.version
                ));
            }
            if parse_version(&entry.version).is_none()
                && entry
                    .version
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.')
            {
                return Err(format!(
                    "`{key}.version`: `{}` is not a version like `3.10`",
                    entry.version
                ));
            }
            if !is_iso_date(&entry.date) {
                return Err(format!(
                    "`{key}.date`: `{}` is not a date like `2026-10-31`",
                    entry.date
                ));
            }
        }
        Ok(())
    }
}
