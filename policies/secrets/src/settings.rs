//! The policy's settings (kebab-case keys in `tallyman.yaml`).

use serde::Deserialize;

use crate::names::has_word_run;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The stage that is built (`--target`), by name; the scan's target or
    /// the last stage otherwise. Decides which stages ship (SEC004–SEC007).
    pub target: Option<String>,
    /// More names that hold secrets (SEC001, SEC002, SEC006). An entry with
    /// `*` is a pattern over the whole name (`*_SIGNATURE`, `ACME_*`);
    /// otherwise it is one or more words matched in the name's words
    /// (`cert_key` matches `CLIENT_CERT_KEY` and `clientCertKey`). Case
    /// does not matter.
    pub secret_names: Vec<String>,
    /// Names never treated as secrets, exactly or with `*` (`DUMMY_TOKEN`,
    /// `TEST_*`). Case does not matter.
    pub allowed_names: Vec<String>,
    /// Values never reported (SEC001–SEC003): known test fixtures, public
    /// sample keys. Compared exactly; `*` matches any run of characters.
    pub allowed_values: Vec<String>,
}

impl Settings {
    /// What serde cannot check; errors name the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(target) = &self.target
            && target.trim().is_empty()
        {
            return Err("`target`: a stage name cannot be empty".to_string());
        }
        for (key, entries) in [
            ("secret-names", &self.secret_names),
            ("allowed-names", &self.allowed_names),
        ] {
            for (i, entry) in entries.iter().enumerate() {
                let name_chars = entry
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*'));
                if entry.is_empty() || !name_chars {
                    return Err(format!(
                        "`{key}[{i}]`: `{entry}` is not a variable name or pattern \
                         (letters, digits, `_`, `-`, `.` and `*`)"
                    ));
                }
                if entry.chars().all(|c| c == '*') {
                    return Err(format!("`{key}[{i}]`: `{entry}` would match every name"));
                }
            }
        }
        for (i, value) in self.allowed_values.iter().enumerate() {
            if value.trim().is_empty() || value.chars().all(|c| c == '*') {
                return Err(format!(
                    "`allowed-values[{i}]`: `{value}` would allow every value"
                ));
            }
        }
        Ok(())
    }

    /// The name is in `allowed-names`.
    pub fn name_is_allowed(&self, name: &str) -> bool {
        self.allowed_names
            .iter()
            .any(|pattern| glob_matches(&pattern.to_ascii_lowercase(), &name.to_ascii_lowercase()))
    }

    /// The `secret-names` entry that matches the name, if any.
    pub fn extra_secret_name(&self, name: &str) -> Option<&str> {
        self.secret_names
            .iter()
            .find(|entry| {
                if entry.contains('*') {
                    glob_matches(&entry.to_ascii_lowercase(), &name.to_ascii_lowercase())
                } else {
                    has_word_run(name, entry)
                }
            })
            .map(String::as_str)
    }

    /// The value is in `allowed-values`.
    pub fn value_is_allowed(&self, value: &str) -> bool {
        self.allowed_values
            .iter()
            .any(|pattern| glob_matches(pattern, value))
    }
}

/// `*` matches any run of characters (none included); everything else
/// matches itself.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: the whole text must be the pattern.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("test_*", "test_token"));
        assert!(glob_matches("*_token", "npm_token"));
        assert!(glob_matches("a*b*c", "axxbyyc"));
        assert!(glob_matches("a*b*c", "abc"));
        assert!(!glob_matches("a*b*c", "acb"));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
        assert!(!glob_matches("*ab", "b"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn names_and_values() {
        let settings = Settings {
            secret_names: vec!["cert_key".into(), "ACME_*".into()],
            allowed_names: vec!["DUMMY_*".into()],
            allowed_values: vec!["ghp_*EXAMPLE".into()],
            ..Settings::default()
        };
        assert_eq!(
            settings.extra_secret_name("CLIENT_CERT_KEY"),
            Some("cert_key")
        );
        assert_eq!(settings.extra_secret_name("acme_anything"), Some("ACME_*"));
        assert_eq!(settings.extra_secret_name("CERTKEY"), None);
        assert!(settings.name_is_allowed("dummy_token"));
        assert!(settings.value_is_allowed("ghp_123EXAMPLE"));
        assert!(!settings.value_is_allowed("ghp_123"));
    }
}
