//! `tallyman cache stats|prune`: what the caches hold and making them
//! smaller; and opening the result cache for a scan.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;

use super::policy::Format;
use crate::engine::{self, CacheDir, CompiledCodeStats, Engine, Limits};
use crate::result_cache::{self, BuildId, Prune, Pruned, ResultCache, RunFigures};

/// Entries not used for this many days go with a plain `cache prune`.
const DEFAULT_PRUNE_DAYS: u32 = 30;

#[derive(Debug, clap::Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    command: CacheCommand,
    /// The cache directory [default: $TALLYMAN_CACHE_DIR, $XDG_CACHE_HOME/tallyman or ~/.cache/tallyman]
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum CacheCommand {
    /// Show entries, size on disk and the last scan's hits and misses
    Stats {
        #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Delete cached results of other tallyman builds and those unused for
    /// 30 days (the default), or what the options say
    Prune {
        /// Delete results not used for DAYS days
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u32>,
        /// Delete results and compiled code of other tallyman builds
        #[arg(long)]
        other_versions: bool,
        /// Delete every cached result and all compiled code
        #[arg(long, conflicts_with_all = ["older_than", "other_versions"])]
        all: bool,
    },
}

fn cache_dir(option: Option<&Path>) -> anyhow::Result<PathBuf> {
    match CacheDir::resolve(option) {
        CacheDir::Path(dir) => Ok(dir),
        CacheDir::Disabled => bail!(
            "no cache directory: give --cache-dir, or set TALLYMAN_CACHE_DIR, XDG_CACHE_HOME or HOME"
        ),
    }
}

/// The running engine's compiled-code directory under `dir`: other
/// directories there belong to other builds.
fn current_compiled_dir(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let engine = Engine::new(Limits::default(), CacheDir::Path(dir.to_path_buf()))?;
    Ok(engine.compiled_code_dir().map(Path::to_path_buf))
}

fn build_id() -> anyhow::Result<BuildId> {
    BuildId::current().map_err(|reason| anyhow::anyhow!("cannot identify this build: {reason}"))
}

/// An error reading the result cache, with what to do about it.
fn damaged_hint(reason: String) -> anyhow::Error {
    anyhow::anyhow!(
        "{reason} (the next scan replaces a damaged file; `tallyman cache prune --all` deletes it)"
    )
}

#[derive(Serialize)]
struct StatsReport {
    cache_dir: PathBuf,
    results: result_cache::Stats,
    compiled_code: CompiledCodeStats,
}

pub fn run(args: &CacheArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let dir = cache_dir(args.cache_dir.as_deref())?;
    let build = build_id()?;
    match &args.command {
        CacheCommand::Stats { format } => {
            let report = StatsReport {
                results: result_cache::stats(&dir, &build).map_err(damaged_hint)?,
                compiled_code: engine::compiled_code_stats(
                    &dir,
                    current_compiled_dir(&dir)?.as_deref(),
                ),
                cache_dir: dir,
            };
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &report)?;
                    writeln!(out)?;
                }
                Format::Text => write_stats(&report, out)?,
            }
        }
        CacheCommand::Prune {
            older_than,
            other_versions,
            all,
        } => {
            let prune = if *all {
                Prune {
                    all: true,
                    ..Prune::default()
                }
            } else if older_than.is_none() && !other_versions {
                Prune {
                    other_builds: true,
                    older_than_days: Some(DEFAULT_PRUNE_DAYS),
                    all: false,
                }
            } else {
                Prune {
                    other_builds: *other_versions,
                    older_than_days: *older_than,
                    all: false,
                }
            };
            let pruned = result_cache::prune(&dir, &build, prune).map_err(damaged_hint)?;
            let compiled_freed = if prune.all || prune.other_builds {
                let keep = if prune.all {
                    None
                } else {
                    current_compiled_dir(&dir)?
                };
                engine::prune_compiled_code(&dir, keep.as_deref())
                    .with_context(|| format!("{}: cannot delete compiled code", dir.display()))?
            } else {
                0
            };
            write_pruned(&pruned, compiled_freed, out)?;
        }
    }
    Ok(0)
}

/// A size on disk, readably.
fn size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if (bytes as f64) < MIB {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / MIB)
    }
}

fn write_stats(report: &StatsReport, out: &mut dyn Write) -> std::io::Result<()> {
    let results = &report.results;
    writeln!(out, "cache directory: {}", report.cache_dir.display())?;
    writeln!(out, "results: {}", results.file.display())?;
    if results.exists {
        let counts = &results.counts;
        writeln!(
            out,
            "  {} entries, one per Dockerfile ({} of this build), {} on disk",
            counts.entries,
            counts.this_build,
            size(results.bytes_on_disk)
        )?;
        if let (Some(oldest), Some(newest)) = (counts.oldest_used, counts.newest_used) {
            let today = result_cache::today();
            writeln!(
                out,
                "  last used: {} to {} days ago",
                today - newest,
                today - oldest
            )?;
        }
    } else {
        writeln!(out, "  none yet")?;
    }
    if let Some(run) = &results.last_run {
        write_last_run(run, out)?;
    }
    let compiled = &report.compiled_code;
    writeln!(
        out,
        "compiled code: {} entries, {} on disk",
        compiled.entries,
        size(compiled.bytes)
    )?;
    if compiled.other_engines > 0 {
        writeln!(
            out,
            "  and {} entries ({}) of {} other builds: `tallyman cache prune --other-versions` deletes them",
            compiled.other_entries,
            size(compiled.other_bytes),
            compiled.other_engines
        )?;
    }
    Ok(())
}

fn write_last_run(run: &RunFigures, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "  last scan ({}):", run.finished_at)?;
    writeln!(
        out,
        "    targets: {} from the cache, {} evaluated",
        run.targets_from_cache, run.targets_evaluated
    )?;
    writeln!(
        out,
        "    policy results: {} hits, {} misses; {} entries stored, {} not cacheable, {} damaged",
        run.results_from_cache,
        run.results_evaluated,
        run.entries_stored,
        run.results_not_cached,
        run.entries_refused
    )
}

fn write_pruned(pruned: &Pruned, compiled_freed: u64, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "deleted {} cached entries (one per Dockerfile; {} -> {} on disk) and {} of compiled code",
        pruned.entries_deleted,
        size(pruned.bytes_before),
        size(pruned.bytes_after),
        size(compiled_freed)
    )
}

/// The result cache for a scan: none with `--no-cache` or without a cache
/// directory; when it cannot be opened, the scan goes on without it and
/// says why in one line.
pub fn open_for_scan(no_cache: bool, cache_dir: Option<&Path>) -> Option<ResultCache> {
    if no_cache {
        return None;
    }
    let CacheDir::Path(dir) = CacheDir::resolve(cache_dir) else {
        return None;
    };
    let opened = BuildId::current().and_then(|build| ResultCache::open(&dir, build));
    match opened {
        Ok(cache) => Some(cache),
        Err(reason) => {
            eprintln!("warning: result cache not used: {reason}");
            None
        }
    }
}

/// Ends the scan's use of the result cache, printing its warnings.
pub fn finish_scan(cache: Option<ResultCache>) {
    if let Some(cache) = cache {
        for warning in cache.finish().warnings {
            eprintln!("warning: result cache: {warning}");
        }
    }
}
