//! A Dockerfile's bytes as text to edit, and back.

/// The file's text, when it can be edited without changing its encoding:
/// UTF-8, with or without a byte-order mark (kept in the text; the edits'
/// columns do not count it). Other encodings are left alone.
pub fn editable(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|_| {
        "not UTF-8: tallyman fixes only UTF-8 files, so that the file keeps its encoding"
            .to_string()
    })
}
