//! `tallyman fix --pin-digests`: pinning image references by digest.
//!
//! Every image a build pulls (the base of each `FROM`, `COPY --from=<image>`,
//! `RUN --mount=...,from=<image>`) is resolved to the digest its tag names
//! now, through the registry client of `tallyman image` (its credentials,
//! retries and `--insecure` rule) or from a `--digests` map, and written
//! after the tag: `python:3.12-slim@sha256:...`. Only that insertion is
//! made; the edits go through the passes of every other fix (re-parsed,
//! refused if BuildKit would not accept the result).
//!
//! Which digest: the one the tag names, which for a multi-platform image is
//! its index (manifest list), so that a multi-platform build still finds
//! each platform's image, as `docker buildx imagetools inspect` prints and
//! Renovate pins. The index must serve the platform the stage is built for
//! (else the build would fail): that is checked, as is the platform of a
//! single-platform image. `--pin-platform-manifest` writes the platform's
//! own manifest digest instead, which ties the Dockerfile to that platform.
//!
//! A reference that cannot be resolved is an error for that reference,
//! and its file is left as it was, all other fixes included; the other
//! files go on.

mod digest_map;
mod locate;
mod sites;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tallyman_dockerfile::imageref::ImageName;
use tallyman_dockerfile::model::{Dockerfile, Edit, Span};

pub use digest_map::DigestMap;
pub use sites::SiteKind;

use crate::image::digest::Digest;
use crate::image::platform::{self, describe};
use crate::image::registry::{self, TagContent, TagTarget};
use crate::image::{PlatformSpec, RegistryOptions};

/// The rule whose fix a pin is: BI003 reports a base image without a
/// digest. Pins are counted under it, and its pragmas and ignores leave a
/// reference unpinned.
pub const PIN_RULE: &str = "BI003";

/// How references are pinned.
#[derive(Debug, Clone)]
pub struct PinOptions {
    /// Re-resolve references pinned already, and replace a digest whose tag moved.
    pub refresh: bool,
    /// Write the build platform's own manifest digest, not the index's.
    pub platform_manifest: bool,
    /// The build's platform, for stages whose `FROM` names none.
    pub platform: PlatformSpec,
}

/// Where digests come from.
pub enum DigestSource {
    Registry(RegistryOptions),
    /// `--digests FILE`: no network at all.
    Map(DigestMap),
}

type Resolution = Arc<OnceLock<Result<TagTarget, String>>>;

/// Resolves references to digests, each tag once per run whatever the
/// number of files and threads that ask.
pub struct Pinner {
    options: PinOptions,
    source: DigestSource,
    resolved: Mutex<HashMap<String, Resolution>>,
}

/// A digest to write.
#[derive(Debug, Clone)]
pub struct PinEdit {
    pub line: u32,
    pub kind: SiteKind,
    pub edit: Edit,
    /// It replaces a digest already written (`--refresh-pins`).
    pub refresh: bool,
}

/// A reference that could not be pinned: `message` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinError {
    pub line: u32,
    pub message: String,
}

/// What pinning makes of one file's text.
#[derive(Debug, Clone, Default)]
pub struct FilePins {
    pub edits: Vec<PinEdit>,
    /// References that failed: the file must be left as it was.
    pub errors: Vec<PinError>,
    /// References left alone on purpose (built from arguments, ...).
    pub skipped: Vec<PinError>,
}

impl Pinner {
    pub fn new(options: PinOptions, source: DigestSource) -> Pinner {
        Pinner {
            options,
            source,
            resolved: Mutex::new(HashMap::new()),
        }
    }

    /// The pins `dockerfile` (parsed from `text`) needs; `silenced` says
    /// whether BI003 is ignored on a line.
    pub fn plan(
        &self,
        dockerfile: &Dockerfile,
        text: &str,
        silenced: &dyn Fn(u32) -> bool,
    ) -> FilePins {
        let (sites, skipped) = sites::sites(
            dockerfile,
            text,
            &self.options.platform,
            self.options.refresh,
        );
        let mut pins = FilePins {
            skipped: skipped
                .into_iter()
                .map(|s| PinError {
                    line: s.line,
                    message: s.reason,
                })
                .collect(),
            ..FilePins::default()
        };
        let mut seen: Vec<(Span, String, String)> = Vec::new();
        for site in sites {
            if silenced(site.line) {
                continue;
            }
            let current = site.name.digest.clone();
            if current.is_some() && !self.options.refresh {
                continue;
            }
            let what = format!("{} {}", site.kind.describe(), site.shown());
            if current.is_some() && site.name.tag.is_none() {
                pins.skipped.push(PinError {
                    line: site.line,
                    message: format!("{what} is pinned by digest alone: no tag to refresh"),
                });
                continue;
            }
            let platform = match &site.platform {
                Ok(platform) => platform,
                Err(reason) => {
                    pins.skipped.push(PinError {
                        line: site.line,
                        message: format!("{what} not pinned: {reason}"),
                    });
                    continue;
                }
            };
            let digest = match self.digest_for(&site.name, platform) {
                Ok(digest) => digest.to_string(),
                Err(message) => {
                    pins.errors.push(PinError {
                        line: site.line,
                        message: format!("{what}: {message}"),
                    });
                    continue;
                }
            };
            if current.as_deref() == Some(digest.as_str()) {
                continue;
            }
            // One ARG default may serve several references: one edit, and
            // only if they agree on the digest.
            if let Some((_, other, other_what)) = seen.iter().find(|(span, ..)| *span == site.place)
            {
                if *other != digest {
                    pins.errors.push(PinError {
                        line: site.line,
                        message: format!(
                            "{what} resolves to {digest}, but the ARG default it shares with \
                             {other_what} resolves to {other} there (different platforms?); \
                             pin it by hand"
                        ),
                    });
                }
                continue;
            }
            seen.push((site.place, digest.clone(), what));
            pins.edits.push(PinEdit {
                line: site.line,
                kind: site.kind,
                edit: Edit {
                    span: site.place,
                    replacement: format!("@{digest}"),
                },
                refresh: current.is_some(),
            });
        }
        pins
    }

    /// The digest to write for `name` pulled for `platform`.
    fn digest_for(&self, name: &ImageName, platform: &PlatformSpec) -> Result<Digest, String> {
        let options = match &self.source {
            DigestSource::Map(map) => return map.lookup(name, platform),
            DigestSource::Registry(options) => options,
        };
        let target = self.target(name, options)?;
        match &target.content {
            TagContent::Index(manifests) => {
                let what = format!("its index {}", target.digest);
                let chosen =
                    platform::select(manifests, platform, &what).map_err(|err| err.to_string())?;
                if self.options.platform_manifest {
                    Digest::parse(&chosen.digest).map_err(|err| format!("{what}: {err}"))
                } else {
                    Ok(target.digest.clone())
                }
            }
            TagContent::Manifest(served) => {
                let unknown = served.os.is_empty() && served.architecture.is_empty();
                if unknown
                    || platform.matches(&served.os, &served.architecture, served.variant.as_deref())
                {
                    Ok(target.digest.clone())
                } else {
                    Err(format!(
                        "it is a single-platform image for {}, not for the build's platform \
                         {platform} (choose the platform with --platform or FROM --platform)",
                        describe(served)
                    ))
                }
            }
        }
    }

    /// What `name`'s tag names now, asked of its registry once per run.
    fn target(&self, name: &ImageName, options: &RegistryOptions) -> Result<TagTarget, String> {
        let key = ImageName {
            digest: None,
            ..name.clone()
        }
        .normalized();
        let cell = {
            let mut resolved = self
                .resolved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(resolved.entry(key).or_default())
        };
        cell.get_or_init(|| {
            // `--insecure` is for a registry on this machine; the others a
            // Dockerfile names are still reached over HTTPS.
            let options = RegistryOptions {
                insecure: options.insecure && registry::is_loopback(&name.registry),
                ..options.clone()
            };
            registry::resolve_tag(name, &options).map_err(|err| format!("{err:#}"))
        })
        .clone()
    }
}
