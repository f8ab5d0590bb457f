//! "Did you mean": the closest known name to a misspelt one.

/// The candidate at edit distance 1 from `name` (a typo such as `$PAHT`
/// for `$PATH`, or `$DIR_ASSET` for `$DIR_ASSETS`), when there is exactly
/// one; short names are left alone, where one edit makes another word.
pub fn near_miss<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.chars().count() < 4 {
        return None;
    }
    let mut found: Option<&str> = None;
    for candidate in candidates {
        if candidate == name || distance(name, candidate) != 1 || differ_in_a_digit(name, candidate)
        {
            continue;
        }
        match found {
            Some(other) if other != candidate => return None,
            _ => found = Some(candidate),
        }
    }
    found
}

/// `PYTHON2_VERSION` and `PYTHON3_VERSION` are two variables, not a typo.
fn differ_in_a_digit(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars()
            .zip(b.chars())
            .filter(|(x, y)| x != y)
            .all(|(x, y)| x.is_ascii_digit() && y.is_ascii_digit())
}

/// Levenshtein distance, with an adjacent swap counted as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_non_typos() {
        assert_eq!(near_miss("PAHT", ["PATH", "HOME"]), Some("PATH"));
        assert_eq!(
            near_miss("DIR_ASSET", ["DIR_ASSETS", "DIR_CONFIG"]),
            Some("DIR_ASSETS")
        );
        assert_eq!(near_miss("VERSION", ["APP_VERSION"]), None);
        assert_eq!(near_miss("ABC", ["ABD"]), None);
        assert_eq!(near_miss("NAME1", ["NAME2", "NAME3"]), None);
        assert_eq!(near_miss("PYTHON3_VERSION", ["PYTHON2_VERSION"]), None);
        assert_eq!(near_miss("VERISON", ["VERSION"]), Some("VERSION"));
    }
}
