//! What kind of image a stage is built on: a build toolchain (MS001), a
//! full distribution or full language image (MS011), or a minimal base
//! where static binaries must live on their own (MS012, MS013).

use tallyman_sdk::model::{ImageName, ImageReference, ImageSource};

/// JDK distributions whose images are JDKs unless the tag says `jre`.
const JDK_FAMILIES: &[&str] = &[
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "sapmachine",
    "ibm-semeru-runtimes",
    "ibmjava",
    "adoptopenjdk",
    "zulu-openjdk",
    "zulu-openjdk-alpine",
    "zulu-openjdk-debian",
    "liberica-openjdk-debian",
    "liberica-openjdk-alpine",
    "liberica-openjdk-centos",
    "jdk",
];

/// Distributions with a full userland: package manager, shell, coreutils.
const DISTRIBUTIONS: &[&str] = &[
    "ubuntu",
    "debian",
    "centos",
    "fedora",
    "amazonlinux",
    "rockylinux",
    "almalinux",
    "oraclelinux",
    "archlinux",
    "photon",
    "clearlinux",
    "mageia",
    "ubi",
    "ubi7",
    "ubi8",
    "ubi9",
    "ubi10",
];

/// Distributions published under a path rather than a family name:
/// openSUSE's images, Azure Linux and CBL-Mariner's base images.
const DISTRIBUTION_REPOSITORIES: &[&str] = &["opensuse/", "azurelinux/base/", "cbl-mariner/base/"];

/// A distribution with a full userland: package manager, shell, coreutils.
fn is_distribution(name: &ImageName) -> bool {
    let repository = name.repository.to_ascii_lowercase();
    name.is_family(DISTRIBUTIONS)
        || DISTRIBUTION_REPOSITORIES
            .iter()
            .any(|prefix| repository.starts_with(prefix))
}

/// Language images whose default variant is a full Debian with build tools
/// (and that MS001 does not already count as toolchains).
const FULL_LANGUAGE_IMAGES: &[&str] = &[
    "ruby", "perl", "erlang", "elixir", "haskell", "swift", "julia", "r-base",
];

/// Why the image is a build toolchain, when it is one.
pub fn toolchain(name: &ImageName) -> Option<String> {
    let family = name.family();
    let what = match family.as_str() {
        "golang" => "the Go toolchain".to_string(),
        "rust" => "the Rust toolchain".to_string(),
        "maven" => "Maven and a JDK".to_string(),
        "gradle" => "Gradle and a JDK".to_string(),
        "gcc" => "the GCC toolchain".to_string(),
        "buildpack-deps" if is_official(name) && !is_minimal_buildpack_deps(name) => {
            "compilers and development headers (buildpack-deps)".to_string()
        }
        "node" | "python" if is_official(name) && is_full_variant(name) => {
            format!(
                "compilers and headers (the full `{family}` variant is built on buildpack-deps)"
            )
        }
        "sdk" if name.repository.to_ascii_lowercase().contains("dotnet") => {
            "the .NET SDK".to_string()
        }
        _ if is_jdk(name) => "a JDK".to_string(),
        _ => return None,
    };
    Some(what)
}

/// A Docker Official Image, on Docker Hub or a mirror of it
/// (`mirror.gcr.io/library/node`, `public.ecr.aws/docker/library/node`):
/// the variant names (`slim`, full) mean what the official images make
/// them mean.
fn is_official(name: &ImageName) -> bool {
    let repository = name.repository.to_ascii_lowercase();
    repository.starts_with("library/") || repository.contains("/library/")
}

/// `buildpack-deps:*-curl` and `*-scm` are a distribution with curl (and
/// version control tools): no compilers.
fn is_minimal_buildpack_deps(name: &ImageName) -> bool {
    name.has_variant("curl") || name.has_variant("scm")
}

/// The full (default) variant of an official language image: not `slim`,
/// not `alpine`, not Windows-specific minimal variants.
fn is_full_variant(name: &ImageName) -> bool {
    !["slim", "alpine", "nanoserver"]
        .iter()
        .any(|variant| name.has_variant(variant))
}

fn is_jdk(name: &ImageName) -> bool {
    let repository = name.repository.to_ascii_lowercase();
    let jdk_path = repository
        .split('/')
        .any(|part| part == "jdk" || part.ends_with("-jdk"));
    let jdk_family = name.is_family(JDK_FAMILIES)
        || repository.starts_with("azul/zulu-openjdk")
        || repository.starts_with("bellsoft/liberica-openjdk");
    (jdk_family || jdk_path) && !name.has_variant("jre") && !tag_mentions(name, "jre")
}

/// A tag word contains `word` (`open-17-jre`, `17-jre-alpine`, `8u402-jre`).
fn tag_mentions(name: &ImageName, word: &str) -> bool {
    name.tag.as_deref().is_some_and(|tag| {
        tag.to_ascii_lowercase().split(['-', '_', '.']).any(|part| {
            part.strip_prefix(word)
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
        })
    })
}

/// Why the image is a full distribution or full language image, when it
/// is one (and not a toolchain: MS001 reports those).
pub fn full_image(name: &ImageName) -> Option<String> {
    if toolchain(name).is_some() {
        return None;
    }
    let family = name.family();
    let minimal = name.has_variant("slim")
        || name.has_variant("alpine")
        || name.has_variant("minimal")
        || name.has_variant("micro")
        || name.has_variant("chiseled");
    if minimal {
        return None;
    }
    if is_distribution(name) {
        return Some(format!("`{}` is a full distribution", name.familiar_name()));
    }
    if family == "buildpack-deps" && is_official(name) {
        return Some(format!(
            "`{}` is a full Debian with curl and version control tools",
            name.familiar()
        ));
    }
    if name.is_family(FULL_LANGUAGE_IMAGES) && is_official(name) {
        return Some(format!(
            "`{}` is the full variant of the {family} image, built on a full Debian",
            name.familiar()
        ));
    }
    None
}

/// What starting an image with no command of its own runs, when it is
/// not an application: a toolchain's interpreter or compiler (`golang`,
/// `node`), or a distribution's shell (`debian`, `alpine`, `busybox`,
/// `buildpack-deps`), or nothing at all (`scratch`).
pub fn inherited_command_is_not_an_application(reference: &ImageReference) -> bool {
    match &reference.source {
        ImageSource::Scratch => true,
        ImageSource::Image(name) => {
            toolchain(name).is_some()
                || full_image(name).is_some()
                || is_distribution(name)
                || name.is_family(&["alpine", "busybox"])
        }
        ImageSource::Stage(_) | ImageSource::Unresolved(_) => false,
    }
}

/// Official language images, whose own command is an interpreter with no
/// program (`node`, `python3`, `php -a`), not an application.
const LANGUAGE_IMAGES: &[&str] = &[
    "node",
    "python",
    "pypy",
    "ruby",
    "php",
    "perl",
    "golang",
    "rust",
    "gcc",
    "erlang",
    "elixir",
    "haskell",
    "swift",
    "julia",
    "r-base",
    "clojure",
    "groovy",
    "dart",
    "bash",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "ibmjava",
    "ibm-semeru-runtimes",
    "sapmachine",
    "maven",
    "gradle",
    "buildpack-deps",
    "docker",
];

/// An official image whose own command runs a server (`nginx`, `httpd`,
/// `postgres`, `php:*-apache`, `php:*-fpm`, `tomcat`): an image built on it
/// with no command of its own runs that server.
pub fn runs_a_server(name: &ImageName) -> bool {
    if !is_official(name) || name.is_family(DISTRIBUTIONS) {
        return false;
    }
    if name.is_family(&["php"]) {
        return name.has_variant("apache") || name.has_variant("fpm");
    }
    !name.is_family(LANGUAGE_IMAGES) && !name.is_family(&["alpine", "busybox"])
}

/// A base with no C library or shell of its own: `scratch`, distroless
/// `static`, Chainguard `static`. What is copied in must be self-contained.
pub fn is_static_base(reference: &ImageReference) -> Option<String> {
    match &reference.source {
        ImageSource::Scratch => Some("`scratch`".to_string()),
        ImageSource::Image(name)
            if (name.is_distroless() || name.is_chainguard())
                && name.family().starts_with("static") =>
        {
            Some(format!("`{}`", name.familiar()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(reference: &str) -> ImageName {
        let (registry, rest) = match reference.split_once('/') {
            Some((first, rest)) if first.contains('.') => (first.to_string(), rest.to_string()),
            _ => ("docker.io".to_string(), reference.to_string()),
        };
        let (repository, tag) = match rest.rsplit_once(':') {
            Some((repository, tag)) => (repository.to_string(), Some(tag.to_string())),
            None => (rest, None),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        ImageName {
            registry,
            repository,
            tag,
            digest: None,
        }
    }

    #[test]
    fn toolchains() {
        for toolchain_image in [
            "golang:1.22-alpine",
            "rust:1-slim",
            "maven:3-eclipse-temurin-21",
            "gradle:8-jdk21",
            "gcc:13",
            "buildpack-deps:bookworm",
            "node:20",
            "node:20-bookworm",
            "mirror.gcr.io/library/node:20",
            "python:3.12",
            "python",
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "mcr.microsoft.com/dotnet/core/sdk:3.1",
            "openjdk:17",
            "eclipse-temurin:21",
            "eclipse-temurin:21-jdk-jammy",
            "amazoncorretto:21",
            "ibm-semeru-runtimes:open-17-jdk",
            "mcr.microsoft.com/openjdk/jdk:21-ubuntu",
        ] {
            assert!(
                toolchain(&image(toolchain_image)).is_some(),
                "{toolchain_image}"
            );
        }
        for runtime_image in [
            "node:20-slim",
            "node:20-alpine3.19",
            "python:3.12-slim-bookworm",
            "buildpack-deps:bookworm-curl",
            "buildpack-deps:scm",
            "eclipse-temurin:21-jre",
            "eclipse-temurin:21-jre-alpine",
            "ibm-semeru-runtimes:open-17-jre",
            "openjdk:8-jre",
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            "mcr.microsoft.com/dotnet/runtime-deps:8.0",
            "ubuntu:24.04",
            "someone/sdk:1",
            "bitnami/node:22",
        ] {
            assert!(
                toolchain(&image(runtime_image)).is_none(),
                "{runtime_image}"
            );
        }
    }

    #[test]
    fn server_images() {
        for server in [
            "nginx:1.27",
            "httpd:2.4",
            "postgres:17",
            "php:8.3-apache-bookworm",
            "php:8.3-fpm-alpine",
            "tomcat:10",
        ] {
            assert!(runs_a_server(&image(server)), "{server}");
        }
        for not_a_server in [
            "php:8.3-cli",
            "php:8.3",
            "python:3.12-slim",
            "node:22-alpine",
            "debian:12-slim",
            "alpine:3.20",
            "eclipse-temurin:21-jre",
            "bitnami/nginx:1.27",
        ] {
            assert!(!runs_a_server(&image(not_a_server)), "{not_a_server}");
        }
    }

    #[test]
    fn full_images() {
        for full in [
            "ubuntu:24.04",
            "debian:bookworm",
            "debian",
            "centos:7",
            "fedora:40",
            "amazonlinux:2023",
            "opensuse/leap:15.6",
            "mcr.microsoft.com/azurelinux/base/core:3.0",
            "mcr.microsoft.com/cbl-mariner/base/core:2.0",
            "registry.access.redhat.com/ubi9:latest",
            "registry.access.redhat.com/ubi9/ubi:9.4",
            "ruby:3.3",
            "buildpack-deps:bookworm-curl",
        ] {
            assert!(full_image(&image(full)).is_some(), "{full}");
        }
        for not_full in [
            "debian:bookworm-slim",
            "ruby:3.3-slim",
            "ruby:3.3-alpine",
            "registry.access.redhat.com/ubi9/ubi-minimal:9.4",
            "golang:1.22",
            "nginx:1.27",
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            "alpine:3.20",
        ] {
            assert!(full_image(&image(not_full)).is_none(), "{not_full}");
        }
    }
}
