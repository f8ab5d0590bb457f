//! Credentials in URLs: `scheme://user:password@host`.

/// A URL with a hard-coded password in its user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialUrl<'a> {
    pub scheme: &'a str,
    pub user: &'a str,
    pub password: &'a str,
    pub host: &'a str,
    /// Byte offset of the scheme in the scanned text.
    pub offset: usize,
}

impl CredentialUrl<'_> {
    /// The URL with its password masked, for messages.
    pub fn masked(&self) -> String {
        format!("{}://{}:****@{}", self.scheme, self.user, self.host)
    }
}

/// Every URL in `text` whose user info has a non-empty password that is
/// written out, not a `$VARIABLE`, `${VARIABLE}`, `$(command)` or a
/// `<placeholder>`.
pub fn credential_urls(text: &str) -> Vec<CredentialUrl<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (separator, _) in text.match_indices("://") {
        // The scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), ending at `://`.
        let mut start = separator;
        while let Some(&byte) = start.checked_sub(1).and_then(|at| bytes.get(at)) {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.') {
                start -= 1;
            } else {
                break;
            }
        }
        while bytes
            .get(start)
            .is_some_and(|byte| !byte.is_ascii_alphabetic())
            && start < separator
        {
            start += 1;
        }
        let Some(scheme) = text.get(start..separator).filter(|s| !s.is_empty()) else {
            continue;
        };
        let authority_start = separator + 3;
        let authority_len = bytes
            .get(authority_start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&byte| !is_authority_end(byte))
            .count();
        let Some(authority) = text.get(authority_start..authority_start + authority_len) else {
            continue;
        };
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if host.is_empty() || password.is_empty() || is_placeholder(password) {
            continue;
        }
        found.push(CredentialUrl {
            scheme,
            user,
            password,
            host,
            offset: start,
        });
    }
    found
}

/// What ends a URL's authority: its path, query or fragment, or the end of
/// the shell word (whitespace, quotes, separators).
fn is_authority_end(byte: u8) -> bool {
    byte.is_ascii_whitespace()
        || matches!(
            byte,
            b'/' | b'?'
                | b'#'
                | b'"'
                | b'\''
                | b';'
                | b'|'
                | b'&'
                | b'<'
                | b'>'
                | b'`'
                | b')'
                | b','
        )
}

/// A password that is not written out: a variable, a command substitution,
/// a template placeholder, or a mask.
fn is_placeholder(password: &str) -> bool {
    password.contains('$')
        || password.starts_with('<')
        || password.starts_with('{')
        || password.starts_with('%')
        || password.starts_with('[')
        || password
            .chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> Vec<String> {
        credential_urls(text)
            .iter()
            .map(CredentialUrl::masked)
            .collect()
    }

    #[test]
    fn passwords_in_urls() {
        assert_eq!(
            masked("git clone https://deploy:s3cr3t@github.com/acme/app.git"),
            ["https://deploy:****@github.com"]
        );
        assert_eq!(
            masked("ENV HTTP_PROXY=\"http://proxy:hunter2@10.0.0.1:3128\""),
            ["http://proxy:****@10.0.0.1:3128"]
        );
        assert_eq!(
            masked("pip install --index-url=https://__token__:pypi123@pypi.example.com/simple x"),
            ["https://__token__:****@pypi.example.com"]
        );
        let found = credential_urls("x postgresql+psycopg://app:pw@db/app");
        assert_eq!(
            found.first().map(|url| url.scheme),
            Some("postgresql+psycopg")
        );
    }

    #[test]
    fn no_password_or_not_written_out() {
        for text in [
            "git clone ssh://git@github.com/acme/app.git",
            "git clone git@github.com:acme/app.git",
            "curl https://${USER}:${PASSWORD}@example.com/x",
            "curl https://user:$TOKEN@example.com/x",
            "curl https://oauth2:$(cat /run/secrets/token)@gitlab.com/x",
            "curl https://user:<password>@example.com",
            "curl https://user:@example.com",
            "curl https://user:****@example.com",
            "curl https://example.com/a:b@c",
            "see http://[::1]:8080/",
            "://x:y@z",
        ] {
            assert!(masked(text).is_empty(), "{text}: {:?}", masked(text));
        }
    }
}
