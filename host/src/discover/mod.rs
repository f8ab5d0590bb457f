//! Finding the Dockerfiles under the paths a user gives.
//!
//! Directories are walked with the `ignore` crate (ripgrep's walker), which
//! honours `.gitignore` inside git repositories, plus our own
//! `.tallymanignore` everywhere. Hidden directories and symlinks are not
//! followed unless asked. A file named explicitly on the command line is
//! always a target, whatever its name.

mod context;
mod names;
pub mod repositories;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

pub use context::build_context;
pub use names::is_dockerfile_name;

/// The ignore file tallyman reads beside `.gitignore`.
pub const IGNORE_FILE: &str = ".tallymanignore";

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Walk hidden files and directories.
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

/// A Dockerfile found by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where to read it.
    pub path: PathBuf,
    /// Relative to the scan root, with `/`: its name in reports.
    pub display: String,
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

/// The root that report paths are relative to: the one directory given,
/// else the current directory.
pub fn scan_root(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [only] if only.is_dir() => only.clone(),
        _ => PathBuf::from("."),
    }
}

/// `path` relative to `root`, with `/`, without a leading `./`.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let text = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        path.to_string_lossy().replace('\\', "/")
    } else {
        text
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
                display: display_path(root, path),
            });
            continue;
        }
        let mut walker = WalkBuilder::new(path);
        walker
            .hidden(!options.hidden)
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
                        let is_target = entry.file_type().is_some_and(|t| t.is_file())
                            && is_dockerfile_name(&entry.file_name().to_string_lossy());
                        if is_target {
                            let display = display_path(root, entry.path());
                            if keep(&display)
                                && let Ok(mut found) = found.lock()
                            {
                                found.push(Found {
                                    path: entry.path().to_path_buf(),
                                    display,
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
        discovery
            .found
            .extend(found.into_inner().unwrap_or_else(|e| e.into_inner()));
        let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
        errors.sort_by(|a, b| a.message.cmp(&b.message));
        discovery.errors.extend(errors);
    }
    discovery.found.sort_by(|a, b| a.display.cmp(&b.display));
    discovery.found.dedup_by(|a, b| a.display == b.display);
    Ok(discovery)
}
