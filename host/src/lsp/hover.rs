//! Hover on a rule id in a comment (a pragma of tallyman's or another
//! tool's, or a note naming a rule) shows the rule's documentation, as
//! `tallyman rule ID` prints it; hover elsewhere on a pragma shows the
//! documentation of every rule it names.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position, Range};

use super::text::LineIndex;
use super::workspace::Loaded;
use crate::cli::rule::{host_rule_text, rule_text};
use crate::scan::pragmas::parse_pragma;

/// The documentation of rule `id` (any case), from the loaded policies or
/// tallyman's own rules.
pub fn rule_documentation(loaded: &Loaded, id: &str) -> Option<String> {
    loaded
        .policies
        .iter()
        .find_map(|configured| {
            let policy = &configured.policy;
            let rule = policy
                .info()
                .rules
                .iter()
                .find(|rule| rule.id.eq_ignore_ascii_case(id))?;
            Some(rule_text(policy, rule))
        })
        .or_else(|| host_rule_text(id))
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The word of id characters around byte `at` of `line`, with its byte range.
fn word_at(line: &str, at: usize) -> Option<(&str, usize, usize)> {
    let start = line[..at]
        .rfind(|c: char| !is_id_char(c))
        .map_or(0, |i| i + 1);
    let end = line[at..]
        .find(|c: char| !is_id_char(c))
        .map_or(line.len(), |i| at + i);
    (start < end).then(|| (&line[start..end], start, end))
}

fn markdown(value: String, range: Option<Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

pub fn hover(loaded: &Loaded, text: &str, position: Position) -> Option<Hover> {
    let index = LineIndex::new(text);
    let (line, at) = index.byte_in_line(position)?;
    let comment = line.trim_start().strip_prefix('#')?;
    if let Some((word, start, end)) = word_at(line, at)
        && let Some(doc) = rule_documentation(loaded, word)
    {
        let chars = |byte: usize| line[..byte].chars().count();
        let range = Range::new(
            index.position(position.line as usize, chars(start)),
            index.position(position.line as usize, chars(end)),
        );
        return Some(markdown(doc, Some(range)));
    }
    let pragma = parse_pragma(comment, 0)?;
    let docs: Vec<String> = pragma
        .rules
        .iter()
        .filter_map(|id| rule_documentation(loaded, id))
        .collect();
    (!docs.is_empty()).then(|| markdown(docs.join("\n---\n\n"), None))
}

#[cfg(test)]
mod tests {
    use super::word_at;

    #[test]
    fn words_are_rule_ids() {
        let line = "# tallyman ignore=HD001,SEC005";
        assert_eq!(word_at(line, 20), Some(("HD001", 18, 23)));
        assert_eq!(word_at(line, 23), Some(("HD001", 18, 23)));
        assert_eq!(word_at(line, 24), Some(("SEC005", 24, 30)));
        assert_eq!(word_at(line, line.len()), Some(("SEC005", 24, 30)));
        assert_eq!(word_at("# a  b", 4), None);
    }
}
