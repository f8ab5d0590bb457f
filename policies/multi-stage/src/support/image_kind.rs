//! What kind of image a Dockerfile builds: an application image, which
//! ships to run a service or program and should carry no build tools, or a
//! toolchain image, whose product is the tools themselves (a Maven or
//! `make` image, a CI image, a dev container, a language image).
//!
//! MS001, MS002, MS006, MS007 and MS011 hold application images to the
//! build-then-ship standard and leave toolchain images alone. The decision,
//! first match wins:
//!
//! 1. The file says so: a comment line `# tallyman image-kind=toolchain`
//!    or `# tallyman image-kind=application` anywhere in it (`tallyman`,
//!    whitespace, `image-kind=`, the kind; the last one wins; another kind
//!    is logged and ignored).
//! 2. The `toolchain-paths` setting: globs matched against the file's path
//!    relative to the scan root (`ci/**`, `**/.devcontainer/**`).
//! 3. A dev container or CI image: the file is under a `.devcontainer/`,
//!    `.github/`, `.gitlab/`, `.circleci/` or `.buildkite/` directory, or
//!    an `eng/` directory (engineering infrastructure, the convention of
//!    .NET's Arcade SDK that the dotnet repositories follow; matched at
//!    any depth because an org-wide scan prefixes paths with the
//!    repository's), the
//!    chain starts from a dev-environment or CI image
//!    (`mcr.microsoft.com/devcontainers/*`, `gitpod/workspace-*`, `cimg/*`,
//!    `circleci/*`, `jenkins/agent`, `jenkins/inbound-agent`), or a
//!    `devcontainer.metadata` label is set. A source-to-image builder (an `io.openshift.s2i.*` or
//!    `io.s2i.*` label, `builder` in `io.openshift.tags`, an `s2i-*` base)
//!    builds applications and is a toolchain too.
//! 4. What the image runs ([`command`]): a build tool (`mvn`, `make`,
//!    `cargo`, the `dotnet` CLI without an assembly, a bare `npm`), a shell
//!    with no script, an interpreter with no program (`python3`, `node`, `php -a`)
//!    or an idle loop (`sleep infinity`, `tail -f /dev/null`).
//!
//!    No `ENTRYPOINT` or `CMD` at all: the base image's command runs. On a
//!    toolchain (`golang`), a distribution's shell (`debian`, `alpine`) or
//!    `scratch`, that is no application: a base image, a CI step
//!    (`validate`, `lint`). On an official image that runs a server
//!    (`nginx`, `php:8-apache`, `postgres`), the image runs that server: an
//!    application. On any other base (`python:3-slim`, an image of your
//!    own), an image that copies another stage's output ships it: an
//!    application; one that does not is a base for other images or a build
//!    step. Names (5) are read first, as for a script.
//! 5. Names. The final stage's own name, the file name
//!    (`Dockerfile.ci`, `dev.Dockerfile`) or a title, name or tag label
//!    saying `dev`, `development`, `devcontainer`, `ci`, `test`, `lint`,
//!    `validate`, `toolchain` or `buildenv` (`FROM node:22 AS dev-envs`).
//!    When the command is only a script of the image (`/entry.sh`) whose
//!    content the file does not show, or there is none, also the name of a
//!    stage it is built on, a directory of its path (`ci/`, `toolchain/`,
//!    `builder/`, `cross/`, and `jdk17/`, the JDK variant of an image
//!    published in JDK and JRE variants), and the words `build`, `builder`,
//!    `sdk` and `cross`: a stage called `build` that runs `/app` is a Go
//!    toolchain shipped with an application, whatever its name.
//!
//! Everything else is an application image.

use tallyman_sdk::model::Stage;
use tallyman_sdk::{Dockerfile, log};

use super::command::{self, Command};
use super::{graph, images};
use crate::settings::Settings;

/// What kind of image the final stage is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageKind {
    Application,
    /// A toolchain, CI, dev-container or base image, and why.
    Toolchain(String),
}

impl ImageKind {
    pub fn is_application(&self) -> bool {
        matches!(self, ImageKind::Application)
    }
}

/// The pragma's words after `#`.
const PRAGMA: &str = "tallyman";
const PRAGMA_KEY: &str = "image-kind=";

/// Words in names that say the image is for developing or building, on
/// their own.
const TOOLCHAIN_WORDS: &[&str] = &[
    "toolchain",
    "toolchains",
    "buildenv",
    "ci",
    "devcontainer",
    "devcontainers",
    "dev",
    "devel",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "validate",
    "toolbox",
    "buildbox",
];

/// Words that name a build step as often as a build image: they count
/// only when the command does not show what the image runs.
const BUILD_WORDS: &[&str] = &["build", "builder", "builders", "sdk", "cross"];

/// Directory names that say the files under them build toolchains (not
/// `build/` or `dev/`, which hold the packaging of applications too).
const TOOLCHAIN_DIRECTORIES: &[&str] = &[
    "toolchain",
    "toolchains",
    "builder",
    "builders",
    "buildenv",
    "ci",
    "devcontainer",
    "cross",
];

/// Label keys whose values name the image (not free-text descriptions,
/// which mention building in passing).
const NAMING_LABELS: &[&str] = &[
    "org.opencontainers.image.title",
    "org.label-schema.name",
    "name",
    "title",
    "io.k8s.display-name",
    "io.openshift.tags",
];

/// The kind of image `final_stage` makes.
pub fn classify(dockerfile: &Dockerfile, settings: &Settings, final_stage: &Stage) -> ImageKind {
    if let Some(declared) = declared_kind(dockerfile) {
        return declared;
    }
    if let Some(glob) = settings.toolchain_path(&dockerfile.path) {
        return ImageKind::Toolchain(format!(
            "its path matches `{glob}` of the `toolchain-paths` setting"
        ));
    }
    if let Some(why) = dev_container_or_builder(dockerfile, final_stage) {
        return ImageKind::Toolchain(why);
    }
    let command = command::of(dockerfile, final_stage);
    if let Some(why) = command.toolchain_reason() {
        return ImageKind::Toolchain(why);
    }
    let opaque = matches!(command, Command::Script | Command::Nothing);
    if let Some(why) = toolchain_name(dockerfile, final_stage, opaque) {
        return ImageKind::Toolchain(why);
    }
    if command == Command::Nothing {
        // The base image's command is inherited. An image that takes what
        // another stage built onto a base that runs a server (`nginx`)
        // ships it; on a toolchain, a distribution's shell or `scratch`,
        // with nothing to run, it is a build step (`validate`, `lint`), a
        // base or a toolchain for others.
        let base = dockerfile.root_base(final_stage);
        if images::inherited_command_is_not_an_application(base) {
            return ImageKind::Toolchain(format!(
                "it sets neither `ENTRYPOINT` nor `CMD`, and its base {} runs no application",
                super::quote(base)
            ));
        }
        if base.image().is_some_and(images::runs_a_server)
            || graph::ships_artifacts_of_other_stages(dockerfile, final_stage)
        {
            return ImageKind::Application;
        }
        return ImageKind::Toolchain(
            "it sets neither `ENTRYPOINT` nor `CMD` and ships no other stage's output: a base \
             for other images or a build step"
                .to_string(),
        );
    }
    ImageKind::Application
}

/// `# tallyman image-kind=toolchain|application`, the last one written.
fn declared_kind(dockerfile: &Dockerfile) -> Option<ImageKind> {
    let mut declared = None;
    for comment in &dockerfile.comments {
        let Some(rest) = comment.text.trim().strip_prefix(PRAGMA) else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(value) = rest.trim().strip_prefix(PRAGMA_KEY) else {
            continue;
        };
        match value.trim() {
            "toolchain" => {
                declared = Some(ImageKind::Toolchain(format!(
                    "line {} declares it (`# tallyman image-kind=toolchain`)",
                    comment.line
                )));
            }
            "application" => declared = Some(ImageKind::Application),
            other => log::warn(&format!(
                "line {}: `image-kind={other}` is neither `toolchain` nor `application`; ignored",
                comment.line
            )),
        }
    }
    declared
}

/// Directories whose Dockerfiles are dev containers or CI images (GitHub
/// container actions, GitLab and CircleCI jobs), wherever they sit.
const CI_AND_DEV_DIRECTORIES: &[&str] = &[
    ".devcontainer",
    ".github",
    ".gitlab",
    ".circleci",
    ".buildkite",
];

/// Base images of dev environments and CI jobs, by repository prefix.
const CI_AND_DEV_BASES: &[&str] = &[
    "devcontainers/",
    "vscode/devcontainers/",
    "gitpod/workspace-",
    "cimg/",
    "circleci/",
    "jenkins/agent",
    "jenkins/inbound-agent",
    "jenkins/ssh-agent",
    "actions/actions-runner",
];

/// The directory of engineering infrastructure (build, release and
/// dependency-update tooling) in repositories on .NET's Arcade SDK.
const ENGINEERING_DIRECTORY: &str = "eng";

fn dev_container_or_builder(dockerfile: &Dockerfile, final_stage: &Stage) -> Option<String> {
    let path = dockerfile.path.replace('\\', "/");
    let mut directories = path.split('/').rev().skip(1);
    if directories.any(|directory| directory.eq_ignore_ascii_case(ENGINEERING_DIRECTORY)) {
        return Some("it is an engineering tool of the repository (under `eng/`)".to_string());
    }
    if let Some(directory) = path.split('/').find(|part| {
        CI_AND_DEV_DIRECTORIES
            .iter()
            .any(|directory| part.eq_ignore_ascii_case(directory))
    }) {
        return Some(format!(
            "it is a dev container or CI image (under `{directory}/`)"
        ));
    }
    if let Some(name) = dockerfile.root_base(final_stage).image() {
        let repository = name.repository.to_ascii_lowercase();
        // `mcr.microsoft.com/devcontainers/base` has the repository
        // `devcontainers/base`; a mirror may add a prefix.
        let ci_or_dev = CI_AND_DEV_BASES.iter().any(|prefix| {
            repository.starts_with(prefix) || repository.contains(&format!("/{prefix}"))
        });
        if ci_or_dev {
            return Some(format!(
                "it is a dev environment or CI image (built on `{}`)",
                name.familiar()
            ));
        }
        if repository.split('/').any(|part| part.starts_with("s2i-")) {
            return Some(format!(
                "it is a source-to-image builder (built on `{}`)",
                name.familiar()
            ));
        }
    }
    for stage in dockerfile.ancestry(final_stage) {
        for (_, instruction) in stage.instructions() {
            let Some(labels) = instruction.as_label() else {
                continue;
            };
            for label in labels {
                let key = label.key.to_ascii_lowercase();
                if key == "devcontainer.metadata" {
                    return Some("it is a dev container (`devcontainer.metadata` label)".into());
                }
                let builder_tag = key == "io.openshift.tags"
                    && label.value.split(',').any(|tag| tag.trim() == "builder");
                if builder_tag || key.starts_with("io.openshift.s2i.") || key.starts_with("io.s2i.")
                {
                    return Some(format!(
                        "it is a source-to-image builder (`{}` label)",
                        label.key
                    ));
                }
            }
        }
    }
    None
}

/// A name of the final stage, the file or its labels that says toolchain;
/// with `opaque` (the command is a script the file does not show), the
/// names of the stages it is built on, its directories and the build
/// words too.
fn toolchain_name(dockerfile: &Dockerfile, final_stage: &Stage, opaque: bool) -> Option<String> {
    let word_in = |text: &str| toolchain_word(text, opaque);
    let chain = dockerfile.ancestry(final_stage);
    let stages = if opaque { &chain[..] } else { &chain[..1] };
    for stage in stages {
        if let Some(name) = &stage.name
            && let Some(word) = word_in(name)
        {
            return Some(format!("its stage `{name}` says `{word}`"));
        }
    }
    let path = dockerfile.path.replace('\\', "/");
    let mut parts: Vec<&str> = path.split('/').collect();
    if let Some(file) = parts.pop() {
        let words = file
            .split(['.', '-', '_'])
            .filter(|word| !is_dockerfile_word(word));
        for word in words {
            if let Some(word) = word_in(word) {
                return Some(format!("its file name `{file}` says `{word}`"));
            }
        }
    }
    if opaque {
        for directory in parts {
            let name = directory.trim_start_matches('.').to_ascii_lowercase();
            if TOOLCHAIN_DIRECTORIES.contains(&name.as_str()) {
                return Some(format!("it is under the directory `{directory}/`"));
            }
            if is_jdk_variant(&name) {
                return Some(format!(
                    "it is under `{directory}/`: the JDK variant of an image published in \
                     JDK and JRE variants"
                ));
            }
        }
    }
    for stage in &chain {
        for (_, instruction) in stage.instructions() {
            for label in instruction.as_label().unwrap_or_default() {
                if !NAMING_LABELS.contains(&label.key.to_ascii_lowercase().as_str()) {
                    continue;
                }
                if let Some(word) = word_in(&label.value) {
                    return Some(format!("its label `{}` says `{word}`", label.key));
                }
            }
        }
    }
    None
}

/// `jdk`, `jdk17`: a directory of one variant in a matrix of images
/// (`10.1/jdk17/temurin-noble/Dockerfile` beside `10.1/jre17/...`).
fn is_jdk_variant(name: &str) -> bool {
    name.strip_prefix("jdk")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit()))
}

fn is_dockerfile_word(word: &str) -> bool {
    word.eq_ignore_ascii_case("dockerfile") || word.eq_ignore_ascii_case("containerfile")
}

/// The first word of `text` (split at anything not a letter or digit)
/// that says toolchain; the build words too with `build_words`.
fn toolchain_word(text: &str, build_words: bool) -> Option<&'static str> {
    let extra: &[&'static str] = if build_words { BUILD_WORDS } else { &[] };
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|word| {
            TOOLCHAIN_WORDS
                .iter()
                .chain(extra)
                .find(|candidate| candidate.eq_ignore_ascii_case(word))
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchain_words_are_whole_words() {
        assert_eq!(toolchain_word("toolchain", false), Some("toolchain"));
        assert_eq!(toolchain_word("dev-envs", false), Some("dev"));
        assert_eq!(toolchain_word("builder,python,python312", false), None);
        assert_eq!(
            toolchain_word("builder,python,python312", true),
            Some("builder")
        );
        assert_eq!(toolchain_word("rebuild", true), None);
        assert_eq!(toolchain_word("device", true), None);
        assert_eq!(toolchain_word("release", true), None);
        assert_eq!(toolchain_word("circle", true), None);
    }
}
