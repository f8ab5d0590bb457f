//! SARIF 2.1.0, shaped for what GitHub code scanning reads.
//!
//! One run. `tool.driver.rules` holds every rule of every policy (policies
//! by name, rules by id; if two policies declare the same rule id, the first
//! one's metadata is used), plus a bare descriptor for any rule a finding
//! names that no policy declared, so that every result has a `ruleIndex`.
//!
//! Mappings:
//! - `level`: info → `note`; low, medium → `warning`; high, critical →
//!   `error` (docs/reports.md).
//! - `security-severity`, on rules tagged `security`, from the rule's
//!   default severity: critical `9.5`, high `8.0`, medium `5.5`, low `3.0`,
//!   info `1.0`. GitHub buckets these as critical (≥ 9.0), high (7.0–8.9),
//!   medium (4.0–6.9) and low (0.1–3.9), so each lands in the bucket of the
//!   same name, and info in low.
//! - Locations: the report's repo-relative path, percent-encoded, as
//!   `artifactLocation.uri` with `uriBaseId: "%SRCROOT%"`; a file outside
//!   the scan root (whose report path is absolute) as an absolute
//!   `file://` URI, with no base. GitHub needs a
//!   `region.startLine`, so a finding without a line is placed on line 1.
//! - `partialFingerprints.primaryLocationLineHash`: see [`line_hash`].
//! - Errors and targets that could not be scanned become
//!   `invocations[0].toolExecutionNotifications`; `executionSuccessful` is
//!   false when there is any error or failed target.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    RenderOptions, Report, ReportError, ReportFinding, RuleEntry, SeverityName, Target,
    TargetStatus,
};

/// The schema the output conforms to (the `$id` of the OASIS schema).
pub const SCHEMA_URI: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";
/// The base id every result location is relative to.
pub const SRCROOT: &str = "%SRCROOT%";
/// Where users learn about the tool.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Everything but RFC 3986's unreserved characters and `/` is
/// percent-encoded: spaces, non-ASCII and `:` (which would otherwise make
/// the first segment of a relative path read as a URI scheme).
const PATH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Writes `report` as a pretty-printed SARIF log followed by a newline.
pub fn to_writer(
    report: &Report,
    out: &mut dyn Write,
    options: &RenderOptions<'_>,
) -> io::Result<()> {
    // serde_json writes token by token: buffer so a file gets few syscalls.
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &to_value(report, options))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// `report` as a SARIF log.
pub fn to_value(report: &Report, options: &RenderOptions<'_>) -> Value {
    let rules = RuleTable::new(report);
    let results = results(report, &rules, options);
    let driver = json!({
        "name": report.tool.name,
        "version": report.tool.version,
        "informationUri": INFORMATION_URI,
        "rules": rules.descriptors,
    });
    let root = match options.root_uri {
        Some(uri) => json!({ "uri": uri }),
        None => json!({
            "description": { "text": "The root of the scan: result paths are relative to it." }
        }),
    };
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            // Columns (of findings and of fixes' regions) count characters.
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation(report)],
            "originalUriBaseIds": { SRCROOT: root },
            "results": results,
        }],
    })
}

/// The SARIF level of a severity.
pub fn level(severity: SeverityName) -> &'static str {
    match severity {
        SeverityName::Info => "note",
        SeverityName::Low | SeverityName::Medium => "warning",
        SeverityName::High | SeverityName::Critical => "error",
    }
}

/// GitHub's `security-severity` score for a severity (a decimal string, as
/// GitHub reads it).
pub fn security_severity(severity: SeverityName) -> &'static str {
    match severity {
        SeverityName::Critical => "9.5",
        SeverityName::High => "8.0",
        SeverityName::Medium => "5.5",
        SeverityName::Low => "3.0",
        SeverityName::Info => "1.0",
    }
}

/// The `file://` URI of an absolute scan root, ending in `/`, for
/// [`RenderOptions::root_uri`]. `None` for a relative or non-UTF-8 path.
pub fn root_uri(root: &Path) -> Option<String> {
    if !root.is_absolute() {
        return None;
    }
    let mut uri = file_uri(&root.to_str()?.replace('\\', "/"))?;
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// The report path as a relative URI reference.
pub fn path_uri(path: &str) -> String {
    utf8_percent_encode(path, PATH_ENCODE).to_string()
}

/// The line hash of a result, before its occurrence counter: the first 16
/// hex digits of SHA-256 over `rule_id`, `path` and `content`, separated by
/// NUL bytes. `content` is the text of the finding's first line with leading
/// and trailing whitespace removed and inner runs of whitespace collapsed to
/// one space, so re-indenting a line does not change it; when the line is
/// not available (no line number, or no source), the finding's message,
/// normalised the same way, stands in for it.
///
/// The full fingerprint is `HASH:N`, N counting from 1 the results of the
/// same file with the same HASH in report order: the scheme GitHub's own
/// uploader uses, so identical lines in one file stay distinct while a
/// finding keeps its fingerprint when lines are added above it.
pub fn line_hash(rule_id: &str, path: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(normalize_whitespace(content).as_bytes());
    let digest = hasher.finalize();
    digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn normalize_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The driver's rules and where each id sits among them.
struct RuleTable {
    descriptors: Vec<Value>,
    index_of: HashMap<String, usize>,
    titles: HashMap<String, String>,
}

impl RuleTable {
    fn new(report: &Report) -> RuleTable {
        let mut table = RuleTable {
            descriptors: Vec::new(),
            index_of: HashMap::new(),
            titles: HashMap::new(),
        };
        for policy in &report.policies {
            for rule in &policy.rules {
                if !table.index_of.contains_key(&rule.id) {
                    table.push(&rule.id, rule_descriptor(rule, &policy.name));
                    table.titles.insert(rule.id.clone(), rule.title.clone());
                }
            }
        }
        for finding in &report.findings {
            if !table.index_of.contains_key(&*finding.rule_id) {
                table.push(&finding.rule_id, undeclared_rule_descriptor(finding));
            }
        }
        table
    }

    fn push(&mut self, id: &str, descriptor: Value) {
        self.index_of.insert(id.to_owned(), self.descriptors.len());
        self.descriptors.push(descriptor);
    }
}

fn rule_descriptor(rule: &RuleEntry, policy: &str) -> Value {
    let title = non_empty(&rule.title).unwrap_or(&rule.id);
    let full = non_empty(&rule.description).unwrap_or(title);
    let help_text = non_empty(&rule.help).unwrap_or(full);
    let mut markdown = format!("**{title}**\n\n{full}");
    if let Some(help) = non_empty(&rule.help) {
        markdown.push_str("\n\n");
        markdown.push_str(help);
    }
    if !rule.equivalents.is_empty() {
        markdown.push_str("\n\nEquivalent to: ");
        let quoted: Vec<String> = rule.equivalents.iter().map(|e| format!("`{e}`")).collect();
        markdown.push_str(&quoted.join(", "));
    }
    let mut properties = Map::new();
    properties.insert("tags".into(), json!(rule.tags));
    properties.insert("policy".into(), json!(policy));
    properties.insert("severity".into(), json!(rule.severity));
    properties.insert("equivalents".into(), json!(rule.equivalents));
    if rule.tags.iter().any(|tag| tag == "security") {
        properties.insert(
            "security-severity".into(),
            json!(security_severity(rule.severity)),
        );
    }
    json!({
        "id": rule.id,
        "name": pascal_case(title).unwrap_or_else(|| rule.id.clone()),
        "shortDescription": { "text": title },
        "fullDescription": { "text": full },
        "help": { "text": help_text, "markdown": markdown },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": properties,
    })
}

/// A rule a finding names but no policy declared: what the finding tells.
fn undeclared_rule_descriptor(finding: &ReportFinding) -> Value {
    json!({
        "id": finding.rule_id,
        "shortDescription": { "text": finding.rule_id },
        "defaultConfiguration": { "level": level(finding.severity) },
        "properties": { "policy": finding.policy, "severity": finding.severity },
    })
}

/// `Final stage runs as root` → `FinalStageRunsAsRoot`; `None` when the
/// title has no letters or digits.
fn pascal_case(title: &str) -> Option<String> {
    let mut name = String::new();
    for word in title.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.extend(chars);
        }
    }
    (!name.is_empty()).then_some(name)
}

fn results(report: &Report, rules: &RuleTable, options: &RenderOptions<'_>) -> Vec<Value> {
    let mut occurrences: HashMap<(&str, String), u32> = HashMap::new();
    // Findings of a file are adjacent in a finalized report: hold one file's
    // lines at a time.
    let mut current: Option<(&str, Option<Vec<String>>)> = None;
    let mut results = Vec::with_capacity(report.findings.len());
    for finding in &report.findings {
        if current
            .as_ref()
            .is_none_or(|(path, _)| **path != *finding.path)
        {
            let lines = options
                .source_of(&finding.path)
                .map(|text| text.lines().map(str::to_owned).collect());
            current = Some((&*finding.path, lines));
        }
        let lines = current.as_ref().and_then(|(_, lines)| lines.as_ref());
        let line_text = finding
            .line
            .and_then(|line| usize::try_from(line).ok())
            .and_then(|line| line.checked_sub(1))
            .and_then(|index| lines.and_then(|lines| lines.get(index)));
        let content = line_text.map_or(&*finding.message, String::as_str);
        let hash = line_hash(&finding.rule_id, &finding.path, content);
        let count = occurrences
            .entry((&*finding.path, hash.clone()))
            .or_insert(0);
        *count = count.saturating_add(1);
        let fingerprint = format!("{hash}:{count}");
        results.push(result(finding, rules, fingerprint));
    }
    results
}

fn result(finding: &ReportFinding, rules: &RuleTable, fingerprint: String) -> Value {
    let rule_index = rules.index_of.get(&*finding.rule_id).copied().unwrap_or(0);
    let message = non_empty(&finding.message)
        .or_else(|| rules.titles.get(&*finding.rule_id).map(String::as_str))
        .unwrap_or(&finding.rule_id);

    let start_line = finding.line.filter(|&line| line > 0);
    let mut region = Map::new();
    region.insert("startLine".into(), json!(start_line.unwrap_or(1)));
    if let Some(start) = start_line {
        if let Some(end) = finding.end_line.filter(|&end| end >= start) {
            region.insert("endLine".into(), json!(end));
        }
        if let Some(column) = finding.column.filter(|&column| column > 0) {
            region.insert("startColumn".into(), json!(column));
        }
    }
    let mut properties = Map::new();
    properties.insert("severity".into(), json!(finding.severity));
    properties.insert("policy".into(), json!(finding.policy));
    if let Some(stage) = &finding.stage {
        properties.insert("stage".into(), json!(stage));
    }
    if let Some(fix) = &finding.fix {
        properties.insert("fix".into(), json!(fix));
    }
    if start_line.is_none() {
        properties.insert("lineUnknown".into(), json!(true));
    }
    let mut result = json!({
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(&finding.path),
                "region": region,
            }
        }],
        "partialFingerprints": { "primaryLocationLineHash": fingerprint },
        "properties": properties,
    });
    if let (Some(fix), Some(object)) = (&finding.autofix, result.as_object_mut()) {
        object.insert("fixes".into(), json!([sarif_fix(finding, fix)]));
    }
    result
}

/// A finding's edits as a SARIF `fix`: one artifact change, a replacement
/// per edit (the regions' ends are exclusive, as the edits' are), and the
/// applicability as a property (SARIF has no word for it).
fn sarif_fix(finding: &ReportFinding, fix: &crate::fix::Fix) -> Value {
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|edit| {
            json!({
                "deletedRegion": {
                    "startLine": edit.span.start_line,
                    "startColumn": edit.span.start_column,
                    "endLine": edit.span.end_line,
                    "endColumn": edit.span.end_column,
                },
                "insertedContent": { "text": edit.replacement },
            })
        })
        .collect();
    let description = finding
        .fix
        .as_deref()
        .and_then(non_empty)
        .unwrap_or("Apply the edits");
    json!({
        "description": { "text": description },
        "artifactChanges": [{
            "artifactLocation": artifact_location(&finding.path),
            "replacements": replacements,
        }],
        "properties": { "applicability": fix.applicability },
    })
}

/// A report path under the scan root is relative to `%SRCROOT%`; one
/// outside it (an absolute path) is its own `file://` URI.
fn artifact_location(path: &str) -> Value {
    match file_uri(path) {
        Some(uri) => json!({ "uri": uri }),
        None => json!({ "uri": path_uri(path), "uriBaseId": SRCROOT }),
    }
}

/// The `file://` URI of an absolute report path (`/srv/x/Dockerfile`,
/// `C:/x/Dockerfile`); `None` for a relative one.
pub fn file_uri(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let is_drive_path =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    let mut uri = String::from("file://");
    let rest = if is_drive_path {
        // file:///C:/x: the drive's colon stays as it is.
        uri.push('/');
        uri.push_str(&path[..2]);
        &path[2..]
    } else if path.starts_with('/') {
        path
    } else {
        return None;
    };
    uri.extend(utf8_percent_encode(rest, PATH_ENCODE));
    Some(uri)
}

fn invocation(report: &Report) -> Value {
    let mut notifications: Vec<Value> = report.errors.iter().map(error_notification).collect();
    notifications.extend(
        report
            .targets
            .iter()
            .filter(|t| t.status != TargetStatus::Scanned)
            .map(target_notification),
    );
    let mut invocation = Map::new();
    invocation.insert("executionSuccessful".into(), json!(!report.has_errors()));
    invocation.insert("toolExecutionNotifications".into(), json!(notifications));
    if let Ok(start) = OffsetDateTime::parse(&report.run.started_at, &Rfc3339) {
        let start = start.to_offset(time::UtcOffset::UTC);
        if let Ok(text) = start.format(&Rfc3339) {
            invocation.insert("startTimeUtc".into(), json!(text));
        }
        let end = i64::try_from(report.run.duration_ms)
            .ok()
            .and_then(|ms| start.checked_add(time::Duration::milliseconds(ms)));
        if let Some(text) = end.and_then(|end| end.format(&Rfc3339).ok()) {
            invocation.insert("endTimeUtc".into(), json!(text));
        }
    }
    invocation.insert(
        "properties".into(),
        json!({
            "failOn": report.run.fail_on,
            "evaluatedOn": report.run.evaluated_on,
        }),
    );
    Value::Object(invocation)
}

fn error_notification(error: &ReportError) -> Value {
    let mut notification = Map::new();
    notification.insert("level".into(), json!("error"));
    notification.insert(
        "message".into(),
        json!({ "text": non_empty(&error.message).unwrap_or(&error.kind) }),
    );
    notification.insert("descriptor".into(), json!({ "id": error.kind }));
    if let Some(path) = &error.path {
        notification.insert(
            "locations".into(),
            json!([{ "physicalLocation": { "artifactLocation": artifact_location(path) } }]),
        );
    }
    if let Some(policy) = &error.policy {
        notification.insert("properties".into(), json!({ "policy": policy }));
    }
    Value::Object(notification)
}

fn target_notification(target: &Target) -> Value {
    let (level, id, verb) = match target.status {
        TargetStatus::Failed => ("error", "target-failed", "could not be scanned"),
        TargetStatus::Skipped | TargetStatus::Scanned => ("note", "target-skipped", "was skipped"),
    };
    let reason = target.reason.as_deref().unwrap_or("no reason given");
    json!({
        "level": level,
        "message": { "text": format!("{} {verb}: {reason}", target.path) },
        "descriptor": { "id": id },
        "locations": [{ "physicalLocation": { "artifactLocation": artifact_location(&target.path) } }],
    })
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(
            path_uri("services/api/Dockerfile"),
            "services/api/Dockerfile"
        );
        assert_eq!(path_uri("my app/Dockerfile"), "my%20app/Dockerfile");
        assert_eq!(path_uri("café/Dockerfile"), "caf%C3%A9/Dockerfile");
        assert_eq!(path_uri("oci:img:latest"), "oci%3Aimg%3Alatest");
    }

    #[test]
    fn root_uris_are_absolute_file_uris_with_a_trailing_slash() {
        assert_eq!(
            root_uri(Path::new("/work/my repo")).as_deref(),
            Some("file:///work/my%20repo/")
        );
        assert_eq!(root_uri(Path::new("/")).as_deref(), Some("file:///"));
        assert_eq!(root_uri(Path::new("relative")), None);
    }

    #[test]
    fn absolute_report_paths_become_file_uris_and_relative_ones_do_not() {
        assert_eq!(
            file_uri("/srv/my app/Dockerfile").as_deref(),
            Some("file:///srv/my%20app/Dockerfile")
        );
        assert_eq!(
            file_uri("C:/src/Dockerfile").as_deref(),
            Some("file:///C:/src/Dockerfile")
        );
        assert_eq!(file_uri("services/api/Dockerfile"), None);
        assert_eq!(file_uri("oci:img:latest"), None);
        assert_eq!(
            artifact_location("/srv/Dockerfile"),
            json!({ "uri": "file:///srv/Dockerfile" })
        );
        assert_eq!(
            artifact_location("api/Dockerfile"),
            json!({ "uri": "api/Dockerfile", "uriBaseId": SRCROOT })
        );
    }

    #[test]
    fn line_hash_ignores_indentation_but_not_content() {
        let a = line_hash("R1", "Dockerfile", "RUN  apt-get install curl");
        let b = line_hash("R1", "Dockerfile", "\t RUN apt-get install curl  ");
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        assert_ne!(a, line_hash("R1", "Dockerfile", "RUN apt-get install wget"));
        assert_ne!(a, line_hash("R2", "Dockerfile", "RUN apt-get install curl"));
        assert_ne!(
            a,
            line_hash("R1", "other/Dockerfile", "RUN apt-get install curl")
        );
    }

    #[test]
    fn rule_names_are_pascal_case_titles() {
        assert_eq!(
            pascal_case("Final stage runs as root").as_deref(),
            Some("FinalStageRunsAsRoot")
        );
        assert_eq!(pascal_case("`latest` tag").as_deref(), Some("LatestTag"));
        assert_eq!(pascal_case(" -- "), None);
    }
}
