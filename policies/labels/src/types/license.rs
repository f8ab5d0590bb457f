//! `spdx`: an SPDX license expression (SPDX specification, annex D):
//! license identifiers of the SPDX license list (the `spdx` crate's copy,
//! list version in [`spdx::license_version`]), `LicenseRef-`/
//! `DocumentRef-` references, `+`, `WITH` an exception, `AND`, `OR` and
//! parentheses. Identifiers are matched without regard to case, as the
//! specification says; deprecated identifiers (`GPL-2.0`) are still
//! identifiers. hadolint accepts a single identifier only, so
//! `MIT OR Apache-2.0` is a finding there and not here.

use spdx::ParseMode;
use spdx::error::Reason;

const MODE: ParseMode = ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    // `GPL-2.0+` is a (deprecated) identifier of the list itself.
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

pub fn check(value: &str) -> Result<(), String> {
    let canonical = canonical_case(value);
    match spdx::Expression::parse_mode(&canonical, MODE) {
        Ok(_) => Ok(()),
        Err(error) => {
            let term = canonical.get(error.span.clone()).unwrap_or_default().trim();
            let reason = match error.reason {
                Reason::UnknownTerm | Reason::UnknownLicense => {
                    "not an identifier of the SPDX license list (`Apache-2.0`, `MIT`) \
                     or a `LicenseRef-`"
                        .to_string()
                }
                other => other.to_string(),
            };
            Err(if term.is_empty() || term == canonical.trim() {
                reason
            } else {
                format!("`{term}`: {reason}")
            })
        }
    }
}

/// The expression with each identifier spelled as the license list spells
/// it (`mit` → `MIT`); operators and unknown words are left as they are.
fn canonical_case(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len());
    let mut word = String::new();
    for c in expression.chars().chain(std::iter::once(' ')) {
        if c.is_whitespace() || matches!(c, '(' | ')') {
            out.push_str(&canonical_word(&word));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.pop();
    out
}

fn canonical_word(word: &str) -> String {
    let (name, plus) = match word.strip_suffix('+') {
        Some(name) => (name, "+"),
        None => (word, ""),
    };
    let known = spdx::identifiers::LICENSES
        .iter()
        .map(|license| license.name)
        .chain(
            spdx::identifiers::EXCEPTIONS
                .iter()
                .map(|exception| exception.name),
        )
        .find(|known| known.eq_ignore_ascii_case(name));
    match known {
        Some(known) => format!("{known}{plus}"),
        None => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn expressions() {
        for value in [
            "MIT",
            "mit",
            "Apache-2.0",
            "apache-2.0 OR mit",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "GPL-2.0",
            "GPL-2.0+",
            "LicenseRef-Proprietary",
            "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        ] {
            assert_eq!(check(value), Ok(()), "{value}");
        }
        for value in [
            "Apache 2.0",
            "MIT/Apache-2.0",
            "Proprietary",
            "GPLv3",
            "MIT OR",
            "(MIT",
            "BSD",
            "MIT AND AND Apache-2.0",
        ] {
            assert!(check(value).is_err(), "{value}");
        }
    }
}
