//! The flat per-instruction records of `--format commands`.
//!
//! The shape is that of the PyPI `dockerfile` package (a wrapper of
//! BuildKit's parser), so that our parse can be compared with BuildKit's on
//! real files (`shared/corpus/buildkit-dump.jsonl`). Like that package:
//! - `cmd` is BuildKit's `Node.Value`: the keyword *as written* (`RUN`,
//!   `run`, ...);
//! - for `ONBUILD`, `sub_cmd` names the nested keyword and `json` and `value`
//!   describe the nested instruction, while `flags`, lines, `original` and
//!   heredocs are the `ONBUILD` line's;
//! - for `ENV` and `LABEL`, `value` is `[key, value, key, value, ...]`
//!   without the separators the AST keeps.

use serde::Serialize;

use crate::ast::{Ast, Node};

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandRecord {
    /// The keyword as written.
    pub cmd: String,
    /// `ONBUILD`'s nested keyword, as written.
    pub sub_cmd: Option<String>,
    /// Exec (JSON) form.
    pub json: bool,
    /// The instruction's text (see [`Node::original`]).
    pub original: String,
    /// 1-based first line.
    pub start_line: usize,
    /// 1-based last line, heredoc bodies included.
    pub end_line: usize,
    /// `--flags` as written, in order.
    pub flags: Vec<String>,
    /// The arguments.
    pub value: Vec<String>,
    /// Heredoc bodies.
    pub heredocs: Vec<HeredocRecord>,
}

/// One heredoc body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeredocRecord {
    /// The delimiter, unquoted.
    pub name: String,
    /// The file descriptor before `<<` (0 when none).
    pub file_descriptor: u64,
    /// The body lines as read.
    pub content: String,
}

/// One record per instruction, in file order.
pub fn commands(ast: &Ast) -> Vec<CommandRecord> {
    ast.children.iter().map(record).collect()
}

fn record(node: &Node) -> CommandRecord {
    let described = node.sub.as_deref().unwrap_or(node);
    CommandRecord {
        cmd: node.keyword_as_written.clone(),
        sub_cmd: node.sub.as_ref().map(|sub| sub.keyword_as_written.clone()),
        json: described.json,
        original: node.original.clone(),
        start_line: node.start_line,
        end_line: node.end_line,
        flags: node.flags.clone(),
        value: values(described),
        heredocs: node
            .heredocs
            .iter()
            .map(|h| HeredocRecord {
                name: h.name.clone(),
                file_descriptor: h.file_descriptor,
                content: h.content.clone(),
            })
            .collect(),
    }
}

/// The arguments, with `ENV`/`LABEL` separators dropped.
fn values(node: &Node) -> Vec<String> {
    if matches!(node.keyword.as_str(), "env" | "label") {
        node.args
            .chunks(3)
            .flat_map(|triple| triple.iter().take(2).cloned())
            .collect()
    } else {
        node.args.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_str;

    #[test]
    fn records_follow_the_oracle_shape() {
        let ast = parse_str("from a\nONBUILD ENV k=v x=\"y z\"\nRUN <<EOF\necho hi\nEOF\n")
            .unwrap_or_else(|err| panic!("{err}"));
        let records = commands(&ast);
        assert_eq!(records[0].cmd, "from");
        assert_eq!(records[1].sub_cmd.as_deref(), Some("ENV"));
        assert_eq!(records[1].value, ["k", "v", "x", "\"y z\""]);
        assert_eq!((records[2].start_line, records[2].end_line), (3, 5));
        assert_eq!(records[2].original, "RUN <<EOF\necho hi\nEOF\n");
        assert_eq!(records[2].heredocs[0].content, "echo hi\n");
        let json = serde_json::to_value(&records[2]).unwrap_or_default();
        assert_eq!(json["heredocs"][0]["file_descriptor"], 0);
        assert_eq!(json["sub_cmd"], serde_json::Value::Null);
    }
}
