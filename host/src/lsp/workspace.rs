//! The policies a workspace's documents are checked with: `tallyman.yaml`
//! found as `scan` finds it from the workspace root, the built-in and org
//! policies it selects, loaded and compiled once and reused for every
//! document until the configuration changes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cli::policies::{PolicySelection, finding_filter, load_policies};
use crate::config::{self, CONFIG_NAMES};
use crate::engine::{ConfiguredPolicy, Engine};
use crate::scan::findings::FindingFilter;

/// Everything needed to check one document, loaded once.
pub struct Loaded {
    pub engine: Engine,
    pub policies: Vec<ConfiguredPolicy>,
    pub filter: FindingFilter,
    pub max_file_bytes: usize,
    pub ignore_paths: Option<globset::GlobSet>,
    /// Ids of the rules of built-in policies: the ones `docs/rules.md` documents.
    pub builtin_rules: HashSet<String>,
}

/// What the configuration files looked like when they were read: a change
/// (edited, created, deleted) means the policies must be reloaded, which
/// catches edits even from editors that do not report file changes.
#[derive(Debug, PartialEq, Eq)]
struct ConfigStamp(Vec<(PathBuf, Option<(SystemTime, u64)>)>);

impl ConfigStamp {
    fn of(files: &[PathBuf]) -> ConfigStamp {
        ConfigStamp(
            files
                .iter()
                .map(|file| {
                    let seen = std::fs::metadata(file)
                        .ok()
                        .and_then(|m| Some((m.modified().ok()?, m.len())));
                    (file.clone(), seen)
                })
                .collect(),
        )
    }
}

pub struct Workspace {
    root: PathBuf,
    selection: PolicySelection,
    /// The loaded policies, or why they could not be loaded (shown on every
    /// document as one diagnostic).
    state: Result<Loaded, String>,
    stamp: ConfigStamp,
}

impl Workspace {
    pub fn open(root: PathBuf, selection: PolicySelection) -> Workspace {
        let mut workspace = Workspace {
            root,
            selection,
            state: Err(String::new()),
            stamp: ConfigStamp(Vec::new()),
        };
        workspace.reload();
        workspace
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn state(&self) -> Result<&Loaded, &str> {
        self.state.as_ref().map_err(String::as_str)
    }

    /// The files whose change means a reload: the `--config` file, else
    /// the names `scan` looks for in the root and the current directory,
    /// and whichever file was loaded (a hadolint configuration).
    fn watched_files(&self, loaded_file: Option<&Path>) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = match &self.selection.config {
            Some(explicit) => vec![explicit.clone()],
            None => [self.root.as_path(), Path::new(".")]
                .iter()
                .flat_map(|dir| CONFIG_NAMES.iter().map(move |name| dir.join(name)))
                .collect(),
        };
        if let Some(file) = loaded_file
            && !files.iter().any(|f| f == file)
        {
            files.push(file.to_path_buf());
        }
        files
    }

    /// Reads the configuration and loads the policies again.
    pub fn reload(&mut self) {
        let (state, loaded_file) = match load(&self.selection, &self.root) {
            Ok((loaded, file)) => (Ok(loaded), file),
            Err(err) => (Err(format!("{err:#}")), None),
        };
        self.state = state;
        self.stamp = ConfigStamp::of(&self.watched_files(loaded_file.as_deref()));
    }

    /// Reloads when a configuration file changed since it was read; says
    /// whether it did.
    pub fn refresh(&mut self) -> bool {
        let files: Vec<PathBuf> = self.stamp.0.iter().map(|(f, _)| f.clone()).collect();
        if ConfigStamp::of(&files) == self.stamp {
            return false;
        }
        self.reload();
        true
    }

    /// Whether `path` is a configuration file of this workspace (by name:
    /// a `tallyman.yaml` anywhere may be the one a reload would find).
    pub fn is_config_file(&self, path: &Path) -> bool {
        let named = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|name| CONFIG_NAMES.contains(&name));
        named || self.stamp.0.iter().any(|(file, _)| file == path)
    }
}

fn load(selection: &PolicySelection, root: &Path) -> anyhow::Result<(Loaded, Option<PathBuf>)> {
    let mut loaded = config::load(selection.config.as_deref(), root)?;
    let resolved = config::Resolved::from(&loaded)?;
    let (engine, policies) = load_policies(selection, &mut loaded, &resolved)?;
    let filter = finding_filter(selection, &loaded.config, &policies)?;
    let builtin_rules = policies
        .iter()
        .filter(|configured| configured.policy.is_builtin())
        .flat_map(|configured| configured.policy.info().rules.iter())
        .map(|rule| rule.id.clone())
        .collect();
    Ok((
        Loaded {
            engine,
            policies,
            filter,
            max_file_bytes: resolved.max_file_bytes,
            ignore_paths: resolved.ignore_paths,
            builtin_rules,
        },
        loaded.file,
    ))
}
