//! Go's notions of case and character classes, where BuildKit's behaviour
//! depends on them.
//!
//! Go's `unicode.IsSpace` is Unicode's `White_Space`, the same set as Rust's
//! `char::is_whitespace`, so `str::trim` is Go's `strings.TrimSpace`; the
//! differences that matter are handled here.

use unicode_general_category::{GeneralCategory as Gc, get_general_category};

/// Go's `strings.ToLower`: each character maps to one character (U+0130
/// becomes `i`, where Rust would add a combining dot).
pub(crate) fn go_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// Go's `unicode.IsDigit` (category Nd).
pub(crate) fn is_go_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    get_general_category(c) == Gc::DecimalNumber
}

/// Go's `unicode.IsLetter` (categories L*).
pub(crate) fn is_go_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(c),
        Gc::UppercaseLetter
            | Gc::LowercaseLetter
            | Gc::TitlecaseLetter
            | Gc::ModifierLetter
            | Gc::OtherLetter
    )
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space.
pub(crate) fn is_go_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !matches!(
        get_general_category(c),
        Gc::Control
            | Gc::Format
            | Gc::Surrogate
            | Gc::PrivateUse
            | Gc::Unassigned
            | Gc::SpaceSeparator
            | Gc::LineSeparator
            | Gc::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_like_go() {
        assert_eq!(go_lower("ONBUILD"), "onbuild");
        assert_eq!(go_lower("ONBU\u{130}LD"), "onbuild");
        assert_eq!(go_lower("\u{212a}EY"), "key");
        assert_eq!(go_lower("ΣΑΣ"), "σασ");
    }

    #[test]
    fn classes_match_go() {
        assert!(is_go_digit('٣') && !is_go_digit('²') && !is_go_digit('x'));
        assert!(is_go_letter('é') && !is_go_letter('_'));
        assert!(is_go_print('♥') && is_go_print(' ') && is_go_print('é'));
        assert!(!is_go_print('\u{a0}') && !is_go_print('\u{200b}') && !is_go_print('\x7f'));
    }
}
