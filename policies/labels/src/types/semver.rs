//! `semver`: a semantic version exactly as SemVer 2.0.0 defines it
//! (`1.2.3`, `1.0.0-rc.1+build.5`), as hadolint's `Data.SemVer` parses it.
//! A leading `v` is not part of it (semver.org's FAQ: "v1.2.3" is not a
//! semantic version), nor are two-part versions (`1.2`).

pub fn check(value: &str) -> Result<(), String> {
    if value.starts_with(['v', 'V']) && check(value.get(1..).unwrap_or_default()).is_ok() {
        return Err("a leading `v` is not part of a semantic version".to_string());
    }
    let (rest, build) = match value.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (value, None),
    };
    let (core, pre_release) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() != 3 || !numbers.iter().all(|number| numeric_identifier(number)) {
        return Err(
            "it is not `MAJOR.MINOR.PATCH` (three numbers without leading zeros)".to_string(),
        );
    }
    if let Some(pre) = pre_release
        && !pre
            .split('.')
            .all(|part| identifier(part) && (!numeric(part) || numeric_identifier(part)))
    {
        return Err(format!(
            "`{pre}` is not a pre-release (dot-separated [0-9A-Za-z-] parts, numbers without leading zeros)"
        ));
    }
    if let Some(build) = build
        && !build.split('.').all(identifier)
    {
        return Err(format!(
            "`{build}` is not build metadata (dot-separated [0-9A-Za-z-] parts)"
        ));
    }
    Ok(())
}

fn identifier(part: &str) -> bool {
    !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn numeric(part: &str) -> bool {
    !part.is_empty() && part.chars().all(|c| c.is_ascii_digit())
}

/// A number without leading zeros.
fn numeric_identifier(part: &str) -> bool {
    numeric(part) && (part == "0" || !part.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn versions() {
        for value in [
            "1.2.3",
            "0.0.0",
            "10.20.30",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x-y.z--",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
        ] {
            assert_eq!(check(value), Ok(()), "{value}");
        }
        for (value, reason) in [
            ("v1.2.3", "leading `v`"),
            ("1.2", "MAJOR.MINOR.PATCH"),
            ("01.2.3", "MAJOR.MINOR.PATCH"),
            ("1.2.3.4", "MAJOR.MINOR.PATCH"),
            ("1.2.3-", "pre-release"),
            ("1.2.3-01", "pre-release"),
            ("1.2.3-a..b", "pre-release"),
            ("1.2.3+", "build metadata"),
            ("1.2.3+a_b", "build metadata"),
            ("latest", "MAJOR.MINOR.PATCH"),
        ] {
            let error = check(value).expect_err(value);
            assert!(error.contains(reason), "{value}: {error}");
        }
    }
}
