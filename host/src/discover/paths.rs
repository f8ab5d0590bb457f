//! How a file is named in reports: relative to the scan root, with `/`.
//!
//! The root is the one directory given, else the current directory, else
//! (for files named outside the current directory) the git repository that
//! holds them all, so that `tallyman scan $GITHUB_WORKSPACE/Dockerfile` names
//! `Dockerfile` as `tallyman scan Dockerfile` would. A file outside the root
//! keeps its absolute path: never a `../` path, which no code scanning
//! service can map to a file.

use std::path::{Component, Path, PathBuf};

/// The root that report paths are relative to: the one directory given;
/// else the current directory when every path is in it; else the git
/// repository holding every path; else the current directory (and the paths
/// outside it are named by their absolute path).
pub fn scan_root(paths: &[PathBuf]) -> PathBuf {
    let current = PathBuf::from(".");
    if let [only] = paths
        && only.is_dir()
    {
        return only.clone();
    }
    let Ok(working_dir) = std::env::current_dir() else {
        return current;
    };
    let absolute_paths: Vec<PathBuf> = paths
        .iter()
        .map(|path| absolute(path, &working_dir))
        .collect();
    if absolute_paths
        .iter()
        .all(|path| is_within(path, &working_dir))
    {
        return current;
    }
    let repository = absolute_paths
        .first()
        .and_then(|first| repository_of(first))
        .filter(|repository| {
            absolute_paths
                .iter()
                .all(|path| is_within(path, repository))
        });
    repository.unwrap_or(current)
}

/// `path` relative to `root`, with `/`, without a leading `./`; its
/// absolute path when it is not under `root`.
pub fn display_path(root: &Path, path: &Path) -> String {
    PathNamer::new(root).name(path)
}

/// Names paths relative to one root; for many paths, as the root's
/// absolute form is worked out once.
#[derive(Debug, Clone)]
pub struct PathNamer {
    root: PathBuf,
    /// The current directory and the root made absolute from it; `None`
    /// when the current directory cannot be read.
    absolute: Option<(PathBuf, PathBuf)>,
}

impl PathNamer {
    pub fn new(root: &Path) -> PathNamer {
        let absolute = std::env::current_dir().ok().map(|working_dir| {
            let absolute_root = absolute(root, &working_dir);
            (working_dir, absolute_root)
        });
        PathNamer {
            root: root.to_path_buf(),
            absolute,
        }
    }

    /// See [`display_path`].
    pub fn name(&self, path: &Path) -> String {
        // The walk's own paths all start with the root: no allocation but
        // the name's.
        if let Ok(relative) = path.strip_prefix(&self.root)
            && !starts_outside(relative)
        {
            return joined(relative).unwrap_or_else(|| slashed(path));
        }
        let Some((working_dir, absolute_root)) = &self.absolute else {
            return slashed(path);
        };
        let absolute_path = absolute(path, working_dir);
        if let Ok(relative) = absolute_path.strip_prefix(absolute_root) {
            return joined(relative).unwrap_or_else(|| slashed(path));
        }
        // One directory under two spellings (a symbolic link in either).
        if let (Ok(real_path), Ok(real_root)) = (
            std::fs::canonicalize(&absolute_path),
            std::fs::canonicalize(absolute_root),
        ) && let Ok(relative) = real_path.strip_prefix(&real_root)
        {
            return joined(relative).unwrap_or_else(|| slashed(path));
        }
        slashed(&absolute_path)
    }
}

/// The components of a relative path joined with `/`, `.` dropped; `None`
/// when nothing is left.
fn joined(relative: &Path) -> Option<String> {
    let text = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    (!text.is_empty()).then_some(text)
}

/// Whether a relative path climbs out of where it starts (`../x`).
fn starts_outside(relative: &Path) -> bool {
    relative
        .components()
        .find(|c| !matches!(c, Component::CurDir))
        .is_some_and(|c| matches!(c, Component::ParentDir))
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` made absolute from `working_dir` and with `.` and `..` resolved,
/// without touching the disk.
pub fn absolute(path: &Path, working_dir: &Path) -> PathBuf {
    let mut out = if path.is_absolute() {
        PathBuf::new()
    } else {
        working_dir.to_path_buf()
    };
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether `path` is `dir` or under it, by name or (through symbolic
/// links) on disk. Both absolute.
fn is_within(path: &Path, dir: &Path) -> bool {
    if path.starts_with(dir) {
        return true;
    }
    match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
        (Ok(path), Ok(dir)) => path.starts_with(dir),
        _ => false,
    }
}

/// The top of the git checkout holding `path` (the nearest directory up
/// from it with a `.git`, directory or file as in a worktree).
fn repository_of(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_root_are_relative_and_use_slashes() {
        let namer = PathNamer::new(Path::new("."));
        assert_eq!(namer.name(Path::new("./a/b/Dockerfile")), "a/b/Dockerfile");
        assert_eq!(namer.name(Path::new("a/Dockerfile")), "a/Dockerfile");
        let root = Path::new("/srv/repo");
        assert_eq!(
            display_path(root, Path::new("/srv/repo/x/Dockerfile")),
            "x/Dockerfile"
        );
    }

    #[test]
    fn absolute_paths_under_the_working_directory_are_relative_to_it() {
        let working_dir = std::env::current_dir().unwrap();
        let file = working_dir.join("sub").join("Dockerfile");
        assert_eq!(display_path(Path::new("."), &file), "sub/Dockerfile");
    }

    #[test]
    fn paths_outside_the_root_keep_their_absolute_path_once_rooted() {
        let root = Path::new("/srv/repo");
        assert_eq!(
            display_path(root, Path::new("/opt/other/Dockerfile")),
            "/opt/other/Dockerfile"
        );
        let working_dir = std::env::current_dir().unwrap();
        let outside = working_dir.parent().unwrap().join("elsewhere/Dockerfile");
        let named = display_path(Path::new("."), Path::new("../elsewhere/Dockerfile"));
        assert_eq!(named, outside.to_string_lossy());
        assert!(!named.starts_with("//"));
    }

    #[test]
    fn the_root_is_the_directory_or_the_repository_holding_the_files() {
        let tree = tempfile::tempdir().unwrap();
        let repository = tree.path().join("repo");
        std::fs::create_dir_all(repository.join(".git")).unwrap();
        std::fs::create_dir_all(repository.join("svc")).unwrap();
        let file = repository.join("svc/Dockerfile");
        std::fs::write(&file, "FROM scratch\n").unwrap();
        assert_eq!(scan_root(std::slice::from_ref(&repository)), repository);
        // The test's working directory is the crate, not this temp tree.
        assert_eq!(scan_root(std::slice::from_ref(&file)), repository);
        let loose = tree.path().join("loose/Dockerfile");
        std::fs::create_dir_all(loose.parent().unwrap()).unwrap();
        std::fs::write(&loose, "FROM scratch\n").unwrap();
        assert_eq!(scan_root(&[file, loose]), PathBuf::from("."));
        assert_eq!(
            scan_root(&[PathBuf::from("Cargo.toml")]),
            PathBuf::from(".")
        );
    }
}
