//! `rfc3339`: a date and time as RFC 3339 section 5.6 writes it
//! (`2026-01-15T09:30:00Z`, `2026-01-15T09:30:00.25+01:00`), what the OCI
//! annotation `org.opencontainers.image.created` asks for. `T` and `Z`
//! may be lower case, and a space may stand for `T` (both allowed by the
//! RFC). A date alone, a time without an offset and a Unix timestamp are
//! not RFC 3339 date-times. Fields are checked against the calendar
//! (`2026-02-29` fails); a leap second (`:60`) is allowed.

pub fn check(value: &str) -> Result<(), String> {
    let bytes = value.as_bytes();
    let Some(separator) = bytes.get(10) else {
        return Err(too_short(value));
    };
    if !matches!(separator, b'T' | b't' | b' ') {
        return Err("the date and the time are not joined by `T`".to_string());
    }
    let (date, rest) = value.split_at(10);
    check_date(date)?;
    let time = rest.get(1..).unwrap_or_default();
    check_time(time)
}

fn too_short(value: &str) -> String {
    if value.len() == 10 && check_date(value).is_ok() {
        "it is a date without a time (`2026-01-15T00:00:00Z`)".to_string()
    } else {
        "it is not `YYYY-MM-DDTHH:MM:SSZ`".to_string()
    }
}

/// `YYYY-MM-DD`, a real day.
fn check_date(date: &str) -> Result<(), String> {
    let fields = digits_at(date, &[(0, 4), (5, 2), (8, 2)]);
    let shape = date.len() == 10 && date.get(4..5) == Some("-") && date.get(7..8) == Some("-");
    let (Some([year, month, day]), true) = (fields.as_deref().and_then(as_three), shape) else {
        return Err("the date is not `YYYY-MM-DD`".to_string());
    };
    if !(1..=12).contains(&month) {
        return Err(format!("{month} is not a month"));
    }
    if day == 0 || day > days_in(year, month) {
        return Err(format!("{date} is not a day of the calendar"));
    }
    Ok(())
}

/// `HH:MM:SS[.frac](Z|±HH:MM)`.
fn check_time(time: &str) -> Result<(), String> {
    let shape = time.len() >= 8 && time.get(2..3) == Some(":") && time.get(5..6) == Some(":");
    let (Some([hour, minute, second]), true) = (
        digits_at(time, &[(0, 2), (3, 2), (6, 2)])
            .as_deref()
            .and_then(as_three),
        shape,
    ) else {
        return Err("the time is not `HH:MM:SS`".to_string());
    };
    if hour > 23 || minute > 59 || second > 60 {
        return Err(format!(
            "{} is not a time of day",
            time.get(..8).unwrap_or(time)
        ));
    }
    let mut offset = time.get(8..).unwrap_or_default();
    if let Some(fraction) = offset.strip_prefix('.') {
        let digits = fraction.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return Err("a `.` is not followed by fractions of a second".to_string());
        }
        offset = fraction.get(digits..).unwrap_or_default();
    }
    check_offset(offset)
}

/// `Z` or `±HH:MM`.
fn check_offset(offset: &str) -> Result<(), String> {
    if offset.eq_ignore_ascii_case("z") {
        return Ok(());
    }
    if offset.is_empty() {
        return Err("the time has no offset (`Z` or `+01:00`)".to_string());
    }
    let signed =
        offset.starts_with(['+', '-']) && offset.len() == 6 && offset.get(3..4) == Some(":");
    let fields = digits_at(offset, &[(1, 2), (4, 2)]);
    match (fields.as_deref(), signed) {
        (Some([hours, minutes]), true) if *hours <= 23 && *minutes <= 59 => Ok(()),
        _ => Err(format!("`{offset}` is not an offset (`Z` or `+01:00`)")),
    }
}

/// The numbers written at each `(start, length)` of `text`, all digits.
fn digits_at(text: &str, fields: &[(usize, usize)]) -> Option<Vec<u32>> {
    fields
        .iter()
        .map(|&(start, length)| {
            let field = text.get(start..start + length)?;
            field
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| field.parse().ok())
                .flatten()
        })
        .collect()
}

fn as_three(fields: &[u32]) -> Option<[u32; 3]> {
    fields.try_into().ok()
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn date_times_pass() {
        for value in [
            "2026-01-15T09:30:00Z",
            "2026-01-15t09:30:00z",
            "2026-01-15 09:30:00Z",
            "2026-01-15T09:30:00.123456789+01:00",
            "2024-02-29T23:59:60-08:00",
            "1970-01-01T00:00:00+00:00",
        ] {
            assert_eq!(check(value), Ok(()), "{value}");
        }
    }

    #[test]
    fn other_text_fails_with_a_reason() {
        for (value, reason) in [
            ("2026-01-15", "a date without a time"),
            ("2026-01-15T09:30:00", "no offset"),
            ("2026-02-29T00:00:00Z", "not a day of the calendar"),
            ("2026-13-01T00:00:00Z", "13 is not a month"),
            ("2026-01-15T24:00:00Z", "not a time of day"),
            ("2026-01-15T09:30Z", "not `HH:MM:SS`"),
            ("2026-01-15T09:30:00.Z", "fractions of a second"),
            ("2026-01-15T09:30:00+0100", "not an offset"),
            ("2026-01-15_09:30:00Z", "joined by `T`"),
            ("1736933400", "not `YYYY-MM-DDTHH:MM:SSZ`"),
            ("Mon Jan 15 09:30:00 UTC 2026", "not `YYYY-MM-DD`"),
            ("2026-01-15Té0:00:00Z", "not `HH:MM:SS`"),
        ] {
            let error = check(value).expect_err(value);
            assert!(error.contains(reason), "{value}: {error}");
        }
    }
}
