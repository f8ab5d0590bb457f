//! Platforms (`linux/amd64`, `linux/arm64/v8`): parsing `--platform` and
//! choosing the matching manifest of a multi-platform index.

use std::fmt;

use tallyman_dockerfile::model;

use super::spec;

/// What `--platform` defaults to, as for `docker pull` on a typical CI runner.
pub const DEFAULT_PLATFORM: &str = "linux/amd64";

/// A requested platform: `os/architecture[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSpec {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl PlatformSpec {
    pub fn parse(text: &str) -> anyhow::Result<PlatformSpec> {
        let parts: Vec<&str> = text.split('/').collect();
        let (os, architecture, variant) = match parts.as_slice() {
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some(*variant)),
            _ => anyhow::bail!(
                "--platform `{text}`: expected os/architecture[/variant], e.g. linux/amd64"
            ),
        };
        if os.is_empty() || architecture.is_empty() || variant.is_some_and(str::is_empty) {
            anyhow::bail!(
                "--platform `{text}`: expected os/architecture[/variant], e.g. linux/amd64"
            );
        }
        Ok(PlatformSpec {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.map(str::to_string),
        })
    }

    /// Whether a manifest built for `os`/`architecture`/`variant` serves this
    /// request. A request without a variant takes any; `arm64` without a
    /// variant is `arm64/v8`, as containerd normalises it.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        if self.os != os || self.architecture != architecture {
            return false;
        }
        let Some(wanted) = self.variant.as_deref() else {
            return true;
        };
        let default_variant = (architecture == "arm64").then_some("v8");
        variant.or(default_variant) == Some(wanted)
    }

    pub fn to_model(&self) -> model::Platform {
        model::Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
        }
    }
}

impl fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// `os/architecture[/variant]` of a descriptor's platform.
pub fn describe(platform: &spec::Platform) -> String {
    match &platform.variant {
        Some(variant) => format!("{}/{}/{variant}", platform.os, platform.architecture),
        None => format!("{}/{}", platform.os, platform.architecture),
    }
}

/// Picks the manifest for `wanted` among an index's image manifests.
///
/// One manifest with no platform is the image whatever was asked for (a
/// single-platform layout); the rule IMG002 then compares its config's
/// platform with the request. Otherwise the request must match one of the
/// platforms listed, and the error lists them when none does.
pub fn select<'a>(
    manifests: &'a [spec::Descriptor],
    wanted: &PlatformSpec,
    what: &str,
) -> anyhow::Result<&'a spec::Descriptor> {
    if let [only] = manifests
        && only.platform.is_none()
    {
        return Ok(only);
    }
    let matching = manifests.iter().find(|descriptor| {
        descriptor
            .platform
            .as_ref()
            .is_some_and(|p| wanted.matches(&p.os, &p.architecture, p.variant.as_deref()))
    });
    if let Some(found) = matching {
        return Ok(found);
    }
    if manifests.is_empty() {
        anyhow::bail!("{what} lists no image manifests");
    }
    let available: Vec<String> = manifests
        .iter()
        .map(|d| {
            d.platform
                .as_ref()
                .map_or_else(|| "(no platform)".to_string(), describe)
        })
        .collect();
    anyhow::bail!(
        "{what} has no image for platform {wanted}; available: {} (choose one with --platform)",
        available.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(platform: Option<(&str, &str, Option<&str>)>, digest: &str) -> spec::Descriptor {
        spec::Descriptor {
            media_type: spec::OCI_MANIFEST.to_string(),
            digest: digest.to_string(),
            size: 0,
            platform: platform.map(|(os, arch, variant)| spec::Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: variant.map(str::to_string),
            }),
            annotations: Default::default(),
        }
    }

    #[test]
    fn parses_platforms() {
        assert_eq!(
            PlatformSpec::parse("linux/amd64").unwrap().to_string(),
            "linux/amd64"
        );
        assert_eq!(
            PlatformSpec::parse("linux/arm/v7")
                .unwrap()
                .variant
                .as_deref(),
            Some("v7")
        );
        for bad in ["", "linux", "linux/", "/amd64", "a/b/c/d", "linux/arm/"] {
            assert!(PlatformSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn selects_the_requested_platform_or_lists_them() {
        let manifests = vec![
            descriptor(Some(("linux", "amd64", None)), "a"),
            descriptor(Some(("linux", "arm64", Some("v8"))), "b"),
        ];
        let arm = PlatformSpec::parse("linux/arm64").unwrap();
        assert_eq!(select(&manifests, &arm, "index").unwrap().digest, "b");
        let arm_v8 = PlatformSpec::parse("linux/arm64/v8").unwrap();
        assert_eq!(select(&manifests, &arm_v8, "index").unwrap().digest, "b");
        let s390 = PlatformSpec::parse("linux/s390x").unwrap();
        let err = select(&manifests, &s390, "index").unwrap_err().to_string();
        assert!(err.contains("linux/amd64, linux/arm64/v8"), "{err}");
        let single = vec![descriptor(None, "c")];
        assert_eq!(select(&single, &s390, "index").unwrap().digest, "c");
    }
}
