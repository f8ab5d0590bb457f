//! The arguments `scan` and `fix` share: which Dockerfiles are found, and
//! how each is read (its build stage, build arguments, size limit). One
//! struct flattened into both, so that a flag added here reaches both and
//! `fix` keeps evaluating exactly the files `scan` would.

use clap::Args;

use crate::config;
use crate::discover::DiscoverOptions;
use crate::scan::read::ReadOptions;

#[derive(Debug, Args)]
pub(super) struct DiscoveryArgs {
    /// The stage that is built (`docker build --target`); default: the last.
    #[arg(long)]
    target: Option<String>,
    /// A build argument, NAME=VALUE (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    build_args: Vec<String>,
    /// Only scan targets whose path matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Don't scan targets whose path matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Don't walk hidden directories and files (names starting with `.`).
    /// By default they are walked, except version control metadata
    /// (`.git`, `.hg`, `.svn`, `.bzr`, `.jj`, `.sl`).
    #[arg(long)]
    no_hidden: bool,
    /// Walk hidden directories: now the default; still accepted so that
    /// scripts written when it was not keep working.
    #[arg(long = "hidden", hide = true, conflicts_with = "no_hidden")]
    _hidden: bool,
    /// Follow symbolic links.
    #[arg(long)]
    follow_links: bool,
    /// Don't honour .gitignore and .tallymanignore.
    #[arg(long)]
    no_ignore: bool,
    /// Refuse Dockerfiles larger than this many bytes [default: 4 MiB, or the config's].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<usize>,
}

impl DiscoveryArgs {
    /// Whether hidden directories are walked (everything but `--no-hidden`).
    pub fn walks_hidden(&self) -> bool {
        !self.no_hidden
    }

    pub fn discover_options(&self) -> DiscoverOptions {
        DiscoverOptions {
            hidden: self.walks_hidden(),
            follow_links: self.follow_links,
            no_ignore: self.no_ignore,
            include: self.include.clone(),
            exclude: self.exclude.clone(),
        }
    }

    /// How each file is read; the size limit falls back to the config's.
    pub fn read_options(
        &self,
        resolved: &config::Resolved,
        evaluated_on: String,
        platform: String,
    ) -> anyhow::Result<ReadOptions> {
        Ok(ReadOptions {
            max_size: self.max_file_size.unwrap_or(resolved.max_file_bytes),
            evaluated_on,
            target: self.target.clone(),
            build_args: parse_build_args(&self.build_args)?,
            platform,
        })
    }
}

pub(super) fn parse_build_args(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|arg| match arg.split_once('=') {
            Some((name, value)) => Ok((name.to_string(), value.to_string())),
            None => anyhow::bail!("--build-arg `{arg}` needs the form NAME=VALUE"),
        })
        .collect()
}
