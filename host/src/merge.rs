//! `tallyman merge`: one report from the reports of the shards of a scan.
//!
//! Shards are only merged when they are the parts of one scan: the same
//! tool, policies, configuration, date and repositories at the same
//! commits, each shard exactly once, no target in two shards. Anything else
//! would make a report that looks whole and is not, so it is refused with
//! the reason.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{Report, Shard};

/// A shard's report and where it came from (for messages).
pub struct ShardReport {
    pub source: String,
    pub report: Report,
}

/// Why shards cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give the report of every shard")]
    Empty,
    #[error(
        "{report}: not a shard (run.shard is null): merge takes the reports of `tallyman scan --shard K/N`"
    )]
    NotAShard { report: String },
    #[error(
        "{report} is shard {shard} but {first} is shard {first_shard}: the shards of one scan share N"
    )]
    CountMismatch {
        report: String,
        shard: Shard,
        first: String,
        first_shard: Shard,
    },
    #[error("shard {shard} is given twice: {first} and {second}")]
    DuplicateShard {
        shard: Shard,
        first: String,
        second: String,
    },
    #[error("shards missing: {} of {count}; merge needs every shard's report", missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))]
    MissingShards { missing: Vec<u32>, count: u32 },
    #[error(
        "{report} differs from {first} in {what}: {found} vs {expected}; shards must come from one scan"
    )]
    Inconsistent {
        report: String,
        first: String,
        what: &'static str,
        found: String,
        expected: String,
    },
    #[error("the shards overlap: `{path}` is a target of both {first} and {second}")]
    Overlap {
        path: String,
        first: String,
        second: String,
    },
}

/// Merges the reports of every shard of one scan into the report a single
/// scan would have written (apart from timing).
pub fn merge(shards: Vec<ShardReport>) -> Result<Report, MergeError> {
    let first = shards.first().ok_or(MergeError::Empty)?;
    let first_shard = shard_of(first)?;
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for shard in &shards {
        let this = shard_of(shard)?;
        if this.count != first_shard.count {
            return Err(MergeError::CountMismatch {
                report: shard.source.clone(),
                shard: this,
                first: first.source.clone(),
                first_shard,
            });
        }
        if let Some(previous) = seen.insert(this.index, &shard.source) {
            return Err(MergeError::DuplicateShard {
                shard: this,
                first: previous.to_string(),
                second: shard.source.clone(),
            });
        }
        check_consistent(first, shard)?;
    }
    let missing: Vec<u32> = (1..=first_shard.count)
        .filter(|index| !seen.contains_key(index))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::MissingShards {
            missing,
            count: first_shard.count,
        });
    }
    check_disjoint(&shards)?;

    let mut shards = shards.into_iter();
    let Some(ShardReport { mut report, .. }) = shards.next() else {
        return Err(MergeError::Empty);
    };
    for shard in shards {
        let other = shard.report;
        report.targets.extend(other.targets);
        report.findings.extend(other.findings);
        report.errors.extend(other.errors);
        report.run.started_at = report.run.started_at.min(other.run.started_at);
        // Shards run side by side: the merged scan took as long as the slowest.
        report.run.duration_ms = report.run.duration_ms.max(other.run.duration_ms);
    }
    report.run.shard = None;
    report.finalize();
    Ok(report)
}

fn shard_of(shard: &ShardReport) -> Result<Shard, MergeError> {
    shard.report.run.shard.ok_or_else(|| MergeError::NotAShard {
        report: shard.source.clone(),
    })
}

/// Everything that must be equal between the shards of one scan.
fn check_consistent(first: &ShardReport, other: &ShardReport) -> Result<(), MergeError> {
    let (a, b) = (&first.report, &other.report);
    let differ = |what: &'static str, found: String, expected: String| {
        if found == expected {
            Ok(())
        } else {
            Err(MergeError::Inconsistent {
                report: other.source.clone(),
                first: first.source.clone(),
                what,
                found,
                expected,
            })
        }
    };
    differ(
        "tool",
        format!("{} {}", b.tool.name, b.tool.version),
        format!("{} {}", a.tool.name, a.tool.version),
    )?;
    differ("policies", policy_digests(b), policy_digests(a))?;
    differ(
        "configuration (run.config_sha256)",
        b.run.config_sha256.clone().unwrap_or_else(|| "none".into()),
        a.run.config_sha256.clone().unwrap_or_else(|| "none".into()),
    )?;
    differ(
        "evaluation date",
        b.run.evaluated_on.clone(),
        a.run.evaluated_on.clone(),
    )?;
    differ(
        "--fail-on",
        b.run.fail_on.as_str().to_string(),
        a.run.fail_on.as_str().to_string(),
    )?;
    differ("repositories", repositories(b), repositories(a))
}

fn policy_digests(report: &Report) -> String {
    let digests: BTreeSet<String> = report
        .policies
        .iter()
        .map(|p| format!("{}@sha256:{}", p.name, p.sha256))
        .collect();
    digests.into_iter().collect::<Vec<_>>().join(", ")
}

fn repositories(report: &Report) -> String {
    let repositories: BTreeSet<String> = report
        .repositories
        .iter()
        .map(|r| format!("{}@{}", r.name, r.commit.as_deref().unwrap_or("no-commit")))
        .collect();
    repositories.into_iter().collect::<Vec<_>>().join(", ")
}

fn check_disjoint(shards: &[ShardReport]) -> Result<(), MergeError> {
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for shard in shards {
        for target in &shard.report.targets {
            if let Some(first) = owner.insert(&target.path, &shard.source) {
                return Err(MergeError::Overlap {
                    path: target.path.to_string(),
                    first: first.to_string(),
                    second: shard.source.clone(),
                });
            }
        }
    }
    Ok(())
}
