use tallyman_sdk::model::PortSpec;
use tallyman_sdk::{Dockerfile, Finding};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags `EXPOSE` ports a build cannot use: the `host:container` form of
    /// `docker run -p` (`8080:80`, `127.0.0.1:8080:80`), a port outside
    /// 1–65535, a range whose start is after its end, text that is not a
    /// port, and a protocol other than `tcp`, `udp` or `sctp`. A port held
    /// in a variable the file does not resolve (`EXPOSE $PORT` with no
    /// default) is not flagged.
    ///
    /// ## Why is this bad?
    /// `EXPOSE` documents the container's ports; it cannot publish them on
    /// the host. The `host:container` form is rejected by current builders
    /// or silently misread by older ones, and a port out of range fails the
    /// build or the `docker run` that follows.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080:80
    /// EXPOSE 80000
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// EXPOSE 80
    /// ```
    /// and publish with `docker run -p 8080:80`.
    pub const HD012 = {
        id: "HD012",
        title: "EXPOSE port out of range or in host:port form",
        severity: High,
        tags: ["correctness"],
        equivalents: ["hadolint:DL3011", "trivy:DS-0008", "buildkit:ExposeInvalidFormat"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        for port in instruction.as_expose().unwrap_or_default() {
            let Some((problem, fix)) = problem(port) else {
                continue;
            };
            findings.push(
                Finding::at(&HD012, (stage, instruction))
                    .message(format!("`EXPOSE {}`: {problem}", port.written))
                    .fix(fix),
            );
        }
    }
}

fn problem(port: &PortSpec) -> Option<(String, String)> {
    if port.host_form {
        let container = port.expanded.rsplit(':').next().unwrap_or(&port.expanded);
        return Some((
            "`host:container` is `docker run -p` syntax; a Dockerfile cannot publish ports".into(),
            format!("`EXPOSE {container}`, and publish it when running the container"),
        ));
    }
    if port.expanded.contains('$') {
        return None;
    }
    let range = "write a port from 1 to 65535 (or a range `8000-8010`), with `/tcp`, `/udp` or \
                 `/sctp`"
        .to_string();
    let (Some(start), Some(end)) = (port.start, port.end) else {
        return Some((format!("`{}` is not a port number", port.expanded), range));
    };
    if start == 0 || end > 65535 {
        return Some(("ports go from 1 to 65535".into(), range));
    }
    if start > end {
        return Some((
            format!("the range starts at {start}, after its end {end}"),
            range,
        ));
    }
    if !matches!(port.protocol.as_str(), "tcp" | "udp" | "sctp") {
        return Some((
            format!("`{}` is not a protocol Docker knows", port.protocol),
            range,
        ));
    }
    None
}
