//! Content digests (`sha256:<hex>`): parsing what a manifest or index names,
//! and checking fetched bytes against it. Every blob tallyman reads goes
//! through [`Digest::verify`], so a tampered or corrupt blob is refused
//! rather than trusted.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// A `sha256:<64 lower-case hex>` digest. Other algorithms are refused:
/// every registry and tool that writes images today uses sha256.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    hex: String,
}

impl Digest {
    /// Parses `sha256:<64 lower-case hex>`.
    pub fn parse(text: &str) -> anyhow::Result<Digest> {
        let Some((algorithm, hex)) = text.split_once(':') else {
            anyhow::bail!("`{text}` is not a digest (expected sha256:<64 hex digits>)");
        };
        if algorithm != "sha256" {
            anyhow::bail!("digest `{text}` uses {algorithm}; only sha256 is supported");
        }
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            anyhow::bail!("`{text}` is not a digest (expected sha256:<64 lower-case hex digits>)");
        }
        Ok(Digest {
            hex: hex.to_string(),
        })
    }

    /// The digest of these bytes.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest {
            hex: hex(&Sha256::digest(bytes)),
        }
    }

    /// The hex part, without `sha256:`.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Fails unless `bytes` hash to this digest; `what` names the blob in the error.
    pub fn verify(&self, bytes: &[u8], what: &str) -> anyhow::Result<()> {
        let actual = Digest::of(bytes);
        if actual != *self {
            anyhow::bail!(
                "{what}: digest mismatch: expected {self}, the content hashes to {actual} \
                 (the blob is corrupt or was tampered with)"
            );
        }
        Ok(())
    }
}

/// Lower-case hex of a byte string.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_verifies() {
        let digest = Digest::of(b"hi");
        let parsed = Digest::parse(&digest.to_string()).unwrap();
        assert_eq!(parsed, digest);
        assert!(parsed.verify(b"hi", "blob").is_ok());
        let err = parsed.verify(b"ho", "blob").unwrap_err().to_string();
        assert!(err.contains("digest mismatch"), "{err}");
    }

    #[test]
    fn refuses_malformed_digests() {
        for bad in [
            "",
            "sha256",
            "sha256:abc",
            "sha512:00",
            "md5:x",
            "sha256:ZZ",
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad}");
        }
        let upper = format!("sha256:{}", "A".repeat(64));
        assert!(Digest::parse(&upper).is_err());
    }
}
