//! Exec form: arguments written as a JSON array of strings.
//!
//! BuildKit hands the text to Go's `json.Unmarshal` into `[]any` and decides:
//! - not a JSON array, or not valid JSON (by Go's rules), or a number too
//!   large for a float64 anywhere in it: not exec form, so the instruction
//!   falls back to shell form;
//! - a valid array with an element that is not a string: an error;
//! - otherwise the strings are the arguments.
//!
//! This is a small validator with Go's rules (its whitespace, escapes, lone
//! surrogates decoded to U+FFFD, a nesting limit of 10,000), without
//! recursion so that no input can exhaust the stack.

/// How BuildKit reads the arguments of an instruction that may be in exec form.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonForm {
    /// A JSON array of strings.
    Strings(Vec<String>),
    /// Not exec form.
    NotJson,
    /// A valid JSON array with a non-string element.
    NotStringArray,
}

/// Go's `encoding/json` nesting limit.
const MAX_DEPTH: usize = 10_000;

/// BuildKit's `parseJSON`.
pub(crate) fn parse_json_array(text: &str) -> JsonForm {
    let text = text.trim_start();
    if !text.starts_with('[') {
        return JsonForm::NotJson;
    }
    let mut reader = Reader {
        bytes: text.as_bytes(),
        pos: 0,
        number_overflow: false,
    };
    match reader.top_level_array() {
        Some(_) if reader.number_overflow => JsonForm::NotJson,
        Some(Some(strings)) => JsonForm::Strings(strings),
        Some(None) => JsonForm::NotStringArray,
        None => JsonForm::NotJson,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// A number Go cannot hold in a float64 (`json.Unmarshal` fails then).
    number_overflow: bool,
}

impl Reader<'_> {
    /// The whole input as one array. `None`: invalid JSON. `Some(None)`: valid,
    /// but not all elements are strings.
    fn top_level_array(&mut self) -> Option<Option<Vec<String>>> {
        self.expect(b'[')?;
        let mut strings = Some(Vec::new());
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.peek() == Some(b'"') {
                    let value = self.string()?;
                    if let Some(strings) = strings.as_mut() {
                        strings.push(value);
                    }
                } else {
                    strings = None;
                    self.skip_value(1)?;
                }
                self.skip_ws();
                match self.next()? {
                    b',' => continue,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.skip_ws();
        (self.pos == self.bytes.len()).then_some(strings)
    }

    /// Validates one value of any kind, `depth` containers deep.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        let mut stack: Vec<Container> = Vec::new();
        loop {
            // A value is expected here.
            self.skip_ws();
            match self.peek()? {
                open @ (b'[' | b'{') => {
                    self.pos += 1;
                    if depth + stack.len() + 1 > MAX_DEPTH {
                        return None;
                    }
                    let (container, close) = if open == b'[' {
                        (Container::Array, b']')
                    } else {
                        (Container::Object, b'}')
                    };
                    self.skip_ws();
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else {
                        stack.push(container);
                        if container == Container::Object {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // A value is complete: close containers until one wants more.
            loop {
                let Some(&container) = stack.last() else {
                    return Some(());
                };
                self.skip_ws();
                match (self.next()?, container) {
                    (b',', Container::Array) => break,
                    (b',', Container::Object) => {
                        self.skip_ws();
                        self.member_name()?;
                        break;
                    }
                    (b']', Container::Array) | (b'}', Container::Object) => {
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// `"name":` inside an object.
    fn member_name(&mut self) -> Option<()> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return None;
        }
        self.skip_string()?;
        self.skip_ws();
        self.expect(b':')
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(word.len())?;
        if self.bytes.get(self.pos..end)? == word {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, and whether Go's
    /// `ParseFloat` can hold it.
    fn number(&mut self) -> Option<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.skip_digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.require_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.require_digits()?;
        }
        let text = std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?;
        if text.parse::<f64>().map_or(true, f64::is_infinite) {
            self.number_overflow = true;
        }
        Some(())
    }

    fn require_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.skip_digits();
        (self.pos > start).then_some(())
    }

    fn skip_digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.string().map(drop)
    }

    /// A JSON string, decoded as Go decodes it.
    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is UTF-8 and the run stops at ASCII bytes, so this holds.
            out.push_str(std::str::from_utf8(self.bytes.get(run_start..self.pos)?).ok()?);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => self.escape(&mut out)?,
                _ => return None,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Option<()> {
        let c = match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xE000).contains(&unit) {
                    // A surrogate: Go pairs it with a following `\u` low
                    // surrogate, or else writes U+FFFD and moves on.
                    if let Some(c) = self.low_surrogate_after(unit) {
                        c
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                } else {
                    char::from_u32(unit)?
                }
            }
            _ => return None,
        };
        out.push(c);
        Some(())
    }

    fn low_surrogate_after(&mut self, high: u32) -> Option<char> {
        if !(0xD800..0xDC00).contains(&high) || self.bytes.get(self.pos..self.pos + 2)? != b"\\u" {
            return None;
        }
        let saved = self.pos;
        self.pos += 2;
        match self.hex4() {
            Some(low) if (0xDC00..0xE000).contains(&low) => {
                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            _ => {
                self.pos = saved;
                None
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16)?;
        }
        self.pos += 4;
        Some(value)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        match parse_json_array(text) {
            JsonForm::Strings(strings) => strings,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn reads_string_arrays() {
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(strings(r#"[ "a",	"b" ]"#), vec!["a", "b"]);
        assert_eq!(
            strings(r#"["\" \\ \/ \b \f \n \r \t \u0000 \u00e9"]"#),
            vec!["\" \\ / \u{8} \u{c} \n \r \t \0 é"]
        );
        assert_eq!(strings(r#"["\ud83d\ude00"]"#), vec!["😀"]);
        // Lone surrogates become U+FFFD, as in Go.
        assert_eq!(
            strings(r#"["\ud83d", "\ude00x", "\ud83d\u0041"]"#),
            vec!["\u{fffd}", "\u{fffd}x", "\u{fffd}A"]
        );
    }

    #[test]
    fn anything_but_a_valid_array_is_shell_form() {
        for text in [
            "echo [a]",
            "['a']",
            r#"["a""#,
            r#"["a",]"#,
            r#"["a"] x"#,
            "[\"a\x0bb\"]",
            "[\"a\tb\"]",
            r#"["a" "b"]"#,
            r#"["\x"]"#,
            r#"[01]"#,
            r#"[1.]"#,
            r#"[{"a" 1}]"#,
            r#"["a", 1e400]"#,
            r#"["a", [1E999]]"#,
        ] {
            assert_eq!(parse_json_array(text), JsonForm::NotJson, "{text:?}");
        }
    }

    #[test]
    fn non_strings_in_a_valid_array_are_an_error() {
        for text in [
            r#"[ "echo", [ "nested json" ] ]"#,
            r#"["a", 1]"#,
            r#"[null]"#,
            r#"[true, "x"]"#,
            r#"[{"a": [1, {"b": null}]}, -0.5e-3]"#,
        ] {
            assert_eq!(parse_json_array(text), JsonForm::NotStringArray, "{text:?}");
        }
    }

    #[test]
    fn nesting_is_limited_like_go() {
        let deep = |n: usize| format!("[{}{}]", "[".repeat(n - 1), "]".repeat(n - 1));
        assert_eq!(parse_json_array(&deep(10_000)), JsonForm::NotStringArray);
        assert_eq!(parse_json_array(&deep(10_001)), JsonForm::NotJson);
        // Far deeper input does not exhaust the stack.
        assert_eq!(parse_json_array(&"[".repeat(1_000_000)), JsonForm::NotJson);
    }
}
