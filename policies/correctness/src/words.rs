//! Variable references in the words BuildKit expands itself (not the shell):
//! `$NAME`, `${NAME}`, `${NAME:-default}`, as its lexer
//! (`frontend/dockerfile/shell/lex.go`) reads them.

/// How a reference treats an unset variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// `$NAME`, `${NAME}`, `${NAME%suffix}`…: an unset variable becomes
    /// the empty string without a word.
    None,
    /// `${NAME:-x}`, `${NAME+x}`, `${NAME:?msg}`…: the author said what an
    /// unset variable means.
    Handled,
}

/// One `$NAME` in a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub guard: Guard,
}

/// How the word's quotes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotes {
    /// Instruction arguments: `'$A'` is literal, `"$A"` is expanded.
    Processed,
    /// A heredoc body: quotes are plain characters, every `$` expands.
    Literal,
}

/// The variables `word` refers to, in order. `escape` is the file's escape
/// character (`\` or `` ` ``): an escaped `$` is not a reference.
pub fn references(word: &str, escape: char, quotes: Quotes) -> Vec<Reference> {
    let chars: Vec<char> = word.chars().collect();
    let mut found = Vec::new();
    scan(&chars, 0, chars.len(), escape, quotes, &mut found);
    found
}

fn scan(
    chars: &[char],
    start: usize,
    end: usize,
    escape: char,
    quotes: Quotes,
    found: &mut Vec<Reference>,
) {
    let mut at = start;
    let mut in_double = false;
    while at < end {
        let Some(&current) = chars.get(at) else {
            return;
        };
        if current == escape {
            at += 2;
        } else if current == '\'' && quotes == Quotes::Processed && !in_double {
            // Single quotes keep everything up to the closing one literal.
            at += 1;
            while at < end && chars.get(at) != Some(&'\'') {
                at += 1;
            }
            at += 1;
        } else if current == '"' && quotes == Quotes::Processed {
            in_double = !in_double;
            at += 1;
        } else if current == '$' {
            at = dollar(chars, at + 1, end, escape, quotes, found);
        } else {
            at += 1;
        }
    }
}

/// Reads the reference after a `$` at `at`; returns where scanning goes on.
fn dollar(
    chars: &[char],
    at: usize,
    end: usize,
    escape: char,
    quotes: Quotes,
    found: &mut Vec<Reference>,
) -> usize {
    if chars.get(at) != Some(&'{') {
        // `$$`, `$?`, `$@`…: a special parameter, one character, never a
        // variable (and the second `$` of `$$` starts nothing).
        if at < end && chars.get(at).is_some_and(|c| "@*#?-$!0".contains(*c)) {
            return at + 1;
        }
        let name_end = name_end(chars, at, end);
        if name_end > at {
            found.push(Reference {
                name: chars[at..name_end].iter().collect(),
                guard: Guard::None,
            });
        }
        return name_end.max(at);
    }
    let name_start = at + 1;
    let name_end = name_end(chars, name_start, end);
    let close = closing_brace(chars, name_end, end, escape);
    let name: String = chars[name_start..name_end].iter().collect();
    let modifier = match (chars.get(name_end), chars.get(name_end + 1)) {
        (Some(':'), Some(&after)) => Some(after),
        (Some(&first), _) => Some(first),
        _ => None,
    };
    if name_end > name_start {
        let guard = match modifier {
            Some('-' | '+' | '?') => Guard::Handled,
            _ => Guard::None,
        };
        found.push(Reference {
            name: name.clone(),
            guard,
        });
    }
    // A default may itself refer to variables (`${A:-$B}`).
    let inner_end = close.min(end);
    if name_end < inner_end {
        let first_inner = found.len();
        scan(chars, name_end, inner_end, escape, quotes, found);
        // `${A:+$A:}` reads `A` only when it is set.
        if modifier == Some('+') {
            for inner in found.iter_mut().skip(first_inner) {
                if inner.name == name {
                    inner.guard = Guard::Handled;
                }
            }
        }
    }
    close + 1
}

/// The end of a name starting at `start`: letters, digits and `_`, not
/// starting with a digit (`$1` is a positional parameter, never an ARG).
fn name_end(chars: &[char], start: usize, end: usize) -> usize {
    let mut at = start;
    while at < end {
        let Some(&current) = chars.get(at) else {
            break;
        };
        let allowed =
            current == '_' || current.is_alphabetic() || (at > start && current.is_ascii_digit());
        if !allowed {
            break;
        }
        at += 1;
    }
    at
}

/// The `}` that closes a `${`, counting nested ones.
fn closing_brace(chars: &[char], start: usize, end: usize, escape: char) -> usize {
    let mut depth = 0usize;
    let mut at = start;
    while at < end {
        match chars.get(at) {
            Some(&current) if current == escape => at += 1,
            Some('{') => depth += 1,
            Some('}') if depth == 0 => return at,
            Some('}') => depth -= 1,
            _ => {}
        }
        at += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(word: &str) -> Vec<(String, Guard)> {
        references(word, '\\', Quotes::Processed)
            .into_iter()
            .map(|reference| (reference.name, reference.guard))
            .collect()
    }

    #[test]
    fn plain_braced_and_guarded() {
        assert_eq!(
            names("$A/${B}:${C:-x}${D+y}${E?}${F%.*}"),
            [
                ("A".into(), Guard::None),
                ("B".into(), Guard::None),
                ("C".into(), Guard::Handled),
                ("D".into(), Guard::Handled),
                ("E".into(), Guard::Handled),
                ("F".into(), Guard::None),
            ]
        );
        assert_eq!(
            names("${A:-$B}"),
            [("A".into(), Guard::Handled), ("B".into(), Guard::None)]
        );
        assert_eq!(
            names("${LD:+$LD:}$DIR"),
            [
                ("LD".into(), Guard::Handled),
                ("LD".into(), Guard::Handled),
                ("DIR".into(), Guard::None)
            ]
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert!(names("'$A' \\$B $1 $ ${").is_empty());
        assert!(names("$$A $?B").is_empty());
        assert_eq!(names("\"$A\""), [("A".into(), Guard::None)]);
        assert_eq!(names("\"'$A'\""), [("A".into(), Guard::None)]);
        let body = references("echo '$A'", '\\', Quotes::Literal);
        assert_eq!(body.len(), 1);
        let backtick = references("`$A $B", '`', Quotes::Processed);
        assert_eq!(backtick.len(), 1);
    }

    #[test]
    fn never_panics_on_odd_text() {
        for word in [
            "$",
            "${",
            "${}",
            "${A",
            "'",
            "\"",
            "\\",
            "é$Aé${Bé}",
            "${A:-${B",
        ] {
            let _ = names(word);
        }
        assert_eq!(names("é$Aé")[0].0, "Aé");
    }
}
