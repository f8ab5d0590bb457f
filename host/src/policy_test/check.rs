//! Comparing what a policy reported on a case with what the case expects.

use tallyman_dockerfile::model::Finding;

use super::cases::{Absent, Expectation, ExpectedFinding};

/// One difference between the expectation and the findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// An expected finding was not reported.
    Missing(ExpectedFinding),
    /// A finding of a rule the case pins down exactly, that it did not list.
    Unexpected(Finding),
    /// A finding the case lists under `absent`.
    Forbidden { absent: Absent, finding: Finding },
}

/// The first line of a finding, if it has a span.
pub fn line_of(finding: &Finding) -> Option<u32> {
    finding.span.map(|span| span.start_line)
}

fn matches(expected: &ExpectedFinding, finding: &Finding) -> bool {
    finding.rule_id == expected.rule
        && expected
            .line
            .is_none_or(|line| line_of(finding) == Some(line))
        && expected
            .message
            .as_deref()
            .is_none_or(|part| finding.message.contains(part))
}

/// Every mismatch, in a stable order: missing, unexpected, forbidden.
///
/// Expected findings are matched one to one, most specific first (those
/// with a line and a message before those without), so that a vague
/// expectation does not take the finding a precise one needs.
pub fn compare(expectation: &Expectation, findings: &[Finding]) -> Vec<Mismatch> {
    let mut order: Vec<&ExpectedFinding> = expectation.findings.iter().collect();
    order.sort_by_key(|e| (e.line.is_none(), e.message.is_none()));
    let mut taken = vec![false; findings.len()];
    let mut mismatches = Vec::new();
    let mut missing = Vec::new();
    for expected in order {
        let found = findings
            .iter()
            .zip(taken.iter_mut())
            .find(|(finding, taken)| !**taken && matches(expected, finding));
        match found {
            Some((_, taken)) => *taken = true,
            None => missing.push(expected.clone()),
        }
    }
    // Report missing ones in the order the case lists them.
    missing.sort_by_key(|m| {
        expectation
            .findings
            .iter()
            .position(|e| e == m)
            .unwrap_or(usize::MAX)
    });
    mismatches.extend(missing.into_iter().map(Mismatch::Missing));
    for (finding, taken) in findings.iter().zip(&taken) {
        if !taken && expectation.exact_rules.contains(&finding.rule_id) {
            mismatches.push(Mismatch::Unexpected(finding.clone()));
        }
    }
    for absent in &expectation.absent {
        for finding in findings {
            let same_line = absent
                .line
                .is_none_or(|line| line_of(finding) == Some(line));
            if finding.rule_id == absent.rule && same_line {
                mismatches.push(Mismatch::Forbidden {
                    absent: absent.clone(),
                    finding: finding.clone(),
                });
            }
        }
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallyman_dockerfile::model::Span;

    fn finding(rule: &str, line: u32, message: &str) -> Finding {
        Finding {
            rule_id: rule.to_string(),
            message: message.to_string(),
            span: Some(Span {
                start_line: line,
                start_column: 1,
                end_line: line,
                end_column: 0,
            }),
            stage: None,
            fix: None,
            severity: None,
            autofix: None,
        }
    }

    fn expected(rule: &str, line: Option<u32>, message: Option<&str>) -> ExpectedFinding {
        ExpectedFinding {
            rule: rule.to_string(),
            line,
            message: message.map(str::to_string),
        }
    }

    #[test]
    fn exact_rules_flag_extras_and_other_rules_are_ignored() {
        let expectation = Expectation {
            findings: vec![expected("A1", Some(2), Some("base"))],
            absent: vec![],
            exact_rules: vec!["A1".into()],
        };
        let findings = [
            finding("A1", 2, "the base image"),
            finding("A1", 3, "again"),
            finding("B2", 1, "other rule"),
        ];
        assert_eq!(
            compare(&expectation, &findings),
            vec![Mismatch::Unexpected(findings[1].clone())]
        );
    }

    #[test]
    fn message_substring_and_line_must_both_match() {
        let expectation = Expectation {
            findings: vec![expected("A1", Some(2), Some("nope"))],
            absent: vec![],
            exact_rules: vec!["A1".into()],
        };
        let findings = [finding("A1", 2, "the base image")];
        let mismatches = compare(&expectation, &findings);
        assert_eq!(mismatches.len(), 2, "{mismatches:?}");
        assert!(matches!(mismatches[0], Mismatch::Missing(_)));
        assert!(matches!(mismatches[1], Mismatch::Unexpected(_)));
    }

    #[test]
    fn a_vague_expectation_does_not_steal_a_precise_match() {
        let expectation = Expectation {
            findings: vec![expected("A1", None, None), expected("A1", Some(3), None)],
            absent: vec![],
            exact_rules: vec!["A1".into()],
        };
        let findings = [finding("A1", 3, "x"), finding("A1", 5, "y")];
        assert!(compare(&expectation, &findings).is_empty());
    }

    #[test]
    fn absent_findings_fail_on_their_line_or_anywhere() {
        let expectation = Expectation {
            findings: vec![],
            absent: vec![
                Absent {
                    rule: "A1".into(),
                    line: Some(4),
                },
                Absent {
                    rule: "B2".into(),
                    line: None,
                },
            ],
            exact_rules: vec![],
        };
        let findings = [finding("A1", 3, "x"), finding("B2", 9, "y")];
        let mismatches = compare(&expectation, &findings);
        assert_eq!(mismatches.len(), 1, "{mismatches:?}");
        assert!(
            matches!(&mismatches[0], Mismatch::Forbidden { finding, .. } if finding.rule_id == "B2")
        );
    }
}
