//! Finds where quoted strings and expansions end, without recursion.
//!
//! The words module needs to skip `$( )`, `${ }`, `"..."` and backquotes
//! that may nest inside each other without limit; doing that with recursive
//! calls would put the stack at the mercy of the script, so the open
//! constructs live on a heap-allocated stack instead.

/// A construct the scanner is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Command text: inside `$( )`, `<( )`, a bare `( )`, or the script.
    Command,
    /// Inside `${ }`.
    Brace,
    /// Inside `"..."`.
    Double,
    /// Inside backquotes.
    Backquote,
}

/// How far a scan got.
struct Scan {
    /// Index after the construct's closing character (the text's length when
    /// it is unterminated).
    end: usize,
    /// The deepest nesting of command substitutions (`$( )`, `<( )`,
    /// backquotes) met on the way.
    max_substitution_depth: usize,
}

/// Scans from `start`, inside `first`, to the end of that construct. With
/// `root`, the first frame never closes and the scan runs to the end.
fn scan(raw: &str, start: usize, first: Frame, root: bool) -> Scan {
    let bytes = raw.as_bytes();
    // Each frame remembers whether it is a command substitution.
    let mut stack: Vec<(Frame, bool)> = vec![(first, false)];
    let mut substitutions = 0usize;
    let mut max_substitution_depth = 0usize;
    let mut i = start;
    let mut pending_heredocs: Vec<(Vec<u8>, bool)> = Vec::new();
    while let Some(&b) = bytes.get(i) {
        let Some(&(top, _)) = stack.last() else { break };
        let mut open = |stack: &mut Vec<(Frame, bool)>, frame: Frame, substitution: bool| {
            if substitution {
                substitutions += 1;
                max_substitution_depth = max_substitution_depth.max(substitutions);
            }
            stack.push((frame, substitution));
        };
        let next = bytes.get(i + 1).copied();
        match top {
            Frame::Backquote => match b {
                b'\\' => i += 2,
                b'`' => {
                    close(&mut stack, &mut substitutions);
                    i += 1;
                }
                _ => i += 1,
            },
            Frame::Double => match b {
                b'"' => {
                    close(&mut stack, &mut substitutions);
                    i += 1;
                }
                b'\\' => i += 2,
                b'`' => {
                    open(&mut stack, Frame::Backquote, true);
                    i += 1;
                }
                b'$' if next == Some(b'(') => {
                    open(&mut stack, Frame::Command, true);
                    i += 2;
                }
                b'$' if next == Some(b'{') => {
                    open(&mut stack, Frame::Brace, false);
                    i += 2;
                }
                _ => i += 1,
            },
            Frame::Command | Frame::Brace => match b {
                b'\\' => i += 2,
                b'\'' if top == Frame::Command => {
                    i = find_byte(bytes, i + 1, b'\'').map_or(bytes.len(), |c| c + 1);
                }
                b'"' => {
                    open(&mut stack, Frame::Double, false);
                    i += 1;
                }
                b'`' => {
                    open(&mut stack, Frame::Backquote, true);
                    i += 1;
                }
                b'$' if next == Some(b'(') => {
                    // `$((` is arithmetic, not a command.
                    let arithmetic = bytes.get(i + 2) == Some(&b'(');
                    open(&mut stack, Frame::Command, !arithmetic);
                    i += 2;
                }
                b'$' if next == Some(b'{') => {
                    open(&mut stack, Frame::Brace, false);
                    i += 2;
                }
                b'<' | b'>' if top == Frame::Command && next == Some(b'(') => {
                    open(&mut stack, Frame::Command, true);
                    i += 2;
                }
                b'#' if top == Frame::Command && i > start && is_word_start(bytes, i) => {
                    i = find_byte(bytes, i, b'\n').unwrap_or(bytes.len());
                }
                b'<' if top == Frame::Command && next == Some(b'<') => {
                    i = heredoc_operator(bytes, i, &mut pending_heredocs);
                }
                b'\n' if top == Frame::Command && !pending_heredocs.is_empty() => {
                    i = skip_heredoc_bodies(bytes, i + 1, &mut pending_heredocs);
                }
                b'(' if top == Frame::Command => {
                    open(&mut stack, Frame::Command, false);
                    i += 1;
                }
                b'{' if top == Frame::Brace => {
                    open(&mut stack, Frame::Brace, false);
                    i += 1;
                }
                b')' if top == Frame::Command => {
                    if !(root && stack.len() == 1) {
                        close(&mut stack, &mut substitutions);
                    }
                    i += 1;
                }
                b'}' if top == Frame::Brace => {
                    close(&mut stack, &mut substitutions);
                    i += 1;
                }
                _ => i += 1,
            },
        }
        if stack.is_empty() {
            return Scan {
                end: i.min(bytes.len()),
                max_substitution_depth,
            };
        }
    }
    Scan {
        end: bytes.len(),
        max_substitution_depth,
    }
}

fn close(stack: &mut Vec<(Frame, bool)>, substitutions: &mut usize) {
    if let Some((_, true)) = stack.pop() {
        *substitutions = substitutions.saturating_sub(1);
    }
}

/// Reads `<<[-]WORD` at `at` (not `<<<`), queueing its body to be skipped
/// at the end of the line; returns the index after the operator's word.
fn heredoc_operator(bytes: &[u8], at: usize, pending: &mut Vec<(Vec<u8>, bool)>) -> usize {
    let mut i = at + 2;
    if bytes.get(i) == Some(&b'<') {
        return i + 1;
    }
    let strip_tabs = bytes.get(i) == Some(&b'-');
    if strip_tabs {
        i += 1;
    }
    while bytes.get(i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
        i += 1;
    }
    let mut delimiter = Vec::new();
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\'' | b'"' | b'\\' => i += 1,
            _ if b.is_ascii_whitespace()
                || matches!(b, b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')') =>
            {
                break;
            }
            _ => {
                delimiter.push(b);
                i += 1;
            }
        }
    }
    if !delimiter.is_empty() {
        pending.push((delimiter, strip_tabs));
    }
    i
}

/// Skips the bodies of the heredocs queued on the line just ended; returns
/// the index of the first line after the last delimiter.
fn skip_heredoc_bodies(bytes: &[u8], mut i: usize, pending: &mut Vec<(Vec<u8>, bool)>) -> usize {
    for (delimiter, strip_tabs) in pending.drain(..) {
        loop {
            let Some(line_end) =
                find_byte(bytes, i, b'\n').or_else(|| (i < bytes.len()).then_some(bytes.len()))
            else {
                return bytes.len();
            };
            let mut line = bytes.get(i..line_end).unwrap_or_default();
            if strip_tabs {
                while let Some(rest) = line.strip_prefix(b"\t") {
                    line = rest;
                }
            }
            i = line_end + 1;
            if line == delimiter.as_slice() {
                break;
            }
        }
    }
    i.min(bytes.len())
}

/// The index after the `$( )`, `$(( ))` or `${ }` whose `$` is at `dollar`.
pub(crate) fn skip_dollar(raw: &str, dollar: usize) -> usize {
    match raw.as_bytes().get(dollar + 1) {
        Some(b'(') => scan(raw, dollar + 2, Frame::Command, false).end,
        Some(b'{') => scan(raw, dollar + 2, Frame::Brace, false).end,
        _ => dollar + 1,
    }
}

/// The index after the `( )` group whose `(` is at `open` (as in `<(`).
pub(crate) fn skip_parens(raw: &str, open: usize) -> usize {
    scan(raw, open + 1, Frame::Command, false).end
}

/// The index after a double-quoted string whose opening quote is just
/// before `start`.
pub(crate) fn skip_double(raw: &str, start: usize) -> usize {
    scan(raw, start, Frame::Double, false).end
}

/// The index after the backquoted command whose opening quote is at `open`.
pub(crate) fn skip_backquote(raw: &str, open: usize) -> usize {
    scan(raw, open + 1, Frame::Backquote, false).end
}

/// How deeply command substitutions nest in a script.
pub(crate) fn substitution_depth(script: &str) -> usize {
    scan(script, 0, Frame::Command, true).max_substitution_depth
}

/// A `#` starts a comment only at the start of a word.
pub(crate) fn is_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0
        || bytes
            .get(i - 1)
            .is_some_and(|b| b.is_ascii_whitespace() || matches!(b, b';' | b'&' | b'|' | b'('))
}

pub(crate) fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_nested_constructs() {
        let text = r#"$(echo ")" $(b) 'x)' `c`) tail"#;
        assert_eq!(&text[skip_dollar(text, 0)..], " tail");
        let text = "${a:-${b:-{c}}} tail";
        assert_eq!(&text[skip_dollar(text, 0)..], " tail");
        let text = r#""a $(echo "b") `c` d" tail"#;
        assert_eq!(&text[skip_double(text, 1)..], " tail");
        assert_eq!(skip_dollar("$(unterminated", 0), 14);
        let deep = format!("{}x{}", "$(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(skip_dollar(&deep, 0), deep.len());
    }

    #[test]
    fn measures_substitution_depth() {
        assert_eq!(substitution_depth("echo hi"), 0);
        assert_eq!(substitution_depth("a=$(b $(c)) d=`e`"), 2);
        assert_eq!(substitution_depth("echo '$($($(' \"$(x)\""), 1);
        assert_eq!(substitution_depth("cat <<EOF\n$($($(\nEOF\necho $(a)"), 1);
        assert_eq!(substitution_depth("( ( ( a ) ) ) )) $(b)"), 1);
        assert_eq!(substitution_depth("$(( $(( 1 )) + $(a) ))"), 1);
        let deep = "$(echo ".repeat(5_000);
        assert_eq!(substitution_depth(&deep), 5_000);
    }
}
