use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::commands::{quoted, runs_via};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `RUN` scripts that call `sudo`, anywhere in the script
    /// (nested `sh -c` scripts and command substitutions included).
    /// Installing the `sudo` package is not flagged; running it is.
    ///
    /// ## Why is this bad?
    /// `RUN` already runs as the current `USER`: switching with `USER root`
    /// for the steps that need it, then back, says so in the Dockerfile.
    /// `sudo` adds a setuid binary and a sudoers policy to the image, which
    /// an attacker inside the container can use to regain root, and its
    /// TTY and signal handling behave unpredictably in a build.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// USER app
    /// ```
    pub const HD002 = {
        id: "HD002",
        title: "sudo in RUN",
        severity: Medium,
        tags: ["security"],
        equivalents: ["hadolint:DL3004", "trivy:DS-0010", "checkov:CKV2_DOCKER_1"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let Some(command) = instruction
            .run_commands()
            .iter()
            .find(|command| runs_via(command, "sudo"))
        else {
            continue;
        };
        findings.push(
            Finding::at(&HD002, (stage, instruction))
                .message(format!("{} runs `sudo` in the build", quoted(command)))
                .fix(
                    "drop `sudo`: put `USER root` before this `RUN` and switch back to the \
                      unprivileged user after it",
                ),
        );
    }
}

/// `sudo` in a `RUN` recorded in the image's history.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    for (step, commands) in crate::history::run_steps(image) {
        if let Some(command) = commands.iter().find(|command| runs_via(command, "sudo")) {
            findings.push(
                Finding::new(&HD002)
                    .message(format!(
                        "history step {step}: {} runs `sudo` in the build",
                        quoted(command)
                    ))
                    .fix(
                        "drop `sudo`: run the step as root (`USER root`) and switch back after it",
                    ),
            );
        }
    }
}
