//! Reading the evidence: a `-f json` scan report, or a signed attestation
//! (`scan --sign`) that must verify against the key given.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use super::model::{ConfigIgnores, RulePaths, SourceKind};
use crate::attest::verify;
use crate::report::Report;
use crate::scan::read::sha256_hex;

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

/// Why the input cannot be assessed. Each message starts with the file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: cannot read it: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error(
        "{file}: not UTF-8 text; give a `tallyman scan -f json` report or a `.intoto.jsonl` attestation"
    )]
    NotText { file: String },
    #[error(
        "{file}: not JSON ({reason}); give a `tallyman scan -f json` report or a `.intoto.jsonl` attestation"
    )]
    NotJson { file: String, reason: String },
    #[error("{file}: holds several envelopes; give a file with one attestation")]
    SeveralEnvelopes { file: String },
    #[error("{file}: not a tallyman scan report: {reason}")]
    NotAReport { file: String, reason: String },
    #[error(
        "{file}: a signed attestation; give --verify-key PUB (the signer's public key) to verify it"
    )]
    KeyNeeded { file: String },
    #[error(
        "{file}: a plain JSON report, which carries no signature for --verify-key to check; give the scan's attestation (`scan --sign KEY` writes REPORT.intoto.jsonl), or leave --verify-key out to assess the unverified report"
    )]
    NothingToVerify { file: String },
    #[error("{file}: does not verify, so it cannot be evidence: {reason}")]
    DoesNotVerify { file: String, reason: String },
}

/// Reads `path` as evidence: a JSON report (only without `key`), or an
/// attestation, which must verify against `key` before anything in it is
/// believed.
pub fn read_evidence(
    path: &Path,
    key: Option<&VerifyingKey>,
) -> Result<(Report, Provenance), InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Read {
        file: file.clone(),
        source,
    })?;
    parse_evidence(&file, &bytes, key)
}

/// [`read_evidence`] on bytes already read; `file` names them in messages.
pub fn parse_evidence(
    file: &str,
    bytes: &[u8],
    key: Option<&VerifyingKey>,
) -> Result<(Report, Provenance), InputError> {
    let file = file.to_string();
    let sha256 = sha256_hex(bytes);
    let text =
        std::str::from_utf8(bytes).map_err(|_| InputError::NotText { file: file.clone() })?;
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        // A .intoto.jsonl may hold one envelope per line.
        Err(_) if text.trim().lines().count() > 1 && text.trim_start().starts_with('{') => {
            let first_line_parses = text
                .trim()
                .lines()
                .next()
                .is_some_and(|line| serde_json::from_str::<Value>(line).is_ok());
            if first_line_parses {
                return Err(InputError::SeveralEnvelopes { file });
            }
            return Err(not_json(&file, text));
        }
        Err(_) => return Err(not_json(&file, text)),
    };
    if value.get("payloadType").is_none() {
        if key.is_some() {
            return Err(InputError::NothingToVerify { file });
        }
        let report = report_from(&file, value)?;
        return Ok((
            report,
            Provenance {
                file,
                sha256,
                kind: SourceKind::Report,
                keyid: None,
                config_ignores: None,
            },
        ));
    }
    let Some(key) = key else {
        return Err(InputError::KeyNeeded { file });
    };
    let verified =
        verify::verify_envelope(text.trim(), key).map_err(|e| InputError::DoesNotVerify {
            file: file.clone(),
            reason: e.to_string(),
        })?;
    let predicate = verified.statement.predicate;
    let report = report_from(&file, predicate.report)?;
    // The report's own record of its configuration must be the one signed
    // for, or the ignores shown would not be the ones that applied.
    if let Some(recorded) = &report.run.config_sha256
        && recorded != &predicate.config.sha256
    {
        return Err(InputError::NotAReport {
            file,
            reason: format!(
                "the attested report's run.config_sha256 ({recorded}) is not the attestation's configuration digest ({})",
                predicate.config.sha256
            ),
        });
    }
    Ok((
        report,
        Provenance {
            file,
            sha256,
            kind: SourceKind::Attestation,
            keyid: Some(verified.keyid),
            config_ignores: Some(config_ignores(&predicate.config.effective)),
        },
    ))
}

fn not_json(file: &str, text: &str) -> InputError {
    let reason = match serde_json::from_str::<Value>(text) {
        Err(e) => e.to_string(),
        Ok(_) => "unexpected content".to_string(),
    };
    InputError::NotJson {
        file: file.to_string(),
        reason,
    }
}

fn report_from(file: &str, value: Value) -> Result<Report, InputError> {
    serde_json::from_value(value).map_err(|e| InputError::NotAReport {
        file: file.to_string(),
        reason: e.to_string(),
    })
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
