//! A fast path for the scripts most `RUN`s are: simple commands joined by
//! `&&`, `||`, `;`, `&`, `|` and newlines, with quoted words, `$VAR`,
//! `${VAR}`, `$( )` holding more of the same, and plain redirections.
//!
//! It reads the bytes once, without building a tree, and finds the same
//! words and commands rable does; the walk (`walk.rs`) then lists them as
//! it lists rable's (quote removal, substitutions and nested shells are
//! shared). That equality is the whole contract: the scanner follows
//! rable's lexer rule by rule where it accepts, and gives up (`None`, and
//! rable parses the script) on everything it is not certain of: backquotes,
//! process substitutions, heredocs, parentheses, reserved words in command
//! position, `\`-newline, fd-variable redirections, operator sequences
//! rable would refuse. The differential tests (`simple/tests.rs`) hold it to
//! that over the corpus and generated variants.

use super::Connector;

/// The commands of a script in the subset, as written: byte ranges into it.
#[derive(Debug, Default)]
pub(crate) struct Script {
    pub(crate) pipelines: Vec<Pipeline>,
    pub(crate) commands: Vec<Command>,
    /// Every command's words, in order: [`Command::pieces`] indexes it.
    pub(crate) pieces: Vec<Piece>,
}

/// A pipeline: its commands (a range of [`Script::commands`]) and how it
/// joins the one before it.
#[derive(Debug)]
pub(crate) struct Pipeline {
    /// `None` for the script's first pipeline.
    pub(crate) connector: Option<Connector>,
    pub(crate) commands: std::ops::Range<usize>,
}

#[derive(Debug)]
pub(crate) struct Command {
    /// Where the command starts and ends: its first token to the end of
    /// its last (redirections included), as rable spans it.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) pieces: std::ops::Range<usize>,
    /// Some word holds a `$( )`: without one, no word can hold a command.
    pub(crate) substitutes: bool,
}

/// A word of a command: its byte range and whether it is a prefix
/// assignment. Redirection targets are not kept: the subset gives them
/// nothing to list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) assignment: bool,
}

/// Reads `script` when it is within the subset this scanner reads exactly;
/// `None` when the parser must decide.
pub(crate) fn read(script: &str) -> Option<Script> {
    if has_unsupported_sequence(script.as_bytes()) {
        return None;
    }
    let mut reader = Reader::new(script);
    let mut out = Script::default();
    reader.list(&mut out)?;
    Some(out)
}

/// Byte sequences that bring in what the fast path does not follow, found
/// anywhere (in quotes and comments too): backquotes and process
/// substitutions (`<(`, `>(`), heredocs and here-strings (`<<`), and line
/// continuations (`\` newline, which rable drops from word values).
fn has_unsupported_sequence(bytes: &[u8]) -> bool {
    bytes.contains(&b'`')
        || bytes
            .windows(2)
            .any(|pair| matches!(pair, [b'<' | b'>', b'('] | [b'<', b'<'] | [b'\\', b'\n']))
}

/// How deeply `$( )` may nest in a script the fast path reads; real
/// scripts nest one or two deep.
const MAX_NESTING: usize = 8;

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
    /// The end of the script, or the `)` closing a `$(` being read.
    End,
}

/// Reads one script, or the body of a `$( )` in it. `command_start`
/// mirrors rable's lexer flag of the same name: it decides whether `NAME[`
/// opens a subscript and whether a word may be a reserved word.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    command_start: bool,
    /// How many `$(` the reader is inside.
    nesting: usize,
    /// Where the commands of `$( )` bodies are read (and dropped).
    scratch: Script,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            command_start: true,
            nesting: 0,
            scratch: Script::default(),
        }
    }

    /// Reads a list of pipelines up to the end (of the script, or of the
    /// `$( )` being read, whose commands are not kept: the walk splits the
    /// body again as a script of its own).
    fn list(&mut self, out: &mut Script) -> Option<()> {
        let mut connector = None;
        let mut token = self.skip_newlines()?;
        let mut pipeline_start = out.commands.len();
        loop {
            if token == Token::End {
                return Some(());
            }
            let next = self.command(token, out)?;
            // What may follow each operator is what rable accepts without
            // an empty command; anything else is left to it.
            let joined = match next {
                Token::Pipe => None,
                Token::And => Some(Connector::And),
                Token::Or => Some(Connector::Or),
                Token::Semi | Token::Background | Token::Newline | Token::End => {
                    Some(Connector::Sequence)
                }
                Token::Word(..) | Token::Redirect(..) => return None,
            };
            let Some(joined) = joined else {
                token = self.skip_newlines_to_command()?;
                continue;
            };
            out.pipelines.push(Pipeline {
                connector,
                commands: pipeline_start..out.commands.len(),
            });
            pipeline_start = out.commands.len();
            connector = Some(joined);
            token = match next {
                Token::And | Token::Or => self.skip_newlines_to_command()?,
                Token::End => Token::End,
                _ => {
                    let after = self.skip_newlines()?;
                    if !matches!(after, Token::Word(..) | Token::Redirect(..) | Token::End) {
                        return None;
                    }
                    after
                }
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

    /// Reads a simple command from its first token into `out`; returns the
    /// token that ended it.
    fn command(&mut self, first: Token, out: &mut Script) -> Option<Token> {
        let start = match first {
            Token::Word(start, _) | Token::Redirect(start, _, _) => start,
            _ => return None,
        };
        let first_piece = out.pieces.len();
        let mut substitutes = false;
        let mut end = start;
        let mut named = false;
        let mut token = first;
        loop {
            match token {
                Token::Word(word_start, word_end) => {
                    let word = self.bytes.get(word_start..word_end)?;
                    let glued = word_end == self.at;
                    if glued && word.first() == Some(&b'{') && self.redirect_follows() {
                        // `{fd}>file` is left to the parser.
                        return None;
                    }
                    if glued && matches!(self.peek(), Some(b'<' | b'>')) && is_fd_number(word) {
                        // `2>file`: an fd number glued to the operator.
                        let operator = self.token()?;
                        end = self.redirect(operator)?;
                    } else {
                        substitutes |= word.windows(2).any(|pair| pair == b"$(");
                        let assignment = !named && is_assignment_word(word);
                        named |= !assignment;
                        out.pieces.push(Piece {
                            start: word_start,
                            end: word_end,
                            assignment,
                        });
                        end = word_end;
                    }
                }
                Token::Redirect(..) => end = self.redirect(token)?,
                _ => {
                    out.commands.push(Command {
                        start,
                        end,
                        pieces: first_piece..out.pieces.len(),
                        substitutes,
                    });
                    return Some(token);
                }
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
    /// redirection ends. A target with a substitution is left to the
    /// parser: rable places it apart from the word.
    fn redirect(&mut self, operator: Token) -> Option<usize> {
        let Token::Redirect(_, end, takes_target) = operator else {
            return None;
        };
        if !takes_target {
            return Some(end);
        }
        match self.token()? {
            Token::Word(start, end) => {
                let target = self.bytes.get(start..end)?;
                (!target.windows(2).any(|pair| pair == b"$(")).then_some(end)
            }
            _ => None,
        }
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
            // A `$(` left open is rable's error to report.
            return (self.nesting == 0).then_some(Token::End);
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
            (b')', _) if self.nesting > 0 => (Token::End, 1),
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
            b'(' if self.bytes.get(self.at + 1) != Some(&b'(') => self.substitution()?,
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

    /// A `$( )` from its `(`: rable reads the body with a parser of its
    /// own, which starts at a command and stops at the `)` closing it.
    fn substitution(&mut self) -> Option<()> {
        if self.nesting >= MAX_NESTING {
            return None;
        }
        self.at += 1;
        let outer_command_start = self.command_start;
        self.command_start = true;
        self.nesting += 1;
        let mut body = std::mem::take(&mut self.scratch);
        let read = self.list(&mut body);
        body.pipelines.clear();
        body.commands.clear();
        body.pieces.clear();
        self.scratch = body;
        self.nesting -= 1;
        self.command_start = outer_command_start;
        read
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
