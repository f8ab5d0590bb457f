//! A fast path for the scripts most `RUN`s are: simple commands joined by
//! `&&`, `||`, `;`, `&`, `|` and newlines, with quoted words, `$VAR` and
//! `${VAR}`, and plain redirections.
//!
//! It reads the bytes once and lists exactly what the parser path (rable,
//! then the walk in `walk.rs`) lists for the same script, field by field,
//! without building a tree. That equality is the whole contract: the
//! scanner follows rable's lexer rule by rule where it accepts, and gives up
//! (`None`, and the parser path runs) on everything it is not certain of:
//! substitutions, backquotes, heredocs, parentheses, reserved words in
//! command position, nested shells (`sh -c`), `\`-newline, fd-variable
//! redirections, operator sequences rable would refuse. The differential
//! tests (`simple/tests.rs`) hold it to that over the corpus and generated
//! variants.

use super::inner::{ShellInput, nested_shell};
use super::walk::split_assignment;
use super::words::unquote;
use super::{Connector, SimpleCommand, stack};

/// The commands of `script` when it is within the subset this scanner reads
/// exactly; `None` when the parser path must decide.
pub(super) fn split_simple(script: &str) -> Option<Vec<SimpleCommand>> {
    if !stack::always_fits(script) || has_unsupported_sequence(script.as_bytes()) {
        return None;
    }
    Reader::new(script).script()
}

/// Byte sequences that bring in what the fast path does not follow, found
/// anywhere (in quotes and comments too): command and process
/// substitutions (`$(`, `` ` ``, `<(`, `>(`), heredocs and here-strings
/// (`<<`), and line continuations (`\` newline, which rable drops from word
/// values). With none of them, the walk's search for substitutions in a
/// word can find nothing, whatever the quoting.
fn has_unsupported_sequence(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|pair| {
        matches!(
            pair,
            [b'$' | b'<' | b'>', b'('] | [b'<', b'<'] | [b'\\', b'\n']
        )
    }) || bytes.contains(&b'`')
}

/// A token of the subset, as rable's lexer would read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A word: its byte range.
    Word(usize, usize),
    /// A redirection operator (`>`, `2>` is a word then this): its byte
    /// range, and whether it takes a target word (`>&-` does not).
    Redirect(usize, usize, bool),
    Newline,
    /// `;`
    Semi,
    /// `&`
    Background,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `|`
    Pipe,
    End,
}

/// Reads one script. `command_start` mirrors rable's lexer flag of the same
/// name: it decides whether `NAME[` opens a subscript and whether a word
/// may be a reserved word.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    command_start: bool,
}

/// The words of the command being read.
struct Command {
    start: usize,
    end: usize,
    assignments: Vec<(usize, usize)>,
    words: Vec<(usize, usize)>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            at: 0,
            command_start: true,
        }
    }

    fn script(mut self) -> Option<Vec<SimpleCommand>> {
        let mut commands = Vec::new();
        let mut pipeline = 0u32;
        let mut connector = Connector::Start;
        let mut position = 0u32;
        let mut token = self.skip_newlines()?;
        loop {
            if token == Token::End {
                return Some(commands);
            }
            let (command, next) = self.command(token)?;
            commands.push(self.simple_command(&command, pipeline, position, connector)?);
            // What may follow each operator is what rable accepts without
            // an empty command; anything else is left to it.
            token = match next {
                Token::Pipe => {
                    position += 1;
                    self.skip_newlines_to_command()?
                }
                Token::And | Token::Or => {
                    connector = if next == Token::And {
                        Connector::And
                    } else {
                        Connector::Or
                    };
                    (pipeline, position) = (pipeline.checked_add(1)?, 0);
                    self.skip_newlines_to_command()?
                }
                Token::Semi | Token::Background | Token::Newline => {
                    connector = Connector::Sequence;
                    (pipeline, position) = (pipeline.checked_add(1)?, 0);
                    let after = self.skip_newlines()?;
                    if !matches!(after, Token::Word(..) | Token::Redirect(..) | Token::End) {
                        return None;
                    }
                    after
                }
                Token::End => Token::End,
                Token::Word(..) | Token::Redirect(..) => return None,
            };
        }
    }

    fn skip_newlines(&mut self) -> Option<Token> {
        loop {
            let token = self.token()?;
            if token != Token::Newline {
                return Some(token);
            }
        }
    }

    /// After `|`, `&&` or `||`: newlines, then a command must follow.
    fn skip_newlines_to_command(&mut self) -> Option<Token> {
        let token = self.skip_newlines()?;
        matches!(token, Token::Word(..) | Token::Redirect(..)).then_some(token)
    }

    /// Reads a simple command from its first token; returns it with the
    /// token that ended it.
    fn command(&mut self, first: Token) -> Option<(Command, Token)> {
        let start = match first {
            Token::Word(start, _) | Token::Redirect(start, _, _) => start,
            _ => return None,
        };
        let mut command = Command {
            start,
            end: start,
            assignments: Vec::new(),
            words: Vec::new(),
        };
        let mut token = first;
        loop {
            match token {
                Token::Word(start, end) => {
                    let word = self.bytes.get(start..end)?;
                    let glued = end == self.at;
                    if glued && word.first() == Some(&b'{') && self.redirect_follows() {
                        // `{fd}>file` is left to the parser.
                        return None;
                    }
                    if glued && matches!(self.peek(), Some(b'<' | b'>')) && is_fd_number(word) {
                        // `2>file`: an fd number glued to the operator.
                        let operator = self.token()?;
                        command.end = self.redirect(operator)?;
                    } else {
                        if command.words.is_empty() && is_assignment_word(word) {
                            command.assignments.push((start, end));
                        } else {
                            command.words.push((start, end));
                        }
                        command.end = end;
                    }
                }
                Token::Redirect(..) => command.end = self.redirect(token)?,
                _ => return Some((command, token)),
            }
            token = self.token()?;
        }
    }

    /// Whether the next token is a redirection operator that an adjacent
    /// word could prefix (`<`, `>`, and `&>` for `{fd}&>`).
    fn redirect_follows(&self) -> bool {
        match self.bytes.get(self.at) {
            Some(b'<' | b'>') => true,
            Some(b'&') => self.bytes.get(self.at + 1) == Some(&b'>'),
            _ => false,
        }
    }

    /// Reads a redirection's target (when it takes one); returns where the
    /// redirection ends.
    fn redirect(&mut self, operator: Token) -> Option<usize> {
        let Token::Redirect(_, end, takes_target) = operator else {
            return None;
        };
        if !takes_target {
            return Some(end);
        }
        match self.token()? {
            Token::Word(_, end) => Some(end),
            _ => None,
        }
    }

    fn simple_command(
        &self,
        command: &Command,
        pipeline: u32,
        pipe_position: u32,
        connector: Connector,
    ) -> Option<SimpleCommand> {
        let raw = |&(start, end): &(usize, usize)| self.text.get(start..end);
        let mut words = command.words.iter();
        let name = match words.next() {
            Some(word) => unquote(raw(word)?),
            None => String::new(),
        };
        let mut args = Vec::with_capacity(command.words.len().saturating_sub(1));
        let mut arg_offsets = Vec::with_capacity(args.capacity());
        for word in words {
            args.push(unquote(raw(word)?));
            arg_offsets.push(word.0);
        }
        if let Some(ShellInput::Argument(index)) = nested_shell(&name, &args)
            && index < args.len()
        {
            return None;
        }
        let mut assignments = Vec::with_capacity(command.assignments.len());
        for assignment in &command.assignments {
            assignments.push(split_assignment(raw(assignment)?));
        }
        Some(SimpleCommand {
            name,
            args,
            assignments,
            text: self.text.get(command.start..command.end)?.to_owned(),
            offset: command.start,
            arg_offsets,
            pipeline,
            pipe_position,
            in_substitution: false,
            shell_depth: 0,
            negated: false,
            in_condition: false,
            connector,
        })
    }

    /// The next token, as rable's `read_token` reads it: blanks, then a
    /// comment, then an operator or a word.
    fn token(&mut self) -> Option<Token> {
        self.skip_blanks();
        if self.peek() == Some(b'#') {
            while self.peek().is_some_and(|b| b != b'\n') {
                self.at += 1;
            }
            self.skip_blanks();
        }
        let start = self.at;
        let Some(byte) = self.peek() else {
            return Some(Token::End);
        };
        let next = self.bytes.get(start + 1).copied();
        let (token, len) = match (byte, next) {
            (b'\n', _) => (Token::Newline, 1),
            (b'|', Some(b'|')) => (Token::Or, 2),
            (b'|', Some(b'&')) => return None,
            (b'|', _) => (Token::Pipe, 1),
            (b'&', Some(b'&')) => (Token::And, 2),
            (b'&', Some(b'>')) => {
                let len = if self.bytes.get(start + 2) == Some(&b'>') {
                    3
                } else {
                    2
                };
                (Token::Redirect(start, start + len, true), len)
            }
            (b'&', _) => (Token::Background, 1),
            (b';', Some(b';' | b'&')) => return None,
            (b';', _) => (Token::Semi, 1),
            (b'(' | b')', _) => return None,
            (b'<' | b'>', _) => return self.redirect_operator(start),
            _ => return self.word(start),
        };
        if matches!(
            token,
            Token::Semi | Token::Background | Token::And | Token::Or | Token::Pipe | Token::Newline
        ) {
            self.command_start = true;
        }
        self.at = start + len;
        Some(token)
    }

    /// `<`, `<&`, `<&-`, `<>`, `>`, `>>`, `>&`, `>&-`, `>|` (`<<` and
    /// `<(`/`>(` never get here).
    fn redirect_operator(&mut self, start: usize) -> Option<Token> {
        let byte = self.peek()?;
        let rest = (
            self.bytes.get(start + 1).copied(),
            self.bytes.get(start + 2).copied(),
        );
        let len = match (byte, rest) {
            (_, (Some(b'&'), Some(b'-'))) => 3,
            (_, (Some(b'&'), _)) => 2,
            (b'<', (Some(b'>'), _)) => 2,
            (b'>', (Some(b'>' | b'|'), _)) => 2,
            (_, (Some(b'<'), _)) => return None,
            _ => 1,
        };
        self.at = start + len;
        let closes = len == 3;
        Some(Token::Redirect(start, start + len, !closes))
    }

    /// A word, read as rable's `read_word_token` does for the subset.
    fn word(&mut self, start: usize) -> Option<Token> {
        while let Some(byte) = self.peek() {
            match byte {
                b' ' | b'\t' | b'\n' | b'|' | b'&' | b';' | b')' | b'<' | b'>' => break,
                b'(' | b'`' => return None,
                b'\'' => {
                    let close = self
                        .bytes
                        .get(self.at + 1..)?
                        .iter()
                        .position(|&b| b == b'\'')?;
                    self.at += close + 2;
                }
                b'"' => {
                    self.at += 1;
                    self.double_quoted()?;
                }
                b'\\' => self.escape()?,
                b'$' => self.dollar(false)?,
                b'[' if self.command_start && is_identifier(self.bytes.get(start..self.at)?) => {
                    return None;
                }
                _ => self.at += 1,
            }
        }
        let word = self.bytes.get(start..self.at)?;
        if self.command_start && is_reserved_word(word) {
            return None;
        }
        // An assignment keeps the command position (more may follow) but
        // takes away reserved words, which never matters here: they are
        // refused above.
        self.command_start = is_assignment_word(word);
        Some(Token::Word(start, self.at))
    }

    /// `\` and the character after it (never a newline: filtered out).
    fn escape(&mut self) -> Option<()> {
        // A trailing `\` is kept by rable as a literal; leave it to it.
        self.bytes.get(self.at + 1)?;
        self.at += 2;
        Some(())
    }

    /// The inside of `"..."`, from after the opening quote to after the
    /// closing one.
    fn double_quoted(&mut self) -> Option<()> {
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => self.escape()?,
                b'$' => self.dollar(true)?,
                b'`' => return None,
                _ => self.at += 1,
            }
        }
    }

    /// An expansion starting at `$`, as rable's `read_dollar` reads it.
    fn dollar(&mut self, in_double_quotes: bool) -> Option<()> {
        self.at += 1;
        let Some(next) = self.peek() else {
            return Some(());
        };
        match next {
            // In double quotes `$"` and `$'` are a plain `$`.
            b'"' | b'\'' if in_double_quotes => {}
            b'{' => {
                self.at += 1;
                loop {
                    match self.peek()? {
                        b'}' => {
                            self.at += 1;
                            break;
                        }
                        b'\'' | b'"' | b'\\' | b'$' | b'`' | b'{' | b'(' => return None,
                        _ => self.at += 1,
                    }
                }
            }
            b'\'' => {
                // ANSI-C quoting: `\` escapes the next character.
                self.at += 1;
                loop {
                    match self.peek()? {
                        b'\'' => {
                            self.at += 1;
                            break;
                        }
                        b'\\' => self.escape()?,
                        _ => self.at += 1,
                    }
                }
            }
            b'"' => {
                self.at += 1;
                self.double_quoted()?;
            }
            b'(' | b'[' => return None,
            b if b.is_ascii_alphabetic() || b == b'_' => {
                self.at += 1;
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.at += 1;
                }
            }
            b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!' => self.at += 1,
            _ => {}
        }
        Some(())
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }
}

/// rable's `is_fd_number`: digits that fit an `i32`.
fn is_fd_number(word: &[u8]) -> bool {
    !word.is_empty()
        && word.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(word).is_ok_and(|w| w.parse::<i32>().is_ok())
}

fn is_identifier(word: &[u8]) -> bool {
    matches!(word.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'_')
        && word.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Words rable reads as reserved in command position.
fn is_reserved_word(word: &[u8]) -> bool {
    matches!(
        word,
        b"if"
            | b"then"
            | b"else"
            | b"elif"
            | b"fi"
            | b"do"
            | b"done"
            | b"case"
            | b"esac"
            | b"while"
            | b"until"
            | b"for"
            | b"select"
            | b"in"
            | b"function"
            | b"time"
            | b"coproc"
            | b"!"
            | b"{"
            | b"}"
            | b"[["
            | b"]]"
    )
}

/// rable's `is_assignment_word`: `NAME=`, `NAME+=`, `NAME[...]=` as written.
fn is_assignment_word(word: &[u8]) -> bool {
    if !matches!(word.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'_') {
        return false;
    }
    let mut i = 1;
    while let Some(&byte) = word.get(i) {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => i += 1,
            b'[' => {
                i += 1;
                let mut depth = 1;
                while depth > 0 {
                    let Some(&inner) = word.get(i) else { break };
                    match inner {
                        b'[' => depth += 1,
                        b']' => depth -= 1,
                        b' ' | b'\t' | b'\n' => return false,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'+' => return word.get(i + 1) == Some(&b'='),
            b'=' => return true,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests;
