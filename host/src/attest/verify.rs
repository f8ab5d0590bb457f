//! Checking a signed scan: the envelope, the signature, the statement, and
//! (on request) the scanned files as they are on disk now.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use super::dsse::{self, Malformed};
use super::keys::keyid;
use super::options::RunOptions;
use super::statement::{
    PAYLOAD_TYPE, SCAN_PREDICATE_TYPE, STATEMENT_TYPE, Statement, canonical_json,
};
use crate::discover;

/// Why an attestation does not verify. Each has its own message, because
/// "the file was edited" and "you have the wrong key" call for different
/// actions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Malformed(#[from] Malformed),
    #[error("wrong payloadType: `{found}`, expected `{PAYLOAD_TYPE}` (an in-toto statement)")]
    WrongPayloadType { found: String },
    #[error(
        "not signed by this key: the key's keyid is {expected}, the envelope's signatures are by {}",
        found.join(", ")
    )]
    NotSignedByThisKey {
        expected: String,
        found: Vec<String>,
    },
    #[error(
        "bad signature: the signature by keyid {keyid} does not match the envelope's contents (the payload or the signature was altered)"
    )]
    BadSignature { keyid: String },
    #[error("the payload is not a tallyman scan statement: {reason}")]
    BadStatement { reason: String },
}

/// A verified attestation.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The keyid of the key that verified it.
    pub keyid: String,
    pub statement: Statement,
}

/// Verifies one envelope (one line of a `.intoto.jsonl`) against `key`.
///
/// Order of checks: shape, payload type, a signature by this key (by keyid;
/// signatures without a keyid are tried too, as DSSE makes it optional),
/// the signature itself, then the statement. The keyid only chooses which
/// signature to try: it is not signed, so it proves nothing on its own.
pub fn verify_envelope(text: &str, key: &VerifyingKey) -> Result<Verified, VerifyError> {
    let envelope = dsse::decode(text)?;
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(VerifyError::WrongPayloadType {
            found: envelope.payload_type,
        });
    }
    let expected = keyid(key).map_err(|e| VerifyError::BadStatement {
        reason: format!("{e:#}"),
    })?;
    let candidates: Vec<&dsse::DecodedSignature> = envelope
        .signatures
        .iter()
        .filter(|s| s.keyid.as_deref().is_none_or(|id| id == expected))
        .collect();
    if candidates.is_empty() {
        return Err(VerifyError::NotSignedByThisKey {
            expected,
            found: envelope
                .signatures
                .iter()
                .filter_map(|s| s.keyid.clone())
                .collect(),
        });
    }
    let pae = envelope.pae();
    if !candidates
        .iter()
        .any(|s| key.verify_strict(&pae, &s.sig).is_ok())
    {
        return Err(VerifyError::BadSignature { keyid: expected });
    }
    let statement = parse_statement(&envelope.payload)?;
    Ok(Verified {
        keyid: expected,
        statement,
    })
}

fn parse_statement(payload: &[u8]) -> Result<Statement, VerifyError> {
    let bad = |reason: String| VerifyError::BadStatement { reason };
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| bad(format!("not JSON: {e}")))?;
    let field = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or_default();
    if field("_type") != STATEMENT_TYPE {
        return Err(bad(format!(
            "_type is `{}`, expected `{STATEMENT_TYPE}`",
            field("_type")
        )));
    }
    if field("predicateType") != SCAN_PREDICATE_TYPE {
        return Err(bad(format!(
            "predicateType is `{}`, expected `{SCAN_PREDICATE_TYPE}`",
            field("predicateType")
        )));
    }
    let statement: Statement = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    let config = &statement.predicate.config;
    let recomputed = crate::scan::read::sha256_hex(canonical_json(&config.effective).as_bytes());
    if recomputed != config.sha256 {
        return Err(bad(format!(
            "predicate.config.sha256 is {}, but its `effective` configuration hashes to {recomputed}",
            config.sha256
        )));
    }
    Ok(statement)
}

/// How the scanned files on disk compare with the attestation's subjects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectCheck {
    pub unchanged: Vec<String>,
    pub changed: Vec<ChangedSubject>,
    /// Subjects no longer on disk.
    pub vanished: Vec<String>,
    /// Subjects that exist but cannot be read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// Dockerfiles the scan's discovery finds now that the scan did not
    /// list at all (targets it skipped or failed are not "added").
    pub added: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedSubject {
    pub name: String,
    pub attested: String,
    pub now: String,
}

impl SubjectCheck {
    pub fn all_match(&self) -> bool {
        self.changed.is_empty()
            && self.vanished.is_empty()
            && self.unreadable.is_empty()
            && self.added.is_empty()
    }
}

/// Re-hashes every subject under `root` and re-runs the scan's discovery
/// (same inputs and options as recorded in the statement) to find files
/// that were added since.
pub fn check_subjects(statement: &Statement, root: &Path) -> anyhow::Result<SubjectCheck> {
    // An image's subject is its manifest digest, not a file under a root.
    if let Some(image) = statement.predicate.report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["kind"] == "image")
    {
        anyhow::bail!(
            "--check-subjects re-hashes files, but this attestation is for the image `{}`: \
             compare its subject's sha256 with the image's manifest digest instead \
             (`skopeo inspect --raw REF | sha256sum`)",
            image["path"].as_str().unwrap_or_default()
        );
    }
    let mut check = SubjectCheck::default();
    for subject in &statement.subject {
        let path = root.join(&subject.name);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let now = crate::scan::read::sha256_hex(&bytes);
                if now.eq_ignore_ascii_case(&subject.digest.sha256) {
                    check.unchanged.push(subject.name.clone());
                } else {
                    check.changed.push(ChangedSubject {
                        name: subject.name.clone(),
                        attested: subject.digest.sha256.clone(),
                        now,
                    });
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                check.vanished.push(subject.name.clone());
            }
            Err(err) => check
                .unreadable
                .push((subject.name.clone(), err.to_string())),
        }
    }
    let known = attested_targets(statement);
    let options = RunOptions::from_effective(&statement.predicate.config.effective);
    let inputs: Vec<PathBuf> = if statement.predicate.inputs.is_empty() {
        vec![root.to_path_buf()]
    } else {
        statement
            .predicate
            .inputs
            .iter()
            .map(|input| {
                if input == "." {
                    root.to_path_buf()
                } else {
                    root.join(input)
                }
            })
            .collect()
    };
    // Inputs that no longer exist show up as vanished subjects; discovery
    // errors are not additions.
    let discovery = discover::discover(&inputs, root, &options.discover_options())?;
    check.added = discovery
        .found
        .into_iter()
        .map(|found| found.display)
        .filter(|name| !known.contains(name))
        .collect();
    Ok(check)
}

/// Every target path the attested report lists, whatever its status.
fn attested_targets(statement: &Statement) -> BTreeSet<String> {
    let mut known: BTreeSet<String> = statement.subject.iter().map(|s| s.name.clone()).collect();
    if let Some(targets) = statement.predicate.report["targets"].as_array() {
        known.extend(
            targets
                .iter()
                .filter_map(|t| t["path"].as_str().map(str::to_string)),
        );
    }
    known
}

/// Counts by severity from the attested report, for the summary line.
pub fn findings_by_severity(statement: &Statement) -> BTreeMap<String, u64> {
    statement.predicate.report["summary"]["by_severity"]
        .as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_u64().map(|n| (k.clone(), n)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;

    use super::*;
    use crate::attest::statement::{
        AttestedVerdict, ConfigDigest, Digest, ScanPredicate, Subject, ToolVersion,
    };
    use crate::report::Verdict;

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_bytes(&[byte; 32])
    }

    fn statement() -> Statement {
        Statement {
            statement_type: STATEMENT_TYPE.to_string(),
            subject: vec![Subject {
                name: "Dockerfile".to_string(),
                digest: Digest {
                    sha256: "00".repeat(32),
                },
            }],
            predicate_type: SCAN_PREDICATE_TYPE.to_string(),
            predicate: ScanPredicate {
                tool: ToolVersion {
                    name: "tallyman".to_string(),
                    version: "0.1.0".to_string(),
                },
                verdict: AttestedVerdict {
                    result: Verdict::Pass,
                    exit_code: 0,
                },
                policies: vec![],
                config: ConfigDigest::new(None, serde_json::json!({"config": {"b": 1, "a": 2}})),
                inputs: vec![".".to_string()],
                report: serde_json::json!({}),
            },
        }
    }

    fn signed(statement: &Statement, key: &SigningKey) -> String {
        crate::attest::sign_statement(statement, key).expect("sign")
    }

    #[test]
    fn a_signed_statement_round_trips() {
        let verified = verify_envelope(&signed(&statement(), &key(1)), &key(1).verifying_key())
            .expect("verifies");
        assert_eq!(verified.statement, statement());
        assert_eq!(
            verified.keyid,
            keyid(&key(1).verifying_key()).expect("keyid")
        );
    }

    #[test]
    fn the_config_digest_is_over_canonical_json() {
        let config = &statement().predicate.config;
        assert_eq!(
            config.sha256,
            crate::scan::read::sha256_hex(br#"{"config":{"a":2,"b":1}}"#)
        );
    }

    #[test]
    fn validly_signed_statements_that_are_not_ours_are_refused() {
        let mut wrong_digest = statement();
        wrong_digest.predicate.config.sha256 = "11".repeat(32);
        let mut other_predicate = statement();
        other_predicate.predicate_type = "https://slsa.dev/provenance/v1".to_string();
        let mut other_type = statement();
        other_type.statement_type = "https://in-toto.io/Statement/v0.1".to_string();
        for (statement, expected) in [
            (wrong_digest, "predicate.config.sha256"),
            (
                other_predicate,
                "predicateType is `https://slsa.dev/provenance/v1`",
            ),
            (other_type, "_type is `https://in-toto.io/Statement/v0.1`"),
        ] {
            let err =
                verify_envelope(&signed(&statement, &key(1)), &key(1).verifying_key()).unwrap_err();
            assert!(matches!(err, VerifyError::BadStatement { .. }), "{err}");
            assert!(err.to_string().contains(expected), "{err}");
        }
    }

    #[test]
    fn a_second_signature_by_another_key_does_not_hide_ours() {
        let line = signed(&statement(), &key(1));
        let mut envelope: Value = serde_json::from_str(&line).expect("JSON");
        let theirs = dsse::sign(PAYLOAD_TYPE, b"other", &key(2)).expect("sign");
        let extra = serde_json::to_value(&theirs.signatures[0]).expect("JSON");
        envelope["signatures"]
            .as_array_mut()
            .expect("array")
            .insert(0, extra);
        let text = envelope.to_string();
        assert!(verify_envelope(&text, &key(1).verifying_key()).is_ok());
        // Key 2's signature is over other bytes: it is found by keyid, and bad.
        assert!(matches!(
            verify_envelope(&text, &key(2).verifying_key()),
            Err(VerifyError::BadSignature { .. })
        ));
    }
}
