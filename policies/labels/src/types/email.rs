//! `email`: one RFC 5322 mailbox: an address (`ops@example.com`) or a
//! name and an address (`Jane Doe <jane@example.com>`, RFC 5322's
//! `name-addr`, the usual form of `maintainer` and
//! `org.opencontainers.image.authors`). Non-ASCII text is allowed (RFC
//! 6532). hadolint's `email-validate` accepts the bare address only; a
//! list of addresses is not one mailbox here or there.

pub fn check(value: &str) -> Result<(), String> {
    match value
        .strip_suffix('>')
        .and_then(|rest| rest.rsplit_once('<'))
    {
        Some((display, address)) => {
            check_display_name(display.trim())?;
            check_address(address)
        }
        None => check_address(value),
    }
}

/// `local-part "@" domain`.
fn check_address(address: &str) -> Result<(), String> {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err("it has no `@`".to_string());
    };
    let local_ok = if local.starts_with('"') {
        quoted_string(local)
    } else {
        dot_atom(local)
    };
    if !local_ok {
        return Err(format!("`{local}` is not the local part of an address"));
    }
    let domain_ok = match domain.strip_prefix('[') {
        Some(literal) => literal.strip_suffix(']').is_some_and(|inner| {
            inner
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '[' | ']' | '\\'))
        }),
        None => dot_atom(domain),
    };
    if !domain_ok {
        return Err(format!("`{domain}` is not a domain"));
    }
    Ok(())
}

/// A phrase: words of `atext` or quoted strings, separated by spaces (and
/// `.`, which RFC 5322's obsolete syntax allows in names: `J. Doe`).
fn check_display_name(name: &str) -> Result<(), String> {
    if name.starts_with('"') {
        return if quoted_string(name) {
            Ok(())
        } else {
            Err(format!("`{name}` is not a quoted name"))
        };
    }
    match name
        .chars()
        .find(|&c| !(atext(c) || c == ' ' || c == '.' || c == '\t'))
    {
        Some(bad) => Err(format!(
            "`{bad}` in the name needs the name in double quotes"
        )),
        None => Ok(()),
    }
}

/// `atext *("." atext)`: no empty part, so no leading, trailing or double dot.
fn dot_atom(text: &str) -> bool {
    text.split('.')
        .all(|part| !part.is_empty() && part.chars().all(atext))
}

/// `"..."` with printable characters, spaces and `\`-escapes.
fn quoted_string(text: &str) -> bool {
    let Some(inner) = text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return false;
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            // The guard consumes the escaped character; a trailing `\` escapes nothing.
            '\\' if chars.next().is_none() => return false,
            '"' => return false,
            c if c.is_control() => return false,
            _ => {}
        }
    }
    true
}

/// RFC 5322 `atext`, with RFC 6532's non-ASCII characters.
fn atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '/'
                | '='
                | '?'
                | '^'
                | '_'
                | '`'
                | '{'
                | '|'
                | '}'
                | '~'
        )
        || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn mailboxes() {
        for value in [
            "ops@example.com",
            "first.last+tag@sub.example.co.uk",
            "Jane Doe <jane@example.com>",
            "J. Doe <j@example.com>",
            "\"Doe, Jane\" <jane@example.com>",
            "<jane@example.com>",
            "\"odd local\"@example.com",
            "root@localhost",
            "user@[192.0.2.1]",
            "josé@exemple.fr",
        ] {
            assert_eq!(check(value), Ok(()), "{value}");
        }
        for value in [
            "jane",
            "jane@",
            "@example.com",
            "jane..doe@example.com",
            ".jane@example.com",
            "jane doe@example.com",
            "jane@example..com",
            "Doe, Jane <jane@example.com>",
            "a@example.com, b@example.com",
            "Jane <jane@example.com",
            "jane@exa mple.com",
        ] {
            assert!(check(value).is_err(), "{value}");
        }
    }
}
