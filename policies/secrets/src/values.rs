//! What a value assigned to a secret-named key is: a hard-coded literal,
//! or something that only refers to a secret (a variable, a path, a
//! command substitution), or public data (a list of key fingerprints).

/// A value as written in the file, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Nothing, or only quotes.
    Empty,
    /// Refers to a value given elsewhere: `$TOKEN`, `${TOKEN:-}`,
    /// `$(cat /run/secrets/token)`.
    Reference,
    /// A file's location (`/run/secrets/token`, `./key.json`): the secret
    /// is in the file, not in the Dockerfile.
    Path,
    /// `true`, `false`, `0`, `1`, `none`: a switch, not a secret.
    Switch,
    /// Hexadecimal key ids or fingerprints (`GPG_KEYS`): public.
    Fingerprints,
    /// Anything else: a hard-coded value.
    Literal,
}

/// Removes one pair of matching quotes around the value.
pub fn unquote(value: &str) -> &str {
    let trimmed = value.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = trimmed
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    trimmed
}

/// Classifies a value as written (quotes allowed).
pub fn classify(written: &str) -> ValueKind {
    let value = unquote(written).trim();
    if value.is_empty() {
        return ValueKind::Empty;
    }
    if has_reference(value) {
        return ValueKind::Reference;
    }
    if is_path(value) {
        return ValueKind::Path;
    }
    if matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "0" | "1"
    ) {
        return ValueKind::Switch;
    }
    if is_fingerprint_list(value) {
        return ValueKind::Fingerprints;
    }
    ValueKind::Literal
}

/// A `$NAME`, `${...}` or `$(...)` not escaped with a backslash.
pub fn has_reference(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        byte == b'$'
            && (at == 0 || bytes.get(at - 1) != Some(&b'\\'))
            && bytes.get(at + 1).is_some_and(|&next| {
                next == b'{' || next == b'(' || next == b'_' || next.is_ascii_alphabetic()
            })
    }) || value.contains('`')
}

/// A file's location rather than a value (`/run/secrets/key.pem`).
pub fn is_path_like(value: &str) -> bool {
    is_path(unquote(value))
}

fn is_path(value: &str) -> bool {
    value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("../")
        || value.starts_with("~/")
}

/// Hexadecimal key ids (8 or 16 digits) or fingerprints (40), optionally
/// `0x`-prefixed, separated by spaces or commas: what `GPG_KEYS` holds.
pub fn is_fingerprint_list(value: &str) -> bool {
    let mut items = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|item| !item.is_empty())
        .peekable();
    items.peek().is_some()
        && items.all(|item| {
            let hex = item
                .strip_prefix("0x")
                .or_else(|| item.strip_prefix("0X"))
                .unwrap_or(item);
            matches!(hex.len(), 8 | 16 | 40) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// A value that stands for a secret instead of being one: a word every
/// guide uses as a stand-in (`pass`, `password`, `changeme`, `secret`,
/// `example`), a template marker (`<password>`, `{{ token }}`,
/// `__TOKEN__`, `YOUR_API_KEY`, `your-token-here`) or a mask (`xxxx`,
/// `****`). Not a leaked secret, but a well-known credential in every
/// container that does not override it.
pub fn is_placeholder(value: &str) -> bool {
    let value = unquote(value).trim();
    let lower = value.to_ascii_lowercase();
    const STAND_INS: &[&str] = &[
        "pass",
        "passwd",
        "password",
        "passw0rd",
        "secret",
        "token",
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "example",
        "dummy",
        "placeholder",
        "replaceme",
        "replace-me",
        "replace_me",
        "todo",
        "tbd",
        "redacted",
    ];
    let template = is_template_marker(value)
        || lower.starts_with("your-")
        || lower.starts_with("your_")
        || lower.starts_with("your.")
        || lower.starts_with("<your");
    let mask = !value.is_empty()
        && value.len() >= 3
        && value
            .chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '#'));
    !value.is_empty() && (STAND_INS.contains(&lower.as_str()) || template || mask)
}

/// A template's slot rather than a value: `<password>`, `{}`,
/// `{password}`, `{{ token }}`, `__TOKEN__`, `%s`, `@PASSWORD@`. The
/// Dockerfile is filled in by something else before it is built.
pub fn is_template_marker(value: &str) -> bool {
    let value = unquote(value).trim();
    (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('{') && value.ends_with('}'))
        || (value.len() > 4 && value.starts_with("__") && value.ends_with("__"))
        || (value.len() > 2 && value.starts_with('@') && value.ends_with('@'))
        || value == "%s"
}

/// Shannon entropy in bits per character.
pub fn entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for byte in value.bytes() {
        if let Some(count) = counts.get_mut(usize::from(byte)) {
            *count += 1;
        }
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

/// A literal that looks machine-generated: long enough, one word of
/// token characters, and random (high entropy, mixed character classes
/// unless it is hexadecimal).
pub fn looks_random(value: &str) -> bool {
    let value = unquote(value);
    let len = value.chars().count();
    if !(16..=512).contains(&len) || classify(value) != ValueKind::Literal {
        return false;
    }
    let token_chars = value.bytes().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.' | b'~')
    });
    if !token_chars || value.contains("://") {
        return false;
    }
    let bits = entropy(value);
    let lower = value.bytes().any(|b| b.is_ascii_lowercase());
    let upper = value.bytes().any(|b| b.is_ascii_uppercase());
    let digit = value.bytes().any(|b| b.is_ascii_digit());
    let hex = value.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        // 16 symbols at most: 4 bits is the ceiling.
        return len >= 20 && digit && bits >= 3.0;
    }
    let classes = usize::from(lower) + usize::from(upper) + usize::from(digit);
    classes >= 2 && bits >= 3.5 && (digit || classes == 3 || len >= 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_values() {
        assert_eq!(classify("\"\""), ValueKind::Empty);
        assert_eq!(classify("${NPM_TOKEN}"), ValueKind::Reference);
        assert_eq!(classify("$NPM_TOKEN"), ValueKind::Reference);
        assert_eq!(
            classify("\"$(cat /run/secrets/token)\""),
            ValueKind::Reference
        );
        assert_eq!(classify("Bearer ${TOKEN}"), ValueKind::Reference);
        assert_eq!(classify("/run/secrets/db_password"), ValueKind::Path);
        assert_eq!(classify("false"), ValueKind::Switch);
        assert_eq!(
            classify(
                "\"B42F6819007F00F88E364FD4036A9C25BF357DD4 0x7937DFD2AB06298B2293C3187D33FF9D0246406D\""
            ),
            ValueKind::Fingerprints
        );
        assert_eq!(classify("hunter2"), ValueKind::Literal);
        assert_eq!(classify("pa\\$word"), ValueKind::Literal);
        assert_eq!(classify("cost$5"), ValueKind::Literal);
    }

    #[test]
    fn placeholders() {
        for value in [
            "pass",
            "\"Password\"",
            "changeme",
            "<your-password>",
            "{{ db_password }}",
            "__API_TOKEN__",
            "YOUR_API_KEY",
            "your-token-here",
            "xxxxxxxx",
            "********",
            "{}",
            "@DB_PASSWORD@",
            "%s",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in [
            "hunter2",
            "fsociety",
            "passport",
            "s3cr3t!",
            "lgNvGyhnUKpa5PJi",
            "",
            "x",
            "<",
            "____",
        ] {
            assert!(!is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn random_looking_values() {
        assert!(looks_random("lgNvGyhnUKpa5PJi"));
        assert!(looks_random("9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"));
        assert!(looks_random("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEY"));
        for value in [
            "changeme",
            "my-super-secret-password",
            "aaaaaaaaaaaaaaaaaaaa",
            "${SECRET_FROM_SOMEWHERE}",
            "/run/secrets/aws_secret_access_key",
            "https://vault.example.com/v1",
            "short1A",
            "correct horse battery staple",
        ] {
            assert!(!looks_random(value), "{value}");
        }
    }

    #[test]
    fn entropy_of_simple_strings() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
