use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::scope::is_export_stage;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a final stage with no `HEALTHCHECK`, its own or inherited from
    /// a stage it is built on (`FROM base`). The final stage is the last
    /// one, or the one the `target` setting names; builder stages never
    /// run as containers and are not checked, nor is a final stage in which
    /// nothing runs by itself (`FROM scratch` with no `CMD` or `ENTRYPOINT`:
    /// an export stage, or a base image for others to build on).
    /// `HEALTHCHECK NONE` is an explicit decision and is accepted.
    ///
    /// A base image from a registry may define a health check of its own,
    /// which a Dockerfile scan cannot see; the severity is `info` for that
    /// reason, and `tallyman image` checks the built image's configuration.
    ///
    /// ## Why is this bad?
    /// Without a health check, Docker and Swarm only know whether the
    /// process is alive, not whether it works: a deadlocked server keeps
    /// receiving traffic. A `HEALTHCHECK` documents how to tell, and
    /// orchestrators that honour it restart or stop routing to an unhealthy
    /// container. (Kubernetes ignores it in favour of probes, which is why
    /// some teams record `HEALTHCHECK NONE` instead.)
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// ```
    pub const HD007 = {
        id: "HD007",
        title: "No HEALTHCHECK in the final stage",
        severity: Info,
        tags: ["cis-docker-1.6:4.6"],
        equivalents: ["hadolint:DL3057", "trivy:DS-0026", "checkov:CKV_DOCKER_2"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if dockerfile
        .inherited_instruction(stage, "HEALTHCHECK")
        .is_some()
        || is_export_stage(dockerfile, stage)
    {
        return;
    }
    findings.push(
        Finding::at(&HD007, stage)
            .message(format!(
                "the final stage {} has no `HEALTHCHECK`, so only a crash shows that the \
                 container is broken",
                stage.label()
            ))
            .fix(
                "add `HEALTHCHECK CMD <command that fails when the service does not work>`, \
                  or `HEALTHCHECK NONE` to record that the orchestrator probes it",
            ),
    );
}

/// The image has no healthcheck. `NONE` is an explicit decision, as in the
/// Dockerfile check.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    if image.config.healthcheck.is_some() {
        return;
    }
    findings.push(
        Finding::new(&HD007)
            .message("the image has no `Healthcheck`")
            .fix("add a `HEALTHCHECK CMD ...` to the Dockerfile's final stage, or rely on the orchestrator's probes"),
    );
}
