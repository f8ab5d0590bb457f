//! SARIF output: validated against the OASIS SARIF 2.1.0 schema (vendored
//! in tests/data/sarif/, draft-07, with format checks on), and checked for
//! what GitHub code scanning reads.

mod report_support;

use std::sync::OnceLock;

use serde_json::Value;
use tallyman::report::{RenderOptions, Report, ReportFormat, SeverityName, sarif, write_report};

use report_support::*;

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).expect("the vendored SARIF schema");
        let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        // The OASIS schema's pattern for `language` (on `run` and
        // `toolComponent`) has a lone `]`, a literal only under ECMAScript's
        // Annex B; jsonschema checks patterns as strict ECMAScript and
        // refuses to compile the schema. Escaping it keeps the meaning (and
        // tallyman never writes `language`). The vendored file stays as
        // published.
        let patched = escape_lone_bracket(&mut schema);
        assert_eq!(patched, 2, "the two `language` patterns");
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn escape_lone_bracket(schema: &mut Value) -> usize {
    match schema {
        Value::Object(map) => {
            let mut patched = 0;
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == LANGUAGE_PATTERN {
                    *value = Value::from(LANGUAGE_PATTERN.replace("}]?", "}\\]?"));
                    patched += 1;
                } else {
                    patched += escape_lone_bracket(value);
                }
            }
            patched
        }
        Value::Array(items) => items.iter_mut().map(escape_lone_bracket).sum(),
        _ => 0,
    }
}

fn sarif_of(report: &Report) -> Value {
    serde_json::from_str(&render(report, ReportFormat::Sarif)).expect("SARIF is JSON")
}

/// Validates and returns every schema violation, so a failure names them all.
fn assert_valid(name: &str, sarif: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: {} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn reports_of_every_shape_validate_against_the_schema() {
    let mut no_findings = clean_report();
    no_findings.findings.clear();
    no_findings.finalize();
    let mut errors_only = Report::new(tool(), run_info());
    errors_only.errors = errors();
    errors_only.finalize();
    let mut empty = Report::new(tool(), run_info());
    empty.finalize();
    let mut bad_date = sample_report();
    bad_date.run.started_at = "yesterday".to_owned();

    let cases = [
        (
            "sample (findings, errors, failed and skipped targets)",
            sample_report(),
        ),
        ("clean", clean_report()),
        ("no findings", no_findings),
        ("errors only", errors_only),
        ("empty", empty),
        ("odd data", odd_report()),
        ("unparseable start time", bad_date),
    ];
    for (name, report) in &cases {
        assert_valid(name, &sarif_of(report));
    }
    // With a root URI too.
    let options = RenderOptions {
        color: false,
        source: None,
        root_uri: Some("file:///work/my%20repo/"),
    };
    let mut out = Vec::new();
    write_report(&sample_report(), ReportFormat::Sarif, &mut out, &options).expect("write");
    let with_root: Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(
        with_root["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///work/my%20repo/"
    );
    assert_valid("with a root URI", &with_root);
}

#[test]
fn the_schema_check_catches_broken_sarif() {
    // The validator is not vacuous: each of these breakages is refused on
    // its own, the format ones included.
    type Breakage = fn(&mut Value);
    let breakages: [(&str, Breakage); 5] = [
        ("result without a message", |v| {
            if let Some(result) = v["runs"][0]["results"][0].as_object_mut() {
                result.remove("message");
            }
        }),
        ("unknown level", |v| {
            v["runs"][0]["results"][1]["level"] = Value::from("fatal")
        }),
        ("line 0", |v| {
            v["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                Value::from(0)
        }),
        ("$schema not a URI (format: uri)", |v| {
            v["$schema"] = Value::from("not a uri")
        }),
        ("start time not a date-time (format: date-time)", |v| {
            v["runs"][0]["invocations"][0]["startTimeUtc"] = Value::from("yesterday")
        }),
    ];
    let valid = sarif_of(&sample_report());
    assert_valid("unbroken", &valid);
    for (name, breakage) in breakages {
        let mut broken = valid.clone();
        breakage(&mut broken);
        assert!(
            validator().iter_errors(&broken).count() > 0,
            "{name} was accepted"
        );
    }
}

#[test]
fn driver_lists_every_rule_with_github_metadata() {
    let sarif = sarif_of(&sample_report());
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "tallyman");
    assert_eq!(driver["version"], "0.1.0");
    assert!(
        driver["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "ACME001", "BI001", "BI002", "HD001", "HD002", "HD003", "SC001"
        ]
    );

    let hd001 = &rules[3];
    assert_eq!(hd001["name"], "FinalStageRunsAsRoot");
    assert_eq!(
        hd001["shortDescription"]["text"],
        "Final stage runs as root"
    );
    assert!(
        hd001["fullDescription"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("no `USER`"))
    );
    assert!(
        hd001["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("USER app"))
    );
    let markdown = hd001["help"]["markdown"].as_str().expect("markdown help");
    assert!(markdown.starts_with("**Final stage runs as root**"));
    assert!(markdown.contains("`hadolint:DL3002`"));
    assert_eq!(hd001["defaultConfiguration"]["level"], "error");
    assert_eq!(hd001["properties"]["tags"][0], "security");

    // security-severity on security rules only, from the default severity.
    let expected = [
        ("ACME001", None),
        ("BI001", None),
        ("BI002", Some("3.0")),
        ("HD001", Some("8.0")),
        ("HD002", None),
        ("HD003", None),
        ("SC001", Some("9.5")),
    ];
    for (rule, (id, score)) in rules.iter().zip(expected) {
        assert_eq!(rule["id"], id);
        assert_eq!(
            rule["properties"]["security-severity"].as_str(),
            score,
            "{id}"
        );
    }
    assert_eq!(sarif::security_severity(SeverityName::Medium), "5.5");
    assert_eq!(sarif::security_severity(SeverityName::Info), "1.0");
}

#[test]
fn results_carry_rule_level_location_and_fingerprint() {
    let sarif = sarif_of(&sample_report());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let results = results(&sarif);
    assert_eq!(results.len(), 8);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            location["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
        let fingerprint = result["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .expect("a fingerprint");
        let (hash, occurrence) = fingerprint.split_once(':').expect("HASH:N");
        assert_eq!(hash.len(), 16);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(occurrence.parse::<u32>().is_ok_and(|n| n >= 1));
    }

    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["properties"]["severity"].as_str().unwrap_or(""),
                r["level"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for (severity, level) in levels {
        let expected = match severity {
            "info" => "note",
            "low" | "medium" => "warning",
            "high" | "critical" => "error",
            other => panic!("unexpected severity {other}"),
        };
        assert_eq!(level, expected, "{severity}");
    }

    // The secret in "services/py app/Dockerfile": encoded path, full region.
    let secret = results
        .iter()
        .find(|r| r["ruleId"] == "SC001")
        .expect("SC001");
    let location = &secret["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "services/py%20app/Dockerfile"
    );
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 2, "endLine": 2, "startColumn": 5})
    );
    assert_eq!(secret["level"], "error");
    assert_eq!(secret["properties"]["severity"], "critical");
    assert!(
        secret["properties"]["fix"]
            .as_str()
            .is_some_and(|f| f.contains("--mount=type=secret"))
    );
    // Hashed over the trimmed source line.
    let expected_hash =
        sarif::line_hash("SC001", PY, "ARG PYPI_TOKEN=pypi-AgEIcHlwaS5vcmcCJGE0ZjM");
    assert_eq!(
        secret["partialFingerprints"]["primaryLocationLineHash"],
        format!("{expected_hash}:1")
    );

    // A finding without a line sits on line 1, flagged as such.
    let no_line = results
        .iter()
        .find(|r| r["ruleId"] == "HD002")
        .expect("HD002");
    assert_eq!(
        no_line["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 1})
    );
    assert_eq!(no_line["properties"]["lineUnknown"], true);
}

#[test]
fn fingerprints_are_stable_when_lines_move_and_count_identical_lines() {
    use SeverityName::*;
    let source_before = "FROM node:20\nRUN npm ci\nFROM node:20\n";
    let source_after = "# a comment\n\nFROM node:20\nRUN npm ci\n  FROM node:20\n";
    let report_for = |lines: [u32; 2]| {
        let mut report = Report::new(tool(), run_info());
        report.findings = lines
            .iter()
            .map(|&line| {
                finding(
                    "BI002",
                    "base-image",
                    Low,
                    "Dockerfile",
                    Some(line),
                    None,
                    Some(6),
                    None,
                    "not pinned",
                    None,
                )
            })
            .collect();
        report.finalize();
        report
    };
    let fingerprints = |report: &Report, source: &'static str| -> Vec<String> {
        let lookup = move |_: &str| Some(source.to_owned());
        let options = RenderOptions {
            color: false,
            source: Some(&lookup),
            root_uri: None,
        };
        let value = sarif::to_value(report, &options);
        results(&value)
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    };
    let before = fingerprints(&report_for([1, 3]), source_before);
    let after = fingerprints(&report_for([3, 5]), source_after);
    assert_eq!(
        before, after,
        "moved and re-indented lines keep their fingerprints"
    );
    let hash = sarif::line_hash("BI002", "Dockerfile", "FROM node:20");
    assert_eq!(before, [format!("{hash}:1"), format!("{hash}:2")]);
}

#[test]
fn errors_become_notifications_and_mark_the_run_unsuccessful() {
    let sarif = sarif_of(&sample_report());
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["startTimeUtc"], "2026-11-26T10:00:00Z");
    assert_eq!(invocation["endTimeUtc"], "2026-11-26T10:00:01.234Z");
    let notifications = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let summary: Vec<(&str, &str)> = notifications
        .iter()
        .map(|n| {
            (
                n["level"].as_str().unwrap_or(""),
                n["descriptor"]["id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("error", "parse-error"),
            ("error", "timeout"),
            ("error", "target-failed"),
            ("note", "target-skipped")
        ]
    );
    assert_eq!(notifications[1]["properties"]["policy"], "acme-labels");
    assert_eq!(
        notifications[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "services/web/Dockerfile"
    );

    let clean = sarif_of(&clean_report());
    assert_eq!(
        clean["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn rules_no_policy_declared_still_get_an_index() {
    let sarif = sarif_of(&odd_report());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let mystery = results(&sarif)
        .iter()
        .find(|r| r["ruleId"] == "XX999")
        .expect("XX999");
    let index = mystery["ruleIndex"].as_u64().expect("an index") as usize;
    assert_eq!(rules[index]["id"], "XX999");
    assert_eq!(
        mystery["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%C3%BCn%C3%AFc%C3%B6d%C3%A9%20dir/Dockerfile.dev"
    );
    // An empty message falls back to the rule's title.
    let empty = results(&sarif)
        .iter()
        .find(|r| r["ruleId"] == "HD001")
        .expect("HD001");
    assert_eq!(empty["message"]["text"], "Final stage runs as root");
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(render(&sample_report(), ReportFormat::Sarif));
}
