//! Typed settings: the host passes one JSON document; a policy reads it into
//! its own `serde` struct, and errors name the key.
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Debug, Default, Deserialize)]
//! #[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
//! struct Settings {
//!     require_digest: bool,
//!     trusted_registries: Vec<String>,
//! }
//!
//! let settings: Settings = tallyman_sdk::settings::parse(r#"{"require-digest": true}"#).unwrap();
//! assert!(settings.require_digest);
//!
//! let error = tallyman_sdk::settings::parse::<Settings>(r#"{"require-digest": "yes"}"#).unwrap_err();
//! assert_eq!(error, "`require-digest`: invalid type: string \"yes\", expected a boolean");
//!
//! let error = tallyman_sdk::settings::parse::<Settings>(r#"{"trusted-registry": []}"#).unwrap_err();
//! assert!(error.starts_with("unknown field `trusted-registry`"), "{error}");
//! ```

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

/// Settings of a policy that has none: only `{}` is accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

/// Reads a settings document. An empty document is read as `{}`.
///
/// The error names the key (as a path such as `end-of-life[2].date` for
/// nested values) and the reason, without JSON line and column numbers,
/// which mean nothing to a user whose settings were written in YAML.
pub fn parse<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    let json = if json.trim().is_empty() { "{}" } else { json };
    // A struct would also deserialise from a JSON array; settings are an object.
    if !json.trim_start().starts_with('{') {
        return Err("settings must be a JSON object".to_string());
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(describe)?;
    deserializer
        .end()
        .map_err(|error| format!("settings: {}", without_position(&error)))?;
    Ok(value)
}

fn describe(error: serde_path_to_error::Error<serde_json::Error>) -> String {
    let reason = without_position(error.inner());
    let mut segments: Vec<String> = error
        .path()
        .iter()
        .map(|segment| match segment {
            Segment::Seq { index } => format!("[{index}]"),
            Segment::Map { key } => format!(".{key}"),
            Segment::Enum { variant } => format!(".{variant}"),
            Segment::Unknown => ".?".to_string(),
        })
        .collect();
    // The message of an unknown key already names it: point at its parent.
    if reason.starts_with("unknown field") {
        segments.pop();
    }
    let path = segments.concat();
    match path.strip_prefix('.').unwrap_or(&path) {
        "" => reason,
        path => format!("`{path}`: {reason}"),
    }
}

/// serde_json's message without its " at line L column C" suffix.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if error.line() == 0 {
        return message;
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&suffix) {
        Some(reason) => reason.to_string(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
    struct Settings {
        target: Option<String>,
        end_of_life: Vec<Entry>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Entry {
        image: String,
        date: String,
    }

    #[test]
    fn empty_documents_are_the_defaults() {
        assert_eq!(parse::<Settings>("").unwrap(), Settings::default());
        assert_eq!(parse::<Settings>(" {} ").unwrap(), Settings::default());
        assert_eq!(parse::<NoSettings>("{}").unwrap(), NoSettings {});
    }

    #[test]
    fn nested_errors_name_the_path() {
        let error =
            parse::<Settings>(r#"{"end-of-life": [{"image": "x", "date": "d"}, {"image": 1}]}"#)
                .unwrap_err();
        assert_eq!(
            error,
            "`end-of-life[1].image`: invalid type: integer `1`, expected a string"
        );
        let error =
            parse::<Settings>(r#"{"end-of-life": [{"image": "x", "when": "d"}]}"#).unwrap_err();
        assert!(
            error.starts_with("`end-of-life[0]`: unknown field `when`"),
            "{error}"
        );
    }

    #[test]
    fn no_settings_rejects_any_key() {
        let error = parse::<NoSettings>(r#"{"target": "x"}"#).unwrap_err();
        assert!(error.contains("unknown field `target`"), "{error}");
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        assert!(parse::<Settings>("{").is_err());
        assert!(parse::<Settings>("[]").is_err());
        assert!(parse::<Settings>("{} {}").is_err());
        assert!(parse::<Settings>("null").is_err());
    }
}
