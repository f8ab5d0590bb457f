use tallyman_sdk::model::UserInstruction;
use tallyman_sdk::{Dockerfile, Finding, Image};

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
    /// sees the result. Without any `USER`, a base image tagged `nonroot`
    /// (distroless), an `-unprivileged` image and Windows Nano Server (which
    /// runs as `ContainerUser`) are trusted to set their own non-root user.
    /// A final stage in which nothing runs by itself (`FROM scratch` with
    /// no `CMD` or `ENTRYPOINT`: an export stage built with `--output`, or a
    /// base image for others to build on) is not flagged.
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
    if is_export_stage(dockerfile, stage) {
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
            // Windows Nano Server runs as `ContainerUser` unless told otherwise.
            let sets_own_user = base.image().is_some_and(|name| {
                let tag = name.tag.as_deref().unwrap_or_default();
                tag.contains("nonroot")
                    || tag.contains("nanoserver")
                    || name.repository.ends_with("-unprivileged")
                    || name.repository.ends_with("/nanoserver")
            });
            if sets_own_user {
                return;
            }
            findings.push(
                Finding::at(&HD001, stage)
                    .message(format!(
                        "the final stage {} sets no `USER`, so it runs as the user of `{}`, \
                         which is root unless that image sets another",
                        stage.label(),
                        base.expanded
                    ))
                    .fix(fix),
            );
        }
    }
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
