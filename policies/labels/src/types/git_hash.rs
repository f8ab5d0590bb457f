//! `hash`: a git commit id in hex: the full SHA-1 (40 digits) or SHA-256
//! (64 digits) of `git rev-parse HEAD`, or an abbreviation of at least 7
//! digits (`git rev-parse --short` gives 7 or more, as many as the
//! repository needs). hadolint accepts exactly 7 or 40 lower-case digits;
//! a longer abbreviation, a SHA-256 repository's id and upper-case digits
//! are commit ids all the same.

pub fn check(value: &str) -> Result<(), String> {
    if let Some(bad) = value.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("`{bad}` is not a hex digit"));
    }
    match value.len() {
        7..=40 | 64 => Ok(()),
        0..7 => Err(format!(
            "{} hex digits are too few for a commit id (7 or more)",
            value.len()
        )),
        length => Err(format!(
            "{length} hex digits are neither a SHA-1 (up to 40) nor a SHA-256 (64) commit id"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn commit_ids() {
        for value in ["0123abc", "0123ABCdef45", &"a".repeat(40), &"b".repeat(64)] {
            assert_eq!(check(value), Ok(()), "{value}");
        }
        for value in [
            "abc",
            "v1.2.3",
            "0123abg",
            &"a".repeat(41),
            "main",
            "0123abc ",
        ] {
            assert!(check(value).is_err(), "{value}");
        }
    }
}
