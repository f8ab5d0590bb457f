//! The words both human formats use, so that the HTML and the Markdown say
//! the same things. Plain text: each renderer escapes it its own way.

use super::model::{ComplianceReport, ControlAssessment, Source, SourceKind, Verdict};

/// How a repository is named; targets outside any repository are images
/// or files given alone.
pub fn repository_label(name: Option<&str>) -> &str {
    name.unwrap_or("(no repository)")
}

/// The first 12 hex digits of a digest, as `git` abbreviates commits.
pub fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// `path:line`, or the path alone.
pub fn location(path: &str, line: Option<u32>) -> String {
    match line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    }
}

/// The heading of the report.
pub fn title(report: &ComplianceReport) -> String {
    let f = &report.framework;
    format!(
        "{} {}, section {}: {}",
        f.name, f.version, f.section, f.section_title
    )
}

/// One sentence on whether the evidence can be trusted not to be edited.
pub fn verification(source: &Source) -> String {
    match (source.kind, &source.keyid) {
        (SourceKind::Attestation, Some(keyid)) => format!(
            "Verified: a signed attestation whose signature checks with the key of keyid {keyid}; the evidence below is exactly what was signed."
        ),
        _ => "Not verified: a plain JSON report, which anyone could have edited. For evidence that cannot be edited, sign the scan (scan --sign KEY) and give its attestation with --verify-key PUB.".to_string(),
    }
}

/// What a verdict means, for the legend.
pub fn meaning(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => {
            "a rule that supports the control reported a finding (of any severity); the findings are the evidence"
        }
        Verdict::Incomplete => {
            "no finding, but the evidence has gaps: a target failed or a policy that supports the control errored; not a pass"
        }
        Verdict::Pass => "the supporting rules ran on every scanned target and reported nothing",
        Verdict::NotApplicable => "nothing was scanned (no targets, or all skipped)",
        Verdict::NotAssessed => "no rule of the scan supports the control",
    }
}

/// Why a control is not assessed, and what would change that.
pub fn not_assessed_reason(control: &ControlAssessment) -> String {
    if control.rules.is_empty() {
        format!(
            "no rule of the scan supports it ({} in the benchmark); a rule tagged `cis-docker-1.6:{}` in any policy would",
            control.method.as_str(),
            control.id
        )
    } else {
        let rules: Vec<&str> = control.rules.iter().map(|r| r.id.as_str()).collect();
        format!(
            "every rule that supports it ({}) is turned off by the configuration's ignore.rules",
            rules.join(", ")
        )
    }
}

/// `2 fail, 1 pass`: a control's repositories counted by verdict.
pub fn repository_counts(control: &ControlAssessment) -> String {
    let parts: Vec<String> = Verdict::ALL
        .iter()
        .filter_map(|&verdict| {
            let n = control
                .repositories
                .iter()
                .filter(|r| r.verdict == verdict)
                .count();
            (n > 0).then(|| format!("{n} {}", verdict.label()))
        })
        .collect();
    if parts.is_empty() {
        "no repositories".to_string()
    } else {
        parts.join(", ")
    }
}

/// The one-line summary: `12 controls: 3 fail, 6 pass, 3 not assessed`.
pub fn summary_line(report: &ComplianceReport) -> String {
    let s = &report.summary;
    let parts: Vec<String> = [
        (s.fail, Verdict::Fail),
        (s.incomplete, Verdict::Incomplete),
        (s.pass, Verdict::Pass),
        (s.not_applicable, Verdict::NotApplicable),
        (s.not_assessed, Verdict::NotAssessed),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, verdict)| format!("{n} {}", verdict.label()))
    .collect();
    format!("{} controls: {}", s.controls, parts.join(", "))
}

/// The statement on scope: skipped targets and ignores.
pub const SCOPE_NOTE: &str = "Skipped targets were left out by the scan's configuration and do not change verdicts. Findings silenced by ignore settings or pragmas are not in a scan report; a signed attestation records the configuration's ignores, shown above.";
