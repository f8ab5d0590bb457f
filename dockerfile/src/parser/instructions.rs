//! One logical line to one [`Node`]: BuildKit's `newNodeFromLine` and the
//! per-keyword argument parsers of its dispatch table (`line_parsers.go`).
//!
//! | keyword | arguments become |
//! |---|---|
//! | `ADD`, `COPY`, `VOLUME` | exec-form strings, else whitespace-separated words |
//! | `CMD`, `ENTRYPOINT`, `RUN`, `SHELL` | exec-form strings, else the whole text |
//! | `FROM`, `EXPOSE` | whitespace-separated words |
//! | `ENV`, `LABEL` | `key value sep` triples (`sep` is `=` or empty for the old `KEY value` form) |
//! | `ARG` | words (`name` or `name=value`, quotes kept) |
//! | `HEALTHCHECK` | the type (`CMD`, `NONE`, ...), then as `CMD` |
//! | `MAINTAINER`, `STOPSIGNAL`, `USER`, `WORKDIR` | the whole text |
//! | `ONBUILD` | a nested instruction |
//! | anything else | one empty string (BuildKit keeps unknown instructions) |

use std::borrow::Cow;

use super::error::{ParseError, ParseErrorKind};
use super::flags::{is_separator, is_space_byte, split_command};
use super::json_form::{JsonForm, parse_json_array};
use super::text::go_lower;
use crate::ast::Node;

/// How deep `ONBUILD ONBUILD ...` may nest. BuildKit's parser has no limit
/// (its instruction layer refuses any nesting); ours keeps the recursion bounded.
pub(crate) const MAX_ONBUILD_DEPTH: usize = 64;

/// What the argument parser of a keyword made of the arguments.
#[derive(Default)]
struct Arguments {
    values: Vec<String>,
    json: bool,
    sub: Option<Box<Node>>,
}

/// BuildKit's `newNodeFromLine`. Lines are filled in by the caller.
pub(crate) fn parse_instruction(
    line: &str,
    escape: char,
    prev_comment: Vec<String>,
    depth: usize,
) -> Result<Node, ParseError> {
    let split = split_command(line);
    let keyword = go_lower(split.keyword);
    let arguments = parse_arguments(&keyword, split.args, escape, depth)?;
    Ok(Node {
        keyword_as_written: split.keyword.to_owned(),
        keyword,
        flags: split.flags,
        args: arguments.values,
        sub: arguments.sub,
        json: arguments.json,
        heredocs: Vec::new(),
        original: line.to_owned(),
        start_line: 0,
        end_line: 0,
        line_starts: Vec::new(),
        keyword_column: 0,
        empty_continuation_lines: Vec::new(),
        prev_comment,
    })
}

fn parse_arguments(
    keyword: &str,
    rest: Cow<'_, str>,
    escape: char,
    depth: usize,
) -> Result<Arguments, ParseError> {
    let rest_ref = rest.as_ref();
    let arguments = match keyword {
        "add" | "copy" | "volume" => maybe_json_to_list(keyword, rest_ref)?,
        "cmd" | "entrypoint" | "run" | "shell" => maybe_json(keyword, rest_ref)?,
        "from" | "expose" => plain(whitespace_delimited(rest_ref)),
        "env" | "label" => plain(name_values(keyword, rest_ref, escape)?),
        "arg" => plain(parse_words(rest_ref, escape)),
        "healthcheck" => health_check(rest_ref)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => plain(whole(rest)),
        "onbuild" => on_build(rest_ref, escape, depth)?,
        _ => plain(vec![String::new()]),
    };
    Ok(arguments)
}

fn plain(values: Vec<String>) -> Arguments {
    Arguments {
        values,
        ..Arguments::default()
    }
}

/// `parseString`: the text as one argument.
fn whole(rest: Cow<'_, str>) -> Vec<String> {
    if rest.is_empty() {
        Vec::new()
    } else {
        vec![rest.into_owned()]
    }
}

/// `parseStringsWhitespaceDelimited`.
fn whitespace_delimited(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    split_separators(rest, usize::MAX)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Go's `regexp.MustCompile("[\t\v\f\r ]+").Split(s, limit)`.
fn split_separators(s: &str, limit: usize) -> Vec<&str> {
    if s.is_empty() {
        return vec![""];
    }
    let mut pieces = Vec::new();
    let mut rest = s;
    while pieces.len() + 1 < limit {
        let Some(start) = rest.find(is_separator) else {
            break;
        };
        pieces.push(&rest[..start]);
        rest = rest[start..].trim_start_matches(is_separator);
    }
    pieces.push(rest);
    pieces
}

/// `parseMaybeJSON`.
fn maybe_json(keyword: &str, rest: &str) -> Result<Arguments, ParseError> {
    if rest.is_empty() {
        return Ok(Arguments::default());
    }
    Ok(match exec_form(keyword, rest)? {
        Some(values) => Arguments {
            values,
            json: true,
            sub: None,
        },
        None => plain(vec![rest.to_owned()]),
    })
}

/// `parseMaybeJSONToList`.
fn maybe_json_to_list(keyword: &str, rest: &str) -> Result<Arguments, ParseError> {
    Ok(match exec_form(keyword, rest)? {
        Some(values) => Arguments {
            values,
            json: true,
            sub: None,
        },
        None => plain(whitespace_delimited(rest)),
    })
}

fn exec_form(keyword: &str, rest: &str) -> Result<Option<Vec<String>>, ParseError> {
    match parse_json_array(rest) {
        JsonForm::Strings(values) => Ok(Some(values)),
        JsonForm::NotJson => Ok(None),
        JsonForm::NotStringArray => Err(ParseError::new(
            ParseErrorKind::NotStringArray,
            format!(
                "{} in JSON (exec) form must be an array of strings only, but `{rest}` holds other values",
                keyword.to_uppercase()
            ),
        )),
    }
}

/// `parseHealthConfig`: the first word is the type, the rest is parsed as `CMD`.
fn health_check(rest: &str) -> Result<Arguments, ParseError> {
    // BuildKit scans bytes here, so 0x85 and 0xA0 bytes count as spaces.
    let bytes = rest.as_bytes();
    let sep = bytes
        .iter()
        .position(|&b| is_space_byte(b))
        .unwrap_or(bytes.len());
    if sep == 0 {
        return Ok(Arguments::default());
    }
    let next = bytes
        .iter()
        .skip(sep)
        .position(|&b| !is_space_byte(b))
        .map_or(bytes.len(), |offset| sep + offset);
    let kind = lossy_slice(bytes, 0, sep);
    let command = maybe_json("healthcheck", &lossy_slice(bytes, next, bytes.len()))?;
    let mut values = Vec::with_capacity(command.values.len() + 1);
    values.push(kind);
    values.extend(command.values);
    Ok(Arguments {
        values,
        json: command.json,
        sub: None,
    })
}

/// A byte range that BuildKit may cut inside a character; such cuts are replaced.
fn lossy_slice(bytes: &[u8], start: usize, end: usize) -> String {
    String::from_utf8_lossy(bytes.get(start..end).unwrap_or_default()).into_owned()
}

/// `parseSubCommand`: the rest is an instruction of its own.
fn on_build(rest: &str, escape: char, depth: usize) -> Result<Arguments, ParseError> {
    if rest.is_empty() {
        return Ok(Arguments::default());
    }
    if depth >= MAX_ONBUILD_DEPTH {
        return Err(ParseError::new(
            ParseErrorKind::NestedTooDeep,
            format!("ONBUILD is nested more than {MAX_ONBUILD_DEPTH} levels deep"),
        ));
    }
    let sub = parse_instruction(rest, escape, Vec::new(), depth + 1)?;
    Ok(Arguments {
        sub: Some(Box::new(sub)),
        ..Arguments::default()
    })
}

/// `parseNameVal` for `ENV` and `LABEL`: either `KEY rest of line` (old form)
/// or `k=v k2="v 2"` words; the values keep their quotes.
fn name_values(keyword: &str, rest: &str, escape: char) -> Result<Vec<String>, ParseError> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    let upper = keyword.to_uppercase();
    if !first.contains('=') {
        let parts = split_separators(rest, 2);
        let [name, value] = parts.as_slice() else {
            return Err(ParseError::new(
                ParseErrorKind::MissingValue,
                format!(
                    "{upper} names `{first}` but gives no value (write `{upper} {first}=value`)"
                ),
            ));
        };
        return Ok(vec![(*name).to_owned(), (*value).to_owned(), String::new()]);
    }
    let mut values = Vec::with_capacity(words.len() * 3);
    for word in words {
        let Some((name, value)) = word.split_once('=') else {
            return Err(ParseError::new(
                ParseErrorKind::NotNameValue,
                format!(
                    "{upper} mixes forms: `{word}` has no `=` (write every pair as `name=value`)"
                ),
            ));
        };
        values.push(name.to_owned());
        values.push(value.to_owned());
        values.push("=".to_owned());
    }
    Ok(values)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(char),
}

/// BuildKit's `parseWords`: words separated by whitespace, where quotes group
/// and the escape character protects the next character. Quotes and escapes
/// stay in the words, so every word is a slice of `rest` (less an escape
/// character that ends `rest`, which BuildKit drops).
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut blank_ok = false;
    let mut phase = Phase::Spaces;
    let mut chars = rest.char_indices();
    while let Some((at, c)) = chars.next() {
        let at_end = at + c.len_utf8() == rest.len();
        if phase == Phase::Spaces {
            if c.is_whitespace() {
                continue;
            }
            phase = Phase::Word;
            start = at;
        }
        match phase {
            Phase::Spaces => {}
            Phase::Word => {
                if c.is_whitespace() {
                    phase = Phase::Spaces;
                    if blank_ok || at > start {
                        words.push(rest[start..at].to_owned());
                    }
                    blank_ok = false;
                    continue;
                }
                if c == '\'' || c == '"' {
                    phase = Phase::Quote(c);
                    blank_ok = true;
                } else if c == escape {
                    if at_end {
                        return finish_words(words, &rest[start..at], blank_ok);
                    }
                    // The escaped character joins the word whatever it is.
                    chars.next();
                }
            }
            Phase::Quote(quote) => {
                if c == quote {
                    phase = Phase::Word;
                } else if c == escape && quote != '\'' {
                    if at_end {
                        return finish_words(words, &rest[start..at], blank_ok);
                    }
                    chars.next();
                }
            }
        }
    }
    if phase == Phase::Spaces {
        return words;
    }
    finish_words(words, &rest[start..], blank_ok)
}

fn finish_words(mut words: Vec<String>, last: &str, blank_ok: bool) -> Vec<String> {
    if blank_ok || !last.is_empty() {
        words.push(last.to_owned());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(line: &str) -> Node {
        parse_instruction(line, '\\', Vec::new(), 0).unwrap_or_else(|err| panic!("{line:?}: {err}"))
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words(r#"abc="123 456" def"#, '\\'),
            ["abc=\"123 456\"", "def"]
        );
        assert_eq!(parse_words(r"a\ b c\", '\\'), ["a\\ b", "c"]);
        assert_eq!(parse_words(r#"x='a\'b'"#, '\\'), ["x='a\\'b'"]);
        assert_eq!(parse_words(r#"x="" """#, '\\'), ["x=\"\"", "\"\""]);
        assert_eq!(parse_words("a`  b", '`'), ["a` ", "b"]);
        assert_eq!(parse_words("  ", '\\'), Vec::<String>::new());
    }

    #[test]
    fn env_forms() {
        assert_eq!(node("ENV a b c").args, ["a", "b c", ""]);
        assert_eq!(
            node("ENV a=1 b=\"2 3\"").args,
            ["a", "1", "=", "b", "\"2 3\"", "="]
        );
        assert_eq!(node("LABEL").args, Vec::<String>::new());
        let err = parse_instruction("ENV PATH", '\\', Vec::new(), 0).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::MissingValue);
        assert_eq!(
            err.reason,
            "ENV names `PATH` but gives no value (write `ENV PATH=value`)"
        );
        let err = parse_instruction("LABEL a=1 b", '\\', Vec::new(), 0).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::NotNameValue);
    }

    #[test]
    fn exec_and_shell_forms() {
        let run = node(r#"RUN ["echo", "hi"]"#);
        assert!(run.json);
        assert_eq!(run.args, ["echo", "hi"]);
        let run = node("RUN [\"echo\", 'hi']");
        assert!(!run.json);
        assert_eq!(run.args, ["[\"echo\", 'hi']"]);
        assert_eq!(node("COPY a  b\tc").args, ["a", "b", "c"]);
        assert_eq!(node("VOLUME").args, Vec::<String>::new());
        let err = parse_instruction(r#"CMD [ "echo", [ "nested json" ] ]"#, '\\', Vec::new(), 0)
            .unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::NotStringArray);
    }

    #[test]
    fn keywords_keep_their_case_and_unknown_ones_are_kept() {
        let n = node("FrOm alpine AS build");
        assert_eq!(
            (n.keyword.as_str(), n.keyword_as_written.as_str()),
            ("from", "FrOm")
        );
        assert_eq!(n.args, ["alpine", "AS", "build"]);
        let n = node("FOO bar baz");
        assert_eq!(
            (n.keyword.as_str(), n.args.as_slice()),
            ("foo", &[String::new()][..])
        );
    }

    #[test]
    fn healthcheck_and_onbuild() {
        assert_eq!(node("HEALTHCHECK NONE").args, ["NONE"]);
        let h = node(r#"HEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]"#);
        assert_eq!(
            (h.flags.as_slice(), h.json),
            (&["--interval=5s".to_owned()][..], true)
        );
        assert_eq!(h.args, ["CMD", "curl", "-f", "x"]);
        let o = node("ONBUILD COPY --from=x a b");
        assert!(o.args.is_empty() && o.flags.is_empty());
        let sub = o.sub.unwrap_or_else(|| panic!("no sub"));
        assert_eq!(
            (sub.keyword.as_str(), sub.flags.as_slice()),
            ("copy", &["--from=x".to_owned()][..])
        );
        assert_eq!(sub.original, "COPY --from=x a b");
    }

    #[test]
    fn onbuild_nesting_is_bounded() {
        let line = "ONBUILD ".repeat(MAX_ONBUILD_DEPTH + 1) + "RUN x";
        let err = parse_instruction(&line, '\\', Vec::new(), 0).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::NestedTooDeep);
        let line = "ONBUILD ".repeat(MAX_ONBUILD_DEPTH) + "RUN x";
        assert!(parse_instruction(&line, '\\', Vec::new(), 0).is_ok());
    }

    #[test]
    fn separators_split_like_go_regexp() {
        assert_eq!(split_separators("a b  c", 2), ["a", "b  c"]);
        assert_eq!(split_separators("a\u{a0}b", 2), ["a\u{a0}b"]);
        assert_eq!(split_separators("", 2), [""]);
    }
}
