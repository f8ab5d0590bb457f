//! The base of a built image, as its annotations or labels name it:
//! `org.opencontainers.image.base.name` (BuildKit writes it as a manifest
//! annotation, many Dockerfiles as a `LABEL`), read into an [`ImageName`]
//! with Docker's normalisation (`alpine` is `docker.io/library/alpine`).

use tallyman_sdk::Image;
use tallyman_sdk::model::ImageName;

/// The annotation (and label) that names an image's base.
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The annotation (and label) with the base's digest.
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// The image's base as written and parsed, when it names one.
pub fn base_name(image: &Image) -> Option<(String, ImageName)> {
    let written = image
        .annotations
        .iter()
        .chain(&image.config.labels)
        .find(|kv| kv.key == BASE_NAME && !kv.value.trim().is_empty())?
        .value
        .trim()
        .to_string();
    let mut name = parse(&written)?;
    if name.digest.is_none() {
        name.digest = image
            .annotations
            .iter()
            .chain(&image.config.labels)
            .find(|kv| kv.key == BASE_DIGEST && kv.value.starts_with("sha256:"))
            .map(|kv| kv.value.clone());
    }
    Some((written, name))
}

/// Splits `[registry/]repository[:tag][@digest]` the way Docker normalises
/// it; `None` for text that is no reference (empty parts, spaces).
pub fn parse(text: &str) -> Option<ImageName> {
    if text.is_empty() || text.contains(char::is_whitespace) {
        return None;
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest.to_string())),
        None => (text, None),
    };
    let (path, tag) = match rest.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') => (path, Some(tag.to_string())),
        _ => (rest, None),
    };
    let (first, remainder) = path.split_once('/').unwrap_or(("", path));
    let is_registry =
        !first.is_empty() && (first.contains('.') || first.contains(':') || first == "localhost");
    let (registry, repository) = if is_registry {
        (first.to_string(), remainder.to_string())
    } else if path.contains('/') {
        ("docker.io".to_string(), path.to_string())
    } else {
        ("docker.io".to_string(), format!("library/{path}"))
    };
    let registry = if registry == "index.docker.io" {
        "docker.io".to_string()
    } else {
        registry
    };
    if repository.is_empty()
        || repository.split('/').any(str::is_empty)
        || tag.as_deref() == Some("")
    {
        return None;
    }
    Some(ImageName {
        registry,
        repository,
        tag,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base_names() {
        let alpine = parse("alpine").unwrap();
        assert_eq!(
            (alpine.registry.as_str(), alpine.repository.as_str()),
            ("docker.io", "library/alpine")
        );
        assert_eq!(alpine.tag, None);
        let local = parse("localhost:5000/team/app:1.0@sha256:abc").unwrap();
        assert_eq!(local.registry, "localhost:5000");
        assert_eq!(local.repository, "team/app");
        assert_eq!(local.tag.as_deref(), Some("1.0"));
        assert_eq!(local.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(
            parse("docker.io/library/debian:9").unwrap().repository,
            "library/debian"
        );
        for bad in ["", "a b", "x:", "/x", "reg.io/"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
