//! Finding the Dockerfiles under the paths a user gives.
//!
//! Directories are walked with the `ignore` crate (ripgrep's walker), which
//! honours `.gitignore` inside git repositories, plus our own
//! `.tallymanignore` everywhere. Hidden directories are walked (that is
//! where `.devcontainer/Dockerfile` and `.github/actions/*/Dockerfile`
//! live), except version control metadata and, with `--no-hidden`, every
//! hidden one; symbolic links are not followed unless asked. Every directory
//! left out is counted by why, for the report. A file named explicitly on
//! the command line is always a target, whatever its name.

mod context;
mod names;
mod paths;
pub mod repositories;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::report::DirectoriesLeftOut;

pub use context::{build_context, build_context_if_possible};
pub use names::is_dockerfile_name;
pub use paths::{PathNamer, display_path, scan_root};

/// How the names of a build context's ignore files end: `.dockerignore` and
/// `<Dockerfile name>.dockerignore`.
const DOCKERIGNORE_SUFFIX: &[u8] = b".dockerignore";

/// The ignore file tallyman reads beside `.gitignore`.
pub const IGNORE_FILE: &str = ".tallymanignore";

/// Directories of version control metadata: never walked, hidden or not.
pub const VCS_DIRECTORIES: &[&str] = &[".git", ".hg", ".svn", ".bzr", ".jj", ".sl"];

#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// Walk hidden directories (all but [`VCS_DIRECTORIES`]) and files;
    /// `false` is `--no-hidden`.
    pub hidden: bool,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Don't honour `.gitignore` / `.tallymanignore`.
    pub no_ignore: bool,
    /// Only targets whose relative path matches one of these globs.
    pub include: Vec<String>,
    /// No targets whose relative path matches one of these globs.
    pub exclude: Vec<String>,
}

impl Default for DiscoverOptions {
    /// What `tallyman scan` does with no discovery flag.
    fn default() -> DiscoverOptions {
        DiscoverOptions {
            hidden: true,
            follow_links: false,
            no_ignore: false,
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

/// A Dockerfile found by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where to read it.
    pub path: PathBuf,
    /// Relative to the scan root, with `/`: its name in reports.
    pub display: String,
    /// Whether a `.dockerignore` may sit beside it. `false` only when the
    /// walk listed its directory and no name there ends in `.dockerignore`:
    /// then [`build_context`] has nothing to open, and two failed opens per
    /// file are saved.
    pub dockerignore_possible: bool,
}

/// Something discovery could not look at (an unreadable directory, a path
/// that does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by display path, each once.
    pub found: Vec<Found>,
    pub errors: Vec<DiscoverError>,
    pub left_out: DirectoriesLeftOut,
}

fn glob_set(globs: &[String], what: &str) -> anyhow::Result<Option<GlobSet>> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let glob = Glob::new(glob)
            .map_err(|e| anyhow::anyhow!("{what} glob `{glob}` is not valid: {e}"))?;
        builder.add(glob);
    }
    Ok(Some(builder.build()?))
}

/// Counts of one walk, shared by its threads and its entry filter.
///
/// The walker does not say what its ignore files excluded: an entry they
/// match never reaches the filter. So every directory the walk enters is
/// listed once more and its subdirectories counted; those the filter never
/// saw are the ones the ignore files excluded.
#[derive(Default)]
struct WalkCounts {
    subdirectories_on_disk: AtomicUsize,
    subdirectories_seen: AtomicUsize,
    vcs_metadata: AtomicUsize,
    hidden: AtomicUsize,
    /// Directories whose listing holds a name ending in `.dockerignore`, or
    /// could not be listed: where a Dockerfile's build context must be
    /// looked for.
    dockerignore_possible: Mutex<HashSet<PathBuf>>,
}

impl WalkCounts {
    /// Whether the walk goes into (or reports) `entry`; counts what it
    /// leaves out.
    fn admit(&self, entry: &DirEntry, walk_hidden: bool) -> bool {
        // A path the user named is walked whatever its name.
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && !entry.path_is_symlink() {
            self.subdirectories_seen.fetch_add(1, Ordering::Relaxed);
        }
        let name = entry.file_name().to_string_lossy();
        if is_dir && VCS_DIRECTORIES.contains(&name.as_ref()) {
            self.vcs_metadata.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if !walk_hidden && name.starts_with('.') {
            if is_dir {
                self.hidden.fetch_add(1, Ordering::Relaxed);
            }
            return false;
        }
        true
    }

    /// Counts the subdirectories of a directory the walk entered, and
    /// notes whether a `.dockerignore` may be in it.
    fn entered(&self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            self.dockerignore_possible_in(dir);
            return;
        };
        let mut subdirectories = 0;
        let mut dockerignore = false;
        for entry in entries {
            let Ok(entry) = entry else {
                dockerignore = true;
                continue;
            };
            // The directory entry's own type: no stat per entry.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                subdirectories += 1;
            }
            dockerignore |= entry
                .file_name()
                .as_encoded_bytes()
                .ends_with(DOCKERIGNORE_SUFFIX);
        }
        self.subdirectories_on_disk
            .fetch_add(subdirectories, Ordering::Relaxed);
        if dockerignore {
            self.dockerignore_possible_in(dir);
        }
    }

    fn dockerignore_possible_in(&self, dir: &Path) {
        if let Ok(mut dirs) = self.dockerignore_possible.lock() {
            dirs.insert(dir.to_path_buf());
        }
    }

    fn left_out(&self, counting_ignored: bool) -> DirectoriesLeftOut {
        let ignore_files = if counting_ignored {
            self.subdirectories_on_disk
                .load(Ordering::Relaxed)
                .saturating_sub(self.subdirectories_seen.load(Ordering::Relaxed))
        } else {
            0
        };
        DirectoriesLeftOut {
            vcs_metadata: self.vcs_metadata.load(Ordering::Relaxed),
            ignore_files,
            hidden: self.hidden.load(Ordering::Relaxed),
        }
    }
}

/// Finds every Dockerfile under `paths`, relative to `root`.
pub fn discover(
    paths: &[PathBuf],
    root: &Path,
    options: &DiscoverOptions,
) -> anyhow::Result<Discovery> {
    let include = glob_set(&options.include, "--include")?;
    let exclude = glob_set(&options.exclude, "--exclude")?;
    let mut discovery = Discovery::default();
    let namer = PathNamer::new(root);
    let keep = |display: &str| {
        include.as_ref().is_none_or(|set| set.is_match(display))
            && !exclude.as_ref().is_some_and(|set| set.is_match(display))
    };

    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                discovery.errors.push(DiscoverError {
                    path: path.to_string_lossy().into_owned(),
                    message: format!("cannot read this path: {err}"),
                });
                continue;
            }
        };
        if !metadata.is_dir() {
            // Named explicitly: a target whatever its name, and not subject to globs.
            discovery.found.push(Found {
                path: path.clone(),
                display: namer.name(path),
                dockerignore_possible: true,
            });
            continue;
        }
        let counts = Arc::new(WalkCounts::default());
        let counting_ignored = !options.no_ignore;
        let mut walker = WalkBuilder::new(path);
        let walk_hidden = options.hidden;
        let filter_counts = Arc::clone(&counts);
        walker
            // Hidden entries are left out (and counted) by the filter.
            .hidden(false)
            .filter_entry(move |entry| filter_counts.admit(entry, walk_hidden))
            .follow_links(options.follow_links)
            .git_ignore(!options.no_ignore)
            .git_global(false)
            .git_exclude(!options.no_ignore)
            .ignore(!options.no_ignore)
            .parents(!options.no_ignore);
        if !options.no_ignore {
            walker.add_custom_ignore_filename(IGNORE_FILE);
        }
        // In parallel: on a tree of 10,000 Dockerfiles the walk (a stat of
        // every ignore file in every directory) is most of a scan whose
        // results come from the result cache. The order is restored below.
        let found = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        walker.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        if counting_ignored && entry.file_type().is_some_and(|t| t.is_dir()) {
                            counts.entered(entry.path());
                        }
                        let is_target = entry.file_type().is_some_and(|t| t.is_file())
                            && is_dockerfile_name(&entry.file_name().to_string_lossy());
                        if is_target {
                            let display = namer.name(entry.path());
                            if keep(&display)
                                && let Ok(mut found) = found.lock()
                            {
                                found.push(Found {
                                    path: entry.path().to_path_buf(),
                                    display,
                                    dockerignore_possible: true,
                                });
                            }
                        }
                    }
                    Err(err) => {
                        if let Ok(mut errors) = errors.lock() {
                            errors.push(DiscoverError {
                                path: path.to_string_lossy().into_owned(),
                                message: format!("cannot walk part of this directory: {err}"),
                            });
                        }
                    }
                }
                WalkState::Continue
            })
        });
        let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        // Every directory the walk entered was listed when ignore files are
        // honoured (to count what they left out); without that listing,
        // every Dockerfile's directory is probed.
        if counting_ignored {
            let possible = counts
                .dockerignore_possible
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            for found in &mut found {
                found.dockerignore_possible =
                    found.path.parent().is_none_or(|dir| possible.contains(dir));
            }
        }
        discovery.found.extend(found);
        discovery.left_out.add(&counts.left_out(counting_ignored));
        let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
        errors.sort_by(|a, b| a.message.cmp(&b.message));
        discovery.errors.extend(errors);
    }
    discovery.found.sort_by(|a, b| a.display.cmp(&b.display));
    discovery.found.dedup_by(|a, b| a.display == b.display);
    Ok(discovery)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "FROM scratch\n").unwrap();
    }

    fn possible(discovery: &Discovery) -> Vec<(&str, bool)> {
        discovery
            .found
            .iter()
            .map(|found| (found.display.as_str(), found.dockerignore_possible))
            .collect()
    }

    #[test]
    fn only_directories_listing_a_dockerignore_are_probed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("plain/Dockerfile"));
        write(&root.join("shared/Dockerfile"));
        write(&root.join("shared/.dockerignore"));
        write(&root.join("named/Dockerfile.prod"));
        write(&root.join("named/Dockerfile.prod.dockerignore"));
        // Ignored by git, still read by `docker build`: the probe must not
        // depend on what the walk shows.
        std::fs::create_dir_all(root.join(".git")).unwrap();
        write(&root.join("gitignored/Dockerfile"));
        write(&root.join("gitignored/.dockerignore"));
        std::fs::write(root.join("gitignored/.gitignore"), ".dockerignore\n").unwrap();

        let discovery = discover(&[root.to_path_buf()], root, &DiscoverOptions::default()).unwrap();
        assert_eq!(
            possible(&discovery),
            [
                ("gitignored/Dockerfile", true),
                ("named/Dockerfile.prod", true),
                ("plain/Dockerfile", false),
                ("shared/Dockerfile", true),
            ]
        );
        for found in &discovery.found {
            assert_eq!(
                build_context_if_possible(&found.path, root, found.dockerignore_possible),
                build_context(&found.path, root),
                "{}",
                found.display
            );
        }

        // Without ignore files nothing is listed twice, so every directory is probed.
        let options = DiscoverOptions {
            no_ignore: true,
            ..DiscoverOptions::default()
        };
        let discovery = discover(&[root.to_path_buf()], root, &options).unwrap();
        assert!(
            discovery
                .found
                .iter()
                .all(|found| found.dockerignore_possible)
        );

        // A file named on the command line: its directory was not listed.
        let named = root.join("plain/Dockerfile");
        let discovery = discover(&[named], root, &DiscoverOptions::default()).unwrap();
        assert_eq!(possible(&discovery), [("plain/Dockerfile", true)]);
    }
}
