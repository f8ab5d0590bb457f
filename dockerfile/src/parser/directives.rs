//! Parser directives: `# syntax=`, `# escape=`, `# check=`.
//!
//! BuildKit looks for them only in the leading run of lines that are
//! directives: the first line that is not one (an instruction, a blank line,
//! an ordinary comment, a directive name it does not know) ends the search,
//! and later directive-looking lines are plain comments. Names are
//! case-insensitive, spaces are allowed around `=`, and each directive may be
//! given once.
//!
//! BuildKit's frontend also reads `syntax` and `check` after a leading `#!`
//! shebang line (`DetectSyntax`, `ParseDirective`), where the parser itself
//! sees only comments; [`after_shebang`] finds those.

/// What a line turned out to be while directives are still being looked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DirectiveLine<'a> {
    /// A directive: its lower-case name and value.
    Directive { name: &'static str, value: &'a str },
    /// Not a directive (or the search is over).
    Other,
    /// A directive seen before.
    Duplicate { name: &'static str },
}

const NAMES: [&str; 3] = ["syntax", "escape", "check"];

/// BuildKit's `DirectiveParser`.
#[derive(Debug, Default)]
pub(crate) struct DirectiveParser {
    done: bool,
    seen: [bool; NAMES.len()],
}

impl DirectiveParser {
    /// Whether the leading run of directives is over.
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Looks at a line (without its ending; BuildKit passes it with leading
    /// whitespace trimmed).
    pub(crate) fn parse_line<'a>(&mut self, line: &'a str) -> DirectiveLine<'a> {
        if self.done {
            return DirectiveLine::Other;
        }
        let Some((name, value)) = line
            .strip_prefix('#')
            .and_then(|rest| split_directive(rest.trim_start()))
        else {
            self.done = true;
            return DirectiveLine::Other;
        };
        let Some(index) = NAMES
            .iter()
            .position(|known| known.eq_ignore_ascii_case(name))
        else {
            self.done = true;
            return DirectiveLine::Other;
        };
        let name = NAMES[index];
        if std::mem::replace(&mut self.seen[index], true) {
            return DirectiveLine::Duplicate { name };
        }
        DirectiveLine::Directive { name, value }
    }
}

/// The `syntax` and `check` directives BuildKit's frontend honours after a
/// `#!` first line: (name, value, 1-based line). `escape` is not among them:
/// the parser, which applies it, stops at the shebang.
pub(crate) fn after_shebang(text: &str) -> Vec<(&'static str, &str, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n');
    if !lines.next().is_some_and(|first| first.starts_with("#!")) {
        return Vec::new();
    }
    let mut parser = DirectiveParser::default();
    let mut found = Vec::new();
    for (index, line) in lines.enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match parser.parse_line(line) {
            DirectiveLine::Directive { name, value } => {
                if name != "escape" {
                    found.push((name, value, index + 2));
                }
            }
            DirectiveLine::Duplicate { .. } | DirectiveLine::Other => break,
        }
    }
    found
}

/// BuildKit's `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, where Go's `\s` is
/// `[\t\n\f\r ]`.
fn split_directive(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let (name, rest) = text.split_at(name_len);
    let rest = rest.trim_start_matches(is_regex_space).strip_prefix('=')?;
    if rest.is_empty() {
        return None;
    }
    // The lazy value takes everything but trailing spaces, yet at least one
    // character: a value of only spaces leaves its last one.
    let value = match rest.trim_matches(is_regex_space) {
        "" => rest.get(rest.len() - 1..)?,
        value => value,
    };
    Some((name, value))
}

fn is_regex_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directive<'a>(
        parser: &mut DirectiveParser,
        line: &'a str,
    ) -> Option<(&'static str, &'a str)> {
        match parser.parse_line(line) {
            DirectiveLine::Directive { name, value } => Some((name, value)),
            _ => None,
        }
    }

    #[test]
    fn reads_leading_directives_case_insensitively() {
        let mut parser = DirectiveParser::default();
        assert_eq!(
            directive(&mut parser, "# syntax=docker/dockerfile:1"),
            Some(("syntax", "docker/dockerfile:1"))
        );
        assert_eq!(
            directive(&mut parser, "#ESCAPE = `  "),
            Some(("escape", "`"))
        );
        assert_eq!(
            directive(&mut parser, "#\tcheck=skip=all;error=true"),
            Some(("check", "skip=all;error=true"))
        );
        assert!(!parser.is_done());
        assert_eq!(directive(&mut parser, "FROM alpine"), None);
        assert!(parser.is_done());
    }

    #[test]
    fn the_first_other_line_ends_the_search() {
        for first in ["", "# a comment", "# unknown=1", "#escape", "FROM a"] {
            let mut parser = DirectiveParser::default();
            assert_eq!(directive(&mut parser, first), None, "{first:?}");
            assert_eq!(
                directive(&mut parser, "# escape=`"),
                None,
                "after {first:?}"
            );
        }
    }

    #[test]
    fn a_repeated_directive_is_reported() {
        let mut parser = DirectiveParser::default();
        assert!(directive(&mut parser, "# escape=`").is_some());
        assert_eq!(
            parser.parse_line("# Escape=\\"),
            DirectiveLine::Duplicate { name: "escape" }
        );
    }

    #[test]
    fn frontend_directives_after_a_shebang() {
        let text = "#!/usr/bin/env buildctl\n# syntax=docker/dockerfile:1\r\n#check=skip=all\n# escape=`\nFROM a\n";
        assert_eq!(
            after_shebang(text),
            [
                ("syntax", "docker/dockerfile:1", 2),
                ("check", "skip=all", 3)
            ]
        );
        assert!(after_shebang("#!/bin/sh\n\n# syntax=x\n").is_empty());
        assert!(after_shebang("# syntax=x\n").is_empty());
    }

    #[test]
    fn value_matches_the_lazy_regexp() {
        assert_eq!(split_directive("escape=  a b  "), Some(("escape", "a b")));
        assert_eq!(split_directive("escape=   "), Some(("escape", " ")));
        assert_eq!(split_directive("escape="), None);
        assert_eq!(split_directive("1x=a"), None);
        // Go's \s has no vertical tab: it stays in the value.
        assert_eq!(split_directive("escape=\x0b"), Some(("escape", "\x0b")));
    }
}
