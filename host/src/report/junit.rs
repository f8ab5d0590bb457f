//! JUnit XML, in the dialect GitLab and Jenkins read.
//!
//! - One `<testsuite>` per policy (name = the policy's name), in report order;
//!   a policy that only appears in findings or errors gets one too.
//! - In it, one `<testcase>` per (target × rule of the policy that applies
//!   to that kind of target: rules tagged `target:image` run on images
//!   only, `target:dockerfile` on Dockerfiles only), with `classname` = the
//!   target's path and `name` = `ID: title`; plus one for any rule a finding
//!   names that the policy did not declare.
//!   - passed: no child;
//!   - `<failure message=... type=SEVERITY>`: the findings of that rule on
//!     that target, one per line in the body (`type` is the highest
//!     severity among them);
//!   - `<error message=... type=KIND>`: the policy failed on that target
//!     (timeout, trap, ...), so none of its rules has a trustworthy result;
//!     findings it did return are listed in the body.
//! - A target that was skipped or failed ran no rule: it has a single
//!   `<testcase name="(target skipped)">` or `"(target failed)"` per suite
//!   with `<skipped message=REASON>`.
//! - A policy error not tied to a target (say, a load error) is a testcase
//!   named after the error's kind in that policy's suite; an error with no
//!   policy (a config or parse error) goes in a last suite named after the
//!   tool.
//!
//! Counts on `<testsuite>` and `<testsuites>` are computed from the cases
//! written. `time` is on `<testsuites>` only: the report does not time
//! policies one by one, and a made-up per-suite time would mislead.
//!
//! Text from policies is untrusted: characters XML 1.0 cannot carry
//! (control characters other than tab, newline and carriage return;
//! U+FFFE and U+FFFF) are replaced by U+FFFD, and attribute values are kept
//! on one line.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Report, ReportError, ReportFinding, RuleEntry, Target, TargetKind, TargetStatus};
use crate::engine::{TARGET_DOCKERFILE_TAG, TARGET_IMAGE_TAG};

/// Attribute values (which readers show as one-line summaries) are cut to
/// this many characters; the element's body carries the full text.
const MAX_ATTRIBUTE_CHARS: usize = 500;

/// Writes `report` as JUnit XML.
///
/// Test cases are generated twice, once to count them for the attributes
/// and once to write them, rather than held in memory: a monorepo scan has
/// targets × rules of them.
pub fn to_writer(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let index = Index::new(report);
    let suites = plan_suites(report, &index);
    let counts: Vec<Counts> = suites
        .iter()
        .map(|suite| suite.counts(report, &index))
        .collect();
    let totals = counts
        .iter()
        .fold(Counts::default(), |sum, counts| sum.add(counts));

    // quick-xml writes piece by piece: buffer so a file gets few syscalls.
    let mut writer = Writer::new_with_indent(io::BufWriter::new(out), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let time = format!(
        "{}.{:03}",
        report.run.duration_ms / 1000,
        report.run.duration_ms % 1000
    );
    let root = writer
        .create_element("testsuites")
        .with_attribute(("name", attribute(&report.tool.name).as_ref()))
        .with_attributes(totals.attributes().iter().map(|(k, v)| (*k, v.as_str())))
        .with_attribute(("time", time.as_str()));
    if suites.is_empty() {
        root.write_empty()?;
    } else {
        root.write_inner_content(|writer| {
            for (suite, counts) in suites.iter().zip(&counts) {
                write_suite(writer, suite, counts, report, &index)?;
            }
            Ok(())
        })?;
    }
    let out = writer.get_mut();
    out.write_all(b"\n")?;
    out.flush()
}

/// One `<testsuite>`, before its cases are generated.
struct Suite<'a> {
    name: &'a str,
    properties: Vec<(&'static str, String)>,
    contents: SuiteContents<'a>,
}

enum SuiteContents<'a> {
    /// A policy's suite: its rules on every target they apply to.
    Policy { rules: Vec<SuiteRule<'a>> },
    /// The tool's suite: errors tied to no policy.
    Tool,
}

impl<'a> Suite<'a> {
    fn counts(&self, report: &'a Report, index: &Index<'a>) -> Counts {
        let mut counts = Counts::default();
        let _ = self.for_each_case(report, index, &mut |case| {
            counts.tests += 1;
            match case.outcome {
                Outcome::Passed => {}
                Outcome::Failure { .. } => counts.failures += 1,
                Outcome::Error { .. } => counts.errors += 1,
                Outcome::Skipped { .. } => counts.skipped += 1,
            }
            Ok(())
        });
        counts
    }

    fn for_each_case(
        &self,
        report: &'a Report,
        index: &Index<'a>,
        emit: &mut dyn FnMut(Case) -> io::Result<()>,
    ) -> io::Result<()> {
        match &self.contents {
            SuiteContents::Policy { rules } => policy_cases(report, index, self.name, rules, emit),
            SuiteContents::Tool => {
                for error in &index.tool_errors {
                    emit(error_case(self.name, error))?;
                }
                Ok(())
            }
        }
    }
}

/// One `<testcase>`.
struct Case {
    classname: String,
    name: String,
    file: Option<String>,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    Failure {
        message: String,
        kind: String,
        text: String,
    },
    Error {
        message: String,
        kind: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(self, other: &Counts) -> Counts {
        Counts {
            tests: self.tests + other.tests,
            failures: self.failures + other.failures,
            errors: self.errors + other.errors,
            skipped: self.skipped + other.skipped,
        }
    }

    fn attributes(&self) -> [(&'static str, String); 4] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
        ]
    }
}

/// The report, indexed by what a test case needs.
struct Index<'a> {
    /// (policy, path) → rule id → findings.
    findings: BTreeMap<(&'a str, &'a str), BTreeMap<&'a str, Vec<&'a ReportFinding>>>,
    /// (policy, path) → errors of that policy on that target.
    pair_errors: BTreeMap<(&'a str, &'a str), Vec<&'a ReportError>>,
    /// policy → errors of that policy not tied to a target.
    policy_errors: BTreeMap<&'a str, Vec<&'a ReportError>>,
    /// Errors not tied to a policy.
    tool_errors: Vec<&'a ReportError>,
    targets: BTreeMap<&'a str, &'a Target>,
}

impl<'a> Index<'a> {
    fn new(report: &'a Report) -> Index<'a> {
        let mut index = Index {
            findings: BTreeMap::new(),
            pair_errors: BTreeMap::new(),
            policy_errors: BTreeMap::new(),
            tool_errors: Vec::new(),
            targets: BTreeMap::new(),
        };
        for finding in &report.findings {
            index
                .findings
                .entry((&finding.policy, &finding.path))
                .or_default()
                .entry(&finding.rule_id)
                .or_default()
                .push(finding);
        }
        for error in &report.errors {
            match (&error.policy, &error.path) {
                (Some(policy), Some(path)) => {
                    index
                        .pair_errors
                        .entry((policy, path))
                        .or_default()
                        .push(error);
                }
                (Some(policy), None) => index.policy_errors.entry(policy).or_default().push(error),
                (None, _) => index.tool_errors.push(error),
            }
        }
        for target in &report.targets {
            index.targets.entry(&target.path).or_insert(target);
        }
        index
    }

    /// The paths a policy's suite covers: every target, in report order,
    /// then any path only its findings or errors name.
    fn paths_for(&self, report: &'a Report, policy: &str) -> Vec<&'a str> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut paths = Vec::new();
        for target in &report.targets {
            if seen.insert(&target.path) {
                paths.push(target.path.as_str());
            }
        }
        let extra = self
            .findings
            .keys()
            .chain(self.pair_errors.keys())
            .filter(|(p, path)| *p == policy && !seen.contains(path))
            .map(|(_, path)| *path)
            .collect::<BTreeSet<_>>();
        paths.extend(extra);
        paths
    }
}

fn plan_suites<'a>(report: &'a Report, index: &Index<'a>) -> Vec<Suite<'a>> {
    let mut suites = Vec::new();
    let declared: BTreeSet<&str> = report.policies.iter().map(|p| p.name.as_str()).collect();
    let mut undeclared: BTreeSet<&str> = BTreeSet::new();
    for (policy, _) in index.findings.keys().chain(index.pair_errors.keys()) {
        undeclared.insert(policy);
    }
    undeclared.extend(index.policy_errors.keys());
    undeclared.retain(|name| !declared.contains(name));

    let mut done: BTreeSet<&str> = BTreeSet::new();
    for policy in &report.policies {
        if !done.insert(&policy.name) {
            continue;
        }
        // Two entries with one name (which the scan should not produce)
        // share a suite rather than repeat it.
        let rules = report
            .policies
            .iter()
            .filter(|p| p.name == policy.name)
            .flat_map(|p| p.rules.iter().map(SuiteRule::of))
            .collect();
        suites.push(Suite {
            name: &policy.name,
            properties: vec![
                ("version", policy.version.clone()),
                ("sha256", policy.sha256.clone()),
                ("builtin", policy.builtin.to_string()),
            ],
            contents: SuiteContents::Policy { rules },
        });
    }
    for policy in undeclared {
        suites.push(Suite {
            name: policy,
            properties: Vec::new(),
            contents: SuiteContents::Policy { rules: Vec::new() },
        });
    }
    if !index.tool_errors.is_empty() {
        suites.push(Suite {
            name: &report.tool.name,
            properties: Vec::new(),
            contents: SuiteContents::Tool,
        });
    }
    suites
}

/// A rule of a policy's suite, and the kinds of target it applies to
/// (tagged `target:image` or `target:dockerfile`, else both): a rule that
/// cannot apply to a target did not run on it, so it is no testcase there.
#[derive(Clone, Copy)]
struct SuiteRule<'a> {
    id: &'a str,
    title: &'a str,
    dockerfiles: bool,
    images: bool,
}

impl<'a> SuiteRule<'a> {
    fn of(rule: &'a RuleEntry) -> SuiteRule<'a> {
        let tagged = |tag: &str| rule.tags.iter().any(|t| t == tag);
        SuiteRule {
            id: &rule.id,
            title: &rule.title,
            dockerfiles: !tagged(TARGET_IMAGE_TAG),
            images: !tagged(TARGET_DOCKERFILE_TAG),
        }
    }

    fn applies_to(&self, target: Option<&Target>) -> bool {
        match target.map(|t| t.kind) {
            Some(TargetKind::Dockerfile) => self.dockerfiles,
            Some(TargetKind::Image) => self.images,
            None => true,
        }
    }
}

/// The cases of one policy's suite, in order: per path, per rule.
fn policy_cases<'a>(
    report: &'a Report,
    index: &Index<'a>,
    policy: &str,
    rules: &[SuiteRule<'a>],
    emit: &mut dyn FnMut(Case) -> io::Result<()>,
) -> io::Result<()> {
    let declared: BTreeSet<&str> = rules.iter().map(|rule| rule.id).collect();
    let no_findings = BTreeMap::new();
    for path in index.paths_for(report, policy) {
        let target = index.targets.get(path).copied();
        let findings = index.findings.get(&(policy, path)).unwrap_or(&no_findings);
        let errors = index
            .pair_errors
            .get(&(policy, path))
            .map_or(&[][..], Vec::as_slice);
        let file = file_of(target, path);

        if let Some(target) = target
            && target.status != TargetStatus::Scanned
            && findings.is_empty()
            && errors.is_empty()
        {
            emit(not_scanned_case(target, file))?;
            continue;
        }

        if findings.is_empty()
            && errors.is_empty()
            && !rules.is_empty()
            && !rules.iter().any(|rule| rule.applies_to(target))
        {
            // None of the policy's rules concerns this kind of target.
            continue;
        }
        let mut rule_ids: Vec<(&str, &str)> = rules
            .iter()
            .filter(|rule| rule.applies_to(target))
            .map(|rule| (rule.id, rule.title))
            .collect();
        rule_ids.extend(
            findings
                .keys()
                .filter(|id| !declared.contains(*id))
                .map(|id| (*id, "")),
        );
        if rule_ids.is_empty() && !errors.is_empty() {
            // The policy declared no rules but failed here: still say so.
            rule_ids.push(("(policy)", ""));
        }
        for (rule_id, title) in rule_ids {
            let rule_findings = findings.get(rule_id).map_or(&[][..], Vec::as_slice);
            emit(Case {
                classname: path.to_owned(),
                name: case_name(rule_id, title),
                file: file.clone(),
                outcome: outcome(rule_findings, errors),
            })?;
        }
    }
    for error in index
        .policy_errors
        .get(policy)
        .map_or(&[][..], Vec::as_slice)
    {
        emit(error_case(policy, error))?;
    }
    Ok(())
}

/// A case for an error not tied to a (target, policy) pair.
fn error_case(owner: &str, error: &ReportError) -> Case {
    Case {
        classname: error.path.clone().unwrap_or_else(|| owner.to_owned()),
        name: error.kind.clone(),
        file: error.path.clone(),
        outcome: Outcome::Error {
            message: first_line(&error.message).to_owned(),
            kind: error.kind.clone(),
            text: error.message.clone(),
        },
    }
}

fn not_scanned_case(target: &Target, file: Option<String>) -> Case {
    let (name, verb) = match target.status {
        TargetStatus::Failed => ("(target failed)", "failed"),
        TargetStatus::Skipped | TargetStatus::Scanned => ("(target skipped)", "skipped"),
    };
    let reason = target.reason.as_deref().unwrap_or("no reason given");
    Case {
        classname: target.path.to_string(),
        name: name.to_owned(),
        file,
        outcome: Outcome::Skipped {
            message: format!("{verb}: {reason}"),
        },
    }
}

fn outcome(findings: &[&ReportFinding], errors: &[&ReportError]) -> Outcome {
    if let Some(first) = errors.first() {
        let mut text: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.kind, e.message))
            .collect();
        text.extend(findings.iter().map(|f| finding_line(f)));
        return Outcome::Error {
            message: format!("{}: {}", first.kind, first_line(&first.message)),
            kind: first.kind.clone(),
            text: text.join("\n"),
        };
    }
    let Some(highest) = findings.iter().map(|f| f.severity).max() else {
        return Outcome::Passed;
    };
    let message = match findings {
        [only] => first_line(&only.message).to_owned(),
        [first, ..] => format!(
            "{} findings; first: {}",
            findings.len(),
            first_line(&first.message)
        ),
        [] => String::new(),
    };
    Outcome::Failure {
        message,
        kind: highest.as_str().to_owned(),
        text: findings
            .iter()
            .map(|f| finding_line(f))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// `path:line:column: severity: message (stage S) (fix: F)`.
fn finding_line(finding: &ReportFinding) -> String {
    let mut line = finding.path.to_string();
    if let Some(number) = finding.line {
        line.push_str(&format!(":{number}"));
        if let Some(column) = finding.column {
            line.push_str(&format!(":{column}"));
        }
    }
    line.push_str(&format!(
        ": {}: {}",
        finding.severity.as_str(),
        finding.message
    ));
    if let Some(stage) = &finding.stage {
        line.push_str(&format!(" (stage {stage})"));
    }
    if let Some(fix) = &finding.fix {
        line.push_str(&format!(" (fix: {fix})"));
    }
    line
}

fn case_name(rule_id: &str, title: &str) -> String {
    if title.trim().is_empty() {
        rule_id.to_owned()
    } else {
        format!("{rule_id}: {title}")
    }
}

/// The `file` attribute GitLab links to: Dockerfiles only (an image
/// reference is no file in the repository).
fn file_of(target: Option<&Target>, path: &str) -> Option<String> {
    match target {
        Some(target) if target.kind == TargetKind::Image => None,
        _ => Some(path.to_owned()),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn write_suite<'a, W: Write>(
    writer: &mut Writer<W>,
    suite: &Suite<'a>,
    counts: &Counts,
    report: &'a Report,
    index: &Index<'a>,
) -> io::Result<()> {
    let element = writer
        .create_element("testsuite")
        .with_attribute(("name", attribute(suite.name).as_ref()))
        .with_attributes(counts.attributes().iter().map(|(k, v)| (*k, v.as_str())));
    if counts.tests == 0 && suite.properties.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|writer| {
        if !suite.properties.is_empty() {
            writer
                .create_element("properties")
                .write_inner_content(|writer| {
                    for (name, value) in &suite.properties {
                        writer
                            .create_element("property")
                            .with_attribute(("name", *name))
                            .with_attribute(("value", attribute(value).as_ref()))
                            .write_empty()?;
                    }
                    Ok(())
                })?;
        }
        suite.for_each_case(report, index, &mut |case| write_case(writer, &case))
    })?;
    Ok(())
}

fn write_case<W: Write>(writer: &mut Writer<W>, case: &Case) -> io::Result<()> {
    let mut element = writer
        .create_element("testcase")
        .with_attribute(("classname", attribute(&case.classname).as_ref()))
        .with_attribute(("name", attribute(&case.name).as_ref()));
    if let Some(file) = &case.file {
        element = element.with_attribute(("file", attribute(file).as_ref()));
    }
    let (tag, message, kind, text) = match &case.outcome {
        Outcome::Passed => {
            element.write_empty()?;
            return Ok(());
        }
        Outcome::Failure {
            message,
            kind,
            text,
        } => ("failure", message, Some(kind), Some(text)),
        Outcome::Error {
            message,
            kind,
            text,
        } => ("error", message, Some(kind), Some(text)),
        Outcome::Skipped { message } => ("skipped", message, None, None),
    };
    element.write_inner_content(|writer| {
        let mut child = writer
            .create_element(tag)
            .with_attribute(("message", attribute(message).as_ref()));
        if let Some(kind) = kind {
            child = child.with_attribute(("type", attribute(kind).as_ref()));
        }
        match text {
            Some(text) => {
                child.write_text_content(BytesText::new(&xml_text(text)))?;
            }
            None => {
                child.write_empty()?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// Whether XML 1.0 can carry `ch` at all (its `Char` production).
fn is_xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Element text: characters XML cannot carry become U+FFFD. (Markup
/// characters are escaped by the writer.)
fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|ch| if is_xml_char(ch) { ch } else { '\u{FFFD}' })
            .collect(),
    )
}

/// An attribute value: like [`xml_text`], on one line (tabs and line
/// breaks become spaces, as XML attribute normalisation would make them
/// anyway) and cut to [`MAX_ATTRIBUTE_CHARS`].
fn attribute(text: &str) -> Cow<'_, str> {
    let clean = |ch: char| match ch {
        '\t' | '\n' | '\r' => ' ',
        ch if is_xml_char(ch) => ch,
        _ => '\u{FFFD}',
    };
    let needs_change =
        text.chars().count() > MAX_ATTRIBUTE_CHARS || text.chars().any(|ch| clean(ch) != ch);
    if !needs_change {
        return Cow::Borrowed(text);
    }
    let mut value: String = text.chars().take(MAX_ATTRIBUTE_CHARS).map(clean).collect();
    if text.chars().count() > MAX_ATTRIBUTE_CHARS {
        value.push('…');
    }
    Cow::Owned(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(
            xml_text("a\u{0}b\u{1b}c\u{FFFF}d\te\n"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\n"
        );
        assert_eq!(attribute("a\nb\tc\u{7}"), "a b c\u{FFFD}");
        assert!(matches!(xml_text("plain <&> text"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_attributes_are_cut() {
        let long = "x".repeat(MAX_ATTRIBUTE_CHARS * 3);
        let cut = attribute(&long);
        assert_eq!(cut.chars().count(), MAX_ATTRIBUTE_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
