//! Walks rable's syntax tree and lists the simple commands in it.

use std::panic::{self, AssertUnwindSafe};

use rable::{ListOperator, Node, NodeKind, Span};

use super::inner::{ShellInput, nested_shell};
use super::place::{BodyPlace, Origin, heredoc_body_place};
use super::scan;
use super::simple;
use super::source::SourceText;
use super::stack;
use super::words::{Quoting, lenient_words, substitutions, unquote};
use super::{Connector, SimpleCommand};

/// How many `sh -c` levels are followed; real Dockerfiles use one or two.
const MAX_SHELL_DEPTH: u32 = 4;
/// How deeply command substitutions may nest in a script we parse. The
/// parser's time grows with about the fourth power of this depth (a
/// hundred levels take a third of a second); real scripts nest two or three.
const MAX_SUBSTITUTION_DEPTH: usize = 32;

/// Where the walk is, as far as the commands it lists need to know.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    in_substitution: bool,
    shell_depth: u32,
    in_condition: bool,
    negated: bool,
    connector: Connector,
    /// The outer shell already listed the substitutions of a `sh -c`
    /// argument it expands; listing them again from the inner script would
    /// count each twice.
    substitutions_listed: bool,
    /// Where the script being split is in the top-level script.
    origin: Origin,
}

impl Context {
    pub(crate) const TOP: Self = Self {
        in_substitution: false,
        shell_depth: 0,
        in_condition: false,
        negated: false,
        connector: Connector::Start,
        substitutions_listed: false,
        origin: Origin::Verbatim(0),
    };

    /// The top level of a piece of the script that starts at byte `offset`.
    pub(crate) fn top_at(offset: usize) -> Self {
        Self {
            origin: Origin::Verbatim(offset),
            ..Self::TOP
        }
    }

    /// The context of a compound command's body: `!` negates the compound's
    /// status, not the status of each command inside.
    fn body(self) -> Self {
        Self {
            negated: false,
            ..self
        }
    }

    /// A script of its own (a substitution body, a nested shell's script).
    fn script(self) -> Self {
        Self {
            in_condition: false,
            negated: false,
            connector: Connector::Start,
            ..self
        }
    }
}

/// Collects simple commands from one script and everything nested in it.
pub(crate) struct Splitter {
    pub(crate) commands: Vec<SimpleCommand>,
    next_pipeline: u32,
    /// Scripts the fast path reads (`simple.rs`) skip the parser.
    fast_path: bool,
}

/// A simple command's words as written, and where they and it are.
struct CommandParts<'p, 'a> {
    words: &'p [(&'a str, Origin)],
    assignments: &'p [(&'a str, Origin)],
    text: String,
    origin: Origin,
    /// Whether a word may hold a substitution worth looking for.
    substitutes: bool,
}

impl Splitter {
    pub(crate) fn new() -> Self {
        Self {
            commands: Vec::new(),
            next_pipeline: 0,
            fast_path: true,
        }
    }

    /// A splitter that parses every script with rable: what the fast path
    /// is tested against.
    #[cfg(test)]
    pub(crate) fn parser_only() -> Self {
        Self {
            fast_path: false,
            ..Self::new()
        }
    }

    /// Parses `script` and lists its commands; on a parse error lists
    /// nothing and returns the parser's reason.
    pub(crate) fn split(&mut self, script: &str, ctx: Context) -> Result<(), String> {
        // Every substitution opens with a `(` but backquotes, which never
        // nest without one between them: fewer `(` than the limit cannot
        // nest deeper than it.
        if script.bytes().filter(|&b| b == b'(').count() >= MAX_SUBSTITUTION_DEPTH {
            let depth = scan::substitution_depth(script);
            if depth > MAX_SUBSTITUTION_DEPTH {
                return Err(format!(
                    "command substitutions nest {depth} deep; more than {MAX_SUBSTITUTION_DEPTH} are not parsed"
                ));
            }
        }
        if self.fast_path
            && let Some(read) = simple::read(script)
        {
            self.simple_script(script, &read, ctx);
            return Ok(());
        }
        // The parser and the walk over its tree recurse as deep as the
        // script nests: they get the stack it needs.
        stack::with_stack_for(script, || self.parse_and_walk(script, ctx))?
    }

    fn parse_and_walk(&mut self, script: &str, ctx: Context) -> Result<(), String> {
        let nodes = parse(script)?;
        let source = SourceText::new(script);
        for (i, node) in nodes.iter().enumerate() {
            let connector = if i == 0 {
                ctx.connector
            } else {
                Connector::Sequence
            };
            self.node(node, &source, Context { connector, ..ctx }, None);
        }
        Ok(())
    }

    /// Lists the whole of `script` as one command, named by its first word:
    /// what a policy can still use of a script the parser refuses.
    pub(crate) fn push_whole(&mut self, script: &str, ctx: Context) {
        let lead = script.len() - script.trim_start().len();
        let script = script.trim();
        let mut words = lenient_words(script).into_iter();
        let name = words.next().map(|(_, name)| name).unwrap_or_default();
        let (arg_offsets, args) = words
            .map(|(at, word)| (ctx.origin.place(Some(lead + at)), word))
            .unzip();
        let pipeline = self.new_pipeline();
        self.commands.push(SimpleCommand {
            name,
            args,
            arg_offsets,
            assignments: Vec::new(),
            text: script.to_owned(),
            offset: ctx.origin.place(Some(lead)),
            pipeline,
            pipe_position: 0,
            in_substitution: ctx.in_substitution,
            shell_depth: ctx.shell_depth,
            negated: ctx.negated,
            in_condition: ctx.in_condition,
            connector: ctx.connector,
        });
    }

    /// A script nested in the one being split. Its enclosing script parsed,
    /// so a refusal here means our own reading of the nesting was off: keep
    /// the text whole rather than lose it.
    fn split_nested(&mut self, script: &str, ctx: Context) {
        if script.trim().is_empty() {
            return;
        }
        let ctx = ctx.script();
        if self.split(script, ctx).is_err() {
            self.push_whole(script, ctx);
        }
    }

    fn new_pipeline(&mut self) -> u32 {
        let id = self.next_pipeline;
        self.next_pipeline = self.next_pipeline.saturating_add(1);
        id
    }

    fn node(&mut self, node: &Node, src: &SourceText, ctx: Context, pipe: Option<(u32, u32)>) {
        match &node.kind {
            NodeKind::Command {
                assignments,
                words,
                redirects,
            } => self.command(node, assignments, words, redirects, src, ctx, pipe),
            NodeKind::Pipeline { commands, .. } => {
                let id = self.new_pipeline();
                for (position, element) in commands.iter().enumerate() {
                    let position = u32::try_from(position).unwrap_or(u32::MAX);
                    self.node(element, src, ctx, Some((id, position)));
                }
            }
            NodeKind::List { items } => {
                let mut connector = ctx.connector;
                for item in items {
                    self.node(&item.command, src, Context { connector, ..ctx }, None);
                    connector = match item.operator {
                        Some(ListOperator::And) => Connector::And,
                        Some(ListOperator::Or) => Connector::Or,
                        Some(ListOperator::Semi | ListOperator::Background) | None => {
                            Connector::Sequence
                        }
                    };
                }
            }
            NodeKind::If {
                condition,
                then_body,
                else_body,
                redirects,
            } => {
                let body = ctx.body();
                self.node(
                    condition,
                    src,
                    Context {
                        in_condition: true,
                        ..body
                    },
                    None,
                );
                self.node(then_body, src, body, None);
                if let Some(else_body) = else_body {
                    self.node(else_body, src, body, None);
                }
                self.redirects(redirects, src, ctx);
            }
            NodeKind::While {
                condition,
                body,
                redirects,
            }
            | NodeKind::Until {
                condition,
                body,
                redirects,
            } => {
                let inside = ctx.body();
                self.node(
                    condition,
                    src,
                    Context {
                        in_condition: true,
                        ..inside
                    },
                    None,
                );
                self.node(body, src, inside, None);
                self.redirects(redirects, src, ctx);
            }
            NodeKind::For {
                words,
                body,
                redirects,
                ..
            }
            | NodeKind::Select {
                words,
                body,
                redirects,
                ..
            } => {
                for word in words.iter().flatten() {
                    self.word_substitutions(word, src, ctx);
                }
                self.node(body, src, ctx.body(), None);
                self.redirects(redirects, src, ctx);
            }
            NodeKind::ForArith {
                init,
                cond,
                incr,
                body,
                redirects,
            } => {
                // The expressions come without a place of their own.
                let at = ctx.origin.child(src.offset(node.span.start)).rewritten();
                for expression in [init, cond, incr] {
                    self.text_substitutions(expression, Quoting::Word, at, ctx);
                }
                self.node(body, src, ctx.body(), None);
                self.redirects(redirects, src, ctx);
            }
            NodeKind::Case {
                word,
                patterns,
                redirects,
            } => {
                self.word_substitutions(word, src, ctx);
                for pattern in patterns {
                    if let Some(body) = &pattern.body {
                        self.node(body, src, ctx.body(), None);
                    }
                }
                self.redirects(redirects, src, ctx);
            }
            NodeKind::Subshell { body, redirects } | NodeKind::BraceGroup { body, redirects } => {
                self.node(body, src, ctx.body(), None);
                self.redirects(redirects, src, ctx);
            }
            NodeKind::Function { body, .. } => self.node(body, src, ctx.body(), None),
            NodeKind::Coproc { command, .. } => self.node(command, src, ctx.body(), None),
            NodeKind::Negation { pipeline } => {
                self.node(
                    pipeline,
                    src,
                    Context {
                        negated: true,
                        ..ctx
                    },
                    pipe,
                );
            }
            NodeKind::Time { pipeline, .. } => self.node(pipeline, src, ctx, pipe),
            NodeKind::ConditionalExpr { redirects, .. }
            | NodeKind::ArithmeticCommand { redirects, .. } => {
                if let Some(text) = src.span(&node.span) {
                    let at = ctx.origin.child(src.offset(node.span.start));
                    self.text_substitutions(text, Quoting::Word, at, ctx);
                }
                self.redirects(redirects, src, ctx);
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn command(
        &mut self,
        node: &Node,
        assignments: &[Node],
        words: &[Node],
        redirects: &[Node],
        src: &SourceText,
        ctx: Context,
        pipe: Option<(u32, u32)>,
    ) {
        let words: Vec<(&str, Origin)> = words
            .iter()
            .filter_map(|word| placed_word(word, src, ctx))
            .collect();
        let assignments: Vec<(&str, Origin)> = assignments
            .iter()
            .filter_map(|word| placed_word(word, src, ctx))
            .collect();
        let text = match src.span(&node.span) {
            Some(text) => text.to_owned(),
            None => assignments
                .iter()
                .chain(&words)
                .map(|(raw, _)| *raw)
                .collect::<Vec<_>>()
                .join(" "),
        };
        let origin = ctx.origin.child(src.offset(node.span.start));
        let parts = CommandParts {
            words: &words,
            assignments: &assignments,
            text,
            origin,
            substitutes: true,
        };
        let stdin_script = || {
            stdin_heredoc(redirects).map(|(body, operator)| {
                let place = heredoc_body_place(body, operator, src, ctx.origin)
                    .unwrap_or(BodyPlace::At(origin.rewritten()));
                (body.to_owned(), place)
            })
        };
        self.push_command(parts, ctx, pipe, stdin_script, |splitter| {
            splitter.redirects(redirects, src, ctx);
        });
    }

    /// Lists a simple command, then the commands of its substitutions, of
    /// its redirections (`redirects`) and of the script it hands a nested
    /// shell (`stdin_script` is what a shell reading standard input gets).
    fn push_command(
        &mut self,
        parts: CommandParts,
        ctx: Context,
        pipe: Option<(u32, u32)>,
        stdin_script: impl FnOnce() -> Option<(String, BodyPlace)>,
        redirects: impl FnOnce(&mut Self),
    ) {
        let CommandParts {
            words,
            assignments,
            text,
            origin,
            substitutes,
        } = parts;
        let mut unquoted = words.iter().map(|(raw, _)| unquote(raw));
        let name = unquoted.next().unwrap_or_default();
        let args: Vec<String> = unquoted.collect();
        // What a nested shell runs, decided before the words move into the
        // command; whether the outer shell expands substitutions in the word
        // as written, and where that word is.
        let nested = match nested_shell(&name, &args) {
            Some(ShellInput::Argument(index)) => args.get(index).map(|script| {
                let (raw, at) = words.get(index + 1).copied().unwrap_or(("", origin));
                (
                    script.clone(),
                    !substitutions(raw, Quoting::Word).is_empty(),
                    BodyPlace::At(at.of_inner(raw, script)),
                )
            }),
            Some(ShellInput::Stdin) => stdin_script().map(|(body, place)| (body, false, place)),
            None => None,
        };
        let (pipeline, pipe_position) = pipe.unwrap_or_else(|| (self.new_pipeline(), 0));
        self.commands.push(SimpleCommand {
            name,
            args,
            assignments: assignments
                .iter()
                .map(|(raw, _)| split_assignment(raw))
                .collect(),
            text,
            offset: origin.place(None),
            arg_offsets: words.iter().skip(1).map(|(_, at)| at.place(None)).collect(),
            pipeline,
            pipe_position,
            in_substitution: ctx.in_substitution,
            shell_depth: ctx.shell_depth,
            negated: ctx.negated,
            in_condition: ctx.in_condition,
            connector: ctx.connector,
        });

        // Substitutions run before the command, but are listed after it, in
        // the order they are written.
        if substitutes {
            for (raw, at) in assignments.iter().chain(words) {
                self.text_substitutions(raw, Quoting::Word, *at, ctx);
            }
        }
        redirects(self);

        if let Some((script, expanded_outside, place)) = nested
            && ctx.shell_depth < MAX_SHELL_DEPTH
        {
            let inner = Context {
                shell_depth: ctx.shell_depth + 1,
                substitutions_listed: ctx.substitutions_listed || expanded_outside,
                ..ctx
            };
            self.in_body(&place, ctx.origin, |splitter, origin| {
                splitter.split_nested(&script, Context { origin, ..inner });
            });
        }
    }

    /// Lists the commands [`simple::read`] found in `script`, as
    /// [`Splitter::node`] lists rable's tree of the same script: a pipeline
    /// of more than one command takes its id before its first command, a
    /// command alone when it is listed.
    fn simple_script(&mut self, script: &str, read: &simple::Script, ctx: Context) {
        let mut pipelines: Vec<u32> = Vec::new();
        // Reused from command to command.
        let (mut words, mut assignments) = (Vec::new(), Vec::new());
        for event in &read.events {
            let index = match *event {
                simple::Event::PipelineStart => {
                    let id = self.new_pipeline();
                    pipelines.push(id);
                    continue;
                }
                simple::Event::PipelineEnd => {
                    pipelines.pop();
                    continue;
                }
                simple::Event::Nothing => continue,
                simple::Event::Command(index) => index,
            };
            let Some(command) = read.commands.get(index) else {
                continue;
            };
            let ctx = Context {
                connector: command.connector.unwrap_or(ctx.connector),
                in_condition: ctx.in_condition || command.in_condition,
                negated: ctx.negated && !command.in_compound,
                ..ctx
            };
            words.clear();
            assignments.clear();
            for piece in read.pieces.get(command.pieces.clone()).unwrap_or_default() {
                let Some(raw) = script.get(piece.start..piece.end) else {
                    continue;
                };
                let placed = (raw, ctx.origin.child(Some(piece.start)));
                if piece.assignment {
                    assignments.push(placed);
                } else {
                    words.push(placed);
                }
            }
            let parts = CommandParts {
                words: &words,
                assignments: &assignments,
                text: script
                    .get(command.start..command.end)
                    .unwrap_or_default()
                    .to_owned(),
                origin: ctx.origin.child(Some(command.start)),
                substitutes: command.substitutes,
            };
            let pipe = command
                .pipe_position
                .and_then(|position| Some((*pipelines.last()?, position)));
            self.push_command(parts, ctx, pipe, || None, |_| {});
        }
    }

    /// Lists commands of a text the shell reads from `place` (`list` is
    /// given the origin to list them at). A body the shell joined is split
    /// in its own coordinates, then each command is moved to where it is
    /// written.
    fn in_body(&mut self, place: &BodyPlace, outer: Origin, list: impl FnOnce(&mut Self, Origin)) {
        match place {
            BodyPlace::At(origin) => list(self, *origin),
            BodyPlace::Joined { start, removed } => {
                let first = self.commands.len();
                list(self, Origin::Verbatim(0));
                let to_file = |offset: usize| {
                    outer.place(Some(start + BodyPlace::as_written(offset, removed)))
                };
                for command in self.commands.get_mut(first..).unwrap_or_default() {
                    command.offset = to_file(command.offset);
                    for arg in &mut command.arg_offsets {
                        *arg = to_file(*arg);
                    }
                }
            }
        }
    }

    fn redirects(&mut self, redirects: &[Node], src: &SourceText, ctx: Context) {
        for redirect in redirects {
            match &redirect.kind {
                NodeKind::Redirect { target, .. } => self.word_substitutions(target, src, ctx),
                NodeKind::HereDoc {
                    content, quoted, ..
                } if !quoted => {
                    let place = heredoc_body_place(content, &redirect.span, src, ctx.origin)
                        .unwrap_or_else(|| {
                            BodyPlace::At(
                                ctx.origin
                                    .child(src.offset(redirect.span.start))
                                    .rewritten(),
                            )
                        });
                    self.in_body(&place, ctx.origin, |splitter, at| {
                        splitter.text_substitutions(content, Quoting::Heredoc, at, ctx);
                    });
                }
                _ => {}
            }
        }
    }

    fn word_substitutions(&mut self, word: &Node, src: &SourceText, ctx: Context) {
        if let Some((raw, at)) = placed_word(word, src, ctx) {
            self.text_substitutions(raw, Quoting::Word, at, ctx);
        }
    }

    /// Lists the commands of the substitutions in `text`, which is at `at`.
    fn text_substitutions(&mut self, text: &str, quoting: Quoting, at: Origin, ctx: Context) {
        if ctx.substitutions_listed || !text.contains(['$', '`', '(']) {
            return;
        }
        for substitution in substitutions(text, quoting) {
            let body_at = at.child(Some(substitution.start));
            let inner = Context {
                in_substitution: true,
                origin: if substitution.verbatim {
                    body_at
                } else {
                    body_at.rewritten()
                },
                ..ctx
            };
            self.split_nested(&substitution.body, inner);
        }
    }
}

/// Parses a script, turning a panic in the parser (none is known) into an
/// error as a last line of defence.
fn parse(script: &str) -> Result<Vec<Node>, String> {
    match panic::catch_unwind(AssertUnwindSafe(|| rable::parse(script, false))) {
        Ok(Ok(nodes)) => Ok(nodes),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("the shell parser panicked".to_owned()),
    }
}

fn word_text(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Word { value, .. } => Some(value),
        _ => None,
    }
}

/// `NAME=value` as written; the value with quotes removed. `NAME+=value`
/// keeps the `+` in the name.
fn split_assignment(raw: &str) -> (String, String) {
    match raw.split_once('=') {
        Some((name, value)) => (name.to_owned(), unquote(value)),
        None => (raw.to_owned(), String::new()),
    }
}

/// A word's raw text and where it is. Offsets inside the word carry over
/// only when the parser's text is the source's (it always is, but a
/// difference must not misplace commands).
fn placed_word<'a>(word: &'a Node, src: &SourceText, ctx: Context) -> Option<(&'a str, Origin)> {
    let raw = word_text(word)?;
    let at = ctx.origin.child(src.offset(word.span.start));
    let same = src.span(&word.span) == Some(raw);
    Some((raw, if same { at } else { at.rewritten() }))
}

/// The heredoc a command reads on standard input, and its `<<` operator.
fn stdin_heredoc(redirects: &[Node]) -> Option<(&str, &Span)> {
    redirects.iter().find_map(|redirect| match &redirect.kind {
        NodeKind::HereDoc { content, fd, .. } if *fd <= 0 => {
            Some((content.as_str(), &redirect.span))
        }
        _ => None,
    })
}
