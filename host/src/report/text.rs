//! The human-readable report, modelled on rustc's and ruff's diagnostics:
//! findings grouped by file, each with a header (severity, rule id,
//! message), its location, a source snippet with the offending lines marked
//! and the fix when there is one; then errors; then a summary.
//!
//! ```text
//! services/api/Dockerfile (1 finding)
//! medium[BI001]: Image `golang:latest` uses the `latest` tag
//!  --> services/api/Dockerfile:2:6 (stage build)
//!   |
//! 1 | # syntax=docker/dockerfile:1
//! 2 | FROM golang:latest AS build
//!   |      ^^^^^^^^^^^^^^^^^^^^^^
//! 3 | WORKDIR /src
//!   |
//!   = fix: Pin a version, e.g. `golang:1.23`
//! ```
//!
//! A single-line finding is underlined with carets from its column (or its
//! first non-blank character) to the end of the line; a finding over several
//! lines has `>` instead of `|` in the gutter of each of its lines.
//!
//! Skipped targets are only counted in the summary (a monorepo may skip
//! thousands; the JSON report lists each with its reason); failed targets
//! are listed with the errors.
//!
//! Text from policies and files is untrusted: control characters and
//! bidirectional overrides are escaped (in messages) or replaced (in source
//! lines) so that a report cannot drive the terminal.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};
use unicode_width::UnicodeWidthChar;

use super::{
    DirectoriesLeftOut, RenderOptions, Report, ReportError, ReportFinding, SeverityName, Target,
    TargetStatus,
};

/// Lines of context shown before and after the offending lines.
const CONTEXT_LINES: u32 = 1;
/// A span longer than this many lines shows its head and tail only.
const MAX_SPAN_LINES: u32 = 8;
/// Lines shown from the start of a long span (the last line is shown too).
const SPAN_HEAD_LINES: u32 = 5;
/// Source lines are cut at this display width.
const MAX_LINE_WIDTH: usize = 160;
/// How a tab in a source line is shown.
const TAB: &str = "    ";

/// Writes the text report. Expects a [finalized](Report::finalize) report
/// (findings of one file are then adjacent).
pub fn write_text(
    report: &Report,
    out: &mut dyn Write,
    options: &RenderOptions<'_>,
) -> io::Result<()> {
    let palette = Palette::new(options.color);
    let titles: HashMap<&str, &str> = report
        .policies
        .iter()
        .flat_map(|p| p.rules.iter())
        .map(|rule| (rule.id.as_str(), rule.title.as_str()))
        .collect();
    let mut out = io::BufWriter::new(out);
    let mut text = String::new();

    for group in report.findings.chunk_by(|a, b| a.path == b.path) {
        let Some(first) = group.first() else {
            continue;
        };
        let source = options.source_of(&first.path);
        let lines: Option<Vec<&str>> = source.as_deref().map(split_lines);
        let count = plural(group.len(), "finding", "findings");
        let _ = writeln!(
            text,
            "{} {}",
            palette.paint(palette.path, &clean_inline(&first.path)),
            palette.paint(palette.dim, &format!("({count})"))
        );
        for finding in group {
            let title = titles.get(&*finding.rule_id).copied();
            render_finding(&mut text, finding, title, lines.as_deref(), &palette);
            text.push('\n');
        }
        // One file at a time: the report of a large scan is never held whole.
        out.write_all(text.as_bytes())?;
        text.clear();
    }

    render_problems(&mut text, report, &palette);
    render_summary(&mut text, report, &palette);
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn render_finding(
    text: &mut String,
    finding: &ReportFinding,
    title: Option<&str>,
    lines: Option<&[&str]>,
    palette: &Palette,
) {
    let severity_style = palette.severity(finding.severity);
    // A policy may return an empty message: the rule's title says enough.
    let message = if finding.message.trim().is_empty() {
        title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or("(no message)")
    } else {
        &finding.message
    };
    let mut message_lines = message.split('\n');
    let first_line = message_lines.next().unwrap_or_default();
    let _ = writeln!(
        text,
        "{}{}: {}",
        palette.paint(severity_style, finding.severity.as_str()),
        palette.paint(
            palette.bold,
            &format!("[{}]", clean_inline(&finding.rule_id))
        ),
        palette.paint(palette.bold, &clean_inline(first_line)),
    );
    for continuation in message_lines {
        let _ = writeln!(text, "    {}", clean_inline(continuation));
    }

    let span = Span::of(finding);
    let snippet = span.and_then(|span| lines.and_then(|lines| Snippet::new(span, lines)));
    let gutter_width = snippet.as_ref().map_or(1, Snippet::gutter_width);
    let pad = " ".repeat(gutter_width);

    let mut location = clean_inline(&finding.path).into_owned();
    if let Some(span) = span {
        let _ = write!(location, ":{}", span.start);
        if let Some(column) = finding.column.filter(|&c| c > 0) {
            let _ = write!(location, ":{column}");
        }
    }
    if let Some(stage) = &finding.stage {
        let _ = write!(location, " (stage {})", clean_inline(stage));
    }
    let _ = writeln!(
        text,
        "{pad}{} {location}",
        palette.paint(palette.gutter, "-->")
    );

    if let Some(snippet) = snippet {
        snippet.render(text, finding.column, severity_style, palette);
    }

    if let Some(fix) = &finding.fix {
        let mut fix_lines = fix.split('\n');
        let _ = writeln!(
            text,
            "{pad} {} {}{}",
            palette.paint(palette.gutter, "="),
            palette.paint(palette.bold, "fix: "),
            clean_inline(fix_lines.next().unwrap_or_default())
        );
        for continuation in fix_lines {
            let _ = writeln!(text, "{pad}        {}", clean_inline(continuation));
        }
    }
}

/// The lines a finding covers, 1-based and inclusive.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(finding: &ReportFinding) -> Option<Span> {
        let start = finding.line.filter(|&line| line > 0)?;
        let end = finding
            .end_line
            .filter(|&end| end >= start)
            .unwrap_or(start);
        Some(Span { start, end })
    }

    fn is_single_line(self) -> bool {
        self.start == self.end
    }
}

/// The source lines to show for one finding.
struct Snippet<'a> {
    span: Span,
    /// (line number, text) of every line shown, in order; `None` marks the
    /// elided middle of a long span.
    rows: Vec<Option<(u32, &'a str)>>,
}

impl<'a> Snippet<'a> {
    /// `None` when the span starts past the end of the file.
    fn new(span: Span, lines: &[&'a str]) -> Option<Snippet<'a>> {
        let line_count = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        if span.start > line_count {
            return None;
        }
        let span = Span {
            start: span.start,
            end: span.end.min(line_count),
        };
        let first = span.start.saturating_sub(CONTEXT_LINES).max(1);
        let last = span.end.saturating_add(CONTEXT_LINES).min(line_count);
        let long_span = span.end - span.start >= MAX_SPAN_LINES;
        let head_end = span.start.saturating_add(SPAN_HEAD_LINES - 1);
        let mut rows = Vec::new();
        for number in first..=last {
            if long_span && number > head_end && number < span.end {
                if number == head_end.saturating_add(1) {
                    rows.push(None);
                }
                continue;
            }
            let index = usize::try_from(number - 1).ok();
            if let Some(line) = index.and_then(|i| lines.get(i)) {
                rows.push(Some((number, *line)));
            }
        }
        Some(Snippet { span, rows })
    }

    fn gutter_width(&self) -> usize {
        let last = self
            .rows
            .iter()
            .flatten()
            .map(|(n, _)| *n)
            .max()
            .unwrap_or(1);
        last.to_string().len()
    }

    fn render(&self, text: &mut String, column: Option<u32>, mark: Style, palette: &Palette) {
        let width = self.gutter_width();
        let pad = " ".repeat(width);
        let bar = palette.paint(palette.gutter, "|");
        let _ = writeln!(text, "{pad} {bar}");
        for row in &self.rows {
            let Some((number, line)) = row else {
                let _ = writeln!(text, "{}", palette.paint(palette.gutter, "..."));
                continue;
            };
            let in_span = (self.span.start..=self.span.end).contains(number);
            let display = DisplayLine::new(line);
            let separator = if in_span && !self.span.is_single_line() {
                palette.paint(mark, ">")
            } else {
                bar.clone()
            };
            let number_text = palette.paint(palette.gutter, &format!("{number:>width$}"));
            if display.text.is_empty() {
                let _ = writeln!(text, "{number_text} {separator}");
            } else {
                let _ = writeln!(text, "{number_text} {separator} {}", display.text);
            }
            if in_span && self.span.is_single_line() {
                let (offset, length) = display.underline(line, column);
                let carets = "^".repeat(length);
                let _ = writeln!(
                    text,
                    "{pad} {bar} {}{}",
                    " ".repeat(offset),
                    palette.paint(mark, &carets)
                );
            }
        }
        let _ = writeln!(text, "{pad} {bar}");
    }
}

/// A source line made safe and bounded for a terminal, with the display
/// column at which each of its characters starts.
struct DisplayLine {
    text: String,
    /// `starts[i]` is the display column of character `i`; one extra entry
    /// holds the width of the whole (shown) line.
    starts: Vec<usize>,
}

impl DisplayLine {
    fn new(line: &str) -> DisplayLine {
        let mut text = String::new();
        let mut starts = Vec::new();
        let mut width = 0usize;
        for ch in line.chars() {
            let (shown, shown_width): (Cow<'static, str>, usize) = if ch == '\t' {
                (Cow::Borrowed(TAB), TAB.len())
            } else if is_unsafe_for_terminal(ch) {
                (Cow::Borrowed("\u{FFFD}"), 1)
            } else {
                (Cow::Owned(ch.to_string()), ch.width().unwrap_or(0))
            };
            if width + shown_width > MAX_LINE_WIDTH {
                text.push('…');
                break;
            }
            starts.push(width);
            text.push_str(&shown);
            width += shown_width;
        }
        starts.push(width);
        DisplayLine { text, starts }
    }

    /// The display offset and width of the carets under `line`: from the
    /// finding's column (1-based, in characters) when it falls inside the
    /// line, else from the first non-blank character, to the last non-blank
    /// character. Always at least one caret.
    fn underline(&self, line: &str, column: Option<u32>) -> (usize, usize) {
        let chars: Vec<char> = line.chars().collect();
        let first_non_blank = chars.iter().position(|c| !c.is_whitespace()).unwrap_or(0);
        let end = chars
            .iter()
            .rposition(|c| !c.is_whitespace())
            .map_or(0, |i| i + 1);
        let start = column
            .and_then(|c| usize::try_from(c).ok())
            .and_then(|c| c.checked_sub(1))
            .filter(|&c| c < chars.len())
            .unwrap_or(first_non_blank);
        let shown_width = self.starts.last().copied().unwrap_or(0);
        let offset = self.column_of(start).min(shown_width);
        let end_column = self.column_of(end).min(shown_width);
        (offset, end_column.saturating_sub(offset).max(1))
    }

    fn column_of(&self, char_index: usize) -> usize {
        self.starts
            .get(char_index)
            .or(self.starts.last())
            .copied()
            .unwrap_or(0)
    }
}

/// Errors and targets that could not be scanned.
fn render_problems(text: &mut String, report: &Report, palette: &Palette) {
    let failed: Vec<&Target> = report
        .targets
        .iter()
        .filter(|t| t.status == TargetStatus::Failed)
        .collect();
    for error in &report.errors {
        render_error(text, error, palette);
    }
    for target in &failed {
        let reason = target.reason.as_deref().unwrap_or("no reason given");
        let _ = writeln!(
            text,
            "{}: {}: {}",
            palette.paint(palette.error, "failed"),
            clean_inline(&target.path),
            clean_inline(reason)
        );
    }
    if !report.errors.is_empty() || !failed.is_empty() {
        text.push('\n');
    }
}

fn render_error(text: &mut String, error: &ReportError, palette: &Palette) {
    let mut location = Vec::new();
    if let Some(path) = &error.path {
        location.push(clean_inline(path).into_owned());
    }
    if let Some(policy) = &error.policy {
        location.push(format!("policy `{}`", clean_inline(policy)));
    }
    let mut message_lines = error.message.split('\n');
    let mut line = format!(
        "{}{}: ",
        palette.paint(palette.error, "error"),
        palette.paint(palette.bold, &format!("[{}]", clean_inline(&error.kind)))
    );
    for part in &location {
        let _ = write!(line, "{part}: ");
    }
    line.push_str(&clean_inline(message_lines.next().unwrap_or_default()));
    let _ = writeln!(text, "{line}");
    for continuation in message_lines {
        let _ = writeln!(text, "    {}", clean_inline(continuation));
    }
}

/// One line per repository when the report covers several.
fn render_repositories(text: &mut String, report: &Report, palette: &Palette) {
    if report.repositories.len() < 2 {
        return;
    }
    let _ = writeln!(text, "{}:", palette.paint(palette.bold, "Repositories"));
    let width = report
        .repositories
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for repository in &report.repositories {
        let summary = &repository.summary;
        let commit = repository
            .commit
            .as_deref()
            .map(|c| format!(" @ {}", &c[..c.len().min(12)]))
            .unwrap_or_default();
        let verdict = match summary.verdict {
            super::Verdict::Fail => palette.paint(palette.error, "fail"),
            super::Verdict::Pass => palette.paint(palette.pass, "pass"),
        };
        let errors = report
            .errors
            .iter()
            .filter_map(|e| e.path.as_deref())
            .filter(|path| {
                *path == repository.path
                    || path
                        .strip_prefix(repository.path.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .count();
        let errors = if errors > 0 {
            format!(", {}", plural(errors, "error", "errors"))
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  {verdict}  {:width$}{commit}  {}, {}{errors}",
            clean_inline(&repository.name),
            plural(summary.targets, "target", "targets"),
            plural(summary.findings, "finding", "findings"),
        );
    }
    let _ = writeln!(text);
}

fn render_summary(text: &mut String, report: &Report, palette: &Palette) {
    render_repositories(text, report, palette);
    let summary = report.compute_summary();
    let by_severity: Vec<String> = SeverityName::ALL
        .iter()
        .rev()
        .map(|&severity| {
            let count = summary.by_severity.get(severity);
            let label = format!("{count} {}", severity.as_str());
            if count > 0 {
                palette.paint(palette.severity(severity), &label)
            } else {
                label
            }
        })
        .collect();
    let mut line = format!(
        "{}: {} ({}) in {} ({} scanned, {} skipped, {} failed)",
        palette.paint(palette.bold, "Summary"),
        plural(summary.findings, "finding", "findings"),
        by_severity.join(", "),
        plural(summary.targets, "target", "targets"),
        summary.scanned,
        summary.skipped,
        summary.failed,
    );
    if !report.errors.is_empty() {
        let _ = write!(line, ", {}", plural(report.errors.len(), "error", "errors"));
    }
    let _ = write!(line, ", {}", format_duration(report.run.duration_ms));
    if let Some(shard) = report.run.shard {
        let _ = write!(line, ", shard {shard}");
    }
    let _ = writeln!(text, "{line}");
    render_left_out(text, report, palette);

    let fail_on = report.run.fail_on;
    let at_or_above = report
        .findings
        .iter()
        .filter(|f| f.severity >= fail_on)
        .count();
    let verdict = match summary.verdict {
        super::Verdict::Fail => format!(
            "{}: {} at or above {}",
            palette.paint(palette.error, "fail"),
            plural(at_or_above, "finding", "findings"),
            fail_on.as_str()
        ),
        super::Verdict::Pass => format!(
            "{}: no findings at or above {}",
            palette.paint(palette.pass, "pass"),
            fail_on.as_str()
        ),
    };
    let mut line = format!("{}: {verdict}", palette.paint(palette.bold, "Verdict"));
    if report.has_errors() {
        line.push_str("; the scan is incomplete (errors above)");
    }
    let _ = writeln!(text, "{line}");
}

/// The directories discovery did not walk, by why: a scan that says
/// nothing about them reads as if it covered them.
fn render_left_out(text: &mut String, report: &Report, palette: &Palette) {
    let mut left_out = DirectoriesLeftOut::default();
    for repository in &report.repositories {
        left_out.add(&repository.directories_left_out);
    }
    if left_out.total() == 0 {
        return;
    }
    let reasons: Vec<String> = [
        (left_out.vcs_metadata, "version control metadata"),
        (
            left_out.ignore_files,
            "excluded by ignore files (--no-ignore walks them)",
        ),
        (left_out.hidden, "hidden (--no-hidden)"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, why)| format!("{count} {why}"))
    .collect();
    let _ = writeln!(
        text,
        "{}: {}: {}",
        palette.paint(palette.bold, "Not walked"),
        plural(left_out.total(), "directory", "directories"),
        reasons.join(", ")
    );
}

/// `1.25s`, or `340ms` under a second.
fn format_duration(milliseconds: u64) -> String {
    if milliseconds < 1000 {
        format!("{milliseconds}ms")
    } else {
        format!("{}.{:02}s", milliseconds / 1000, (milliseconds % 1000) / 10)
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Splits source text into lines, accepting `\n` and `\r\n` endings (a
/// final line break ends the last line; it does not start another).
fn split_lines(source: &str) -> Vec<&str> {
    source.lines().collect()
}

/// Characters that would let text move the cursor, change colours, or
/// reorder what the reader sees.
fn is_unsafe_for_terminal(ch: char) -> bool {
    ch.is_control()
        || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// One line of untrusted text, with unsafe characters (tabs excepted)
/// written as `\u{..}` escapes.
pub fn clean_inline(text: &str) -> Cow<'_, str> {
    escape_unsafe(text, false)
}

/// Untrusted text of several lines (a rule's documentation, a message),
/// escaped as [`clean_inline`] does but with its line breaks kept.
pub fn clean_lines(text: &str) -> Cow<'_, str> {
    escape_unsafe(text, true)
}

fn escape_unsafe(text: &str, keep_line_breaks: bool) -> Cow<'_, str> {
    let line_break = |c: char| keep_line_breaks && c == '\n';
    let escaped = |c: char| c != '\t' && !line_break(c) && is_unsafe_for_terminal(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut cleaned = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\r' && chars.peek().is_some_and(|&next| line_break(next)) {
            // A CRLF line break is a line break.
            continue;
        }
        if escaped(ch) {
            cleaned.extend(ch.escape_unicode());
        } else {
            cleaned.push(ch);
        }
    }
    Cow::Owned(cleaned)
}

/// Styles, or none at all when colour is off.
struct Palette {
    enabled: bool,
    path: Style,
    bold: Style,
    dim: Style,
    gutter: Style,
    error: Style,
    pass: Style,
}

impl Palette {
    fn new(enabled: bool) -> Palette {
        Palette {
            enabled,
            path: Style::new().bold().underline(),
            bold: Style::new().bold(),
            dim: Style::new().dimmed(),
            gutter: fg(AnsiColor::BrightBlue).bold(),
            error: fg(AnsiColor::Red).bold(),
            pass: fg(AnsiColor::Green).bold(),
        }
    }

    fn severity(&self, severity: SeverityName) -> Style {
        match severity {
            SeverityName::Critical => fg(AnsiColor::Magenta).bold(),
            SeverityName::High => fg(AnsiColor::Red).bold(),
            SeverityName::Medium => fg(AnsiColor::Yellow).bold(),
            SeverityName::Low => fg(AnsiColor::Cyan).bold(),
            SeverityName::Info => fg(AnsiColor::BrightBlack).bold(),
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(Color::Ansi(color)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_starts_at_the_column_and_stops_at_the_last_non_blank() {
        let line = "FROM golang:latest AS build   ";
        let display = DisplayLine::new(line);
        assert_eq!(display.underline(line, Some(6)), (5, 22));
        // Without a column: the whole instruction.
        assert_eq!(display.underline(line, None), (0, 27));
        // A column past the end falls back to the first non-blank.
        assert_eq!(display.underline(line, Some(400)), (0, 27));
    }

    #[test]
    fn tabs_and_wide_characters_keep_the_carets_aligned() {
        let line = "\tRUN echo 日本";
        let display = DisplayLine::new(line);
        assert_eq!(display.text, "    RUN echo 日本");
        // Column 2 is `R`, after the tab (4 columns); 日本 is 4 columns wide.
        assert_eq!(display.underline(line, Some(2)), (4, 13));
    }

    #[test]
    fn escapes_and_replacements_neutralise_terminal_control() {
        assert_eq!(clean_inline("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean_inline("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(DisplayLine::new("a\u{1b}b").text, "a\u{FFFD}b");
        assert_eq!(clean_inline("bell\u{7}\r\n"), "bell\\u{7}\\u{d}\\u{a}");
        assert_eq!(
            clean_lines("one\r\ntwo\u{2066}\rthree\n"),
            "one\ntwo\\u{2066}\\u{d}three\n"
        );
    }

    #[test]
    fn long_lines_are_cut_and_carets_stay_within_them() {
        let line = "RUN ".to_owned() + &"x".repeat(1000);
        let display = DisplayLine::new(&line);
        assert!(display.text.ends_with('…'));
        let (offset, length) = display.underline(&line, Some(900));
        assert!(offset + length <= MAX_LINE_WIDTH + 1);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(0), "0ms");
        assert_eq!(format_duration(999), "999ms");
        assert_eq!(format_duration(1250), "1.25s");
        assert_eq!(format_duration(61_005), "61.00s");
    }
}
