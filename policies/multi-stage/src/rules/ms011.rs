use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;
use crate::support::{graph, image_kind, images, quote};

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a multi-stage build whose final stage is built on a full
    /// distribution (`ubuntu`, `debian` without `-slim`, `centos`, `fedora`,
    /// `amazonlinux`, Rocky, Alma, Oracle Linux, openSUSE, the standard UBI)
    /// or on the full variant of a language image (`ruby`, `perl`,
    /// `erlang`, `elixir`, ...), rather than on a minimal base.
    ///
    /// The bases that never fire are the `allowed-final-bases` setting, a
    /// list of image patterns. By default: `scratch`, distroless images,
    /// Chainguard and Wolfi images, `alpine` and any `*alpine*` tag,
    /// `busybox`, any `*slim*` tag, Ubuntu chiseled images and the minimal
    /// and micro UBI images. Giving the setting replaces that list.
    /// Toolchain images (`golang`, full `node`, `python`, ...) are MS001's.
    /// Only builds split into building and shipping are flagged: the final
    /// stage (or a stage it is built on) copies files from another stage
    /// with `COPY --from` or `RUN --mount=from=`, so it has a choice of
    /// final base. A single stage, or a chain of `FROM <stage>` steps with
    /// nothing copied across, is one image built in steps on its first base.
    ///
    /// Toolchain images are not flagged: images that run a build tool, a
    /// shell, an interpreter with no program or an idle loop, dev
    /// containers, and images named for development, CI or a toolchain (see
    /// MS001). A final stage with neither `ENTRYPOINT` nor `CMD` that copies
    /// another stage's output runs its base's command and is checked.
    /// Declare an image either way with `# tallyman image-kind=toolchain` (or
    /// `=application`) or the `toolchain-paths` setting.
    ///
    /// ## Why is this bad?
    /// A multi-stage build separates building from running so that the
    /// final image holds only what runs. A full distribution brings a
    /// package manager, a shell, coreutils and hundreds of packages the
    /// application does not need: more to download, more to patch, more
    /// CVEs reported against the image, more tools for an attacker.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM ubuntu:24.04
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    pub const MS011 = {
        id: "MS011",
        title: "Multi-stage build ends on a full distribution",
        severity: Low,
        tags: ["cis-docker-1.6:4.2", "cis-docker-1.6:4.3", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    if !graph::ships_artifacts_of_other_stages(dockerfile, stage)
        || !image_kind::classify(dockerfile, settings, stage).is_application()
    {
        return;
    }
    let base = dockerfile.root_base(stage);
    let allowed = settings.allowed_final_bases();
    if allowed.iter().any(|pattern| base.matches(pattern)) {
        return;
    }
    let Some(name) = base.image() else {
        return;
    };
    let Some(why) = images::full_image(name) else {
        return;
    };
    let through = if std::ptr::eq(base, &stage.base) {
        String::new()
    } else {
        format!(" (through {})", quote(&stage.base))
    };
    findings.push(
        Finding::at(&MS011, stage)
            .message(format!(
                "the final stage {} of this multi-stage build is built on {}{through}: {why}",
                stage.label(),
                quote(base)
            ))
            .fix(
                "end on a minimal base: `gcr.io/distroless/...`, `scratch` for static binaries, \
                 a `-slim` or `alpine` variant, or one of `allowed-final-bases`",
            ),
    );
}
