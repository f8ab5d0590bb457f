//! The compliance report as one self-contained HTML page: inline CSS, an
//! inline SVG chart, no scripts, fonts or images from elsewhere, and a print
//! stylesheet. Everything from the scan report is escaped: paths and
//! messages are untrusted text.
//!
//! Rows carry `data-*` attributes (control, verdict, rule, path) so that
//! tools and tests can read the page without scraping its wording.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::model::{ComplianceReport, ControlAssessment, SourceKind, Verdict};
use super::text;
use crate::report::text::clean_lines;

mod chart;

/// Escapes text for HTML content and quoted attribute values; control
/// characters (line breaks and tabs excepted) and bidirectional overrides
/// are written as `\u{..}` escapes, as the text report writes them, so that
/// a policy's text can neither reorder what a reader sees nor drive the
/// terminal of whoever prints the file.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean_lines(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The CSS class of a verdict.
pub(super) fn class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => "v-fail",
        Verdict::Incomplete => "v-incomplete",
        Verdict::Pass => "v-pass",
        Verdict::NotApplicable => "v-na",
        Verdict::NotAssessed => "v-none",
    }
}

fn badge(verdict: Verdict) -> String {
    format!(
        r#"<span class="verdict {}">{}</span>"#,
        class(verdict),
        verdict.label()
    )
}

/// A badge for the repository matrix, where a dozen columns must fit a
/// printed page: short words, the full one on hover and in the legend.
fn short_badge(verdict: Verdict) -> String {
    let short = match verdict {
        Verdict::Incomplete => "inc",
        Verdict::NotApplicable => "n/a",
        other => other.label(),
    };
    format!(
        r#"<span class="verdict {}" title="{}">{short}</span>"#,
        class(verdict),
        verdict.label()
    )
}

const STYLE: &str = r#"
:root { --line: #d0d7de; --muted: #57606a; --head: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; max-width: 1180px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
p { margin: .4rem 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .86em; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.path { overflow-wrap: anywhere; min-width: 14rem; }
.verdict { display: inline-block; padding: .05rem .55rem; border-radius: 1rem; font-weight: 600; font-size: .85em;
  color: #fff; white-space: nowrap; }
.v-fail { background: var(--fail); } .v-incomplete { background: var(--incomplete); }
.v-pass { background: var(--pass); } .v-na { background: var(--na); } .v-none { background: var(--none); color: #1f2328; }
.overall { font-size: 1.1rem; margin: .5rem 0 1rem; }
.overall .verdict { font-size: 1rem; padding: .15rem .8rem; }
.source { border-left: 4px solid var(--na); background: var(--head); padding: .5rem .9rem; margin: .75rem 0; }
.source.verified { border-left-color: var(--pass); }
.source.unverified { border-left-color: var(--incomplete); }
.source table { margin: .4rem 0 0; background: #fff; }
.source th { width: 14rem; }
.tiles { display: flex; flex-wrap: wrap; gap: .6rem; margin: .75rem 0; }
.tile { border: 1px solid var(--line); border-top: 5px solid var(--na); border-radius: 6px; padding: .4rem .9rem; min-width: 8.5rem; }
.tile .n { font-size: 1.7rem; font-weight: 700; line-height: 1.2; }
.tile.v-fail, .tile.v-incomplete, .tile.v-pass, .tile.v-na, .tile.v-none { background: #fff; color: #1f2328; }
.tile.v-fail { border-top-color: var(--fail); } .tile.v-incomplete { border-top-color: var(--incomplete); }
.tile.v-pass { border-top-color: var(--pass); } .tile.v-na { border-top-color: var(--na); } .tile.v-none { border-top-color: var(--none); }
figure { margin: .5rem 0 1rem; }
figcaption { color: var(--muted); font-size: .85rem; }
svg.chart { width: 100%; height: auto; display: block; }
.scroll { overflow-x: auto; }
.matrix td.cell { text-align: center; }
.matrix td.cell { padding: .3rem .25rem; }
.matrix td.cell .verdict { font-size: .75em; padding: 0 .4rem; }
.muted { color: var(--muted); }
ul.legend { padding-left: 1.2rem; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  tr, figure, .tile { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  .verdict, .tile, .source, svg, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

pub fn render(report: &ComplianceReport, out: &mut dyn Write) -> io::Result<()> {
    let mut html = String::new();
    // Writing to a String cannot fail; the results are ignored throughout.
    let title = esc(&text::title(report));
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"{} {}\">\n<title>{title}</title>\n<style>:root {{ --fail: {}; --incomplete: {}; --pass: {}; --na: {}; --none: {}; }}{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.tool.name),
        esc(&report.tool.version),
        chart::color(Verdict::Fail),
        chart::color(Verdict::Incomplete),
        chart::color(Verdict::Pass),
        chart::color(Verdict::NotApplicable),
        chart::color(Verdict::NotAssessed),
    );
    header(report, &mut html);
    summary(report, &mut html);
    controls(report, &mut html);
    repositories(report, &mut html);
    evidence(report, &mut html);
    gaps(report, &mut html);
    excluded(report, &mut html);
    not_assessed(report, &mut html);
    policies(report, &mut html);
    legend(report, &mut html);
    html.push_str("</body>\n</html>\n");
    out.write_all(html.as_bytes())
}

fn header(report: &ComplianceReport, html: &mut String) {
    let source = &report.source;
    let _ = write!(
        html,
        "<header>\n<h1>{}</h1>\n<p class=\"overall\" id=\"overall\" data-verdict=\"{}\">Overall: {} <span class=\"muted\">{}</span></p>\n",
        esc(&text::title(report)),
        report.summary.verdict.as_str(),
        badge(report.summary.verdict),
        esc(&text::summary_line(report))
    );
    let verified = source.keyid.is_some();
    let _ = write!(
        html,
        "<section class=\"source {}\" id=\"source\" data-verified=\"{verified}\">\n<p><strong>{}</strong></p>\n<table>\n",
        if verified { "verified" } else { "unverified" },
        esc(&text::verification(source))
    );
    let kind = match source.kind {
        SourceKind::Report => "JSON report",
        SourceKind::Attestation => "signed attestation",
    };
    let mut row = |name: &str, value: String| {
        let _ = writeln!(html, "<tr><th>{}</th><td>{value}</td></tr>", esc(name));
    };
    row(
        "Evidence",
        format!("<code>{}</code> ({kind})", esc(&source.file)),
    );
    row(
        "Evidence sha256",
        format!("<code>{}</code>", esc(&source.sha256)),
    );
    row(
        "Verified",
        match &source.keyid {
            Some(keyid) => format!("yes, key <code>{}</code>", esc(keyid)),
            None => "<strong>no</strong>".to_string(),
        },
    );
    row(
        "Scanned by",
        esc(&format!(
            "{} {}",
            source.scanned_by.name, source.scanned_by.version
        )),
    );
    row("Scan started", esc(&source.started_at));
    row("Evaluated on", esc(&source.evaluated_on));
    row(
        "Configuration sha256",
        source.config_sha256.as_deref().map_or_else(
            || "not recorded".to_string(),
            |d| format!("<code>{}</code>", esc(d)),
        ),
    );
    if let Some(ignores) = &source.config_ignores {
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_string()
            } else {
                items
                    .iter()
                    .map(|i| format!("<code>{}</code>", esc(i)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        row("Ignored rules", list(&ignores.rules));
        let rule_paths: Vec<String> = ignores
            .rule_paths
            .iter()
            .map(|rp| format!("{} in {}", rp.rule, rp.paths.join(", ")))
            .collect();
        row("Rules ignored under paths", list(&rule_paths));
        row("Ignored paths", list(&ignores.paths));
    }
    row(
        "Report made by",
        esc(&format!("{} {}", report.tool.name, report.tool.version)),
    );
    html.push_str("</table>\n</section>\n</header>\n");
}

fn summary(report: &ComplianceReport, html: &mut String) {
    let s = &report.summary;
    html.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"tiles\">\n");
    for (n, verdict) in [
        (s.fail, Verdict::Fail),
        (s.incomplete, Verdict::Incomplete),
        (s.pass, Verdict::Pass),
        (s.not_applicable, Verdict::NotApplicable),
        (s.not_assessed, Verdict::NotAssessed),
    ] {
        let _ = writeln!(
            html,
            "<div class=\"tile {}\" data-verdict=\"{}\"><div class=\"n\">{n}</div><div>{} {}</div></div>",
            class(verdict),
            verdict.as_str(),
            if n == 1 { "control" } else { "controls" },
            verdict.label()
        );
    }
    html.push_str("</div>\n<figure>\n");
    chart::render(report, html);
    let _ = write!(
        html,
        "<figcaption>Each control's repositories by verdict ({} {}). Grey bars: no rule supports the control.</figcaption>\n</figure>\n</section>\n",
        report.repositories.len(),
        if report.repositories.len() == 1 {
            "repository"
        } else {
            "repositories"
        }
    );
}

fn controls(report: &ComplianceReport, html: &mut String) {
    html.push_str("<section id=\"controls\">\n<h2>Controls</h2>\n<table>\n<thead><tr><th>Control</th><th>Title</th><th>Method</th><th>Supporting rules</th><th>Repositories</th><th class=\"num\">Findings</th><th>Verdict</th></tr></thead>\n<tbody>\n");
    for c in &report.controls {
        let rules = if c.rules.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            c.rules
                .iter()
                .map(|r| {
                    let id = format!(
                        "<code title=\"{}: {}\">{}</code>",
                        esc(&r.policy),
                        esc(&r.title),
                        esc(&r.id)
                    );
                    if r.ignored {
                        format!("<s>{id}</s> (ignored)")
                    } else {
                        id
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let counts = if c.verdict == Verdict::NotAssessed {
            "—".to_string()
        } else {
            esc(&text::repository_counts(c))
        };
        // Controls with evidence, and those not assessed, have a section
        // of their own to link to.
        let id = esc(&c.id);
        let link = if c.evidence.is_empty() && c.verdict != Verdict::NotAssessed {
            id.clone()
        } else {
            format!("<a href=\"#control-{id}\">{id}</a>")
        };
        let _ = writeln!(
            html,
            "<tr data-control=\"{id}\" data-verdict=\"{}\"><td>{link}</td><td>{}</td><td>{}</td><td>{rules}</td><td>{counts}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            c.verdict.as_str(),
            esc(&c.title),
            c.method.as_str(),
            c.evidence.len(),
            badge(c.verdict),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn assessed(report: &ComplianceReport) -> Vec<&ControlAssessment> {
    report
        .controls
        .iter()
        .filter(|c| c.verdict != Verdict::NotAssessed)
        .collect()
}

fn repositories(report: &ComplianceReport, html: &mut String) {
    let assessed = assessed(report);
    html.push_str("<section id=\"repositories\">\n<h2>Repositories</h2>\n<p class=\"muted\">Each repository's verdict per assessed control; inc: incomplete, n/a: not applicable.</p>\n<div class=\"scroll\">\n<table class=\"matrix\">\n<thead><tr><th>Repository</th><th>Commit</th><th class=\"num\">Scanned</th><th class=\"num\">Skipped</th><th class=\"num\">Failed</th><th>Verdict</th>");
    for c in &assessed {
        let _ = write!(html, "<th title=\"{}\">{}</th>", esc(&c.title), esc(&c.id));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for (i, r) in report.repositories.iter().enumerate() {
        let name = text::repository_label(r.name.as_deref());
        let commit = r.commit.as_deref().map_or_else(
            || "—".to_string(),
            |c| format!("<code title=\"{}\">{}</code>", esc(c), esc(text::short(c))),
        );
        let _ = write!(
            html,
            "<tr data-repository=\"{}\" data-verdict=\"{}\"><td>{}</td><td>{commit}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>",
            esc(name),
            r.verdict.as_str(),
            esc(name),
            r.scanned,
            r.skipped,
            r.failed,
            badge(r.verdict)
        );
        for c in &assessed {
            match c.repositories.get(i) {
                Some(v) => {
                    let _ = write!(
                        html,
                        "<td class=\"cell\" data-control=\"{}\" data-verdict=\"{}\">{}</td>",
                        esc(&c.id),
                        v.verdict.as_str(),
                        short_badge(v.verdict)
                    );
                }
                None => html.push_str("<td></td>"),
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn evidence(report: &ComplianceReport, html: &mut String) {
    let failing: Vec<&ControlAssessment> = report
        .controls
        .iter()
        .filter(|c| !c.evidence.is_empty())
        .collect();
    if failing.is_empty() {
        return;
    }
    html.push_str("<section id=\"evidence\">\n<h2>Evidence</h2>\n<p class=\"muted\">The findings that fail each control: file and line, the rule, and the sha256 of the policy module that reported it.</p>\n");
    for c in failing {
        let _ = write!(
            html,
            "<h3 id=\"control-{id}\">{id} {} {}</h3>\n<table data-control=\"{id}\">\n<thead><tr><th>Repository</th><th>File</th><th>Rule</th><th>Severity</th><th>Finding</th><th>Policy</th></tr></thead>\n<tbody>\n",
            esc(&c.title),
            badge(c.verdict),
            id = esc(&c.id),
        );
        for e in &c.evidence {
            let line = e.line.map(|l| l.to_string()).unwrap_or_default();
            let _ = writeln!(
                html,
                "<tr data-control=\"{}\" data-rule=\"{}\" data-path=\"{}\" data-line=\"{line}\"><td>{}</td><td class=\"path\"><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{} <code title=\"sha256:{}\">{}</code></td></tr>",
                esc(&c.id),
                esc(&e.rule_id),
                esc(&e.path),
                esc(text::repository_label(e.repository.as_deref())),
                esc(&text::location(&e.path, e.line)),
                esc(&e.rule_id),
                e.severity.as_str(),
                esc(&e.message),
                esc(&e.policy),
                esc(&e.policy_sha256),
                esc(text::short(&e.policy_sha256)),
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</section>\n");
}

fn gaps(report: &ComplianceReport, html: &mut String) {
    if report.gaps.is_empty() {
        return;
    }
    html.push_str("<section id=\"gaps\">\n<h2>Incomplete evidence</h2>\n<p class=\"muted\">What kept controls from being judged on every target; the controls listed cannot pass in the repository.</p>\n<table>\n<thead><tr><th>Repository</th><th>File</th><th>Policy</th><th>Kind</th><th>Reason</th><th>Controls</th></tr></thead>\n<tbody>\n");
    for g in &report.gaps {
        let repository = match &g.path {
            Some(_) => esc(text::repository_label(g.repository.as_deref())),
            None => "every repository".to_string(),
        };
        let _ = writeln!(
            html,
            "<tr data-kind=\"{}\" data-path=\"{}\"><td>{repository}</td><td class=\"path\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&g.kind),
            esc(g.path.as_deref().unwrap_or("")),
            g.path
                .as_deref()
                .map_or_else(|| "—".to_string(), |p| format!("<code>{}</code>", esc(p))),
            esc(g.policy.as_deref().unwrap_or("—")),
            esc(&g.kind),
            esc(&g.message),
            esc(&g.controls.join(", ")),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn excluded(report: &ComplianceReport, html: &mut String) {
    if report.excluded.is_empty() {
        return;
    }
    html.push_str("<section id=\"excluded\">\n<h2>Excluded targets</h2>\n<table>\n<thead><tr><th>Repository</th><th>File</th><th>Reason</th></tr></thead>\n<tbody>\n");
    for t in &report.excluded {
        let _ = writeln!(
            html,
            "<tr data-path=\"{}\"><td>{}</td><td class=\"path\"><code>{}</code></td><td>{}</td></tr>",
            esc(&t.path),
            esc(text::repository_label(t.repository.as_deref())),
            esc(&t.path),
            esc(t.reason.as_deref().unwrap_or("—")),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn not_assessed(report: &ComplianceReport, html: &mut String) {
    let list: Vec<&ControlAssessment> = report
        .controls
        .iter()
        .filter(|c| c.verdict == Verdict::NotAssessed)
        .collect();
    if list.is_empty() {
        return;
    }
    html.push_str("<section id=\"not-assessed\">\n<h2>Not assessed</h2>\n<ul>\n");
    for c in list {
        let _ = writeln!(
            html,
            "<li id=\"control-{id}\" data-control=\"{id}\"><strong>{id}</strong> {}: <span class=\"muted\">{}</span></li>",
            esc(&c.title),
            esc(&text::not_assessed_reason(c)),
            id = esc(&c.id),
        );
    }
    html.push_str("</ul>\n</section>\n");
}

fn policies(report: &ComplianceReport, html: &mut String) {
    html.push_str("<section id=\"policies\">\n<h2>Policies</h2>\n<table>\n<thead><tr><th>Policy</th><th>Version</th><th>sha256</th><th>Built in</th></tr></thead>\n<tbody>\n");
    for p in &report.policies {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"path\"><code>{}</code></td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.version),
            esc(&p.sha256),
            if p.builtin { "yes" } else { "no" }
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn legend(report: &ComplianceReport, html: &mut String) {
    if !report.notes.is_empty() {
        html.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        for note in &report.notes {
            let _ = writeln!(html, "<li>{}</li>", esc(note));
        }
        html.push_str("</ul>\n</section>\n");
    }
    html.push_str(
        "<section id=\"legend\">\n<h2>How to read this report</h2>\n<ul class=\"legend\">\n",
    );
    for v in Verdict::ALL {
        let _ = writeln!(html, "<li>{}: {}</li>", badge(v), esc(text::meaning(v)));
    }
    let _ = write!(
        html,
        "</ul>\n<p class=\"muted\">{}</p>\n</section>\n",
        esc(text::SCOPE_NOTE)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_character_that_could_become_markup() {
        assert_eq!(
            esc(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
        assert_eq!(esc("plain/path:12"), "plain/path:12");
    }

    #[test]
    fn escapes_terminal_control_and_bidi_overrides() {
        assert_eq!(
            esc("a\u{1b}]0;title\u{7}b\u{202E}c"),
            "a\\u{1b}]0;title\\u{7}b\\u{202e}c"
        );
        assert_eq!(esc("line\nbreak\ttab"), "line\nbreak\ttab");
    }
}
