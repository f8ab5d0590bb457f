//! Reading the evidence: a `-f json` scan report, or a signed attestation
//! (`scan --sign`) that must verify against the key given.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use super::model::{ConfigIgnores, RulePaths, SourceKind};
pub use crate::attest::evidence::InputError;
use crate::attest::evidence::{self, Evidence};
use crate::report::Report;

/// Where a report came from, for the compliance report's `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The file as the user named it.
    pub file: String,
    /// The sha256 of its bytes.
    pub sha256: String,
    pub kind: SourceKind,
    /// The keyid of the key the attestation verified with; `None` for a
    /// plain report.
    pub keyid: Option<String>,
    /// The attested configuration's ignores; `None` when not known.
    pub config_ignores: Option<ConfigIgnores>,
}

/// Reads `path` as evidence: a JSON report (only without `key`), or an
/// attestation, which must verify against `key` before anything in it is
/// believed.
pub fn read_evidence(
    path: &Path,
    key: Option<&VerifyingKey>,
) -> Result<(Report, Provenance), InputError> {
    with_provenance(evidence::read(path, key)?, key)
}

/// [`read_evidence`] on bytes already read; `file` names them in messages.
pub fn parse_evidence(
    file: &str,
    bytes: &[u8],
    key: Option<&VerifyingKey>,
) -> Result<(Report, Provenance), InputError> {
    with_provenance(evidence::parse(file, bytes, key)?, key)
}

fn with_provenance(
    evidence: Evidence,
    key: Option<&VerifyingKey>,
) -> Result<(Report, Provenance), InputError> {
    let Evidence {
        file,
        sha256,
        report,
        attested,
    } = evidence;
    let provenance = match attested {
        // A key given for a plain report would read as "verified".
        None if key.is_some() => return Err(InputError::NothingToVerify { file }),
        None => Provenance {
            file,
            sha256,
            kind: SourceKind::Report,
            keyid: None,
            config_ignores: None,
        },
        Some(attested) => Provenance {
            file,
            sha256,
            kind: SourceKind::Attestation,
            keyid: Some(attested.keyid),
            config_ignores: Some(config_ignores(&attested.config.effective)),
        },
    };
    Ok((report, provenance))
}

/// The `ignore` section of an attested effective configuration
/// (`config.ignore.{rules, rule-paths, paths}`). Missing parts are empty:
/// the signature already vouches for the shape.
fn config_ignores(effective: &Value) -> ConfigIgnores {
    let ignore = effective.pointer("/config/ignore");
    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let rule_paths = ignore
        .and_then(|i| i.get("rule-paths"))
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    Some(RulePaths {
                        rule: entry.get("rule")?.as_str()?.to_string(),
                        paths: strings(entry.get("paths")),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ConfigIgnores {
        rules: strings(ignore.and_then(|i| i.get("rules"))),
        rule_paths,
        paths: strings(ignore.and_then(|i| i.get("paths"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_input_is_refused_with_the_file_named() {
        let err = parse_evidence("scan.json", b"{\"tool\": ", None).unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("scan.json: not JSON ("), "{message}");

        let err = parse_evidence("scan.json", b"{\"tool\": {}}", None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("scan.json: not a tallyman scan report: "),
            "{err}"
        );

        let err = parse_evidence("scan.json", &[0xff, 0xfe, 0x00], None).unwrap_err();
        assert!(err.to_string().starts_with("scan.json: not UTF-8"), "{err}");

        let err = parse_evidence(
            "a.jsonl",
            b"{\"payloadType\": 1}\n{\"payloadType\": 2}\n",
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("several envelopes"), "{err}");
    }

    #[test]
    fn an_attestation_needs_a_key_and_a_key_needs_an_attestation() {
        let err = parse_evidence("a.intoto.jsonl", br#"{"payloadType": "x"}"#, None).unwrap_err();
        assert!(err.to_string().contains("give --verify-key PUB"), "{err}");
    }

    #[test]
    fn ignores_are_read_from_the_effective_configuration() {
        let effective = serde_json::json!({
            "config": {"ignore": {
                "rules": ["HD001"],
                "rule-paths": [{"rule": "HD007", "paths": ["services/web/**"]}],
                "paths": ["legacy/**"]
            }}
        });
        assert_eq!(
            config_ignores(&effective),
            ConfigIgnores {
                rules: vec!["HD001".into()],
                rule_paths: vec![RulePaths {
                    rule: "HD007".into(),
                    paths: vec!["services/web/**".into()]
                }],
                paths: vec!["legacy/**".into()],
            }
        );
        assert_eq!(
            config_ignores(&serde_json::json!({})),
            ConfigIgnores::default()
        );
    }
}
