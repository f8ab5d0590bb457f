//! Image reference queries: tags, digests, families and variants, registry
//! wildcards, and [`ImagePattern`]s for settings such as allowed bases.

use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::model::{ImageName, ImageReference, ImageSource};

/// Docker Hub's canonical registry name, and the aliases that mean it.
const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_ALIASES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

impl ImageReference {
    /// `FROM scratch`.
    pub fn is_scratch(&self) -> bool {
        matches!(self.source, ImageSource::Scratch)
    }

    /// The index of the earlier stage this refers to.
    pub fn stage_index(&self) -> Option<u32> {
        match self.source {
            ImageSource::Stage(index) => Some(index),
            _ => None,
        }
    }

    /// The image from a registry this refers to.
    pub fn image(&self) -> Option<&ImageName> {
        match &self.source {
            ImageSource::Image(name) => Some(name),
            _ => None,
        }
    }

    /// Why the reference could not be resolved, if it could not.
    pub fn unresolved_reason(&self) -> Option<&str> {
        match &self.source {
            ImageSource::Unresolved(reason) => Some(reason),
            _ => None,
        }
    }

    /// The reference uses variables (`$BASE`, `${GO_VERSION}`).
    pub fn uses_variables(&self) -> bool {
        !crate::vars::referenced_variables(&self.written).is_empty()
    }

    /// The reference matches `pattern` (see [`ImagePattern`]).
    pub fn matches(&self, pattern: &ImagePattern) -> bool {
        pattern.matches_reference(self)
    }
}

impl ImageName {
    /// The registry, with Docker Hub's aliases folded into `docker.io`.
    pub fn canonical_registry(&self) -> &str {
        canonical_registry(&self.registry)
    }

    /// On Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.canonical_registry() == DOCKER_HUB
    }

    /// A Docker Official Image (`docker.io/library/...`).
    pub fn is_official(&self) -> bool {
        self.is_docker_hub() && self.repository.starts_with("library/")
    }

    /// Neither a tag nor a digest: the build takes whatever `latest` is.
    pub fn is_untagged(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// The tag is `latest`.
    pub fn is_latest(&self) -> bool {
        self.tag.as_deref() == Some("latest")
    }

    /// Pinned by digest.
    pub fn has_digest(&self) -> bool {
        self.digest.is_some()
    }

    /// The tag the build resolves: the written tag, or `latest` when neither
    /// tag nor digest is given. `None` for a digest-only reference.
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }

    /// The image's family: the last component of the repository, lower
    /// case (`golang` for `golang`, `docker.io/library/golang` or
    /// `mirror.gcr.io/library/golang`; `static-debian12` for
    /// `gcr.io/distroless/static-debian12`).
    pub fn family(&self) -> String {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// The family is one of `families` (see [`family`](ImageName::family)).
    pub fn is_family(&self, families: &[&str]) -> bool {
        let family = self.family();
        families
            .iter()
            .any(|candidate| candidate.eq_ignore_ascii_case(&family))
    }

    /// The numeric version at the start of the tag: `[3, 12]` for
    /// `3.12-slim`, `[20]` for `20-alpine3.19`, `[20, 4]` for `20.04`;
    /// `None` for `bookworm`, `latest` or no tag. Parts too large for a
    /// `u32` end the version.
    pub fn tag_version(&self) -> Option<Vec<u32>> {
        let tag = self.tag.as_deref()?;
        let tag = tag.strip_prefix('v').unwrap_or(tag);
        let mut version = Vec::new();
        for part in tag.split(['-', '_']).next().unwrap_or_default().split('.') {
            match part.parse::<u32>() {
                Ok(number) if !part.starts_with('+') => version.push(number),
                _ => break,
            }
        }
        (!version.is_empty()).then_some(version)
    }

    /// The words of the tag after the version, split at `-` and `_`:
    /// `["slim", "bookworm"]` for `3.12-slim-bookworm`, `["alpine3.19"]` for
    /// `20-alpine3.19`, `["bookworm"]` for `bookworm`.
    pub fn tag_words(&self) -> Vec<&str> {
        let Some(tag) = self.tag.as_deref() else {
            return Vec::new();
        };
        let mut words: Vec<&str> = tag.split(['-', '_']).filter(|w| !w.is_empty()).collect();
        if self.tag_version().is_some() && !words.is_empty() {
            words.remove(0);
        }
        words
    }

    /// The tag names this variant: one of its words is `variant`, or is
    /// `variant` followed by a version (`alpine` matches `3.20-alpine3.20`),
    /// compared case-insensitively. `slim` matches `bookworm-slim` and
    /// `3.12-slim`; it does not match `slimmer`.
    pub fn has_variant(&self, variant: &str) -> bool {
        self.tag_words().iter().any(|word| {
            let word = word.to_ascii_lowercase();
            let variant = variant.to_ascii_lowercase();
            match word.strip_prefix(&variant) {
                Some("") => true,
                Some(rest) => rest.starts_with(|c: char| c.is_ascii_digit()),
                None => false,
            }
        })
    }

    /// A distroless image: a repository under a `distroless` path
    /// (`gcr.io/distroless/static`, `mcr.microsoft.com/…/distroless/…`) or
    /// whose family says so.
    pub fn is_distroless(&self) -> bool {
        self.repository
            .split('/')
            .any(|part| part.eq_ignore_ascii_case("distroless"))
            || self.family().contains("distroless")
    }

    /// A Chainguard image (`cgr.dev/chainguard/...`, or Docker Hub's
    /// `chainguard/...`), Wolfi-based.
    pub fn is_chainguard(&self) -> bool {
        self.canonical_registry() == "cgr.dev" || self.repository.starts_with("chainguard/")
    }

    /// The registry matches a glob such as `*.gcr.io`, `docker.io` or
    /// `registry.example.com:5000` (case-insensitive; Docker Hub's aliases
    /// count as `docker.io`). `*` matches any run of characters, dots
    /// included: `*.gcr.io` matches `eu.gcr.io` but not `gcr.io` itself.
    pub fn registry_matches(&self, glob: &str) -> bool {
        glob_match(
            &canonical_registry(glob).to_ascii_lowercase(),
            &self.canonical_registry().to_ascii_lowercase(),
        )
    }

    /// The shortest name without tag or digest: `golang`, `bitnami/node`,
    /// `gcr.io/distroless/static`.
    pub fn familiar_name(&self) -> String {
        if self.is_docker_hub() {
            self.repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository)
                .to_string()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The reference as Docker normalises it:
    /// `docker.io/library/golang:1.22@sha256:…`.
    pub fn normalized(&self) -> String {
        let mut text = format!("{}/{}", self.canonical_registry(), self.repository);
        if let Some(tag) = &self.tag {
            text.push(':');
            text.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            text.push('@');
            text.push_str(digest);
        }
        text
    }

    /// The shortest form that means the same image: `golang:1.22`,
    /// `bitnami/node`, `gcr.io/distroless/static`.
    pub fn familiar(&self) -> String {
        let mut text = self.familiar_name();
        if let Some(tag) = &self.tag {
            text.push(':');
            text.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            text.push('@');
            text.push_str(digest);
        }
        text
    }
}

fn canonical_registry(registry: &str) -> &str {
    if DOCKER_HUB_ALIASES
        .iter()
        .any(|alias| alias.eq_ignore_ascii_case(registry))
    {
        DOCKER_HUB
    } else {
        registry
    }
}

/// A pattern over image references, for settings such as
/// `allowed-final-bases` and for rule tables.
///
/// - `scratch` matches `FROM scratch` only.
/// - `*` matches any image from a registry; `*:*-slim` any image whose tag
///   ends in `-slim`.
/// - Otherwise `[registry/]repository[:tag][@digest]`, normalised the way
///   Docker normalises a reference: no registry means Docker Hub, a
///   one-component repository means `library/…`. `alpine` is
///   `docker.io/library/alpine` with any tag; `gcr.io/distroless/*` is
///   every image under that path; `*.gcr.io/*` every image on any
///   `gcr.io` subdomain; `node:20-slim` that tag; `node:*-alpine` any
///   alpine tag of `node`; `python@sha256:…` that digest.
///
/// `*` matches any run of characters (`/` and `.` included), `?` one.
/// Registries compare case-insensitively. An image without a tag or digest
/// has the tag `latest` for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern {
    text: String,
    kind: PatternKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternKind {
    Scratch,
    Image {
        /// None: any registry (the pattern started with `*`).
        registry: Option<String>,
        repository: String,
        tag: Option<String>,
        digest: Option<String>,
    },
}

impl ImagePattern {
    /// Reads a pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<ImagePattern, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("an image pattern cannot be empty".to_string());
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(format!("image pattern `{trimmed}` contains whitespace"));
        }
        if trimmed.eq_ignore_ascii_case("scratch") {
            return Ok(ImagePattern {
                text: trimmed.to_string(),
                kind: PatternKind::Scratch,
            });
        }
        let (rest, digest) = match trimmed.split_once('@') {
            Some((rest, digest)) => {
                if !digest.contains(':') {
                    return Err(format!(
                        "image pattern `{trimmed}`: a digest is `algorithm:hex`, like `sha256:…`"
                    ));
                }
                (rest, Some(digest.to_string()))
            }
            None => (trimmed, None),
        };
        // The tag is after the last `:` that follows the last `/`, so that
        // `localhost:5000/app` has no tag.
        let last_slash = rest.rfind('/').map_or(0, |at| at + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(colon) => {
                let at = last_slash + colon;
                (
                    rest.get(..at).unwrap_or_default(),
                    rest.get(at + 1..).map(str::to_string),
                )
            }
            None => (rest, None),
        };
        if name.is_empty() || tag.as_deref() == Some("") {
            return Err(format!(
                "image pattern `{trimmed}` needs a name and, after `:`, a tag"
            ));
        }
        let (registry, repository) = split_registry(name);
        Ok(ImagePattern {
            text: trimmed.to_string(),
            kind: PatternKind::Image {
                registry,
                repository,
                tag,
                digest,
            },
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether an image name matches.
    pub fn matches(&self, name: &ImageName) -> bool {
        let PatternKind::Image {
            registry,
            repository,
            tag,
            digest,
        } = &self.kind
        else {
            return false;
        };
        if let Some(registry) = registry
            && !name.registry_matches(registry)
        {
            return false;
        }
        if !glob_match(repository, &name.repository) {
            return false;
        }
        if let Some(tag) = tag {
            match name.effective_tag() {
                Some(actual) if glob_match(tag, actual) => {}
                _ => return false,
            }
        }
        if let Some(digest) = digest
            && name.digest.as_deref() != Some(digest.as_str())
        {
            return false;
        }
        true
    }

    /// Whether a reference matches: `scratch` for `FROM scratch`, the image
    /// rules otherwise. References to stages or unresolved ones never match.
    pub fn matches_reference(&self, reference: &ImageReference) -> bool {
        match (&self.kind, &reference.source) {
            (PatternKind::Scratch, ImageSource::Scratch) => true,
            (PatternKind::Image { .. }, ImageSource::Image(name)) => self.matches(name),
            _ => false,
        }
    }
}

/// Splits a pattern's name into registry (None: any) and repository,
/// normalised as Docker does.
fn split_registry(name: &str) -> (Option<String>, String) {
    if name == "*" || name.starts_with("*/") {
        // `*` and `*/x`: any registry.
        let repository = name.strip_prefix("*/").unwrap_or(name);
        return (None, repository.to_string());
    }
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            let registry = canonical_registry(first).to_string();
            let repository = if registry == DOCKER_HUB && !rest.contains('/') && rest != "*" {
                format!("library/{rest}")
            } else {
                rest.to_string()
            };
            (Some(registry), repository)
        }
        Some(_) => (Some(DOCKER_HUB.to_string()), name.to_string()),
        None => (Some(DOCKER_HUB.to_string()), format!("library/{name}")),
    }
}

impl fmt::Display for ImagePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for ImagePattern {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ImagePattern::parse(text)
    }
}

/// Settings can hold patterns directly; a bad one is an error naming its key.
impl<'de> Deserialize<'de> for ImagePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ImagePattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Matches `text` against a glob where `*` is any run of characters and `?`
/// one character. Linear backtracking on the last `*`, so no input makes it
/// slow.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> ImageName {
        ImageName {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        }
    }

    fn hub(repository: &str, tag: Option<&str>) -> ImageName {
        name("docker.io", repository, tag, None)
    }

    fn pattern(text: &str) -> ImagePattern {
        ImagePattern::parse(text).unwrap()
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn glob_matches_stars_and_question_marks() {
        assert!(glob_match("*.gcr.io", "eu.gcr.io"));
        assert!(!glob_match("*.gcr.io", "gcr.io"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("node-??", "node-20"));
        assert!(!glob_match("node-??", "node-2"));
        assert!(glob_match("**", "x"));
        // Pathological input stays linear-ish and terminates.
        let long = "a".repeat(2000);
        assert!(!glob_match("*a*a*a*a*a*b", &long));
    }

    #[test]
    fn tags_and_digests() {
        assert!(hub("library/ubuntu", None).is_untagged());
        assert!(!name("docker.io", "library/ubuntu", None, Some(DIGEST)).is_untagged());
        assert!(hub("library/ubuntu", Some("latest")).is_latest());
        assert_eq!(hub("library/ubuntu", None).effective_tag(), Some("latest"));
        assert_eq!(
            name("docker.io", "library/ubuntu", None, Some(DIGEST)).effective_tag(),
            None
        );
    }

    #[test]
    fn families_ignore_registry_and_namespace() {
        assert_eq!(hub("library/golang", Some("1.22")).family(), "golang");
        assert_eq!(
            name("mirror.gcr.io", "library/golang", None, None).family(),
            "golang"
        );
        assert!(
            name("gcr.io", "distroless/static-debian12", None, None)
                .is_family(&["static-debian12"])
        );
        assert!(hub("library/node", None).is_family(&["python", "node"]));
    }

    #[test]
    fn tag_versions_and_variants() {
        let python = hub("library/python", Some("3.12-slim-bookworm"));
        assert_eq!(python.tag_version(), Some(vec![3, 12]));
        assert_eq!(python.tag_words(), ["slim", "bookworm"]);
        assert!(python.has_variant("slim"));
        assert!(python.has_variant("bookworm"));
        assert!(!python.has_variant("alpine"));

        let node = hub("library/node", Some("20-alpine3.19"));
        assert_eq!(node.tag_version(), Some(vec![20]));
        assert!(node.has_variant("alpine"));
        assert!(!hub("library/node", Some("20-slimmer")).has_variant("slim"));

        let debian = hub("library/debian", Some("bookworm-slim"));
        assert_eq!(debian.tag_version(), None);
        assert_eq!(debian.tag_words(), ["bookworm", "slim"]);
        assert!(debian.has_variant("slim"));

        assert_eq!(
            hub("library/ubuntu", Some("20.04")).tag_version(),
            Some(vec![20, 4])
        );
        assert_eq!(
            hub("library/alpine", Some("v3.18")).tag_version(),
            Some(vec![3, 18])
        );
        assert_eq!(hub("library/x", Some("99999999999")).tag_version(), None);
        assert_eq!(hub("library/x", None).tag_version(), None);
    }

    #[test]
    fn distroless_and_chainguard() {
        assert!(name("gcr.io", "distroless/static-debian12", None, None).is_distroless());
        assert!(
            name(
                "mcr.microsoft.com",
                "dotnet/runtime-deps",
                Some("8.0-jammy-chiseled"),
                None
            )
            .tag_words()
            .contains(&"chiseled")
        );
        assert!(!hub("library/debian", None).is_distroless());
        assert!(name("cgr.dev", "chainguard/static", None, None).is_chainguard());
        assert!(hub("chainguard/wolfi-base", None).is_chainguard());
    }

    #[test]
    fn registry_wildcards() {
        let eu = name("eu.gcr.io", "project/app", None, None);
        assert!(eu.registry_matches("*.gcr.io"));
        assert!(!name("gcr.io", "x", None, None).registry_matches("*.gcr.io"));
        assert!(hub("library/x", None).registry_matches("docker.io"));
        assert!(name("index.docker.io", "library/x", None, None).registry_matches("docker.io"));
        assert!(hub("library/x", None).registry_matches("index.docker.io"));
        assert!(
            name("Registry.Example.com:5000", "x", None, None)
                .registry_matches("registry.example.com:5000")
        );
    }

    #[test]
    fn patterns_normalise_like_docker() {
        let alpine = pattern("alpine");
        assert!(alpine.matches(&hub("library/alpine", Some("3.20"))));
        assert!(alpine.matches(&hub("library/alpine", None)));
        assert!(!alpine.matches(&name("quay.io", "library/alpine", None, None)));
        assert!(!alpine.matches(&hub("someone/alpine", None)));

        let bitnami = pattern("bitnami/node:20*");
        assert!(bitnami.matches(&hub("bitnami/node", Some("20.1.0"))));
        assert!(!bitnami.matches(&hub("bitnami/node", Some("18"))));

        let slim = pattern("node:20-slim");
        assert!(slim.matches(&hub("library/node", Some("20-slim"))));
        assert!(!slim.matches(&hub("library/node", Some("20"))));

        let distroless = pattern("gcr.io/distroless/*");
        assert!(distroless.matches(&name(
            "gcr.io",
            "distroless/static-debian12",
            Some("nonroot"),
            None
        )));
        assert!(!distroless.matches(&name("gcr.io", "other/x", None, None)));

        let any_slim = pattern("*:*-slim");
        assert!(any_slim.matches(&name("quay.io", "x/y", Some("1-slim"), None)));
        assert!(!any_slim.matches(&name("quay.io", "x/y", Some("1"), None)));
        assert!(pattern("*").matches(&name("quay.io", "x/y", None, None)));

        let subdomains = pattern("*.gcr.io/*");
        assert!(subdomains.matches(&name("eu.gcr.io", "a/b", None, None)));
        assert!(!subdomains.matches(&name("gcr.io", "a/b", None, None)));

        let local = pattern("localhost:5000/app");
        assert!(local.matches(&name("localhost:5000", "app", Some("1"), None)));

        let pinned = pattern(&format!("python@{DIGEST}"));
        assert!(pinned.matches(&name("docker.io", "library/python", None, Some(DIGEST))));
        assert!(!pinned.matches(&hub("library/python", Some("3"))));

        let latest = pattern("ubuntu:latest");
        assert!(latest.matches(&hub("library/ubuntu", None)));
        assert!(!latest.matches(&name("docker.io", "library/ubuntu", None, Some(DIGEST))));
    }

    #[test]
    fn scratch_pattern_matches_only_scratch() {
        let scratch = pattern("scratch");
        let reference = |source| ImageReference {
            written: "x".to_string(),
            expanded: "x".to_string(),
            source,
        };
        assert!(scratch.matches_reference(&reference(ImageSource::Scratch)));
        assert!(!scratch.matches_reference(&reference(ImageSource::Stage(0))));
        assert!(!pattern("*").matches_reference(&reference(ImageSource::Scratch)));
        assert!(
            pattern("*").matches_reference(&reference(ImageSource::Image(hub("library/x", None))))
        );
        assert!(!pattern("*").matches_reference(&reference(ImageSource::Unresolved("no".into()))));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(ImagePattern::parse("").is_err());
        assert!(ImagePattern::parse("a b").is_err());
        assert!(ImagePattern::parse("node:").is_err());
        assert!(ImagePattern::parse(":tag").is_err());
        assert!(ImagePattern::parse("node@abc").is_err());
        let error = serde_json::from_str::<ImagePattern>("\"node:\"").unwrap_err();
        assert!(error.to_string().contains("needs a name"), "{error}");
    }

    #[test]
    fn normalized_and_familiar_forms() {
        let golang = hub("library/golang", Some("1.22"));
        assert_eq!(golang.normalized(), "docker.io/library/golang:1.22");
        assert_eq!(golang.familiar(), "golang:1.22");
        let distroless = name("gcr.io", "distroless/static", None, Some(DIGEST));
        assert_eq!(
            distroless.familiar(),
            format!("gcr.io/distroless/static@{DIGEST}")
        );
    }
}
