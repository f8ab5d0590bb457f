use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::scope::shipping_stages;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `EXPOSE` of TCP port 22 (alone or inside a range) in the
    /// stages that ship: the final stage and the stages it is built on,
    /// whose exposed ports the image inherits. Variables are resolved as
    /// the build would without `--build-arg`.
    ///
    /// ## Why is this bad?
    /// Port 22 means an SSH server in the container. SSH is a second way
    /// in, with its own keys, passwords and vulnerabilities to manage, and
    /// it bypasses the container runtime's access control and audit trail.
    /// `docker exec` and `kubectl exec` (or debug containers) already give
    /// operators a shell.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    /// EXPOSE 22 8080
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    pub const HD011 = {
        id: "HD011",
        title: "SSH port 22 exposed",
        severity: Medium,
        tags: ["security"],
        equivalents: ["trivy:DS-0004", "checkov:CKV_DOCKER_1"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        for instruction in stage.instructions_with("EXPOSE") {
            let ssh = instruction.as_expose().unwrap_or_default().iter().find(|port| {
                port.protocol == "tcp"
                    && matches!((port.start, port.end), (Some(start), Some(end)) if start <= 22 && 22 <= end)
            });
            if let Some(port) = ssh {
                findings.push(
                    Finding::at(&HD011, (stage, instruction))
                        .message(format!(
                            "`EXPOSE {}` opens the SSH port: the image runs an SSH server",
                            port.written
                        ))
                        .fix(
                            "remove port 22 and the SSH server; use `docker exec` or \
                              `kubectl exec` for a shell",
                        ),
                );
            }
        }
    }
}

/// The image exposes port 22 (`22/tcp` or `22`).
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    for port in &image.config.exposed_ports {
        let (number, protocol) = port.split_once('/').unwrap_or((port.as_str(), "tcp"));
        let (start, end) = number.split_once('-').unwrap_or((number, number));
        let covers_22 = matches!((start.parse::<u32>(), end.parse::<u32>()), (Ok(s), Ok(e)) if s <= 22 && 22 <= e);
        if covers_22 && protocol.eq_ignore_ascii_case("tcp") {
            findings.push(
                Finding::new(&HD011)
                    .message(format!("the image exposes `{port}`, the SSH port: it runs an SSH server"))
                    .fix("remove port 22 and the SSH server; use `docker exec` or `kubectl exec` for a shell"),
            );
        }
    }
}
