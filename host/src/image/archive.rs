//! `docker-archive:FILE[:NAME:TAG]`: the `docker save` format, plain or
//! gzip-compressed. `manifest.json` lists each image's config and layer
//! files; Docker 25 and later also write an OCI layout (`index.json`,
//! `blobs/`) in the same archive, which gives the image a manifest digest.
//!
//! The archive is read once, as a stream: small files are kept, every file
//! is hashed on the way so layers can be checked against the config's
//! `diff_ids` without being held in memory.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;

use anyhow::Context;
use flate2::read::GzDecoder;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use tallyman_dockerfile::model;

use super::MAX_DOCUMENT_BYTES;
use super::convert::{self, ImageFacts};
use super::digest::{self, Digest};
use super::platform::PlatformSpec;
use super::resolve::{self, Source};
use super::spec::{ImageConfigFile, Index, parse_json};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Symbolic links followed before giving up (skopeo writes one level).
const MAX_LINKS: usize = 8;
/// The most bytes of small files kept in memory: metadata is a few KiB per
/// image, so more than this is an archive built to exhaust memory.
const MAX_KEPT_BYTES: usize = 64 * 1024 * 1024;

/// One image in `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ArchiveEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// What the archive holds, by normalised path.
#[derive(Default)]
struct Contents {
    /// Bytes of the small files (metadata).
    small: HashMap<String, Vec<u8>>,
    /// sha256, size and whether it is gzip, of every regular file.
    files: HashMap<String, FileFacts>,
    /// Symbolic links: path → target as written.
    links: HashMap<String, String>,
}

struct FileFacts {
    sha256: String,
    size: u64,
    gzip: bool,
}

/// Files that may hold image metadata: the listings, configs (`<hex>.json`,
/// `<id>/json`) and OCI blobs (manifests and configs; layers are hashed, not kept).
fn is_metadata(name: &str) -> bool {
    name.ends_with(".json")
        || name.ends_with("/json")
        || name == "oci-layout"
        || name == "repositories"
        || name.starts_with("blobs/sha256/")
}

fn normalise(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_start_matches('/')
        .to_string()
}

/// Resolves a link target relative to the link's directory.
fn join_link(link: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

impl Contents {
    fn read(path: &Path) -> anyhow::Result<Contents> {
        let what = format!("{}", path.display());
        let mut file = BufReader::new(
            std::fs::File::open(path)
                .with_context(|| format!("{what}: cannot open the archive"))?,
        );
        let mut magic = [0u8; 2];
        let peeked = {
            use std::io::BufRead;
            let buffer = file
                .fill_buf()
                .with_context(|| format!("{what}: cannot read the archive"))?;
            let n = buffer.len().min(2);
            magic[..n].copy_from_slice(buffer.get(..n).unwrap_or_default());
            n
        };
        let reader: Box<dyn Read> = if peeked == 2 && magic == GZIP_MAGIC {
            Box::new(GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        Contents::from_tar(reader).with_context(|| {
            format!("{what}: not a readable docker-archive (truncated or corrupt?)")
        })
    }

    fn from_tar(reader: impl Read) -> anyhow::Result<Contents> {
        let mut archive = tar::Archive::new(reader);
        let mut contents = Contents::default();
        let mut kept_bytes = 0usize;
        for entry in archive.entries()? {
            let mut entry = entry?;
            let name = normalise(&entry.path()?.to_string_lossy());
            let kind = entry.header().entry_type();
            if kind.is_symlink() {
                if let Some(target) = entry.link_name()? {
                    contents
                        .links
                        .insert(name, target.to_string_lossy().into_owned());
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let size = entry.header().size()?;
            let keep = size <= MAX_DOCUMENT_BYTES && is_metadata(&name);
            let mut hasher = Sha256::new();
            let mut kept = Vec::new();
            let mut first: Vec<u8> = Vec::with_capacity(2);
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let n = entry.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                let chunk = buffer.get(..n).unwrap_or_default();
                hasher.update(chunk);
                if first.len() < 2 {
                    first.extend(chunk.iter().take(2 - first.len()));
                }
                if keep {
                    kept.extend_from_slice(chunk);
                }
            }
            let facts = FileFacts {
                sha256: digest::hex(&hasher.finalize()),
                size,
                gzip: first == GZIP_MAGIC,
            };
            contents.files.insert(name.clone(), facts);
            if keep {
                kept_bytes = kept_bytes.saturating_add(kept.len());
                if kept_bytes > MAX_KEPT_BYTES {
                    anyhow::bail!(
                        "over {MAX_KEPT_BYTES} bytes of metadata files: not an image archive tallyman reads"
                    );
                }
                contents.small.insert(name, kept);
            }
        }
        Ok(contents)
    }

    /// Follows symbolic links to a regular file's path.
    fn resolve(&self, path: &str) -> String {
        let mut current = normalise(path);
        for _ in 0..MAX_LINKS {
            match self.links.get(&current) {
                Some(target) => current = join_link(&current, target),
                None => break,
            }
        }
        current
    }

    fn small_file(&self, path: &str, what: &str) -> anyhow::Result<&[u8]> {
        let resolved = self.resolve(path);
        match self.small.get(&resolved) {
            Some(bytes) => Ok(bytes),
            None if self.files.contains_key(&resolved) => {
                anyhow::bail!("{what}: `{path}` is too large for image metadata")
            }
            None => anyhow::bail!("{what}: `{path}` is missing from the archive"),
        }
    }
}

/// The archive's OCI layout blobs, for archives written by Docker 25+.
impl Source for Contents {
    fn manifest(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        self.blob(digest, what)
    }

    fn blob(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        let bytes = self
            .small_file(&format!("blobs/sha256/{}", digest.hex()), what)?
            .to_vec();
        digest.verify(&bytes, what)?;
        Ok(bytes)
    }
}

fn repo_tag_matches(tags: &[String], wanted: &str) -> bool {
    tags.iter().any(|tag| {
        tag == wanted
            || tallyman_dockerfile::imageref::ImageName::parse(tag)
                .ok()
                .zip(tallyman_dockerfile::imageref::ImageName::parse(wanted).ok())
                .is_some_and(|(a, b)| a.normalized() == b.normalized())
    })
}

/// Reads the image `name` (a `repo:tag` of the archive, or its only image)
/// from the `docker save` archive at `path`.
pub fn read(
    path: &Path,
    name: Option<&str>,
    reference: &str,
    wanted: &PlatformSpec,
    evaluated_on: &str,
) -> anyhow::Result<model::Image> {
    if !path.is_file() {
        anyhow::bail!("{}: no such docker-archive file", path.display());
    }
    let mut contents = Contents::read(path)?;
    let what = format!("docker-archive {}", path.display());
    if contents.small.contains_key("index.json")
        && contents.small.contains_key("oci-layout")
        && let Some(image) = read_oci(&mut contents, name, reference, wanted, evaluated_on, &what)?
    {
        return Ok(image);
    }
    let listing = contents.small_file("manifest.json", &what)?;
    let entries: Vec<ArchiveEntry> = parse_json(listing, &format!("{what}: manifest.json"))?;
    let entry = match name {
        Some(wanted_name) => entries
            .iter()
            .find(|e| repo_tag_matches(e.repo_tags.as_deref().unwrap_or_default(), wanted_name))
            .with_context(|| {
                format!(
                    "{what} has no image named `{wanted_name}`; images: {}",
                    list_tags(&entries)
                )
            })?,
        None => match entries.as_slice() {
            [only] => only,
            [] => anyhow::bail!("{what}: manifest.json lists no images"),
            _ => anyhow::bail!(
                "{what} holds several images; name one with :NAME:TAG ({})",
                list_tags(&entries)
            ),
        },
    };
    docker_image(&contents, entry, reference, wanted, evaluated_on, &what)
}

fn list_tags(entries: &[ArchiveEntry]) -> String {
    let tags: Vec<String> = entries
        .iter()
        .map(|e| match e.repo_tags.as_deref() {
            Some(tags) if !tags.is_empty() => tags.join(" "),
            _ => format!("untagged {}", e.config),
        })
        .collect();
    tags.join(", ")
}

/// Reads through the OCI layout of a Docker 25+ archive; `None` when the
/// layout does not hold the image asked for (so `manifest.json` decides).
fn read_oci(
    contents: &mut Contents,
    name: Option<&str>,
    reference: &str,
    wanted: &PlatformSpec,
    evaluated_on: &str,
    what: &str,
) -> anyhow::Result<Option<model::Image>> {
    let index: Index = parse_json(
        contents.small_file("index.json", what)?,
        &format!("{what}: index.json"),
    )?;
    let candidates: Vec<_> = match name {
        None => resolve::tagged(&index, None, what)?,
        Some(name) => index
            .manifests
            .iter()
            .filter(|d| {
                ["io.containerd.image.name", resolve::REF_NAME]
                    .iter()
                    .filter_map(|key| d.annotations.get(*key))
                    .any(|n| repo_tag_matches(std::slice::from_ref(n), name) || n == name)
            })
            .cloned()
            .collect(),
    };
    if candidates.is_empty() {
        return Ok(None);
    }
    let selected = resolve::select(contents, &candidates, wanted, what)?;
    resolve::finish(contents, selected, reference, wanted, evaluated_on).map(Some)
}

/// An image of a `docker save` archive without an OCI layout. It has no
/// manifest, so its identity is its image ID (the config's digest), the
/// name Docker itself gives it.
fn docker_image(
    contents: &Contents,
    entry: &ArchiveEntry,
    reference: &str,
    wanted: &PlatformSpec,
    evaluated_on: &str,
    what: &str,
) -> anyhow::Result<model::Image> {
    let config_what = format!("{what}: image config {}", entry.config);
    let config_bytes = contents.small_file(&entry.config, &config_what)?;
    // `<hex>.json` (classic) or `blobs/sha256/<hex>` (Docker 25+): the name is the digest.
    let stem = entry
        .config
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".json");
    let image_id = match Digest::parse(&format!("sha256:{stem}")) {
        Ok(named) => {
            named.verify(config_bytes, &config_what)?;
            named
        }
        Err(_) => Digest::of(config_bytes),
    };
    let config: ImageConfigFile = parse_json(config_bytes, &config_what)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.as_slice())
        .unwrap_or_default();
    if diff_ids.len() != entry.layers.len() {
        anyhow::bail!(
            "{what}: manifest.json lists {} layers but the config's rootfs has {}",
            entry.layers.len(),
            diff_ids.len()
        );
    }
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (layer, diff_id) in entry.layers.iter().zip(diff_ids) {
        let resolved = contents.resolve(layer);
        let facts = contents
            .files
            .get(&resolved)
            .with_context(|| format!("{what}: layer `{layer}` is missing from the archive"))?;
        let expected = Digest::parse(diff_id)?;
        // A compressed layer hashes to its compressed digest, not the diff_id;
        // only uncompressed layers (what `docker save` writes) can be checked here.
        if !facts.gzip && facts.sha256 != expected.hex() {
            anyhow::bail!(
                "{what}: layer `{layer}`: digest mismatch: the config expects {expected}, \
                 the content hashes to sha256:{} (the archive is corrupt or was tampered with)",
                facts.sha256
            );
        }
        layers.push(model::ImageLayer {
            digest: expected.to_string(),
            size: facts.size,
            media_type: if facts.gzip {
                "application/vnd.docker.image.rootfs.diff.tar.gzip".to_string()
            } else {
                "application/vnd.docker.image.rootfs.diff.tar".to_string()
            },
        });
    }
    let facts = ImageFacts {
        reference: reference.to_string(),
        manifest_digest: image_id.to_string(),
        layers,
        annotations: Default::default(),
    };
    Ok(convert::image(facts, &config, wanted, evaluated_on))
}
