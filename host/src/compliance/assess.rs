//! From a scan report to a verdict per control and repository, with the
//! evidence behind each.
//!
//! The rules that support a control are those whose tags name it
//! (`cis-docker-1.6:4.1`), read from the report's own `policies`; the
//! semantics of the verdicts are in the [module docs](super).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::framework::{Control, Framework};
use super::input::Provenance;
use super::model::{
    ComplianceReport, ComplianceSummary, ControlAssessment, CoveringRule, Evidence, ExcludedTarget,
    FORMAT_VERSION, FrameworkInfo, Gap, PolicyRef, RepositoryAssessment, RepositoryVerdict, Source,
    Verdict,
};
use crate::report::{Report, TargetStatus, Tool};

/// Assesses `report` against `framework`. `provenance` says where the
/// report came from; it is carried into [`ComplianceReport::source`].
pub fn assess(report: &Report, framework: &Framework, provenance: Provenance) -> ComplianceReport {
    let ignored_rules: BTreeSet<&str> = provenance
        .config_ignores
        .as_ref()
        .map(|ignores| ignores.rules.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let coverage = Coverage::of(report, framework, &ignored_rules);
    let groups = Groups::of(report);

    // Findings of supporting rules, per control, in the report's order
    // (path, line, rule), which is the order a reader wants.
    let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); framework.controls.len()];
    let mut finding_counts: HashMap<(usize, usize), usize> = HashMap::new();
    for finding in &report.findings {
        let Some(controls) = coverage.controls_of(&finding.policy, &finding.rule_id) else {
            continue;
        };
        let group = groups.of_path(&finding.path);
        for &control in controls {
            *finding_counts.entry((control, group)).or_default() += 1;
            if let Some(list) = evidence.get_mut(control) {
                list.push(Evidence {
                    repository: groups.name(group),
                    path: finding.path.to_string(),
                    line: finding.line,
                    end_line: finding.end_line,
                    rule_id: finding.rule_id.to_string(),
                    policy: finding.policy.to_string(),
                    policy_sha256: coverage.digest_of(&finding.policy),
                    severity: finding.severity,
                    message: finding.message.to_string(),
                });
            }
        }
    }

    let (gaps, gap_groups) = gaps(report, framework, &coverage, &groups);
    // (control, group) -> gaps; a gap without a group concerns every group.
    let mut gap_counts: HashMap<(usize, usize), usize> = HashMap::new();
    for (gap, group) in gaps.iter().zip(&gap_groups) {
        for control_id in &gap.controls {
            let Some(control) = framework.controls.iter().position(|c| c.id == *control_id) else {
                continue;
            };
            match group {
                Some(group) => *gap_counts.entry((control, *group)).or_default() += 1,
                None => {
                    for group in 0..groups.list.len() {
                        *gap_counts.entry((control, group)).or_default() += 1;
                    }
                }
            }
        }
    }

    let controls: Vec<ControlAssessment> = framework
        .controls
        .iter()
        .enumerate()
        .zip(evidence)
        .map(|((index, control), evidence)| {
            let repositories: Vec<RepositoryVerdict> = groups
                .list
                .iter()
                .enumerate()
                .map(|(group, info)| {
                    let findings = finding_counts.get(&(index, group)).copied().unwrap_or(0);
                    let gaps = gap_counts.get(&(index, group)).copied().unwrap_or(0);
                    RepositoryVerdict {
                        repository: info.name.clone(),
                        verdict: verdict(coverage.assessed(index), findings, gaps, info.scanned),
                        findings,
                        gaps,
                    }
                })
                .collect();
            let verdict = if coverage.assessed(index) {
                Verdict::combine(repositories.iter().map(|r| r.verdict))
            } else {
                Verdict::NotAssessed
            };
            ControlAssessment {
                id: control.id.to_string(),
                title: control.title.to_string(),
                method: control.method,
                verdict,
                rules: coverage.rules.get(index).cloned().unwrap_or_default(),
                repositories,
                evidence,
            }
        })
        .collect();

    let repositories = groups
        .list
        .iter()
        .enumerate()
        .map(|(group, info)| RepositoryAssessment {
            name: info.name.clone(),
            path: info.path.clone(),
            commit: info.commit.clone(),
            targets: info.scanned + info.skipped + info.failed,
            scanned: info.scanned,
            skipped: info.skipped,
            failed: info.failed,
            verdict: Verdict::combine(
                controls
                    .iter()
                    .filter_map(|c| c.repositories.get(group).map(|r| r.verdict)),
            ),
        })
        .collect();

    let excluded = report
        .targets
        .iter()
        .filter(|t| t.status == TargetStatus::Skipped)
        .map(|t| ExcludedTarget {
            repository: t.repository.as_deref().map(str::to_string),
            path: t.path.to_string(),
            reason: t.reason.clone(),
        })
        .collect();

    ComplianceReport {
        format_version: FORMAT_VERSION,
        tool: Tool::tallyman(),
        framework: FrameworkInfo {
            id: framework.id.to_string(),
            name: framework.name.to_string(),
            version: framework.version.to_string(),
            section: framework.section.to_string(),
            section_title: framework.section_title.to_string(),
        },
        source: Source {
            file: provenance.file,
            sha256: provenance.sha256,
            kind: provenance.kind,
            verified: provenance.keyid.is_some(),
            keyid: provenance.keyid,
            scanned_by: report.tool.clone(),
            started_at: report.run.started_at.clone(),
            evaluated_on: report.run.evaluated_on.clone(),
            config_sha256: report.run.config_sha256.clone(),
            config_ignores: provenance.config_ignores,
        },
        summary: summarise(&controls),
        controls,
        repositories,
        gaps,
        excluded,
        policies: report
            .policies
            .iter()
            .map(|p| PolicyRef {
                name: p.name.clone(),
                version: p.version.clone(),
                sha256: p.sha256.clone(),
                builtin: p.builtin,
            })
            .collect(),
        notes: coverage.notes,
    }
}

/// A control's verdict in one repository. Findings are definite, so they
/// fail the control even when other evidence is missing; gaps keep it from
/// passing; a repository where nothing was scanned has nothing to judge.
fn verdict(assessed: bool, findings: usize, gaps: usize, scanned: usize) -> Verdict {
    if !assessed {
        Verdict::NotAssessed
    } else if findings > 0 {
        Verdict::Fail
    } else if gaps > 0 {
        Verdict::Incomplete
    } else if scanned == 0 {
        Verdict::NotApplicable
    } else {
        Verdict::Pass
    }
}

fn summarise(controls: &[ControlAssessment]) -> ComplianceSummary {
    let count = |verdict: Verdict| controls.iter().filter(|c| c.verdict == verdict).count();
    ComplianceSummary {
        controls: controls.len(),
        fail: count(Verdict::Fail),
        incomplete: count(Verdict::Incomplete),
        pass: count(Verdict::Pass),
        not_applicable: count(Verdict::NotApplicable),
        not_assessed: count(Verdict::NotAssessed),
        verdict: Verdict::combine(controls.iter().map(|c| c.verdict)),
    }
}

/// Which rules support which controls, as the report's policies declare.
struct Coverage {
    /// Per control (by index in the framework), the supporting rules,
    /// ignored ones included (they are listed, marked).
    rules: Vec<Vec<CoveringRule>>,
    /// Policy -> rule id -> the controls it supports; ignored rules are left out.
    by_rule: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Policy name -> its module's sha256.
    digests: HashMap<String, String>,
    notes: Vec<String>,
}

impl Coverage {
    fn of(report: &Report, framework: &Framework, ignored: &BTreeSet<&str>) -> Coverage {
        let mut rules: Vec<Vec<CoveringRule>> = vec![Vec::new(); framework.controls.len()];
        let mut by_rule: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        let mut notes = BTreeSet::new();
        for policy in &report.policies {
            for rule in &policy.rules {
                for tag in &rule.tags {
                    let control = match framework.control_of_tag(tag) {
                        Ok(Some(control)) => control,
                        Ok(None) => continue,
                        Err(named) => {
                            notes.insert(format!(
                                "rule {} of policy {} is tagged `{tag}`, but {named} is not a control of section {} of the {} {}: the tag supports nothing here",
                                rule.id, policy.name, framework.section, framework.name, framework.version
                            ));
                            continue;
                        }
                    };
                    let Some(index) = index_of(framework, control) else {
                        continue;
                    };
                    let is_ignored = ignored.contains(rule.id.as_str());
                    let entry = CoveringRule {
                        id: rule.id.clone(),
                        title: rule.title.clone(),
                        policy: policy.name.clone(),
                        policy_sha256: policy.sha256.clone(),
                        severity: rule.severity,
                        ignored: is_ignored,
                    };
                    if let Some(list) = rules.get_mut(index)
                        && !list.contains(&entry)
                    {
                        list.push(entry);
                    }
                    if !is_ignored {
                        let controls = by_rule
                            .entry(policy.name.clone())
                            .or_default()
                            .entry(rule.id.clone())
                            .or_default();
                        if !controls.contains(&index) {
                            controls.push(index);
                        }
                    }
                }
            }
        }
        for list in &mut rules {
            list.sort_by(|a, b| (&a.id, &a.policy).cmp(&(&b.id, &b.policy)));
        }
        for (index, list) in rules.iter().enumerate() {
            let Some(control) = framework.controls.get(index) else {
                continue;
            };
            if !list.is_empty() && list.iter().all(|r| r.ignored) {
                notes.insert(format!(
                    "control {} is not assessed: every rule that supports it ({}) is turned off by the configuration's ignore.rules",
                    control.id,
                    list.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        Coverage {
            rules,
            by_rule,
            digests: report
                .policies
                .iter()
                .map(|p| (p.name.clone(), p.sha256.clone()))
                .collect(),
            notes: notes.into_iter().collect(),
        }
    }

    fn controls_of(&self, policy: &str, rule: &str) -> Option<&Vec<usize>> {
        self.by_rule.get(policy)?.get(rule)
    }

    fn digest_of(&self, policy: &str) -> String {
        self.digests.get(policy).cloned().unwrap_or_default()
    }

    /// Whether any rule that is not turned off supports the control.
    fn assessed(&self, control: usize) -> bool {
        self.rules
            .get(control)
            .is_some_and(|rules| rules.iter().any(|r| !r.ignored))
    }

    /// The controls that `policy` supports through rules that are on.
    fn controls_of_policy(&self, policy: &str) -> BTreeSet<usize> {
        self.by_rule
            .get(policy)
            .into_iter()
            .flat_map(|rules| rules.values().flatten().copied())
            .collect()
    }
}

fn index_of(framework: &Framework, control: &Control) -> Option<usize> {
    framework.controls.iter().position(|c| c.id == control.id)
}

/// The repositories of a report, and which one each path belongs to.
struct Groups {
    list: Vec<GroupInfo>,
    /// Target path -> group.
    by_target: HashMap<String, usize>,
}

struct GroupInfo {
    /// Null: targets outside any repository.
    name: Option<String>,
    path: Option<String>,
    commit: Option<String>,
    scanned: usize,
    skipped: usize,
    failed: usize,
}

impl Groups {
    /// One group per repository of the report, one per repository a target
    /// names that the list lacks, and one for the targets outside any
    /// repository; named ones by name, the unnamed one last. The unnamed
    /// group is always there (last), so that a path no repository owns has
    /// a place; it is dropped when nothing lands in it.
    fn of(report: &Report) -> Groups {
        let mut names: BTreeMap<String, (Option<String>, Option<String>)> = report
            .repositories
            .iter()
            .map(|r| (r.name.clone(), (Some(r.path.clone()), r.commit.clone())))
            .collect();
        for target in &report.targets {
            if let Some(name) = &target.repository {
                names.entry(name.to_string()).or_insert((None, None));
            }
        }
        let mut list: Vec<GroupInfo> = names
            .into_iter()
            .map(|(name, (path, commit))| GroupInfo {
                name: Some(name),
                path,
                commit,
                scanned: 0,
                skipped: 0,
                failed: 0,
            })
            .collect();
        list.push(GroupInfo {
            name: None,
            path: None,
            commit: None,
            scanned: 0,
            skipped: 0,
            failed: 0,
        });
        let index: HashMap<Option<String>, usize> = list
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.clone(), i))
            .collect();
        let mut by_target = HashMap::new();
        for target in &report.targets {
            let Some(&group) = index.get(&target.repository.as_deref().map(str::to_string)) else {
                continue;
            };
            by_target.insert(target.path.to_string(), group);
            if let Some(info) = list.get_mut(group) {
                match target.status {
                    TargetStatus::Scanned => info.scanned += 1,
                    TargetStatus::Skipped => info.skipped += 1,
                    TargetStatus::Failed => info.failed += 1,
                }
            }
        }
        let mut groups = Groups { list, by_target };
        groups.drop_unused_unnamed(report);
        groups
    }

    /// Drops the unnamed group when no target, finding or error lands in it.
    fn drop_unused_unnamed(&mut self, report: &Report) {
        let unnamed = self.list.len().saturating_sub(1);
        let used = self.by_target.values().any(|&g| g == unnamed)
            || report
                .findings
                .iter()
                .any(|f| self.of_path(&f.path) == unnamed)
            || report
                .errors
                .iter()
                .filter_map(|e| e.path.as_deref())
                .any(|p| self.of_path(p) == unnamed)
            // A report with no repository at all still has one group to judge.
            || self.list.len() == 1;
        if !used {
            self.list.pop();
        }
    }

    /// The group of a report path: its target's, else the repository whose
    /// path is the longest prefix of it (an error about a directory), else
    /// the unnamed group.
    fn of_path(&self, path: &str) -> usize {
        if let Some(&group) = self.by_target.get(path) {
            return group;
        }
        let unnamed = self
            .list
            .iter()
            .position(|g| g.name.is_none())
            .unwrap_or(self.list.len());
        self.list
            .iter()
            .enumerate()
            .filter(|(_, g)| g.name.is_some())
            .filter_map(|(i, g)| {
                let prefix = g.path.as_deref()?;
                let owns = prefix == "."
                    || path == prefix
                    || path
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with('/'));
                // "." owns everything, but any real prefix is a better match.
                let strength = if prefix == "." { 0 } else { prefix.len() };
                owns.then_some((strength, i))
            })
            .max()
            .map_or(unnamed, |(_, i)| i)
    }

    fn name(&self, group: usize) -> Option<String> {
        self.list.get(group).and_then(|g| g.name.clone())
    }
}

/// The gaps in the evidence, each with the group it concerns (`None`:
/// every group). A failed target leaves every assessed control without
/// evidence for it; a policy error, those the policy supports (all
/// assessed ones when the policy is not in the report, as when it failed
/// to load, since what it would have supported is unknown); an error
/// without a policy (unreadable directory, ...), every assessed control.
/// Errors that concern no assessed control are not gaps here.
fn gaps(
    report: &Report,
    framework: &Framework,
    coverage: &Coverage,
    groups: &Groups,
) -> (Vec<Gap>, Vec<Option<usize>>) {
    let assessed: BTreeSet<usize> = (0..framework.controls.len())
        .filter(|&i| coverage.assessed(i))
        .collect();
    let ids = |controls: &BTreeSet<usize>| -> Vec<String> {
        controls
            .iter()
            .filter_map(|&i| framework.controls.get(i).map(|c| c.id.to_string()))
            .collect()
    };
    let known_policies: BTreeSet<&str> = report.policies.iter().map(|p| p.name.as_str()).collect();
    let mut gaps = Vec::new();
    let mut gap_groups = Vec::new();
    for target in &report.targets {
        if target.status != TargetStatus::Failed || assessed.is_empty() {
            continue;
        }
        let group = groups.of_path(&target.path);
        gaps.push(Gap {
            repository: groups.name(group),
            path: Some(target.path.to_string()),
            policy: None,
            kind: "target-failed".to_string(),
            message: target
                .reason
                .clone()
                .unwrap_or_else(|| "the target could not be scanned".to_string()),
            controls: ids(&assessed),
        });
        gap_groups.push(Some(group));
    }
    for error in &report.errors {
        let controls: BTreeSet<usize> = match error.policy.as_deref() {
            Some(policy) if known_policies.contains(policy) => coverage
                .controls_of_policy(policy)
                .intersection(&assessed)
                .copied()
                .collect(),
            _ => assessed.clone(),
        };
        if controls.is_empty() {
            continue;
        }
        let group = error.path.as_deref().map(|p| groups.of_path(p));
        gaps.push(Gap {
            repository: group.and_then(|g| groups.name(g)),
            path: error.path.clone(),
            policy: error.policy.clone(),
            kind: error.kind.clone(),
            message: error.message.clone(),
            controls: ids(&controls),
        });
        gap_groups.push(group);
    }
    (gaps, gap_groups)
}

#[cfg(test)]
mod tests {
    use arcstr::ArcStr;

    use super::*;
    use crate::compliance::CIS_DOCKER_1_6;
    use crate::compliance::model::{ConfigIgnores, SourceKind};
    use crate::report::{
        PolicyEntry, ReportError, ReportFinding, Repository, RuleEntry, RunInfo, SeverityName,
        Sha256Digest, Target, TargetKind,
    };

    fn rule(id: &str, tags: &[&str]) -> RuleEntry {
        RuleEntry {
            id: id.into(),
            title: format!("{id} title"),
            severity: SeverityName::High,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            equivalents: vec![],
            description: String::new(),
            help: String::new(),
        }
    }

    fn policy(name: &str, rules: Vec<RuleEntry>) -> PolicyEntry {
        PolicyEntry {
            name: name.into(),
            version: "1.0.0".into(),
            sha256: format!("{name}-digest"),
            builtin: false,
            rules,
        }
    }

    fn target(path: &str, repository: Option<&str>, status: TargetStatus) -> Target {
        Target {
            path: path.into(),
            kind: TargetKind::Dockerfile,
            sha256: Some(Sha256Digest::of(path.as_bytes())),
            status,
            reason: (status != TargetStatus::Scanned).then(|| format!("{path} reason")),
            repository: repository.map(ArcStr::from),
        }
    }

    fn finding(policy: &str, rule: &str, path: &str, line: u32) -> ReportFinding {
        ReportFinding {
            rule_id: ArcStr::from(rule),
            policy: ArcStr::from(policy),
            severity: SeverityName::Info,
            path: ArcStr::from(path),
            line: Some(line),
            end_line: Some(line),
            column: None,
            stage: None,
            message: format!("{rule} at {path}").into(),
            fix: None,
            autofix: None,
        }
    }

    fn error(path: Option<&str>, policy: Option<&str>, kind: &str) -> ReportError {
        ReportError {
            path: path.map(str::to_string),
            policy: policy.map(str::to_string),
            kind: kind.into(),
            message: format!("{kind} happened"),
        }
    }

    fn repository(name: &str, path: &str) -> Repository {
        Repository {
            name: name.into(),
            path: path.into(),
            commit: Some(format!("{name}-commit")),
            summary: Default::default(),
            directories_left_out: Default::default(),
        }
    }

    /// Two repositories (`a` with two Dockerfiles, `b` with one) and two
    /// policies: `users` supports 4.1, `content` supports 4.9 and 4.10.
    fn two_repositories() -> Report {
        let mut report = Report::new(
            Tool::tallyman(),
            RunInfo {
                started_at: "2026-01-15T00:00:00Z".into(),
                duration_ms: 1,
                evaluated_on: "2026-01-15".into(),
                fail_on: SeverityName::High,
                config_sha256: None,
                shard: None,
            },
        );
        report.policies = vec![
            policy(
                "users",
                vec![rule("U1", &["cis-docker-1.6:4.1", "security"])],
            ),
            policy(
                "content",
                vec![
                    rule("C1", &["cis-docker-1.6:4.9"]),
                    rule("C2", &["cis-docker-1.6:4.10", "cis-docker-1.6:4.9"]),
                    rule("C3", &["style"]),
                ],
            ),
        ];
        report.repositories = vec![repository("a", "a"), repository("b", "b")];
        report.targets = vec![
            target("a/Dockerfile", Some("a"), TargetStatus::Scanned),
            target("a/sub/Dockerfile", Some("a"), TargetStatus::Scanned),
            target("b/Dockerfile", Some("b"), TargetStatus::Scanned),
        ];
        report
    }

    fn plain() -> Provenance {
        Provenance {
            file: "scan.json".into(),
            sha256: "ff".into(),
            kind: SourceKind::Report,
            keyid: None,
            config_ignores: None,
        }
    }

    fn control<'a>(report: &'a ComplianceReport, id: &str) -> &'a ControlAssessment {
        report
            .controls
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no control {id}"))
    }

    /// The control's verdict in each repository, by name.
    fn verdicts(report: &ComplianceReport, id: &str) -> Vec<(Option<String>, Verdict)> {
        control(report, id)
            .repositories
            .iter()
            .map(|r| (r.repository.clone(), r.verdict))
            .collect()
    }

    fn named(pairs: &[(&str, Verdict)]) -> Vec<(Option<String>, Verdict)> {
        pairs
            .iter()
            .map(|(name, v)| (Some(name.to_string()), *v))
            .collect()
    }

    #[test]
    fn findings_fail_their_controls_in_their_repository_only() {
        let mut report = two_repositories();
        report.findings = vec![
            finding("content", "C2", "a/sub/Dockerfile", 3),
            finding("content", "C3", "b/Dockerfile", 1),
        ];
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());

        // C2 supports both 4.9 and 4.10: one finding is evidence for both.
        for id in ["4.9", "4.10"] {
            assert_eq!(
                verdicts(&assessed, id),
                named(&[("a", Verdict::Fail), ("b", Verdict::Pass)])
            );
            assert_eq!(control(&assessed, id).verdict, Verdict::Fail);
            let evidence = &control(&assessed, id).evidence;
            assert_eq!(evidence.len(), 1);
            assert_eq!(evidence[0].repository.as_deref(), Some("a"));
            assert_eq!(evidence[0].path, "a/sub/Dockerfile");
            assert_eq!(evidence[0].line, Some(3));
            assert_eq!(evidence[0].policy_sha256, "content-digest");
        }
        // C3 supports no control: its finding is no evidence.
        assert_eq!(
            verdicts(&assessed, "4.1"),
            named(&[("a", Verdict::Pass), ("b", Verdict::Pass)])
        );
        assert_eq!(control(&assessed, "4.1").verdict, Verdict::Pass);
        for id in [
            "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.11", "4.12",
        ] {
            let c = control(&assessed, id);
            assert_eq!(c.verdict, Verdict::NotAssessed, "{id}");
            assert!(c.rules.is_empty());
        }
        assert_eq!(assessed.summary.fail, 2);
        assert_eq!(assessed.summary.pass, 1);
        assert_eq!(assessed.summary.not_assessed, 9);
        assert_eq!(assessed.summary.verdict, Verdict::Fail);
        let by_name: Vec<(Option<&str>, Verdict)> = assessed
            .repositories
            .iter()
            .map(|r| (r.name.as_deref(), r.verdict))
            .collect();
        assert_eq!(
            by_name,
            [(Some("a"), Verdict::Fail), (Some("b"), Verdict::Pass)]
        );
        assert!(assessed.gaps.is_empty());
    }

    #[test]
    fn a_failed_target_leaves_its_repository_incomplete_but_findings_still_fail() {
        let mut report = two_repositories();
        report.targets[2].status = TargetStatus::Failed;
        report.targets[2].reason = Some("binary file".into());
        report.targets.push(target(
            "a/Dockerfile.broken",
            Some("a"),
            TargetStatus::Failed,
        ));
        report.findings = vec![finding("users", "U1", "a/Dockerfile", 1)];
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());

        assert_eq!(
            verdicts(&assessed, "4.1"),
            named(&[("a", Verdict::Fail), ("b", Verdict::Incomplete)])
        );
        assert_eq!(
            verdicts(&assessed, "4.9"),
            named(&[("a", Verdict::Incomplete), ("b", Verdict::Incomplete)])
        );
        assert_eq!(control(&assessed, "4.9").verdict, Verdict::Incomplete);
        assert_eq!(assessed.summary.verdict, Verdict::Fail);
        let gaps: Vec<String> = assessed
            .gaps
            .iter()
            .map(|g| {
                format!(
                    "{:?} {:?} {} {}",
                    g.repository,
                    g.path,
                    g.kind,
                    g.controls.join(",")
                )
            })
            .collect();
        assert_eq!(
            gaps,
            [
                r#"Some("b") Some("b/Dockerfile") target-failed 4.1,4.9,4.10"#,
                r#"Some("a") Some("a/Dockerfile.broken") target-failed 4.1,4.9,4.10"#,
            ]
        );
        assert_eq!(assessed.gaps[0].message, "binary file");
        let b = control(&assessed, "4.9")
            .repositories
            .iter()
            .find(|r| r.repository.as_deref() == Some("b"))
            .map(|r| r.gaps);
        assert_eq!(b, Some(1));
    }

    #[test]
    fn a_policy_error_leaves_only_the_controls_of_that_policy_incomplete() {
        let mut report = two_repositories();
        report.errors = vec![
            error(Some("b/Dockerfile"), Some("content"), "timeout"),
            // An error of a policy that supports nothing here is no gap.
            error(Some("a/Dockerfile"), Some("other"), "trap"),
        ];
        report
            .policies
            .push(policy("other", vec![rule("O1", &["style"])]));
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());
        assert_eq!(
            verdicts(&assessed, "4.1"),
            named(&[("a", Verdict::Pass), ("b", Verdict::Pass)])
        );
        for id in ["4.9", "4.10"] {
            assert_eq!(
                verdicts(&assessed, id),
                named(&[("a", Verdict::Pass), ("b", Verdict::Incomplete)])
            );
        }
        assert_eq!(assessed.summary.verdict, Verdict::Incomplete);
        assert_eq!(assessed.gaps.len(), 1);
        assert_eq!(assessed.gaps[0].policy.as_deref(), Some("content"));
        assert_eq!(assessed.gaps[0].controls, ["4.9", "4.10"]);
    }

    #[test]
    fn an_error_naming_no_target_or_an_unknown_policy_concerns_everything() {
        let mut report = two_repositories();
        // A policy that failed to load is not in `policies`: what it would
        // have supported is unknown.
        report.errors = vec![error(None, Some("org-policy"), "load-error")];
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());
        for id in ["4.1", "4.9", "4.10"] {
            assert_eq!(
                verdicts(&assessed, id),
                named(&[("a", Verdict::Incomplete), ("b", Verdict::Incomplete)]),
                "{id}"
            );
        }
        assert_eq!(assessed.gaps[0].path, None);

        // An unreadable directory under one repository's prefix.
        let mut report = two_repositories();
        report.errors = vec![error(Some("b/private"), None, "read-error")];
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());
        assert_eq!(
            verdicts(&assessed, "4.1"),
            named(&[("a", Verdict::Pass), ("b", Verdict::Incomplete)])
        );
        assert_eq!(assessed.gaps[0].repository.as_deref(), Some("b"));
    }

    #[test]
    fn skipped_targets_are_excluded_and_a_repository_with_nothing_scanned_is_not_applicable() {
        let mut report = two_repositories();
        report.targets[2].status = TargetStatus::Skipped;
        report.targets[1].status = TargetStatus::Skipped;
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());
        assert_eq!(
            verdicts(&assessed, "4.1"),
            named(&[("a", Verdict::Pass), ("b", Verdict::NotApplicable)])
        );
        assert_eq!(control(&assessed, "4.1").verdict, Verdict::Pass);
        let excluded: Vec<&str> = assessed.excluded.iter().map(|t| t.path.as_str()).collect();
        assert_eq!(excluded, ["a/sub/Dockerfile", "b/Dockerfile"]);
        assert!(assessed.gaps.is_empty());
        let b = assessed
            .repositories
            .iter()
            .find(|r| r.name.as_deref() == Some("b"));
        assert_eq!(
            b.map(|r| (r.skipped, r.verdict)),
            Some((1, Verdict::NotApplicable))
        );
    }

    #[test]
    fn ignored_rules_support_nothing_and_unknown_controls_are_noted() {
        let mut report = two_repositories();
        report.policies.push(policy(
            "typo",
            vec![rule("T1", &["cis-docker-1.6:4.13", "cis-docker-1.6:4.6"])],
        ));
        report.findings = vec![finding("users", "U1", "a/Dockerfile", 1)];
        let provenance = Provenance {
            kind: SourceKind::Attestation,
            keyid: Some("abc".into()),
            config_ignores: Some(ConfigIgnores {
                rules: vec!["U1".into()],
                ..Default::default()
            }),
            ..plain()
        };
        let assessed = assess(&report, &CIS_DOCKER_1_6, provenance);
        let c41 = control(&assessed, "4.1");
        assert_eq!(c41.verdict, Verdict::NotAssessed);
        assert!(c41.rules.iter().all(|r| r.ignored));
        assert!(c41.evidence.is_empty());
        // An organisation's rule counts through its tag.
        assert_eq!(control(&assessed, "4.6").verdict, Verdict::Pass);
        assert_eq!(control(&assessed, "4.6").rules[0].policy, "typo");
        assert!(
            assessed
                .notes
                .iter()
                .any(|n| n.contains("T1") && n.contains("4.13")),
            "{:?}",
            assessed.notes
        );
        assert!(
            assessed
                .notes
                .iter()
                .any(|n| n.starts_with("control 4.1 is not assessed")),
            "{:?}",
            assessed.notes
        );
        assert!(assessed.source.verified);
        assert_eq!(assessed.source.keyid.as_deref(), Some("abc"));
    }

    #[test]
    fn targets_outside_any_repository_form_one_unnamed_group() {
        let mut report = two_repositories();
        report.repositories.clear();
        report.targets = vec![
            Target {
                kind: TargetKind::Image,
                ..target("registry.example/app:1.0", None, TargetStatus::Scanned)
            },
            target("Dockerfile", None, TargetStatus::Scanned),
        ];
        report.findings = vec![finding("users", "U1", "registry.example/app:1.0", 0)];
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());
        assert_eq!(assessed.repositories.len(), 1);
        assert_eq!(assessed.repositories[0].name, None);
        assert_eq!(assessed.repositories[0].scanned, 2);
        assert_eq!(verdicts(&assessed, "4.1"), [(None, Verdict::Fail)]);
        assert_eq!(verdicts(&assessed, "4.9"), [(None, Verdict::Pass)]);
    }

    #[test]
    fn an_empty_scan_is_not_applicable_not_a_pass() {
        let mut report = two_repositories();
        report.targets.clear();
        let assessed = assess(&report, &CIS_DOCKER_1_6, plain());
        assert_eq!(control(&assessed, "4.1").verdict, Verdict::NotApplicable);
        assert_eq!(assessed.summary.verdict, Verdict::NotApplicable);
        assert_eq!(crate::compliance::exit_code(&assessed), 0);
    }
}
