use tallyman_sdk::model::Instruction;
use tallyman_sdk::{Dockerfile, Finding, Span};

use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags stage names that are not lower case (`AS Build`), and an `AS`
    /// keyword whose case does not follow the `FROM` keyword's (`FROM x as
    /// y`, `from x AS y`), as BuildKit's `StageNameCasing` and
    /// `FromAsCasing` checks do.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names: `AS Build` defines `build`, and
    /// `--target Build` and `COPY --from=BUILD` find it too. Writing the
    /// name in another case suggests a distinction that does not exist.
    /// Mixed keyword casing makes a file harder to scan and is what
    /// `docker build --check` reports.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 as Builder
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// ```
    ///
    /// `tallyman fix` lower-cases the name after `AS` and cases `AS` like
    /// `FROM` (safe: BuildKit matches stage names in any case, so the
    /// `--from=` that name the stage still do).
    pub const MS010 = {
        id: "MS010",
        title: "Stage name not lower case, or AS cased unlike FROM",
        severity: Info,
        tags: ["style"],
        equivalents: ["buildkit:StageNameCasing", "buildkit:FromAsCasing"],
    };
}

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    for stage in &dockerfile.stages {
        let Some(from) = stage.from_instruction() else {
            continue;
        };
        if let Some(name) = stage.name.as_deref()
            && name != name.to_ascii_lowercase()
        {
            findings.push(
                Finding::at(&MS010, (stage, from))
                    .message(format!(
                        "stage name `{name}` is not lower case: BuildKit reads it as `{}`",
                        name.to_ascii_lowercase()
                    ))
                    .fix(format!(
                        "write `AS {}`, and the same in `--from` and `--target`",
                        name.to_ascii_lowercase()
                    ))
                    .edit(
                        name_span(from).map(|(_, name)| name),
                        name.to_ascii_lowercase(),
                    ),
            );
        }
        let Some(keyword) = from
            .as_from()
            .and_then(|detail| detail.as_keyword.as_deref())
        else {
            continue;
        };
        let written = from.keyword_written.as_str();
        let expected = if written == written.to_ascii_lowercase() {
            keyword.to_ascii_lowercase()
        } else if written == written.to_ascii_uppercase() {
            keyword.to_ascii_uppercase()
        } else {
            // `From`: the keyword itself is mixed; BuildKit's command casing
            // check reports that, not this one.
            continue;
        };
        if keyword != expected {
            findings.push(
                Finding::at(&MS010, (stage, from))
                    .message(format!(
                        "`{keyword}` is cased unlike `{written}` on the same line"
                    ))
                    .fix(format!("write `{written} ... {expected} ...`"))
                    .edit(
                        name_span(from).and_then(|(as_keyword, _)| as_keyword),
                        expected,
                    ),
            );
        }
    }
}

/// Where the `AS` keyword and the stage name are on a one-line `FROM`
/// (`FROM image AS name`, the name last): the keyword's span when it is
/// written just before the name, and the name's.
fn name_span(from: &Instruction) -> Option<(Option<Span>, Span)> {
    let name = from.as_from()?.stage_name.as_deref()?;
    let text = from.original.trim_end();
    let name_start = text.len().checked_sub(name.len())?;
    if text.get(name_start..)? != name {
        return None;
    }
    let before_name = text.get(..name_start)?;
    let keyword_end = before_name.trim_end().len();
    if keyword_end == before_name.len() {
        return None;
    }
    let keyword_start = keyword_end.checked_sub(2)?;
    let keyword = before_name
        .get(keyword_start..keyword_end)
        .filter(|keyword| keyword.eq_ignore_ascii_case("as"))
        .filter(|_| before_name[..keyword_start].ends_with([' ', '\t']))
        .and_then(|_| from.text_span(keyword_start..keyword_end));
    Some((keyword, from.text_span(name_start..text.len())?))
}
