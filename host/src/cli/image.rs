//! `tallyman image REF`: read an image's metadata (OCI layout, `docker save`
//! archive or registry), evaluate every policy's `check-image` on it (and
//! `check-dockerfile` on its Dockerfile with `--dockerfile`, whose findings
//! then stand for the image's findings of the same rules, with lines), and report
//! like `scan`: same formats, exit codes and `--sign`, whose attestation
//! names the image by its manifest digest.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;

use super::policies::{PolicySelection, finding_filter, load_policies};
use super::scan::ReportOutputs;
use crate::attest::options::RunOptions;
use crate::attest::statement::ConfigDigest;
use crate::config;
use crate::discover::{self, display_path};
use crate::image::{self, DEFAULT_PLATFORM, ImageOptions, PlatformSpec, RegistryOptions};
use crate::report::{
    Report, ReportFinding, ReportFormat, RunInfo, SeverityName, Sha256Digest, Target, TargetKind,
    TargetStatus, Tool,
};
use crate::scan as scanning;
use crate::scan::findings;
use crate::scan::read::{self, ReadOptions, ReadOutcome};

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image: oci:DIR[:TAG], docker-archive:FILE[:NAME:TAG], or a registry reference (host[:port]/repo:tag or repo@sha256:...).
    reference: String,
    /// The Dockerfile the image was built from: evaluated too, so findings can point at its lines.
    #[arg(long, value_name = "PATH")]
    dockerfile: Option<PathBuf>,
    /// The platform to check in a multi-platform image.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", default_value = DEFAULT_PLATFORM)]
    platform: String,
    /// Allow plain HTTP to a registry on a loopback address (localhost, 127.0.0.1, ::1).
    #[arg(long)]
    insecure: bool,
    /// Seconds each registry request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    #[command(flatten)]
    reports: ReportOutputs,
    /// Lowest severity that fails the check (exit code 1) [default: high, or the config's].
    #[arg(long, value_enum)]
    fail_on: Option<SeverityName>,
    #[command(flatten)]
    policies: PolicySelection,
    /// With --dockerfile: the stage that is built (`docker build --target`); default: the last.
    #[arg(long)]
    target: Option<String>,
    /// With --dockerfile: a build argument, NAME=VALUE (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    build_args: Vec<String>,
    #[command(flatten)]
    signing: super::sign::SignArgs,
}

pub fn run(args: &ImageArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let started_at = crate::clock::now_rfc3339();
    let evaluated_on = crate::clock::evaluation_date();
    let destinations = args.reports.destinations(ReportFormat::Text)?;
    let signer = args.signing.signer(&args.reports.outputs)?;
    let platform = PlatformSpec::parse(&args.platform)?;
    let root = PathBuf::from(".");
    let mut loaded = config::load(args.policies.config.as_deref(), &root)?;
    let resolved = config::Resolved::from(&loaded)?;
    let build_args = super::discovery::parse_build_args(&args.build_args)?;
    let (engine, policies) = load_policies(&args.policies, &mut loaded, &resolved)?;
    let fail_on = args
        .fail_on
        .or(loaded.config.fail_on)
        .unwrap_or(SeverityName::High);
    let filter = finding_filter(&args.policies, &loaded.config, &policies)?;

    let options = ImageOptions {
        platform: platform.clone(),
        registry: RegistryOptions {
            insecure: args.insecure,
            timeout: Duration::from_secs(args.timeout.max(1)),
            ..RegistryOptions::default()
        },
        evaluated_on: evaluated_on.clone(),
    };
    let image = image::read_image(&args.reference, &options)?;

    let mut session = engine.session(&policies);
    let known_rules = |id: &str| scanning::is_known_rule(&policies, id);
    let mut report = Report::new(
        Tool::tallyman(),
        RunInfo {
            started_at,
            duration_ms: 0,
            evaluated_on: evaluated_on.clone(),
            fail_on,
            config_sha256: None,
            shard: None,
        },
    );
    let outcomes = session.check_image(&image);
    let image_results = findings::collect_image(&image.reference, outcomes, &filter);
    report.targets.push(Target {
        path: image.reference.as_str().into(),
        kind: TargetKind::Image,
        // Image digests are checked to be sha256 when the image is read.
        sha256: image
            .manifest_digest
            .strip_prefix("sha256:")
            .and_then(Sha256Digest::from_hex),
        status: TargetStatus::Scanned,
        reason: None,
        repository: None,
    });
    let mut image_findings = image_results.findings;
    report.errors.extend(image_results.errors);

    if let Some(path) = &args.dockerfile {
        let display = display_path(&root, path);
        let context = discover::build_context(path, &root);
        let read_options = ReadOptions {
            max_size: resolved.max_file_bytes,
            evaluated_on: evaluated_on.clone(),
            target: args.target.clone(),
            build_args: build_args.clone(),
            platform: platform.to_string(),
        };
        match read::read_dockerfile(path, &display, context, &read_options) {
            ReadOutcome::Model { sha256, model } => {
                let outcomes = session.check_dockerfile(&model);
                let results = findings::collect(&model, outcomes, &filter, &known_rules);
                report.targets.push(Target {
                    path: display.into(),
                    kind: TargetKind::Dockerfile,
                    sha256: Sha256Digest::from_hex(&sha256),
                    status: TargetStatus::Scanned,
                    reason: None,
                    repository: None,
                });
                image_findings = without_dockerfile_duplicates(image_findings, &results.findings);
                report.findings.extend(results.findings);
                report.errors.extend(results.errors);
            }
            ReadOutcome::Failed { reason, .. } => {
                anyhow::bail!("{}: {reason}", path.display())
            }
        }
    }

    report.findings.extend(image_findings);
    report.policies = policies.iter().map(scanning::policy_entry).collect();
    report.policies.push(scanning::host_policy_entry());
    report.run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report.finalize();
    let source = |path: &str| std::fs::read_to_string(root.join(path)).ok();
    super::scan::write_reports(&report, &destinations, &source, Some(&root))?;
    if let Some(signer) = signer {
        let options = RunOptions {
            fail_on: Some(fail_on),
            no_builtin: args.policies.no_builtin,
            no_foreign_pragmas: args.policies.no_foreign_pragmas,
            policies: args
                .policies
                .policies
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            target: args.target.clone(),
            build_args: build_args.clone(),
            platform: platform.to_string(),
            max_file_bytes: resolved.max_file_bytes,
            limits: resolved.limits.clone(),
            ..RunOptions::default()
        };
        let mut effective = options.effective(&loaded.config)?;
        if let Some(document) = effective.as_object_mut() {
            document.insert(
                "image".to_string(),
                serde_json::json!({
                    "reference": args.reference,
                    "manifest-digest": image.manifest_digest,
                    "platform": platform.to_string(),
                    "dockerfile": args.dockerfile.as_ref().map(|p| display_path(&root, p)),
                }),
            );
        }
        let config = ConfigDigest::new(
            loaded
                .file
                .as_deref()
                .map(|f| (f.display().to_string(), loaded.bytes.as_slice())),
            effective,
        );
        let written = signer.write(&report, config, vec![args.reference.clone()])?;
        eprintln!("signed attestation: {}", written.display());
    }
    Ok(report.exit_code())
}

/// Drops the image findings that the Dockerfile's findings already report,
/// so that what can point at a Dockerfile line does (SARIF needs a line):
/// for each rule, as many image findings as the Dockerfile has of that rule
/// are dropped; the rest (from the base image, or what the Dockerfile
/// cannot show) stay on the image.
fn without_dockerfile_duplicates(
    image: Vec<ReportFinding>,
    dockerfile: &[ReportFinding],
) -> Vec<ReportFinding> {
    let mut budget: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in dockerfile {
        *budget.entry(&finding.rule_id).or_default() += 1;
    }
    image
        .into_iter()
        .filter(|finding| match budget.get_mut(&*finding.rule_id) {
            Some(left) if *left > 0 => {
                *left -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use arcstr::ArcStr;

    use super::*;

    fn finding(rule: &str, path: &str, line: Option<u32>) -> ReportFinding {
        ReportFinding {
            rule_id: ArcStr::from(rule),
            policy: ArcStr::from("p"),
            severity: SeverityName::High,
            path: ArcStr::from(path),
            line,
            end_line: line,
            column: None,
            stage: None,
            message: ArcStr::from("m"),
            fix: None,
            autofix: None,
        }
    }

    #[test]
    fn image_findings_the_dockerfile_reports_with_a_line_are_dropped() {
        let image = vec![
            finding("HD001", "oci:x", None),
            finding("SEC001", "oci:x", None),
            finding("SEC001", "oci:x", None),
            finding("IMG001", "oci:x", None),
        ];
        let dockerfile = vec![
            finding("HD001", "Dockerfile", Some(3)),
            finding("SEC001", "Dockerfile", Some(2)),
        ];
        let kept: Vec<String> = without_dockerfile_duplicates(image, &dockerfile)
            .iter()
            .map(|f| f.rule_id.to_string())
            .collect();
        assert_eq!(kept, ["SEC001", "IMG001"]);
    }
}
