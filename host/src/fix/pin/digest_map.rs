//! `--digests FILE`: the digests to pin, given rather than asked of a
//! registry, for builds without network access.
//!
//! The file is a JSON object from image reference to digest:
//!
//! ```json
//! {
//!   "python:3.12-slim": "sha256:…",
//!   "docker.io/library/alpine:3.20": "sha256:…",
//!   "ghcr.io/org/tool:1": {"linux/amd64": "sha256:…", "linux/arm64": "sha256:…"}
//! }
//! ```
//!
//! A key may be written as in the Dockerfile or in full: keys are
//! normalised as Docker does (`python:3.12` is
//! `docker.io/library/python:3.12`, no tag is `latest`), so both spellings
//! find the same entry. A value is one digest, written whatever the
//! platform, or an object from platform to digest.

use std::collections::HashMap;
use std::path::Path;

use tallyman_dockerfile::imageref::ImageName;

use crate::image::PlatformSpec;
use crate::image::digest::Digest;

#[derive(Debug, Clone)]
enum Entry {
    Any(String),
    PerPlatform(Vec<(String, String)>),
}

/// The map, keyed by normalised reference.
#[derive(Debug, Clone)]
pub struct DigestMap {
    file: String,
    entries: HashMap<String, Entry>,
}

/// The key an image name is found under: its normalised name and tag.
fn key(name: &ImageName) -> String {
    ImageName {
        digest: None,
        ..name.clone()
    }
    .normalized()
}

impl DigestMap {
    /// Reads the map; a file that is not such a map is an error that names
    /// the file and the entry. Digests are checked when they are used, so
    /// that a malformed one fails only the references that need it.
    pub fn load(path: &Path) -> anyhow::Result<DigestMap> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|err| anyhow::anyhow!("--digests {file}: cannot read it: {err}"))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|err| anyhow::anyhow!("--digests {file}: not valid JSON: {err}"))?;
        DigestMap::from_json(file, &value)
    }

    fn from_json(file: String, value: &serde_json::Value) -> anyhow::Result<DigestMap> {
        let Some(object) = value.as_object() else {
            anyhow::bail!(
                "--digests {file}: expected a JSON object from image reference to digest"
            );
        };
        let mut entries = HashMap::new();
        for (reference, digest) in object {
            let name = ImageName::parse(reference).map_err(|err| {
                anyhow::anyhow!("--digests {file}: `{reference}` is not an image reference: {err}")
            })?;
            if name.digest.is_some() {
                anyhow::bail!(
                    "--digests {file}: `{reference}` carries a digest; a key names the image by its tag"
                );
            }
            let entry = match digest {
                serde_json::Value::String(digest) => Entry::Any(digest.clone()),
                serde_json::Value::Object(platforms) => Entry::PerPlatform(
                    platforms
                        .iter()
                        .map(|(platform, digest)| match digest.as_str() {
                            Some(digest) => Ok((platform.clone(), digest.to_string())),
                            None => Err(anyhow::anyhow!(
                                "--digests {file}: `{reference}`, platform `{platform}`: the digest must be a string"
                            )),
                        })
                        .collect::<anyhow::Result<_>>()?,
                ),
                _ => anyhow::bail!(
                    "--digests {file}: `{reference}`: the value must be a digest string or an object from platform to digest"
                ),
            };
            if entries.insert(key(&name), entry).is_some() {
                anyhow::bail!(
                    "--digests {file}: `{reference}` names the same image as another key ({})",
                    key(&name)
                );
            }
        }
        Ok(DigestMap { file, entries })
    }

    /// The digest the map gives for `name` built for `platform`.
    pub fn lookup(&self, name: &ImageName, platform: &PlatformSpec) -> Result<Digest, String> {
        let key = key(name);
        let Some(entry) = self.entries.get(&key) else {
            return Err(format!(
                "not in the digest map {} (add `\"{key}\": \"sha256:...\"`)",
                self.file
            ));
        };
        let written = match entry {
            Entry::Any(digest) => digest,
            Entry::PerPlatform(platforms) => platforms
                .iter()
                .find(|(listed, _)| {
                    PlatformSpec::parse(listed).is_ok_and(|listed| {
                        listed == *platform
                            || platform.matches(
                                &listed.os,
                                &listed.architecture,
                                listed.variant.as_deref(),
                            )
                    })
                })
                .map(|(_, digest)| digest)
                .ok_or_else(|| {
                    let listed: Vec<&str> = platforms.iter().map(|(p, _)| p.as_str()).collect();
                    format!(
                        "the digest map {} has no digest for the build's platform {platform} \
                         (it lists {})",
                        self.file,
                        listed.join(", ")
                    )
                })?,
        };
        Digest::parse(written).map_err(|err| {
            format!(
                "the digest map {} gives a malformed digest for {key}: {err}",
                self.file
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn map(json: serde_json::Value) -> anyhow::Result<DigestMap> {
        DigestMap::from_json("digests.json".into(), &json)
    }

    fn name(text: &str) -> ImageName {
        ImageName::parse(text).unwrap()
    }

    #[test]
    fn finds_a_reference_written_either_way() {
        let map = map(serde_json::json!({
            "python:3.12": A,
            "docker.io/library/alpine": B,
        }))
        .unwrap();
        let amd = PlatformSpec::parse("linux/amd64").unwrap();
        assert_eq!(
            map.lookup(&name("docker.io/library/python:3.12"), &amd)
                .unwrap()
                .to_string(),
            A
        );
        assert_eq!(
            map.lookup(&name("alpine:latest"), &amd)
                .unwrap()
                .to_string(),
            B
        );
        assert_eq!(
            map.lookup(&name(&format!("python:3.12@{B}")), &amd)
                .unwrap()
                .to_string(),
            A
        );
        let missing = map.lookup(&name("python:3.13"), &amd).unwrap_err();
        assert!(
            missing.contains("not in the digest map digests.json")
                && missing.contains("docker.io/library/python:3.13"),
            "{missing}"
        );
    }

    #[test]
    fn chooses_by_platform_and_reports_malformed_digests_when_used() {
        let map = map(serde_json::json!({
            "tool:1": {"linux/amd64": A, "linux/arm64/v8": B},
            "bad:1": "sha256:XYZ",
        }))
        .unwrap();
        let arm = PlatformSpec::parse("linux/arm64").unwrap();
        let amd = PlatformSpec::parse("linux/amd64").unwrap();
        let s390 = PlatformSpec::parse("linux/s390x").unwrap();
        assert_eq!(map.lookup(&name("tool:1"), &arm).unwrap().to_string(), B);
        assert_eq!(map.lookup(&name("tool:1"), &amd).unwrap().to_string(), A);
        let none = map.lookup(&name("tool:1"), &s390).unwrap_err();
        assert!(
            none.contains("no digest for the build's platform linux/s390x"),
            "{none}"
        );
        let bad = map.lookup(&name("bad:1"), &amd).unwrap_err();
        assert!(bad.contains("malformed digest"), "{bad}");
    }

    #[test]
    fn refuses_what_is_not_a_map_of_references() {
        for json in [
            serde_json::json!([]),
            serde_json::json!({"Not A Reference": A}),
            serde_json::json!({"python:3.12": 3}),
            serde_json::json!({"python:3.12": {"linux/amd64": 3}}),
            serde_json::json!({"python:3.12": A, "docker.io/library/python:3.12": B}),
            serde_json::json!({ format!("python:3.12@{A}"): A }),
        ] {
            let err = map(json.clone()).unwrap_err().to_string();
            assert!(err.starts_with("--digests digests.json"), "{json}: {err}");
        }
    }
}
