//! `tallyman scan`: discovery, reading, evaluation and reporting, streamed
//! target by target so that memory stays flat however many files there are:
//! each worker parses one file, evaluates every policy on it, and keeps only
//! the findings.

pub mod findings;
pub mod pragmas;
pub mod read;

use std::path::PathBuf;

use globset::GlobSet;
use rayon::prelude::*;

use crate::discover::{self, DiscoverOptions, Found};
use crate::engine::{ConfiguredPolicy, Engine};
use crate::report::{
    PolicyEntry, ReportError, ReportFinding, RuleEntry, SeverityName, Target, TargetKind,
    TargetStatus,
};
use findings::{FindingFilter, TargetResults};
use read::{ReadOptions, ReadOutcome};

/// The host's own pseudo-policy, for what tallyman itself reports.
pub const HOST_POLICY: &str = "tallyman";
/// A pragma names a rule no loaded policy declares.
pub const UNKNOWN_PRAGMA_RULE: &str = "TM001";

/// A rule id a pragma may name: one a loaded policy declares, or the host's own.
pub fn is_known_rule(policies: &[ConfiguredPolicy], id: &str) -> bool {
    id == UNKNOWN_PRAGMA_RULE
        || policies
            .iter()
            .any(|configured| configured.policy.rule(id).is_some())
}

/// What to scan and how to read it.
pub struct ScanRequest {
    pub paths: Vec<PathBuf>,
    pub root: PathBuf,
    pub discover: DiscoverOptions,
    pub read: ReadOptions,
    /// Targets matching these are listed as skipped (config `ignore.paths`).
    pub ignore_paths: Option<GlobSet>,
}

/// Everything a scan found, ready to go into a report.
#[derive(Default)]
pub struct ScanResults {
    pub targets: Vec<Target>,
    pub findings: Vec<ReportFinding>,
    pub errors: Vec<ReportError>,
}

/// The report's entry for a loaded policy.
pub fn policy_entry(configured: &ConfiguredPolicy) -> PolicyEntry {
    let policy = &configured.policy;
    PolicyEntry {
        name: policy.name().to_string(),
        version: policy.version().to_string(),
        sha256: policy.sha256(),
        builtin: policy.is_builtin(),
        rules: policy
            .info()
            .rules
            .iter()
            .map(|rule| RuleEntry {
                id: rule.id.clone(),
                title: rule.title.clone(),
                severity: rule.default_severity.into(),
                tags: rule.tags.clone(),
                equivalents: rule.equivalents.clone(),
                description: rule.description.clone(),
                help: rule.help.clone(),
            })
            .collect(),
    }
}

/// The host's pseudo-policy entry: its one rule is about pragmas.
pub fn host_policy_entry() -> PolicyEntry {
    PolicyEntry {
        name: HOST_POLICY.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        sha256: read::sha256_hex(concat!("tallyman ", env!("CARGO_PKG_VERSION")).as_bytes()),
        builtin: true,
        rules: vec![RuleEntry {
            id: UNKNOWN_PRAGMA_RULE.to_string(),
            title: "Pragma names an unknown rule".to_string(),
            severity: SeverityName::Low,
            tags: vec![],
            equivalents: vec![],
            description: "A `# tallyman ignore=ID` pragma names a rule that no loaded policy declares, so it silences nothing: usually a typo, or a rule of a policy that is not loaded.".to_string(),
            help: "Correct the rule id; `tallyman policy list` shows every rule.".to_string(),
        }],
    }
}

fn target(
    found: &Found,
    sha256: Option<String>,
    status: TargetStatus,
    reason: Option<String>,
) -> Target {
    Target {
        path: found.display.clone(),
        kind: TargetKind::Dockerfile,
        sha256,
        status,
        reason,
    }
}

/// Reads and evaluates one Dockerfile.
fn scan_one(
    session: &mut crate::engine::Session<'_>,
    found: &Found,
    request: &ScanRequest,
    filter: &FindingFilter,
    known_rules: &(dyn Fn(&str) -> bool + Sync),
) -> (Target, TargetResults) {
    let context = discover::build_context(&found.path, &request.root);
    match read::read_dockerfile(&found.path, &found.display, context, &request.read) {
        ReadOutcome::Failed { sha256, reason } => (
            target(found, sha256, TargetStatus::Failed, Some(reason)),
            TargetResults::default(),
        ),
        ReadOutcome::Model { sha256, model } => {
            let outcomes = session.check_dockerfile(&model);
            let results = findings::collect(&model, outcomes, filter, known_rules);
            (
                target(found, Some(sha256), TargetStatus::Scanned, None),
                results,
            )
        }
    }
}

/// Discovers, reads and evaluates every target.
pub fn scan(
    engine: &Engine,
    policies: &[ConfiguredPolicy],
    request: &ScanRequest,
    filter: &FindingFilter,
    progress: &(dyn Fn() + Sync),
) -> anyhow::Result<ScanResults> {
    let discovery = discover::discover(&request.paths, &request.root, &request.discover)?;
    let mut results = ScanResults::default();
    for error in discovery.errors {
        results.errors.push(ReportError {
            path: Some(error.path),
            policy: None,
            kind: "read-error".to_string(),
            message: error.message,
        });
    }
    let (skipped, to_scan): (Vec<Found>, Vec<Found>) =
        discovery.found.into_iter().partition(|found| {
            request
                .ignore_paths
                .as_ref()
                .is_some_and(|globs| globs.is_match(&found.display))
        });
    for found in &skipped {
        results.targets.push(target(
            found,
            None,
            TargetStatus::Skipped,
            Some("matches `ignore.paths` in the configuration".to_string()),
        ));
    }
    let known_rules = |id: &str| is_known_rule(policies, id);
    let scanned: Vec<(Target, TargetResults)> = to_scan
        .par_iter()
        .map_init(
            || engine.session(policies),
            |session, found| {
                let result = scan_one(session, found, request, filter, &known_rules);
                progress();
                result
            },
        )
        .collect();
    for (target, target_results) in scanned {
        results.targets.push(target);
        results.findings.extend(target_results.findings);
        results.errors.extend(target_results.errors);
    }
    Ok(results)
}
