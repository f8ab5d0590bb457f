//! Physical lines, the way BuildKit's `bufio.Scanner` hands them out.
//!
//! BuildKit reads with a scanner that keeps line endings (heredoc bodies need
//! them) and whose buffer holds at most 64 KiB: a line longer than 65,535 bytes
//! stops the scan, and `Parse` then fails. The helpers below are the small
//! line edits `parser.go` applies (its `isComment` and
//! `isEmptyContinuationLine` are `trim_start` then a look at the first
//! character, inlined by the caller).

/// The longest line BuildKit's scanner returns, without its `\n`.
pub(crate) const MAX_LINE_BYTES: usize = 65_535;

/// Hands out lines with their endings; stops for good at an over-long line.
pub(crate) struct LineScanner<'a> {
    rest: &'a str,
    lines_read: usize,
    too_long_at: Option<usize>,
}

impl<'a> LineScanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            rest: text,
            lines_read: 0,
            too_long_at: None,
        }
    }

    /// The next line, `\n` included when present.
    pub(crate) fn next_line(&mut self) -> Option<&'a str> {
        if self.too_long_at.is_some() || self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(newline) => self.rest.split_at(newline + 1),
            None => (self.rest, ""),
        };
        let content_len = line.len() - usize::from(line.ends_with('\n'));
        if content_len > MAX_LINE_BYTES {
            self.too_long_at = Some(self.lines_read + 1);
            return None;
        }
        self.rest = rest;
        self.lines_read += 1;
        Some(line)
    }

    /// The 1-based line the scan stopped at because it was too long.
    pub(crate) fn too_long_at(&self) -> Option<usize> {
        self.too_long_at
    }

    /// How many lines have been handed out.
    pub(crate) fn lines_read(&self) -> usize {
        self.lines_read
    }
}

/// BuildKit's `trimNewline`: every trailing `\r` and `\n`, not just one.
pub(crate) fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

/// BuildKit's `trimContinuationCharacter`: an escape character at the end of
/// the line (followed only by spaces and tabs) continues the instruction on the
/// next line, unless it is itself escaped. Returns the line without it and
/// whether the instruction ends here.
///
/// BuildKit uses the regexp `([^E])E[ \t]*$|^E[ \t]*$` (E the escape
/// character) and keeps the group: the character before the escape stays.
pub(crate) fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    // Both possible escape characters are ASCII: compare bytes.
    let Ok(escape) = u8::try_from(escape) else {
        return (line, true);
    };
    let bytes = line.as_bytes();
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |last| last + 1);
    let Some(before) = end
        .checked_sub(1)
        .filter(|&at| bytes.get(at) == Some(&escape))
    else {
        return (line, true);
    };
    let escaped = before > 0 && bytes.get(before - 1) == Some(&escape);
    match line.get(..before) {
        Some(kept) if !escaped => (kept, false),
        _ => (line, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings() {
        let mut scanner = LineScanner::new("a\r\nb\n\nc");
        assert_eq!(scanner.next_line(), Some("a\r\n"));
        assert_eq!(scanner.next_line(), Some("b\n"));
        assert_eq!(scanner.next_line(), Some("\n"));
        assert_eq!(scanner.next_line(), Some("c"));
        assert_eq!(scanner.next_line(), None);
        assert_eq!(scanner.lines_read(), 4);
    }

    #[test]
    fn an_over_long_line_stops_the_scan() {
        let ok = "x".repeat(MAX_LINE_BYTES);
        let text = format!("FROM a\n{ok}\n{ok}x\nRUN b\n");
        let mut scanner = LineScanner::new(&text);
        assert!(scanner.next_line().is_some());
        assert!(scanner.next_line().is_some());
        assert_eq!(scanner.next_line(), None);
        assert_eq!(scanner.next_line(), None);
        assert_eq!(scanner.too_long_at(), Some(3));
    }

    #[test]
    fn continuation_follows_buildkit() {
        assert_eq!(trim_continuation("RUN a \\", '\\'), ("RUN a ", false));
        assert_eq!(trim_continuation("RUN a\\ \t", '\\'), ("RUN a", false));
        assert_eq!(trim_continuation("\\", '\\'), ("", false));
        assert_eq!(trim_continuation("  \\", '\\'), ("  ", false));
        // An escaped escape does not continue.
        assert_eq!(trim_continuation("a\\\\", '\\'), ("a\\\\", true));
        // Only spaces and tabs may follow.
        assert_eq!(trim_continuation("a \\\r", '\\'), ("a \\\r", true));
        assert_eq!(trim_continuation("RUN a `", '`'), ("RUN a ", false));
        assert_eq!(trim_continuation("RUN a \\", '`'), ("RUN a \\", true));
    }

    #[test]
    fn trims_every_trailing_line_ending() {
        assert_eq!(trim_newline("a\r\r\n\n"), "a");
        assert_eq!(trim_newline("a \r \n"), "a \r ");
    }
}
