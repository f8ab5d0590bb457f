//! From an index or manifest to the image: walking nested indexes, choosing
//! the platform, and fetching the config. Shared by every reader, which only
//! says how to get a manifest or blob by digest ([`Source`]).

use std::collections::BTreeSet;

use tallyman_dockerfile::model;

use super::convert::{self, ImageFacts};
use super::digest::Digest;
use super::platform::{self, PlatformSpec};
use super::spec::{self, Descriptor, ImageConfigFile, Index, Manifest, parse_json};

/// How deep indexes may nest before the reader gives up (real images use 1 or 2).
const MAX_INDEX_DEPTH: usize = 4;
/// The annotation that names a manifest's tag in an OCI layout.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Where manifests and blobs come from. Both return bytes already checked
/// against the digest asked for.
pub trait Source {
    fn manifest(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>>;
    fn blob(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>>;
}

/// A chosen image manifest and its digest.
pub struct Selected {
    pub digest: Digest,
    pub manifest: Manifest,
}

/// What a parsed manifest-or-index document turned out to be.
pub enum Document {
    Index(Index),
    Manifest(Manifest),
}

/// Reads a manifest or index, by its media type or, failing that, its shape.
pub fn document(bytes: &[u8], media_type: Option<&str>, what: &str) -> anyhow::Result<Document> {
    let probe: spec::Probe = parse_json(bytes, what)?;
    let declared = media_type
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .or(probe.media_type);
    let looks_like_index = match declared.as_deref() {
        Some(m) if spec::is_index(m) => true,
        Some(m) if spec::is_manifest(m) => false,
        _ if probe.manifests.is_some() => true,
        _ if probe.config.is_some() => false,
        Some(other) => {
            anyhow::bail!("{what} has media type {other}, which is not an image manifest or index")
        }
        None => anyhow::bail!("{what} is neither an image manifest nor an index"),
    };
    if looks_like_index {
        Ok(Document::Index(parse_json(bytes, what)?))
    } else {
        Ok(Document::Manifest(parse_json(bytes, what)?))
    }
}

fn tag_matches(descriptor: &Descriptor, tag: &str) -> bool {
    descriptor
        .annotations
        .get(REF_NAME)
        .is_some_and(|name| name == tag || name.rsplit_once(':').is_some_and(|(_, t)| t == tag))
}

/// The top-level entries of an OCI layout's `index.json` that `tag` names
/// (all of them when no tag is given and they are one image).
pub fn tagged(index: &Index, tag: Option<&str>, what: &str) -> anyhow::Result<Vec<Descriptor>> {
    let tags: BTreeSet<&str> = index
        .manifests
        .iter()
        .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
        .collect();
    match tag {
        Some(tag) => {
            let found: Vec<Descriptor> = index
                .manifests
                .iter()
                .filter(|d| tag_matches(d, tag))
                .cloned()
                .collect();
            if found.is_empty() {
                let listed = if tags.is_empty() {
                    "none".to_string()
                } else {
                    tags.into_iter().collect::<Vec<_>>().join(", ")
                };
                anyhow::bail!("{what} has no image tagged `{tag}`; tags: {listed}");
            }
            Ok(found)
        }
        None if tags.len() > 1 => anyhow::bail!(
            "{what} holds several images; name one with :TAG (tags: {})",
            tags.into_iter().collect::<Vec<_>>().join(", ")
        ),
        None => Ok(index.manifests.clone()),
    }
}

/// Expands nested indexes into the image manifests they list.
pub fn flatten(
    source: &mut dyn Source,
    descriptors: &[Descriptor],
    depth: usize,
    out: &mut Vec<Descriptor>,
) -> anyhow::Result<()> {
    for descriptor in descriptors {
        if !spec::is_index(&descriptor.media_type) {
            out.push(descriptor.clone());
            continue;
        }
        if depth >= MAX_INDEX_DEPTH {
            anyhow::bail!(
                "indexes nest more than {MAX_INDEX_DEPTH} deep at {}",
                descriptor.digest
            );
        }
        let digest = Digest::parse(&descriptor.digest)?;
        let what = format!("index {digest}");
        let bytes = source.manifest(&digest, &what)?;
        let index: Index = parse_json(&bytes, &what)?;
        flatten(source, &index.manifests, depth + 1, out)?;
    }
    Ok(())
}

/// Chooses, among descriptors (indexes or manifests), the manifest for `wanted`.
pub fn select(
    source: &mut dyn Source,
    descriptors: &[Descriptor],
    wanted: &PlatformSpec,
    what: &str,
) -> anyhow::Result<Selected> {
    let mut manifests = Vec::new();
    flatten(source, descriptors, 0, &mut manifests)?;
    let chosen = platform::select(&manifests, wanted, what)?;
    let digest = Digest::parse(&chosen.digest)?;
    let what = format!("manifest {digest}");
    let bytes = source.manifest(&digest, &what)?;
    match document(&bytes, Some(&chosen.media_type), &what)? {
        Document::Manifest(manifest) => Ok(Selected { digest, manifest }),
        Document::Index(_) => {
            anyhow::bail!("{what} is an index where an image manifest was listed")
        }
    }
}

/// Fetches the config of a chosen manifest and builds the model.
pub fn finish(
    source: &mut dyn Source,
    selected: Selected,
    reference: &str,
    wanted: &PlatformSpec,
    evaluated_on: &str,
) -> anyhow::Result<model::Image> {
    let config_digest = Digest::parse(&selected.manifest.config.digest)?;
    let what = format!("image config {config_digest}");
    let bytes = source.blob(&config_digest, &what)?;
    let config: ImageConfigFile = parse_json(&bytes, &what)?;
    let facts = ImageFacts {
        reference: reference.to_string(),
        manifest_digest: selected.digest.to_string(),
        layers: convert::layers(&selected.manifest.layers),
        annotations: selected.manifest.annotations,
    };
    Ok(convert::image(facts, &config, wanted, evaluated_on))
}
