//! BuildKit's `Node.Dump()`: the S-expression text its parser tests compare.
//!
//! One line per instruction, `(keyword ["flag" ...] "arg" ...)`, the keyword
//! in lower case, strings quoted as Go's `strconv.Quote` quotes them, and
//! `ONBUILD`'s instruction nested: `(onbuild (run "echo"))`. BuildKit's tests
//! compare `Dump() + "\n"` with their `result` files.

use crate::ast::{Ast, Node};
use crate::parser::text::is_go_print;

/// The text of BuildKit's `result.AST.Dump()` (no trailing newline).
pub fn dump(ast: &Ast) -> String {
    let mut out = String::new();
    for child in &ast.children {
        out.push('(');
        out.push_str(&dump_node(child));
        out.push_str(")\n");
    }
    out.trim().to_owned()
}

fn dump_node(node: &Node) -> String {
    let mut out = node.keyword.clone();
    if !node.flags.is_empty() {
        out.push_str(" [");
        for (i, flag) in node.flags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            go_quote_into(flag, &mut out);
        }
        out.push(']');
    }
    for arg in &node.args {
        out.push(' ');
        go_quote_into(arg, &mut out);
    }
    if let Some(sub) = &node.sub {
        out.push_str(" (");
        out.push_str(&dump_node(sub));
        out.push(')');
    }
    match out.trim() {
        trimmed if trimmed.len() == out.len() => out,
        trimmed => trimmed.to_owned(),
    }
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    go_quote_into(s, &mut out);
    out
}

fn go_quote_into(s: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if is_go_print(c) => out.push(c),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if c < ' ' || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_str;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            go_quote("\x07\x08\x0c\n\r\t\x0b\0\x7f"),
            r#""\a\b\f\n\r\t\v\x00\x7f""#
        );
        assert_eq!(go_quote("♥ é"), "\"♥ é\"");
        assert_eq!(
            go_quote("\u{a0}\u{200b}\u{feff}"),
            r#""\u00a0\u200b\ufeff""#
        );
        assert_eq!(go_quote("\u{e0001}\u{10ffff}"), r#""\U000e0001\U0010ffff""#);
    }

    #[test]
    fn dumps_like_buildkit() {
        let ast = parse_str("FROM a\nONBUILD RUN [\"x\"]\nCOPY --from=b c d\nENV k=v\n")
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            dump(&ast),
            "(from \"a\")\n(onbuild (run \"x\"))\n(copy [\"--from=b\"] \"c\" \"d\")\n(env \"k\" \"v\" \"=\")"
        );
    }

    #[test]
    fn an_empty_keyword_dumps_its_arguments_alone() {
        // A lone continuation then only blank lines: BuildKit makes an
        // instruction with an empty keyword.
        let ast = crate::parser::parse_syntax(b"FROM a\n\\\n\n", &Default::default())
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(dump(&ast), "(from \"a\")\n(\"\")");
    }
}
