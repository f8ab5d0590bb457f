//! The DSSE specification's own examples, reproduced byte for byte.
//!
//! Sources (secure-systems-lab/dsse, Apache-2.0):
//! - `protocol.md`, "Test Vectors": the PAE of `hello world` as
//!   `http://example.com/HelloWorld`. (Its signature there is ECDSA P-256,
//!   which tallyman does not use, so only the PAE is checked.)
//! - `testvectors/vectors.json`: ed25519 envelopes signed with the RFC 8032
//!   §7.1 TEST 1 key (so signatures are deterministic), each with the hex of
//!   its PAE and whether a verifier must accept it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use super::*;
use crate::attest::verify::{VerifyError, verify_envelope};

/// RFC 8032 §7.1 TEST 1, key "A" of vectors.json.
const SEED_A: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PUBLIC_A: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn key_a() -> SigningKey {
    let seed: [u8; 32] = unhex(SEED_A).try_into().expect("32 bytes");
    let key = SigningKey::from_bytes(&seed);
    assert_eq!(key.verifying_key().to_bytes().to_vec(), unhex(PUBLIC_A));
    key
}

#[test]
fn pae_of_the_protocol_example() {
    assert_eq!(
        pae(b"http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
    );
}

/// One accepted ed25519 vector: (id, payloadType, payload base64, sig base64, PAE hex).
const ACCEPTED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "single-signature",
        "application/vnd.in-toto+json",
        "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
        "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==",
        "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
    ),
    (
        "url-safe-base64",
        "application/vnd.in-toto+json",
        "-_-_Pj8=",
        "P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==",
        "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f",
    ),
    (
        "non-ascii-payload-type",
        "application/vnd.exämple+json",
        "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
        "xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==",
        "445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
    ),
    (
        "empty-payload",
        "application/vnd.in-toto+json",
        "",
        "gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==",
        "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020",
    ),
];

/// For every accepted vector: our PAE is the published one, our signature
/// with the same key is the published one, byte for byte, and the published
/// envelope decodes and verifies.
#[test]
fn ed25519_vectors_are_reproduced_byte_for_byte() {
    let key = key_a();
    let public: VerifyingKey = key.verifying_key();
    let mut failures = Vec::new();
    for (id, payload_type, payload_b64, sig_b64, pae_hex) in ACCEPTED {
        let payload = decode_base64(payload_b64).expect("payload base64");
        let ours = pae(payload_type.as_bytes(), &payload);
        if ours != unhex(pae_hex) {
            failures.push(format!(
                "{id}: PAE differs:\n  ours: {ours:02x?}\n  spec: {pae_hex}"
            ));
            continue;
        }
        let signature = key.sign(&ours).to_bytes();
        let published = decode_base64(sig_b64).expect("sig base64");
        if signature.to_vec() != published {
            failures.push(format!(
                "{id}: signature differs:\n  ours: {}\n  spec: {sig_b64}",
                STANDARD.encode(signature)
            ));
        }
        let envelope = serde_json::json!({
            "payload": payload_b64,
            "payloadType": payload_type,
            "signatures": [{"sig": sig_b64, "keyid": "A"}],
        })
        .to_string();
        match decode(&envelope) {
            Ok(decoded) => {
                if decoded.pae() != ours {
                    failures.push(format!("{id}: decoded envelope has another PAE"));
                }
                let verifies = decoded
                    .signatures
                    .iter()
                    .any(|s| public.verify_strict(&decoded.pae(), &s.sig).is_ok());
                if !verifies {
                    failures.push(format!("{id}: published signature does not verify"));
                }
            }
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Our own envelope for the first vector's payload is the published one.
#[test]
fn sign_produces_the_published_single_signature_envelope() {
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1"}"#;
    let envelope = sign("application/vnd.in-toto+json", payload, &key_a()).expect("sign");
    assert_eq!(
        envelope.payload,
        "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ=="
    );
    assert_eq!(envelope.signatures.len(), 1);
    assert_eq!(
        envelope.signatures[0].sig,
        "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA=="
    );
}

/// "payload-type-swapped": the signature covers the in-toto type, the
/// envelope claims another. Rejected either way: by the type check, and
/// (were the type accepted) by the signature, since the PAE covers the type.
#[test]
fn swapped_payload_type_is_rejected() {
    let key = key_a();
    let envelope = serde_json::json!({
        "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
        "payloadType": "application/vnd.example.other+json",
        "signatures": [{"sig": "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA=="}],
    })
    .to_string();
    let err = verify_envelope(&envelope, &key.verifying_key()).unwrap_err();
    assert!(matches!(err, VerifyError::WrongPayloadType { .. }), "{err}");
    let decoded = decode(&envelope).expect("well-formed");
    assert!(decoded.signatures.iter().all(|s| {
        key.verifying_key()
            .verify_strict(&decoded.pae(), &s.sig)
            .is_err()
    }));
}

/// "empty-payload-type": a valid signature over an empty type, which no
/// verifier supports.
#[test]
fn empty_payload_type_is_rejected() {
    let envelope = serde_json::json!({
        "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
        "payloadType": "",
        "signatures": [{"sig": "iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg==", "keyid": "A"}],
    })
    .to_string();
    let decoded = decode(&envelope).expect("well-formed");
    assert_eq!(
        decoded.pae(),
        unhex(
            "445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d"
        )
    );
    let err = verify_envelope(&envelope, &key_a().verifying_key()).unwrap_err();
    assert_eq!(
        err,
        VerifyError::WrongPayloadType {
            found: String::new()
        }
    );
}

#[test]
fn malformed_envelopes_name_the_field() {
    let cases = [
        ("[]", "(document)"),
        ("not json", "(document)"),
        (r#"{"payload":"","signatures":[]}"#, "payloadType"),
        (
            r#"{"payloadType":1,"payload":"","signatures":[]}"#,
            "payloadType",
        ),
        (r#"{"payloadType":"t","signatures":[]}"#, "payload"),
        (
            r#"{"payloadType":"t","payload":"***","signatures":[]}"#,
            "payload",
        ),
        (r#"{"payloadType":"t","payload":""}"#, "signatures"),
        (
            r#"{"payloadType":"t","payload":"","signatures":[]}"#,
            "signatures",
        ),
        (
            r#"{"payloadType":"t","payload":"","signatures":[1]}"#,
            "signatures[0]",
        ),
        (
            r#"{"payloadType":"t","payload":"","signatures":[{}]}"#,
            "signatures[0].sig",
        ),
        (
            r#"{"payloadType":"t","payload":"","signatures":[{"sig":"AAAA"}]}"#,
            "signatures[0].sig",
        ),
        (
            r#"{"payloadType":"t","payload":"","signatures":[{"sig":"%%"}]}"#,
            "signatures[0].sig",
        ),
        (
            r#"{"payloadType":"t","payload":"","signatures":[{"sig":"","keyid":7}]}"#,
            "signatures[0].keyid",
        ),
    ];
    let mut failures = Vec::new();
    for (text, field) in cases {
        match decode(text) {
            Ok(_) => failures.push(format!("{text}: accepted")),
            Err(e) if e.field != field => failures.push(format!(
                "{text}: names `{}`, expected `{field}` ({e})",
                e.field
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn base64_in_either_alphabet_with_or_without_padding() {
    let bytes = [0xfb, 0xff, 0xbf, 0x3e, 0x3f];
    for text in ["+/+/Pj8=", "+/+/Pj8", "-_-_Pj8=", "-_-_Pj8"] {
        assert_eq!(
            decode_base64(text).as_deref(),
            Some(bytes.as_slice()),
            "{text}"
        );
    }
    assert_eq!(decode_base64("+_"), None);
}
