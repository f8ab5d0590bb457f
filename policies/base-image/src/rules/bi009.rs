use tallyman_sdk::model::ImageSource;
use tallyman_sdk::{Dockerfile, Finding};

use crate::references::quote;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Checks the image the final stage is built on against the
    /// `allowed-final-bases` setting, a list of image patterns such as
    /// `scratch`, `gcr.io/distroless/*`, `cgr.dev/chainguard/*` or
    /// `alpine:3.*`. The final stage is the last one, or the one the
    /// `target` setting names; when it is built on another stage
    /// (`FROM runtime-base`), that stage's base is checked, up the chain.
    /// A base that cannot be resolved is flagged too, since it cannot be
    /// shown to be allowed.
    ///
    /// The rule is silent while `allowed-final-bases` is empty. Builder
    /// stages are not checked: what they are built on does not ship.
    ///
    /// ## Why is this bad?
    /// The final stage's base is what runs in production: its packages,
    /// shell and libraries are the attack surface and the patching burden.
    /// Platform teams keep a short list of bases they scan, patch and
    /// support; an image built on anything else escapes that.
    ///
    /// ## Example
    /// With `allowed-final-bases: [scratch, "gcr.io/distroless/*"]`:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    /// FROM ubuntu:24.04
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /app .
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /app /app
    /// ```
    pub const BI009 = {
        id: "BI009",
        title: "Final stage is not built on an allowed base",
        severity: High,
        tags: ["cis-docker-1.6:4.2", "security"],
        equivalents: [],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    let allowed = &settings.allowed_final_bases;
    if allowed.is_empty() {
        return;
    }
    let Some(stage) = dockerfile.final_stage(settings.target.as_deref()) else {
        return;
    };
    let base = dockerfile.root_base(stage);
    if allowed.iter().any(|pattern| base.matches(pattern)) {
        return;
    }
    let through = if std::ptr::eq(base, &stage.base) {
        String::new()
    } else {
        format!(" (through {})", quote(&stage.base))
    };
    let list = allowed
        .iter()
        .map(|pattern| pattern.as_str())
        .collect::<Vec<_>>()
        .join("`, `");
    let message = match &base.source {
        ImageSource::Unresolved(reason) => format!(
            "the final stage {} is built on {}{through}, which cannot be resolved ({reason}), \
             so it cannot be shown to be an allowed base",
            stage.label(),
            quote(base)
        ),
        _ => format!(
            "the final stage {} is built on {}{through}, which is not an allowed final base",
            stage.label(),
            quote(base)
        ),
    };
    findings.push(
        Finding::at(&BI009, stage)
            .message(message)
            .fix(format!("build the final stage on one of `{list}`")),
    );
}
