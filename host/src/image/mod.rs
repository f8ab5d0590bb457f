//! Image readers: an image's manifest, config and history, without a Docker
//! daemon and without layer contents, from
//!
//! - `oci:DIR[:TAG]`: an OCI image layout ([`layout`]);
//! - `docker-archive:FILE[:NAME:TAG]`: a `docker save` archive, plain or gzip ([`archive`]);
//! - a registry reference, `host[:port]/repo:tag` or `repo@sha256:...` ([`registry`]).
//!
//! Every manifest, index and config is checked against the digest that named
//! it. The image's identity is its manifest digest (for a `docker save`
//! archive without an OCI index, which has no manifest, its image ID).

pub mod archive;
pub mod auth;
mod convert;
pub mod digest;
pub mod layout;
pub mod platform;
pub mod registry;
mod resolve;
pub mod spec;

use std::path::{Path, PathBuf};

use tallyman_dockerfile::model;

pub use platform::{DEFAULT_PLATFORM, PlatformSpec};
pub use registry::RegistryOptions;

/// The largest manifest, index or config tallyman reads (real ones are a few KiB).
pub const MAX_DOCUMENT_BYTES: u64 = 8 * 1024 * 1024;

/// Where an image comes from, as parsed from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    Layout { dir: PathBuf, tag: Option<String> },
    Archive { file: PathBuf, name: Option<String> },
    Registry(String),
}

/// Splits `PATH[:SUFFIX]` where the path itself may hold colons: the longest
/// prefix that exists wins; with none, a trailing `:word` without `/` is the suffix.
fn split_path(text: &str, exists: impl Fn(&Path) -> bool) -> (PathBuf, Option<String>) {
    if exists(Path::new(text)) {
        return (PathBuf::from(text), None);
    }
    let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i).collect();
    for &i in colons.iter().rev() {
        let (path, rest) = (
            text.get(..i).unwrap_or_default(),
            text.get(i + 1..).unwrap_or_default(),
        );
        if !path.is_empty() && exists(Path::new(path)) {
            return (
                PathBuf::from(path),
                Some(rest.to_string()).filter(|r| !r.is_empty()),
            );
        }
    }
    match text.rsplit_once(':') {
        Some((path, tag)) if !path.is_empty() && !tag.is_empty() && !tag.contains('/') => {
            (PathBuf::from(path), Some(tag.to_string()))
        }
        _ => (PathBuf::from(text), None),
    }
}

impl ImageRef {
    /// Parses `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME:TAG]` or a registry reference.
    pub fn parse(text: &str) -> anyhow::Result<ImageRef> {
        if let Some(rest) = text.strip_prefix("oci:") {
            if rest.is_empty() {
                anyhow::bail!("`{text}`: oci: needs a directory, e.g. oci:./build/image:1.0");
            }
            let (dir, tag) = split_path(rest, Path::is_dir);
            return Ok(ImageRef::Layout { dir, tag });
        }
        if let Some(rest) = text.strip_prefix("docker-archive:") {
            if rest.is_empty() {
                anyhow::bail!(
                    "`{text}`: docker-archive: needs a file, e.g. docker-archive:image.tar"
                );
            }
            // The name after the file has colons of its own (`app:1.0`): split at the first
            // colon whose prefix is a file.
            if Path::new(rest).is_file() {
                return Ok(ImageRef::Archive {
                    file: PathBuf::from(rest),
                    name: None,
                });
            }
            for (i, _) in rest.match_indices(':') {
                let path = rest.get(..i).unwrap_or_default();
                if Path::new(path).is_file() {
                    let name = rest.get(i + 1..).unwrap_or_default();
                    return Ok(ImageRef::Archive {
                        file: PathBuf::from(path),
                        name: Some(name.to_string()).filter(|n| !n.is_empty()),
                    });
                }
            }
            return Ok(ImageRef::Archive {
                file: PathBuf::from(rest),
                name: None,
            });
        }
        if let Some((transport, _)) = text.split_once(':')
            && matches!(
                transport,
                "docker" | "docker-daemon" | "oci-archive" | "dir" | "containers-storage"
            )
        {
            anyhow::bail!(
                "`{text}`: the {transport}: transport is not supported; use oci:DIR, docker-archive:FILE or a registry reference (host/repo:tag)"
            );
        }
        Ok(ImageRef::Registry(
            text.strip_prefix("//").unwrap_or(text).to_string(),
        ))
    }
}

/// How to read an image.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    pub platform: PlatformSpec,
    pub registry: RegistryOptions,
    /// The evaluation date policies see (`YYYY-MM-DD`).
    pub evaluated_on: String,
}

/// Reads an image's metadata into the model. `reference` is what the user
/// wrote; it becomes the model's `reference` and the report's target path.
pub fn read_image(reference: &str, options: &ImageOptions) -> anyhow::Result<model::Image> {
    let wanted = &options.platform;
    let on = options.evaluated_on.as_str();
    match ImageRef::parse(reference)? {
        ImageRef::Layout { dir, tag } => layout::read(&dir, tag.as_deref(), reference, wanted, on),
        ImageRef::Archive { file, name } => {
            archive::read(&file, name.as_deref(), reference, wanted, on)
        }
        ImageRef::Registry(text) => registry::read(&text, wanted, &options.registry, on),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            ImageRef::parse("oci:/nonexistent/dir:1.0").unwrap(),
            ImageRef::Layout {
                dir: "/nonexistent/dir".into(),
                tag: Some("1.0".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci:/nonexistent/dir").unwrap(),
            ImageRef::Layout {
                dir: "/nonexistent/dir".into(),
                tag: None
            }
        );
        assert_eq!(
            ImageRef::parse("docker-archive:/nonexistent.tar").unwrap(),
            ImageRef::Archive {
                file: "/nonexistent.tar".into(),
                name: None
            }
        );
        assert_eq!(
            ImageRef::parse("localhost:5000/app:1.0").unwrap(),
            ImageRef::Registry("localhost:5000/app:1.0".into())
        );
        assert!(ImageRef::parse("oci:").is_err());
        assert!(ImageRef::parse("docker-daemon:app:1.0").is_err());
    }

    #[test]
    fn splits_paths_that_exist() {
        let dir = tempfile::tempdir().unwrap();
        let with_colon = dir.path().join("a:b");
        std::fs::create_dir(&with_colon).unwrap();
        let text = with_colon.to_str().unwrap();
        assert_eq!(split_path(text, Path::is_dir), (with_colon.clone(), None));
        let tagged = format!("{text}:v1");
        assert_eq!(
            split_path(&tagged, Path::is_dir),
            (with_colon, Some("v1".into()))
        );
    }
}
