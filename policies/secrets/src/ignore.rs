//! Whether a `.dockerignore` keeps a path of the build context out of
//! `COPY`/`ADD` (SEC010), with the matching Docker uses: patterns are
//! paths from the context's root (`*.json` matches only at the root,
//! `**/*.json` anywhere), `*` and `?` stop at `/`, a pattern that matches
//! a directory excludes what is under it, and `!` re-includes, the last
//! matching pattern winning.

/// `path` (relative to the context's root) is excluded by `patterns`.
pub fn is_ignored(patterns: &[String], path: &str) -> bool {
    let path = clean(path);
    let mut ignored = false;
    for pattern in patterns {
        let (include, pattern) = match pattern.trim().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern.trim()),
        };
        let pattern = clean(pattern);
        if pattern.is_empty() {
            continue;
        }
        // The path or one of its parent directories.
        let matched = prefixes(&path).any(|prefix| glob(&pattern, prefix));
        if matched {
            ignored = !include;
        }
    }
    ignored
}

fn clean(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// `a`, `a/b`, `a/b/c` for `a/b/c`.
fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .map(|(at, _)| path.get(..at).unwrap_or_default())
        .chain(std::iter::once(path))
}

/// `*` and `?` within one component, `**` across components.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    matches_at(&pattern, &text)
}

fn matches_at(pattern: &[char], text: &[char]) -> bool {
    match pattern {
        [] => text.is_empty(),
        ['*', '*', rest @ ..] => {
            // `**/` may also match no directory at all.
            let rest_without_slash = rest.strip_prefix(&['/']).unwrap_or(rest);
            (0..=text.len()).any(|at| {
                matches_at(rest, text.get(at..).unwrap_or_default())
                    || matches_at(rest_without_slash, text.get(at..).unwrap_or_default())
            })
        }
        ['*', rest @ ..] => (0..=text.len())
            .take_while(|&at| at == 0 || text.get(at - 1) != Some(&'/'))
            .any(|at| matches_at(rest, text.get(at..).unwrap_or_default())),
        ['?', rest @ ..] => match text.split_first() {
            Some((c, tail)) if *c != '/' => matches_at(rest, tail),
            _ => false,
        },
        [p, rest @ ..] => match text.split_first() {
            Some((c, tail)) if c == p => matches_at(rest, tail),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::is_ignored;

    fn ignored(patterns: &[&str], path: &str) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        is_ignored(&patterns, path)
    }

    #[test]
    fn docker_matching() {
        assert!(ignored(&["*.json"], "key.json"));
        assert!(!ignored(&["*.json"], "config/key.json"));
        assert!(ignored(&["**/*.json"], "config/key.json"));
        assert!(ignored(&["**/*.json"], "key.json"));
        assert!(ignored(&["config"], "config/key.json"));
        assert!(ignored(&["/config/"], "config/key.json"));
        assert!(ignored(&["secrets/*"], "secrets/gcp.json"));
        assert!(!ignored(&["*.json", "!key.json"], "key.json"));
        assert!(ignored(&["*", "!src"], "key.json"));
        assert!(!ignored(&["*", "!src"], "src/main.go"));
        assert!(!ignored(&["node_modules", ".git"], "key.json"));
        assert!(ignored(&["k?y.json"], "./key.json"));
    }
}
