//! The compliance report as GitHub-flavoured Markdown: headings and pipe
//! tables. Everything from the scan report (paths, messages) is untrusted
//! and escaped, so it renders as the text it is and never as markup.

use std::io::{self, Write};

use super::model::{ComplianceReport, SourceKind, Verdict};
use super::text;
use crate::report::text::clean_inline;

pub fn render(report: &ComplianceReport, out: &mut dyn Write) -> io::Result<()> {
    let mut md = String::new();
    header(report, &mut md);
    controls(report, &mut md);
    repositories(report, &mut md);
    evidence(report, &mut md);
    gaps(report, &mut md);
    excluded(report, &mut md);
    not_assessed(report, &mut md);
    policies(report, &mut md);
    legend(report, &mut md);
    out.write_all(md.as_bytes())
}

/// A verdict as a table cell: a symbol for the eye and the word for
/// readers, screen readers and search.
fn verdict(verdict: Verdict) -> String {
    let symbol = match verdict {
        Verdict::Fail => "❌",
        Verdict::Incomplete => "⚠️",
        Verdict::Pass => "✅",
        Verdict::NotApplicable => "➖",
        Verdict::NotAssessed => "⚪",
    };
    format!("{symbol} {}", verdict.label())
}

/// Escapes text for a table cell (or any inline context): Markdown's
/// punctuation gets a backslash, `|` too (it ends cells), `&` becomes an
/// entity, line breaks become `<br>`, the only way to keep a cell on one
/// table row, and control characters and bidirectional overrides are
/// written as `\u{..}` escapes (as the text report writes them), so that
/// the file shown in a terminal or an editor reads as it renders.
fn cell(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            escaped.push_str("<br>");
        }
        for c in clean_inline(line).chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                // `$` starts math and `@` a mention on GitHub.
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '$'
                | '@' => {
                    escaped.push('\\');
                    escaped.push(c);
                }
                _ => escaped.push(c),
            }
        }
    }
    escaped
}

/// Code spans for digests and ids, which are hex and word characters; any
/// other text goes through [`cell`].
fn code(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
        && !text.is_empty()
    {
        format!("`{text}`")
    } else {
        cell(text)
    }
}

fn table(md: &mut String, headers: &[&str], align_right: &[usize], rows: &[Vec<String>]) {
    md.push('|');
    for h in headers {
        md.push_str(&format!(" {h} |"));
    }
    md.push_str("\n|");
    for i in 0..headers.len() {
        md.push_str(if align_right.contains(&i) {
            "---:|"
        } else {
            "---|"
        });
    }
    md.push('\n');
    for row in rows {
        md.push('|');
        for value in row {
            md.push_str(&format!(" {value} |"));
        }
        md.push('\n');
    }
    md.push('\n');
}

fn header(report: &ComplianceReport, md: &mut String) {
    let source = &report.source;
    md.push_str(&format!("# {}\n\n", cell(&text::title(report))));
    md.push_str(&format!(
        "**Verdict: {}**. {}.\n\n",
        verdict(report.summary.verdict),
        cell(&text::summary_line(report))
    ));
    md.push_str(&format!("{}\n\n", cell(&text::verification(source))));
    let kind = match source.kind {
        SourceKind::Report => "JSON report",
        SourceKind::Attestation => "signed attestation",
    };
    let mut rows = vec![
        vec![
            "Evidence".to_string(),
            format!("{} ({kind})", cell(&source.file)),
        ],
        vec!["Evidence sha256".to_string(), code(&source.sha256)],
        vec![
            "Verified".to_string(),
            match &source.keyid {
                Some(keyid) => format!("yes, key {}", code(keyid)),
                None => "**no**".to_string(),
            },
        ],
        vec![
            "Scanned by".to_string(),
            cell(&format!(
                "{} {}",
                source.scanned_by.name, source.scanned_by.version
            )),
        ],
        vec!["Scan started".to_string(), cell(&source.started_at)],
        vec!["Evaluated on".to_string(), cell(&source.evaluated_on)],
        vec![
            "Configuration sha256".to_string(),
            source
                .config_sha256
                .as_deref()
                .map_or_else(|| "not recorded".to_string(), code),
        ],
    ];
    if let Some(ignores) = &source.config_ignores {
        let rule_paths: Vec<String> = ignores
            .rule_paths
            .iter()
            .map(|rp| format!("{} in {}", rp.rule, rp.paths.join(", ")))
            .collect();
        rows.push(vec![
            "Ignored rules".to_string(),
            none_or(&ignores.rules.join(", ")),
        ]);
        rows.push(vec![
            "Rules ignored under paths".to_string(),
            none_or(&rule_paths.join("; ")),
        ]);
        rows.push(vec![
            "Ignored paths".to_string(),
            none_or(&ignores.paths.join(", ")),
        ]);
    }
    rows.push(vec![
        "Report made by".to_string(),
        cell(&format!("{} {}", report.tool.name, report.tool.version)),
    ]);
    table(md, &["", ""], &[], &rows);
}

fn none_or(text: &str) -> String {
    if text.is_empty() {
        "none".to_string()
    } else {
        cell(text)
    }
}

fn controls(report: &ComplianceReport, md: &mut String) {
    md.push_str("## Controls\n\n");
    let rows: Vec<Vec<String>> = report
        .controls
        .iter()
        .map(|c| {
            let rules: Vec<String> = c
                .rules
                .iter()
                .map(|r| {
                    if r.ignored {
                        format!("~~{}~~ (ignored)", cell(&r.id))
                    } else {
                        cell(&r.id)
                    }
                })
                .collect();
            vec![
                format!("**{}**", cell(&c.id)),
                cell(&c.title),
                c.method.as_str().to_string(),
                verdict(c.verdict),
                if c.verdict == Verdict::NotAssessed {
                    "—".to_string()
                } else {
                    cell(&text::repository_counts(c))
                },
                c.evidence.len().to_string(),
                if rules.is_empty() {
                    "none".to_string()
                } else {
                    rules.join(", ")
                },
            ]
        })
        .collect();
    table(
        md,
        &[
            "Control",
            "Title",
            "Method",
            "Verdict",
            "Repositories",
            "Findings",
            "Rules",
        ],
        &[5],
        &rows,
    );
}

fn repositories(report: &ComplianceReport, md: &mut String) {
    md.push_str("## Repositories\n\n");
    let assessed: Vec<&super::model::ControlAssessment> = report
        .controls
        .iter()
        .filter(|c| c.verdict != Verdict::NotAssessed)
        .collect();
    let mut headers: Vec<String> = [
        "Repository",
        "Commit",
        "Scanned",
        "Skipped",
        "Failed",
        "Verdict",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    headers.extend(assessed.iter().map(|c| cell(&c.id)));
    let rows: Vec<Vec<String>> = report
        .repositories
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                cell(text::repository_label(r.name.as_deref())),
                r.commit
                    .as_deref()
                    .map_or_else(|| "—".to_string(), |c| code(text::short(c))),
                r.scanned.to_string(),
                r.skipped.to_string(),
                r.failed.to_string(),
                verdict(r.verdict),
            ];
            row.extend(assessed.iter().map(|c| {
                c.repositories
                    .get(i)
                    .map_or_else(String::new, |v| verdict(v.verdict))
            }));
            row
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    table(md, &header_refs, &[2, 3, 4], &rows);
}

fn evidence(report: &ComplianceReport, md: &mut String) {
    let failing: Vec<_> = report
        .controls
        .iter()
        .filter(|c| !c.evidence.is_empty())
        .collect();
    if failing.is_empty() {
        return;
    }
    md.push_str("## Evidence\n\n");
    for control in failing {
        md.push_str(&format!(
            "### {} {}: {}\n\n",
            cell(&control.id),
            cell(&control.title),
            verdict(control.verdict)
        ));
        let rows: Vec<Vec<String>> = control
            .evidence
            .iter()
            .map(|e| {
                vec![
                    cell(text::repository_label(e.repository.as_deref())),
                    cell(&text::location(&e.path, e.line)),
                    cell(&e.rule_id),
                    e.severity.as_str().to_string(),
                    cell(&e.message),
                    format!(
                        "{} {}",
                        cell(&e.policy),
                        code(text::short(&e.policy_sha256))
                    ),
                ]
            })
            .collect();
        table(
            md,
            &[
                "Repository",
                "File",
                "Rule",
                "Severity",
                "Finding",
                "Policy",
            ],
            &[],
            &rows,
        );
    }
}

fn gaps(report: &ComplianceReport, md: &mut String) {
    if report.gaps.is_empty() {
        return;
    }
    md.push_str("## Incomplete evidence\n\n");
    md.push_str("What kept controls from being judged on every target; the controls listed cannot pass in the repository.\n\n");
    let rows: Vec<Vec<String>> = report
        .gaps
        .iter()
        .map(|g| {
            vec![
                match &g.path {
                    Some(_) => cell(text::repository_label(g.repository.as_deref())),
                    None => "every repository".to_string(),
                },
                g.path.as_deref().map_or_else(|| "—".to_string(), cell),
                g.policy.as_deref().map_or_else(|| "—".to_string(), cell),
                cell(&g.kind),
                cell(&g.message),
                cell(&g.controls.join(", ")),
            ]
        })
        .collect();
    table(
        md,
        &["Repository", "File", "Policy", "Kind", "Reason", "Controls"],
        &[],
        &rows,
    );
}

fn excluded(report: &ComplianceReport, md: &mut String) {
    if report.excluded.is_empty() {
        return;
    }
    md.push_str("## Excluded targets\n\n");
    let rows: Vec<Vec<String>> = report
        .excluded
        .iter()
        .map(|t| {
            vec![
                cell(text::repository_label(t.repository.as_deref())),
                cell(&t.path),
                t.reason.as_deref().map_or_else(|| "—".to_string(), cell),
            ]
        })
        .collect();
    table(md, &["Repository", "File", "Reason"], &[], &rows);
}

fn not_assessed(report: &ComplianceReport, md: &mut String) {
    let list: Vec<_> = report
        .controls
        .iter()
        .filter(|c| c.verdict == Verdict::NotAssessed)
        .collect();
    if list.is_empty() {
        return;
    }
    md.push_str("## Not assessed\n\n");
    for control in list {
        md.push_str(&format!(
            "- **{}** {}: {}\n",
            cell(&control.id),
            cell(&control.title),
            cell(&text::not_assessed_reason(control))
        ));
    }
    md.push('\n');
}

fn policies(report: &ComplianceReport, md: &mut String) {
    md.push_str("## Policies\n\n");
    let rows: Vec<Vec<String>> = report
        .policies
        .iter()
        .map(|p| {
            vec![
                cell(&p.name),
                cell(&p.version),
                code(&p.sha256),
                if p.builtin { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    table(md, &["Policy", "Version", "sha256", "Built in"], &[], &rows);
}

fn legend(report: &ComplianceReport, md: &mut String) {
    if !report.notes.is_empty() {
        md.push_str("## Notes\n\n");
        for note in &report.notes {
            md.push_str(&format!("- {}\n", cell(note)));
        }
        md.push('\n');
    }
    md.push_str("## How to read this report\n\n");
    for v in Verdict::ALL {
        md.push_str(&format!("- {}: {}\n", verdict(v), cell(text::meaning(v))));
    }
    md.push_str(&format!("\n{}\n", cell(text::SCOPE_NOTE)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_markup_and_keep_to_one_row() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("<script>"), "\\<script\\>");
        assert_eq!(cell("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(
            cell("**bold** _it_ `c`"),
            "\\*\\*bold\\*\\* \\_it\\_ \\`c\\`"
        );
        assert_eq!(cell("one\ntwo"), "one<br>two");
        assert_eq!(cell("&lt;"), "&amp;lt;");
        assert_eq!(code("abc123"), "`abc123`");
        assert_eq!(code("a`b"), "a\\`b");
    }

    #[test]
    fn cells_escape_terminal_control_and_bidi_overrides() {
        // The escape's backslash is itself escaped: it renders as `\u{1b}`.
        assert_eq!(cell("red\u{1b}[31m"), "red\\\\u{1b}\\[31m");
        assert_eq!(cell("a\u{7}b\rc"), "a\\\\u{7}b\\\\u{d}c");
        assert_eq!(cell("x\u{202E}y\u{2066}z"), "x\\\\u{202e}y\\\\u{2066}z");
        assert_eq!(cell("one\r\ntwo"), "one<br>two");
    }
}
