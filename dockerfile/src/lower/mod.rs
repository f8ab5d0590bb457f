//! Lowering BuildKit's syntax tree into the typed model.
//!
//! This walks the instructions top to bottom as BuildKit's `dockerfile2llb`
//! does: meta `ARG`s first, then one stage per `FROM`, tracking which
//! variables are visible where so that every image reference is resolved
//! where it can be and marked unresolved where it can't.

mod commands;
mod instructions;
mod reference;
mod scope;
mod script_lines;
mod words;

#[cfg(test)]
pub(crate) use commands::shell_texts;

use crate::ast::{Ast, Node};
use crate::model::{
    BuildContext, Comment, Directive, Dockerfile, FromInstruction, Heredoc, Instruction,
    InstructionDetail, Span, Stage, to_u32,
};
use instructions::{Context, arg_declarations, detail, parse_flags};
use reference::{StageName, resolve_base};
use scope::Scope;
use words::Words;

/// What the model depends on besides the file itself.
#[derive(Debug, Clone)]
pub struct LowerOptions {
    /// The path recorded in the model (relative to the scan root, with `/`).
    pub path: String,
    /// `YYYY-MM-DD`: the evaluation date policies see.
    pub evaluated_on: String,
    /// The stage to build (`--target`); the last stage when None or unknown.
    pub target: Option<String>,
    /// `--build-arg` values.
    pub build_args: Vec<(String, String)>,
    /// The target platform, `os/arch[/variant]`, for the automatic platform args.
    pub platform: String,
    pub build_context: BuildContext,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            path: String::new(),
            evaluated_on: String::from("1970-01-01"),
            target: None,
            build_args: Vec::new(),
            platform: String::from("linux/amd64"),
            build_context: BuildContext::default(),
        }
    }
}

/// Lowers a parsed Dockerfile into the model.
pub fn lower(ast: &Ast, options: &LowerOptions) -> Dockerfile {
    let words = Words::new(ast.escape);
    let mut scope = Scope::new(options.build_args.clone(), &options.platform);
    let mut global_args = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    // `COPY --from` and `--mount from=` resolve to any stage, even a later
    // one (which BuildKit refuses when the target needs the stage that
    // refers to it: `validate::check_stage_order`); a `FROM` only to an
    // earlier one. Stage names are never expanded, so they are known upfront.
    let all_stages = stage_names(ast);

    for node in &ast.children {
        let flags = parse_flags(&node.flags);
        if node.keyword == "from" {
            let earlier = all_stages.get(..stages.len()).unwrap_or_default();
            let stage = begin_stage(node, flags, &words, &mut scope, earlier);
            stages.push(stage);
            continue;
        }
        let Some(stage) = stages.last_mut() else {
            // Before the first FROM only ARG is meaningful; anything else is
            // kept so that policies can report it.
            let detail = if node.keyword == "arg" {
                let env = scope.meta_env();
                let declarations = arg_declarations(&node.args, &words, &env);
                for declaration in &declarations {
                    scope.declare_meta(&declaration.name, declaration.default.clone());
                }
                InstructionDetail::Arg(declarations)
            } else {
                InstructionDetail::Other
            };
            global_args.push(instruction(node, flags, detail));
            continue;
        };
        let detail = {
            let cx = Context {
                words: &words,
                env: scope.stage_env(),
                stages: &all_stages,
            };
            detail(node, &flags, &cx)
        };
        match &detail {
            InstructionDetail::Arg(declarations) => {
                for declaration in declarations {
                    scope.declare_stage_arg(&declaration.name, declaration.default.clone());
                }
            }
            InstructionDetail::Env(assignments) => {
                for assignment in assignments {
                    scope.set_env(&assignment.key, &assignment.value);
                }
            }
            _ => {}
        }
        stage.span.end_line = to_u32(node.end_line);
        stage.instructions.push(instruction(node, flags, detail));
    }

    let target_stage = options
        .target
        .as_deref()
        .and_then(|target| {
            stages.iter().find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(target))
            })
        })
        .or(stages.last())
        .map_or(0, |s| s.index);

    Dockerfile {
        path: options.path.clone(),
        directives: ast
            .directives
            .iter()
            .map(|d| Directive {
                name: d.name.clone(),
                value: d.value.clone(),
                line: to_u32(d.line),
            })
            .collect(),
        escape_char: ast.escape.to_string(),
        comments: ast
            .comments
            .iter()
            .map(|c| Comment {
                line: to_u32(c.line),
                text: c.text.clone(),
            })
            .collect(),
        global_args,
        stages,
        target_stage,
        build_context: options.build_context.clone(),
        line_count: to_u32(ast.line_count),
        evaluated_on: options.evaluated_on.clone(),
    }
}

/// The stage name written after `AS` in a `FROM`'s arguments.
fn stage_name(node: &Node) -> (Option<String>, Option<String>) {
    match node.args.as_slice() {
        [_, keyword, name, ..] if keyword.eq_ignore_ascii_case("as") => {
            (Some(keyword.clone()), Some(name.clone()))
        }
        _ => (None, None),
    }
}

fn stage_names(ast: &Ast) -> Vec<StageName> {
    ast.children
        .iter()
        .filter(|node| node.keyword == "from")
        .enumerate()
        .map(|(index, node)| StageName {
            index: to_u32(index),
            name: stage_name(node).1,
        })
        .collect()
}

/// `FROM [--platform=p] image [AS name]`: a new stage, whose base is
/// resolved with the meta args.
fn begin_stage(
    node: &Node,
    flags: Vec<crate::model::Flag>,
    words: &Words,
    scope: &mut Scope,
    earlier: &[StageName],
) -> Stage {
    let written = node.args.first().cloned().unwrap_or_default();
    let meta_env = scope.meta_env();
    let kept = words.value(&written, &meta_env);
    let built = words.as_built(&written, &meta_env);
    let base = resolve_base(&written, kept, built, earlier);
    let (as_keyword, stage_name) = stage_name(node);
    let platform = flags
        .iter()
        .rev()
        .find(|f| f.name.eq_ignore_ascii_case("platform"))
        .and_then(|f| f.value.clone());
    scope.enter_stage();
    let from = FromInstruction {
        base: base.clone(),
        platform: platform.clone(),
        stage_name: stage_name.clone(),
        as_keyword,
    };
    let index = to_u32(earlier.len());
    Stage {
        index,
        name: stage_name,
        base,
        platform,
        span: Span::lines(node.start_line, node.end_line),
        instructions: vec![instruction(node, flags, InstructionDetail::From(from))],
    }
}

fn instruction(
    node: &Node,
    flags: Vec<crate::model::Flag>,
    detail: InstructionDetail,
) -> Instruction {
    Instruction {
        keyword: node.keyword.to_ascii_uppercase(),
        keyword_written: node.keyword_as_written.clone(),
        original: node.original.clone(),
        span: Span {
            start_column: to_u32(node.keyword_column),
            ..Span::lines(node.start_line, node.end_line)
        },
        flags,
        args: node.args.clone(),
        heredocs: heredocs(node),
        comments: node.prev_comment.clone(),
        empty_continuation_lines: node
            .empty_continuation_lines
            .iter()
            .map(|&line| to_u32(line))
            .collect(),
        detail,
    }
}

fn heredocs(node: &Node) -> Vec<Heredoc> {
    node.heredocs
        .iter()
        .zip(heredoc_lines(node, &node.heredocs))
        .map(|(h, (start, end))| Heredoc {
            name: h.name.clone(),
            file_descriptor: u32::try_from(h.file_descriptor).unwrap_or(u32::MAX),
            expand: h.expand,
            chomp: h.chomp,
            content: h.content.clone(),
            span: Span::lines(start, end),
        })
        .collect()
}

/// The first line of each body of `heredocs` (the node's) and the line of
/// its terminator. Heredoc bodies sit at the end of the instruction, each
/// followed by its terminator line: walk back from the last line to place
/// them.
fn heredoc_lines(node: &Node, heredocs: &[crate::ast::Heredoc]) -> Vec<(usize, usize)> {
    let mut cursor = node.end_line;
    let mut placed: Vec<(usize, usize)> = heredocs
        .iter()
        .rev()
        .map(|h| {
            let body_lines = h.content.matches('\n').count();
            let end = cursor;
            let start = end.saturating_sub(body_lines);
            cursor = start.saturating_sub(1);
            (start, end)
        })
        .collect();
    placed.reverse();
    placed
}
