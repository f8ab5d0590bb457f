//! Signed results (README, "Signed results"): DSSE envelopes carrying in-toto
//! statements about a scan, ed25519 keys in PEM, their verification, and
//! signed policy modules.
//!
//! A signed scan writes one envelope per line (`.intoto.jsonl`); its
//! signature covers the DSSE PAE bytes, so OpenSSL can check it without
//! tallyman (`openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin`).

pub mod dsse;
pub mod evidence;
pub mod keys;
pub mod options;
pub mod policy_sig;
pub mod statement;
pub mod verify;

use ed25519_dalek::SigningKey;

use statement::{PAYLOAD_TYPE, Statement};

/// Signs a statement: the envelope as one line of JSON, newline included.
pub fn sign_statement(statement: &Statement, key: &SigningKey) -> anyhow::Result<String> {
    let payload = serde_json::to_vec(statement)?;
    let envelope = dsse::sign(PAYLOAD_TYPE, &payload, key)?;
    let mut line = serde_json::to_string(&envelope)?;
    line.push('\n');
    Ok(line)
}
