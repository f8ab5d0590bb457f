//! Image references (`FROM ubuntu:22.04`) read the way Docker and BuildKit
//! read them: `reference.ParseNormalizedNamed` from distribution/reference,
//! whose grammar is
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path
//! domain     := host [ ":" port ]        host: DNS-like name, IPv4, or [IPv6]
//! path       := component ( "/" component )*
//! component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex{32,}   e.g. sha256:<64 lower-case hex>
//! ```
//!
//! Familiar names are normalised first: a first component is a registry
//! only if it contains `.` or `:`, is `localhost`, or has upper-case letters
//! (Docker Hub namespaces cannot); otherwise the registry is `docker.io`,
//! and single-component Docker Hub names get `library/`. `index.docker.io`
//! is `docker.io`.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

const DOCKER_HUB: &str = "docker.io";
const LEGACY_DOCKER_HUB: &str = "index.docker.io";
const OFFICIAL_NAMESPACE: &str = "library/";
const DEFAULT_TAG: &str = "latest";
const MAX_PATH_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageName {
    /// The registry host, with its port if any: `docker.io`, `gcr.io`,
    /// `localhost:5000`. Empty only for the odd names that distribution/
    /// reference itself leaves without one, where a first component that
    /// looked like a host is not a valid host but is a valid path component
    /// (`my_registry.local/app`).
    pub registry: String,
    /// The repository path in the registry: `library/ubuntu`, `distroless/static`.
    pub repository: String,
    /// The tag as written, if any (`None` is what Docker reads as `latest`
    /// when there is no digest either).
    pub tag: Option<String>,
    /// The digest as written (`sha256:<hex>`), if any.
    pub digest: Option<String>,
}

/// Why a string is not a valid image reference.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageRefError {
    /// The reference is empty.
    #[error("invalid reference format: empty image reference")]
    Empty,
    /// A bare 64-hex-digit string, which Docker refuses as a name because it
    /// reads as an image ID.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexIdentifier(String),
    /// Upper-case letters in the repository path.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
    /// A registry host or port that is not valid.
    #[error("invalid reference format: invalid registry {0:?}")]
    InvalidRegistry(String),
    /// A repository path that breaks the grammar (characters other than
    /// `a-z0-9` and single separators, empty components, ...).
    #[error(
        "invalid reference format: invalid repository name {0:?} (components are [a-z0-9] separated by '.', '_', '__' or dashes)"
    )]
    InvalidRepository(String),
    /// A repository path over 255 characters.
    #[error("repository name must not be more than 255 characters (got {0})")]
    NameTooLong(usize),
    /// A tag that breaks `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    #[error(
        "invalid reference format: invalid tag {0:?} (must match [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})"
    )]
    InvalidTag(String),
    /// A digest that is not `algorithm:hex` with at least 32 hex digits.
    #[error("invalid reference format: invalid digest {0:?} (must be algorithm:hex)")]
    InvalidDigest(String),
    /// A well-formed digest with an algorithm other than sha256, sha384 or sha512.
    #[error("unsupported digest algorithm {0:?}")]
    UnsupportedDigestAlgorithm(String),
    /// A digest whose hex part has the wrong length for its algorithm.
    #[error("invalid checksum digest length: {algorithm} needs {expected} hex digits, got {found}")]
    DigestLength {
        /// The algorithm (`sha256`, ...).
        algorithm: String,
        /// How many hex digits the algorithm produces.
        expected: usize,
        /// How many were written.
        found: usize,
    },
    /// A digest whose hex part is not lower-case hex.
    #[error("invalid checksum digest format: {0:?} must be lower-case hex")]
    DigestNotLowerHex(String),
}

impl ImageName {
    /// Parses and normalises a reference as `reference.ParseNormalizedNamed`
    /// does: `ubuntu` is `docker.io` / `library/ubuntu` with no tag.
    pub fn parse(reference: &str) -> Result<ImageName, ImageRefError> {
        if reference.is_empty() {
            return Err(ImageRefError::Empty);
        }
        if reference.len() == 64
            && reference
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ImageRefError::HexIdentifier(reference.to_owned()));
        }
        let (domain, remainder) = split_docker_domain(reference);
        // Docker checks the path (up to any `:`) for upper case before the
        // grammar, so that `Ubuntu` gets the helpful message.
        let remote = remainder.split(':').next().unwrap_or_default();
        if has_uppercase(remote) {
            return Err(ImageRefError::Uppercase(remote.to_owned()));
        }
        let full = format!("{domain}/{remainder}");
        let parts = match split_reference(&full) {
            Ok(parts) => parts,
            Err(error) => {
                let lower = full.to_lowercase();
                if lower != full && split_reference(&lower).is_ok() {
                    return Err(ImageRefError::Uppercase(name_part(&full).to_owned()));
                }
                return Err(error);
            }
        };
        if parts.path.len() > MAX_PATH_LEN {
            return Err(ImageRefError::NameTooLong(parts.path.len()));
        }
        if let Some(digest) = parts.digest {
            check_digest_algorithm(digest)?;
        }
        Ok(ImageName {
            registry: parts.domain.to_owned(),
            repository: parts.path.to_owned(),
            tag: parts.tag.map(str::to_owned),
            digest: parts.digest.map(str::to_owned),
        })
    }

    /// The full repository name: `docker.io/library/ubuntu`.
    pub fn name(&self) -> String {
        if self.registry.is_empty() {
            self.repository.clone()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The name as Docker shows it: `ubuntu`, `bitnami/redis`, `gcr.io/distroless/static`.
    pub fn familiar_name(&self) -> String {
        if self.registry != DOCKER_HUB {
            return self.name();
        }
        match self.repository.strip_prefix(OFFICIAL_NAMESPACE) {
            Some(official) if !official.contains('/') => official.to_owned(),
            _ => self.repository.clone(),
        }
    }

    /// The reference as Docker shows it, tag and digest as written:
    /// `ubuntu:22.04`, `gcr.io/distroless/static@sha256:...`.
    pub fn familiar(&self) -> String {
        self.with_suffixes(self.familiar_name(), self.tag.as_deref())
    }

    /// The fully qualified reference, with `latest` added when neither tag
    /// nor digest is given (`reference.TagNameOnly`):
    /// `docker.io/library/ubuntu:latest`.
    pub fn normalized(&self) -> String {
        let tag = match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag.as_str()),
            (None, None) => Some(DEFAULT_TAG),
            (None, Some(_)) => None,
        };
        self.with_suffixes(self.name(), tag)
    }

    /// Whether the image comes from Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    fn with_suffixes(&self, mut name: String, tag: Option<&str>) -> String {
        if let Some(tag) = tag {
            name.push(':');
            name.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            name.push('@');
            name.push_str(digest);
        }
        name
    }
}

impl FromStr for ImageName {
    type Err = ImageRefError;

    fn from_str(reference: &str) -> Result<Self, Self::Err> {
        ImageName::parse(reference)
    }
}

impl fmt::Display for ImageName {
    /// The familiar form, as Docker prints references.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.familiar())
    }
}

/// distribution/reference's `splitDockerDomain`: the registry and the rest.
fn split_docker_domain(reference: &str) -> (&str, String) {
    let Some((first, rest)) = reference.split_once('/') else {
        return (DOCKER_HUB, format!("{OFFICIAL_NAMESPACE}{reference}"));
    };
    let (domain, remainder) = if first == LEGACY_DOCKER_HUB {
        (DOCKER_HUB, rest)
    } else if first == "localhost" || first.contains(['.', ':']) || has_uppercase(first) {
        (first, rest)
    } else {
        (DOCKER_HUB, reference)
    };
    if domain == DOCKER_HUB && !remainder.contains('/') {
        return (domain, format!("{OFFICIAL_NAMESPACE}{remainder}"));
    }
    (domain, remainder.to_owned())
}

fn has_uppercase(text: &str) -> bool {
    text.chars().any(|ch| ch.to_lowercase().ne([ch]))
}

/// The pieces of a reference that matched the grammar.
struct Parts<'a> {
    domain: &'a str,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// The name part of `name[:tag][@digest]`.
fn name_part(reference: &str) -> &str {
    let before_digest = reference.split('@').next().unwrap_or_default();
    match before_digest.rsplit_once(':') {
        // A `:` followed by a `/` is a registry port, not a tag.
        Some((name, tag)) if !tag.contains('/') => name,
        _ => before_digest,
    }
}

/// Matches the reference grammar (distribution/reference's `ReferenceRegexp`
/// then `anchoredNameRegexp`), without the digest algorithm check.
fn split_reference(reference: &str) -> Result<Parts<'_>, ImageRefError> {
    let (before_digest, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let name = name_part(reference);
    let tag = before_digest
        .get(name.len()..)
        .and_then(|rest| rest.strip_prefix(':'));
    let (domain, path) = split_name(name)?;
    if let Some(tag) = tag.filter(|tag| !is_tag(tag)) {
        return Err(ImageRefError::InvalidTag(tag.to_owned()));
    }
    if let Some(digest) = digest.filter(|digest| !is_digest(digest)) {
        return Err(ImageRefError::InvalidDigest(digest.to_owned()));
    }
    Ok(Parts {
        domain,
        path,
        tag,
        digest,
    })
}

/// Splits `[domain/]path`, preferring a domain when the first component is
/// one, as the grammar's optional group does.
fn split_name(name: &str) -> Result<(&str, &str), ImageRefError> {
    if let Some((first, rest)) = name.split_once('/')
        && is_domain(first)
        && is_path(rest)
    {
        return Ok((first, rest));
    }
    if is_path(name) {
        return Ok(("", name));
    }
    match name.split_once('/') {
        Some((first, rest)) if !is_domain(first) && is_path(rest) => {
            Err(ImageRefError::InvalidRegistry(first.to_owned()))
        }
        Some((first, rest)) if is_domain(first) => {
            Err(ImageRefError::InvalidRepository(rest.to_owned()))
        }
        _ => Err(ImageRefError::InvalidRepository(name.to_owned())),
    }
}

/// `host[:port]`: a DNS-like name or IPv4 address, or `[IPv6]`.
fn is_domain(domain: &str) -> bool {
    let (host_ok, port) = if let Some(bracketed) = domain.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((address, port)) => (
                !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'),
                port,
            ),
            None => (false, ""),
        }
    } else {
        let (host, port) = match domain.find(':') {
            Some(colon) => domain.split_at(colon),
            None => (domain, ""),
        };
        (host.split('.').all(is_domain_component), port)
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// A DNS label: alphanumerics and inner dashes.
fn is_domain_component(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

fn is_path(path: &str) -> bool {
    path.split('/').all(is_path_component)
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or any number of `-`.
fn is_path_component(component: &str) -> bool {
    let is_alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    if !bytes.first().is_some_and(is_alnum) || !bytes.last().is_some_and(is_alnum) {
        return false;
    }
    bytes
        .split(is_alnum)
        .filter(|separator| !separator.is_empty())
        .all(|separator| {
            matches!(separator, b"." | b"_" | b"__") || separator.iter().all(|b| *b == b'-')
        })
}

fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    bytes.len() <= MAX_TAG_LEN
        && bytes.first().is_some_and(word)
        && bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-')
}

/// `algorithm:hex`, the algorithm being letter-led alphanumeric components
/// joined by `-`, `_`, `+` or `.`, and at least 32 hex digits.
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let component_ok = |component: &str| {
        let bytes = component.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_alphabetic)
            && bytes.iter().all(u8::is_ascii_alphanumeric)
    };
    algorithm.split(['-', '_', '+', '.']).all(component_ok)
        && hex.len() >= 32
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// go-digest's `Digest.Validate` for a digest that matched the grammar:
/// only the algorithms Docker registers are accepted, with their exact
/// length in lower-case hex.
fn check_digest_algorithm(digest: &str) -> Result<(), ImageRefError> {
    let (algorithm, hex) = digest.split_once(':').unwrap_or((digest, ""));
    let expected = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(ImageRefError::UnsupportedDigestAlgorithm(
                algorithm.to_owned(),
            ));
        }
    };
    if hex.len() != expected {
        return Err(ImageRefError::DigestLength {
            algorithm: algorithm.to_owned(),
            expected,
            found: hex.len(),
        });
    }
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ImageRefError::DigestNotLowerHex(digest.to_owned()));
    }
    Ok(())
}
