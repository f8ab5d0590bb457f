//! The value types of a label schema, and what a value of each looks
//! like. One module per format; each says where it departs from hadolint.

mod email;
mod git_hash;
mod license;
mod rfc3339;
mod semver;
mod url;

/// The type of a schema label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelType {
    /// Anything (not empty: LB004 checks that).
    Text,
    /// An absolute URI (RFC 3986).
    Url,
    /// A date and time (RFC 3339).
    Rfc3339,
    /// An SPDX license expression.
    Spdx,
    /// A git commit id.
    Hash,
    /// A semantic version (SemVer 2.0.0).
    Semver,
    /// An email address (RFC 5322).
    Email,
}

impl LabelType {
    /// The names the settings accept, as hadolint's `label-schema` spells
    /// them.
    pub const NAMES: [&'static str; 7] =
        ["text", "url", "rfc3339", "spdx", "hash", "semver", "email"];

    /// The type named `name`; an empty name is `text`, as in hadolint.
    pub fn parse(name: &str) -> Option<LabelType> {
        Some(match name {
            "text" | "" => LabelType::Text,
            "url" => LabelType::Url,
            "rfc3339" => LabelType::Rfc3339,
            "spdx" => LabelType::Spdx,
            "hash" => LabelType::Hash,
            "semver" => LabelType::Semver,
            "email" => LabelType::Email,
            _ => return None,
        })
    }

    /// What a value of this type is, for messages ("a URL").
    pub fn describe(self) -> &'static str {
        match self {
            LabelType::Text => "text",
            LabelType::Url => "an absolute URL (RFC 3986)",
            LabelType::Rfc3339 => "an RFC 3339 date and time",
            LabelType::Spdx => "an SPDX license expression",
            LabelType::Hash => "a git commit hash",
            LabelType::Semver => "a semantic version (SemVer 2.0.0)",
            LabelType::Email => "an email address (RFC 5322)",
        }
    }

    /// `Err` with the reason when `value` (not empty) is not of this type.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            LabelType::Text => Ok(()),
            LabelType::Url => url::check(value),
            LabelType::Rfc3339 => rfc3339::check(value),
            LabelType::Spdx => license::check(value),
            LabelType::Hash => git_hash::check(value),
            LabelType::Semver => semver::check(value),
            LabelType::Email => email::check(value),
        }
    }
}
