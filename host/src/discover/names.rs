//! Which file names are Dockerfiles.
//!
//! Docker's own default names are `Dockerfile` and `dockerfile`; projects add
//! variants as `Dockerfile.<variant>` and `<name>.Dockerfile`, and Podman's
//! `Containerfile` likewise. Matching is case-insensitive, as real trees
//! spell them every way (`xgboost.dockerfile`, `Dockerfile.alpine`).
//! Documents, ignore files and source code that merely share the stem
//! (`Dockerfile.md`, `Dockerfile.dockerignore`, BuildKit's own
//! `dockerfile.go`) are not Dockerfiles.

/// Extensions after `Dockerfile.` that mark a file as something else.
const NOT_A_VARIANT: &[&str] = &[
    "dockerignore",
    "md",
    "markdown",
    "txt",
    "rst",
    "adoc",
    "html",
    "htm",
    "pdf",
    "go",
    "rs",
    "py",
    "js",
    "ts",
    "java",
    "rb",
    "sh",
    "json",
    "yaml",
    "yml",
    "toml",
    "xml",
    "lock",
    "orig",
    "rej",
    "bak",
    "swp",
    "swo",
    "tmp",
    "patch",
    "diff",
];

const STEMS: &[&str] = &["dockerfile", "containerfile"];

/// Whether a file name (no directory) names a Dockerfile.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    STEMS.iter().any(|stem| {
        if lower == *stem {
            return true;
        }
        // `<name>.Dockerfile`
        if let Some(prefix) = lower.strip_suffix(stem)
            && let Some(prefix) = prefix.strip_suffix('.')
        {
            return !prefix.is_empty();
        }
        // `Dockerfile.<variant>`
        if let Some(variant) = lower.strip_prefix(stem).and_then(|r| r.strip_prefix('.')) {
            let last = variant.rsplit('.').next().unwrap_or(variant);
            return !variant.is_empty() && !NOT_A_VARIANT.contains(&last);
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::is_dockerfile_name;

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.alpine",
            "Dockerfile.windowsservercore-iis",
            "Containerfile.fedora",
            "base.Dockerfile",
            "xgboost.dockerfile",
            "api.Containerfile",
        ] {
            assert!(is_dockerfile_name(name), "{name} should be a Dockerfile");
        }
    }

    #[test]
    fn lookalikes() {
        for name in [
            "Dockerfile.md",
            "Dockerfile.dockerignore",
            "dockerfile.go",
            "dockerfile-guide.txt",
            ".Dockerfile",
            "Dockerfile.",
            "Dockerfiles",
            "MyDockerfile",
            "Dockerfile.alpine.orig",
            "README.md",
        ] {
            assert!(
                !is_dockerfile_name(name),
                "{name} should not be a Dockerfile"
            );
        }
    }
}
