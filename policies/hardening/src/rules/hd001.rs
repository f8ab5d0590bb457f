use tallyman_sdk::model::{Severity, Stage, UserInstruction};
use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::base_user::{BaseUser, base_user, is_dev_container_base};
use crate::scope::is_export_stage;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a final stage that runs as root: it sets no `USER` (and neither
    /// does a stage it is built on), or the last `USER` that applies to it
    /// is `root`, `0`, `root:<group>` or `0:<group>` (`ContainerAdministrator`
    /// on Windows). The final stage is the last one, or the one the `target`
    /// setting names.
    ///
    /// Builder stages are not flagged: a stage whose files reach the image
    /// only through `COPY --from` does not decide who the container runs as,
    /// and installing packages there needs root. `USER root` followed by
    /// `USER app` is fine: only the last `USER` counts. A group of `root`
    /// with another user (`USER 1001:0`, the OpenShift convention) is not
    /// root.
    ///
    /// A `USER` whose value cannot be known when the file is read
    /// (`USER $APP_USER` with no `ARG` default or `ENV` value) is not
    /// flagged: the build decides, and the image scan (`tallyman image`)
    /// sees the result. A final stage in which nothing runs by itself
    /// (`FROM scratch` with no `CMD` or `ENTRYPOINT`: an export stage built
    /// with `--output`, or a base image for others to build on) is not
    /// flagged.
    ///
    /// Without any `USER`, the container runs as whoever the base image
    /// (the one the final stage's chain of stages starts from) sets, which
    /// the Dockerfile does not show. So the finding depends on the base:
    /// - a base known to run as root is flagged at high: `scratch`, the
    ///   distributions and the Docker Official Images that set no `USER`
    ///   (`debian`, `alpine`, `ubuntu`, `python`, `node`, `golang`,
    ///   `eclipse-temurin`, `nginx`, `php`, `postgres`, ..., also under
    ///   their per-architecture names such as `arm64v8/alpine`), Red Hat's
    ///   UBI, `gcr.io/distroless/*` without a `nonroot` tag,
    ///   `mcr.microsoft.com/dotnet/*` and Azure Linux / CBL-Mariner, and
    ///   Windows Server Core (`ContainerAdministrator`);
    /// - a base known to set its own unprivileged user is not flagged: a
    ///   `nonroot` tag (distroless, Chainguard), an `-unprivileged` image,
    ///   Windows Nano Server (`ContainerUser`), .NET's chiseled and
    ///   distroless images (`USER $APP_UID`; also `dotnet/monitor` and
    ///   `dotnet/aspire-dashboard`, only published so), the Jupyter Docker
    ///   Stacks (`docker.io/jupyter/*-notebook`, `quay.io/jupyter/*-notebook`,
    ///   `docker-stacks-foundation`: `USER ${NB_UID}`),
    ///   `jupyterhub/singleuser`, `jenkins/jenkins` and the Jenkins agents
    ///   (`jenkins/agent`, `jenkins/inbound-agent`: `USER jenkins`),
    ///   `bitnami/*` but `bitnami/minideb` (UID 1001), and the official
    ///   `elasticsearch`, `jenkins`, `kibana`, `logstash`, `odoo`, `solr`
    ///   and `sonarqube` images;
    /// - any other base (an image of your own registry, a local image built
    ///   by another Dockerfile, a name a build argument gives) is reported
    ///   at low severity, saying its user is unknown: root unless that
    ///   image sets another, which only the image scan can see.
    ///
    /// Dev containers are not flagged at all: a Dockerfile under a
    /// `.devcontainer/` directory, or one built on
    /// `mcr.microsoft.com/devcontainers/*` (or the older
    /// `mcr.microsoft.com/vscode/devcontainers/*`). The user a developer
    /// works as there is `devcontainer.json`'s `remoteUser` (and
    /// `containerUser`), not the image's `USER`, and such an image is not
    /// deployed.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container is root on the host's
    /// kernel: a container escape, a writable host mount or a kernel bug
    /// turns an application compromise into a host compromise. Running as an
    /// unprivileged user limits what an attacker can do and is required by
    /// most Kubernetes admission policies (`runAsNonRoot`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM alpine:3.22
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Create an unprivileged user (or use a numeric one) and switch to it
    /// at the end of the final stage:
    /// ```dockerfile
    /// FROM alpine:3.22
    /// RUN adduser -D -u 10001 app
    /// COPY --from=build /app /app
    /// USER 10001
    /// ENTRYPOINT ["/app"]
    /// ```
    pub const HD001 = {
        id: "HD001",
        title: "Final stage runs as root",
        severity: High,
        tags: ["cis-docker-1.6:4.1", "security"],
        equivalents: [
            "hadolint:DL3002",
            "trivy:DS-0002",
            "checkov:CKV_DOCKER_3",
            "checkov:CKV_DOCKER_8",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if is_export_stage(dockerfile, stage) || is_dev_container(dockerfile, stage) {
        return;
    }
    let fix = "add `USER <non-root user>` (a name created in the image, or a UID such as \
               `10001`) at the end of the final stage";
    match dockerfile.inherited_instruction(stage, "USER") {
        Some((owner, instruction)) => {
            let Some(user) = instruction.as_user() else {
                return;
            };
            if is_root(user) != Some(true) {
                return;
            }
            let message = if owner.index == stage.index {
                format!(
                    "the last `USER` of the final stage {} is `{}`, so the container runs as root",
                    stage.label(),
                    written(user)
                )
            } else {
                format!(
                    "the final stage {} inherits `USER {}` (line {}) from stage {}, so the \
                     container runs as root",
                    stage.label(),
                    written(user),
                    instruction.line(),
                    owner.label()
                )
            };
            let place = if owner.index == stage.index {
                Finding::at(&HD001, (stage, instruction))
            } else {
                Finding::at(&HD001, stage)
            };
            findings.push(place.message(message).fix(fix));
        }
        None => {
            let base = dockerfile.root_base(stage);
            let finding = Finding::at(&HD001, stage).fix(fix);
            let finding = match base_user(base) {
                BaseUser::NonRoot => return,
                BaseUser::Root(user) => finding.message(format!(
                    "the final stage {} sets no `USER`, and its base `{}` runs as `{user}`, \
                     so the container does",
                    stage.label(),
                    base.expanded
                )),
                BaseUser::Unknown => finding.severity(Severity::Low).message(format!(
                    "the final stage {} sets no `USER`, so it runs as the user of `{}`, \
                     which is unknown here: root unless that image sets another",
                    stage.label(),
                    base.expanded
                )),
            };
            findings.push(finding);
        }
    }
}

/// A dev container: under a `.devcontainer/` directory, or built on a dev
/// container image. `devcontainer.json` picks the user.
pub(crate) fn is_dev_container(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    let under_devcontainer = dockerfile
        .path
        .split(['/', '\\'])
        .any(|part| part.eq_ignore_ascii_case(".devcontainer"));
    under_devcontainer
        || dockerfile
            .root_base(stage)
            .image()
            .is_some_and(is_dev_container_base)
}

/// `Some(true)` for root, `Some(false)` for another user, `None` when the
/// value is not known (an unresolved variable, an empty value).
fn is_root(user: &UserInstruction) -> Option<bool> {
    let name = user.user.trim();
    if name.is_empty() || name.contains('$') {
        return None;
    }
    let numeric_root =
        name.chars().all(|c| c.is_ascii_digit()) && name.trim_start_matches('0').is_empty();
    Some(numeric_root || name == "root" || name.eq_ignore_ascii_case("ContainerAdministrator"))
}

fn written(user: &UserInstruction) -> String {
    match &user.group {
        Some(group) => format!("{}:{group}", user.user),
        None => user.user.clone(),
    }
}

/// The image runs as root: `User` is empty (Docker's default is root),
/// `root`, `0`, or one of those with a group.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    let written = image.config.user.trim();
    let user = written.split(':').next().unwrap_or_default();
    let numeric_root = !user.is_empty()
        && user.chars().all(|c| c.is_ascii_digit())
        && user.trim_start_matches('0').is_empty();
    let message = if user.is_empty() {
        "the image sets no `User`, so its containers run as root".to_string()
    } else if numeric_root || user == "root" || user.eq_ignore_ascii_case("ContainerAdministrator")
    {
        format!("the image's `User` is `{written}`, so its containers run as root")
    } else {
        return;
    };
    findings.push(
        Finding::new(&HD001)
            .message(message)
            .fix("build the image with `USER <non-root user>` (a UID such as `10001`) at the end of its final stage"),
    );
}
