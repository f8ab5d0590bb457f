//! `.dockerignore` patterns read and matched the way BuildKit does:
//! `moby/patternmatcher` (`patternmatcher.go`, its `ignorefile` reader),
//! with the file synchroniser's rule that a path is excluded when a pattern
//! matches it or any directory above it, and later patterns win (`!`
//! patterns bring paths back).

/// One pattern, cleaned as `ignorefile.ReadAll` and `patternmatcher.New`
/// clean it.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// As written in `.dockerignore` (for messages).
    pub written: String,
    /// `!pattern`: brings matching paths back.
    pub exclusion: bool,
    /// Cleaned, `/`-separated, without a leading `/`.
    pub cleaned: String,
    /// `cleaned` split at `/`.
    pub dirs: Vec<String>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Exact,
    /// `dir/**`: the path starts with `dir/`.
    Prefix(String),
    /// `**/name` (or `**name`): the path ends with it.
    Suffix(String),
    Glob(Vec<Token>),
    /// A pattern BuildKit refuses (an unclosed `[`): it matches nothing.
    Invalid,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(char),
    /// `*`: any run of characters other than `/`.
    Star,
    /// `?`: one character other than `/`.
    Question,
    /// `[a-z]`, `[^abc]`.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `**/` (or `**` before more pattern): nothing, or anything ending in `/`.
    AnyDirectories,
    /// `**` at the end: anything.
    Anything,
}

/// The patterns of a `.dockerignore`, as the model lists them.
pub fn parse_patterns(lines: &[String]) -> Vec<Pattern> {
    lines
        .iter()
        .filter_map(|line| Pattern::parse(line))
        .collect()
}

impl Pattern {
    fn parse(line: &str) -> Option<Pattern> {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let (exclusion, rest) = match trimmed.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, trimmed),
        };
        if rest.is_empty() {
            return None;
        }
        let mut cleaned = clean(rest);
        if cleaned.len() > 1
            && let Some(relative) = cleaned.strip_prefix('/')
        {
            cleaned = relative.to_string();
        }
        let kind = compile(&cleaned);
        Some(Pattern {
            written: line.trim().to_string(),
            exclusion,
            dirs: cleaned.split('/').map(str::to_string).collect(),
            cleaned,
            kind,
        })
    }

    /// The pattern matches `path` itself (cleaned, relative).
    pub fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.cleaned,
            Kind::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Kind::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|bare| path == bare)
            }
            Kind::Glob(tokens) => {
                let chars: Vec<char> = path.chars().collect();
                glob(tokens, &chars)
            }
            Kind::Invalid => false,
        }
    }

    /// The pattern matches `path` or a directory above it.
    pub fn matches_or_parent(&self, path: &str) -> bool {
        if self.matches(path) {
            return true;
        }
        let mut end = 0;
        while let Some(slash) = path.get(end..).and_then(|rest| rest.find('/')) {
            end += slash;
            if self.matches(&path[..end]) {
                return true;
            }
            end += 1;
        }
        false
    }

    /// Something at or below the directory `path` could match this
    /// pattern: its leading components match the directory's, or a `**`
    /// stands for them.
    pub fn may_match_below(&self, path: &str) -> bool {
        if self.matches_or_parent(path) {
            return true;
        }
        let components: Vec<&str> = path.split('/').collect();
        for (index, component) in components.iter().enumerate() {
            let Some(dir) = self.dirs.get(index) else {
                return false;
            };
            if dir.contains("**") {
                return true;
            }
            let tokens = match compile(dir) {
                Kind::Glob(tokens) => tokens,
                Kind::Invalid => return false,
                _ => dir.chars().map(Token::Literal).collect(),
            };
            let chars: Vec<char> = component.chars().collect();
            if !glob(&tokens, &chars) {
                return false;
            }
        }
        self.dirs.len() > components.len()
    }
}

/// The result of `.dockerignore` for one path.
pub struct Verdict<'a> {
    pub excluded: bool,
    /// The index of the pattern that decided it.
    pub decided_by: Option<usize>,
    pub pattern: Option<&'a Pattern>,
}

/// Whether `.dockerignore` keeps `path` out of the build context, the last
/// matching pattern winning.
pub fn verdict<'a>(patterns: &'a [Pattern], path: &str) -> Verdict<'a> {
    let mut result = Verdict {
        excluded: false,
        decided_by: None,
        pattern: None,
    };
    for (index, pattern) in patterns.iter().enumerate() {
        // As `MatchesOrParentMatches`: an inclusion pattern can only
        // change an excluded path, an exclusion pattern an included one.
        if pattern.exclusion != result.excluded {
            continue;
        }
        if pattern.matches_or_parent(path) {
            result = Verdict {
                excluded: !pattern.exclusion,
                decided_by: Some(index),
                pattern: Some(pattern),
            };
        }
    }
    result
}

/// Go's `filepath.Clean` on a `/`-separated path.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// `Pattern.compile`: the match type BuildKit detects, and the glob.
fn compile(pattern: &str) -> Kind {
    #[derive(PartialEq)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        Regexp,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut detected = Detected::Exact;
    let mut at = 0;
    while let Some(&current) = chars.get(at) {
        let first = at == 0;
        at += 1;
        match current {
            '*' if chars.get(at) == Some(&'*') => {
                at += 1;
                if chars.get(at) == Some(&'/') {
                    at += 1;
                }
                if at >= chars.len() {
                    if detected == Detected::Exact {
                        detected = Detected::Prefix;
                    } else {
                        detected = Detected::Regexp;
                    }
                    tokens.push(Token::Anything);
                } else {
                    detected = Detected::Regexp;
                    tokens.push(Token::AnyDirectories);
                }
                if first {
                    detected = Detected::Suffix;
                }
            }
            '*' => {
                detected = Detected::Regexp;
                tokens.push(Token::Star);
            }
            '?' => {
                detected = Detected::Regexp;
                tokens.push(Token::Question);
            }
            '\\' => match chars.get(at) {
                Some(&escaped) => {
                    at += 1;
                    detected = Detected::Regexp;
                    tokens.push(Token::Literal(escaped));
                }
                None => tokens.push(Token::Literal('\\')),
            },
            '[' => {
                detected = Detected::Regexp;
                let Some((class, next)) = class(&chars, at) else {
                    return Kind::Invalid;
                };
                tokens.push(class);
                at = next;
            }
            other => tokens.push(Token::Literal(other)),
        }
    }
    match detected {
        Detected::Exact => Kind::Exact,
        Detected::Prefix => {
            let cut = pattern.len().saturating_sub(2);
            Kind::Prefix(pattern.get(..cut).unwrap_or_default().to_string())
        }
        Detected::Suffix => Kind::Suffix(pattern.get(2..).unwrap_or_default().to_string()),
        Detected::Regexp => Kind::Glob(tokens),
    }
}

/// A `[...]` class starting after the `[` at `start`; the token and where
/// the pattern goes on.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut at = start;
    let negated = chars.get(at) == Some(&'^');
    if negated {
        at += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let current = *chars.get(at)?;
        if current == ']' && !first {
            return Some((Token::Class { negated, ranges }, at + 1));
        }
        first = false;
        let low = if current == '\\' {
            at += 1;
            *chars.get(at)?
        } else {
            current
        };
        at += 1;
        if chars.get(at) == Some(&'-') && chars.get(at + 1).is_some_and(|c| *c != ']') {
            let high = *chars.get(at + 1)?;
            ranges.push((low, high));
            at += 2;
        } else {
            ranges.push((low, low));
        }
    }
}

/// Whether `tokens` match all of `text`, by dynamic programming over
/// (token, position) so that no pattern takes exponential time.
fn glob(tokens: &[Token], text: &[char]) -> bool {
    let width = text.len() + 1;
    // `next[j]`: the tokens after the current one match `text[j..]`.
    let mut next = vec![false; width];
    next[text.len()] = true;
    for token in tokens.iter().rev() {
        let mut current = vec![false; width];
        match token {
            Token::Anything => current.iter_mut().for_each(|cell| *cell = true),
            Token::Star => {
                // Right to left: `*` takes nothing, or one more non-`/`.
                for j in (0..width).rev() {
                    let more = j < text.len() && text[j] != '/' && current[j + 1];
                    current[j] = next[j] || more;
                }
            }
            Token::AnyDirectories => {
                // Nothing, or anything up to and including a `/`.
                let mut after_slash = false;
                for j in (0..width).rev() {
                    if j < text.len() && text[j] == '/' && next[j + 1] {
                        after_slash = true;
                    }
                    current[j] = next[j] || after_slash;
                }
            }
            single => {
                for j in 0..text.len() {
                    current[j] = next[j + 1] && matches_one(single, text[j]);
                }
            }
        }
        next = current;
    }
    next[0]
}

/// A token that stands for exactly one character.
fn matches_one(token: &Token, character: char) -> bool {
    match token {
        Token::Literal(expected) => *expected == character,
        Token::Question => character != '/',
        Token::Class { negated, ranges } => {
            let inside = ranges
                .iter()
                .any(|(low, high)| (*low..=*high).contains(&character));
            inside != *negated
        }
        Token::Star | Token::AnyDirectories | Token::Anything => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(lines: &[&str]) -> Vec<Pattern> {
        parse_patterns(
            &lines
                .iter()
                .map(|line| line.to_string())
                .collect::<Vec<_>>(),
        )
    }

    fn excluded(lines: &[&str], path: &str) -> bool {
        verdict(&patterns(lines), path).excluded
    }

    #[test]
    fn patternmatcher_cases() {
        assert!(excluded(&["*.md"], "README.md"));
        assert!(!excluded(&["*.md"], "docs/README.md"));
        assert!(excluded(&["**/*.md"], "docs/README.md"));
        assert!(excluded(&["**/*.md"], "README.md"));
        assert!(excluded(&["docs"], "docs/a/b.txt"));
        assert!(excluded(&["/docs/"], "docs/a"));
        assert!(excluded(&["./node_modules"], "node_modules"));
        assert!(excluded(&["docs/**"], "docs/x"));
        assert!(excluded(&["**"], "anything/at/all"));
        assert!(excluded(&["te?t"], "test"));
        assert!(!excluded(&["te?t"], "te/t"));
        assert!(excluded(&["[a-c]at"], "bat"));
        assert!(!excluded(&["[^a-c]at"], "bat"));
        assert!(excluded(&["**/node_modules"], "web/node_modules/x"));
        assert!(excluded(&["a/**/b"], "a/b"));
        assert!(excluded(&["a/**/b"], "a/x/y/b"));
        assert!(!excluded(&["[unclosed"], "[unclosed"));
        assert!(excluded(&["a*b*c"], "aXbYc"));
        assert!(!excluded(&["a*b*c"], "aXbY/c"));
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let pattern = "*a".repeat(30) + "b";
        let path = "a".repeat(200);
        assert!(!excluded(&[pattern.as_str()], &path));
    }

    #[test]
    fn later_patterns_win() {
        assert!(!excluded(&["*", "!a.txt"], "a.txt"));
        assert!(excluded(&["*", "!a.txt"], "b.txt"));
        assert!(excluded(&["!a.txt", "*"], "a.txt"));
        assert!(!excluded(&["*", "!src"], "src/main.go"));
        assert!(excluded(&["*", "!src", "src/*.tmp"], "src/x.tmp"));
    }

    #[test]
    fn what_may_be_brought_back_below_a_directory() {
        let pattern = &patterns(&["!subdir/file-to-include"])[0];
        assert!(pattern.may_match_below("subdir"));
        assert!(!pattern.may_match_below("other"));
        assert!(patterns(&["!**/*.py"])[0].may_match_below("src"));
        assert!(patterns(&["!src/*/keep"])[0].may_match_below("src/a"));
        assert!(!patterns(&["!src"])[0].may_match_below("lib"));
    }

    #[test]
    fn clean_is_go_clean() {
        assert_eq!(clean("./a//b/../c/"), "a/c");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean("."), ".");
        assert_eq!(clean("../x"), "../x");
    }
}
