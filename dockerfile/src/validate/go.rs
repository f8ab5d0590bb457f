//! The few Go library functions whose exact behaviour decides what BuildKit
//! accepts: `time.ParseDuration`, `strconv.ParseInt(s, 10, 32)`,
//! `strconv.ParseBool`, and BuildKit's `util/suggest` ("did you mean").

/// `"` + text + `"`, escaping as Go's `%q` does for the characters that matter here.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const NANOS_PER_MILLI: u64 = 1_000_000;

/// A duration as Go's `time.ParseDuration` reads it, in nanoseconds, or its
/// error message. `-1s` is negative; units are `ns`, `us` (`µs`, `μs`), `ms`,
/// `s`, `m`, `h`; a bare number other than `0` has no unit and is refused.
pub(crate) fn parse_duration(original: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", quote(original));
    let mut s = original;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !s.is_empty() {
        let starts_number = s.starts_with(|c: char| c == '.' || c.is_ascii_digit());
        if !starts_number {
            return Err(invalid());
        }
        let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let mut whole: u64 = 0;
        for b in s[..digits].bytes() {
            if whole > LIMIT / 10 {
                return Err(invalid());
            }
            whole = whole * 10 + u64::from(b - b'0');
            if whole > LIMIT {
                return Err(invalid());
            }
        }
        let before_point = digits > 0;
        s = &s[digits..];
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut after_point = false;
        if let Some(rest) = s.strip_prefix('.') {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let mut overflow = false;
            for b in rest[..digits].bytes() {
                if overflow {
                    continue;
                }
                if fraction > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(b - b'0');
                if next > LIMIT {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            after_point = digits > 0;
            s = &rest[digits..];
        }
        if !before_point && !after_point {
            return Err(invalid());
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                quote(original)
            ));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => NANOS_PER_MILLI,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit_name),
                    quote(original)
                ));
            }
        };
        if whole > LIMIT / unit {
            return Err(invalid());
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // Go converts through float64 here, truncating.
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let part = (fraction as f64 * (unit as f64 / scale)) as u64;
            value = value.saturating_add(part);
            if value > LIMIT {
                return Err(invalid());
            }
        }
        total = total.saturating_add(value);
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok(-i128::from(total));
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(i128::from(total))
}

/// Whether a parsed duration is below BuildKit's minimum for `HEALTHCHECK`
/// intervals (one millisecond), zero meaning "the default" and allowed.
pub(crate) fn below_minimum_interval(nanos: i128) -> bool {
    nanos != 0 && nanos < i128::from(NANOS_PER_MILLI)
}

/// Go's `strconv.ParseInt(s, 10, 32)`, with its error message.
pub(crate) fn parse_i32(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.ParseInt: parsing {}: invalid syntax", quote(s));
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    let magnitude: i128 = digits.bytes().fold(0i128, |acc, b| {
        (acc * 10 + i128::from(b - b'0')).min(i128::from(u64::MAX))
    });
    let value = if negative { -magnitude } else { magnitude };
    if value < i128::from(i32::MIN) || value > i128::from(i32::MAX) {
        return Err(format!(
            "strconv.ParseInt: parsing {}: value out of range",
            quote(s)
        ));
    }
    i64::try_from(value).map_err(|_| syntax())
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// BuildKit's `suggest.Search`: the option closest to `value` by edit
/// distance, if any is closer than 3 and none is equal. Options are tried in
/// the order given (BuildKit's come from a map, so ties may differ).
pub(crate) fn suggestion(value: &str, options: &[&str], case_sensitive: bool) -> Option<String> {
    let fold = |s: &str| {
        if case_sensitive {
            s.to_owned()
        } else {
            s.to_lowercase()
        }
    };
    let wanted: Vec<char> = fold(value).chars().collect();
    let mut best: Option<String> = None;
    let mut best_distance = 3;
    for option in options {
        let candidate = fold(option);
        let chars: Vec<char> = candidate.chars().collect();
        if chars == wanted {
            return None;
        }
        let distance = levenshtein(&wanted, &chars);
        if distance < best_distance {
            best_distance = distance;
            best = Some(if case_sensitive {
                candidate
            } else {
                match_case(&candidate, value)
            });
        }
    }
    best
}

/// `err (did you mean X?)` when there is a suggestion.
pub(crate) fn with_suggestion(
    message: String,
    value: &str,
    options: &[&str],
    case_sensitive: bool,
) -> String {
    match suggestion(value, options, case_sensitive) {
        Some(option) => format!("{message} (did you mean {option}?)"),
        None => message,
    }
}

fn match_case(option: &str, written: &str) -> String {
    if written == written.to_lowercase() {
        option.to_lowercase()
    } else if written == written.to_uppercase() {
        option.to_uppercase()
    } else {
        option.to_owned()
    }
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_go_reads_them() {
        assert_eq!(parse_duration("30s"), Ok(30_000_000_000));
        assert_eq!(parse_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("-2ms"), Ok(-2_000_000));
        assert_eq!(parse_duration("10\u{b5}s"), Ok(10_000));
        assert_eq!(
            parse_duration("30"),
            Err("time: missing unit in duration \"30\"".to_owned())
        );
        assert_eq!(
            parse_duration("5sec"),
            Err("time: unknown unit \"sec\" in duration \"5sec\"".to_owned())
        );
        assert_eq!(
            parse_duration(""),
            Err("time: invalid duration \"\"".to_owned())
        );
        assert_eq!(
            parse_duration("."),
            Err("time: invalid duration \".\"".to_owned())
        );
        assert_eq!(
            parse_duration("s"),
            Err("time: invalid duration \"s\"".to_owned())
        );
        assert_eq!(
            parse_duration("9999999999999h"),
            Err("time: invalid duration \"9999999999999h\"".to_owned())
        );
        assert!(below_minimum_interval(999_999));
        assert!(below_minimum_interval(-1));
        assert!(!below_minimum_interval(0));
        assert!(!below_minimum_interval(1_000_000));
    }

    #[test]
    fn int32_reads_as_go_reads_it() {
        assert_eq!(parse_i32("3"), Ok(3));
        assert_eq!(parse_i32("+3"), Ok(3));
        assert_eq!(parse_i32("-1"), Ok(-1));
        assert_eq!(
            parse_i32("3x"),
            Err("strconv.ParseInt: parsing \"3x\": invalid syntax".to_owned())
        );
        assert_eq!(
            parse_i32("2147483648"),
            Err("strconv.ParseInt: parsing \"2147483648\": value out of range".to_owned())
        );
        assert_eq!(parse_i32("-2147483648"), Ok(-2_147_483_648));
        assert!(parse_i32("99999999999999999999999999999").is_err());
    }

    #[test]
    fn suggestions_follow_buildkit() {
        let names = ["FROM", "RUN", "COPY", "WORKDIR"];
        assert_eq!(suggestion("FOO", &names, false).as_deref(), Some("FROM"));
        assert_eq!(suggestion("foo", &names, false).as_deref(), Some("from"));
        assert_eq!(suggestion("COPPY", &names, false).as_deref(), Some("COPY"));
        assert_eq!(suggestion("INSTALL", &names, false), None);
        assert_eq!(suggestion("run", &names, false), None);
        assert_eq!(
            suggestion("frm", &["chown", "from"], true).as_deref(),
            Some("from")
        );
        assert_eq!(suggestion("FROM", &["from"], true), None);
    }
}
