//! `oci:DIR[:TAG]`: an OCI image layout on disk (`oci-layout`, `index.json`,
//! `blobs/sha256/...`), as `umoci`, `skopeo`, `buildah` and
//! `docker buildx --output type=oci` write it.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use tallyman_dockerfile::model;

use super::MAX_DOCUMENT_BYTES;
use super::digest::Digest;
use super::platform::PlatformSpec;
use super::resolve::{self, Source};
use super::spec::{Index, parse_json};

/// An OCI layout directory.
pub struct Layout {
    dir: PathBuf,
}

/// Reads at most `limit` bytes of a file, refusing a larger one.
pub fn read_limited(path: &Path, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("{what}: cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("{what}: cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        anyhow::bail!(
            "{what}: {} is over {limit} bytes, too large for image metadata",
            path.display()
        );
    }
    Ok(bytes)
}

impl Layout {
    /// Opens a layout, checking that it is one.
    pub fn open(dir: &Path) -> anyhow::Result<Layout> {
        if !dir.is_dir() {
            anyhow::bail!("{}: no such OCI layout directory", dir.display());
        }
        if !dir.join("index.json").is_file() {
            anyhow::bail!("{}: not an OCI image layout (no index.json)", dir.display());
        }
        Ok(Layout {
            dir: dir.to_path_buf(),
        })
    }

    fn index(&self) -> anyhow::Result<Index> {
        let path = self.dir.join("index.json");
        let bytes = read_limited(&path, MAX_DOCUMENT_BYTES, "index.json")?;
        parse_json(&bytes, &format!("{}", path.display()))
    }

    fn read_blob(&self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.dir.join("blobs").join("sha256").join(digest.hex());
        if !path.is_file() {
            anyhow::bail!(
                "{what}: blob {digest} is missing from the layout {}",
                self.dir.display()
            );
        }
        let bytes = read_limited(&path, MAX_DOCUMENT_BYTES, what)?;
        digest.verify(&bytes, what)?;
        Ok(bytes)
    }
}

impl Source for Layout {
    fn manifest(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        self.read_blob(digest, what)
    }

    fn blob(&mut self, digest: &Digest, what: &str) -> anyhow::Result<Vec<u8>> {
        self.read_blob(digest, what)
    }
}

/// Reads the image `tag` (or the only image) of the layout in `dir`.
pub fn read(
    dir: &Path,
    tag: Option<&str>,
    reference: &str,
    wanted: &PlatformSpec,
    evaluated_on: &str,
) -> anyhow::Result<model::Image> {
    let mut layout = Layout::open(dir)?;
    let index = layout.index()?;
    let what = format!("OCI layout {}", dir.display());
    let candidates = resolve::tagged(&index, tag, &what)?;
    let selected = resolve::select(&mut layout, &candidates, wanted, &what)?;
    resolve::finish(&mut layout, selected, reference, wanted, evaluated_on)
}
