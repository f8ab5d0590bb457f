//! `tallyman scan [PATH...]`: find every Dockerfile, run every policy on it,
//! and report in the formats asked for.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::discovery::DiscoveryArgs;
use super::policies::{PolicySelection, finding_filter, load_policies};
use crate::attest::options::RunOptions;
use crate::attest::statement::ConfigDigest;
use crate::config;
use crate::discover::repositories::{self, RepositoryRoot};
use crate::discover::{display_path, scan_root};
use crate::report::{
    self, RenderOptions, Report, ReportFormat, RunInfo, SeverityName, Shard, Tool,
};
use crate::scan::shard::JOB_COMPLETION_INDEX;
use crate::scan::{self, RepositoryScan, ScanRequest};

/// Where `scan --help` sends a reader for what a script relies on: the
/// documents ship with the source, not with the binary.
const SCAN_HELP_FOOTER: &str = concat!(
    "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 an error.\n",
    "Discovery, report paths and exit codes: ",
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/cli.md\n",
    "Report formats and the JSON fields: ",
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/reports.md\n",
    "tallyman.yaml: ",
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/configuration.md"
);

#[derive(Debug, Args)]
#[command(after_help = SCAN_HELP_FOOTER)]
pub struct ScanArgs {
    /// Files and directories to scan (default: the current directory).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    reports: ReportOutputs,
    /// Lowest severity that fails the scan (exit code 1) [default: high, or the config's].
    #[arg(long, value_enum)]
    fail_on: Option<SeverityName>,
    #[command(flatten)]
    policies: PolicySelection,
    #[command(flatten)]
    discovery: DiscoveryArgs,
    /// Don't read or write the result cache (compiled policy code is still cached).
    #[arg(long)]
    no_cache: bool,
    #[command(flatten)]
    org: OrgArgs,
    #[command(flatten)]
    signing: super::sign::SignArgs,
    /// Apply the safe fixes first (as `tallyman fix`), then scan the fixed files.
    #[arg(long)]
    fix: bool,
    #[command(flatten)]
    fixes: super::fix::FixModeArgs,
}

/// `-f` and `-o`: the reports to write and where.
#[derive(Debug, Args)]
pub(super) struct ReportOutputs {
    /// Report format; repeat with -o to write several reports in one run.
    #[arg(short, long = "format", value_enum)]
    pub formats: Vec<ReportFormat>,
    /// Write the report to FILE instead of stdout; the n-th -o takes the n-th -f.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,
}

impl ReportOutputs {
    /// Each format with its file, `default` when no `-f` is given.
    pub fn destinations(
        &self,
        default: ReportFormat,
    ) -> anyhow::Result<Vec<(ReportFormat, Option<PathBuf>)>> {
        destinations(&self.formats, &self.outputs, default)
    }
}

/// Scanning many repositories, and sharing the work between machines.
#[derive(Debug, Args)]
struct OrgArgs {
    /// Scan the checkouts listed in FILE, one path per line; each is a
    /// repository in the report.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "repo_depth"])]
    repos: Option<PathBuf>,
    /// Scan every git repository at most N directories under the one PATH
    /// given; each is a repository in the report.
    #[arg(long, value_name = "N")]
    repo_depth: Option<usize>,
    /// Scan only shard K of N (1-based): a stable share of the targets, by
    /// repository and path. Merge the shards' reports with `tallyman merge`.
    #[arg(long, value_name = "K/N", conflicts_with = "shard_count")]
    shard: Option<String>,
    /// The number of shards when K comes from JOB_COMPLETION_INDEX (a
    /// Kubernetes Indexed Job; 0-based, so shard K = index + 1).
    #[arg(long, value_name = "N")]
    shard_count: Option<u32>,
}

impl OrgArgs {
    fn shard(&self) -> anyhow::Result<Option<Shard>> {
        if let Some(text) = &self.shard {
            return Shard::parse(text).map(Some);
        }
        let Some(count) = self.shard_count else {
            return Ok(None);
        };
        let index = std::env::var(JOB_COMPLETION_INDEX).map_err(|_| {
            anyhow::anyhow!(
                "--shard-count needs {JOB_COMPLETION_INDEX} in the environment (set by a Kubernetes Indexed Job); elsewhere give --shard K/N"
            )
        })?;
        Shard::from_job_index(&index, count).map(Some)
    }

    /// The repositories to scan, and the directory report paths are
    /// relative to (where `tallyman.yaml` is looked for, and SARIF's root).
    fn repositories(
        &self,
        paths: &[PathBuf],
        walk_hidden: bool,
    ) -> anyhow::Result<(Vec<RepositoryScan>, PathBuf)> {
        if let Some(list) = &self.repos {
            let roots = repositories::from_list(list)?;
            return Ok((
                roots.into_iter().map(RepositoryScan::whole).collect(),
                PathBuf::from("."),
            ));
        }
        if let Some(depth) = self.repo_depth {
            let root = match paths {
                [] => PathBuf::from("."),
                [one] => one.clone(),
                _ => anyhow::bail!(
                    "--repo-depth takes one PATH, the directory holding the checkouts"
                ),
            };
            let roots = repositories::under(&root, depth, walk_hidden)?;
            return Ok((roots.into_iter().map(RepositoryScan::whole).collect(), root));
        }
        let paths = if paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            paths.to_vec()
        };
        let root = scan_root(&paths);
        let repository = RepositoryScan {
            root: RepositoryRoot::single(&root),
            paths,
        };
        Ok((vec![repository], root))
    }
}

/// Pairs formats with outputs: the n-th `-o` takes the n-th `-f`; formats
/// left over go to stdout (at most one); no `-f` means `default`.
pub(super) fn destinations<F: Copy>(
    formats: &[F],
    outputs: &[PathBuf],
    default: F,
) -> anyhow::Result<Vec<(F, Option<PathBuf>)>> {
    let mut formats = formats.to_vec();
    if formats.is_empty() {
        formats.push(default);
    }
    if outputs.len() > formats.len() {
        anyhow::bail!(
            "{} outputs (-o) but only {} formats (-f): give a -f for each -o",
            outputs.len(),
            formats.len()
        );
    }
    let pairs: Vec<(F, Option<PathBuf>)> = formats
        .into_iter()
        .enumerate()
        .map(|(i, format)| (format, outputs.get(i).cloned()))
        .collect();
    if pairs.iter().filter(|(_, out)| out.is_none()).count() > 1 {
        anyhow::bail!("several formats would go to stdout: give each but one a -o FILE");
    }
    Ok(pairs)
}

pub fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let started_at = crate::clock::now_rfc3339();
    let evaluated_on = crate::clock::evaluation_date();
    let destinations = args.reports.destinations(ReportFormat::Text)?;
    let signer = args.signing.signer(&args.reports.outputs)?;
    let shard = args.org.shard()?;
    let (repositories, root) = args
        .org
        .repositories(&args.paths, args.discovery.walks_hidden())?;
    let mut loaded = config::load(args.policies.config.as_deref(), &root)?;
    let resolved = config::Resolved::from(&loaded)?;
    let (engine, policies) = load_policies(&args.policies, &mut loaded, &resolved)?;
    let fail_on = args
        .fail_on
        .or(loaded.config.fail_on)
        .unwrap_or(SeverityName::High);

    let filter = finding_filter(&args.policies, &loaded.config, &policies)?;
    let request = ScanRequest {
        repositories,
        discover: args.discovery.discover_options(),
        read: args.discovery.read_options(
            &resolved,
            evaluated_on.clone(),
            "linux/amd64".to_string(),
        )?,
        ignore_paths: resolved.ignore_paths.clone(),
        shard,
    };
    let options = run_options(args, &request, &resolved, fail_on);
    let config = ConfigDigest::new(
        loaded
            .file
            .as_deref()
            .map(|f| (f.display().to_string(), loaded.bytes.as_slice())),
        options.effective(&loaded.config)?,
    );

    if args.fix {
        let options = args.fixes.options();
        let files = super::fix::fix_all(&engine, &policies, &request, &filter, options, None)?;
        super::fix::write_fixed(&files)?;
        eprint!("{}", crate::fix::Summary::of(&files, options).render(false));
    } else if args.fixes.unsafe_fixes {
        anyhow::bail!("--unsafe-fixes goes with --fix");
    }

    let progress = super::progress::Progress::new("scanning");
    let done = AtomicUsize::new(0);
    let tick = || {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress.tick(n);
    };
    let cache = super::cache::open_for_scan(args.no_cache, args.policies.cache_dir.as_deref());
    let results = scan::scan(&engine, &policies, &request, &filter, cache.as_ref(), &tick)?;
    progress.finish();
    super::cache::finish_scan(cache);

    let mut report = Report::new(
        Tool::tallyman(),
        RunInfo {
            started_at,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            evaluated_on,
            fail_on,
            config_sha256: Some(config.sha256.clone()),
            shard,
        },
    );
    report.policies = policies.iter().map(scan::policy_entry).collect();
    report.policies.push(scan::host_policy_entry());
    report.repositories = results.repositories;
    report.targets = results.targets;
    report.findings = results.findings;
    report.errors = results.errors;
    report.finalize();
    let source = |path: &str| read_source(&request.repositories, path);
    let sarif_root = args.org.repos.is_none().then_some(root.as_path());
    write_reports(&report, &destinations, &source, sarif_root)?;
    if let Some(signer) = signer {
        let inputs = request
            .repositories
            .iter()
            .flat_map(|scan| {
                scan.paths.iter().map(|path| {
                    if *path == root {
                        ".".to_string()
                    } else {
                        display_path(&root, path)
                    }
                })
            })
            .collect();
        let written = signer.write(&report, config, inputs)?;
        eprintln!("signed attestation: {}", written.display());
    }
    Ok(report.exit_code())
}

/// The options in force, as recorded in a signed attestation.
fn run_options(
    args: &ScanArgs,
    request: &ScanRequest,
    resolved: &config::Resolved,
    fail_on: SeverityName,
) -> RunOptions {
    RunOptions {
        fail_on: Some(fail_on),
        no_builtin: args.policies.no_builtin,
        no_foreign_pragmas: args.policies.no_foreign_pragmas,
        policies: args
            .policies
            .policies
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        target: request.read.target.clone(),
        build_args: request.read.build_args.clone(),
        platform: request.read.platform.clone(),
        include: request.discover.include.clone(),
        exclude: request.discover.exclude.clone(),
        hidden: request.discover.hidden,
        follow_links: request.discover.follow_links,
        no_ignore: request.discover.no_ignore,
        max_file_bytes: request.read.max_size,
        limits: resolved.limits.clone(),
    }
}

/// The text of the file at report path `path`, found through the
/// repository whose prefix it starts with.
fn read_source(repositories: &[RepositoryScan], path: &str) -> Option<String> {
    repositories.iter().find_map(|scan| {
        let relative = scan.root.relative_path(path)?;
        std::fs::read_to_string(scan.root.dir.join(relative)).ok()
    })
}

/// Writes each requested report; `source` gives the text of a report path
/// so that text and SARIF can quote the offending lines; `sarif_root` is
/// the directory report paths are relative to, when there is one.
pub fn write_reports(
    report: &Report,
    destinations: &[(ReportFormat, Option<PathBuf>)],
    source: &dyn Fn(&str) -> Option<String>,
    sarif_root: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    // Absolute, so that `%SRCROOT%` says where `.` was.
    let root_uri = sarif_root
        .and_then(|root| std::fs::canonicalize(root).ok())
        .and_then(|root| report::sarif::root_uri(&root));
    for (format, output) in destinations {
        match output {
            Some(file) => {
                let mut out = std::io::BufWriter::new(
                    std::fs::File::create(file)
                        .with_context(|| format!("{}: cannot write the report", file.display()))?,
                );
                let options = RenderOptions {
                    color: false,
                    source: Some(source),
                    root_uri: root_uri.as_deref(),
                };
                report::write_report(report, *format, &mut out, &options)?;
                out.flush()?;
            }
            None => {
                let stdout = std::io::stdout();
                let color = report::color_enabled(stdout.is_terminal());
                let mut out = stdout.lock();
                let options = RenderOptions {
                    color,
                    source: Some(source),
                    root_uri: root_uri.as_deref(),
                };
                report::write_report(report, *format, &mut out, &options)?;
                out.flush()?;
            }
        }
    }
    Ok(())
}
