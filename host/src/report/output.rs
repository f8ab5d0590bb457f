//! The one entry point the CLI calls to render a report, and the options
//! every format shares.

use std::ffi::OsStr;
use std::io::{self, Write};

use super::{Report, json, junit, sarif, text};

/// The output formats of `tallyman scan -f` (docs/reports.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ReportFormat {
    /// Human-readable, grouped by file, with source snippets.
    Text,
    /// Every target, finding and error, and the summary (fields: docs/reports.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF readers.
    Sarif,
    /// JUnit XML, for GitLab and Jenkins test reports.
    Junit,
}

impl ReportFormat {
    /// The name as `-f` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Text => "text",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::Junit => "junit",
        }
    }
}

/// Maps a report path (relative to the scan root, with `/`) to that file's
/// contents, or `None` when it is not available (an image, an unreadable
/// file, or a caller that would rather not read files).
pub type SourceLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What the renderers need beyond the report itself. The renderers do no
/// I/O of their own: source text and the decision to colour come from here.
#[derive(Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// ANSI colour in the text format. Decide it with [`color_enabled`].
    pub color: bool,
    /// Source text for snippets (text) and line fingerprints (SARIF). Without
    /// it, text shows locations only and SARIF fingerprints hash the message.
    pub source: Option<SourceLookup<'a>>,
    /// The scan root as an absolute `file://` URI ending in `/`, for SARIF's
    /// `originalUriBaseIds`; see [`sarif::root_uri`]. Optional: results are
    /// repo-relative either way.
    pub root_uri: Option<&'a str>,
}

impl std::fmt::Debug for RenderOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("color", &self.color)
            .field("source", &self.source.map(|_| "<fn>"))
            .field("root_uri", &self.root_uri)
            .finish()
    }
}

impl<'a> RenderOptions<'a> {
    /// Looks up the source text of `path`, if a lookup was given.
    pub(crate) fn source_of(&self, path: &str) -> Option<String> {
        self.source.and_then(|lookup| lookup(path))
    }
}

/// Whether the text format should be coloured: only when the output is a
/// terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).
pub fn color_enabled(output_is_terminal: bool) -> bool {
    color_enabled_with(output_is_terminal, std::env::var_os("NO_COLOR").as_deref())
}

/// [`color_enabled`] with the value of `NO_COLOR` passed in.
pub fn color_enabled_with(output_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    let no_color_set = no_color.is_some_and(|value| !value.is_empty());
    output_is_terminal && !no_color_set
}

/// Renders `report` in `format` to `out`. Expects a [finalized](Report::finalize)
/// report: the renderers keep the order they are given.
pub fn write_report(
    report: &Report,
    format: ReportFormat,
    out: &mut dyn Write,
    options: &RenderOptions<'_>,
) -> io::Result<()> {
    match format {
        ReportFormat::Text => text::write_text(report, out, options),
        ReportFormat::Json => json::to_writer(report, out),
        ReportFormat::Sarif => sarif::to_writer(report, out, options),
        ReportFormat::Junit => junit::to_writer(report, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(color_enabled_with(true, None));
        assert!(color_enabled_with(true, Some(OsStr::new(""))));
        assert!(!color_enabled_with(true, Some(OsStr::new("1"))));
        assert!(!color_enabled_with(false, None));
    }
}
