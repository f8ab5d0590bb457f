use tallyman_sdk::model::{CopyInstruction, Instruction};
use tallyman_sdk::{Dockerfile, Finding};

use crate::dockerignore::{Pattern, clean, parse_patterns, verdict};
use crate::settings::Settings;

tallyman_sdk::declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` of a path from the build context that the
    /// context's `.dockerignore` excludes, matched the way BuildKit matches
    /// (`moby/patternmatcher`: `*`, `?`, `[a-z]`, `**`, a pattern excluding
    /// a directory excludes what is in it, the last matching line wins).
    ///
    /// A `!` line that brings back the path, or anything below it
    /// (`*` then `!src/main.go` with `COPY src /src`), keeps it quiet: part
    /// of the directory is copied, as meant. `COPY .` is reported only when
    /// a catch-all line (`*`, `**`) leaves nothing in the context.
    /// Wildcard sources are reported when the directory they are in is
    /// excluded, or a line excludes exactly that wildcard. `COPY --from`,
    /// URLs, heredocs and sources holding an unresolved variable are not
    /// checked.
    ///
    /// ## Why is this bad?
    /// What `.dockerignore` excludes is never sent to the builder: the
    /// `COPY` fails with "not found" (or "no source files were specified"),
    /// usually in CI, after the slow steps before it. The fix is a choice
    /// only the author can make: the file is needed, or the `COPY` is stale.
    ///
    /// ## Example
    /// ```dockerfile
    /// # .dockerignore: *.md
    /// FROM alpine:3.22
    /// COPY README.md /usr/share/doc/app/
    /// ```
    ///
    /// ## Fix
    /// ```dockerfile
    /// # .dockerignore: *.md, !README.md
    /// FROM alpine:3.22
    /// COPY README.md /usr/share/doc/app/
    /// ```
    pub const CR003 = {
        id: "CR003",
        title: "COPY of a path .dockerignore excludes",
        severity: Medium,
        tags: ["correctness"],
        equivalents: ["buildkit:CopyIgnoredFile"],
    };
}

/// Patterns after which `COPY .` finds nothing at all.
const CATCH_ALL: &[&str] = &["*", "**", "**/*"];

pub fn check(dockerfile: &Dockerfile, _: &Settings, findings: &mut Vec<Finding>) {
    if dockerfile.build_context.dockerignore_path.is_none() {
        return;
    }
    let patterns = parse_patterns(&dockerfile.build_context.dockerignore_patterns);
    if patterns.is_empty() {
        return;
    }
    for (stage, instruction) in dockerfile.instructions() {
        let Some(copy) = instruction.as_copy_or_add() else {
            continue;
        };
        if copy.from.is_some() {
            continue;
        }
        for source in context_sources(instruction, copy) {
            let Some(pattern) = excluding_pattern(&patterns, source) else {
                continue;
            };
            if is_root(source) {
                findings.push(
                    Finding::at(&CR003, (stage, instruction))
                        .message(format!(
                            "`{} {source}` copies nothing: the `.dockerignore` line `{}` excludes every file of the build context and no `!` line brings any back",
                            instruction.keyword, pattern.written
                        ))
                        .fix(format!(
                            "after `{}`, add a `!` line for each file or directory the build needs (`!src`, `!package.json`)",
                            pattern.written
                        )),
                );
                continue;
            }
            findings.push(
                Finding::at(&CR003, (stage, instruction))
                    .message(format!(
                        "`{}` source `{source}` is excluded by the `.dockerignore` line `{}`: it is not in the build context, and the build fails with \"not found\"",
                        instruction.keyword, pattern.written
                    ))
                    .fix(format!(
                        "add `!{}` after that line if the file is needed, or remove it from the `{}`",
                        clean(source).trim_start_matches('/'),
                        instruction.keyword
                    )),
            );
        }
    }
}

/// The sources read from the build context: not URLs, git repositories,
/// heredocs, or words whose variables the model could not resolve.
fn context_sources<'a>(instruction: &'a Instruction, copy: &'a CopyInstruction) -> Vec<&'a str> {
    copy.sources
        .iter()
        .map(String::as_str)
        .filter(|source| !source.contains("://") && !source.starts_with("git@"))
        .filter(|source| !source.contains('$'))
        .filter(|source| {
            !instruction
                .heredocs
                .iter()
                .any(|heredoc| heredoc.name == *source)
        })
        .collect()
}

/// The `.dockerignore` line that leaves `source` out of the context, when
/// nothing after it can bring back the path or part of it.
fn excluding_pattern<'a>(patterns: &'a [Pattern], source: &str) -> Option<&'a Pattern> {
    if is_root(source) {
        return root_emptied(patterns);
    }
    let cleaned = clean(source);
    let path = cleaned.trim_start_matches('/');
    let components: Vec<&str> = path.split('/').collect();
    let literal_depth = components
        .iter()
        .position(|component| component.contains(['*', '?', '[', '\\']))
        .unwrap_or(components.len());
    if literal_depth < components.len()
        && let Some(pattern) = excludes_every_expansion(patterns, path)
    {
        return Some(pattern);
    }
    if literal_depth == 0 {
        return None;
    }
    let directory = components[..literal_depth].join("/");
    let result = verdict(patterns, &directory);
    let (true, Some(index), Some(pattern)) = (result.excluded, result.decided_by, result.pattern)
    else {
        return None;
    };
    let brought_back = patterns
        .iter()
        .skip(index + 1)
        .any(|later| later.exclusion && later.may_match_below(&directory));
    (!brought_back).then_some(pattern)
}

/// Texts standing in for a `*` or `?` of a wildcard source.
const FILLERS: &[&str] = &["", "a", "Zz9.-_"];

/// `COPY *.md` under a line `*.md` or `**/*.md`: every sample expansion of
/// the wildcard is excluded, and no `!` line comes after the one that
/// excludes them (it might bring back a file the samples miss). Classes
/// (`[a-z]`) are not expanded: such sources are left alone.
fn excludes_every_expansion<'a>(patterns: &'a [Pattern], path: &str) -> Option<&'a Pattern> {
    if path.contains(['[', '\\']) {
        return None;
    }
    let mut last_decider = 0;
    let mut decider = None;
    for filler in FILLERS {
        let sample: String = path
            .chars()
            .map(|c| match c {
                '*' => (*filler).to_string(),
                '?' => filler.chars().next().unwrap_or('a').to_string(),
                other => other.to_string(),
            })
            .collect();
        let result = verdict(patterns, &sample);
        let (true, Some(index), Some(pattern)) =
            (result.excluded, result.decided_by, result.pattern)
        else {
            return None;
        };
        if index >= last_decider {
            last_decider = index;
            decider = Some(pattern);
        }
    }
    let brought_back = patterns.iter().skip(last_decider + 1).any(|p| p.exclusion);
    if brought_back { None } else { decider }
}

/// `COPY .`: a catch-all line with no `!` line after it excludes the
/// whole context. Other patterns (`.*`) exclude only some of it.
fn root_emptied(patterns: &[Pattern]) -> Option<&Pattern> {
    let index = patterns
        .iter()
        .rposition(|pattern| !pattern.exclusion && CATCH_ALL.contains(&pattern.cleaned.as_str()))?;
    let brought_back = patterns.iter().skip(index + 1).any(|p| p.exclusion);
    (!brought_back).then(|| &patterns[index])
}

/// `.` or `/`: the whole build context.
fn is_root(source: &str) -> bool {
    let cleaned = clean(source);
    cleaned == "." || cleaned == "/"
}
