//! Dockerfile text to [`Ast`], exactly as BuildKit's
//! `frontend/dockerfile/parser.Parse` reads it.
//!
//! The reading happens in layers, one module each:
//! - [`encoding`]: bytes to UTF-8 text (refusing UTF-16/32 and binary data);
//! - [`lines`]: physical lines, continuation and comment rules;
//! - [`directives`]: `# syntax=` / `# escape=` / `# check=` at the top;
//! - [`flags`]: keyword, `--flags`, arguments;
//! - [`instructions`]: the per-keyword argument parsers ([`json_form`] for exec form);
//! - [`heredoc`]: `<<EOF` openers ([`shell_words`] splits the words) and bodies.
//!
//! The parser does no variable expansion, as BuildKit's does not.

mod directives;
mod encoding;
mod error;
mod flags;
pub(crate) mod heredoc;
mod instructions;
mod json_form;
mod lines;
mod shell_words;
pub(crate) mod text;

use crate::ast::{Ast, Comment, Directive, Heredoc, LineStart, Node, Warning};
use directives::{DirectiveLine, DirectiveParser};
pub use error::{ParseError, ParseErrorKind};
use lines::{LineScanner, trim_continuation, trim_newline};

/// The default limit on a file's size: 4 MiB.
pub const DEFAULT_MAX_SIZE: usize = 4 * 1024 * 1024;

/// Limits applied while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Files larger than this many bytes are refused ([`ParseErrorKind::TooLarge`]).
    pub max_size: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

/// Parses a Dockerfile as BuildKit does, refusing what BuildKit refuses
/// before it builds anything.
///
/// A UTF-8 byte-order mark and CRLF line endings are accepted. Refused, with
/// the line where there is one: files that are not UTF-8 text or exceed
/// `options.max_size`, files without instructions, everything BuildKit's
/// parser refuses ([`parse_syntax`]), and everything its instruction parser
/// and converter refuse ([`crate::validate`]). See [`ParseErrorKind`].
pub fn parse(source: &[u8], options: &ParseOptions) -> Result<Ast, ParseError> {
    let ast = parse_syntax(source, options)?;
    crate::validate::check(&ast)?;
    Ok(ast)
}

/// Parses a Dockerfile as BuildKit's `parser` package alone does: the syntax
/// tree of a file whose instructions may still be ones BuildKit refuses
/// (unknown keywords, missing arguments, unknown flags...). This is what
/// BuildKit's AST dump and tools built on its parser (Trivy, the
/// `dockerfile` package) see.
pub fn parse_syntax(source: &[u8], options: &ParseOptions) -> Result<Ast, ParseError> {
    let text = encoding::decode(source, options.max_size)?;
    Parser::new(text).run()
}

/// Parses a Dockerfile held in a string, with the default options.
pub fn parse_str(source: &str) -> Result<Ast, ParseError> {
    parse(source.as_bytes(), &ParseOptions::default())
}

/// The state of BuildKit's `Parse` loop.
struct Parser<'a> {
    text: &'a str,
    lines: LineScanner<'a>,
    directive_parser: DirectiveParser,
    escape: char,
    /// Lines read so far (BuildKit's `currentLine`).
    current_line: usize,
    /// Comment lines waiting to become the next instruction's `prev_comment`.
    pending_comments: Vec<String>,
    directives: Vec<Directive>,
    comments: Vec<Comment>,
    warnings: Vec<Warning>,
    children: Vec<Node>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            lines: LineScanner::new(text),
            directive_parser: DirectiveParser::default(),
            escape: '\\',
            current_line: 0,
            pending_comments: Vec::new(),
            directives: Vec::new(),
            comments: Vec::new(),
            warnings: Vec::new(),
            children: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Ast, ParseError> {
        while let Some(raw) = self.lines.next_line() {
            let raw = if self.current_line == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            self.instruction_starting_at(raw)?;
        }
        if self.children.is_empty() {
            return Err(ParseError::new(
                ParseErrorKind::NoInstructions,
                "file has no instructions (only blank lines, comments or parser directives)",
            ));
        }
        for (name, value, line) in directives::after_shebang(self.text) {
            self.directives.push(Directive {
                name: name.to_owned(),
                value: value.to_owned(),
                line,
            });
        }
        if let Some(line) = self.lines.too_long_at() {
            return Err(ParseError::new(
                ParseErrorKind::LineTooLong,
                format!(
                    "line is longer than {} bytes, the most BuildKit reads",
                    lines::MAX_LINE_BYTES
                ),
            )
            .at(line));
        }
        Ok(Ast {
            directives: self.directives,
            escape: self.escape,
            children: self.children,
            comments: self.comments,
            warnings: self.warnings,
            line_count: self.lines.lines_read(),
        })
    }

    /// One turn of BuildKit's loop: a line that is blank, a comment, a
    /// directive, or the first line of an instruction.
    fn instruction_starting_at(&mut self, raw: &'a str) -> Result<(), ParseError> {
        let line_number = self.current_line + 1;
        let untrimmed = trim_newline(raw);
        let token = untrimmed.trim_start();
        let indent = untrimmed.len() - token.len();
        let keyword_column = untrimmed
            .get(..indent)
            .map_or(0, |lead| lead.chars().count())
            + 1;
        let is_comment = token.starts_with('#');
        if is_comment {
            self.note_comment(raw, token, line_number);
        }
        self.directive(token, line_number)?;
        self.current_line += 1;
        let start_line = self.current_line;

        let body = if is_comment { "" } else { token };
        let (first, mut ends_here) = trim_continuation(body, self.escape);
        if ends_here && first.is_empty() {
            return Ok(());
        }
        // Continued instructions grow: give them room for a few lines at once.
        let capacity = if ends_here {
            first.len()
        } else {
            first.len() * 4 + 64
        };
        let mut line = String::with_capacity(capacity);
        line.push_str(first);

        let mut empty_continuation_lines = Vec::new();
        let mut line_starts = Vec::new();
        while !ends_here {
            let Some(raw) = self.lines.next_line() else {
                break;
            };
            self.current_line += 1;
            let token = trim_newline(raw);
            let lead = token.trim_start();
            if lead.starts_with('#') {
                self.comments.push(Comment {
                    line: self.current_line,
                    text: comment_text(lead),
                });
                continue;
            }
            if lead.is_empty() {
                empty_continuation_lines.push(self.current_line);
                continue;
            }
            let (piece, ends) = trim_continuation(token, self.escape);
            ends_here = ends;
            line_starts.push(LineStart {
                offset: line.len(),
                line: self.current_line,
            });
            line.push_str(piece);
        }

        if !empty_continuation_lines.is_empty() {
            self.warnings.push(Warning {
                line: self.current_line,
                message: format!("Empty continuation line found in: {line}"),
            });
        }

        let prev_comment = std::mem::take(&mut self.pending_comments);
        let mut node = instructions::parse_instruction(&line, self.escape, prev_comment, 0)
            .map_err(|err| err.spanning(start_line, self.current_line))?;
        let openers = if can_contain_heredoc(&node) && has_heredoc_marker(&line) {
            heredoc::openers_in_line(&line).map_err(|reason| {
                ParseError::new(ParseErrorKind::BadHeredoc, reason)
                    .spanning(start_line, self.current_line)
            })?
        } else {
            Vec::new()
        };
        node.original = line;
        node.line_starts = line_starts;
        node.keyword_column = keyword_column;
        node.empty_continuation_lines = empty_continuation_lines;
        self.read_heredocs(&mut node, openers, start_line)?;
        node.start_line = start_line;
        node.end_line = self.current_line;
        if let Some(sub) = node.sub.as_deref_mut() {
            sub.start_line = start_line;
            sub.end_line = self.current_line;
        }
        self.children.push(node);
        Ok(())
    }

    /// Records a top-level comment line, and keeps BuildKit's `PrevComment`
    /// bookkeeping: a bare `#` clears the pending comments.
    fn note_comment(&mut self, raw: &str, token: &str, line: usize) {
        self.comments.push(Comment {
            line,
            text: comment_text(token),
        });
        // BuildKit drops the line's first byte (the `#` unless indented) and trims.
        let text = match raw.get(1..) {
            Some(rest) => rest.trim().to_owned(),
            None => String::from_utf8_lossy(raw.as_bytes().get(1..).unwrap_or_default())
                .trim()
                .to_owned(),
        };
        if text.is_empty() {
            self.pending_comments.clear();
        } else {
            self.pending_comments.push(text);
        }
    }

    /// Feeds a line to the directive parser while directives may still come.
    fn directive(&mut self, token: &str, line: usize) -> Result<(), ParseError> {
        if self.directive_parser.is_done() {
            return Ok(());
        }
        match self.directive_parser.parse_line(token) {
            DirectiveLine::Other => Ok(()),
            DirectiveLine::Duplicate { name } => Err(ParseError::new(
                ParseErrorKind::DuplicateDirective,
                format!("the `{name}` parser directive is given twice; keep one"),
            )
            .at(line)),
            DirectiveLine::Directive { name, value } => {
                if name == "escape" {
                    self.escape = match value {
                        "\\" => '\\',
                        "`" => '`',
                        _ => {
                            return Err(ParseError::new(
                                ParseErrorKind::InvalidEscape,
                                format!(
                                    "the escape directive must be `\\` or a backtick (`), not `{value}`"
                                ),
                            )
                            .at(line));
                        }
                    };
                }
                // A directive is not a comment for the next instruction.
                self.pending_comments.pop();
                self.directives.push(Directive {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    line,
                });
                Ok(())
            }
        }
    }

    /// Reads the bodies of the heredocs the instruction line opened.
    fn read_heredocs(
        &mut self,
        node: &mut Node,
        openers: Vec<heredoc::Opener>,
        start_line: usize,
    ) -> Result<(), ParseError> {
        if openers.is_empty() {
            return Ok(());
        }
        node.original.push('\n');
        for opener in openers {
            let mut content = String::new();
            let mut terminated = false;
            while let Some(raw) = self.lines.next_line() {
                self.current_line += 1;
                node.original.push_str(raw);
                if heredoc::is_terminator(raw, &opener) {
                    terminated = true;
                    break;
                }
                content.push_str(raw);
            }
            if !terminated {
                return Err(ParseError::new(
                    ParseErrorKind::UnterminatedHeredoc,
                    format!(
                        "heredoc `{}` is never closed: no line reads `{}` before the end of the file",
                        opener.name, opener.name
                    ),
                )
                .spanning(start_line, self.current_line));
            }
            node.heredocs.push(Heredoc {
                name: opener.name,
                file_descriptor: opener.file_descriptor,
                expand: opener.expand,
                chomp: opener.chomp,
                content,
            });
        }
        Ok(())
    }
}

/// The text after the first `#` of a comment line.
fn comment_text(token: &str) -> String {
    let trimmed = token.trim_start();
    trimmed.strip_prefix('#').unwrap_or(trimmed).to_owned()
}

/// Whether the line holds `<<` (BuildKit's shortcut before looking for heredocs).
fn has_heredoc_marker(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(offset) = line.get(from..).and_then(|rest| rest.find('<')) {
        let at = from + offset;
        if bytes.get(at + 1) == Some(&b'<') {
            return true;
        }
        from = at + 1;
    }
    false
}

/// BuildKit's `canContainHeredoc`: `RUN`, `COPY`, `ADD` (also behind
/// `ONBUILD`), not in exec form.
fn can_contain_heredoc(node: &Node) -> bool {
    let node = match node.sub.as_deref() {
        Some(sub) if node.keyword == "onbuild" => sub,
        _ => node,
    };
    matches!(node.keyword.as_str(), "run" | "copy" | "add") && !node.json
}

#[cfg(test)]
mod tests;
