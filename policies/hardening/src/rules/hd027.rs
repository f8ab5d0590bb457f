use tallyman_sdk::{Dockerfile, Finding};

use crate::commands::{program, quoted};
use crate::rpm_pins::ZYPPER_VALUE_FLAGS;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `zypper dist-upgrade` (`zypper dup`) in a `RUN`, except in
    /// stages built on openSUSE Tumbleweed, a rolling release whose only
    /// supported update is `zypper dup`.
    ///
    /// ## Why is this bad?
    /// On openSUSE Leap and SUSE Linux Enterprise, a distribution upgrade
    /// may move the image to another release (when the repositories point
    /// at it), change package vendors, and downgrade or remove packages to
    /// resolve conflicts. The image then no longer matches its base image's
    /// tag, and what it contains depends on the day of the build. Use
    /// `zypper patch` or `zypper update` for fixes, and a newer base image
    /// for a new release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive dup && zypper clean --all
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive patch && zypper clean --all
    /// ```
    pub const HD027 = {
        id: "HD027",
        title: "zypper dist-upgrade",
        severity: Low,
        tags: ["reproducibility"],
        equivalents: ["hadolint:DL3035"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let base = dockerfile.root_base(stage).expanded.to_ascii_lowercase();
        if base.contains("tumbleweed") {
            continue;
        }
        for command in instruction.run_commands() {
            let zypper = program(command);
            if !zypper.is("zypper") {
                continue;
            }
            let sub = zypper.value_flags(ZYPPER_VALUE_FLAGS).subcommand();
            if !matches!(sub, Some("dist-upgrade" | "dup")) {
                continue;
            }
            findings.push(
                Finding::at_command(&HD027, (stage, instruction), command)
                    .message(format!(
                        "{} may move the image to another release or vendor than its base image's",
                        quoted(command)
                    ))
                    .fix(
                        "use `zypper patch` (or `zypper update`) for fixes, and a newer base image \
                         tag for a new release",
                    ),
            );
        }
    }
}
