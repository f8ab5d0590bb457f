//! Reading a scan's results back: a `-f json` report, or a signed
//! attestation (`scan --sign`) that must verify against a key before
//! anything in it is believed. `tallyman merge` and `tallyman report` read
//! their inputs through here.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use super::statement::ConfigDigest;
use super::verify;
use crate::report::Report;
use crate::scan::read::sha256_hex;

/// Why a file is not usable evidence. Each message starts with the file.
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

/// A report as read from a file.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The file as the user named it.
    pub file: String,
    /// The sha256 of its bytes.
    pub sha256: String,
    pub report: Report,
    /// What the signature vouches for besides the report; `None` for a
    /// plain JSON report.
    pub attested: Option<Attested>,
}

/// The verified parts of an attestation.
#[derive(Debug, Clone)]
pub struct Attested {
    /// The keyid of the key it verified with.
    pub keyid: String,
    /// The effective configuration the scan ran with.
    pub config: ConfigDigest,
    /// The paths the scan was given.
    pub inputs: Vec<String>,
}

/// Reads `path`: a JSON report, or an attestation that must verify against
/// `key` (an attestation without a key is refused).
pub fn read(path: &Path, key: Option<&VerifyingKey>) -> Result<Evidence, InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Read {
        file: file.clone(),
        source,
    })?;
    parse(&file, &bytes, key)
}

/// [`read`] on bytes already read; `file` names them in messages.
pub fn parse(file: &str, bytes: &[u8], key: Option<&VerifyingKey>) -> Result<Evidence, InputError> {
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
        let report = report_from(&file, value)?;
        return Ok(Evidence {
            file,
            sha256,
            report,
            attested: None,
        });
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
    // for, or what it says about its configuration would not be attested.
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
    Ok(Evidence {
        file,
        sha256,
        report,
        attested: Some(Attested {
            keyid: verified.keyid,
            config: predicate.config,
            inputs: predicate.inputs,
        }),
    })
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
