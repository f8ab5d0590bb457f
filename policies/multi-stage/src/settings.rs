//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use serde::Deserialize;
use tallyman_sdk::image::ImagePattern;

/// The final bases MS011 accepts when `allowed-final-bases` is not given:
/// the minimal images a multi-stage build is meant to end on.
pub const DEFAULT_ALLOWED_FINAL_BASES: &[&str] = &[
    "scratch",
    // Distroless, wherever it is mirrored (`gcr.io/distroless/static`,
    // `mcr.microsoft.com/.../distroless/...`).
    "*/*distroless*",
    // Chainguard and Wolfi.
    "cgr.dev/*",
    "chainguard/*",
    "*/*wolfi*",
    "alpine",
    "*:*alpine*",
    "busybox",
    // `-slim` variants (`python:3.12-slim`, `debian:bookworm-slim`,
    // `node:20-bookworm-slim`).
    "*:*slim*",
    // Ubuntu chiseled images (`dotnet/runtime-deps:8.0-jammy-chiseled`).
    "*:*chiseled*",
    // Red Hat's minimal and micro UBI images.
    "*/*ubi*-minimal*",
    "*/*ubi*-micro*",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The stage that is built (`--target`), by name. When a file has no
    /// stage of that name, the scan's target (or the last stage) is used.
    pub target: Option<String>,
    /// Image patterns a multi-stage build's final stage may be built on
    /// without MS011 firing (`scratch`, `gcr.io/distroless/*`,
    /// `*:*-slim`). Replaces [`DEFAULT_ALLOWED_FINAL_BASES`] when given.
    pub allowed_final_bases: Option<Vec<ImagePattern>>,
}

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(target) = &self.target
            && !is_stage_name(target)
        {
            return Err(format!(
                "`target`: `{target}` is not a stage name (a letter, then letters, digits, `-`, `_` or `.`)"
            ));
        }
        Ok(())
    }

    /// The final-base patterns in force: the setting, or the defaults.
    pub fn allowed_final_bases(&self) -> Vec<ImagePattern> {
        match &self.allowed_final_bases {
            Some(patterns) => patterns.clone(),
            None => DEFAULT_ALLOWED_FINAL_BASES
                .iter()
                .filter_map(|pattern| ImagePattern::parse(pattern).ok())
                .collect(),
        }
    }
}

/// A name BuildKit accepts after `AS` (`^[a-z][a-z0-9-_.]*$`, compared
/// case-insensitively).
fn is_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_pattern_parses() {
        for pattern in DEFAULT_ALLOWED_FINAL_BASES {
            assert!(ImagePattern::parse(pattern).is_ok(), "{pattern}");
        }
        assert_eq!(
            Settings::default().allowed_final_bases().len(),
            DEFAULT_ALLOWED_FINAL_BASES.len()
        );
    }

    #[test]
    fn stage_names() {
        assert!(is_stage_name("build"));
        assert!(is_stage_name("Build-2.x_y"));
        assert!(!is_stage_name(""));
        assert!(!is_stage_name("2build"));
        assert!(!is_stage_name("my stage"));
    }
}
