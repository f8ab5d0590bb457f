//! Turning the file's bytes into text, or saying why they are not a Dockerfile.
//!
//! BuildKit reads any bytes and lets garbage become odd instructions; we refuse
//! what cannot be a UTF-8 Dockerfile up front, with the reason and the fix.
//! A UTF-8 byte-order mark is accepted (the line reader drops it, as BuildKit).

use super::error::{ParseError, ParseErrorKind};

/// Checks size and encoding and returns the text.
pub(crate) fn decode(source: &[u8], max_size: usize) -> Result<&str, ParseError> {
    if source.len() > max_size {
        return Err(ParseError::new(
            ParseErrorKind::TooLarge,
            format!(
                "file is {} bytes, larger than the limit of {max_size} bytes",
                source.len()
            ),
        ));
    }
    if let Some(kind) = wide_encoding(source) {
        let (name, error_kind) = kind;
        return Err(ParseError::new(
            error_kind,
            format!("file is {name}; save it as UTF-8"),
        ));
    }
    let nul_error = |offset: usize| {
        ParseError::new(
            ParseErrorKind::NulByte,
            format!("file holds binary data: a NUL byte at byte offset {offset}"),
        )
    };
    match std::str::from_utf8(source) {
        Ok(text) => match text.find('\0') {
            Some(offset) => Err(nul_error(offset)),
            None => Ok(text),
        },
        Err(err) => {
            let valid = source.get(..err.valid_up_to()).unwrap_or_default();
            match valid.iter().position(|&b| b == 0) {
                Some(offset) => Err(nul_error(offset)),
                None => Err(ParseError::new(
                    ParseErrorKind::InvalidUtf8,
                    format!(
                        "file is not UTF-8: invalid byte at byte offset {}",
                        err.valid_up_to()
                    ),
                )),
            }
        }
    }
}

/// UTF-16 and UTF-32, told by their byte-order marks or, without one, by the
/// NULs that ASCII text gets in those encodings.
fn wide_encoding(source: &[u8]) -> Option<(&'static str, ParseErrorKind)> {
    const UTF32: ParseErrorKind = ParseErrorKind::Utf32;
    const UTF16: ParseErrorKind = ParseErrorKind::Utf16;
    match source {
        [0xFF, 0xFE, 0, 0, ..] => Some(("UTF-32 (little-endian)", UTF32)),
        [0, 0, 0xFE, 0xFF, ..] => Some(("UTF-32 (big-endian)", UTF32)),
        [0xFF, 0xFE, ..] => Some(("UTF-16 (little-endian)", UTF16)),
        [0xFE, 0xFF, ..] => Some(("UTF-16 (big-endian)", UTF16)),
        [a, 0, 0, 0, ..] if *a != 0 => Some(("UTF-32 (little-endian)", UTF32)),
        [0, 0, 0, a, ..] if *a != 0 => Some(("UTF-32 (big-endian)", UTF32)),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(("UTF-16 (little-endian)", UTF16)),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(("UTF-16 (big-endian)", UTF16)),
        [a, 0] if *a != 0 => Some(("UTF-16 (little-endian)", UTF16)),
        [0, a] if *a != 0 => Some(("UTF-16 (big-endian)", UTF16)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(source: &[u8]) -> ParseErrorKind {
        match decode(source, 1 << 20) {
            Ok(_) => panic!("expected an error"),
            Err(err) => err.kind,
        }
    }

    #[test]
    fn accepts_utf8_with_and_without_bom() {
        assert_eq!(decode(b"FROM a\n", 100).ok(), Some("FROM a\n"));
        assert_eq!(
            decode("\u{feff}FROM a\n".as_bytes(), 100).ok(),
            Some("\u{feff}FROM a\n")
        );
    }

    #[test]
    fn refuses_wide_encodings() {
        let utf16le: Vec<u8> = "FROM a\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let utf16be: Vec<u8> = "FROM a\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(kind(&utf16le), ParseErrorKind::Utf16);
        assert_eq!(kind(&utf16be), ParseErrorKind::Utf16);
        assert_eq!(kind(&[0xFF, 0xFE, b'F', 0]), ParseErrorKind::Utf16);
        assert_eq!(kind(&[b'F', 0, 0, 0, b'R', 0, 0, 0]), ParseErrorKind::Utf32);
        assert_eq!(kind(&[0, 0, 0xFE, 0xFF]), ParseErrorKind::Utf32);
        let err = decode(&utf16le, 100).unwrap_err();
        assert_eq!(
            err.to_string(),
            "file is UTF-16 (little-endian); save it as UTF-8"
        );
    }

    #[test]
    fn names_the_offset_of_binary_or_invalid_bytes() {
        let err = decode(b"FROM a\nRUN \x00x", 100).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::NulByte);
        assert!(err.reason.contains("offset 11"), "{}", err.reason);
        let err = decode(b"FROM a\xff\n", 100).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::InvalidUtf8);
        assert!(err.reason.contains("offset 6"), "{}", err.reason);
    }

    #[test]
    fn refuses_files_over_the_limit() {
        let err = decode(b"FROM alpine\n", 5).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TooLarge);
        assert_eq!(
            err.reason,
            "file is 12 bytes, larger than the limit of 5 bytes"
        );
    }
}
