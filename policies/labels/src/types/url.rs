//! `url`: an absolute URI as RFC 3986 defines it (`scheme:` then the rest),
//! as hadolint's `Network.URI.parseURI` requires. On top of the grammar,
//! the web schemes (`http`, `https`, `ftp`, `ws`, `wss`) need a host:
//! `https:///x` is a valid URI but no usable link. An scp-style git
//! remote (`git@github.com:org/repo.git`) is not a URL.

/// Schemes whose URIs name a host (RFC 9110, RFC 6455, RFC 1738).
const HOST_SCHEMES: &[&str] = &["http", "https", "ftp", "ws", "wss"];

pub fn check(value: &str) -> Result<(), String> {
    let Some((scheme, rest)) = value.split_once(':') else {
        return Err("it has no scheme (`https:`)".to_string());
    };
    if !valid_scheme(scheme) {
        return Err(format!("`{scheme}` is not a URI scheme"));
    }
    if let Some(bad) = rest.chars().find(|&c| !uri_char(c)) {
        return Err(match bad {
            ' ' => "it contains a space (write `%20`)".to_string(),
            _ => format!("`{bad}` is not allowed in a URI (percent-encode it)"),
        });
    }
    check_percent_encoding(rest)?;
    if rest.matches('#').count() > 1 {
        return Err("it has more than one `#`".to_string());
    }
    let hier = rest.split(['?', '#']).next().unwrap_or_default();
    if let Some(after) = hier.strip_prefix("//") {
        let authority = after.split('/').next().unwrap_or_default();
        check_authority(authority)?;
        if HOST_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
            && host_of(authority).is_empty()
        {
            return Err(format!("a `{scheme}` URL needs a host"));
        }
    } else if HOST_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(format!("a `{scheme}` URL needs `//` and a host"));
    } else if hier.contains('[') || hier.contains(']') {
        return Err("`[` and `]` are allowed only around an IP address".to_string());
    }
    Ok(())
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn valid_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Unreserved, reserved and `%` (RFC 3986 section 2).
fn uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.' | '_' | '~' // unreserved
                | ':' | '/' | '?' | '#' | '[' | ']' | '@' // gen-delims
                | '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=' // sub-delims
                | '%'
        )
}

fn check_percent_encoding(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    for (at, byte) in bytes.iter().enumerate() {
        if *byte == b'%' {
            let encoded = bytes.get(at + 1..at + 3);
            if !encoded.is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit)) {
                return Err("a `%` is not followed by two hex digits".to_string());
            }
        }
    }
    Ok(())
}

/// `[ userinfo "@" ] host [ ":" port ]`.
fn check_authority(authority: &str) -> Result<(), String> {
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    if let Some(userinfo) = authority.rsplit_once('@').map(|(userinfo, _)| userinfo)
        && (userinfo.contains(['[', ']', '@']))
    {
        return Err("the user part of the address is malformed".to_string());
    }
    let port = if let Some(literal) = host_port.strip_prefix('[') {
        let Some((address, after)) = literal.split_once(']') else {
            return Err("an IP literal `[` is not closed".to_string());
        };
        if address.is_empty()
            || !address
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.' | 'v' | 'V'))
        {
            return Err(format!("`[{address}]` is not an IP address"));
        }
        match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("text follows the IP literal")?,
            ),
        }
    } else {
        if host_port.contains(['[', ']']) {
            return Err("`[` and `]` are allowed only around an IP address".to_string());
        }
        host_port.split_once(':').map(|(_, port)| port)
    };
    if let Some(port) = port
        && !port.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!("`{port}` is not a port number"));
    }
    Ok(())
}

fn host_of(authority: &str) -> &str {
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    if host_port.starts_with('[') {
        return host_port;
    }
    host_port.split(':').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn absolute_uris_pass() {
        for value in [
            "https://github.com/example/app",
            "https://github.com/example/app.git#main",
            "http://[::1]:8080/x?y=1&z=%20",
            "mailto:ops@example.com",
            "urn:isbn:0451450523",
            "git+ssh://git@github.com/org/repo.git",
            "ssh://git@github.com:22/org/repo",
            "file:///etc/hosts",
            "https://user:pw@example.com/",
        ] {
            assert_eq!(check(value), Ok(()), "{value}");
        }
    }

    #[test]
    fn other_text_fails() {
        for value in [
            "github.com/example/app",
            "git@github.com:org/repo.git",
            "https://",
            "https:///path",
            "https:example.com",
            "https://example.com/a b",
            "https://example.com/%zz",
            "https://example.com:http/",
            "https://exa[mple.com/",
            "http://[zz]/",
            "1http://x",
            "https://example.com/é",
            "https://x/#a#b",
        ] {
            assert!(check(value).is_err(), "{value}");
        }
    }
}
