use tallyman_sdk::model::Stage;
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
    /// An image whose main process is the SSH server is not flagged: the
    /// command left in the foreground by the final stage's `ENTRYPOINT` or
    /// `CMD` (its own or one it inherits from an earlier stage) is `sshd`
    /// or `dropbear`, as in `CMD ["/usr/sbin/sshd", "-D"]`. SSH is then
    /// the service the image provides (a git server over SSH, an SFTP
    /// server, a CI agent reached over SSH), not a second way in beside
    /// an application; an `sshd` started in the background before the real
    /// program (`sshd && exec app`) still is. An image scan reads the same
    /// from the image's `Entrypoint` and `Cmd`.
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
    let serves_ssh = dockerfile
        .final_stage(settings.target.as_deref())
        .is_some_and(|stage| runs_ssh_server(dockerfile, stage));
    if serves_ssh {
        return;
    }
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

/// SSH servers that can be a container's main process.
const SSH_SERVERS: &[&str] = &["sshd", "dropbear"];

/// The stage's `ENTRYPOINT` or `CMD` ends by running an SSH server in the
/// foreground: the last command of either is `sshd` or `dropbear`.
fn runs_ssh_server(dockerfile: &Dockerfile, stage: &Stage) -> bool {
    ["ENTRYPOINT", "CMD"].iter().any(|keyword| {
        dockerfile
            .inherited_instruction(stage, keyword)
            .and_then(|(_, instruction)| {
                instruction.as_entrypoint().or_else(|| instruction.as_cmd())
            })
            .and_then(|command_line| command_line.commands.last())
            .is_some_and(|last| last.command().is_any(SSH_SERVERS))
    })
}

/// The image exposes port 22 (`22/tcp` or `22`), and its `Entrypoint` or
/// `Cmd` (exec form: the first word is the program) is not an SSH server.
pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    let serves_ssh = [&image.config.entrypoint, &image.config.cmd]
        .into_iter()
        .filter_map(|words| words.as_ref()?.first())
        .any(|program| {
            let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
            SSH_SERVERS.contains(&name)
        });
    if serves_ssh {
        return;
    }
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
