//! The glob patterns of `${V#p}`, `${V%p}`, `${V/p/r}` and `${V//p/r}`.
//!
//! BuildKit turns a pattern into a Go regular expression: `*` becomes `.*`
//! (or `.*?` for the shortest-match forms), `?` becomes `.`, `\*`, `\?` and
//! `\\` are literal, `\}` and `\/` drop their backslash, and everything else
//! is literal; bracket expressions are not supported. Two consequences of
//! using Go regexps are kept here on purpose: `*` and `?` never match a
//! newline (Go's `.`), and `${V//p/r}` goes through Go's `ReplaceAllString`,
//! so `$$`, `$0` and `${0}` in the replacement are template references.
//!
//! Matching keeps Go's leftmost-first preference (the match a backtracking
//! engine would find first) but runs in time linear in the value for a
//! given pattern, so no input can make it slow.

use super::lexer::is_name_char;

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
    /// Whether `*` prefers the longest run (`.*`) or the shortest (`.*?`).
    greedy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `?`: one character other than a newline.
    AnyChar,
    /// `*`: any run of characters other than newlines.
    AnyRun,
}

impl Pattern {
    /// Compiles `pattern`; the error is the reason it is invalid.
    pub(crate) fn compile(pattern: &str, greedy: bool) -> Result<Pattern, String> {
        let mut cursor = super::cursor::Cursor::new(pattern);
        let mut tokens = Vec::with_capacity(pattern.len());
        while let Some(ch) = cursor.next_char() {
            let token = match ch {
                '*' => Token::AnyRun,
                '?' => Token::AnyChar,
                '\\' => {
                    // `\}` and `\/` are how `}` and `/` get into a pattern
                    // inside `${...}`; the backslash is not part of it.
                    if matches!(cursor.peek(), Some('}' | '/')) {
                        continue;
                    }
                    match cursor.next_char() {
                        Some(escaped @ ('*' | '?' | '\\')) => Token::Literal(escaped),
                        Some(other) => return Err(format!("invalid escape '\\{other}'")),
                        None => return Err("invalid escape '\\' at end of pattern".to_owned()),
                    }
                }
                literal => Token::Literal(literal),
            };
            tokens.push(token);
        }
        Ok(Pattern { tokens, greedy })
    }
}

/// `${V#p}` / `${V##p}`: `value` without the shortest / longest prefix
/// matching `pattern`.
pub(crate) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let pattern = Pattern::compile(pattern, greedy)?;
    let mut search = Search::new(&pattern, value);
    Ok(match search.match_at(0) {
        Some(end) => search.slice_from(end).to_owned(),
        None => value.to_owned(),
    })
}

/// `${V%p}` / `${V%%p}`: `value` without the shortest / longest suffix
/// matching `pattern`.
///
/// Like BuildKit, this reverses both the pattern (keeping each `\x` pair in
/// order) and the value, and trims a prefix.
pub(crate) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// `${V/p/r}`: the leftmost longest match of `pattern` in `value` replaced
/// by `replacement`, taken literally.
pub(crate) fn replace_first(
    pattern: &str,
    value: &str,
    replacement: &str,
) -> Result<String, String> {
    let pattern = Pattern::compile(pattern, true)?;
    let mut search = Search::new(&pattern, value);
    Ok(match search.find_from(0) {
        Some((start, end)) => {
            let mut out = String::with_capacity(value.len() + replacement.len());
            out.push_str(search.slice(0, start));
            out.push_str(replacement);
            out.push_str(search.slice_from(end));
            out
        }
        None => value.to_owned(),
    })
}

/// `${V//p/r}`: every match replaced, with Go's `ReplaceAllString` rules: an
/// empty match right after a match is not replaced, and the replacement is a
/// template (see [`expand_template`]).
pub(crate) fn replace_all(pattern: &str, value: &str, replacement: &str) -> Result<String, String> {
    let pattern = Pattern::compile(pattern, true)?;
    let mut search = Search::new(&pattern, value);
    let mut out = String::with_capacity(value.len());
    let mut last_end = 0;
    let mut from = 0;
    while from <= search.len() {
        let Some((start, end)) = search.find_from(from) else {
            break;
        };
        out.push_str(search.slice(last_end, start));
        if end > last_end || start == 0 {
            expand_template(replacement, search.slice(start, end), &mut out);
        }
        last_end = end;
        // Always move on by at least one character.
        from = if from < end { end } else { from + 1 };
    }
    out.push_str(search.slice_from(last_end));
    Ok(out)
}

/// Appends Go's `Regexp.Expand` of `template` for a pattern without groups:
/// `$$` is `$`, `$0` / `${0}` the whole match, any other well-formed
/// reference (`$name`, `${7}`) nothing, and a malformed one a literal `$`.
fn expand_template(template: &str, whole_match: &str, out: &mut String) {
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('$') {
        out.push_str(before);
        if let Some(after_dollar) = after.strip_prefix('$') {
            out.push('$');
            rest = after_dollar;
            continue;
        }
        match template_reference(after) {
            Some((name, remainder)) => {
                if name == "0" {
                    out.push_str(whole_match);
                }
                rest = remainder;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Splits a `name` or `{name}` reference off the start of `text`.
fn template_reference(text: &str) -> Option<(&str, &str)> {
    let (braced, body) = match text.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let name_len = body
        .char_indices()
        .find(|&(_, ch)| !is_name_char(ch))
        .map_or(body.len(), |(index, _)| index);
    if name_len == 0 {
        return None;
    }
    let (name, after) = body.split_at_checked(name_len)?;
    if braced {
        Some((name, after.strip_prefix('}')?))
    } else {
        Some((name, after))
    }
}

/// Reverses a pattern, keeping each backslash before the character it
/// escapes: `a\*c` becomes `c\*a`.
pub(crate) fn reverse_pattern(pattern: &str) -> String {
    let mut units: Vec<&str> = Vec::new();
    let mut rest = pattern;
    while let Some(first) = rest.chars().next() {
        let mut unit_len = first.len_utf8();
        if first == '\\' {
            unit_len += rest
                .get(unit_len..)
                .and_then(|s| s.chars().next())
                .map_or(0, char::len_utf8);
        }
        let (unit, after) = rest.split_at_checked(unit_len).unwrap_or((rest, ""));
        units.push(unit);
        rest = after;
    }
    units.into_iter().rev().collect()
}

/// One value being searched with one pattern.
///
/// The search is a Pike VM over the pattern's tokens (as Go's regexp engine
/// runs): threads are kept in priority order, one per token, so a search
/// costs O(value length x pattern length) whatever the input.
struct Search<'p, 'v> {
    pattern: &'p Pattern,
    value: &'v str,
    chars: Vec<char>,
    /// Byte offset of each character, plus the value's length at the end.
    offsets: Vec<usize>,
    current: Threads,
    next: Threads,
}

/// Threads for one position of the search, highest priority first.
struct Threads {
    /// `(token, start)`: the token the thread is at (the pattern's length
    /// means "matched") and where its match started.
    list: Vec<(usize, usize)>,
    /// Which tokens already have a thread: a later thread at the same token
    /// has lower priority and the same future, so it is dropped.
    taken: Vec<bool>,
}

impl Threads {
    fn new(states: usize) -> Self {
        Threads {
            list: Vec::with_capacity(states),
            taken: vec![false; states],
        }
    }

    fn clear(&mut self) {
        self.list.clear();
        self.taken.fill(false);
    }

    /// Claims `token`, returning whether it was free.
    fn claim(&mut self, token: usize) -> bool {
        match self.taken.get_mut(token) {
            Some(taken) if !*taken => {
                *taken = true;
                true
            }
            _ => false,
        }
    }

    /// Adds a thread at `token` and every token it reaches without reading
    /// a character (a `*` may match nothing), in the pattern's preference
    /// order: a greedy `*` prefers to read more, a lazy one to move on.
    fn add(&mut self, tokens: &[Token], greedy: bool, token: usize, start: usize) {
        let mut token = token;
        let mut lazy_runs = Vec::new();
        while tokens.get(token) == Some(&Token::AnyRun) {
            if !self.claim(token) {
                break;
            }
            if greedy {
                self.list.push((token, start));
            } else {
                lazy_runs.push(token);
            }
            token += 1;
        }
        if tokens.get(token) != Some(&Token::AnyRun) && self.claim(token) {
            self.list.push((token, start));
        }
        self.list
            .extend(lazy_runs.into_iter().rev().map(|run| (run, start)));
    }
}

impl<'p, 'v> Search<'p, 'v> {
    fn new(pattern: &'p Pattern, value: &'v str) -> Self {
        let (mut offsets, chars): (Vec<usize>, Vec<char>) = value.char_indices().unzip();
        offsets.push(value.len());
        let states = pattern.tokens.len() + 1;
        Search {
            pattern,
            value,
            chars,
            offsets,
            current: Threads::new(states),
            next: Threads::new(states),
        }
    }

    /// Length of the value in characters.
    fn len(&self) -> usize {
        self.chars.len()
    }

    fn slice(&self, start: usize, end: usize) -> &'v str {
        let start = self.offsets.get(start).copied().unwrap_or(self.value.len());
        let end = self.offsets.get(end).copied().unwrap_or(self.value.len());
        self.value.get(start..end).unwrap_or_default()
    }

    fn slice_from(&self, start: usize) -> &'v str {
        self.slice(start, self.chars.len())
    }

    /// Where the preferred match starting exactly at `start` ends.
    fn match_at(&mut self, start: usize) -> Option<usize> {
        self.run(start, true).map(|(_, end)| end)
    }

    /// The leftmost match starting at or after `from`, as character positions.
    fn find_from(&mut self, from: usize) -> Option<(usize, usize)> {
        self.run(from, false)
    }

    fn run(&mut self, from: usize, anchored: bool) -> Option<(usize, usize)> {
        let tokens = self.pattern.tokens.as_slice();
        let greedy = self.pattern.greedy;
        let mut found = None;
        self.current.clear();
        let mut position = from;
        loop {
            // A new thread starting here ranks below every older one, so an
            // earlier start always wins; once a match is found, none starts.
            if found.is_none() && (position == from || !anchored) {
                self.current.add(tokens, greedy, 0, position);
            }
            if self.current.list.is_empty() {
                break;
            }
            let here = self.chars.get(position).copied();
            self.next.clear();
            for &(token, start) in &self.current.list {
                let (reads, then) = match tokens.get(token) {
                    None => {
                        // Matched: threads below this one can only give
                        // less preferred matches.
                        found = Some((start, position));
                        break;
                    }
                    Some(Token::Literal(expected)) => (here == Some(*expected), token + 1),
                    Some(Token::AnyChar) => (here.is_some_and(|ch| ch != '\n'), token + 1),
                    Some(Token::AnyRun) => (here.is_some_and(|ch| ch != '\n'), token),
                };
                if reads {
                    self.next.add(tokens, greedy, then, start);
                }
            }
            if here.is_none() {
                break;
            }
            std::mem::swap(&mut self.current, &mut self.next);
            position += 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_patterns_keeping_escapes_in_order() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("👽\\🚀🖖"), "🖖\\🚀👽");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
    }

    #[test]
    fn invalid_escapes_are_refused() {
        for pattern in ["\\", "\\x", "\\\\\\"] {
            assert!(Pattern::compile(pattern, true).is_err(), "{pattern:?}");
        }
        assert!(Pattern::compile("(()[]{\\}^$.\\*\\?|\\\\", true).is_ok());
    }

    #[test]
    fn shortest_and_longest_prefixes() {
        assert_eq!(trim_prefix("*x", "xxyy", false).unwrap(), "xyy");
        assert_eq!(trim_prefix("*x", "xxyy", true).unwrap(), "yy");
        assert_eq!(trim_prefix("*", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(trim_prefix("*", "xxyy", true).unwrap(), "");
        assert_eq!(trim_prefix("z", "xxyy", true).unwrap(), "xxyy");
    }

    #[test]
    fn shortest_and_longest_suffixes() {
        assert_eq!(trim_suffix("y*", "xxyy", false).unwrap(), "xxy");
        assert_eq!(trim_suffix("y*", "xxyy", true).unwrap(), "xx");
        assert_eq!(trim_suffix("\\**\\*", "a***yy*", true).unwrap(), "a");
    }

    #[test]
    fn wildcards_stop_at_newlines() {
        assert_eq!(trim_prefix("*", "ab\ncd", true).unwrap(), "\ncd");
        assert_eq!(trim_prefix("a?", "a\nb", true).unwrap(), "a\nb");
    }

    #[test]
    fn replace_all_follows_go_for_empty_matches() {
        assert_eq!(replace_all("", "xxyy", "-").unwrap(), "-x-x-y-y-");
        // A match that ends where the previous one did is not replaced.
        assert_eq!(replace_all("*", "xxyy", "-").unwrap(), "-");
        assert_eq!(replace_all("*", "a\nb", "-").unwrap(), "-\n-");
        assert_eq!(replace_all("?", "xy", "-").unwrap(), "--");
        assert_eq!(replace_all("", "", "-").unwrap(), "-");
    }

    #[test]
    fn replacement_templates() {
        let mut out = String::new();
        expand_template("[$0|${0}|$$|$1|$name|${x|$]", "M", &mut out);
        assert_eq!(out, "[M|M|$|||${x|$]");
        let mut out = String::new();
        expand_template("${x|$", "M", &mut out);
        assert_eq!(out, "${x|$");
    }

    #[test]
    fn pathological_patterns_finish() {
        let value = "a".repeat(3000);
        let pattern = "*a".repeat(40) + "b";
        assert_eq!(trim_prefix(&pattern, &value, true).unwrap(), value);
        assert_eq!(replace_all(&pattern, &value, "").unwrap(), value);
    }
}
