use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a second (third, ...) `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in
    /// one stage, at each one after the first. Every stage is checked; the
    /// same instruction in different stages is fine, since each stage is
    /// its own image.
    ///
    /// ## Why is this bad?
    /// Only the last one of each takes effect: the earlier ones are dead
    /// code that readers take for what the container does. It is usually a
    /// leftover from an edit or a bad merge, and sometimes a sign that the
    /// author expected both commands to run.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["nginx", "-g", "daemon off;"]
    /// CMD ["php-fpm"]
    /// ```
    ///
    /// ## Fix
    /// Keep one, and start several processes from a script or a process
    /// manager if that was the intent:
    /// ```dockerfile
    /// CMD ["php-fpm"]
    /// ```
    pub const HD015 = {
        id: "HD015",
        title: "More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage",
        severity: Medium,
        tags: ["correctness"],
        equivalents: [
            "hadolint:DL4003",
            "hadolint:DL4004",
            "hadolint:DL3012",
            "trivy:DS-0007",
            "trivy:DS-0016",
            "trivy:DS-0023",
            "buildkit:MultipleInstructionsDisallowed",
        ],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        for keyword in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
            let mut all = stage.instructions_with(keyword);
            let Some(first) = all.next() else {
                continue;
            };
            for repeated in all {
                findings.push(
                    Finding::at(&HD015, (stage, repeated))
                        .message(format!(
                            "stage {} has another `{keyword}` on line {}: only the last one \
                             takes effect",
                            stage.label(),
                            first.line()
                        ))
                        .fix(format!("keep a single `{keyword}` in the stage")),
                );
            }
        }
    }
}
