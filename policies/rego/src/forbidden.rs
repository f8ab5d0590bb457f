//! Builtins that reach outside a pure function of (input, data): refused
//! when a set loads, naming the builtin, rather than failing (or worse,
//! quietly differing) when a target is checked.

use crate::bundle::Module;

/// The refused builtins and why each is.
pub const FORBIDDEN: &[(&str, &str)] = &[
    ("http.send", "policies have no network"),
    (
        "opa.runtime",
        "there is no OPA runtime or environment to report",
    ),
    (
        "time.now_ns",
        "findings must not depend on when a scan runs (the result cache and signed reports rely on it)",
    ),
    ("rand.intn", "findings must not be random"),
    ("uuid.rfc4122", "findings must not be random"),
    ("uuid.parse", "uuid builtins are not provided"),
    ("net.lookup_ip_addr", "policies have no network"),
];

/// Refuses the first module that calls a forbidden builtin.
pub fn check_modules(modules: &[Module]) -> Result<(), String> {
    for module in modules {
        if let Some((builtin, line, reason)) = first_call(&module.text) {
            return Err(format!(
                "{}:{line}: calls `{builtin}`, which tallyman does not provide: {reason}",
                module.path
            ));
        }
    }
    Ok(())
}

/// The first forbidden builtin named as a call in `text` (outside strings
/// and comments), with its line.
pub fn first_call(text: &str) -> Option<(&'static str, usize, &'static str)> {
    let code = code_only(text);
    let bytes = code.as_bytes();
    for (start, _) in code.char_indices() {
        let boundary = start == 0 || !is_word(bytes[start - 1]);
        if !boundary {
            continue;
        }
        for (builtin, reason) in FORBIDDEN {
            if !code[start..].starts_with(builtin) {
                continue;
            }
            let rest = &code[start + builtin.len()..];
            if rest.as_bytes().first().is_some_and(|&b| is_word(b)) {
                continue;
            }
            if rest.trim_start().starts_with('(') {
                let line = code[..start].matches('\n').count() + 1;
                return Some((builtin, line, reason));
            }
        }
    }
    None
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.'
}

/// The text with comments and string literals blanked (newlines kept, so
/// lines still count).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                out.push(' ');
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push(' ');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' => {
                            out.push('\n');
                            break;
                        }
                        _ => {}
                    }
                }
            }
            '`' => {
                out.push(' ');
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                    if c == '\n' {
                        out.push('\n');
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_found_with_their_line() {
        let text = "package p\n\nx := http.send({\"url\": \"u\"})\n";
        assert_eq!(
            first_call(text).map(|(b, l, _)| (b, l)),
            Some(("http.send", 3))
        );
        let text = "package p\ny := time.now_ns ()";
        assert_eq!(
            first_call(text).map(|(b, l, _)| (b, l)),
            Some(("time.now_ns", 2))
        );
    }

    #[test]
    fn names_in_strings_comments_and_longer_names_are_not_calls() {
        assert_eq!(
            first_call("package p\n# http.send(x)\nmsg := \"http.send(x)\""),
            None
        );
        assert_eq!(first_call("package p\nz := `rand.intn(3)`"), None);
        assert_eq!(first_call("package p\nz := my.http.send(1)"), None);
        assert_eq!(first_call("package p\nz := http.send_all(1)"), None);
        assert_eq!(first_call("package p\nz := time.now_nsx(1)"), None);
    }

    #[test]
    fn refusal_names_the_module_and_builtin() {
        let modules = [Module {
            path: "p.rego".into(),
            text: "package p\nr := rand.intn(\"k\", 10)".into(),
        }];
        let error = check_modules(&modules).unwrap_err();
        assert!(error.starts_with("p.rego:2: calls `rand.intn`"), "{error}");
    }
}
