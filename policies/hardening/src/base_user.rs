//! Who a container runs as when its Dockerfile sets no `USER`: the user its
//! base image sets, which the Dockerfile does not show. A few images are
//! known well enough to say; for the others HD001 can only say it does not
//! know.
//!
//! The lists hold images whose default user is documented or plain from
//! their own Dockerfiles, and nothing guessed: an image missing from both
//! lists is reported as unknown, never as root.

use tallyman_sdk::model::{ImageName, ImageReference};

/// The default user of a base image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseUser {
    /// The image runs as this administrator: `root`, or
    /// `ContainerAdministrator` on Windows Server Core.
    Root(&'static str),
    /// The image switches to an unprivileged user itself.
    NonRoot,
    /// An image this policy knows nothing about, or a name only a build
    /// argument gives.
    Unknown,
}

pub fn base_user(base: &ImageReference) -> BaseUser {
    if base.is_scratch() {
        // An empty filesystem has no `/etc/passwd`: processes get UID 0.
        return BaseUser::Root("root");
    }
    let Some(name) = base.image() else {
        return BaseUser::Unknown;
    };
    if sets_non_root_user(name) {
        BaseUser::NonRoot
    } else if let Some(user) = runs_as_administrator(name) {
        BaseUser::Root(user)
    } else {
        BaseUser::Unknown
    }
}

/// A dev container image (`mcr.microsoft.com/devcontainers/*`, the older
/// `mcr.microsoft.com/vscode/devcontainers/*`), whose user is chosen by
/// `devcontainer.json`, not by the image.
pub fn is_dev_container_base(name: &ImageName) -> bool {
    let repository = name.repository.to_ascii_lowercase();
    name.registry.eq_ignore_ascii_case("mcr.microsoft.com")
        && (repository.starts_with("devcontainers/")
            || repository.starts_with("vscode/devcontainers/"))
}

/// Docker Official Images that end with their own unprivileged `USER`.
const NON_ROOT_OFFICIAL: &[&str] = &[
    "elasticsearch",
    "jenkins",
    "kibana",
    "logstash",
    "odoo",
    "solr",
    "sonarqube",
];

/// Images outside Docker Hub's `library/` that end with an unprivileged
/// `USER`: Jenkins (`USER jenkins`) and its agents.
const NON_ROOT_REPOSITORIES: &[&str] = &[
    "jenkins/jenkins",
    "jenkins/agent",
    "jenkins/inbound-agent",
    "jenkins/jnlp-slave",
    "jenkins/slave",
    "jupyterhub/singleuser",
];

fn sets_non_root_user(name: &ImageName) -> bool {
    let tag = name.tag.as_deref().unwrap_or_default().to_ascii_lowercase();
    let repository = name.repository.to_ascii_lowercase();
    let family = name.family();
    // Distroless and Chainguard `nonroot` tags, nginx's `-unprivileged`
    // images, and Windows Nano Server (which runs as `ContainerUser`).
    if tag.contains("nonroot")
        || tag.contains("nanoserver")
        || repository.ends_with("-unprivileged")
        || family == "nanoserver"
    {
        return true;
    }
    // .NET's chiseled (Ubuntu) and distroless (Azure Linux) images end with
    // `USER $APP_UID` (1654); dotnet-monitor and the Aspire dashboard are
    // published only on those, whatever their tag says.
    if name.registry.eq_ignore_ascii_case("mcr.microsoft.com")
        && repository.starts_with("dotnet/")
        && (tag.contains("chiseled")
            || tag.contains("distroless")
            || repository.starts_with("dotnet/monitor")
            || repository == "dotnet/aspire-dashboard")
    {
        return true;
    }
    // The Jupyter Docker Stacks (docker.io/jupyter/*, quay.io/jupyter/*)
    // all descend from docker-stacks-foundation, which ends with
    // `USER ${NB_UID}` (jovyan).
    if let Some(stack) = repository.strip_prefix("jupyter/")
        && (name.is_docker_hub() || name.registry.eq_ignore_ascii_case("quay.io"))
        && (stack.ends_with("-notebook") || stack == "docker-stacks-foundation")
    {
        return true;
    }
    if name.is_docker_hub() {
        // Bitnami's application images run as UID 1001; minideb is the
        // plain Debian they are built on.
        if repository.starts_with("bitnami/") && repository != "bitnami/minideb" {
            return true;
        }
        if NON_ROOT_REPOSITORIES.contains(&repository.as_str()) {
            return true;
        }
        if name.is_official() && NON_ROOT_OFFICIAL.contains(&family.as_str()) {
            return true;
        }
    }
    false
}

/// Distributions and Docker Official Images that set no `USER`: the
/// operating systems, the language and build images, and the servers whose
/// main process starts as root (and may drop privileges itself).
const ROOT_IMAGES: &[&str] = &[
    // Distributions.
    "almalinux",
    "alpine",
    "amazonlinux",
    "archlinux",
    "busybox",
    "centos",
    "clearlinux",
    "debian",
    "fedora",
    "leap",
    "mageia",
    "oraclelinux",
    "photon",
    "rockylinux",
    "tumbleweed",
    "ubuntu",
    // Languages and build tools.
    "amazoncorretto",
    "bash",
    "buildpack-deps",
    "clojure",
    "composer",
    "dart",
    "docker",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "gcc",
    "golang",
    "haskell",
    "ibm-semeru-runtimes",
    "ibmjava",
    "julia",
    "maven",
    "mono",
    "node",
    "openjdk",
    "perl",
    "php",
    "pypy",
    "python",
    "r-base",
    "ruby",
    "rust",
    "sapmachine",
    "swift",
    // Servers.
    "caddy",
    "drupal",
    "httpd",
    "joomla",
    "mariadb",
    "mongo",
    "mysql",
    "nextcloud",
    "nginx",
    "postgres",
    "redis",
    "registry",
    "tomcat",
    "traefik",
    "wordpress",
];

/// Docker Hub's per-architecture copies of the official images
/// (`amd64/alpine`, `arm64v8/debian`).
const ARCHITECTURE_NAMESPACES: &[&str] = &[
    "amd64",
    "arm32v5",
    "arm32v6",
    "arm32v7",
    "arm64v8",
    "i386",
    "mips64le",
    "ppc64le",
    "riscv64",
    "s390x",
    "windows-amd64",
];

/// Publishers of distribution images on other registries:
/// `quay.io/centos/centos`, `quay.io/fedora/fedora`,
/// `public.ecr.aws/amazonlinux/amazonlinux`, `opensuse/leap`.
const DISTRIBUTION_NAMESPACES: &[&str] = &[
    "almalinux",
    "amazonlinux",
    "centos",
    "debian",
    "fedora",
    "opensuse",
    "rockylinux",
    "ubuntu",
];

/// Microsoft images that run as an administrator, by repository prefix;
/// .NET's own images (`sdk`, `aspnet`, `runtime`, `runtime-deps`) leave the
/// user of the distribution they are built on unless their tag is
/// chiseled, distroless or Nano Server (see [`sets_non_root_user`]).
const MICROSOFT_ROOT_REPOSITORIES: &[&str] = &[
    "dotnet/",
    "azurelinux/base/",
    "azurelinux-beta/base/",
    "cbl-mariner/base/",
    "windows/",
];

fn runs_as_administrator(name: &ImageName) -> Option<&'static str> {
    let repository = name.repository.to_ascii_lowercase();
    let family = name.family();
    let parts: Vec<&str> = repository.split('/').collect();
    if name.registry.eq_ignore_ascii_case("mcr.microsoft.com") {
        let windows = repository.starts_with("windows/")
            || name
                .tag
                .as_deref()
                .is_some_and(|tag| tag.to_ascii_lowercase().contains("windowsservercore"));
        if windows {
            return Some("ContainerAdministrator");
        }
        return MICROSOFT_ROOT_REPOSITORIES
            .iter()
            .any(|prefix| repository.starts_with(prefix))
            .then_some("root");
    }
    // Distroless images without a `nonroot` tag run as UID 0.
    if name.registry.eq_ignore_ascii_case("gcr.io") && repository.starts_with("distroless/") {
        return Some("root");
    }
    if is_red_hat_ubi(name, &parts) {
        return Some("root");
    }
    if !ROOT_IMAGES.contains(&family.as_str()) {
        return None;
    }
    // The family alone is not enough on Docker Hub: `bats-jenkins` is
    // `library/bats-jenkins` there, and `someone/python` can be anything.
    let known = match parts.as_slice() {
        [_] => !name.is_docker_hub(),
        [.., namespace, _] => {
            *namespace == "library"
                || ARCHITECTURE_NAMESPACES.contains(namespace)
                || DISTRIBUTION_NAMESPACES.contains(namespace)
        }
        [] => false,
    };
    known.then_some("root")
}

/// Red Hat's Universal Base Images (`registry.access.redhat.com/ubi9/ubi`,
/// `ubi9/ubi-minimal`, Docker Hub's `redhat/ubi10-minimal`), not the
/// language images built on them, which run as UID 1001.
fn is_red_hat_ubi(name: &ImageName, parts: &[&str]) -> bool {
    let red_hat = name.registry.to_ascii_lowercase().contains("redhat")
        || (name.is_docker_hub() && parts.first() == Some(&"redhat"));
    let Some(family) = parts.last().filter(|_| red_hat) else {
        return false;
    };
    let release = family.trim_start_matches("ubi");
    let release = release.trim_start_matches(|c: char| c.is_ascii_digit());
    family.starts_with("ubi") && matches!(release, "" | "-minimal" | "-micro" | "-init")
}
