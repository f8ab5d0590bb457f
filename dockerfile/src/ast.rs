//! BuildKit's syntax tree, as `moby/buildkit/frontend/dockerfile/parser` builds it.
//!
//! This is deliberately the *untyped* tree: it is what `--format dump` and
//! `--format commands` print, and what the typed model is lowered from.

use serde::Serialize;

/// A parsed Dockerfile: BuildKit's root node plus what the parser learned on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ast {
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) in the order
    /// found; after a `#!` first line, where BuildKit's parser sees only
    /// comments, the `syntax` and `check` directives its frontend still reads.
    pub directives: Vec<Directive>,
    /// The escape character in force (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Top-level instructions, in order.
    pub children: Vec<Node>,
    /// Every comment line outside heredoc bodies, directives included, so that
    /// pragmas (`# tallyman ignore=...`) can be read.
    pub comments: Vec<Comment>,
    /// Things BuildKit accepts but warns about (e.g. empty continuation lines).
    pub warnings: Vec<Warning>,
    /// Number of lines in the file.
    pub line_count: usize,
}

/// One instruction: a top-level child of BuildKit's root node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The keyword in lower case (`from`, `run`, `onbuild`, ...): what BuildKit
    /// dispatches on and what `AST.Dump()` prints.
    pub keyword: String,
    /// The keyword exactly as written (`RUN`, `Run`, ...): BuildKit's `Node.Value`,
    /// which keeps the source's case so that linters can check it.
    pub keyword_as_written: String,
    /// Flags (`--from=build`) in the order written, as BuildKit extracts them.
    pub flags: Vec<String>,
    /// The argument values: BuildKit's `Next` chain. For `ENV`/`LABEL` these
    /// are `key, value, separator` triples, exactly as BuildKit keeps them.
    /// Empty for `ONBUILD`, whose instruction is in [`Node::sub`].
    pub args: Vec<String>,
    /// `ONBUILD`'s nested instruction. Its `start_line`/`end_line` are the
    /// enclosing `ONBUILD`'s (BuildKit leaves them at zero).
    pub sub: Option<Box<Node>>,
    /// BuildKit's `json` attribute: the arguments were written in exec (JSON) form.
    pub json: bool,
    /// Heredoc bodies attached to the instruction.
    pub heredocs: Vec<Heredoc>,
    /// The instruction's text as BuildKit keeps it in `Original`: the logical
    /// line (continuations joined, comment lines dropped), followed, when the
    /// instruction has heredocs, by a newline and the raw heredoc lines
    /// (bodies and terminators, with their line endings).
    pub original: String,
    /// 1-based first line of the instruction.
    pub start_line: usize,
    /// 1-based last line of the instruction (heredoc bodies included).
    pub end_line: usize,
    /// Where each physical line after the first begins in `original`, for
    /// an instruction continued over several lines (empty for one line):
    /// what tells which line a command of a long `RUN` is written on, since
    /// the joined text no longer says. Lines that add no text (comments and
    /// blank lines inside the continuation) are not listed. Not part of
    /// BuildKit's tree, so never serialised.
    #[serde(skip)]
    pub line_starts: Vec<LineStart>,
    /// The 1-based column (in characters, a byte-order mark not counted) of
    /// the keyword on the first line: after the indentation, which
    /// `original` drops. What lets a fix edit the file where a keyword is
    /// written. 0 for `ONBUILD`'s nested instruction. Not part of
    /// BuildKit's tree, so never serialised.
    #[serde(skip)]
    pub keyword_column: usize,
    /// The lines of the file that are empty (or only blanks) inside the
    /// instruction's continuation, which BuildKit accepts with a warning
    /// ([`Ast::warnings`] has one per instruction). Not part of BuildKit's
    /// tree, so never serialised.
    #[serde(skip)]
    pub empty_continuation_lines: Vec<usize>,
    /// Comment lines directly above the instruction, without the `#`
    /// (BuildKit's `PrevComment`).
    pub prev_comment: Vec<String>,
}

/// A physical line's first byte in an instruction's joined text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineStart {
    /// Byte offset in [`Node::original`].
    pub offset: usize,
    /// 1-based line of the file.
    pub line: usize,
}

impl Node {
    /// The 1-based line of the file that holds byte `offset` of
    /// [`Node::original`]'s instruction line (before any heredoc body).
    pub fn line_at(&self, offset: usize) -> usize {
        // A line that adds no text shares its offset with the next: the
        // text at that offset is on the later one.
        let after = self
            .line_starts
            .partition_point(|start| start.offset <= offset);
        match after.checked_sub(1).and_then(|i| self.line_starts.get(i)) {
            Some(start) => start.line,
            None => self.start_line,
        }
    }
}

/// A heredoc body, as BuildKit's `parser.Heredoc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter word, unquoted (`EOF` for `<<'EOF'`).
    pub name: String,
    /// The file descriptor written before `<<` (`3<<EOF`), 0 when none.
    /// Go's `uint`: an out-of-range number saturates as BuildKit's does.
    pub file_descriptor: u64,
    /// Variables are expanded in the body (the delimiter was not quoted).
    pub expand: bool,
    /// `<<-`: leading tabs are stripped (from the terminator when reading, from
    /// the body when the instruction runs; `content` keeps them).
    pub chomp: bool,
    /// The body lines exactly as read, line endings included.
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-case name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub line: usize,
    /// The text after `#`, untrimmed.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}
