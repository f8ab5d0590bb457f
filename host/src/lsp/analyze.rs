//! Checking one open document: its text as the editor holds it (saved or
//! not), through the same parser, policies, configuration and pragmas as
//! `scan`, into diagnostics.

use std::path::Path;

use lsp_types::{Diagnostic, DiagnosticSeverity, Uri};
use tallyman_dockerfile::{ParseOptions, parse_and_lower};

use super::diagnostics::{self, CONFIG_ERROR, FILE_TOO_LARGE, PARSE_ERROR};
use super::text::LineIndex;
use super::uri;
use super::workspace::{Loaded, Workspace};
use crate::discover::{build_context, display_path};
use crate::report::ReportFinding;
use crate::scan::read::ReadOptions;
use crate::scan::{findings, is_known_rule};

/// One document to check.
pub struct Document<'a> {
    pub uri: &'a Uri,
    /// Where it lives on disk, for `file:` URIs.
    pub path: Option<&'a Path>,
    pub text: &'a str,
}

/// What checking a document found.
#[derive(Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    /// The findings behind the diagnostics, for code actions.
    pub findings: Vec<ReportFinding>,
}

/// The path `tallyman.yaml`'s `ignore` globs see: relative to the workspace
/// root, as `scan` run there reports it.
pub fn report_path(workspace: &Workspace, document: &Document<'_>) -> String {
    match document.path {
        Some(path) => display_path(workspace.root(), path),
        None => uri::file_name(document.uri),
    }
}

pub fn analyze(workspace: &Workspace, document: &Document<'_>) -> Analysis {
    let index = LineIndex::new(document.text);
    let loaded = match workspace.state() {
        Ok(loaded) => loaded,
        Err(reason) => {
            return Analysis {
                diagnostics: vec![diagnostics::file_diagnostic(
                    &index,
                    CONFIG_ERROR,
                    DiagnosticSeverity::ERROR,
                    format!("tallyman cannot check this file: {reason}"),
                )],
                findings: Vec::new(),
            };
        }
    };
    let path = report_path(workspace, document);
    if loaded
        .ignore_paths
        .as_ref()
        .is_some_and(|globs| globs.is_match(&path))
    {
        return Analysis::default();
    }
    if document.text.len() > loaded.max_file_bytes {
        return Analysis {
            diagnostics: vec![diagnostics::file_diagnostic(
                &index,
                FILE_TOO_LARGE,
                DiagnosticSeverity::INFORMATION,
                format!(
                    "not checked: the file is {} bytes, over the limit of {} (`limits.max-file-bytes` in tallyman.yaml)",
                    document.text.len(),
                    loaded.max_file_bytes
                ),
            )],
            findings: Vec::new(),
        };
    }
    check(loaded, workspace.root(), document, &path, &index)
}

fn check(
    loaded: &Loaded,
    root: &Path,
    document: &Document<'_>,
    path: &str,
    index: &LineIndex<'_>,
) -> Analysis {
    let read = ReadOptions {
        max_size: loaded.max_file_bytes,
        evaluated_on: crate::clock::evaluation_date(),
        target: None,
        build_args: Vec::new(),
        platform: "linux/amd64".to_string(),
    };
    let context = document
        .path
        .map(|on_disk| build_context(on_disk, root))
        .unwrap_or_default();
    let lower = read.lower_options(path, context);
    let parse = ParseOptions {
        max_size: loaded.max_file_bytes,
    };
    let model = match parse_and_lower(document.text.as_bytes(), &parse, &lower) {
        Ok(model) => model,
        Err(err) => {
            let line = err.line.map_or(1, |l| u32::try_from(l).unwrap_or(u32::MAX));
            let end = err
                .end_line
                .map_or(line, |l| u32::try_from(l).unwrap_or(u32::MAX));
            let mut diagnostic = diagnostics::file_diagnostic(
                index,
                PARSE_ERROR,
                DiagnosticSeverity::ERROR,
                format!("BuildKit would not accept this file: {}", err.reason),
            );
            diagnostic.range = index.lines_range(line, None, end);
            return Analysis {
                diagnostics: vec![diagnostic],
                findings: Vec::new(),
            };
        }
    };
    let outcomes = loaded
        .engine
        .session(&loaded.policies)
        .check_dockerfile(&model);
    let known_rules = |id: &str| is_known_rule(&loaded.policies, id);
    let results = findings::collect(&model, outcomes, &loaded.filter, &known_rules);
    let mut diagnostics: Vec<Diagnostic> = results
        .errors
        .iter()
        .map(|error| diagnostics::from_error(index, error))
        .collect();
    diagnostics.extend(results.findings.iter().map(|finding| {
        let documented = loaded.builtin_rules.contains(finding.rule_id.as_str());
        diagnostics::from_finding(document.uri, index, &model, finding, documented)
    }));
    // Policy by policy is the order they come in; top to bottom is the
    // order a reader (and a test) expects, and stable between checks.
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.range.start.line, d.range.start.character);
        key(a).cmp(&key(b))
    });
    Analysis {
        diagnostics,
        findings: results.findings,
    }
}
