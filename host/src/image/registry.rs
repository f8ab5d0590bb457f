//! Registry references (`host[:port]/repo:tag`, `repo@sha256:...`) read
//! over the OCI distribution API: the manifest (or index) and the config
//! blob are fetched, never the layers.
//!
//! Authentication follows what Docker does: a `401` with
//! `WWW-Authenticate: Bearer realm=...,service=...,scope=...` is answered by
//! fetching a token from the realm (with basic credentials when there are
//! some, anonymously otherwise); `WWW-Authenticate: Basic` by sending the
//! credentials. Transport failures, `429` and `5xx` are retried with
//! backoff; everything else fails at once with the status and the URL.

use std::time::Duration;

use tallyman_dockerfile::imageref::ImageName;
use tallyman_dockerfile::model;

use super::MAX_DOCUMENT_BYTES;
use super::auth::{self, Credentials};
use super::digest::Digest;
use super::platform::PlatformSpec;
use super::resolve::{self, Document, Source};
use super::spec;

/// How a registry is reached.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Plain HTTP, allowed only for a registry on a loopback address.
    pub insecure: bool,
    /// For each HTTP request as a whole.
    pub timeout: Duration,
    /// Attempts per request when the registry is unreachable or busy.
    pub attempts: u32,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            insecure: false,
            timeout: Duration::from_secs(30),
            attempts: 3,
        }
    }
}

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// Whether a registry host (with or without port) is a loopback address.
pub fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        registry.rsplit_once(':').map_or(registry, |(host, _)| host)
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// One response, read in full.
struct Fetched {
    bytes: Vec<u8>,
    content_type: Option<String>,
    digest_header: Option<String>,
}

/// How requests are authorised once the registry has said what it wants.
enum Authorization {
    None,
    Basic(Credentials),
    Bearer(String),
}

/// A client for one repository of one registry.
pub struct Registry {
    agent: ureq::Agent,
    base: String,
    registry: String,
    repository: String,
    credentials: Option<Credentials>,
    authorization: Authorization,
    attempts: u32,
}

/// The parameters of a `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// Parses `Bearer realm="https://auth",service="reg",scope="repository:x:pull"`.
    fn parse(header: &str) -> Option<Challenge> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        let mut params = Vec::new();
        let mut chars = rest.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
                chars.next();
            }
            let mut key = String::new();
            while let Some(c) = chars.peek().copied() {
                if c == '=' {
                    break;
                }
                key.push(c);
                chars.next();
            }
            if chars.next().is_none() {
                break;
            }
            let mut value = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => break,
                        other => value.push(other),
                    }
                }
            } else {
                while let Some(c) = chars.peek().copied() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
            params.push((key.trim().to_ascii_lowercase(), value));
        }
        (!scheme.is_empty()).then(|| Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params,
        })
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

impl Registry {
    /// A client for `name`'s repository.
    pub fn new(name: &ImageName, options: &RegistryOptions) -> anyhow::Result<Registry> {
        let loopback = is_loopback(&name.registry);
        if options.insecure && !loopback {
            anyhow::bail!(
                "--insecure allows plain HTTP only to a registry on a loopback address \
                 (localhost, 127.0.0.1, ::1), not to {}",
                name.registry
            );
        }
        let scheme = if options.insecure { "http" } else { "https" };
        // Docker Hub's API lives on another host than its name.
        let host = if name.is_docker_hub() {
            "registry-1.docker.io"
        } else {
            name.registry.as_str()
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .timeout_connect(Some(options.timeout.min(Duration::from_secs(10))))
            .https_only(!options.insecure)
            .user_agent(concat!("tallyman/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Registry {
            agent,
            base: format!("{scheme}://{host}"),
            registry: name.registry.clone(),
            repository: name.repository.clone(),
            credentials: auth::credentials(&name.registry)?,
            authorization: Authorization::None,
            attempts: options.attempts.max(1),
        })
    }

    /// One GET with retries on transport errors, 429 and 5xx.
    fn send(
        &self,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> anyhow::Result<ureq::http::Response<ureq::Body>> {
        let mut last_error = String::new();
        for attempt in 0..self.attempts {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(250u64 << attempt.min(4)));
            }
            let mut request = self.agent.get(url).header("Accept", accept);
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            match request.call() {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status == 429 || status >= 500 {
                        last_error = format!("HTTP {status}");
                        continue;
                    }
                    return Ok(response);
                }
                Err(err) => last_error = transport_error(&err),
            }
        }
        anyhow::bail!(
            "cannot reach registry {} ({url}): {last_error} (after {} attempts)",
            self.registry,
            self.attempts
        )
    }

    fn authorization_header(&self) -> Option<String> {
        match &self.authorization {
            Authorization::None => None,
            Authorization::Basic(credentials) => Some(credentials.basic_header()),
            Authorization::Bearer(token) => Some(format!("Bearer {token}")),
        }
    }

    /// Answers a `401` challenge; fails when there is nothing more to try.
    fn authenticate(&mut self, header: Option<&str>, url: &str) -> anyhow::Result<()> {
        let denied = |detail: &str| {
            anyhow::anyhow!(
                "registry {} refused access to {url} (HTTP 401 Unauthorized): {detail}",
                self.registry
            )
        };
        let hint = format!(
            "set {} and {} or log in with `docker login {}`",
            auth::USER_ENV,
            auth::PASSWORD_ENV,
            self.registry
        );
        let Some(challenge) = header.and_then(Challenge::parse) else {
            return Err(denied("it sent no WWW-Authenticate challenge"));
        };
        match challenge.scheme.as_str() {
            "basic" => {
                if matches!(self.authorization, Authorization::Basic(_)) {
                    return Err(denied("the credentials were rejected"));
                }
                let Some(credentials) = self.credentials.clone() else {
                    return Err(denied(&format!("it needs credentials; {hint}")));
                };
                self.authorization = Authorization::Basic(credentials);
                Ok(())
            }
            "bearer" => {
                if matches!(self.authorization, Authorization::Bearer(_)) {
                    return Err(denied(&if self.credentials.is_some() {
                        "the token it issued was rejected (do the credentials allow pulling?)"
                            .to_string()
                    } else {
                        format!("anonymous access is not allowed; {hint}")
                    }));
                }
                let realm = challenge
                    .param("realm")
                    .ok_or_else(|| denied("the Bearer challenge names no realm"))?;
                let scope = challenge
                    .param("scope")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                let mut token_url = format!("{realm}?scope={}", encode(&scope));
                if let Some(service) = challenge.param("service") {
                    token_url.push_str(&format!("&service={}", encode(service)));
                }
                let basic = self.credentials.as_ref().map(Credentials::basic_header);
                let mut response = self.send(&token_url, "application/json", basic.as_deref())?;
                let status = response.status().as_u16();
                if status != 200 {
                    return Err(denied(&format!(
                        "its token service {realm} answered HTTP {status}; {hint}"
                    )));
                }
                let body = read_body(&mut response, &token_url)?;
                let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                    denied(&format!(
                        "its token service {realm} sent something that is not a token"
                    ))
                })?;
                let token = parsed
                    .token
                    .or(parsed.access_token)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| denied(&format!("its token service {realm} sent no token")))?;
                self.authorization = Authorization::Bearer(token);
                Ok(())
            }
            other => Err(denied(&format!(
                "unsupported authentication scheme `{other}`"
            ))),
        }
    }

    /// GETs a path of the repository, authenticating as challenged.
    fn get(
        &mut self,
        kind: &str,
        reference: &str,
        accept: &str,
        what: &str,
    ) -> anyhow::Result<Fetched> {
        let url = format!("{}/v2/{}/{kind}/{reference}", self.base, self.repository);
        // At most: anonymous, then authenticated, then a rejected retry.
        for _ in 0..3 {
            let authorization = self.authorization_header();
            let mut response = self.send(&url, accept, authorization.as_deref())?;
            let status = response.status().as_u16();
            match status {
                200 => {
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    };
                    let content_type = header("content-type");
                    let digest_header = header("docker-content-digest");
                    let bytes = read_body(&mut response, &url)?;
                    return Ok(Fetched {
                        bytes,
                        content_type,
                        digest_header,
                    });
                }
                401 => {
                    let challenge = response
                        .headers()
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    self.authenticate(challenge.as_deref(), &url)?;
                }
                403 => anyhow::bail!(
                    "registry {} denied access to {what} ({url}): HTTP 403 Forbidden; \
                     check that the credentials (from {} and {}, or `docker login {}`) may pull it",
                    self.registry,
                    auth::USER_ENV,
                    auth::PASSWORD_ENV,
                    self.registry
                ),
                404 => anyhow::bail!(
                    "{what} not found in registry {} ({url}): HTTP 404",
                    self.registry
                ),
                other => anyhow::bail!(
                    "registry {} answered HTTP {other} for {what} ({url})",
                    self.registry
                ),
            }
        }
        anyhow::bail!("registry {} kept refusing access to {url}", self.registry)
    }

    /// The manifest or index a tag or digest names, verified.
    fn fetch_reference(
        &mut self,
        reference: &str,
        expected: Option<&Digest>,
        what: &str,
    ) -> anyhow::Result<(Digest, Fetched)> {
        let fetched = self.get("manifests", reference, MANIFEST_ACCEPT, what)?;
        let digest = match expected {
            Some(expected) => {
                expected.verify(&fetched.bytes, what)?;
                expected.clone()
            }
            None => {
                let actual = Digest::of(&fetched.bytes);
                // By tag there is nothing to check against but what the registry says.
                if let Some(claimed) = fetched
                    .digest_header
                    .as_deref()
                    .filter(|d| d.starts_with("sha256:"))
                {
                    let claimed = Digest::parse(claimed)?;
                    claimed.verify(&fetched.bytes, &format!("{what} (Docker-Content-Digest)"))?;
                }
                actual
            }
        };
        Ok((digest, fetched))
    }
}

/// Percent-encodes a query parameter value.
fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn read_body(
    response: &mut ureq::http::Response<ureq::Body>,
    url: &str,
) -> anyhow::Result<Vec<u8>> {
    response
        .body_mut()
        .with_config()
        .limit(MAX_DOCUMENT_BYTES)
        .read_to_vec()
        .map_err(|err| match err {
            ureq::Error::BodyExceedsLimit(_) => {
                anyhow::anyhow!("{url}: the response is over {MAX_DOCUMENT_BYTES} bytes, too large for image metadata")
            }
            other => anyhow::anyhow!("{url}: cannot read the response: {}", transport_error(&other)),
        })
}

fn transport_error(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection refused or failed".to_string(),
        ureq::Error::RequireHttpsOnly(_) => {
            "plain HTTP is refused (give --insecure for a registry on localhost)".to_string()
        }
        other => other.to_string(),
    }
}

impl Source for Registry {
    fn manifest(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        let (_, fetched) = self.fetch_reference(&digest.to_string(), Some(digest), what)?;
        Ok(fetched.bytes)
    }

    fn blob(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        let fetched = self.get("blobs", &digest.to_string(), "*/*", what)?;
        digest.verify(&fetched.bytes, what)?;
        Ok(fetched.bytes)
    }
}

/// Reads the image a registry reference names.
pub fn read(
    text: &str,
    wanted: &PlatformSpec,
    options: &RegistryOptions,
    evaluated_on: &str,
) -> anyhow::Result<model::Image> {
    let name = ImageName::parse(text).map_err(|err| anyhow::anyhow!("`{text}`: {err}"))?;
    let mut registry = Registry::new(&name, options)?;
    let expected = name.digest.as_deref().map(Digest::parse).transpose()?;
    let reference = match (&expected, &name.tag) {
        (Some(digest), _) => digest.to_string(),
        (None, Some(tag)) => tag.clone(),
        (None, None) => "latest".to_string(),
    };
    let what = format!("manifest {}", name.normalized());
    let (digest, fetched) = registry.fetch_reference(&reference, expected.as_ref(), &what)?;
    let selected = match resolve::document(&fetched.bytes, fetched.content_type.as_deref(), &what)?
    {
        Document::Manifest(manifest) => resolve::Selected { digest, manifest },
        Document::Index(index) => resolve::select(
            &mut registry,
            &index.manifests,
            wanted,
            &format!("index {}", name.normalized()),
        )?,
    };
    resolve::finish(&mut registry, selected, text, wanted, evaluated_on)
}

/// What a tag points at, for pinning it by digest.
#[derive(Debug, Clone)]
pub struct TagTarget {
    /// The digest of the document the tag names: an index or a manifest.
    pub digest: Digest,
    pub content: TagContent,
}

#[derive(Debug, Clone)]
pub enum TagContent {
    /// A multi-platform index: its image manifests, nested indexes expanded.
    Index(Vec<spec::Descriptor>),
    /// One image manifest, for the platform its config says.
    Manifest(spec::Platform),
}

/// Resolves `name`'s tag (`latest` without one; a digest it carries is
/// ignored) to the digest the registry serves for it now, and the
/// platforms behind it: nested indexes are walked, and a single manifest's
/// config is read for its platform, so that the caller can check the
/// build's platform is served, as BuildKit's pull would.
pub fn resolve_tag(name: &ImageName, options: &RegistryOptions) -> anyhow::Result<TagTarget> {
    let tagged = ImageName {
        digest: None,
        ..name.clone()
    };
    let mut registry = Registry::new(&tagged, options)?;
    let tag = tagged.tag.clone().unwrap_or_else(|| "latest".to_string());
    let what = format!("manifest {}", tagged.normalized());
    let (digest, fetched) = registry.fetch_reference(&tag, None, &what)?;
    let content = match resolve::document(&fetched.bytes, fetched.content_type.as_deref(), &what)? {
        Document::Index(index) => {
            let mut manifests = Vec::new();
            resolve::flatten(&mut registry, &index.manifests, 0, &mut manifests)?;
            TagContent::Index(manifests)
        }
        Document::Manifest(manifest) => {
            let config_digest = Digest::parse(&manifest.config.digest)?;
            let what = format!("image config {config_digest} of {}", tagged.normalized());
            let bytes = registry.blob(&config_digest, &what)?;
            let config: spec::ImageConfigFile = spec::parse_json(&bytes, &what)?;
            TagContent::Manifest(spec::Platform {
                os: config.os,
                architecture: config.architecture,
                variant: config.variant,
            })
        }
    };
    Ok(TagTarget { digest, content })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let c = Challenge::parse(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull""#).unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("scope"), Some("repository:library/ubuntu:pull"));
        let basic = Challenge::parse(r#"Basic realm="basic-realm""#).unwrap();
        assert_eq!(basic.scheme, "basic");
        assert!(Challenge::parse("").is_none());
        let odd = Challenge::parse(r#"Bearer realm="a\"b", x"#).unwrap();
        assert_eq!(odd.param("realm"), Some("a\"b"));
    }

    #[test]
    fn knows_loopback_hosts() {
        for host in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1:5000",
            "docker.io",
            "localhost.evil.com",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
