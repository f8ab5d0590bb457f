//! `tallyman scan`: discovery, reading, evaluation and reporting, streamed
//! target by target so that memory stays flat however many files there are:
//! each worker parses one file, evaluates every policy on it, and keeps only
//! the findings.

pub mod findings;
pub mod foreign;
pub mod pragmas;
pub mod read;
pub mod shard;

use std::path::PathBuf;
use std::sync::Mutex;

use arcstr::ArcStr;
use globset::GlobSet;
use rayon::prelude::*;

use tallyman_dockerfile::LowerOptions;
use tallyman_dockerfile::model::Finding;

use crate::discover::repositories::{self, RepositoryRoot};
use crate::discover::{self, DiscoverOptions, Found};
use crate::engine::{ConfiguredPolicy, Engine, Outcome, Session, SessionPool};
use crate::report::{
    PolicyEntry, ReportError, ReportFinding, Repository, RuleEntry, SeverityName, Sha256Digest,
    Shard, Target, TargetKind, TargetStatus,
};
use crate::result_cache::{PolicyKey, ResultCache, Stored, TargetKey};
use findings::{FindingFilter, TargetFacts, TargetResults};
use read::{ReadOptions, ReadOutcome};

/// The host's own pseudo-policy, for what tallyman itself reports.
pub const HOST_POLICY: &str = "tallyman";
/// A pragma names a rule no loaded policy declares.
pub const UNKNOWN_PRAGMA_RULE: &str = "TM001";
/// Another tool's pragma names an id no loaded rule declares as an equivalent.
pub const UNKNOWN_FOREIGN_PRAGMA_RULE: &str = "TM002";
/// An inline suppression pragma, reported when `report-pragmas` is on.
pub const INLINE_PRAGMA_RULE: &str = "TM003";

/// A rule id a pragma may name: one a loaded policy declares, or the host's own.
pub fn is_known_rule(policies: &[ConfiguredPolicy], id: &str) -> bool {
    id == UNKNOWN_PRAGMA_RULE
        || id == UNKNOWN_FOREIGN_PRAGMA_RULE
        || id == INLINE_PRAGMA_RULE
        || policies
            .iter()
            .any(|configured| configured.policy.rule(id).is_some())
}

/// One repository's share of a scan.
pub struct RepositoryScan {
    pub root: RepositoryRoot,
    /// Files and directories to discover targets from; report paths are
    /// relative to `root.dir` (then prefixed with `root.prefix`).
    pub paths: Vec<PathBuf>,
}

impl RepositoryScan {
    /// A whole checkout.
    pub fn whole(root: RepositoryRoot) -> RepositoryScan {
        RepositoryScan {
            paths: vec![root.dir.clone()],
            root,
        }
    }
}

/// What to scan and how to read it.
pub struct ScanRequest {
    pub repositories: Vec<RepositoryScan>,
    pub discover: DiscoverOptions,
    pub read: ReadOptions,
    /// Targets matching these (by their path in the repository, or in the
    /// report) are listed as skipped (config `ignore.paths`).
    pub ignore_paths: Option<GlobSet>,
    /// Only the targets of this shard are scanned and reported.
    pub shard: Option<Shard>,
}

/// Everything a scan found, ready to go into a report.
#[derive(Default)]
pub struct ScanResults {
    pub repositories: Vec<Repository>,
    pub targets: Vec<Target>,
    pub findings: Vec<ReportFinding>,
    pub errors: Vec<ReportError>,
}

/// A discovered target, with the repository it belongs to.
struct Candidate<'a> {
    repository: &'a RepositoryRoot,
    /// `display` is the report path.
    found: Found,
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

/// The foreign-pragma index of the loaded policies' rules.
pub fn foreign_index(policies: &[ConfiguredPolicy]) -> foreign::ForeignIndex {
    foreign::ForeignIndex::new(policies.iter().flat_map(|configured| {
        configured
            .policy
            .info()
            .rules
            .iter()
            .map(|rule| (rule.id.as_str(), rule.equivalents.as_slice()))
    }))
}

/// The host's pseudo-policy entry: its rules are about pragmas.
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
        }, RuleEntry {
            id: UNKNOWN_FOREIGN_PRAGMA_RULE.to_string(),
            title: "Another tool's pragma names an id no rule declares".to_string(),
            severity: SeverityName::Low,
            tags: vec![],
            equivalents: vec![],
            description: "A `# hadolint ignore=`, `# checkov:skip=` or `# trivy:ignore:` pragma names a check that no loaded rule declares among its equivalents, so it silences nothing in tallyman: a check tallyman has no counterpart for, a rule of a policy that is not loaded (the `shell` policy for `SC` codes), or a typo.".to_string(),
            help: "Keep the pragma while the other tool still runs, and ignore this rule (`ignore: rules: [TM002]`); or remove it. `tallyman rule <ID>` finds the rules that declare an equivalent.".to_string(),
        }, RuleEntry {
            id: INLINE_PRAGMA_RULE.to_string(),
            title: "Inline suppression pragma".to_string(),
            severity: SeverityName::Low,
            tags: vec![],
            equivalents: vec!["hadolint:DL1001".to_string()],
            description: "Reported only when `report-pragmas: true` is set in `tallyman.yaml`: every `# tallyman ignore=` pragma, and every honoured `# hadolint ignore=`, `# checkov:skip=` or `# trivy:ignore:` pragma, is a finding. A pragma silences findings where nobody reviewing the configuration sees it; teams that want every suppression reviewed in one place turn this on. The pragmas still silence what they name.".to_string(),
            help: "Move the suppression to `ignore` in `tallyman.yaml` (`rules`, or `rule-paths` for one path), or fix what it silenced, and remove the pragma.".to_string(),
        }],
    }
}

fn target(
    path: ArcStr,
    repository_name: ArcStr,
    sha256: Option<Sha256Digest>,
    status: TargetStatus,
    reason: Option<String>,
) -> Target {
    Target {
        path,
        kind: TargetKind::Dockerfile,
        sha256,
        status,
        reason,
        repository: Some(repository_name),
    }
}

/// The result cache as a scan uses it: with the key of each policy.
struct CacheUse<'a> {
    cache: &'a ResultCache,
    policies: Vec<PolicyKey>,
}

/// Reads and evaluates one Dockerfile. The candidate is consumed, so that
/// a scan holds its file's path only until the file is read.
fn scan_one(
    session: &mut Session<'_>,
    candidate: Candidate<'_>,
    request: &ScanRequest,
    filter: &FindingFilter,
    known_rules: &(dyn Fn(&str) -> bool + Sync),
    cache: Option<&CacheUse<'_>>,
) -> (Target, TargetResults) {
    let Candidate { repository, found } = candidate;
    let repository_name = repository.name.clone();
    let path = ArcStr::from(found.display);
    let context = discover::build_context_if_possible(
        &found.path,
        &repository.dir,
        found.dockerignore_possible,
    );
    let read = read::read_bytes(&found.path, &request.read);
    drop(found.path);
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(reason) => {
            return (
                target(
                    path,
                    repository_name,
                    None,
                    TargetStatus::Failed,
                    Some(reason),
                ),
                TargetResults::default(),
            );
        }
    };
    let digest = Sha256Digest::of(&bytes);
    let sha256 = digest.hex();
    let lower = request.read.lower_options(&path, context);
    match evaluate(session, &bytes, &sha256, &lower, &request.read, cache) {
        Ok((facts, outcomes)) => {
            let results = findings::collect_with(&path, &facts, outcomes, filter, known_rules);
            (
                target(
                    path,
                    repository_name,
                    Some(digest),
                    TargetStatus::Scanned,
                    None,
                ),
                results,
            )
        }
        Err(reason) => (
            target(
                path,
                repository_name,
                Some(digest),
                TargetStatus::Failed,
                Some(reason),
            ),
            TargetResults::default(),
        ),
    }
}

/// The facts of one Dockerfile and every policy's outcome on it: from the
/// cache where it has them, else parsed and evaluated (and then cached).
/// An error is why the file cannot be parsed.
fn evaluate(
    session: &mut Session<'_>,
    bytes: &[u8],
    sha256: &str,
    lower: &LowerOptions,
    read: &ReadOptions,
    cache: Option<&CacheUse<'_>>,
) -> Result<(TargetFacts, Vec<Outcome>), String> {
    let parse = || match read::parse_model(bytes, sha256.to_string(), lower, read) {
        ReadOutcome::Model { model, .. } => Ok(model),
        ReadOutcome::Failed { reason, .. } => Err(reason),
    };
    let Some(CacheUse { cache, policies }) = cache else {
        let model = parse()?;
        return Ok((TargetFacts::of(&model), session.check_dockerfile(&model)));
    };
    let session_policies = session.policies();
    let key = TargetKey::dockerfile(cache.build(), sha256, lower);
    let mut cached = cache.lookup::<TargetFacts>(&key, policies);
    let wanted: Vec<bool> = cached.results.iter().map(Option::is_none).collect();
    let cached_outcome = |configured: &ConfiguredPolicy, findings: Option<Vec<Finding>>| {
        Some(Outcome::cached(configured.policy.clone(), findings?))
    };
    if !wanted.contains(&true)
        && let Some(facts) = cached.facts.take()
    {
        let outcomes = session_policies
            .iter()
            .zip(cached.results)
            .filter_map(|(configured, findings)| cached_outcome(configured, findings))
            .collect();
        return Ok((facts, outcomes));
    }
    let model = parse()?;
    let evaluated = session.check_dockerfile_with(&model, &wanted);
    let facts = cached
        .facts
        .take()
        .unwrap_or_else(|| TargetFacts::of(&model));
    let results = std::mem::take(&mut cached.results);
    let stored: Vec<(PolicyKey, Stored<'_>)> = policies
        .iter()
        .zip(evaluated.iter().zip(&results))
        .map(|(policy, (evaluated, cached))| {
            let stored = match (evaluated, cached) {
                (Some(outcome), _) => outcome
                    .cacheable_findings()
                    .map_or(Stored::Uncacheable, Stored::Evaluated),
                (None, Some(findings)) => Stored::Cached(findings),
                (None, None) => Stored::Uncacheable,
            };
            (*policy, stored)
        })
        .collect();
    cache.record(&key, &facts, &stored, cached);
    let outcomes = session_policies
        .iter()
        .zip(evaluated.into_iter().zip(results))
        .filter_map(|(configured, (evaluated, cached))| {
            evaluated.or_else(|| cached_outcome(configured, cached))
        })
        .collect();
    Ok((facts, outcomes))
}

/// Where a discovery error goes in the report: under its repository's
/// prefix, so that an org scan can tell which checkout it concerns.
fn error_path(repository: &RepositoryRoot, path: String) -> String {
    if repository.prefix.is_none() {
        return path;
    }
    match std::path::Path::new(&path).strip_prefix(&repository.dir) {
        Ok(rest) if rest.as_os_str().is_empty() => repository.report_dir(),
        Ok(rest) => repository.report_path(&discover::display_path(std::path::Path::new(""), rest)),
        Err(_) => path,
    }
}

/// Discovers every target of every repository, keeping those of the shard.
fn discover_all<'a>(
    request: &'a ScanRequest,
    results: &mut ScanResults,
) -> anyhow::Result<Vec<Candidate<'a>>> {
    let owned = |repository: &RepositoryRoot, path: &str| {
        request
            .shard
            .is_none_or(|shard| shard.owns(&repository.name, path))
    };
    let commits: Vec<Option<String>> = request
        .repositories
        .par_iter()
        .map(|scan| repositories::git_commit(&scan.root.dir))
        .collect();
    let mut candidates = Vec::new();
    for (scan, commit) in request.repositories.iter().zip(commits) {
        let repository = &scan.root;
        let discovery = discover::discover(&scan.paths, &repository.dir, &request.discover)?;
        results.repositories.push(Repository {
            name: repository.name.to_string(),
            path: repository.report_dir(),
            commit,
            summary: Default::default(),
            directories_left_out: discovery.left_out,
        });
        for error in discovery.errors {
            if owned(repository, &error.path) {
                results.errors.push(ReportError {
                    path: Some(error_path(repository, error.path)),
                    policy: None,
                    kind: "read-error".to_string(),
                    message: error.message,
                });
            }
        }
        for found in discovery.found {
            if owned(repository, &found.display) {
                candidates.push(Candidate {
                    repository,
                    found: Found {
                        display: repository.report_path(&found.display),
                        ..found
                    },
                });
            }
        }
    }
    Ok(candidates)
}

/// The candidate matches `ignore.paths`, by its report path or its path
/// in its repository.
fn is_ignored(request: &ScanRequest, candidate: &Candidate<'_>) -> bool {
    request.ignore_paths.as_ref().is_some_and(|globs| {
        let display = candidate.found.display.as_str();
        globs.is_match(display)
            || candidate
                .repository
                .relative_path(display)
                .is_some_and(|relative| relative != display && globs.is_match(relative))
    })
}

/// A file a scan evaluates: its report path, where it is, and the
/// repository directory its build context is looked up from.
pub struct ScanFile {
    pub display: String,
    pub path: PathBuf,
    pub repository_dir: PathBuf,
}

/// The files [`scan`] would evaluate (discovered, in the shard, not
/// ignored), with the discovery's errors: what `tallyman fix` works on.
pub fn files(request: &ScanRequest) -> anyhow::Result<(Vec<ScanFile>, Vec<ReportError>)> {
    let mut results = ScanResults::default();
    let candidates = discover_all(request, &mut results)?;
    let files = candidates
        .into_iter()
        .filter(|candidate| !is_ignored(request, candidate))
        .map(|candidate| ScanFile {
            display: candidate.found.display,
            path: candidate.found.path,
            repository_dir: candidate.repository.dir.clone(),
        })
        .collect();
    Ok((files, results.errors))
}

/// Discovers, reads and evaluates every target; with a result cache, only
/// what it does not already hold is parsed and evaluated.
pub fn scan(
    engine: &Engine,
    policies: &[ConfiguredPolicy],
    request: &ScanRequest,
    filter: &FindingFilter,
    cache: Option<&ResultCache>,
    progress: &(dyn Fn() + Sync),
) -> anyhow::Result<ScanResults> {
    let mut results = ScanResults::default();
    let candidates = discover_all(request, &mut results)?;
    let ignored = |candidate: &Candidate<'_>| is_ignored(request, candidate);
    // In place, and the targets' list at its final size: a large scan's
    // lists of candidates and targets are its largest allocations, and
    // copies of them stay in the process's memory once freed.
    let mut to_scan = candidates;
    results.targets.reserve_exact(to_scan.len());
    for candidate in to_scan.extract_if(.., |c| ignored(c)) {
        results.targets.push(target(
            candidate.found.display.into(),
            candidate.repository.name.clone(),
            None,
            TargetStatus::Skipped,
            Some("matches `ignore.paths` in the configuration".to_string()),
        ));
    }
    let known_rules = |id: &str| is_known_rule(policies, id);
    let cache = cache.map(|cache| CacheUse {
        cache,
        policies: policies
            .iter()
            .map(|configured| PolicyKey::new(configured, engine.limits()))
            .collect(),
    });
    // Each target's results join the report as soon as they are ready:
    // holding them per target until every worker is done would keep a
    // second, half-empty copy of every finding list.
    let shared = Mutex::new(results);
    let sessions = SessionPool::new(engine, policies);
    to_scan.into_par_iter().for_each_init(
        || sessions.take(),
        |session, candidate| {
            let (target, target_results) = scan_one(
                session,
                candidate,
                request,
                filter,
                &known_rules,
                cache.as_ref(),
            );
            {
                let mut results = shared.lock().unwrap_or_else(|p| p.into_inner());
                results.targets.push(target);
                results.findings.extend(target_results.findings);
                results.errors.extend(target_results.errors);
            }
            progress();
        },
    );
    Ok(shared.into_inner().unwrap_or_else(|p| p.into_inner()))
}
