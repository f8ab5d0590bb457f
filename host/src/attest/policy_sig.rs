//! Signed and pinned policy modules.
//!
//! `tallyman policy sign FILE --key KEY` writes `FILE.sig`:
//!
//! ```json
//! {"keyid": "<hex sha256 of the signer's SPKI DER>",
//!  "sha256": "<hex sha256 of FILE's bytes>",
//!  "signature": "<base64 ed25519 signature>"}
//! ```
//!
//! The signed bytes are the ASCII text [`SIGNED_PREFIX`] followed by the
//! module's sha256 in lower-case hex, no newline:
//! `tallyman-policy-v1 sha256:<64 hex digits>`. Signing the digest (not the
//! module) keeps signatures small and checkable with `sha256sum` and
//! `openssl pkeyutl -rawin`; the prefix makes a policy signature useless as
//! any other kind of signature made with the same key (a DSSE PAE always
//! starts with `DSSEv1 `).

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::dsse::decode_base64;
use super::keys::keyid;
use crate::scan::read::sha256_hex;

/// What precedes the hex digest in the signed bytes.
pub const SIGNED_PREFIX: &str = "tallyman-policy-v1 sha256:";

/// The contents of a `.sig` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySignature {
    pub keyid: String,
    pub sha256: String,
    pub signature: String,
}

/// The bytes a policy signature covers, for a module with this sha256 (hex).
pub fn signed_bytes(sha256: &str) -> Vec<u8> {
    format!("{SIGNED_PREFIX}{}", sha256.to_ascii_lowercase()).into_bytes()
}

/// Where a module's signature lives: the module's path with `.sig` appended.
pub fn signature_path(module: &Path) -> PathBuf {
    let mut name = module.as_os_str().to_os_string();
    name.push(".sig");
    PathBuf::from(name)
}

/// Signs a module's bytes.
pub fn sign_module(module: &[u8], key: &SigningKey) -> anyhow::Result<PolicySignature> {
    let sha256 = sha256_hex(module);
    let signature = key.sign(&signed_bytes(&sha256));
    Ok(PolicySignature {
        keyid: keyid(&key.verifying_key())?,
        sha256,
        signature: STANDARD.encode(signature.to_bytes()),
    })
}

/// The public keys named by `trusted-policy-keys`, with their keyids.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<(String, VerifyingKey)>,
}

impl TrustedKeys {
    /// Reads every key file; `base` resolves relative paths (the config's directory).
    pub fn load(paths: &[PathBuf], base: &Path) -> anyhow::Result<TrustedKeys> {
        let mut keys = Vec::with_capacity(paths.len());
        for path in paths {
            let path = base.join(path);
            let key = super::keys::read_verifying_key(&path)
                .with_context(|| "trusted-policy-keys: cannot use this key".to_string())?;
            keys.push((keyid(&key)?, key));
        }
        Ok(TrustedKeys { keys })
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn get(&self, keyid: &str) -> Option<&VerifyingKey> {
        self.keys
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(keyid))
            .map(|(_, key)| key)
    }
}

/// Why a policy module is refused. The message is the reason only; the
/// caller names the policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("sha256 mismatch: the config pins sha256:{pinned}, the file is sha256:{actual}")]
    PinMismatch { pinned: String, actual: String },
    #[error(
        "missing signature: {} does not exist, and trusted-policy-keys requires every non-built-in policy to be signed (`tallyman policy sign`)",
        path.display()
    )]
    MissingSignature { path: PathBuf },
    #[error("unreadable signature: {}: {reason}", path.display())]
    UnreadableSignature { path: PathBuf, reason: String },
    #[error("unknown key: signed by keyid {keyid}, which is not one of the trusted-policy-keys")]
    UnknownKey { keyid: String },
    #[error("bad signature: the signature in {} does not verify with the key {keyid}", path.display())]
    BadSignature { path: PathBuf, keyid: String },
    #[error(
        "signature for other bytes: {} signs sha256:{signed}, the file is sha256:{actual}",
        path.display()
    )]
    OtherBytes {
        path: PathBuf,
        signed: String,
        actual: String,
    },
}

/// Checks a module's bytes against its pin (if any) and, when trusted keys
/// are configured, against its `.sig` file. The one gate every non-built-in
/// policy passes before it is compiled.
pub fn check_module(
    module_path: &Path,
    module: &[u8],
    pin: Option<&str>,
    trusted: &TrustedKeys,
) -> Result<(), Refusal> {
    let actual = sha256_hex(module);
    if let Some(pin) = pin {
        let pinned = pin.strip_prefix("sha256:").unwrap_or(pin);
        if !pinned.eq_ignore_ascii_case(&actual) {
            return Err(Refusal::PinMismatch {
                pinned: pinned.to_string(),
                actual,
            });
        }
    }
    if trusted.is_empty() {
        return Ok(());
    }
    let path = signature_path(module_path);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(Refusal::MissingSignature { path });
        }
        Err(err) => {
            return Err(Refusal::UnreadableSignature {
                path,
                reason: err.to_string(),
            });
        }
    };
    let signature: PolicySignature =
        serde_json::from_str(&text).map_err(|e| Refusal::UnreadableSignature {
            path: path.clone(),
            reason: format!("not a tallyman policy signature ({e})"),
        })?;
    let Some(key) = trusted.get(&signature.keyid) else {
        return Err(Refusal::UnknownKey {
            keyid: signature.keyid,
        });
    };
    let bad = || Refusal::BadSignature {
        path: path.clone(),
        keyid: signature.keyid.clone(),
    };
    let raw = decode_base64(&signature.signature).ok_or_else(bad)?;
    let sig = ed25519_dalek::Signature::from_slice(&raw).map_err(|_| bad())?;
    key.verify_strict(&signed_bytes(&signature.sha256), &sig)
        .map_err(|_| bad())?;
    if !signature.sha256.eq_ignore_ascii_case(&actual) {
        return Err(Refusal::OtherBytes {
            path,
            signed: signature.sha256,
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a trusted `.pub` for `key` and returns the loaded set.
    fn trust(dir: &Path, key: &SigningKey) -> TrustedKeys {
        use ed25519_dalek::pkcs8::EncodePublicKey;
        use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
        let pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        std::fs::write(dir.join("trusted.pub"), pem).expect("write");
        TrustedKeys::load(&[PathBuf::from("trusted.pub")], dir).expect("load")
    }

    #[test]
    fn the_signed_bytes_are_the_prefixed_lower_case_digest() {
        assert_eq!(
            signed_bytes(&"AB".repeat(32)),
            format!("tallyman-policy-v1 sha256:{}", "ab".repeat(32)).into_bytes()
        );
    }

    #[test]
    fn each_refusal_has_its_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let module_path = dir.path().join("p.wasm");
        let module = b"module bytes".to_vec();
        let signer = SigningKey::from_bytes(&[7; 32]);
        let trusted = trust(dir.path(), &signer);
        let sig_path = signature_path(&module_path);
        let write_sig = |sig: &PolicySignature| {
            std::fs::write(&sig_path, serde_json::to_string(sig).expect("JSON")).expect("write")
        };

        // No keys, no pin: anything goes.
        assert_eq!(
            check_module(&module_path, &module, None, &TrustedKeys::default()),
            Ok(())
        );
        let pin = sha256_hex(&module);
        assert_eq!(
            check_module(
                &module_path,
                &module,
                Some(&format!("sha256:{pin}")),
                &TrustedKeys::default()
            ),
            Ok(())
        );
        assert!(matches!(
            check_module(
                &module_path,
                &module,
                Some(&"0".repeat(64)),
                &TrustedKeys::default()
            ),
            Err(Refusal::PinMismatch { .. })
        ));

        assert!(matches!(
            check_module(&module_path, &module, None, &trusted),
            Err(Refusal::MissingSignature { .. })
        ));

        let good = sign_module(&module, &signer).expect("sign");
        write_sig(&good);
        assert_eq!(check_module(&module_path, &module, None, &trusted), Ok(()));

        write_sig(&sign_module(&module, &SigningKey::from_bytes(&[8; 32])).expect("sign"));
        assert!(matches!(
            check_module(&module_path, &module, None, &trusted),
            Err(Refusal::UnknownKey { .. })
        ));

        write_sig(&PolicySignature {
            sha256: "00".repeat(32),
            ..good.clone()
        });
        assert!(matches!(
            check_module(&module_path, &module, None, &trusted),
            Err(Refusal::BadSignature { .. })
        ));

        write_sig(&good);
        assert!(matches!(
            check_module(&module_path, b"other module bytes", None, &trusted),
            Err(Refusal::OtherBytes { .. })
        ));

        std::fs::write(&sig_path, "not json").expect("write");
        assert!(matches!(
            check_module(&module_path, &module, None, &trusted),
            Err(Refusal::UnreadableSignature { .. })
        ));
    }
}
