use tallyman_sdk::{Dockerfile, Finding, Image};

use crate::scope::shipping_stages;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `VOLUME` of `/dev`, `/proc` or `/sys`, or of a directory
    /// under `/proc` or `/sys`, in the stages that ship (the final stage
    /// and the stages it is built on). `tallyman image` flags the same
    /// paths in the image's `Volumes`.
    ///
    /// ## Why is this bad?
    /// These are the kernel's interfaces, which the container runtime
    /// mounts itself. A volume declared there is mounted over them when
    /// the container starts: an empty directory hides the device nodes
    /// (`/dev/null`, `/dev/urandom`) or the kernel's view of processes and
    /// devices, and runtimes refuse some of these mounts outright, so the
    /// container breaks or does not start. The only way to fill such a
    /// volume is to bind the host's own `/dev`, `/proc` or `/sys`, which
    /// gives the container the host.
    ///
    /// ## Example
    /// ```dockerfile
    /// VOLUME /data /sys
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// VOLUME /data
    /// ```
    /// and, if the program really needs a host interface, grant that one
    /// device at run time (`docker run --device /dev/fuse`).
    pub const HD034 = {
        id: "HD034",
        title: "VOLUME of /dev, /proc or /sys",
        severity: High,
        tags: ["security", "reliability"],
        equivalents: ["dockle:DKL-DI-0002"],
    };
}

pub fn check(dockerfile: &Dockerfile, settings: &Settings, findings: &mut Vec<Finding>) {
    for stage in shipping_stages(dockerfile, settings) {
        for instruction in &stage.instructions {
            let Some(paths) = instruction.as_volume() else {
                continue;
            };
            for path in paths.iter().filter(|path| is_kernel_interface(path)) {
                findings.push(
                    Finding::at(&HD034, (stage, instruction))
                        .message(format!(
                            "`VOLUME {path}` mounts a volume over the kernel's interface at \
                             `{path}`, hiding what the runtime mounts there"
                        ))
                        .fix(format!("remove `{path}` from the `VOLUME`")),
                );
            }
        }
    }
}

/// `/dev`, `/proc`, `/sys`, or below `/proc` or `/sys` (`/dev/shm` and
/// other places under `/dev` are ordinary mounts).
fn is_kernel_interface(path: &str) -> bool {
    let parts: Vec<&str> = path
        .trim()
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let absolute = path.trim().starts_with('/');
    match parts.as_slice() {
        ["dev"] => absolute,
        ["proc" | "sys", ..] => absolute,
        _ => false,
    }
}

pub fn check_image(image: &Image, _: &Settings, findings: &mut Vec<Finding>) {
    for path in image
        .config
        .volumes
        .iter()
        .filter(|path| is_kernel_interface(path))
    {
        findings.push(
            Finding::new(&HD034)
                .message(format!(
                    "the image declares a volume at `{path}`, over the kernel's interface the \
                     runtime mounts there"
                ))
                .fix(format!("build the image without `VOLUME {path}`")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_interfaces() {
        for path in [
            "/dev",
            "/dev/",
            "/proc",
            "//sys",
            "/sys/fs/cgroup",
            "/proc/sys/",
        ] {
            assert!(is_kernel_interface(path), "{path}");
        }
        for path in ["/dev/shm", "/devices", "/data/sys", "dev", "/", "/system"] {
            assert!(!is_kernel_interface(path), "{path}");
        }
    }
}
