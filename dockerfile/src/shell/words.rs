//! Shell words as text: quote removal, finding command substitutions, and a
//! lenient word splitter for scripts the parser refuses.
//!
//! The parser gives each word's raw source text; policies want the word the
//! command receives (`"apt-get"` → `apt-get`) without any expansion done, so
//! `$VERSION` stays `$VERSION`. Everything here works on bytes: every syntax
//! character is ASCII, so slicing at them never splits a UTF-8 sequence.

use super::scan::{
    find_byte, is_word_start, skip_backquote, skip_dollar, skip_double, skip_parens,
};

/// Where a substitution was found, and the command text it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Substitution {
    /// The script inside `$( )`, `` ` ` ``, `<( )` or `>( )`, with the
    /// backslash escapes of backquotes undone.
    pub(crate) body: String,
    /// Byte offset of the body in the text scanned.
    pub(crate) start: usize,
    /// The body is that text as written from `start` on (no backquote
    /// escape was undone), so offsets in one are offsets in the other.
    pub(crate) verbatim: bool,
}

/// How quote characters behave in the text being scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quoting {
    /// A shell word: `'` and `"` quote.
    Word,
    /// The body of a heredoc whose delimiter was not quoted: quotes are
    /// literal, but `$( )` and backquotes still run.
    Heredoc,
}

/// Removes quotes the way the shell does before running a command, keeping
/// every expansion (`$X`, `${X:-y}`, `$(cmd)`, `` `cmd` ``) as written.
pub(crate) fn unquote(raw: &str) -> String {
    if !raw.contains(['\\', '\'', '"', '$', '`']) {
        return raw.to_owned();
    }
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => match bytes.get(i + 1) {
                Some(b'\n') => i += 2,
                Some(_) => {
                    let end = char_end(raw, i + 1);
                    out.push_str(slice(raw, i + 1, end));
                    i = end;
                }
                None => {
                    out.push('\\');
                    i += 1;
                }
            },
            b'\'' => {
                let close = find_byte(bytes, i + 1, b'\'').unwrap_or(bytes.len());
                out.push_str(slice(raw, i + 1, close));
                i = close + 1;
            }
            b'"' => i = unquote_double(raw, i + 1, &mut out),
            b'$' => match bytes.get(i + 1) {
                Some(b'\'') => i = decode_ansi_c(raw, i + 2, &mut out),
                Some(b'"') => i = unquote_double(raw, i + 2, &mut out),
                Some(b'(' | b'{') => {
                    let end = skip_dollar(raw, i);
                    out.push_str(slice(raw, i, end));
                    i = end;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            },
            b'`' => {
                let end = skip_backquote(raw, i);
                out.push_str(slice(raw, i, end));
                i = end;
            }
            _ => {
                let end = run_end(bytes, i, b"\\'\"$`");
                out.push_str(slice(raw, i, end));
                i = end;
            }
        }
    }
    out
}

/// The end of the run of bytes from `i` up to the next of `specials`.
fn run_end(bytes: &[u8], i: usize, specials: &[u8]) -> usize {
    bytes
        .get(i + 1..)
        .and_then(|rest| rest.iter().position(|b| specials.contains(b)))
        .map_or(bytes.len(), |p| i + 1 + p)
}

/// Copies a double-quoted string starting after its opening quote; returns
/// the index after the closing quote.
fn unquote_double(raw: &str, start: usize, out: &mut String) -> usize {
    let bytes = raw.as_bytes();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return i + 1,
            b'\\' => match bytes.get(i + 1) {
                Some(b'\n') => i += 2,
                Some(&next @ (b'$' | b'`' | b'"' | b'\\')) => {
                    out.push(char::from(next));
                    i += 2;
                }
                _ => {
                    out.push('\\');
                    i += 1;
                }
            },
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                let end = skip_dollar(raw, i);
                out.push_str(slice(raw, i, end));
                i = end;
            }
            b'`' => {
                let end = skip_backquote(raw, i);
                out.push_str(slice(raw, i, end));
                i = end;
            }
            _ => {
                let end = run_end(bytes, i, b"\"\\$`");
                out.push_str(slice(raw, i, end));
                i = end;
            }
        }
    }
    bytes.len()
}

/// Decodes a `$'...'` string starting after its opening quote; returns the
/// index after the closing quote.
fn decode_ansi_c(raw: &str, start: usize, out: &mut String) -> usize {
    let bytes = raw.as_bytes();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\'' => return i + 1,
            b'\\' => {
                let Some(&esc) = bytes.get(i + 1) else {
                    out.push('\\');
                    return bytes.len();
                };
                let simple = match esc {
                    b'n' => Some('\n'),
                    b't' => Some('\t'),
                    b'r' => Some('\r'),
                    b'a' => Some('\u{7}'),
                    b'b' => Some('\u{8}'),
                    b'e' | b'E' => Some('\u{1b}'),
                    b'f' => Some('\u{c}'),
                    b'v' => Some('\u{b}'),
                    b'\\' => Some('\\'),
                    b'\'' => Some('\''),
                    b'"' => Some('"'),
                    b'?' => Some('?'),
                    _ => None,
                };
                if let Some(c) = simple {
                    out.push(c);
                    i += 2;
                } else if esc == b'x' {
                    let (value, used) = parse_radix(bytes, i + 2, 16, 2);
                    push_code(out, value, used, "\\x");
                    i += 2 + used;
                } else if esc.is_ascii_digit() && esc < b'8' {
                    let (value, used) = parse_radix(bytes, i + 1, 8, 3);
                    push_code(out, value, used, "\\");
                    i += 1 + used;
                } else {
                    // Unknown escapes keep their backslash, as bash does.
                    out.push('\\');
                    i += 1;
                }
            }
            _ => {
                let end = char_end(raw, i);
                out.push_str(slice(raw, i, end));
                i = end;
            }
        }
    }
    bytes.len()
}

fn parse_radix(bytes: &[u8], start: usize, radix: u32, max_digits: usize) -> (u32, usize) {
    let mut value = 0u32;
    let mut used = 0;
    while used < max_digits {
        let Some(digit) = bytes
            .get(start + used)
            .and_then(|&b| char::from(b).to_digit(radix))
        else {
            break;
        };
        value = value * radix + digit;
        used += 1;
    }
    (value, used)
}

fn push_code(out: &mut String, value: u32, used: usize, written: &str) {
    match char::from_u32(value) {
        Some(c) if used > 0 => out.push(c),
        _ => out.push_str(written),
    }
}

/// Finds the command substitutions that run when `raw` is expanded: `$( )`,
/// backquotes, process substitutions, including those nested in `${ }`,
/// `$(( ))` and double quotes. Substitutions inside a found body are not
/// listed: the body is parsed as a script of its own, which finds them.
pub(crate) fn substitutions(raw: &str, quoting: Quoting) -> Vec<Substitution> {
    let bytes = raw.as_bytes();
    let mut found: Vec<(usize, Substitution)> = Vec::new();
    // Stretches of text still to scan: (start, end, inside double quotes).
    // `${ }` and `$(( ))` hold more text to scan; a worklist instead of
    // recursion keeps deep nesting off the stack.
    let mut todo = vec![(0, raw.len(), false)];
    while let Some((start, end, mut in_double)) = todo.pop() {
        let mut i = start;
        while i < end {
            let Some(&b) = bytes.get(i) else { break };
            match b {
                b'\\' => i += 2,
                b'\'' if quoting == Quoting::Word && !in_double => {
                    i = find_byte(bytes, i + 1, b'\'').map_or(end, |close| close + 1);
                }
                b'"' if quoting == Quoting::Word => {
                    in_double = !in_double;
                    i += 1;
                }
                b'$' => match (bytes.get(i + 1), bytes.get(i + 2)) {
                    (Some(b'('), Some(b'(')) => {
                        // Arithmetic: not a command, but it may hold some.
                        let close = skip_dollar(raw, i).min(end);
                        todo.push((i + 3, close.saturating_sub(2).max(i + 3), false));
                        i = close;
                    }
                    (Some(b'('), _) => {
                        let close = skip_dollar(raw, i).min(end);
                        found.push((i, verbatim(body_between(raw, i + 2, close), i + 2)));
                        i = close;
                    }
                    (Some(b'{'), _) => {
                        let close = skip_dollar(raw, i).min(end);
                        todo.push((i + 2, close.saturating_sub(1).max(i + 2), in_double));
                        i = close;
                    }
                    _ => i += 1,
                },
                b'`' => {
                    let close = skip_backquote(raw, i).min(end);
                    let inner_end = if close > i + 1 && bytes.get(close - 1) == Some(&b'`') {
                        close - 1
                    } else {
                        close
                    };
                    let written = slice(raw, i + 1, inner_end);
                    let body = unescape_backquoted(written);
                    let verbatim = body.len() == written.len();
                    found.push((
                        i,
                        Substitution {
                            body,
                            start: i + 1,
                            verbatim,
                        },
                    ));
                    i = close;
                }
                b'<' | b'>'
                    if quoting == Quoting::Word
                        && !in_double
                        && bytes.get(i + 1) == Some(&b'(') =>
                {
                    let close = skip_parens(raw, i + 1).min(end);
                    found.push((i, verbatim(body_between(raw, i + 2, close), i + 2)));
                    i = close;
                }
                _ => i += 1,
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, s)| s).collect()
}

/// A substitution whose body is a slice of the scanned text from `start`.
fn verbatim(body: &str, start: usize) -> Substitution {
    Substitution {
        body: body.to_owned(),
        start,
        verbatim: true,
    }
}

/// The text between an opener's end and a closing `)` at `close - 1` (or the
/// end of text when the group is unterminated).
fn body_between(raw: &str, body_start: usize, close: usize) -> &str {
    let bytes = raw.as_bytes();
    let body_end = if close > body_start && bytes.get(close - 1) == Some(&b')') {
        close - 1
    } else {
        close
    };
    slice(raw, body_start, body_end)
}

/// Undoes the escapes that backquotes add: `\\`, `` \` `` and `\$`.
fn unescape_backquoted(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && matches!(next, '\\' | '`' | '$')
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Splits text into words at unquoted blanks, without any shell grammar:
/// what is left to say about a script the parser refuses. Unterminated
/// quotes run to the end, as the parser would have read them. Each word
/// comes with the byte offset in `text` where it starts.
pub(crate) fn lenient_words(text: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while let Some(&b) = bytes.get(i) {
            match b {
                _ if b.is_ascii_whitespace() => break,
                b'\\' => i += 2,
                b'\'' => i = find_byte(bytes, i + 1, b'\'').map_or(bytes.len(), |c| c + 1),
                b'"' => i = skip_double(text, i + 1),
                b'`' => i = skip_backquote(text, i),
                b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                    i = skip_dollar(text, i);
                }
                _ => i += 1,
            }
        }
        words.push((start, unquote(slice(text, start, i.min(bytes.len())))));
    }
    words
}

/// Splits a script the parser refused into the pieces between unquoted
/// `;`, `&&`, `||`, `&` and newlines outside brackets, so that each can be
/// parsed on its own. Each piece comes with its byte offset in `text`.
pub(crate) fn lenient_statements(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'\'' => i = find_byte(bytes, i + 1, b'\'').map_or(bytes.len(), |c| c + 1),
            b'"' => i = skip_double(text, i + 1),
            b'`' => i = skip_backquote(text, i),
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => i = skip_dollar(text, i),
            b'#' if is_word_start(bytes, i) => {
                i = find_byte(bytes, i, b'\n').unwrap_or(bytes.len());
            }
            b'(' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b';' | b'\n' | b'&' | b'|' if depth == 0 => {
                let pair = bytes.get(i + 1) == Some(&b);
                let is_separator = match b {
                    b'|' => pair,
                    // `>&2` and `&>` redirect, they do not separate.
                    b'&' => {
                        pair || !(i > 0 && bytes.get(i - 1) == Some(&b'>'))
                            && bytes.get(i + 1) != Some(&b'>')
                    }
                    _ => true,
                };
                if is_separator {
                    pieces.push((start, slice(text, start, i)));
                    i += if pair { 2 } else { 1 };
                    start = i;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    pieces.push((start, slice(text, start, bytes.len())));
    pieces.retain(|(_, piece)| !piece.trim().is_empty());
    pieces
}

/// The index after the character that starts at `i` (or `i + 1` when `i`
/// is not a character boundary, which only happens after a skipped byte).
fn char_end(raw: &str, i: usize) -> usize {
    let mut end = i + 1;
    while end < raw.len() && !raw.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// `raw[start..end]`, clamped to the text and to character boundaries.
pub(crate) fn slice(raw: &str, start: usize, end: usize) -> &str {
    let mut end = end.min(raw.len());
    let mut start = start.min(end);
    while start < end && !raw.is_char_boundary(start) {
        start += 1;
    }
    while end > start && !raw.is_char_boundary(end) {
        end -= 1;
    }
    raw.get(start..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_removes_quotes_and_keeps_expansions() {
        let cases = [
            (r#""apt-get""#, "apt-get"),
            ("'a b'", "a b"),
            (r#""a\"b""#, r#"a"b"#),
            (r#"a\ b"#, "a b"),
            ("$VERSION", "$VERSION"),
            (r#""${V:-"x"}""#, r#"${V:-"x"}"#),
            (r#""$(echo "a b")""#, r#"$(echo "a b")"#),
            ("`id -u`", "`id -u`"),
            (r"$'a\tb\x41\101'", "a\tbAA"),
            (r#"$"hello""#, "hello"),
            ("pkg=1.0-*", "pkg=1.0-*"),
            (r#""\q""#, r"\q"),
            ("'unterminated", "unterminated"),
            ("\"é\"ü", "éü"),
            ("\\", "\\"),
        ];
        for (raw, want) in cases {
            assert_eq!(unquote(raw), want, "unquote({raw:?})");
        }
    }

    #[test]
    fn finds_substitutions_at_every_level() {
        let bodies = |raw: &str| -> Vec<String> {
            substitutions(raw, Quoting::Word)
                .into_iter()
                .map(|s| s.body)
                .collect()
        };
        assert_eq!(bodies(r#""$(curl -fsSL x | sh)""#), ["curl -fsSL x | sh"]);
        assert_eq!(bodies("`echo \\`id\\``"), ["echo `id`"]);
        assert_eq!(bodies("${A:-$(echo b)}"), ["echo b"]);
        assert_eq!(bodies("$((1 + $(echo 2)))"), ["echo 2"]);
        assert_eq!(bodies("<(cat f)"), ["cat f"]);
        assert_eq!(bodies("'$(not)'"), Vec::<String>::new());
        assert_eq!(bodies(r#"$(echo ")") $(b)"#), [r#"echo ")""#, "b"]);
        assert_eq!(bodies("$(a $(b) c)"), ["a $(b) c"]);
        assert_eq!(bodies("$(unterminated"), ["unterminated"]);
        let starts = |raw: &str| -> Vec<(usize, bool)> {
            substitutions(raw, Quoting::Word)
                .into_iter()
                .map(|s| (s.start, s.verbatim))
                .collect()
        };
        assert_eq!(
            starts("a $(b) `c` <(d)"),
            [(4, true), (8, true), (13, true)]
        );
        assert_eq!(starts("x `echo \\`id\\``"), [(3, false)]);
        assert_eq!(
            substitutions("it's $(date)", Quoting::Heredoc)
                .into_iter()
                .map(|s| s.body)
                .collect::<Vec<_>>(),
            ["date"]
        );
    }

    #[test]
    fn lenient_splitting_never_loses_text() {
        assert_eq!(
            lenient_words("a 'b c' \"d"),
            [(0, "a".into()), (2, "b c".into()), (8, "d".into())]
        );
        assert_eq!(
            lenient_statements("a; b && c || d 2>&1 & e\nf | g"),
            [
                (0, "a"),
                (2, " b "),
                (7, " c "),
                (12, " d 2>&1 "),
                (21, " e"),
                (24, "f | g")
            ]
        );
    }
}
