//! The in-toto Statement v1 that a signed scan attests: which files were
//! scanned (the subjects), and what tallyman found in them with which
//! policies and configuration (the predicate).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::{Report, TargetStatus, Verdict};

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The DSSE `payloadType` of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The predicate type of a tallyman scan.
pub const SCAN_PREDICATE_TYPE: &str = "https://tallyman.dev/attestation/scan/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: ScanPredicate,
}

/// One scanned file: its path relative to the scan root, with `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub digest: Digest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub sha256: String,
}

/// The predicate of `https://tallyman.dev/attestation/scan/v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanPredicate {
    pub tool: ToolVersion,
    pub verdict: AttestedVerdict,
    /// Every policy module that ran, built-in or not.
    pub policies: Vec<PolicyDigest>,
    pub config: ConfigDigest,
    /// What was scanned, relative to the scan root: the paths given on the
    /// command line (`.` for the root itself).
    pub inputs: Vec<String>,
    /// The JSON report exactly as `-f json` renders it.
    pub report: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolVersion {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestedVerdict {
    pub result: Verdict,
    pub exit_code: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDigest {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub builtin: bool,
}

/// The effective configuration and its digest: `sha256` is over
/// [`canonical_json`] of `effective`, so a verifier can recompute it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigDigest {
    /// The configuration file read, as given or found; null for none.
    pub file: Option<String>,
    /// The sha256 of that file's bytes, to match it with a file on disk.
    pub file_sha256: Option<String>,
    /// The sha256 of the canonical JSON of `effective`.
    pub sha256: String,
    pub effective: Value,
}

/// JSON with every object's keys sorted and no insignificant whitespace:
/// the same value always gives the same bytes, whatever order it was built in.
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    // Serialising a `Value` cannot fail: its keys are strings.
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

impl ConfigDigest {
    /// `file`: the configuration file's name and bytes, if one was read.
    pub fn new(file: Option<(String, &[u8])>, effective: Value) -> ConfigDigest {
        let sha256 = crate::scan::read::sha256_hex(canonical_json(&effective).as_bytes());
        let (file, file_sha256) = match file {
            Some((name, bytes)) => (Some(name), Some(crate::scan::read::sha256_hex(bytes))),
            None => (None, None),
        };
        ConfigDigest {
            file,
            file_sha256,
            sha256,
            effective,
        }
    }
}

impl Statement {
    /// The statement for a finalized report: one subject per scanned target.
    pub fn for_scan(
        report: &Report,
        config: ConfigDigest,
        inputs: Vec<String>,
    ) -> anyhow::Result<Statement> {
        let subject = report
            .targets
            .iter()
            .filter(|t| t.status == TargetStatus::Scanned)
            .filter_map(|t| {
                t.sha256.as_ref().map(|sha256| Subject {
                    name: t.path.to_string(),
                    digest: Digest {
                        sha256: sha256.hex(),
                    },
                })
            })
            .collect();
        Ok(Statement {
            statement_type: STATEMENT_TYPE.to_string(),
            subject,
            predicate_type: SCAN_PREDICATE_TYPE.to_string(),
            predicate: ScanPredicate {
                tool: ToolVersion {
                    name: report.tool.name.clone(),
                    version: report.tool.version.clone(),
                },
                verdict: AttestedVerdict {
                    result: report.summary.verdict,
                    exit_code: report.exit_code(),
                },
                policies: report
                    .policies
                    .iter()
                    .map(|p| PolicyDigest {
                        name: p.name.clone(),
                        version: p.version.clone(),
                        sha256: p.sha256.clone(),
                        builtin: p.builtin,
                    })
                    .collect(),
                config,
                inputs,
                report: serde_json::to_value(report)?,
            },
        })
    }
}
