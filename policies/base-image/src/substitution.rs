//! Variable substitutions in a `FROM` line as BuildKit's lexer reads them:
//! which variables are used and how (`$A`, `${A:-default}`,
//! `${A:+alternate}`, `${A:?message}`), and whether a `${...}` is malformed
//! (`${a:b}`), which fails every build whatever the arguments.

/// How a variable is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// `$A`, `${A}`, or a trim or replacement (`${A%x}`, `${A/x/y}`): the
    /// variable's value, empty when unset.
    Value,
    /// `${A:-word}`, `${A-word}`: the word when unset.
    Default,
    /// `${A:+word}`, `${A+word}`: nothing when unset.
    Alternate,
    /// `${A:?message}`, `${A?message}`: the build fails when unset.
    Required,
}

/// One use of a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'a> {
    pub name: &'a str,
    pub used: Use,
}

/// Why a substitution is malformed, in BuildKit's words where it has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The substitution as written, as far as it was read: `${a:b}`.
    pub written: String,
    pub reason: &'static str,
}

/// The variable uses of `text`, or the first malformed substitution.
pub fn references(text: &str) -> Result<Vec<Reference<'_>>, Malformed> {
    let mut found = Vec::new();
    Scanner { text, at: 0 }.scan(None, &mut found)?;
    Ok(found)
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Reads until `stop` (consumed) or the end; `Ok(true)` when `stop`
    /// was found.
    fn scan(
        &mut self,
        stop: Option<u8>,
        found: &mut Vec<Reference<'a>>,
    ) -> Result<bool, Malformed> {
        while let Some(byte) = self.peek() {
            match byte {
                b'\\' => self.at += 2,
                b'$' => self.dollar(found)?,
                _ if Some(byte) == stop => {
                    self.at += 1;
                    return Ok(true);
                }
                _ => self.at += 1,
            }
        }
        Ok(false)
    }

    fn name(&mut self) -> &'a str {
        let start = self.at;
        let bytes = self.text.as_bytes();
        match bytes.get(start) {
            Some(first) if first.is_ascii_digit() => {
                while bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                    self.at += 1;
                }
            }
            Some(b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') => self.at += 1,
            _ => {
                while bytes
                    .get(self.at)
                    .is_some_and(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
                {
                    self.at += 1;
                }
            }
        }
        self.text.get(start..self.at).unwrap_or_default()
    }

    fn dollar(&mut self, found: &mut Vec<Reference<'a>>) -> Result<(), Malformed> {
        let start = self.at;
        self.at += 1;
        if self.peek() != Some(b'{') {
            let name = self.name();
            if !name.is_empty() {
                found.push(Reference {
                    name,
                    used: Use::Value,
                });
            }
            return Ok(());
        }
        self.at += 1;
        let malformed = |scanner: &Scanner<'_>, reason| Malformed {
            written: scanner
                .text
                .get(start..scanner.at.min(scanner.text.len()))
                .unwrap_or_default()
                .to_string(),
            reason,
        };
        match self.peek() {
            None => return Err(malformed(self, "it has no closing `}`")),
            Some(b'{' | b'}' | b':') => {
                self.at += 1;
                return Err(malformed(self, "`${` must be followed by a variable name"));
            }
            Some(_) => {}
        }
        let name = self.name();
        let operator = self.peek();
        self.at += 1;
        let used = match operator {
            None => return Err(malformed(self, "it has no closing `}`")),
            Some(b'}') => {
                found.push(Reference {
                    name,
                    used: Use::Value,
                });
                return Ok(());
            }
            Some(b':') => {
                let after = self.peek();
                self.at += 1;
                match after {
                    Some(b'-') => Use::Default,
                    Some(b'+') => Use::Alternate,
                    Some(b'?') => Use::Required,
                    _ => {
                        // BuildKit reads the word before it judges the
                        // operator: a missing `}` is reported first.
                        self.at -= 1;
                        let closed = self.scan(Some(b'}'), &mut Vec::new())?;
                        let reason = if closed {
                            "after `:`, BuildKit knows only `-`, `+` and `?`"
                        } else {
                            "it has no closing `}`"
                        };
                        return Err(malformed(self, reason));
                    }
                }
            }
            Some(b'-') => Use::Default,
            Some(b'+') => Use::Alternate,
            Some(b'?') => Use::Required,
            Some(b'#' | b'%' | b'/') => Use::Value,
            Some(_) => return Err(malformed(self, "BuildKit knows no such modifier")),
        };
        found.push(Reference { name, used });
        if self.scan(Some(b'}'), found)? {
            Ok(())
        } else {
            Err(malformed(self, "it has no closing `}`"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(text: &str) -> Vec<(&str, Use)> {
        references(text)
            .unwrap_or_default()
            .into_iter()
            .map(|reference| (reference.name, reference.used))
            .collect()
    }

    #[test]
    fn forms_of_use() {
        assert_eq!(
            uses("${REGISTRY:-docker.io}/app:$TAG${DEBUG:+-debug}"),
            [
                ("REGISTRY", Use::Default),
                ("TAG", Use::Value),
                ("DEBUG", Use::Alternate)
            ]
        );
        assert_eq!(uses("${A:-${B}}"), [("A", Use::Default), ("B", Use::Value)]);
        assert_eq!(uses("${A:?set A}"), [("A", Use::Required)]);
        assert_eq!(uses("${A%-*}"), [("A", Use::Value)]);
        assert_eq!(uses("\\$A alpine"), []);
    }

    #[test]
    fn malformed_substitutions() {
        let reason = |text: &str| references(text).err().map(|m| (m.written, m.reason));
        assert_eq!(
            reason("${a:b}").map(|(written, _)| written),
            Some("${a:b}".to_string())
        );
        assert!(reason("alpine:${a:b}").is_some());
        assert!(reason("${a").is_some());
        assert!(reason("${}").is_some());
        assert!(reason("${a:-x").is_some());
        assert!(reason("${a^}").is_some());
        assert_eq!(reason("${a:-x}"), None);
        assert_eq!(reason("é${A}é"), None);
    }
}
