use tallyman_sdk::vars::referenced_variables;
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags two uses of `FROM --platform`:
    /// - a constant platform (`--platform=linux/amd64`), unless the stage's
    ///   name says which platform it is for (`AS build-amd64`), the pattern
    ///   for per-architecture stages selected with `$TARGETARCH`;
    /// - `--platform=$TARGETPLATFORM`, which is what `FROM` does anyway.
    ///
    /// ## Why is this bad?
    /// A constant platform pins the stage to one architecture whatever the
    /// build asks for: `docker buildx build --platform linux/arm64` then
    /// silently produces an amd64 image (or runs it under emulation), and
    /// the Dockerfile can no longer build a multi-platform image. The useful
    /// form is `--platform=$BUILDPLATFORM` for stages that cross-compile.
    /// `--platform=$TARGETPLATFORM` is the default and only adds noise.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// FROM --platform=$TARGETPLATFORM alpine:3.22
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// FROM alpine:3.22
    /// ```
    pub const BI007 = {
        id: "BI007",
        title: "FROM --platform is a constant or the redundant $TARGETPLATFORM",
        severity: Low,
        tags: ["portability"],
        equivalents: [
            "hadolint:DL3029",
            "hadolint:DL3065",
            "buildkit:FromPlatformFlagConstDisallowed",
            "buildkit:RedundantTargetPlatform",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        let (Some(from), Some(platform)) = (stage.from_instruction(), stage.platform.as_deref())
        else {
            continue;
        };
        let variables = referenced_variables(platform);
        if variables.is_empty() {
            if !names_platform(stage.name.as_deref().unwrap_or_default(), platform) {
                findings.push(
                    Finding::at(&BI007, (stage, from))
                        .message(format!(
                            "FROM --platform={platform} pins the stage to one platform, \
                             whatever platform the build asks for"
                        ))
                        .fix(
                            "drop --platform (choose the platform when building), or use \
                             --platform=$BUILDPLATFORM for a cross-compiling stage",
                        ),
                );
            }
        } else if matches!(platform, "$TARGETPLATFORM" | "${TARGETPLATFORM}") {
            findings.push(
                Finding::at(&BI007, (stage, from))
                    .message(format!(
                        "FROM --platform={platform} is the default and can be dropped"
                    ))
                    .fix("remove --platform"),
            );
        }
    }
}

/// The stage name mentions the platform's OS, architecture or variant
/// (`build_amd64` for `linux/amd64`), as BuildKit allows.
fn names_platform(stage_name: &str, platform: &str) -> bool {
    let stage_name = stage_name.to_ascii_lowercase();
    !stage_name.is_empty()
        && platform
            .split(['/', ','])
            .filter(|part| !part.is_empty())
            .any(|part| stage_name.contains(&part.to_ascii_lowercase()))
}
