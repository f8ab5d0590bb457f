//! A workaround for a regorus 0.14.1 bug, applied to a module's text before
//! it is compiled: `some x` declarations are moved to the start of the
//! query (rule body or comprehension) they are written in.
//!
//! regorus evaluates the statements after a loop once per iteration, in a
//! scope it clears by setting its variables to undefined rather than by
//! removing them. A `some x` written after a loop (`run := docker.run[_];
//! ...; some x`) therefore meets its own `x` on the second iteration and
//! fails with "duplicated definition of local variable x", where OPA
//! accepts it; trivy-checks' DS-0015 and DS-0017 do this (through
//! `lib.docker.command_indexes`). Declared first in the query, `x` lives in
//! the query's scope, which is made once per evaluation of the query.
//!
//! Moving the declaration keeps the query's meaning: OPA refuses a body
//! that uses a variable before declaring it with `some` ("var x referenced
//! above"), so in a body OPA accepts, nothing before the declaration names
//! the variable. The text is edited in place, blanking the old declaration
//! and inserting the new one on the first statement's line, so that every
//! line keeps its number in messages.
//!
//! The fix belongs in regorus (`Literal::SomeVars` should treat a variable
//! set to undefined as absent); this module can go once a release has it.

use std::borrow::Cow;

use serde_json::Value as Json;

/// `text` with every `some` declaration that is not its query's first
/// statement moved to the front; `text` itself when there is none.
pub fn hoist_some_declarations<'a>(path: &str, text: &'a str) -> Result<Cow<'a, str>, String> {
    // Cheap pre-test: most modules declare nothing with a bare `some`.
    if !text.contains("some") {
        return Ok(Cow::Borrowed(text));
    }
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(path.to_string(), text.to_string())
        .map_err(|e| format!("{path}: {e}"))?;
    let ast = engine
        .get_ast_as_json()
        .map_err(|e| format!("{path}: cannot read the module's syntax tree: {e}"))?;
    let ast: Json =
        serde_json::from_str(&ast).map_err(|e| format!("{path}: unreadable syntax tree: {e}"))?;
    let mut edits = Vec::new();
    collect_edits(&ast, text, &mut edits);
    if edits.is_empty() {
        return Ok(Cow::Borrowed(text));
    }
    Ok(Cow::Owned(apply(text, edits)))
}

/// One change to the text: `range` replaced by `with` (an insertion when
/// the range is empty).
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

/// Walks the syntax tree for queries (objects with `stmts` and `qidx`)
/// whose later statements include a `SomeVars`.
fn collect_edits(node: &Json, text: &str, edits: &mut Vec<Edit>) {
    match node {
        Json::Object(object) => {
            if let (Some(Json::Array(stmts)), true) =
                (object.get("stmts"), object.contains_key("qidx"))
            {
                query_edits(stmts, text, edits);
            }
            for value in object.values() {
                collect_edits(value, text, edits);
            }
        }
        Json::Array(items) => {
            for item in items {
                collect_edits(item, text, edits);
            }
        }
        _ => {}
    }
}

fn query_edits(stmts: &[Json], text: &str, edits: &mut Vec<Edit>) {
    let Some(first_start) = stmts.first().and_then(|s| span_of(s.get("span"))) else {
        return;
    };
    let mut declarations = Vec::new();
    for stmt in stmts.iter().skip(1) {
        let Some(some_vars) = stmt.get("literal").and_then(|l| l.get("SomeVars")) else {
            continue;
        };
        // A `with` on a declaration is meaningless, but it is kept where it
        // was written rather than reasoned about.
        if stmt.get("with_mods").is_some() {
            continue;
        }
        let (Some((start, end)), Some(vars)) = (
            span_of(stmt.get("span")),
            some_vars.get("vars").and_then(Json::as_array),
        ) else {
            continue;
        };
        let names: Vec<&str> = vars
            .iter()
            .filter_map(|var| span_of(Some(var)))
            .filter_map(|(s, e)| text.get(s..e))
            .collect();
        if names.len() != vars.len() || names.is_empty() {
            continue;
        }
        let (start, end) = with_separator(text, start, end);
        edits.push(Edit {
            start,
            end,
            with: blank(&text[start..end]),
        });
        declarations.push(format!("some {}; ", names.join(", ")));
    }
    if !declarations.is_empty() {
        edits.push(Edit {
            start: first_start.0,
            end: first_start.0,
            with: declarations.concat(),
        });
    }
}

/// `(start, end)` of a serialized span, checked to be a char range.
fn span_of(span: Option<&Json>) -> Option<(usize, usize)> {
    let span = span?;
    let start = usize::try_from(span.get("start")?.as_u64()?).ok()?;
    let end = usize::try_from(span.get("end")?.as_u64()?).ok()?;
    (start <= end).then_some((start, end))
}

/// Widens a statement's range over the `;` that separates it from the
/// next (or, last in a line, the previous) statement, so that blanking it
/// leaves no empty statement behind.
fn with_separator(text: &str, start: usize, end: usize) -> (usize, usize) {
    let after = &text[end..];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    if after[gap..].starts_with(';') {
        return (start, end + gap + 1);
    }
    let before = &text[..start];
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.ends_with(';') {
        return (trimmed.len() - 1, end);
    }
    (start, end)
}

/// Spaces for every character of `text` but its line breaks.
fn blank(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
        .collect()
}

fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    // From the end, so that earlier offsets stay valid; at one offset, the
    // blanking (non-empty) before the insertion.
    edits.sort_by_key(|edit| std::cmp::Reverse((edit.start, edit.end)));
    let mut out = text.to_string();
    for edit in edits {
        if out.is_char_boundary(edit.start) && out.is_char_boundary(edit.end) {
            out.replace_range(edit.start..edit.end, &edit.with);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hoisted(text: &str) -> String {
        hoist_some_declarations("t.rego", text)
            .unwrap()
            .into_owned()
    }

    #[test]
    fn a_declaration_after_a_loop_moves_to_the_front_on_the_same_lines() {
        let text = "package t\nimport rego.v1\nx contains v if {\n\tv := input.a[_]\n\tsome i\n\tinput.b[i] == v\n}\n";
        let out = hoisted(text);
        assert_eq!(
            out,
            "package t\nimport rego.v1\nx contains v if {\n\tsome i; v := input.a[_]\n\t      \n\tinput.b[i] == v\n}\n"
        );
    }

    #[test]
    fn declarations_inside_comprehensions_and_with_semicolons() {
        let text =
            "package t\nxs := [idx | c := input.cmds[idx]; some i, j; c[i] == c[j]; i < j]\n";
        let out = hoisted(text);
        assert_eq!(
            out,
            "package t\nxs := [idx | some i, j; c := input.cmds[idx];            c[i] == c[j]; i < j]\n"
        );
    }

    #[test]
    fn modules_without_a_late_declaration_are_untouched() {
        for text in [
            "package t\nx := 1\n",
            "package t\nimport rego.v1\ny if {\n\tsome i\n\tinput[i]\n}\n",
            "package t\nimport rego.v1\ny if {\n\tsome v in input\n\tv > 1\n}\n",
        ] {
            assert!(matches!(
                hoist_some_declarations("t.rego", text).unwrap(),
                Cow::Borrowed(_)
            ));
        }
    }

    #[test]
    fn a_late_declaration_evaluates_as_opa_does() {
        let text = "package t\nimport rego.v1\npairs := [[n, i] |\n\tn := input.names[_]\n\tsome i\n\tinput.values[i] == n\n]\n";
        let input = r#"{"names": ["a", "b"], "values": ["b", "a", "b"]}"#;
        let eval = |text: String| {
            let mut engine = regorus::Engine::new();
            engine.add_policy("t.rego".into(), text).unwrap();
            engine.set_input_json(input).unwrap();
            engine.eval_rule("data.t.pairs".into())
        };
        // The bug this works around; when regorus fixes it, this fails and
        // the module can go.
        let unhoisted = eval(text.to_string()).unwrap_err().to_string();
        assert!(
            unhoisted.contains("duplicated definition of local variable i"),
            "{unhoisted}"
        );
        let value = eval(hoisted(text)).unwrap();
        assert_eq!(
            value.to_json_str().unwrap().replace([' ', '\n'], ""),
            r#"[["a",1],["b",0],["b",2]]"#
        );
    }
}
