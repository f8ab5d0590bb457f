use tallyman_sdk::model::{CopyInstruction, Instruction, Stage};
use tallyman_sdk::{Dockerfile, Finding};

use crate::scope::instructions_before;
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` of several sources (`COPY a.txt b.txt
    /// /data`), or of one wildcard (`COPY *.json /app`), whose destination
    /// does not end with `/`, in any stage.
    ///
    /// Not flagged, because the destination is known to be a directory:
    /// - `.` and `..` (and paths ending in `/.` or `/..`), which BuildKit
    ///   treats as the working directory and its parent;
    /// - a directory a `WORKDIR` of the stage (or of the stages it is built
    ///   on) created, one an earlier `mkdir` created, or one an earlier
    ///   `COPY`/`ADD` copied into with a trailing `/`;
    /// - the standard directories of every Linux distribution (`/usr/local/bin`,
    ///   `/etc`, `/opt`, `/tmp`, ...), unless the stage is built on `scratch`;
    /// - a wildcard copied to a file name (`COPY target/*.jar /app.jar`):
    ///   the author expects one match;
    /// - `COPY --parents`, whose destination is always a directory.
    ///
    /// ## Why is this bad?
    /// The classic builder refuses the instruction ("When using COPY with
    /// more than one source file, the destination must be a directory and
    /// end with a /"). BuildKit accepts it, and when the destination does
    /// not exist yet it copies every source to that one path in turn: the
    /// image ends up with a file named like the destination, holding the
    /// last source (moby/buildkit#1853). It works only when the destination
    /// already exists as a directory in the base image, which the
    /// Dockerfile does not show.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json /srv/app
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// COPY package.json package-lock.json /srv/app/
    /// ```
    pub const HD032 = {
        id: "HD032",
        title: "COPY of several sources to a destination without a trailing slash",
        severity: Low,
        tags: ["correctness"],
        equivalents: [
            "hadolint:DL3021",
            "trivy:DS-0011",
            "kics:6db6e0c2-32a3-4a2e-93b5-72c35f4119db",
        ],
    };
}

/// Directories of every Linux distribution image (Debian, Ubuntu, Alpine,
/// the RHEL family, ...).
const STANDARD_DIRECTORIES: [&str; 25] = [
    "/",
    "/bin",
    "/etc",
    "/home",
    "/lib",
    "/media",
    "/mnt",
    "/opt",
    "/root",
    "/run",
    "/sbin",
    "/srv",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/local/sbin",
    "/usr/local/share",
    "/usr/sbin",
    "/usr/share",
    "/var",
    "/var/lib",
];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for (stage, instruction) in dockerfile.instructions() {
        let Some(copy) = instruction.as_copy_or_add() else {
            continue;
        };
        let Some(what) = several_sources(copy) else {
            continue;
        };
        let destination = copy.destination.as_str();
        if copy.parents || names_a_directory(destination) || destination.contains('$') {
            continue;
        }
        let known = known_directories(dockerfile, stage, instruction);
        let absolute = known.resolve(destination);
        if absolute.as_deref().is_some_and(|path| known.contains(path)) {
            continue;
        }
        findings.push(
            Finding::at(&HD032, (stage, instruction))
                .message(format!(
                    "`{}` copies {what} to `{destination}`, which does not end with `/`: unless \
                     `{destination}` already exists as a directory, BuildKit leaves a file \
                     there holding only the last source (the classic builder refuses it)",
                    instruction.keyword
                ))
                .fix(format!("end the destination with `/`: `{destination}/`")),
        );
    }
}

/// "2 sources", "what `*.json` matches": when the instruction may copy
/// more than one thing. A wildcard copied to a file name (`app.jar`) is
/// meant to match once.
fn several_sources(copy: &CopyInstruction) -> Option<String> {
    match copy.sources.as_slice() {
        [] => None,
        [only] => {
            let wildcard = only.contains(['*', '?', '[']) && !only.contains("://");
            (wildcard && !looks_like_a_file(&copy.destination))
                .then(|| format!("what `{only}` matches"))
        }
        several => Some(format!("{} sources", several.len())),
    }
}

/// The last part of the path has an extension (`app.jar`, `config.yaml`).
fn looks_like_a_file(path: &str) -> bool {
    let last = path.rsplit(['/', '\\']).next().unwrap_or_default();
    last.rfind('.')
        .is_some_and(|dot| dot > 0 && dot + 1 < last.len())
}

/// Written as a directory: a trailing separator, or `.`/`..` last.
fn names_a_directory(path: &str) -> bool {
    let path = path.trim();
    path.is_empty()
        || path.ends_with(['/', '\\'])
        || path
            .rsplit(['/', '\\'])
            .next()
            .is_some_and(|last| last == "." || last == "..")
}

/// The directories known to exist when `instruction` runs, and the
/// working directory relative destinations start from.
struct KnownDirectories {
    workdir: Option<String>,
    directories: Vec<String>,
}

impl KnownDirectories {
    /// `path` made absolute and normalized; `None` when it is relative and
    /// no `WORKDIR` says what to.
    fn resolve(&self, path: &str) -> Option<String> {
        if path.starts_with('/') {
            return Some(normalize(path));
        }
        self.workdir
            .as_deref()
            .map(|workdir| normalize(&format!("{workdir}/{path}")))
    }

    /// `path` or a directory below it is known.
    fn contains(&self, path: &str) -> bool {
        path == "/"
            || self.directories.iter().any(|known| {
                known == path
                    || (known.starts_with(path) && known.as_bytes().get(path.len()) == Some(&b'/'))
            })
    }
}

fn known_directories(
    dockerfile: &Dockerfile,
    stage: &Stage,
    instruction: &Instruction,
) -> KnownDirectories {
    let mut known = KnownDirectories {
        workdir: None,
        directories: Vec::new(),
    };
    if !dockerfile.root_base(stage).is_scratch() {
        known
            .directories
            .extend(STANDARD_DIRECTORIES.iter().map(|dir| dir.to_string()));
    }
    for earlier in instructions_before(dockerfile, stage, instruction.line()) {
        if let Some(path) = earlier.as_workdir() {
            let Some(absolute) = known.resolve(path) else {
                continue;
            };
            known.directories.push(absolute.clone());
            known.workdir = Some(absolute);
        } else if let Some(copy) = earlier.as_copy_or_add() {
            if copy.destination.ends_with('/')
                && let Some(absolute) = known.resolve(&copy.destination)
            {
                known.directories.push(absolute);
            }
        } else {
            let made: Vec<String> = earlier
                .run_commands()
                .iter()
                .filter(|command| command.name == "mkdir")
                .flat_map(|command| &command.args)
                .filter(|arg| !arg.starts_with('-') && !arg.contains('$'))
                .filter_map(|arg| known.resolve(arg))
                .collect();
            known.directories.extend(made);
        }
    }
    known
}

/// `/a//b/./c/` as `/a/b/c`; `..` goes up.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize("/a//b/./c/"), "/a/b/c");
        assert_eq!(normalize("/a/../../b"), "/b");
        assert_eq!(normalize("/"), "/");
    }

    #[test]
    fn directories_and_files_are_told_apart() {
        for directory in [".", "..", "./", "/app/", "src/.", "C:\\app\\", "/a/.."] {
            assert!(names_a_directory(directory), "{directory}");
        }
        for path in ["/app", "app", "/usr/local/bin"] {
            assert!(!names_a_directory(path), "{path}");
        }
        assert!(looks_like_a_file("/app/app.jar"));
        assert!(!looks_like_a_file("/app"));
        assert!(!looks_like_a_file("/home/user/.config"));
    }
}
