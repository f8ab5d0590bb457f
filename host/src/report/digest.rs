//! A target's sha256, held as its 32 bytes: a scan of 50,000 files keeps one
//! per target until the report is written, and the hex text would take three
//! times the room. Reports spell it as 64 lower-case hex digits.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// The sha256 of a target's bytes (of a Dockerfile, or an image's manifest).
/// Ordered as its hex text is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256Digest {
        Sha256Digest(Sha256::digest(bytes).into())
    }

    /// Parses 64 lower-case hex digits.
    pub fn from_hex(text: &str) -> Option<Sha256Digest> {
        let digits = text.as_bytes();
        if digits.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
        }
        Some(Sha256Digest(bytes))
    }

    /// The 64 lower-case hex digits.
    pub fn hex(&self) -> String {
        self.hex_digits().to_owned()
    }

    /// The 64 lower-case hex digits, on the stack: a scan spells every
    /// target's digest (the cache key, the report), and 32 `write!` calls
    /// per digest were a measurable part of a scan with no policy.
    fn hex_digits(&self) -> HexDigits {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 64];
        for (pair, byte) in text.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        HexDigits(text)
    }
}

/// A digest's hex text.
struct HexDigits([u8; 64]);

impl std::ops::Deref for HexDigits {
    type Target = str;
    fn deref(&self) -> &str {
        // Every byte is one of DIGITS: ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex_digits())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.hex_digits())
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HexVisitor;
        impl Visitor<'_> for HexVisitor {
            type Value = Sha256Digest;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sha256 as 64 lower-case hex digits")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Sha256Digest, E> {
                Sha256Digest::from_hex(text)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(HexVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_orders_like_its_text() {
        let digest = Sha256Digest::of(b"FROM scratch\n");
        let hex = digest.hex();
        // `printf 'FROM scratch\n' | sha256sum`
        assert_eq!(
            hex,
            "bb57c7da220a8753d7bdabac0d3afdb6efa742e4c736c5bc93ab40dfd5e23b9b"
        );
        assert_eq!(Sha256Digest::from_hex(&hex), Some(digest));
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{hex}\""));
        assert_eq!(serde_json::from_str::<Sha256Digest>(&json).unwrap(), digest);

        let low = Sha256Digest::from_hex(&format!("0f{}", "f".repeat(62))).unwrap();
        let high = Sha256Digest::from_hex(&format!("f0{}", "0".repeat(62))).unwrap();
        assert!(low < high);
    }

    #[test]
    fn anything_but_64_lower_case_hex_digits_is_refused() {
        let upper = "A".repeat(64);
        let short = "a".repeat(63);
        let long = "a".repeat(65);
        let not_hex = format!("{}g", "a".repeat(63));
        for text in ["", "00", &upper, &short, &long, &not_hex] {
            assert_eq!(Sha256Digest::from_hex(text), None, "{text}");
            let error = serde_json::from_str::<Sha256Digest>(&format!("\"{text}\""))
                .unwrap_err()
                .to_string();
            assert!(error.contains("64 lower-case hex digits"), "{error}");
        }
    }
}
