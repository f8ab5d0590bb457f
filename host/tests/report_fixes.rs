//! Fixes in reports: SARIF `fixes` (validated against the vendored SARIF
//! 2.1.0 schema) and the JSON report's optional `autofix`.

mod report_support;
mod sarif_schema;

use serde_json::Value;
use tallyman::dockerfile::model::{Applicability, Autofix, Edit, Span};
use tallyman::report::{Report, ReportFormat};

use report_support::*;
use sarif_schema::validator;

fn edit(start: (u32, u32), end: (u32, u32), replacement: &str) -> Edit {
    Edit {
        span: Span {
            start_line: start.0,
            start_column: start.1,
            end_line: end.0,
            end_column: end.1,
        },
        replacement: replacement.to_string(),
    }
}

/// The sample report with a safe fix on its first finding and an unsafe
/// one of two edits (one an insertion) on its second.
fn report_with_fixes() -> Report {
    let mut report = sample_report();
    report.findings[0].autofix = Some(Box::new(Autofix {
        applicability: Applicability::Safe,
        edits: vec![edit((2, 1), (2, 4), "COPY")],
    }));
    report.findings[1].autofix = Some(Box::new(Autofix {
        applicability: Applicability::Unsafe,
        edits: vec![
            edit(
                (3, 1),
                (3, 1),
                "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
            ),
            edit((4, 5), (4, 8), "apt-get"),
        ],
    }));
    report
}

#[test]
fn sarif_results_carry_their_fixes_and_validate() {
    let report = report_with_fixes();
    let sarif: Value = serde_json::from_str(&render(&report, ReportFormat::Sarif)).expect("JSON");
    let errors: Vec<String> = validator()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
    assert_eq!(sarif["runs"][0]["columnKind"], "unicodeCodePoints");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let with_fixes: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .collect();
    assert_eq!(with_fixes.len(), 2);
    let safe = &with_fixes[0]["fixes"][0];
    assert_eq!(safe["properties"]["applicability"], "safe");
    let change = &safe["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"],
        with_fixes[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    );
    assert_eq!(
        change["replacements"][0],
        serde_json::json!({
            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 4},
            "insertedContent": {"text": "COPY"}
        })
    );
    let unsafe_fix = &with_fixes[1]["fixes"][0];
    assert_eq!(unsafe_fix["properties"]["applicability"], "unsafe");
    assert_eq!(
        unsafe_fix["artifactChanges"][0]["replacements"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert!(
        results.iter().filter(|r| r.get("fixes").is_none()).count() > 0,
        "findings without edits have no `fixes`"
    );
}

#[test]
fn json_reports_add_autofix_only_where_there_is_one() {
    let report = report_with_fixes();
    let json: Value = serde_json::from_str(&render(&report, ReportFormat::Json)).expect("JSON");
    let findings = json["findings"].as_array().expect("findings");
    let with: Vec<&Value> = findings
        .iter()
        .filter(|f| f.get("autofix").is_some())
        .collect();
    assert_eq!(
        with.len(),
        2,
        "only the two findings with edits have the field"
    );
    let fix = &with[0]["autofix"];
    assert!(
        fix["applicability"] == "safe" || fix["applicability"] == "unsafe",
        "{fix}"
    );
    assert!(fix["edits"][0]["span"]["start_line"].is_u64(), "{fix}");
    // A report written before fixes existed (no field) still reads back.
    let plain = render(&sample_report(), ReportFormat::Json);
    assert!(!plain.contains("\"autofix\""));
    let read: Report = serde_json::from_str(&plain).expect("an old report reads");
    assert!(read.findings.iter().all(|f| f.autofix.is_none()));
}
