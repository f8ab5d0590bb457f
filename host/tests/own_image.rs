//! tallyman's own image (the `Dockerfile` at the repository root) passes
//! tallyman's own scan: no finding at medium or above.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[test]
fn the_root_dockerfile_has_no_finding_at_medium_or_above() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dockerfile = root.join("Dockerfile");
    let out = Command::new(env!("CARGO_BIN_EXE_tallyman"))
        .arg("scan")
        .arg(&dockerfile)
        .args([
            "-f",
            "json",
            "--fail-on",
            "medium",
            "--no-cache",
            "--cache-dir",
        ])
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-image-cache"))
        .output()
        .expect("tallyman runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["scanned"], 1, "{report:#}");
    let serious: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| !matches!(f["severity"].as_str(), Some("info" | "low")))
        .collect();
    assert!(
        serious.is_empty(),
        "findings at medium or above: {serious:#?}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Both bases pinned by digest, the final stage not root.
    let text = std::fs::read_to_string(&dockerfile).expect("read");
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2);
    assert!(froms.iter().all(|from| from.contains("@sha256:")));
    assert!(text.contains("\nUSER 10001:10001\n"));
}
