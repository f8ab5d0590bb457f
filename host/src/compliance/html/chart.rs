//! The summary chart: one bar per control, split by how many repositories
//! have each verdict, as inline SVG (no script, no external font: the
//! page's own font is inherited).

use std::fmt::Write as _;

use super::{esc, text};
use crate::compliance::model::{ComplianceReport, Verdict};

/// The colour of a verdict; the page's CSS uses the same ones.
pub(super) fn color(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => "#c62828",
        Verdict::Incomplete => "#b26a00",
        Verdict::Pass => "#2e7d32",
        Verdict::NotApplicable => "#78909c",
        Verdict::NotAssessed => "#cfd8dc",
    }
}

const WIDTH: f64 = 1120.0;
/// Labels take the left, up to here.
const BAR_X: f64 = 445.0;
const BAR_WIDTH: f64 = 300.0;
const COUNT_X: f64 = 755.0;
const ROW: f64 = 26.0;
const BAR_HEIGHT: f64 = 17.0;

pub(super) fn render(report: &ComplianceReport, svg: &mut String) {
    let rows = report.controls.len() as f64;
    let legend_y = rows * ROW + 12.0;
    let height = legend_y + 24.0;
    let _ = writeln!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title" font-size="13" font-family="inherit">"#
    );
    let _ = writeln!(
        svg,
        "<title id=\"chart-title\">Verdicts per control: {}</title>",
        esc(&text::summary_line(report))
    );
    for (i, control) in report.controls.iter().enumerate() {
        let y = i as f64 * ROW;
        let middle = y + BAR_HEIGHT / 2.0 + 4.5;
        let _ = writeln!(
            svg,
            r#"<g data-control="{id}" data-verdict="{}"><text x="0" y="{middle}" font-weight="600">{id}</text><text x="38" y="{middle}">{}</text>"#,
            control.verdict.as_str(),
            esc(&control.title),
            id = esc(&control.id),
        );
        if control.verdict == Verdict::NotAssessed {
            let _ = writeln!(
                svg,
                r#"<rect x="{BAR_X}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="{}" rx="2"><title>{} {}: not assessed</title></rect>"#,
                color(Verdict::NotAssessed),
                esc(&control.id),
                esc(&control.title)
            );
            let _ = writeln!(
                svg,
                r##"<text x="{COUNT_X}" y="{middle}" fill="#57606a">not assessed</text></g>"##
            );
            continue;
        }
        let total = control.repositories.len();
        let mut x = BAR_X;
        for verdict in [
            Verdict::Fail,
            Verdict::Incomplete,
            Verdict::Pass,
            Verdict::NotApplicable,
        ] {
            let n = control
                .repositories
                .iter()
                .filter(|r| r.verdict == verdict)
                .count();
            if n == 0 || total == 0 {
                continue;
            }
            let width = BAR_WIDTH * n as f64 / total as f64;
            let _ = writeln!(
                svg,
                r#"<rect x="{x:.1}" y="{y}" width="{width:.1}" height="{BAR_HEIGHT}" fill="{}" data-verdict="{}" data-repositories="{n}"><title>{}: {n} {} {}</title></rect>"#,
                color(verdict),
                verdict.as_str(),
                esc(&control.id),
                if n == 1 { "repository" } else { "repositories" },
                verdict.label()
            );
            x += width;
        }
        let _ = writeln!(
            svg,
            r#"<text x="{COUNT_X}" y="{middle}">{}</text></g>"#,
            esc(&text::repository_counts(control))
        );
    }
    let mut x = 0.0;
    for verdict in Verdict::ALL {
        let _ = writeln!(
            svg,
            r#"<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{}"/><text x="{:.0}" y="{:.0}">{}</text>"#,
            color(verdict),
            x + 17.0,
            legend_y + 11.0,
            verdict.label()
        );
        x += 17.0 + verdict.label().len() as f64 * 7.5 + 24.0;
    }
    svg.push_str("</svg>\n");
}
