//! Splitting a logical line into keyword, `--flags` and arguments
//! (BuildKit's `splitCommand` and `extractBuilderFlags`).
//!
//! BuildKit takes every leading word that starts with `--` as a flag, for
//! every instruction, without knowing which flags exist: `--from=x`,
//! `--mount=...`, `--link`, unknown ones alike. A lone `--` ends the flags and
//! is dropped. Quotes group (and are removed), `\` escapes the next byte.
//!
//! BuildKit walks the flag words byte by byte, treating each byte as a code
//! point: bytes 0x85 and 0xA0 count as spaces and non-ASCII bytes come out as
//! Latin-1 characters. That is kept here, so flags read exactly as BuildKit's.

use std::borrow::Cow;

/// The pieces of a logical line.
pub(crate) struct SplitCommand<'a> {
    /// The keyword as written.
    pub(crate) keyword: &'a str,
    pub(crate) flags: Vec<String>,
    /// What follows the flags, trimmed.
    pub(crate) args: Cow<'a, str>,
}

/// BuildKit's `splitCommand`.
pub(crate) fn split_command(line: &str) -> SplitCommand<'_> {
    let line = line.trim();
    let Some(space) = line.find(is_separator) else {
        return SplitCommand {
            keyword: line,
            flags: Vec::new(),
            args: Cow::Borrowed(""),
        };
    };
    let keyword = &line[..space];
    let rest = line[space..].trim_start_matches(is_separator);
    let (args, flags) = extract_builder_flags(rest);
    let args = match args {
        Cow::Borrowed(args) => Cow::Borrowed(args.trim()),
        Cow::Owned(args) => Cow::Owned(args.trim().to_owned()),
    };
    SplitCommand {
        keyword,
        flags,
        args,
    }
}

/// The whitespace of BuildKit's `[\t\v\f\r ]+` splitting regexp.
pub(crate) fn is_separator(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Go's `unicode.IsSpace(rune(b))` for one byte.
pub(crate) fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(u8),
}

/// BuildKit's `extractBuilderFlags`: the leading `--` words, and the rest.
fn extract_builder_flags(line: &str) -> (Cow<'_, str>, Vec<String>) {
    let bytes = line.as_bytes();
    let mut flags = Vec::new();
    let mut word = String::new();
    let mut phase = Phase::Spaces;
    let mut blank_ok = false;
    let mut pos = 0;
    while pos <= bytes.len() {
        let Some(&byte) = bytes.get(pos) else {
            // End of input inside a word: keep it unless it is the `--` marker.
            if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
                flags.push(word);
            }
            break;
        };
        let mut byte = byte;
        if phase == Phase::Spaces {
            if is_space_byte(byte) {
                pos += 1;
                continue;
            }
            if byte != b'-' || bytes.get(pos + 1) != Some(&b'-') {
                return (rest_from(line, pos), flags);
            }
            phase = Phase::Word;
        }
        match phase {
            Phase::Spaces => {}
            Phase::Word => {
                if is_space_byte(byte) {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return (rest_from(line, pos), flags);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(std::mem::take(&mut word));
                    }
                    word.clear();
                    blank_ok = false;
                    pos += 1;
                    continue;
                }
                if byte == b'\'' || byte == b'"' {
                    phase = Phase::Quote(byte);
                    blank_ok = true;
                    pos += 1;
                    continue;
                }
                if byte == b'\\' {
                    match bytes.get(pos + 1) {
                        None => {
                            pos += 1;
                            continue;
                        }
                        Some(&next) => {
                            pos += 1;
                            byte = next;
                        }
                    }
                }
                word.push(char::from(byte));
            }
            Phase::Quote(quote) => {
                if byte == quote {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                if byte == b'\\' {
                    match bytes.get(pos + 1) {
                        None => {
                            phase = Phase::Word;
                            pos += 1;
                            continue;
                        }
                        Some(&next) => {
                            pos += 1;
                            byte = next;
                        }
                    }
                }
                word.push(char::from(byte));
            }
        }
        pos += 1;
    }
    (Cow::Borrowed(""), flags)
}

/// `line[pos:]`, which in BuildKit may start inside a multi-byte character
/// (after a 0xA0 or 0x85 byte taken for a space); such a start is replaced.
fn rest_from(line: &str, pos: usize) -> Cow<'_, str> {
    match line.get(pos..) {
        Some(rest) => Cow::Borrowed(rest),
        None => String::from_utf8_lossy(line.as_bytes().get(pos..).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> (&str, Vec<String>, String) {
        let split = split_command(line);
        (split.keyword, split.flags, split.args.into_owned())
    }

    #[test]
    fn extracts_every_leading_double_dash_word() {
        assert_eq!(
            split("COPY --from=build --chown=1:1 --link a b"),
            (
                "COPY",
                vec!["--from=build".into(), "--chown=1:1".into(), "--link".into()],
                "a b".into()
            )
        );
        assert_eq!(
            split("RUN --mount=type=cache,target=/root/.cache --network=none make"),
            (
                "RUN",
                vec![
                    "--mount=type=cache,target=/root/.cache".into(),
                    "--network=none".into()
                ],
                "make".into()
            )
        );
        assert_eq!(
            split("  run   echo  --x "),
            ("run", vec![], "echo  --x".into())
        );
        assert_eq!(split("FROM"), ("FROM", vec![], String::new()));
    }

    #[test]
    fn double_dash_alone_ends_the_flags() {
        assert_eq!(
            split("COPY --doit=true -- foo /tmp/"),
            ("COPY", vec!["--doit=true".into()], "foo /tmp/".into())
        );
        assert_eq!(
            split("COPY -- --foo /tmp/"),
            ("COPY", vec![], "--foo /tmp/".into())
        );
        assert_eq!(
            split("CMD --doit --"),
            ("CMD", vec!["--doit".into()], String::new())
        );
    }

    #[test]
    fn quotes_group_and_backslash_escapes() {
        assert_eq!(
            split(r#"COPY --chown="a b" x y"#).1,
            vec!["--chown=a b".to_owned()]
        );
        assert_eq!(split(r#"COPY --x='' y"#).1, vec!["--x=".to_owned()]);
        assert_eq!(split(r"COPY --x=a\ b y").1, vec!["--x=a b".to_owned()]);
        assert_eq!(
            split(r#"COPY --x="a\"b" y"#).1,
            vec![r#"--x=a"b"#.to_owned()]
        );
    }

    #[test]
    fn non_ascii_flag_bytes_read_as_buildkit_reads_them() {
        // 'é' is C3 A9: each byte becomes its own Latin-1 character.
        assert_eq!(split("COPY --from=é x").1, vec!["--from=Ã©".to_owned()]);
        // 'à' is C3 A0, and 0xA0 is a space to BuildKit.
        assert_eq!(
            split("COPY --from=àx y"),
            ("COPY", vec!["--from=Ã".into()], "x y".into())
        );
    }
}
