use tallyman_sdk::{Dockerfile, Finding};

use crate::scope::instructions_before;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags two kinds of `WORKDIR`:
    /// - a relative path (`WORKDIR app`) when no absolute `WORKDIR` comes
    ///   before it in the stage or the stages it is built on, so that the
    ///   result depends on the base image's working directory (BuildKit's
    ///   rule; `WORKDIR /app` then `WORKDIR src` is clear and not flagged);
    /// - a path in a kernel or boot directory: `/proc`, `/sys`, `/dev`,
    ///   `/boot`, `/initrd`, `/lost+found` and below.
    ///
    /// Paths are taken after variable expansion; a path that keeps an
    /// unresolved variable is not judged. Windows paths (`C:\app`) are
    /// absolute.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` lands wherever the base image left the working
    /// directory, which changes when the base does, silently moving every
    /// later `COPY` and `RUN`. Working in `/proc`, `/sys` or `/dev` writes
    /// into the kernel's interfaces, or into mount points the runtime
    /// replaces when the container starts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// ```
    pub const HD017 = {
        id: "HD017",
        title: "Relative WORKDIR or WORKDIR in a system directory",
        severity: Medium,
        tags: ["correctness"],
        equivalents: [
            "hadolint:DL3000",
            "trivy:DS-0009",
            "trivy:DS-0030",
            "buildkit:WorkdirRelativePath",
        ],
    };
}

const SYSTEM_DIRS: &[&str] = &["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let Some(path) = instruction.as_workdir() else {
            continue;
        };
        let path = path.trim().trim_matches('"');
        if path.contains('$') || path.is_empty() {
            continue;
        }
        let finding = if !is_absolute(path) {
            let anchored = instructions_before(dockerfile, stage, instruction.line())
                .into_iter()
                .filter_map(|earlier| earlier.as_workdir())
                .any(|earlier| is_absolute(earlier.trim().trim_matches('"')));
            if anchored {
                continue;
            }
            Finding::at(&HD017, (stage, instruction))
                .message(format!(
                    "`WORKDIR {path}` is relative to the base image's working directory, which \
                     this file does not set"
                ))
                .fix(format!("`WORKDIR /{path}` (or the absolute path you mean)"))
        } else if let Some(system) = SYSTEM_DIRS.iter().find(|dir| {
            path == **dir
                || path
                    .strip_prefix(**dir)
                    .is_some_and(|rest| rest.starts_with('/'))
        }) {
            Finding::at(&HD017, (stage, instruction))
                .message(format!(
                    "`WORKDIR {path}` works inside `{system}`, a kernel or boot directory"
                ))
                .fix("use a directory of the application's own, such as `/app` or `/srv/<name>`")
        } else {
            continue;
        };
        findings.push(finding);
    }
}

/// `/app`, `C:\app`, `C:/app`, `\app`.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2
            && bytes.first().is_some_and(u8::is_ascii_alphabetic)
            && bytes.get(1) == Some(&b':'))
}
