//! `tallyman fix [PATH...]`: apply the fixes the findings carry.
//!
//! Files are found and evaluated as `scan` finds and evaluates them (same
//! configuration, pragmas, `ignore.paths`), so a suppressed finding is never
//! fixed. `--pin-digests` adds the digest pins of `crate::fix::pin`,
//! resolved by the host through `crate::image`'s registry client (or a
//! `--digests` map), as more edits per file, applied by the same passes.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use rayon::prelude::*;

use super::discovery::DiscoveryArgs;
use super::policies::{PolicySelection, finding_filter, load_policies};
use crate::config;
use crate::discover::repositories::RepositoryRoot;
use crate::discover::scan_root;
use crate::engine::{ConfiguredPolicy, Engine};
use crate::fix::pin::{DigestMap, DigestSource, PinOptions, Pinner};
use crate::fix::{FileFix, FixOptions, Fixer, Summary, unified_diff};
use crate::image::{DEFAULT_PLATFORM, PlatformSpec, RegistryOptions};
use crate::scan::findings::FindingFilter;
use crate::scan::{self, RepositoryScan, ScanRequest};

/// `fix` walks and reads files as `scan` does; only the words for what
/// happens to a file differ.
#[derive(Debug, Args)]
#[command(
    mut_arg("include", |arg| arg.help("Only fix files whose path matches this glob (repeatable)")),
    mut_arg("exclude", |arg| arg.help("Don't fix files whose path matches this glob (repeatable)")),
    mut_arg("max_file_size", |arg| arg.help(
        "Leave files larger than this many bytes alone [default: 4 MiB, or the config's]"
    ))
)]
pub struct FixArgs {
    /// Files and directories to fix (default: the current directory).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(super) fixes: FixModeArgs,
    /// Print a unified diff of what would change, and write nothing.
    #[arg(long, conflicts_with = "check")]
    diff: bool,
    /// Write nothing; exit 1 when any file would change.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    pins: PinArgs,
    #[command(flatten)]
    policies: PolicySelection,
    #[command(flatten)]
    discovery: DiscoveryArgs,
}

/// `--pin-digests` and its options.
#[derive(Debug, Args)]
struct PinArgs {
    /// Pin every image the build pulls (FROM, COPY --from, RUN --mount from=) by the digest its tag names now, keeping the tag.
    #[arg(long)]
    pin_digests: bool,
    /// With --pin-digests: take the digests from this JSON map of image reference to digest, with no network access.
    #[arg(long, value_name = "FILE", requires = "pin_digests")]
    digests: Option<PathBuf>,
    /// With --pin-digests: re-resolve references pinned already, and replace a digest whose tag has moved.
    #[arg(long, requires = "pin_digests")]
    refresh_pins: bool,
    /// With --pin-digests: write the build platform's own manifest digest rather than the multi-platform index's.
    #[arg(long, requires = "pin_digests")]
    pin_platform_manifest: bool,
    /// The build's platform: what `$TARGETPLATFORM` is, and the platform images are pinned for where a FROM names none.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", default_value = DEFAULT_PLATFORM)]
    platform: String,
    /// Allow plain HTTP to a registry on a loopback address (localhost, 127.0.0.1, ::1).
    #[arg(long, requires = "pin_digests")]
    insecure: bool,
    /// Seconds each registry request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

impl PinArgs {
    /// The pinner, when pinning is asked for.
    fn pinner(&self, platform: &PlatformSpec) -> anyhow::Result<Option<Pinner>> {
        if !self.pin_digests {
            return Ok(None);
        }
        let source = match &self.digests {
            Some(path) => DigestSource::Map(DigestMap::load(path)?),
            None => DigestSource::Registry(RegistryOptions {
                insecure: self.insecure,
                timeout: Duration::from_secs(self.timeout.max(1)),
                ..RegistryOptions::default()
            }),
        };
        let options = PinOptions {
            refresh: self.refresh_pins,
            platform_manifest: self.pin_platform_manifest,
            platform: platform.clone(),
        };
        Ok(Some(Pinner::new(options, source)))
    }
}

/// The choice of fixes, shared with `scan --fix`.
#[derive(Debug, Args)]
pub(super) struct FixModeArgs {
    /// Apply the unsafe fixes too (those that may change what the build does).
    #[arg(long)]
    pub unsafe_fixes: bool,
}

impl FixModeArgs {
    pub fn options(&self) -> FixOptions {
        FixOptions {
            unsafe_fixes: self.unsafe_fixes,
        }
    }
}

/// Exit code when `--check` finds something to fix.
const EXIT_WOULD_CHANGE: u8 = 1;
/// Exit code when an image reference could not be pinned.
const EXIT_PIN_FAILED: u8 = 2;

pub fn run(args: &FixArgs) -> anyhow::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let platform = PlatformSpec::parse(&args.pins.platform)?;
    let pinner = args.pins.pinner(&platform)?;
    let root = scan_root(&paths);
    let mut loaded = config::load(args.policies.config.as_deref(), &root)?;
    let resolved = config::Resolved::from(&loaded)?;
    let (engine, policies) = load_policies(&args.policies, &mut loaded, &resolved)?;
    let filter = finding_filter(&args.policies, &loaded.config, &policies)?;
    let request = ScanRequest {
        repositories: vec![RepositoryScan {
            root: RepositoryRoot::single(&root),
            paths,
        }],
        discover: args.discovery.discover_options(),
        read: args.discovery.read_options(
            &resolved,
            crate::clock::evaluation_date(),
            platform.to_string(),
        )?,
        ignore_paths: resolved.ignore_paths.clone(),
        shard: None,
    };
    let options = args.fixes.options();
    let files = fix_all(
        &engine,
        &policies,
        &request,
        &filter,
        options,
        pinner.as_ref(),
    )?;
    let summary = Summary::of(&files, options);
    for error in &summary.pin_errors {
        eprintln!("error: {error}");
    }
    if args.diff {
        let mut out = std::io::stdout().lock();
        for file in &files {
            if let (Some(before), Some(after)) = (&file.original, &file.fixed) {
                out.write_all(unified_diff(&file.display, before, after).as_bytes())?;
            }
        }
        out.flush()?;
        eprint!("{}", summary.render(true));
    } else if args.check {
        print!("{}", summary.render(true));
    } else {
        write_fixed(&files)?;
        print!("{}", summary.render(false));
    }
    if !summary.pin_errors.is_empty() {
        return Ok(EXIT_PIN_FAILED);
    }
    if args.check && summary.files_changed > 0 {
        return Ok(EXIT_WOULD_CHANGE);
    }
    Ok(0)
}

/// Fixes every file `scan` would evaluate for `request`, in memory.
pub(super) fn fix_all(
    engine: &Engine,
    policies: &[ConfiguredPolicy],
    request: &ScanRequest,
    filter: &FindingFilter,
    options: FixOptions,
    pins: Option<&Pinner>,
) -> anyhow::Result<Vec<FileFix>> {
    let (files, errors) = scan::files(request)?;
    for error in errors {
        eprintln!(
            "warning: {}: {}",
            error.path.unwrap_or_default(),
            error.message
        );
    }
    let known_rules = |id: &str| scan::is_known_rule(policies, id);
    let fixer = Fixer {
        read: &request.read,
        filter,
        known_rules: &known_rules,
        options,
        pins,
    };
    let mut fixed: Vec<FileFix> = files
        .par_iter()
        .map_init(
            || engine.session(policies),
            |session, file| fixer.fix_file(session, file),
        )
        .collect();
    fixed.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(fixed)
}

/// Writes each changed file in place (its permissions and links kept).
pub(super) fn write_fixed(files: &[FileFix]) -> anyhow::Result<()> {
    for file in files {
        if let Some(text) = &file.fixed {
            std::fs::write(&file.path, text)
                .with_context(|| format!("{}: cannot write the fixed file", file.path.display()))?;
        }
    }
    Ok(())
}
