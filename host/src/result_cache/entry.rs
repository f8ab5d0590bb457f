//! Stored values: a seal, then the postcard encoding of what is stored.
//!
//! SQLite checks its own structure but not the bytes of a value, so each
//! value carries the first 16 bytes of a sha256 over its key and payload: a
//! value damaged on disk, or copied under another key, fails the check and
//! is treated as a miss, never decoded into findings.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tallyman_dockerfile::model::Finding;

/// A target's entry as stored.
#[derive(Deserialize)]
pub struct TargetEntry<F> {
    pub facts: F,
    pub results: Vec<PolicyResult>,
}

/// One policy's result in a target's entry (the entry lists the most
/// recently evaluated first).
#[derive(Deserialize)]
pub struct PolicyResult {
    /// The policy's key.
    pub policy: [u8; 32],
    pub findings: Vec<Finding>,
}

/// A [`TargetEntry`] to store, borrowing what it holds (the same encoding).
#[derive(Serialize)]
pub struct TargetEntryRef<'a, F> {
    pub facts: &'a F,
    pub results: Vec<PolicyResultRef<'a>>,
}

#[derive(Serialize)]
pub struct PolicyResultRef<'a> {
    pub policy: &'a [u8; 32],
    pub findings: &'a [Finding],
}

const SEAL_LEN: usize = 16;

fn seal(key: &[u8; 32], payload: &[u8]) -> [u8; SEAL_LEN] {
    let mut hasher = Sha256::new();
    // v2: findings gained `autofix`; an entry written before would decode
    // into the wrong fields, so it must fail the seal instead.
    hasher.update(b"tallyman result entry v2");
    hasher.update(key);
    hasher.update(payload);
    let digest = hasher.finalize();
    let mut seal = [0u8; SEAL_LEN];
    seal.copy_from_slice(&digest[..SEAL_LEN]);
    seal
}

/// The value to store under `key`, or `None` if `value` cannot be encoded
/// (then it is simply not cached).
pub fn encode<T: Serialize>(key: &[u8; 32], value: &T) -> Option<Vec<u8>> {
    let payload = postcard::to_allocvec(value).ok()?;
    let mut stored = Vec::with_capacity(SEAL_LEN + payload.len());
    stored.extend_from_slice(&seal(key, &payload));
    stored.extend_from_slice(&payload);
    Some(stored)
}

/// What was stored under `key`, if the value is whole and meant for it.
pub fn decode<T: DeserializeOwned>(key: &[u8; 32], stored: &[u8]) -> Option<T> {
    let (stored_seal, payload) = stored.split_at_checked(SEAL_LEN)?;
    if stored_seal != seal(key, payload) {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_as_written() {
        let key = [1u8; 32];
        let finding = Finding {
            rule_id: "BI001".into(),
            message: "pin it".into(),
            span: None,
            stage: Some(1),
            fix: Some("use a digest".into()),
            severity: None,
            autofix: None,
        };
        let findings = vec![finding];
        let written = TargetEntryRef {
            facts: &"facts".to_string(),
            results: vec![
                PolicyResultRef {
                    policy: &[2u8; 32],
                    findings: &findings,
                },
                PolicyResultRef {
                    policy: &[3u8; 32],
                    findings: &[],
                },
            ],
        };
        let stored = encode(&key, &written).unwrap();
        let read: TargetEntry<String> = decode(&key, &stored).unwrap();
        assert_eq!(read.facts, "facts");
        assert_eq!(read.results.len(), 2);
        assert_eq!(read.results[0].policy, [2u8; 32]);
        assert_eq!(read.results[0].findings, findings);
        assert_eq!(read.results[1].policy, [3u8; 32]);
        assert!(read.results[1].findings.is_empty());
    }

    #[test]
    fn damaged_or_misplaced_values_are_refused() {
        let key = [7u8; 32];
        let value = vec!["a".to_string(), "finding".to_string()];
        let stored = encode(&key, &value).unwrap();
        assert_eq!(decode::<Vec<String>>(&key, &stored), Some(value));
        assert_eq!(decode::<Vec<String>>(&[8u8; 32], &stored), None);
        for i in 0..stored.len() {
            let mut damaged = stored.clone();
            damaged[i] ^= 0x01;
            assert_eq!(decode::<Vec<String>>(&key, &damaged), None, "byte {i}");
        }
        assert_eq!(decode::<Vec<String>>(&key, &stored[..10]), None);
        assert_eq!(decode::<Vec<String>>(&key, &[]), None);
    }
}
