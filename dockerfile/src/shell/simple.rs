//! A fast path for the scripts most `RUN`s are: simple commands joined by
//! `&&`, `||`, `;`, `&`, `|` and newlines, with quoted words, `$VAR`,
//! `${VAR}`, `$( )` holding more of the same, plain redirections, and the
//! compound commands `if`/`elif`/`else`, `while`, `until`, `for NAME in`
//! and `{ }` around them.
//!
//! It reads the bytes once, without building a tree, and finds the same
//! words and commands rable does; the walk (`walk.rs`) then lists them as
//! it lists rable's tree (quote removal, substitutions and nested shells
//! are shared code), in the same order and with the same pipeline ids,
//! connectors and condition marks. That equality is the whole contract:
//! the reader follows rable's lexer and parser rule by rule where it
//! accepts, and gives up (`None`, and rable parses the script) on
//! everything it is not certain of: backquotes, process substitutions,
//! heredocs, `( )` subshells and `(( ))`, `case`, functions, `!`, `[[`,
//! `\`-newline, fd-variable redirections, `$( )` in redirection targets
//! and `for` words, and operator sequences rable would refuse. The
//! differential tests (`simple/tests.rs`) hold it to that over the corpus
//! and generated scripts.

use super::Connector;

/// The commands of a script in the subset, as written (byte ranges into
/// it), in the order the walk lists rable's tree of the same script.
#[derive(Debug, Default)]
pub(crate) struct Script {
    pub(crate) events: Vec<Event>,
    pub(crate) commands: Vec<Command>,
    /// Every command's words, in order: [`Command::pieces`] indexes it.
    pub(crate) pieces: Vec<Piece>,
}

/// A step of the walk over the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// A pipeline of more than one command starts: it takes an id now,
    /// before anything in its first command is listed.
    PipelineStart,
    PipelineEnd,
    /// A simple command (an index into [`Script::commands`]).
    Command(usize),
    /// A slot left for a `PipelineStart` that did not come.
    Nothing,
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
    /// How its pipeline joins the one before; `None` for what starts the
    /// script (the script's own connector).
    pub(crate) connector: Option<Connector>,
    /// Inside the condition of an `if`, `elif`, `while` or `until`.
    pub(crate) in_condition: bool,
    /// Inside a compound command (whose body a `!` would not negate).
    pub(crate) in_compound: bool,
    /// Its position in a pipeline of more than one command.
    pub(crate) pipe_position: Option<u32>,
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

/// Where a list is, as far as its commands need to know.
#[derive(Debug, Clone, Copy)]
struct Place {
    connector: Option<Connector>,
    in_condition: bool,
    in_compound: bool,
}

impl Place {
    const TOP: Place = Place {
        connector: None,
        in_condition: false,
        in_compound: false,
    };

    /// The body of a compound command whose pipeline joins with
    /// `connector`: the walk hands its first command that connector.
    fn body(connector: Option<Connector>, in_condition: bool) -> Place {
        Place {
            connector,
            in_condition,
            in_compound: true,
        }
    }
}

/// The reserved words the fast path follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reserved {
    If,
    Then,
    Elif,
    Else,
    Fi,
    While,
    Until,
    For,
    In,
    Do,
    Done,
    OpenBrace,
    CloseBrace,
}

impl Reserved {
    fn of(word: &[u8]) -> Option<Reserved> {
        Some(match word {
            b"if" => Reserved::If,
            b"then" => Reserved::Then,
            b"elif" => Reserved::Elif,
            b"else" => Reserved::Else,
            b"fi" => Reserved::Fi,
            b"while" => Reserved::While,
            b"until" => Reserved::Until,
            b"for" => Reserved::For,
            b"in" => Reserved::In,
            b"do" => Reserved::Do,
            b"done" => Reserved::Done,
            b"{" => Reserved::OpenBrace,
            b"}" => Reserved::CloseBrace,
            _ => return None,
        })
    }

    /// Whether rable's lexer expects a command after it.
    fn starts_command(self) -> bool {
        self != Reserved::In
    }

    /// Whether it ends a list (the caller checks it is the one expected).
    fn ends_list(self) -> bool {
        matches!(
            self,
            Reserved::Then
                | Reserved::Elif
                | Reserved::Else
                | Reserved::Fi
                | Reserved::Do
                | Reserved::Done
                | Reserved::CloseBrace
        )
    }
}

/// Reads `script` when it is within the subset this scanner reads exactly;
/// `None` when the parser must decide.
pub(crate) fn read(script: &str) -> Option<Script> {
    let mut reader = Reader::new(script);
    let mut out = Script::default();
    reader.script(&mut out)?;
    Some(out)
}

/// How deeply `$( )` may nest in a script the fast path reads; real
/// scripts nest one or two deep.
const MAX_NESTING: usize = 8;

/// A token of the subset, as rable's lexer would read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A word: its byte range.
    Word(usize, usize),
    /// A reserved word where rable reads it as one.
    Reserved(Reserved),
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

impl Token {
    fn starts_command(self) -> bool {
        matches!(
            self,
            Token::Word(..)
                | Token::Redirect(..)
                | Token::Reserved(
                    Reserved::If
                        | Reserved::While
                        | Reserved::Until
                        | Reserved::For
                        | Reserved::OpenBrace
                )
        )
    }

    fn ends_list(self) -> bool {
        match self {
            Token::End => true,
            Token::Reserved(reserved) => reserved.ends_list(),
            _ => false,
        }
    }
}

/// How deeply compound commands may nest in a script the fast path reads.
const MAX_DEPTH: usize = 16;

/// Reads one script, or the body of a `$( )` in it. `command_start` and
/// `reserved_words_ok` mirror rable's lexer flags of the same names: they
/// decide whether `NAME[` opens a subscript and whether a word is reserved.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    command_start: bool,
    reserved_words_ok: bool,
    /// How many `$(` the reader is inside.
    nesting: usize,
    /// How many compound commands the reader is inside.
    depth: usize,
    /// Where the commands of `$( )` bodies are read (and dropped).
    scratch: Script,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            command_start: true,
            reserved_words_ok: true,
            nesting: 0,
            depth: 0,
            scratch: Script::default(),
        }
    }

    /// Reads a whole script (or `$( )` body): a list that ends at its end.
    fn script(&mut self, out: &mut Script) -> Option<()> {
        (self.list(out, Place::TOP)? == Token::End).then_some(())
    }

    /// Reads a list of pipelines up to the token that ends it (returned:
    /// the end, or a reserved word the caller checks).
    fn list(&mut self, out: &mut Script, place: Place) -> Option<Token> {
        let mut connector = place.connector;
        let mut token = self.skip_newlines()?;
        loop {
            if token.ends_list() {
                return Some(token);
            }
            // The slot for the pipeline's id, filled once it is known to
            // have more than one command.
            let slot = out.events.len();
            out.events.push(Event::Nothing);
            let mut position = 0u32;
            let mut first_command = None;
            loop {
                let here = Place { connector, ..place };
                let (next, simple) = self.element(token, out, here, position)?;
                if position == 0 {
                    first_command = simple;
                }
                if next != Token::Pipe {
                    token = next;
                    break;
                }
                position = position.checked_add(1)?;
                token = self.skip_newlines()?;
                if !token.starts_command() {
                    return None;
                }
            }
            if position > 0 {
                *out.events.get_mut(slot)? = Event::PipelineStart;
                out.events.push(Event::PipelineEnd);
                if let Some(index) = first_command {
                    out.commands.get_mut(index)?.pipe_position = Some(0);
                }
            }
            // What may follow each operator is what rable accepts without
            // an empty command; anything else is left to it.
            token = match token {
                Token::And | Token::Or => {
                    connector = Some(if token == Token::And {
                        Connector::And
                    } else {
                        Connector::Or
                    });
                    let next = self.skip_newlines()?;
                    next.starts_command().then_some(next)?
                }
                Token::Semi | Token::Background | Token::Newline => {
                    connector = Some(Connector::Sequence);
                    let next = self.skip_newlines()?;
                    (next.starts_command() || next.ends_list()).then_some(next)?
                }
                _ if token.ends_list() => return Some(token),
                _ => return None,
            };
        }
    }

    /// Reads one element of a pipeline, a simple or compound command;
    /// returns the token after it, and the index of a simple command.
    fn element(
        &mut self,
        first: Token,
        out: &mut Script,
        place: Place,
        position: u32,
    ) -> Option<(Token, Option<usize>)> {
        let Token::Reserved(reserved) = first else {
            let index = out.commands.len();
            let next = self.command(first, out, place, position)?;
            return Some((next, Some(index)));
        };
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let body = Place::body(place.connector, place.in_condition);
        let condition = Place::body(place.connector, true);
        match reserved {
            Reserved::If => self.if_clause(out, condition, body)?,
            Reserved::While | Reserved::Until => {
                self.nonempty_list(out, condition, Reserved::Do)?;
                self.nonempty_list(out, body, Reserved::Done)?;
            }
            Reserved::For => self.for_clause(out, body)?,
            Reserved::OpenBrace => self.nonempty_list(out, body, Reserved::CloseBrace)?,
            _ => return None,
        }
        self.depth -= 1;
        Some((self.trailing_redirects()?, None))
    }

    /// Reads a list that must hold a command and end with `end`.
    fn nonempty_list(&mut self, out: &mut Script, place: Place, end: Reserved) -> Option<()> {
        let before = out.events.len();
        let token = self.list(out, place)?;
        (out.events.len() > before && token == Token::Reserved(end)).then_some(())
    }

    /// `if` (or `elif`) already read: the condition, the branches, up to
    /// and including `fi`.
    fn if_clause(&mut self, out: &mut Script, condition: Place, branch: Place) -> Option<()> {
        self.nonempty_list(out, condition, Reserved::Then)?;
        let before = out.events.len();
        let token = self.list(out, branch)?;
        if out.events.len() == before {
            return None;
        }
        match token {
            Token::Reserved(Reserved::Fi) => Some(()),
            Token::Reserved(Reserved::Elif) => self.if_clause(out, condition, branch),
            Token::Reserved(Reserved::Else) => self.nonempty_list(out, branch, Reserved::Fi),
            _ => None,
        }
    }

    /// `for` already read: `NAME [in WORDS]`, then `do LIST done`. The
    /// words are not kept: without `$( )` in them (left to the parser) the
    /// walk lists nothing of them.
    fn for_clause(&mut self, out: &mut Script, body: Place) -> Option<()> {
        let Token::Word(start, end) = self.token()? else {
            return None;
        };
        if !is_identifier(self.bytes.get(start..end)?) {
            return None;
        }
        // rable's parser expects `in` or the body here.
        self.command_start = true;
        self.reserved_words_ok = true;
        let mut token = self.skip_newlines()?;
        if token == Token::Reserved(Reserved::In) {
            loop {
                token = self.token()?;
                match token {
                    Token::Word(start, end) => {
                        let word = self.bytes.get(start..end)?;
                        if word.windows(2).any(|pair| pair == b"$(") {
                            return None;
                        }
                    }
                    Token::Semi | Token::Newline => break,
                    _ => return None,
                }
            }
            token = self.skip_newlines()?;
        } else if matches!(token, Token::Semi | Token::Newline) {
            token = self.skip_newlines()?;
        }
        if token != Token::Reserved(Reserved::Do) {
            return None;
        }
        self.nonempty_list(out, body, Reserved::Done)
    }

    /// The redirections after a compound command's closing word; returns
    /// the token after them.
    fn trailing_redirects(&mut self) -> Option<Token> {
        loop {
            let token = self.token()?;
            match token {
                Token::Redirect(..) => {
                    self.redirect(token)?;
                }
                Token::Word(start, end) => {
                    let word = self.bytes.get(start..end)?;
                    let glued = end == self.at && matches!(self.peek(), Some(b'<' | b'>'));
                    if !(glued && is_fd_number(word)) {
                        return None;
                    }
                    let operator = self.token()?;
                    self.redirect(operator)?;
                }
                _ => return Some(token),
            }
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

    /// Reads a simple command from its first token into `out`; returns the
    /// token that ended it.
    fn command(
        &mut self,
        first: Token,
        out: &mut Script,
        place: Place,
        position: u32,
    ) -> Option<Token> {
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
                // A reserved word inside a command is rable's to judge.
                Token::Reserved(_) => return None,
                _ => {
                    out.events.push(Event::Command(out.commands.len()));
                    out.commands.push(Command {
                        start,
                        end,
                        pieces: first_piece..out.pieces.len(),
                        substitutes,
                        connector: place.connector,
                        in_condition: place.in_condition,
                        in_compound: place.in_compound,
                        pipe_position: (position > 0).then_some(position),
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
            self.reserved_words_ok = true;
        } else if matches!(token, Token::Redirect(..)) {
            // The word after a redirection is its target, never reserved.
            self.reserved_words_ok = false;
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
        // The word after a redirection is its target, never reserved.
        self.reserved_words_ok = false;
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
        if self.command_start && self.reserved_words_ok && is_reserved_word(word) {
            // Only the reserved words followed here; the others are left
            // to rable.
            let reserved = Reserved::of(word)?;
            self.command_start = reserved.starts_command();
            self.reserved_words_ok = self.command_start;
            return Some(Token::Reserved(reserved));
        }
        // An assignment keeps the command position (more may follow) but
        // takes away reserved words.
        self.command_start = is_assignment_word(word);
        self.reserved_words_ok = false;
        Some(Token::Word(start, self.at))
    }

    /// `\` and the character after it.
    fn escape(&mut self) -> Option<()> {
        // A trailing `\` is kept by rable as a literal, and `\` newline
        // dropped from the word's value: leave both to it.
        if self
            .bytes
            .get(self.at + 1)
            .is_none_or(|&next| next == b'\n')
        {
            return None;
        }
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
        let outer_reserved_words_ok = self.reserved_words_ok;
        self.reserved_words_ok = true;
        let mut body = std::mem::take(&mut self.scratch);
        let read = self.script(&mut body);
        self.reserved_words_ok = outer_reserved_words_ok;
        body.events.clear();
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
