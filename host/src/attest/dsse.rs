//! DSSE, the Dead Simple Signing Envelope: the pre-authentication encoding
//! that signatures cover, and the JSON envelope that carries payload and
//! signatures.
//!
//! Envelopes are read from untrusted files, so parsing goes through
//! [`serde_json::Value`] field by field: every failure names the field.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use ed25519_dalek::{SIGNATURE_LENGTH, Signature, Signer, SigningKey};
use serde::Serialize;
use serde_json::Value;

use super::keys::keyid;

/// The DSSE Pre-Authentication Encoding of a payload and its type:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in bytes,
/// as ASCII decimal. Signatures cover these bytes, never the payload alone,
/// so a signature cannot be replayed under another payload type.
pub fn pae(payload_type: &[u8], body: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = body.len().to_string();
    let mut out =
        Vec::with_capacity(10 + type_len.len() + payload_type.len() + body_len.len() + body.len());
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type);
    out.push(b' ');
    out.extend_from_slice(body_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body);
    out
}

/// An envelope as written: base64 (standard alphabet, padded) payload and
/// signatures, field names as the DSSE envelope format spells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvelopeSignature {
    pub keyid: String,
    pub sig: String,
}

/// Signs `body` as `payload_type` with `key`: one signature over the PAE,
/// labelled with the key's [`keyid`].
pub fn sign(payload_type: &str, body: &[u8], key: &SigningKey) -> anyhow::Result<Envelope> {
    let signature = key.sign(&pae(payload_type.as_bytes(), body));
    Ok(Envelope {
        payload_type: payload_type.to_string(),
        payload: STANDARD.encode(body),
        signatures: vec![EnvelopeSignature {
            keyid: keyid(&key.verifying_key())?,
            sig: STANDARD.encode(signature.to_bytes()),
        }],
    })
}

/// An envelope whose fields have been decoded, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedEnvelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<DecodedSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedSignature {
    /// Optional in DSSE: a hint for choosing the key, never trusted.
    pub keyid: Option<String>,
    pub sig: Signature,
}

impl DecodedEnvelope {
    /// The bytes the signatures are over.
    pub fn pae(&self) -> Vec<u8> {
        pae(self.payload_type.as_bytes(), &self.payload)
    }
}

/// What is wrong with an envelope's shape, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed envelope: {field}: {reason}")]
pub struct Malformed {
    pub field: String,
    pub reason: String,
}

fn malformed(field: impl Into<String>, reason: impl Into<String>) -> Malformed {
    Malformed {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Decodes base64 in either alphabet, padded or not: DSSE verifiers must
/// accept both standard and URL-safe encodings.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let url_safe = text.contains(['-', '_']);
    let padded = text.ends_with('=');
    let engine = match (url_safe, padded) {
        (false, true) => &STANDARD,
        (false, false) => &STANDARD_NO_PAD,
        (true, true) => &URL_SAFE,
        (true, false) => &URL_SAFE_NO_PAD,
    };
    engine.decode(text).ok()
}

fn string_field<'a>(object: &'a Value, field: &str, name: &str) -> Result<&'a str, Malformed> {
    match object.get(field) {
        None => Err(malformed(name, "missing")),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(malformed(
            name,
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one JSON envelope and decodes its base64 fields.
pub fn decode(text: &str) -> Result<DecodedEnvelope, Malformed> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| malformed("(document)", format!("not JSON: {e}")))?;
    if !value.is_object() {
        return Err(malformed(
            "(document)",
            format!("expected a JSON object, found {}", kind(&value)),
        ));
    }
    let payload_type = string_field(&value, "payloadType", "payloadType")?.to_string();
    let payload = decode_base64(string_field(&value, "payload", "payload")?)
        .ok_or_else(|| malformed("payload", "not base64"))?;
    let signatures = match value.get("signatures") {
        None => return Err(malformed("signatures", "missing")),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(malformed(
                "signatures",
                format!("expected an array, found {}", kind(other)),
            ));
        }
    };
    if signatures.is_empty() {
        return Err(malformed("signatures", "empty: the envelope is not signed"));
    }
    let signatures = signatures
        .iter()
        .enumerate()
        .map(|(i, entry)| decode_signature(entry, i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DecodedEnvelope {
        payload_type,
        payload,
        signatures,
    })
}

fn decode_signature(entry: &Value, index: usize) -> Result<DecodedSignature, Malformed> {
    let name = |field: &str| format!("signatures[{index}].{field}");
    if !entry.is_object() {
        return Err(malformed(
            format!("signatures[{index}]"),
            format!("expected an object, found {}", kind(entry)),
        ));
    }
    let keyid = match entry.get("keyid") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.is_empty() => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            return Err(malformed(
                name("keyid"),
                format!("expected a string, found {}", kind(other)),
            ));
        }
    };
    let raw = decode_base64(string_field(entry, "sig", &name("sig"))?)
        .ok_or_else(|| malformed(name("sig"), "not base64"))?;
    let bytes: [u8; SIGNATURE_LENGTH] = raw.as_slice().try_into().map_err(|_| {
        malformed(
            name("sig"),
            format!(
                "{} bytes, an ed25519 signature has {SIGNATURE_LENGTH}",
                raw.len()
            ),
        )
    })?;
    Ok(DecodedSignature {
        keyid,
        sig: Signature::from_bytes(&bytes),
    })
}

#[cfg(test)]
mod tests;
