//! The repositories a scan covers: the scanned tree itself, the checkouts
//! listed in a file (`--repos`), or every git repository under a root
//! (`--repo-depth`).
//!
//! Each has a name, unique in the report, and a prefix for its targets'
//! paths so that `api/Dockerfile` of two repositories stay two targets.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use arcstr::ArcStr;

/// A checkout to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryRoot {
    /// Unique among the repositories of one scan; one copy, shared by the
    /// report entries of all of its targets.
    pub name: ArcStr,
    /// Where it is on disk.
    pub dir: PathBuf,
    /// Put before its targets' paths in the report; `None` when the report
    /// paths are relative to this repository (a scan of one tree).
    pub prefix: Option<String>,
}

impl RepositoryRoot {
    /// The one repository of a scan of `root` and paths under it: named
    /// after the directory, its targets' paths relative to it.
    pub fn single(root: &Path) -> RepositoryRoot {
        let name = std::fs::canonicalize(root)
            .ok()
            .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| ".".to_string());
        RepositoryRoot {
            name: name.into(),
            dir: root.to_path_buf(),
            prefix: None,
        }
    }

    /// A target's path in the report, from its path in the repository.
    pub fn report_path(&self, relative: &str) -> String {
        match &self.prefix {
            Some(prefix) => format!("{prefix}/{relative}"),
            None => relative.to_string(),
        }
    }

    /// A target's path in the repository, from its path in the report; `None`
    /// for a path outside it.
    pub fn relative_path<'p>(&self, report_path: &'p str) -> Option<&'p str> {
        match &self.prefix {
            Some(prefix) => report_path.strip_prefix(prefix.as_str())?.strip_prefix('/'),
            None => Some(report_path),
        }
    }

    /// Its `path` in the report (see [`crate::report::Repository::path`]).
    pub fn report_dir(&self) -> String {
        self.prefix.clone().unwrap_or_else(|| ".".to_string())
    }
}

/// The checkouts listed in `file`, one path per line; blank lines and lines
/// starting with `#` are skipped, relative paths are taken from the current
/// directory (as `find ... > FILE` writes them). Paths that do not exist are
/// kept: the scan reports each as an error and goes on with the others.
pub fn from_list(file: &Path) -> anyhow::Result<Vec<RepositoryRoot>> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("{}: cannot read the list of repositories", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!(
            "{}: the list of repositories is not UTF-8 text; give one checkout path per line",
            file.display()
        )
    })?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let dir = PathBuf::from(line);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    if dirs.is_empty() {
        anyhow::bail!(
            "{}: the list of repositories is empty; give one checkout path per line",
            file.display()
        );
    }
    Ok(named_by_shortest_unique_suffix(dirs))
}

/// Every git repository under `root`, at most `depth` directories down
/// (`1`: `root`'s children). A repository's own subdirectories are not
/// searched: a nested checkout belongs to the one around it. Version control
/// metadata, hidden directories unless `walk_hidden` (as discovery walks
/// them), and symbolic links are not followed.
pub fn under(root: &Path, depth: usize, walk_hidden: bool) -> anyhow::Result<Vec<RepositoryRoot>> {
    if depth == 0 {
        anyhow::bail!("--repo-depth must be at least 1 (1: the root's children)");
    }
    let metadata = std::fs::metadata(root).with_context(|| {
        format!(
            "{}: cannot read the root of the repositories",
            root.display()
        )
    })?;
    if !metadata.is_dir() {
        anyhow::bail!(
            "{}: --repo-depth needs a directory holding checkouts",
            root.display()
        );
    }
    let mut found = Vec::new();
    let mut level = vec![root.to_path_buf()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for dir in level {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut children: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    !super::VCS_DIRECTORIES.contains(&name.as_str())
                        && (walk_hidden || !name.starts_with('.'))
                })
                .map(|entry| entry.path())
                .collect();
            children.sort();
            for child in children {
                if child.join(".git").exists() {
                    found.push(child);
                } else {
                    next.push(child);
                }
            }
        }
        level = next;
    }
    if found.is_empty() {
        anyhow::bail!(
            "{}: no git repository within {depth} director{} of this root; raise --repo-depth or check the path",
            root.display(),
            if depth == 1 { "y" } else { "ies" }
        );
    }
    Ok(found
        .into_iter()
        .map(|dir| {
            let name = super::display_path(root, &dir);
            RepositoryRoot {
                name: name.as_str().into(),
                prefix: Some(name),
                dir,
            }
        })
        .collect())
}

/// Names each directory by the fewest trailing components that no other
/// directory shares: `/src/a/api` and `/src/b/api` become `a/api` and
/// `b/api`, a lone `/src/web` is `web`.
fn named_by_shortest_unique_suffix(dirs: Vec<PathBuf>) -> Vec<RepositoryRoot> {
    let components: Vec<Vec<String>> = dirs
        .iter()
        .map(|dir| {
            let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| {
                // A path that does not exist still needs a stable name.
                super::paths::absolute(dir, &std::env::current_dir().unwrap_or_default())
            });
            absolute
                .components()
                .filter_map(|c| match c {
                    Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let suffix = |parts: &[String], n: usize| parts[parts.len().saturating_sub(n)..].join("/");
    let mut taken = vec![0usize; dirs.len()];
    for (i, parts) in components.iter().enumerate() {
        let mut n = 1;
        while n < parts.len()
            && components
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && other != parts && suffix(other, n) == suffix(parts, n))
        {
            n += 1;
        }
        taken[i] = n;
    }
    let mut names: HashMap<String, usize> = HashMap::new();
    dirs.into_iter()
        .zip(components.iter().zip(taken))
        .map(|(dir, (parts, n))| {
            let mut name = suffix(parts, n);
            if name.is_empty() {
                name = "root".to_string();
            }
            // Two spellings of one directory share every suffix; number them.
            let seen = names.entry(name.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                name = format!("{name}~{seen}");
            }
            RepositoryRoot {
                name: name.as_str().into(),
                prefix: Some(name),
                dir,
            }
        })
        .collect()
}

/// The commit checked out in `dir`, or `None` when it is not in a git
/// repository (or git is not installed).
pub fn git_commit(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "--quiet", "HEAD"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (commit.len() >= 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())).then_some(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dirs: &[&str]) -> Vec<String> {
        named_by_shortest_unique_suffix(dirs.iter().map(PathBuf::from).collect())
            .into_iter()
            .map(|r| r.name.to_string())
            .collect()
    }

    #[test]
    fn names_are_the_shortest_unique_suffixes() {
        assert_eq!(
            names(&[
                "/nonexistent/a/api",
                "/nonexistent/b/api",
                "/nonexistent/web"
            ]),
            vec!["a/api", "b/api", "web"]
        );
    }

    #[test]
    fn two_spellings_of_one_directory_are_numbered() {
        assert_eq!(
            names(&["/nonexistent/x/api", "/nonexistent/x/./api"]),
            vec!["api", "api~2"]
        );
    }

    #[test]
    fn repositories_under_a_root_stop_at_the_first_git_directory() {
        let root = tempfile::tempdir().unwrap();
        for dir in [
            "team-a/api/.git",
            "team-a/api/vendor/lib/.git",
            "web/.git",
            "docs",
            ".hidden/x/.git",
        ] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        let names = |depth: usize, walk_hidden: bool| -> Vec<String> {
            under(root.path(), depth, walk_hidden)
                .unwrap()
                .into_iter()
                .map(|r| r.name.to_string())
                .collect()
        };
        assert_eq!(names(2, true), vec!["web", ".hidden/x", "team-a/api"]);
        assert_eq!(names(2, false), vec!["web", "team-a/api"]);
        assert_eq!(names(1, true), vec!["web"]);
        assert!(under(root.path().join("docs").as_path(), 3, true).is_err());
    }
}
