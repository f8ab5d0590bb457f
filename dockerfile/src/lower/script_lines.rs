//! Which line of the file each command of a `RUN` (`CMD`, `ENTRYPOINT`,
//! `HEALTHCHECK CMD`) starts on.
//!
//! The shell splitter places every command at a byte offset of the text the
//! shell is given: the instruction's command line (continuations joined, as
//! BuildKit hands it over), followed by the heredoc bodies. The parser kept
//! where each physical line's text begins in the joined line
//! ([`Node::line_starts`]), and heredoc bodies are whole lines of the file
//! from a known first line: together they turn an offset back into a line.

use crate::ast::Node;
use crate::model::to_u32;

/// Turns byte offsets of a shell text into 1-based lines of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScriptLines {
    /// The line of offsets before the first entry of `starts`.
    first_line: u32,
    /// Where a new line of the file starts in the shell text, and its number,
    /// by ascending offset. Empty for a command line written on one line.
    starts: Vec<(usize, u32)>,
}

impl ScriptLines {
    /// Every offset on one line.
    pub(crate) fn one_line(line: usize) -> Self {
        Self {
            first_line: to_u32(line),
            starts: Vec::new(),
        }
    }

    /// The lines of `script`, the shell-form command text of `node`, which
    /// the shell text begins with.
    pub(crate) fn of_command_line(node: &Node, script: &str) -> Self {
        let written = node.original.split('\n').next().unwrap_or_default();
        // BuildKit keeps the command as the tail of the instruction's line.
        let found = if written.ends_with(script) {
            Some(written.len() - script.len())
        } else {
            written.rfind(script)
        };
        let Some(at) = found else {
            return Self::one_line(node.start_line);
        };
        let end = at + script.len();
        Self {
            first_line: to_u32(node.line_at(at)),
            starts: node
                .line_starts
                .iter()
                .filter(|start| start.offset > at && start.offset < end)
                .map(|start| (start.offset - at, to_u32(start.line)))
                .collect(),
        }
    }

    /// Adds a heredoc body that starts at byte `at` of `text` (the shell
    /// text) and on line `first_line` of the file: each line of the text
    /// from there is the next line of the file, up to `end`.
    pub(crate) fn add_body(&mut self, text: &str, at: usize, end: usize, first_line: usize) {
        let mut line = to_u32(first_line);
        if self.starts.is_empty() && at == 0 {
            self.first_line = line;
        } else {
            self.starts.push((at, line));
        }
        let body = text.get(at..end).unwrap_or_default();
        for (newline, _) in body.match_indices('\n') {
            line = line.saturating_add(1);
            self.starts.push((at + newline + 1, line));
        }
    }

    /// The line of the file byte `offset` of the shell text is on.
    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        let after = self.starts.partition_point(|(at, _)| *at <= offset);
        match after.checked_sub(1).and_then(|i| self.starts.get(i)) {
            Some((_, line)) => *line,
            None => self.first_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_str;

    fn lines_of(source: &str, script: &str) -> ScriptLines {
        let ast = parse_str(source).expect("parses");
        let node = ast.children.last().expect("an instruction");
        ScriptLines::of_command_line(node, script)
    }

    #[test]
    fn offsets_of_a_continued_line_map_to_their_physical_lines() {
        let source = "FROM a\nRUN apt-get update \\\n  # why\n\n  && apt-get install -y x \\\n  && rm -rf /var/lib/apt/lists/*\n";
        let script = "apt-get update   && apt-get install -y x   && rm -rf /var/lib/apt/lists/*";
        let lines = lines_of(source, script);
        assert_eq!(lines.line_of(0), 2);
        assert_eq!(lines.line_of(script.find("&& apt-get").unwrap_or(0)), 5);
        assert_eq!(lines.line_of(script.find("rm").unwrap_or(0)), 6);
        assert_eq!(lines.line_of(script.len()), 6);
    }

    #[test]
    fn a_script_not_found_is_on_the_first_line() {
        let lines = lines_of("FROM a\nRUN a \\\n b\n", "nowhere");
        assert_eq!(lines.line_of(3), 2);
    }

    #[test]
    fn heredoc_bodies_count_their_own_lines() {
        let text = "cat <<A\none\ntwo\nA\n";
        let mut lines = ScriptLines::one_line(4);
        lines.add_body(text, 8, text.len(), 5);
        assert_eq!(lines.line_of(0), 4);
        assert_eq!(lines.line_of(8), 5);
        assert_eq!(lines.line_of(12), 6);
        assert_eq!(lines.line_of(16), 7);
        let mut alone = ScriptLines::one_line(4);
        alone.add_body("one\ntwo\n", 0, 8, 5);
        assert_eq!(alone.line_of(0), 5);
        assert_eq!(alone.line_of(5), 6);
    }
}
