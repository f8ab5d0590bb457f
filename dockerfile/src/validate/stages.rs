//! How stages refer to each other, checked as BuildKit's `dockerfile2llb`
//! does before it builds anything (`toCommand`, `findStateByIndex` and
//! `validateCircularDependency` in `frontend/dockerfile/dockerfile2llb/
//! convert.go` and `validations.go`, BuildKit 1.18 and later):
//! - `COPY --from` is never expanded: a value that expanding (with nothing
//!   set) would change, such as `img:${V}`, is refused;
//! - `COPY --from=<n>` must number an existing stage (or an image an earlier
//!   `--from` named);
//! - stages may not copy from each other in a loop.

use std::collections::HashMap;

use super::flags;
use super::refusal::Refusal;
use crate::ast::Node;
use crate::expand::{EmptyEnv, Lexer};
use crate::parser::ParseErrorKind;

/// One of BuildKit's dispatch states: a stage, or an image that a
/// `--from` names and no stage does.
struct State<'a> {
    /// `stage-<n>` for an unnamed stage, as BuildKit names it in errors.
    display: String,
    /// The stages this one copies or mounts from, with the instruction that does.
    deps: Vec<(usize, &'a Node)>,
}

/// A stage as `instructions.Parse` leaves it: its lower-cased name and its instructions.
pub(crate) struct Stage<'a> {
    pub(crate) name: Option<String>,
    pub(crate) instructions: Vec<&'a Node>,
}

pub(crate) fn check(stages: &[Stage<'_>], escape: char) -> Result<(), crate::parser::ParseError> {
    let mut states: Vec<State<'_>> = stages
        .iter()
        .enumerate()
        .map(|(index, stage)| State {
            display: stage
                .name
                .clone()
                .unwrap_or_else(|| format!("stage-{index}")),
            deps: Vec::new(),
        })
        .collect();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (index, stage) in stages.iter().enumerate() {
        if let Some(name) = &stage.name {
            by_name.insert(name.clone(), index);
        }
    }
    let lexer = Lexer::new(escape);
    for (index, stage) in stages.iter().enumerate() {
        for &node in &stage.instructions {
            let sources = sources(node, &lexer).map_err(|refusal| refusal.at(node))?;
            for source in sources {
                let dep = match source {
                    Source::Index(n) => usize::try_from(n)
                        .ok()
                        .filter(|&n| n < states.len())
                        .ok_or_else(|| invalid_index(n, stages.len()).at(node))?,
                    Source::Name(name) => match by_name.get(&name.to_lowercase()) {
                        Some(&found) => found,
                        None => {
                            states.push(State {
                                display: String::new(),
                                deps: Vec::new(),
                            });
                            states.len() - 1
                        }
                    },
                };
                if let Some(state) = states.get_mut(index) {
                    state.deps.push((dep, node));
                }
            }
        }
    }
    circular_dependency(&states)
}

enum Source {
    Index(i64),
    Name(String),
}

/// The stages or images an instruction reads from (BuildKit's `command.sources`).
fn sources(node: &Node, lexer: &Lexer) -> Result<Vec<Source>, Refusal> {
    match node.keyword.as_str() {
        "copy" => {
            let parsed = flags::parse("COPY", &node.flags, flags::COPY)?;
            match parsed.value("from").filter(|from| !from.is_empty()) {
                Some(from) => {
                    unexpanded(from, lexer)?;
                    Ok(vec![match go_atoi(from) {
                        Some(index) => Source::Index(index),
                        None => Source::Name(from.to_owned()),
                    }])
                }
                None => Ok(Vec::new()),
            }
        }
        "run" => {
            let parsed = flags::parse("RUN", &node.flags, flags::RUN)?;
            // A mount without `from` counts as one from `scratch` (`detectRunMount`).
            Ok(parsed
                .values("mount")
                .map(|value| {
                    Source::Name(mount_from(value).unwrap_or_else(|| "scratch".to_owned()))
                })
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// The `from` a mount names as written (the last one given), when not empty.
fn mount_from(value: &str) -> Option<String> {
    crate::mount::csv_fields(value)
        .ok()?
        .into_iter()
        .filter_map(|field| {
            let (key, from) = field.split_once('=')?;
            (key.to_lowercase() == "from").then(|| from.to_owned())
        })
        .next_back()
        .filter(|from| !from.is_empty())
}

/// `COPY --from` must read the same once expanded with nothing set.
fn unexpanded(from: &str, lexer: &Lexer) -> Result<(), Refusal> {
    let reason = format!(
        "`--from={from}`: `--from` names a stage, a stage number or an image as written and is never expanded; declare the image in an `ARG` before the first `FROM`, build a stage `FROM` it, and copy from that stage"
    );
    match lexer.process_word(from, &EmptyEnv) {
        Ok(expanded) if expanded.value == from => Ok(()),
        Ok(_) => Err(Refusal::new(
            ParseErrorKind::VariableInFrom,
            reason,
            "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
        )),
        Err(err) => Err(Refusal::new(
            ParseErrorKind::VariableInFrom,
            reason,
            err.to_string(),
        )),
    }
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits.
fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn invalid_index(index: i64, stages: usize) -> Refusal {
    let last = stages.saturating_sub(1);
    Refusal::new(
        ParseErrorKind::InvalidStageIndex,
        format!(
            "`--from={index}` numbers no stage: stages count from 0, so the last is {last} (better: name the stage with `AS <name>` and copy `--from=<name>`)"
        ),
        format!("invalid stage index {index}"),
    )
}

/// `validateCircularDependency`: the first stage, in file order, from which
/// a loop of `--from` references can be reached.
fn circular_dependency(states: &[State<'_>]) -> Result<(), crate::parser::ParseError> {
    let mut visited = vec![false; states.len()];
    let mut on_path = vec![false; states.len()];
    for (index, state) in states.iter().enumerate() {
        if let Some(node) = find_loop(states, index, &mut visited, &mut on_path) {
            return Err(Refusal::new(
                ParseErrorKind::CircularDependency,
                format!(
                    "stage `{}` depends on itself: its `--from` references lead back to it",
                    state.display
                ),
                format!("circular dependency detected on stage: {}", state.display),
            )
            .at(node));
        }
    }
    Ok(())
}

/// Depth-first search (with its own stack: a file may chain thousands of
/// stages); returns the first instruction on a path into a loop.
fn find_loop<'a>(
    states: &[State<'a>],
    start: usize,
    visited: &mut [bool],
    on_path: &mut [bool],
) -> Option<&'a Node> {
    if visited.get(start).copied().unwrap_or(true) {
        return None;
    }
    mark(visited, start);
    mark(on_path, start);
    let mut stack: Vec<(usize, usize, Option<&'a Node>)> = vec![(start, 0, None)];
    while let Some(top) = stack.last_mut() {
        let (index, position, first) = *top;
        let Some(&(dep, node)) = states.get(index).and_then(|s| s.deps.get(position)) else {
            if let Some(flag) = on_path.get_mut(index) {
                *flag = false;
            }
            stack.pop();
            continue;
        };
        top.1 += 1;
        let first = first.or(Some(node));
        if on_path.get(dep).copied().unwrap_or(false) {
            return first;
        }
        if !visited.get(dep).copied().unwrap_or(true) {
            mark(visited, dep);
            mark(on_path, dep);
            stack.push((dep, 0, first));
        }
    }
    None
}

fn mark(flags: &mut [bool], index: usize) {
    if let Some(flag) = flags.get_mut(index) {
        *flag = true;
    }
}
