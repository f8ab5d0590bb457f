//! Where a word of an instruction is written in the file, so that a digest
//! can be inserted into it without touching anything else.
//!
//! The model gives each instruction's lines and its keyword's column, but
//! not the columns of its words: they are found again here by splitting the
//! instruction's lines as BuildKit does for its flags and arguments
//! (blanks separate words, quotes keep them together, a line ending in the
//! escape character continues on the next, whose blank and comment lines
//! are skipped).

use tallyman_dockerfile::model::Span;

/// A word as BuildKit joins it, with the place of each of its characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// 1-based (line, column) of each character of `text`; columns count
    /// characters of the line, a byte-order mark not included.
    places: Vec<(u32, u32)>,
}

impl Word {
    /// The span of characters `start..end` of the word (`start == end`: an
    /// insertion there, at most at the word's end), when they are on one
    /// line.
    pub fn span(&self, start: usize, end: usize) -> Option<Span> {
        if end < start || end > self.places.len() {
            return None;
        }
        let (start_line, start_column) = match self.places.get(start) {
            Some(&place) => place,
            None => self.after_last()?,
        };
        let (end_line, end_column) = if end == start {
            (start_line, start_column)
        } else {
            let &(line, column) = self.places.get(end - 1)?;
            (line, column.checked_add(1)?)
        };
        (start_line == end_line).then_some(Span {
            start_line,
            start_column,
            end_line,
            end_column,
        })
    }

    fn after_last(&self) -> Option<(u32, u32)> {
        let &(line, column) = self.places.last()?;
        Some((line, column.checked_add(1)?))
    }
}

/// The lines of `text` without their endings, a byte-order mark dropped.
pub fn lines(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect()
}

/// The words of the instruction that starts at `start_line`, column
/// `start_column` (its keyword) and ends at `end_line`, the keyword first,
/// until `more` says no more are needed (it sees each word as it is
/// completed). `escape` is the file's escape character.
pub fn words(
    lines: &[&str],
    span: &Span,
    escape: char,
    mut more: impl FnMut(&Word) -> bool,
) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    let mut line_number = span.start_line;
    let mut first = true;
    while line_number <= span.end_line {
        let Some(line) = usize::try_from(line_number)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|index| lines.get(index))
        else {
            break;
        };
        let skip = if first {
            usize::try_from(span.start_column.saturating_sub(1)).unwrap_or(usize::MAX)
        } else {
            0
        };
        let continuation_line = !first;
        first = false;
        if continuation_line && quote.is_none() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                line_number += 1;
                continue;
            }
        }
        let chars: Vec<char> = line.chars().collect();
        // A line ending in the escape character (blanks may follow it) goes on.
        let content_end = chars
            .iter()
            .rposition(|c| !c.is_whitespace())
            .map_or(0, |at| at + 1);
        let continues = content_end > 0 && chars.get(content_end - 1) == Some(&escape);
        let end = if continues {
            content_end - 1
        } else {
            chars.len()
        };
        let mut at = skip;
        while at < end {
            let Some(&c) = chars.get(at) else {
                break;
            };
            let column = u32::try_from(at + 1).unwrap_or(u32::MAX);
            if quote.is_none() && c.is_whitespace() {
                if let Some(word) = current.take() {
                    let go_on = more(&word);
                    out.push(word);
                    if !go_on {
                        return out;
                    }
                }
                at += 1;
                continue;
            }
            let word = current.get_or_insert_with(|| Word {
                text: String::new(),
                places: Vec::new(),
            });
            if c == escape && quote != Some('\'') && at + 1 < end {
                // An escaped character is kept as written, with its escape.
                word.text.push(c);
                word.places.push((line_number, column));
                at += 1;
                if let Some(&next) = chars.get(at) {
                    word.text.push(next);
                    word.places
                        .push((line_number, u32::try_from(at + 1).unwrap_or(u32::MAX)));
                }
                at += 1;
                continue;
            }
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(open), _) if c == open => quote = None,
                _ => {}
            }
            word.text.push(c);
            word.places.push((line_number, column));
            at += 1;
        }
        if !continues {
            break;
        }
        line_number += 1;
    }
    if let Some(word) = current.take() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start_line: u32, start_column: u32, end_line: u32) -> Span {
        Span {
            start_line,
            start_column,
            end_line,
            end_column: 0,
        }
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn splits_an_instruction_across_continued_lines() {
        let text = "FROM a\n  COPY --from=img:1 \\\n  # a comment\n\n   --chown=1 a b\n";
        let lines = lines(text);
        let words = words(&lines, &span(2, 3, 5), '\\', |_| true);
        assert_eq!(
            texts(&words),
            ["COPY", "--from=img:1", "--chown=1", "a", "b"]
        );
        let from = &words[1];
        assert_eq!(
            from.span(12, 12),
            Some(Span {
                start_line: 2,
                start_column: 20,
                end_line: 2,
                end_column: 20
            })
        );
        assert_eq!(
            words[2].span(0, 2),
            Some(Span {
                start_line: 5,
                start_column: 4,
                end_line: 5,
                end_column: 6
            })
        );
    }

    #[test]
    fn keeps_quotes_and_joins_a_word_split_by_a_continuation() {
        let text = "ARG A=\"x y\" B=c\\\nd\n";
        let words = words(&lines(text), &span(1, 1, 2), '\\', |_| true);
        assert_eq!(texts(&words), ["ARG", "A=\"x y\"", "B=cd"]);
        // The word spans two lines: only spans within one line are given.
        assert_eq!(words[2].span(2, 4), None);
        assert!(words[2].span(0, 3).is_some());
    }

    #[test]
    fn stops_when_told_and_counts_characters_not_bytes() {
        let text = "\u{feff}FROM  é/img:1 AS b\r\n";
        let found = words(&lines(text), &span(1, 1, 1), '\\', |w| w.text != "é/img:1");
        assert_eq!(texts(&found), ["FROM", "é/img:1"]);
        assert_eq!(
            found[1].span(7, 7),
            Some(Span {
                start_line: 1,
                start_column: 14,
                end_line: 1,
                end_column: 14
            })
        );
        let backtick = words(&lines("RUN a `\nb"), &span(1, 1, 2), '`', |_| true);
        assert_eq!(texts(&backtick), ["RUN", "a", "b"]);
    }
}
