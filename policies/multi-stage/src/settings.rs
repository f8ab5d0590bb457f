//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Deserializer};
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
    /// Globs of Dockerfile paths (relative to the scan root, `/`-separated)
    /// that build toolchain images: CI, build and dev-container images,
    /// which MS001, MS002, MS006, MS007 and MS011 leave alone
    /// ([`crate::support::image_kind`]). `*` and `?` stay within a
    /// directory, `**` crosses directories: `ci/**`, `**/.devcontainer/**`,
    /// `docker/Dockerfile.build`.
    pub toolchain_paths: Vec<PathGlob>,
}

/// One glob of `toolchain-paths`, checked when the settings are read.
#[derive(Debug, Clone)]
pub struct PathGlob {
    text: String,
    matcher: GlobMatcher,
}

impl PathGlob {
    pub fn parse(text: &str) -> Result<PathGlob, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("a path glob cannot be empty".to_string());
        }
        if trimmed.contains('\\') {
            return Err(format!(
                "path glob `{trimmed}`: paths are `/`-separated; write `/` for `\\`"
            ));
        }
        let glob = GlobBuilder::new(trimmed.trim_start_matches("./"))
            .literal_separator(true)
            .build()
            .map_err(|error| format!("path glob `{trimmed}` is invalid: {}", error.kind()))?;
        Ok(PathGlob {
            text: trimmed.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the glob matches a Dockerfile path (a leading `./` and `\`
    /// separators tolerated).
    pub fn matches(&self, path: &str) -> bool {
        let path = path.replace('\\', "/");
        self.matcher.is_match(path.trim_start_matches("./"))
    }
}

/// A bad glob is an error naming its key and index, like an image pattern.
impl<'de> Deserialize<'de> for PathGlob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PathGlob::parse(&text).map_err(serde::de::Error::custom)
    }
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

    /// The first `toolchain-paths` glob that matches `path`.
    pub fn toolchain_path(&self, path: &str) -> Option<&str> {
        self.toolchain_paths
            .iter()
            .find(|glob| glob.matches(path))
            .map(PathGlob::as_str)
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
    fn toolchain_paths_match_relative_paths() {
        let glob = |text: &str| PathGlob::parse(text).unwrap_or_else(|error| panic!("{error}"));
        let ci = glob("ci/**");
        assert!(ci.matches("ci/docker/Dockerfile"));
        assert!(ci.matches("./ci/Dockerfile"));
        assert!(!ci.matches("src/ci/Dockerfile"));
        let devcontainer = glob("**/.devcontainer/**");
        assert!(devcontainer.matches(".devcontainer/Dockerfile"));
        assert!(devcontainer.matches("tools/.devcontainer/Dockerfile"));
        assert!(devcontainer.matches("tools\\.devcontainer\\Dockerfile"));
        let one_level = glob("docker/*.Dockerfile");
        assert!(one_level.matches("docker/ci.Dockerfile"));
        assert!(!one_level.matches("docker/x/ci.Dockerfile"));
        assert!(PathGlob::parse("ci/[").is_err());
        assert!(PathGlob::parse(" ").is_err());
        assert!(PathGlob::parse("ci\\**").is_err());
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
