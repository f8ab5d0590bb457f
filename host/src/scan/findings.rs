//! Turning what policies returned into report entries, applying the
//! configuration: severity overrides, ignored rules and paths, and the
//! file's own pragmas.

use arcstr::ArcStr;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use tallyman_dockerfile::model::{self, Dockerfile};

use super::foreign::ForeignIndex;
use super::pragmas::Pragmas;
use crate::config::Config;
use crate::engine::{Outcome, Policy};
use crate::report::{ReportError, ReportFinding, SeverityName, SharedStrings};

/// The parts of the configuration that filter and adjust findings, compiled
/// once, and the texts the kept findings share.
pub struct FindingFilter {
    ignored_rules: Vec<String>,
    rule_paths: Vec<(String, GlobSet)>,
    severity: Vec<(String, SeverityName)>,
    /// Which rules other tools' pragmas silence; None when they are off.
    foreign: Option<ForeignIndex>,
    /// Report every inline pragma as a finding (`report-pragmas`).
    report_pragmas: bool,
    strings: SharedStrings,
}

fn glob_set(globs: &[String]) -> anyhow::Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob)?);
    }
    Ok(builder.build()?)
}

impl FindingFilter {
    pub fn new(config: &Config) -> anyhow::Result<FindingFilter> {
        let rule_paths = config
            .ignore
            .rule_paths
            .iter()
            .map(|entry| Ok((entry.rule.clone(), glob_set(&entry.paths)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(FindingFilter {
            ignored_rules: config.ignore.rules.clone(),
            rule_paths,
            severity: config
                .severity
                .iter()
                .map(|(rule, severity)| (rule.clone(), *severity))
                .collect(),
            foreign: None,
            report_pragmas: config.report_pragmas,
            strings: SharedStrings::default(),
        })
    }

    /// Honours hadolint's, Checkov's and Trivy's pragmas through `index`.
    pub fn with_foreign_pragmas(mut self, index: ForeignIndex) -> FindingFilter {
        self.foreign = Some(index);
        self
    }

    /// Whether a finding of `rule` on `line` of `dockerfile` would be
    /// dropped: the configuration ignores the rule for its path, or one of
    /// its own pragmas silences it there. For fixes the host makes without
    /// a finding (digest pins), so that they honour the same ignores.
    pub fn silences(&self, dockerfile: &Dockerfile, rule: &str, line: u32) -> bool {
        self.ignores(rule, &dockerfile.path)
            || TargetFacts::of(dockerfile)
                .pragmas
                .silences(rule, Some(line))
    }

    fn ignores(&self, rule: &str, path: &str) -> bool {
        self.ignored_rules.iter().any(|r| r == rule)
            || self
                .rule_paths
                .iter()
                .any(|(r, globs)| r == rule && globs.is_match(path))
    }

    fn severity(&self, policy: &Policy, finding: &model::Finding) -> SeverityName {
        if let Some((_, severity)) = self.severity.iter().find(|(r, _)| *r == finding.rule_id) {
            return *severity;
        }
        finding
            .severity
            .or_else(|| policy.rule(&finding.rule_id).map(|r| r.default_severity))
            .map(SeverityName::from)
            .unwrap_or(SeverityName::Medium)
    }
}

/// What turning findings into report entries needs of a Dockerfile besides
/// its path: its pragmas and the names of its stages. Small, and cached with
/// the file's results, so that a file whose results all come from the cache
/// need not be parsed.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFacts {
    pragmas: Pragmas,
    /// (index, name) of each stage.
    stages: Vec<(u32, Option<String>)>,
}

impl TargetFacts {
    pub fn of(dockerfile: &Dockerfile) -> TargetFacts {
        TargetFacts {
            pragmas: Pragmas::of(dockerfile),
            stages: dockerfile
                .stages
                .iter()
                .map(|stage| (stage.index, stage.name.clone()))
                .collect(),
        }
    }

    /// A stage as reports name it: its name, else its index.
    fn stage_label(&self, index: u32) -> String {
        self.stages
            .iter()
            .find(|(i, _)| *i == index)
            .and_then(|(_, name)| name.clone())
            .unwrap_or_else(|| index.to_string())
    }
}

/// What one target's evaluation adds to the report.
#[derive(Default)]
pub struct TargetResults {
    pub findings: Vec<ReportFinding>,
    pub errors: Vec<ReportError>,
}

/// Converts the outcomes of every policy on one Dockerfile.
pub fn collect(
    dockerfile: &Dockerfile,
    outcomes: Vec<Outcome>,
    filter: &FindingFilter,
    known_rules: &dyn Fn(&str) -> bool,
) -> TargetResults {
    let facts = TargetFacts::of(dockerfile);
    let path = ArcStr::from(dockerfile.path.as_str());
    collect_with(&path, &facts, outcomes, filter, known_rules)
}

/// Converts the outcomes of every policy on the Dockerfile at report path
/// `path` (shared with every finding), described by `facts`.
pub fn collect_with(
    path: &ArcStr,
    facts: &TargetFacts,
    outcomes: Vec<Outcome>,
    filter: &FindingFilter,
    known_rules: &dyn Fn(&str) -> bool,
) -> TargetResults {
    let pragmas = &facts.pragmas;
    let mut results = TargetResults::default();
    for pragma in &pragmas.all {
        for rule in pragma.rules.iter().filter(|r| !known_rules(r)) {
            results.findings.push(ReportFinding {
                rule_id: super::UNKNOWN_PRAGMA_RULE.into(),
                policy: super::HOST_POLICY.into(),
                severity: SeverityName::Low,
                path: ArcStr::clone(path),
                line: Some(pragma.line),
                end_line: Some(pragma.line),
                column: None,
                stage: None,
                message: format!("pragma names `{rule}`, which no loaded policy declares").into(),
                fix: Some("check the rule id (`tallyman policy list` shows them)".into()),
                autofix: None,
            });
        }
    }
    let foreign = filter
        .foreign
        .as_ref()
        .filter(|_| !pragmas.foreign.is_empty());
    if let Some(index) = foreign {
        report_unknown_foreign_ids(&mut results, path, pragmas, index);
    }
    if filter.report_pragmas {
        report_inline_pragmas(&mut results, path, pragmas, foreign);
    }
    add_outcomes(&mut results, path, outcomes, filter, |finding| {
        let line = finding.span.map(|s| s.start_line).filter(|l| *l > 0);
        if pragmas.silences(&finding.rule_id, line)
            || foreign.is_some_and(|index| index.silences(&pragmas.foreign, &finding.rule_id, line))
        {
            return None;
        }
        Some(Placement {
            line,
            end_line: finding.span.map(|s| s.end_line).filter(|l| *l > 0),
            column: finding.span.map(|s| s.start_column).filter(|c| *c > 0),
            stage: finding
                .stage
                .map(|i| filter.strings.get(&facts.stage_label(i))),
        })
    });
    results
}

/// Reports every inline pragma that silences something: tallyman's own, and
/// the honoured ones of other tools (`report-pragmas`).
fn report_inline_pragmas(
    results: &mut TargetResults,
    path: &ArcStr,
    pragmas: &Pragmas,
    foreign: Option<&ForeignIndex>,
) {
    let own = pragmas.all.iter().map(|pragma| {
        let scope = if pragma.global { "global " } else { "" };
        (
            pragma.line,
            format!("`tallyman {scope}ignore={}`", pragma.rules.join(",")),
        )
    });
    let others = pragmas
        .foreign
        .written
        .iter()
        .filter(|pragma| foreign.is_some_and(|index| index.honours(pragma.tool)))
        .map(|pragma| {
            (
                pragma.line,
                format!(
                    "{} pragma for `{}`",
                    pragma.tool.name(),
                    pragma.ids.join(",")
                ),
            )
        });
    let mut written: Vec<(u32, String)> = own.chain(others).collect();
    written.sort();
    for (line, what) in written {
        results.findings.push(ReportFinding {
            rule_id: super::INLINE_PRAGMA_RULE.into(),
            policy: super::HOST_POLICY.into(),
            severity: SeverityName::Low,
            path: ArcStr::clone(path),
            line: Some(line),
            end_line: Some(line),
            column: None,
            stage: None,
            message: format!(
                "inline suppression ({what}): this repository keeps suppressions in tallyman.yaml"
            )
            .into(),
            fix: Some(
                "move it to `ignore` in tallyman.yaml (`rule-paths` for this file), or fix what it \
                 silences, and remove the pragma"
                    .into(),
            ),
            autofix: None,
        });
    }
}

/// Reports each id of another tool's pragma that no loaded rule declares.
fn report_unknown_foreign_ids(
    results: &mut TargetResults,
    path: &ArcStr,
    pragmas: &Pragmas,
    index: &ForeignIndex,
) {
    for pragma in &pragmas.foreign.written {
        if !index.honours(pragma.tool) {
            continue;
        }
        for id in &pragma.ids {
            let foreign = super::foreign::ForeignId {
                tool: pragma.tool,
                id: id.clone(),
            };
            if index.rules(&foreign).next().is_some() {
                continue;
            }
            let tool = pragma.tool.name();
            results.findings.push(ReportFinding {
                rule_id: super::UNKNOWN_FOREIGN_PRAGMA_RULE.into(),
                policy: super::HOST_POLICY.into(),
                severity: SeverityName::Low,
                path: ArcStr::clone(path),
                line: Some(pragma.line),
                end_line: Some(pragma.line),
                column: None,
                stage: None,
                message: format!(
                    "{tool} pragma names `{id}`, which no loaded rule declares as an equivalent (`{tool}:{id}`)"
                )
                .into(),
                fix: Some(
                    "keep it for as long as the other tool runs (and ignore TM002), or remove it".into(),
                ),
                autofix: None,
            });
        }
    }
}

/// Converts the outcomes of every policy on one image. Image findings have
/// no lines or stages, and an image has no pragmas: only the configuration
/// filters them.
pub fn collect_image(
    reference: &str,
    outcomes: Vec<Outcome>,
    filter: &FindingFilter,
) -> TargetResults {
    let mut results = TargetResults::default();
    add_outcomes(
        &mut results,
        &ArcStr::from(reference),
        outcomes,
        filter,
        |_| Some(Placement::default()),
    );
    results
}

/// Where a finding points in its target.
#[derive(Default)]
struct Placement {
    line: Option<u32>,
    end_line: Option<u32>,
    column: Option<u32>,
    stage: Option<ArcStr>,
}

/// Adds every policy's findings (those the configuration keeps and `place`
/// places; `None` drops one) and errors on the target at `path`.
fn add_outcomes(
    results: &mut TargetResults,
    path: &ArcStr,
    outcomes: Vec<Outcome>,
    filter: &FindingFilter,
    place: impl Fn(&model::Finding) -> Option<Placement>,
) {
    for outcome in outcomes {
        let policy = &outcome.policy;
        match outcome.result {
            Ok(findings) => {
                let policy_name = policy.shared_name();
                for finding in findings {
                    if filter.ignores(&finding.rule_id, path) {
                        continue;
                    }
                    let Some(placement) = place(&finding) else {
                        continue;
                    };
                    let severity = filter.severity(policy, &finding);
                    results.findings.push(ReportFinding {
                        severity,
                        policy: ArcStr::clone(&policy_name),
                        path: ArcStr::clone(path),
                        line: placement.line,
                        end_line: placement.end_line,
                        column: placement.column,
                        stage: placement.stage,
                        message: filter.strings.get(&finding.message),
                        fix: finding.fix.as_deref().map(|fix| filter.strings.get(fix)),
                        autofix: finding.autofix.map(Box::new),
                        // The engine has checked that the policy declares it.
                        rule_id: policy
                            .shared_rule_id(&finding.rule_id)
                            .unwrap_or_else(|| finding.rule_id.into()),
                    });
                }
            }
            Err(error) => results.errors.push(ReportError {
                path: Some(path.to_string()),
                policy: Some(policy.name().to_string()),
                kind: error.kind.as_str().to_string(),
                message: error.message,
            }),
        }
    }
}
