//! The report formats on one realistic report: ordering and summary,
//! exit codes, JSON determinism and shape, text (snapshots, colour,
//! snippets), JUnit (snapshot, XML well-formedness, counts, escaping), and
//! odd data in every format.

mod report_support;

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;
use tallyman::report::{
    RenderOptions, Report, ReportFormat, SeverityName, TargetStatus, Verdict, write_report,
};

use report_support::*;

fn finding_keys(report: &Report) -> Vec<(String, Option<u32>, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.path.to_string(), f.line, f.rule_id.to_string()))
        .collect()
}

// ---------------------------------------------------------------- finalize

#[test]
fn finalize_sorts_every_list_into_its_canonical_order() {
    let report = sample_report();
    let policy_names: Vec<&str> = report.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        policy_names,
        ["acme-labels", "base-image", "hardening", "secrets"]
    );
    let hardening_rules: Vec<&str> = report.policies[2]
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(hardening_rules, ["HD001", "HD002", "HD003"]);

    let target_paths: Vec<&str> = report.targets.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(target_paths, [LEGACY, API, JAVA, PY, WEB, VENDOR]);

    assert_eq!(
        finding_keys(&report),
        [
            (API.to_owned(), None, "HD002".to_owned()),
            (API.to_owned(), Some(2), "BI001".to_owned()),
            (API.to_owned(), Some(9), "BI002".to_owned()),
            (JAVA.to_owned(), Some(5), "BI002".to_owned()),
            (PY.to_owned(), Some(2), "SC001".to_owned()),
            (WEB.to_owned(), Some(1), "BI002".to_owned()),
            (WEB.to_owned(), Some(1), "HD001".to_owned()),
            (WEB.to_owned(), Some(4), "HD003".to_owned()),
        ]
    );
    let error_paths: Vec<Option<&str>> = report.errors.iter().map(|e| e.path.as_deref()).collect();
    assert_eq!(error_paths, [Some(LEGACY), Some(WEB)]);
}

#[test]
fn findings_on_one_line_are_ordered_by_rule_then_column_then_message() {
    use SeverityName::*;
    let mut report = Report::new(tool(), run_info());
    report.findings = vec![
        finding(
            "B",
            "p",
            Low,
            "Dockerfile",
            Some(3),
            None,
            Some(9),
            None,
            "z",
            None,
        ),
        finding(
            "B",
            "p",
            Low,
            "Dockerfile",
            Some(3),
            None,
            Some(9),
            None,
            "a",
            None,
        ),
        finding(
            "B",
            "p",
            Low,
            "Dockerfile",
            Some(3),
            None,
            Some(2),
            None,
            "m",
            None,
        ),
        finding(
            "A",
            "p",
            Low,
            "Dockerfile",
            Some(3),
            None,
            Some(20),
            None,
            "m",
            None,
        ),
    ];
    report.finalize();
    let order: Vec<(&str, Option<u32>, &str)> = report
        .findings
        .iter()
        .map(|f| (&*f.rule_id, f.column, &*f.message))
        .collect();
    assert_eq!(
        order,
        [
            ("A", Some(20), "m"),
            ("B", Some(2), "m"),
            ("B", Some(9), "a"),
            ("B", Some(9), "z")
        ]
    );
}

#[test]
fn summary_counts_targets_and_findings_and_judges_against_fail_on() {
    let report = sample_report();
    let summary = &report.summary;
    assert_eq!(
        (
            summary.targets,
            summary.scanned,
            summary.skipped,
            summary.failed,
            summary.findings
        ),
        (6, 4, 1, 1, 8)
    );
    let by = &summary.by_severity;
    assert_eq!(
        (by.info, by.low, by.medium, by.high, by.critical),
        (1, 3, 2, 1, 1)
    );
    assert_eq!(summary.verdict, Verdict::Fail);
    assert_eq!(report.compute_summary(), *summary);
}

#[test]
fn verdict_fails_at_the_threshold_and_passes_below_it() {
    let mut report = clean_report();
    report.findings.retain(|f| f.severity <= SeverityName::High);
    for (fail_on, expected) in [
        (SeverityName::Info, Verdict::Fail),
        (SeverityName::Medium, Verdict::Fail),
        (SeverityName::High, Verdict::Fail),
        (SeverityName::Critical, Verdict::Pass),
    ] {
        report.run.fail_on = fail_on;
        report.finalize();
        assert_eq!(report.summary.verdict, expected, "fail-on {fail_on:?}");
    }
}

#[test]
fn exit_codes_follow_the_cli_contract() {
    // Findings at or above fail-on and no errors: 1.
    let mut report = clean_report();
    assert_eq!(report.exit_code(), 1);

    // Below the threshold: 0.
    report.run.fail_on = SeverityName::Critical;
    report
        .findings
        .retain(|f| f.severity < SeverityName::Critical);
    report.finalize();
    assert_eq!(report.summary.verdict, Verdict::Pass);
    assert_eq!(report.exit_code(), 0);

    // A policy error outranks the verdict: 2, even when it passes.
    let mut with_error = report.clone();
    with_error.errors = errors();
    with_error.finalize();
    assert_eq!(with_error.summary.verdict, Verdict::Pass);
    assert_eq!(with_error.exit_code(), 2);

    // A failed target alone: 2.
    let mut with_failed = report.clone();
    with_failed
        .targets
        .push(target(LEGACY, TargetStatus::Failed, Some("unreadable")));
    assert_eq!(with_failed.exit_code(), 2);

    // A skipped target is no error.
    let mut with_skipped = report.clone();
    with_skipped.targets.push(target(
        "x/Dockerfile",
        TargetStatus::Skipped,
        Some("ignored"),
    ));
    assert_eq!(with_skipped.exit_code(), 0);

    // Nothing at all: 0.
    let mut empty = Report::new(tool(), run_info());
    empty.finalize();
    assert_eq!(empty.exit_code(), 0);

    // The full fixture: errors and findings, 2.
    assert_eq!(sample_report().exit_code(), 2);
}

// -------------------------------------------------------------------- JSON

/// The fixture's lists, fed in another order: reversed, rotated, rules
/// shuffled.
fn sample_report_in_another_order() -> Report {
    let mut report = Report::new(tool(), run_info());
    let mut policies = policies();
    policies.rotate_left(2);
    for policy in &mut policies {
        policy.rules.reverse();
    }
    report.policies = policies;
    let mut targets = targets();
    targets.reverse();
    report.targets = targets;
    let mut findings = findings();
    findings.rotate_left(3);
    findings.swap(0, 4);
    report.findings = findings;
    let mut errors = errors();
    errors.reverse();
    report.errors = errors;
    report.finalize();
    report
}

#[test]
fn json_is_byte_identical_whatever_the_insertion_order() {
    let a = render(&sample_report(), ReportFormat::Json);
    let b = render(&sample_report_in_another_order(), ReportFormat::Json);
    assert_eq!(a, b);
    // And finalize is idempotent.
    let mut twice = sample_report();
    twice.finalize();
    assert_eq!(render(&twice, ReportFormat::Json), a);
}

#[test]
fn json_differs_only_in_run_between_runs_over_the_same_inputs() {
    let a = sample_report();
    let mut b = sample_report_in_another_order();
    b.run.started_at = "2026-11-27T08:30:00Z".to_owned();
    b.run.duration_ms = 98;
    let (a_json, b_json) = (
        render(&a, ReportFormat::Json),
        render(&b, ReportFormat::Json),
    );
    assert_ne!(a_json, b_json);
    let strip_run = |text: &str| {
        let mut value: Value = serde_json::from_str(text).expect("valid JSON");
        value.as_object_mut().expect("an object").remove("run");
        value
    };
    assert_eq!(strip_run(&a_json), strip_run(&b_json));
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let text = render(&sample_report(), ReportFormat::Json);
    let value: Value = serde_json::from_str(&text).expect("valid JSON");
    let keys =
        |v: &Value| -> Vec<String> { v.as_object().expect("an object").keys().cloned().collect() };
    let sorted = |mut v: Vec<&str>| {
        v.sort_unstable();
        v.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&value),
        sorted(vec![
            "tool",
            "policies",
            "repositories",
            "targets",
            "findings",
            "errors",
            "summary",
            "run"
        ])
    );
    assert_eq!(keys(&value["tool"]), sorted(vec!["name", "version"]));
    assert_eq!(
        keys(&value["policies"][0]),
        sorted(vec!["name", "version", "sha256", "builtin", "rules"])
    );
    assert_eq!(
        keys(&value["policies"][0]["rules"][0]),
        sorted(vec!["id", "title", "severity", "tags", "equivalents"])
    );
    assert_eq!(
        keys(&value["targets"][0]),
        sorted(vec![
            "path",
            "kind",
            "sha256",
            "status",
            "reason",
            "repository"
        ])
    );
    assert_eq!(
        keys(&value["run"]),
        sorted(vec![
            "started_at",
            "duration_ms",
            "evaluated_on",
            "fail_on",
            "config_sha256",
            "shard"
        ])
    );
    assert_eq!(
        keys(&value["findings"][0]),
        sorted(vec![
            "rule_id", "policy", "severity", "path", "line", "end_line", "column", "stage",
            "message", "fix"
        ])
    );
    assert_eq!(
        keys(&value["errors"][0]),
        sorted(vec!["path", "policy", "kind", "message"])
    );
    assert_eq!(
        keys(&value["summary"]),
        sorted(vec![
            "targets",
            "scanned",
            "skipped",
            "failed",
            "findings",
            "by_severity",
            "verdict"
        ])
    );
    assert_eq!(
        keys(&value["summary"]["by_severity"]),
        sorted(vec!["info", "low", "medium", "high", "critical"])
    );
    // Nulls are written, not left out.
    assert_eq!(value["findings"][0]["line"], Value::Null);
    assert_eq!(value["targets"][0]["status"], "failed");
    assert_eq!(value["summary"]["verdict"], "fail");
    // And the JSON reads back into the same report.
    let back: Report = serde_json::from_str(&text).expect("the report type reads its own JSON");
    assert_eq!(back, sample_report());
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render(&sample_report(), ReportFormat::Json));
}

// -------------------------------------------------------------------- text

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(render(&sample_report(), ReportFormat::Text));
}

#[test]
fn text_snapshot_of_a_clean_pass() {
    let mut report = clean_report();
    report.findings.retain(|f| f.severity < SeverityName::High);
    report.finalize();
    insta::assert_snapshot!(render(&report, ReportFormat::Text));
}

#[test]
fn text_marks_the_offending_line_under_a_numbered_gutter() {
    let text = render(&sample_report(), ReportFormat::Text);
    let expected = "\
medium[BI001]: Image `golang:latest` uses the `latest` tag
 --> services/api/Dockerfile:2:6 (stage build)
  |
1 | # syntax=docker/dockerfile:1
2 | FROM golang:latest AS build
  |      ^^^^^^^^^^^^^^^^^^^^^^
3 | WORKDIR /src
  |
  = fix: Pin a version, e.g. `golang:1.23`
";
    assert!(text.contains(expected), "{text}");
    // A span over several lines is marked in the gutter, tabs expanded.
    let multi = "\
3 | COPY . .
4 > RUN npm ci && \\
5 >     npm run build && \\
6 >     npm prune --production
7 | EXPOSE 3000
";
    assert!(text.contains(multi), "{text}");
}

#[test]
fn text_without_sources_shows_locations_only() {
    let report = sample_report();
    let mut out = Vec::new();
    write_report(
        &report,
        ReportFormat::Text,
        &mut out,
        &RenderOptions::default(),
    )
    .expect("write");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(text.contains(" --> services/api/Dockerfile:2:6 (stage build)\n"));
    assert!(!text.contains("^^^"));
    assert!(!text.contains("FROM golang"));
    assert!(text.contains("= fix: Pin a version"));
}

#[test]
fn text_is_coloured_only_when_asked() {
    let report = sample_report();
    let source: &dyn Fn(&str) -> Option<String> = &lookup;
    let render_with = |color| {
        let options = RenderOptions {
            color,
            source: Some(source),
            root_uri: None,
        };
        let mut out = Vec::new();
        write_report(&report, ReportFormat::Text, &mut out, &options).expect("write");
        String::from_utf8(out).expect("UTF-8")
    };
    let plain = render_with(false);
    let coloured = render_with(true);
    assert!(!plain.contains('\u{1b}'));
    assert!(coloured.contains("\u{1b}["));
    // Same words either way: strip the SGR sequences and compare.
    let mut stripped = String::new();
    let mut chars = coloured.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            for next in chars.by_ref() {
                if next == 'm' {
                    break;
                }
            }
        } else {
            stripped.push(ch);
        }
    }
    assert_eq!(stripped, plain);
}

#[test]
fn text_summary_has_counts_targets_errors_and_time() {
    let text = render(&sample_report(), ReportFormat::Text);
    let last_lines: Vec<&str> = text.lines().rev().take(2).collect();
    assert_eq!(
        last_lines[1],
        "Summary: 8 findings (1 critical, 1 high, 2 medium, 3 low, 1 info) in 6 targets \
         (4 scanned, 1 skipped, 1 failed), 2 errors, 1.23s"
    );
    assert_eq!(
        last_lines[0],
        "Verdict: fail: 2 findings at or above high; the scan is incomplete (errors above)"
    );
    assert!(text.contains("error[timeout]: services/web/Dockerfile: policy `acme-labels`: evaluation exceeded the 1s deadline\n"));
    assert!(text.contains("failed: legacy/Dockerfile: refused by the parser"));
}

// ------------------------------------------------------------------- JUnit

/// What a JUnit reader sees: per suite, its attributes and per case the
/// child element's name and attributes.
#[derive(Debug, Default)]
struct ParsedSuite {
    attributes: BTreeMap<String, String>,
    cases: Vec<ParsedCase>,
}

#[derive(Debug, Default)]
struct ParsedCase {
    attributes: BTreeMap<String, String>,
    outcome: Option<(String, BTreeMap<String, String>, String)>,
}

fn attributes_of(element: &quick_xml::events::BytesStart<'_>) -> BTreeMap<String, String> {
    element
        .attributes()
        .map(|attribute| {
            let attribute = attribute.expect("well-formed attribute");
            let key = attribute.key.as_ref().to_owned();
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("valid escapes")
                .into_owned();
            (key, value)
        })
        .collect()
}

/// Parses JUnit XML strictly (well-formed, matching end tags) and returns
/// the root's attributes and the suites.
fn parse_junit(xml: &str) -> (BTreeMap<String, String>, Vec<ParsedSuite>) {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut root = BTreeMap::new();
    let mut suites: Vec<ParsedSuite> = Vec::new();
    // The outcome element being read, with its raw (escaped) body.
    let mut open: Option<(String, BTreeMap<String, String>, String)> = None;
    let set_outcome = |suites: &mut Vec<ParsedSuite>, outcome| {
        let case = suites
            .last_mut()
            .and_then(|s| s.cases.last_mut())
            .expect("outcome inside a testcase");
        assert!(case.outcome.is_none(), "one outcome per testcase");
        case.outcome = Some(outcome);
    };
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (element, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = element {
            let name = e.name().as_ref().to_owned();
            let attributes = attributes_of(e);
            match name.as_str() {
                "testsuites" => root = attributes,
                "testsuite" => suites.push(ParsedSuite {
                    attributes,
                    cases: Vec::new(),
                }),
                "testcase" => suites
                    .last_mut()
                    .expect("testcase inside a testsuite")
                    .cases
                    .push(ParsedCase {
                        attributes,
                        outcome: None,
                    }),
                "failure" | "error" | "skipped" if empty => {
                    set_outcome(&mut suites, (name, attributes, String::new()));
                }
                "failure" | "error" | "skipped" => open = Some((name, attributes, String::new())),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Eof => break,
            Event::Text(t) => {
                if let Some((_, _, body)) = open.as_mut() {
                    body.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, _, body)) = open.as_mut() {
                    body.push_str(&format!("&{};", r.xml10_content()));
                }
            }
            Event::End(_) => {
                if let Some((name, attributes, body)) = open.take() {
                    let text = quick_xml::escape::unescape(&body)
                        .expect("valid escapes")
                        .into_owned();
                    set_outcome(&mut suites, (name, attributes, text));
                }
            }
            _ => {}
        }
    }
    (root, suites)
}

fn count(attributes: &BTreeMap<String, String>, key: &str) -> usize {
    attributes
        .get(key)
        .unwrap_or_else(|| panic!("missing {key}"))
        .parse()
        .expect("a count")
}

/// Checks that every count attribute agrees with the elements present.
fn assert_junit_counts_are_consistent(xml: &str) -> (BTreeMap<String, String>, Vec<ParsedSuite>) {
    let (root, suites) = parse_junit(xml);
    let mut totals = [0usize; 4];
    for suite in &suites {
        let of = |kind: &str| {
            suite
                .cases
                .iter()
                .filter(|c| c.outcome.as_ref().is_some_and(|o| o.0 == kind))
                .count()
        };
        let actual = [suite.cases.len(), of("failure"), of("error"), of("skipped")];
        let declared =
            ["tests", "failures", "errors", "skipped"].map(|k| count(&suite.attributes, k));
        assert_eq!(actual, declared, "suite {:?}", suite.attributes.get("name"));
        for (total, n) in totals.iter_mut().zip(actual) {
            *total += n;
        }
    }
    let declared = ["tests", "failures", "errors", "skipped"].map(|k| count(&root, k));
    assert_eq!(totals, declared, "testsuites totals");
    (root, suites)
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(render(&sample_report(), ReportFormat::Junit));
}

#[test]
fn junit_has_a_suite_per_policy_and_a_case_per_target_and_rule() {
    let report = sample_report();
    let xml = render(&report, ReportFormat::Junit);
    let (root, suites) = assert_junit_counts_are_consistent(&xml);
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attributes["name"].as_str())
        .collect();
    // The parse error is tied to no policy: it goes in the tool's suite.
    assert_eq!(
        names,
        [
            "acme-labels",
            "base-image",
            "hardening",
            "secrets",
            "tallyman"
        ]
    );
    assert_eq!(root["time"], "1.234");

    // hardening: 4 scanned targets × 3 rules, plus a skipped case for each
    // of the failed and the skipped target.
    let hardening = &suites[2];
    assert_eq!(count(&hardening.attributes, "tests"), 4 * 3 + 2);
    assert_eq!(count(&hardening.attributes, "failures"), 3);
    assert_eq!(count(&hardening.attributes, "errors"), 0);
    assert_eq!(count(&hardening.attributes, "skipped"), 2);
    let root_case = hardening
        .cases
        .iter()
        .find(|c| c.attributes["classname"] == WEB && c.attributes["name"].starts_with("HD001"))
        .expect("HD001 on the web service");
    assert_eq!(
        root_case.attributes["name"],
        "HD001: Final stage runs as root"
    );
    let (kind, attributes, body) = root_case.outcome.as_ref().expect("a failure");
    assert_eq!(kind, "failure");
    assert_eq!(attributes["type"], "high");
    assert_eq!(
        attributes["message"],
        "The final stage runs as root: it has no `USER` instruction"
    );
    assert_eq!(
        body,
        "services/web/Dockerfile:1:1: high: The final stage runs as root: it has no `USER` \
         instruction (stage 0) (fix: Add `USER node` before `CMD`)"
    );

    // base-image: two BI002 findings in the API file make one failure.
    let base = &suites[1];
    let api_bi002 = base
        .cases
        .iter()
        .find(|c| c.attributes["classname"] == API && c.attributes["name"].starts_with("BI002"))
        .expect("BI002 on the API");
    let (kind, attributes, body) = api_bi002.outcome.as_ref().expect("a failure");
    assert_eq!(
        (kind.as_str(), attributes["type"].as_str()),
        ("failure", "low")
    );
    assert_eq!(body.lines().count(), 1);

    // acme-labels timed out on the web service: its rule is an error there.
    let acme = &suites[0];
    let web_case = acme
        .cases
        .iter()
        .find(|c| c.attributes["classname"] == WEB)
        .expect("acme-labels on the web service");
    let (kind, attributes, _) = web_case.outcome.as_ref().expect("an error");
    assert_eq!(
        (kind.as_str(), attributes["type"].as_str()),
        ("error", "timeout")
    );

    // The failed and the skipped target, with their reasons.
    let skipped: Vec<(&str, &str)> = acme
        .cases
        .iter()
        .filter_map(|c| match &c.outcome {
            Some((kind, attributes, _)) if kind == "skipped" => Some((
                c.attributes["classname"].as_str(),
                attributes["message"].as_str(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        skipped,
        [
            (
                LEGACY,
                "failed: refused by the parser: line 3: unterminated heredoc <<EOF"
            ),
            (VENDOR, "skipped: matched `vendor/**` in .tallymanignore"),
        ]
    );

    // The tool suite: the parse error.
    let tool_suite = &suites[4];
    assert_eq!(tool_suite.cases.len(), 1);
    assert_eq!(tool_suite.cases[0].attributes["classname"], LEGACY);
    assert_eq!(tool_suite.cases[0].attributes["name"], "parse-error");
}

#[test]
fn junit_escapes_markup_and_replaces_what_xml_cannot_carry() {
    let xml = render(&odd_report(), ReportFormat::Junit);
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1b}') && !xml.contains('\u{FFFF}'));
    let (_, suites) = assert_junit_counts_are_consistent(&xml);
    let acme = suites
        .iter()
        .find(|s| s.attributes["name"] == "acme-labels")
        .expect("acme-labels suite");
    let case = acme
        .cases
        .iter()
        .find(|c| c.attributes["classname"] == "oci:images/app:1.0")
        .expect("the image's case");
    assert!(!case.attributes.contains_key("file"), "an image is no file");
    let (kind, attributes, body) = case.outcome.as_ref().expect("a failure");
    assert_eq!(kind, "failure");
    let expected_message = "markup <&>\"' and controls \u{FFFD}\u{FFFD}\u{FFFD}[31m red \
                            \u{FFFD}\u{FFFD}\u{FFFD} \u{202E}reversed";
    assert_eq!(attributes["message"], expected_message);
    assert!(body.contains(expected_message), "{body}");
    assert!(
        body.contains("fix with <tags> & \"quotes\"\nsecond line"),
        "{body}"
    );

    // The load error, tied to the policy but no target.
    let load = acme
        .cases
        .iter()
        .find(|c| c.attributes["name"] == "load-error")
        .expect("the load error's case");
    let (kind, attributes, body) = load.outcome.as_ref().expect("an error");
    assert_eq!(kind, "error");
    assert_eq!(
        attributes["message"],
        "module sha256 mismatch: expected a1b2…, got 0000…"
    );
    assert!(body.ends_with("\nsecond line"));

    // A policy no entry declared still gets its suite.
    assert!(suites.iter().any(|s| s.attributes["name"] == "mystery"));
}

// --------------------------------------------------------------- odd data

#[test]
fn every_format_copes_with_an_empty_report() {
    let mut report = Report::new(tool(), run_info());
    report.finalize();
    for format in [
        ReportFormat::Text,
        ReportFormat::Json,
        ReportFormat::Sarif,
        ReportFormat::Junit,
    ] {
        let out = render(&report, format);
        assert!(!out.is_empty(), "{format:?}");
    }
    let text = render(&report, ReportFormat::Text);
    assert_eq!(
        text,
        "Summary: 0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 0 targets \
         (0 scanned, 0 skipped, 0 failed), 1.23s\nVerdict: pass: no findings at or above high\n"
    );
    let (root, suites) = assert_junit_counts_are_consistent(&render(&report, ReportFormat::Junit));
    assert!(suites.is_empty());
    assert_eq!(count(&root, "tests"), 0);
    let json: Value = serde_json::from_str(&render(&report, ReportFormat::Json)).expect("JSON");
    assert_eq!(json["findings"], Value::Array(Vec::new()));
    assert_eq!(json["summary"]["verdict"], "pass");
}

#[test]
fn every_format_copes_with_odd_data() {
    let report = odd_report();
    let text = render(&report, ReportFormat::Text);
    // No raw control characters reach the terminal.
    assert!(!text.contains('\u{1b}') && !text.contains('\u{0}') && !text.contains('\u{202E}'));
    assert!(
        text.contains("controls \\u{0}\\u{7}\\u{1b}[31m"),
        "escaped, not dropped"
    );
    // Findings without a usable line have a location but no snippet.
    assert!(text.contains(" --> services/api/Dockerfile\n"));
    assert!(text.contains(" --> services/api/Dockerfile:5000:3\n"));
    assert!(text.contains("ünïcödé dir/Dockerfile.dev"));
    // An empty message falls back to the rule's title.
    assert!(
        text.contains("high[HD001]: Final stage runs as root\n"),
        "{text}"
    );
    // The huge message is there in full.
    assert!(text.len() > 1_000_000);

    let json: Value = serde_json::from_str(&render(&report, ReportFormat::Json)).expect("JSON");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(7));

    let (_, suites) = assert_junit_counts_are_consistent(&render(&report, ReportFormat::Junit));
    assert!(!suites.is_empty());
}

#[test]
fn text_snippets_survive_odd_spans() {
    use SeverityName::*;
    let mut report = Report::new(tool(), run_info());
    report.targets = vec![target(API, TargetStatus::Scanned, None)];
    report.findings = vec![
        // A span running past the end of the file is cut at the end.
        finding(
            "R1",
            "p",
            Low,
            API,
            Some(10),
            Some(400),
            None,
            None,
            "to the end",
            None,
        ),
        // A column past the end of the line falls back to the instruction.
        finding(
            "R2",
            "p",
            Low,
            API,
            Some(3),
            Some(3),
            Some(900),
            None,
            "wide column",
            None,
        ),
        // A long span shows its head and tail.
        finding(
            "R3",
            "p",
            Low,
            API,
            Some(1),
            Some(11),
            None,
            None,
            "everything",
            None,
        ),
    ];
    report.finalize();
    let text = render(&report, ReportFormat::Text);
    assert!(
        text.contains("3 | WORKDIR /src\n  | ^^^^^^^^^^^^\n"),
        "{text}"
    );
    assert!(
        text.contains("10 > COPY --from=build /out/api /api\n11 > ENTRYPOINT"),
        "{text}"
    );
    assert!(
        text.contains(" 5 > RUN go mod download\n...\n11 > ENTRYPOINT"),
        "{text}"
    );
}

#[test]
fn write_report_dispatches_to_each_format() {
    let report = sample_report();
    let json = render(&report, ReportFormat::Json);
    assert!(json.starts_with("{\n  \"tool\": {"));
    let sarif = render(&report, ReportFormat::Sarif);
    assert!(sarif.contains("\"version\": \"2.1.0\""));
    let junit = render(&report, ReportFormat::Junit);
    assert!(junit.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    let text = render(&report, ReportFormat::Text);
    assert!(text.starts_with("services/api/Dockerfile (3 findings)\n"));
    // Format names as `-f` spells them.
    use clap::ValueEnum;
    let names: Vec<String> = ReportFormat::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
        .collect();
    assert_eq!(names, ["text", "json", "sarif", "junit"]);
    for format in ReportFormat::value_variants() {
        assert_eq!(ReportFormat::from_str(format.as_str(), false), Ok(*format));
    }
}

#[test]
fn each_repository_gets_its_own_summary_and_verdict() {
    use tallyman::report::Repository;
    let mut report = sample_report();
    let repository = |name: &str| Repository {
        name: name.to_owned(),
        path: name.to_owned(),
        commit: Some("c0ffee".repeat(7)[..40].to_owned()),
        summary: Default::default(),
        directories_left_out: Default::default(),
    };
    report.repositories = vec![repository("web"), repository("api"), repository("empty")];
    for target in &mut report.targets {
        target.repository = Some(if target.path == WEB { "web" } else { "api" }.into());
    }
    report.finalize();
    let names: Vec<&str> = report
        .repositories
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["api", "empty", "web"]);
    let total = report.summary.clone();
    let parts: Vec<_> = report
        .repositories
        .iter()
        .map(|r| r.summary.clone())
        .collect();
    assert_eq!(
        parts.iter().map(|s| s.targets).sum::<usize>(),
        total.targets
    );
    assert_eq!(
        parts.iter().map(|s| s.findings).sum::<usize>(),
        total.findings
    );
    assert_eq!(parts[1], Default::default(), "a repository without targets");
    let web_findings = report.findings.iter().filter(|f| &*f.path == WEB).count();
    assert_eq!(parts[2].findings, web_findings);
    assert!(web_findings > 0);

    let text = render(&report, ReportFormat::Text);
    assert!(text.contains("Repositories:"), "{text}");
    let web_line = text
        .lines()
        .find(|line| line.contains(" web ") || line.trim_end().ends_with("web"))
        .unwrap_or_default()
        .to_owned();
    assert!(web_line.contains("@ c0ffeec0ffee"), "{text}");
    let back: Report =
        serde_json::from_str(&render(&report, ReportFormat::Json)).expect("reads back");
    assert_eq!(back, report);
}

#[test]
fn junit_runs_rules_tagged_for_one_kind_of_target_on_that_kind_only() {
    let image_rule = rule(
        "IMGX1",
        "Image labels",
        SeverityName::Low,
        &["target:image"],
        &[],
    );
    let dockerfile_rule = rule(
        "DFX1",
        "Dockerfile only",
        SeverityName::Low,
        &["target:dockerfile"],
        &[],
    );
    let with_rules = |mut report: Report| {
        report.policies[0].rules.push(image_rule.clone());
        report.policies[0].rules.push(dockerfile_rule.clone());
        report.finalize();
        render(&report, ReportFormat::Junit)
    };
    let cases = |xml: &str, id: &str| -> Vec<String> {
        xml.lines()
            .filter(|line| line.contains("<testcase") && line.contains(&format!("name=\"{id}:")))
            .map(str::to_owned)
            .collect()
    };
    // Only Dockerfiles: the image rule is no testcase anywhere.
    let xml = with_rules(sample_report());
    assert!(cases(&xml, "IMGX1").is_empty(), "{xml}");
    assert!(!cases(&xml, "DFX1").is_empty(), "{xml}");
    // An image target gets the image rule and not the Dockerfile one.
    let xml = with_rules(odd_report());
    let image_cases = cases(&xml, "IMGX1");
    assert_eq!(image_cases.len(), 1, "{xml}");
    assert!(image_cases[0].contains("classname=\"oci:images/app:1.0\""));
    assert!(
        cases(&xml, "DFX1")
            .iter()
            .all(|case| !case.contains("oci:images/app:1.0"))
    );
}
