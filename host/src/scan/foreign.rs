//! Other tools' inline suppressions, honoured through the equivalents each
//! rule declares, each on the scope the tool itself gives it:
//!
//! - hadolint (`src/Hadolint/Pragma.hs`, `Process.hs`):
//!   `# hadolint ignore=DL3008,SC2086` covers the instruction that starts on
//!   the very next line (a second pragma or a blank line in between breaks
//!   it); `# hadolint global ignore=...` the file; `# hadolint stage
//!   ignore=...` the instructions after the one below it, up to and
//!   including the next `FROM`. Ids are upper case, separated by commas; a
//!   `# reason` may follow.
//! - Checkov (`checkov/dockerfile/utils.py`, `common/util/suppression.py`):
//!   `checkov:skip=CKV_DOCKER_2:reason` (or `bridgecrew:skip=`,
//!   `cortex:skip=`) anywhere in a comment covers the file.
//! - Trivy (`pkg/iac/ignore`): `trivy:ignore:DS-0002` (or `tfsec:`, the
//!   `DS002` and `AVD-DS-0002` aliases, `*` wildcards, any case) covers the
//!   instruction that starts on the next line; a run of such comment lines
//!   covers the instruction after the last; `:exp:YYYY-MM-DD` ends it on
//!   that date (the scan's evaluation date decides).
//!
//! A tallyman rule is silenced when one of the ids in scope is among its
//! equivalents (for hadolint, also a rule whose own id is the ShellCheck
//! code, or that declares `shellcheck:SC...`). A rule that covers several of
//! a tool's ids (HD020 covers DL3008, DL3013, ...) is silenced in the
//! pragma's scope when any of them is named: the finding does not say which
//! part of the rule it is about.

use serde::{Deserialize, Serialize};
use tallyman_dockerfile::model::Dockerfile;

/// A tool whose pragmas are honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    Hadolint,
    Trivy,
    Checkov,
}

impl Tool {
    pub const ALL: [Tool; 3] = [Tool::Hadolint, Tool::Checkov, Tool::Trivy];

    pub fn name(self) -> &'static str {
        match self {
            Tool::Hadolint => "hadolint",
            Tool::Trivy => "trivy",
            Tool::Checkov => "checkov",
        }
    }
}

/// One id a pragma names, as written (for Trivy, possibly a pattern).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignId {
    pub tool: Tool,
    pub id: String,
}

/// A foreign pragma as written, for reporting the ids nothing declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenPragma {
    pub tool: Tool,
    pub line: u32,
    pub ids: Vec<String>,
}

/// The foreign pragmas of one file, resolved to what they cover.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignPragmas {
    file: Vec<ForeignId>,
    /// (first line, last line, ids) of each instruction some pragma covers.
    local: Vec<(u32, u32, Vec<ForeignId>)>,
    pub written: Vec<WrittenPragma>,
}

/// Which scope a hadolint pragma has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HadolintScope {
    Next,
    Stage,
    Global,
}

/// A cursor over a comment's text, for hadolint's grammar.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn spaces(&mut self) -> usize {
        let trimmed = self.rest.trim_start_matches([' ', '\t']);
        let taken = self.rest.len() - trimmed.len();
        self.rest = trimmed;
        taken
    }

    fn word(&mut self, word: &str) -> bool {
        match self.rest.strip_prefix(word) {
            Some(after) => {
                self.rest = after;
                true
            }
            None => false,
        }
    }

    fn rule_name(&mut self) -> Option<&'a str> {
        let end = self
            .rest
            .find(|c: char| !matches!(c, 'D' | 'L' | 'S' | 'C' | '0'..='9'))
            .unwrap_or(self.rest.len());
        let (name, after) = self.rest.split_at(end);
        self.rest = after;
        (!name.is_empty()).then_some(name)
    }

    /// Spaces, then an optional `# comment` to the end.
    fn inline_comment(&mut self) {
        self.spaces();
        if self.rest.starts_with('#') {
            self.rest = "";
        }
    }
}

/// Reads hadolint's `hadolint [global|stage] ignore=ID[,ID]` from a
/// comment's text (after `#`), exactly as hadolint's parser accepts it.
fn parse_hadolint(text: &str) -> Option<(HadolintScope, Vec<String>)> {
    let mut cursor = Cursor {
        rest: text.trim_end_matches(['\r', '\n']),
    };
    cursor.spaces();
    if !cursor.word("hadolint") || cursor.spaces() == 0 {
        return None;
    }
    let scope = if cursor.word("global") {
        HadolintScope::Global
    } else if cursor.word("stage") {
        HadolintScope::Stage
    } else {
        HadolintScope::Next
    };
    if scope != HadolintScope::Next && cursor.spaces() == 0 {
        return None;
    }
    if !cursor.word("ignore") {
        return None;
    }
    cursor.spaces();
    if !cursor.word("=") {
        return None;
    }
    cursor.spaces();
    let mut ids = Vec::new();
    loop {
        ids.push(cursor.rule_name()?.to_string());
        cursor.inline_comment();
        if cursor.rest.is_empty() {
            return Some((scope, ids));
        }
        if !cursor.word(",") {
            return None;
        }
        cursor.spaces();
    }
}

/// Reads Checkov's `checkov:skip=ID[,ID][:reason]` anywhere in a comment.
/// (Checkov's own Dockerfile runner compares the whole comma list with each
/// check id, so only a single id works there; the list is honoured here.)
fn parse_checkov(text: &str) -> Option<Vec<String>> {
    let (at, prefix) = ["checkov:skip=", "bridgecrew:skip=", "cortex:skip="]
        .iter()
        .filter_map(|prefix| text.find(prefix).map(|at| (at, *prefix)))
        .min_by_key(|(at, _)| *at)?;
    let rest = text.get(at + prefix.len()..)?.trim_start_matches(' ');
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ',')))
        .unwrap_or(rest.len());
    let ids: Vec<String> = rest
        .get(..end)?
        .split(',')
        .take_while(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// One Trivy ignore rule on a line.
struct TrivyRule {
    line: u32,
    /// Whether the rule begins its line (Trivy moves a run of such lines to
    /// the last one).
    starts_line: bool,
    id: String,
    /// False once its `exp:` date has passed (or is not a date).
    active: bool,
}

/// Reads Trivy's `trivy:ignore:ID[:exp:DATE]` rules on one comment line,
/// splitting and trimming the line as Trivy does.
fn parse_trivy(text: &str, line: u32, evaluated_on: &str, rules: &mut Vec<TrivyRule>) {
    let parts = text
        .split(' ')
        .map(|part| part.trim().trim_start_matches(['#', '/', '*']))
        .filter(|part| !part.is_empty());
    let first_rule = rules.len();
    for (index, part) in parts.enumerate() {
        let Some(sections) = part
            .strip_prefix("trivy:")
            .or_else(|| part.strip_prefix("tfsec:"))
        else {
            continue;
        };
        let segments: Vec<&str> = sections.split(':').collect();
        let mut id = None;
        let mut active = true;
        for pair in segments.chunks_exact(2) {
            let [key, value] = pair else { continue };
            match *key {
                "ignore" => {
                    let value = value.split('[').next().unwrap_or_default();
                    if !value.is_empty() {
                        id = Some(value.to_string());
                    }
                }
                "exp" => active = is_date(value) && evaluated_on < *value,
                _ => {}
            }
        }
        let Some(id) = id else { continue };
        let starts_line = index == 0 || rules.get(first_rule).is_some_and(|r| r.starts_line);
        rules.push(TrivyRule {
            line,
            starts_line,
            id,
            active,
        });
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// Trivy's `Rules.shift`: a rule that begins its line, followed on the next
/// lines by more such rules, takes the line of the last of them.
fn shift_trivy(rules: &mut [TrivyRule]) {
    let mut current: Option<u32> = None;
    let mut offset = 0;
    for i in (1..rules.len()).rev() {
        if !rules[i - 1].starts_line {
            continue;
        }
        let line = *current.get_or_insert(rules[i].line);
        if rules[i - 1].line + 1 + offset == rules[i].line {
            rules[i - 1].line = line;
            offset += 1;
        } else {
            current = None;
            offset = 0;
        }
    }
}

/// (first line, last line) of every instruction, in file order.
fn instruction_spans(dockerfile: &Dockerfile) -> Vec<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = dockerfile
        .global_args
        .iter()
        .chain(dockerfile.stages.iter().flat_map(|s| s.instructions.iter()))
        .map(|i| (i.span.start_line, i.span.end_line))
        .collect();
    spans.sort_unstable();
    spans.dedup();
    spans
}

impl ForeignPragmas {
    pub fn of(dockerfile: &Dockerfile) -> ForeignPragmas {
        let mut pragmas = ForeignPragmas::default();
        let spans = instruction_spans(dockerfile);
        let mut covered: Vec<Vec<ForeignId>> = vec![Vec::new(); spans.len()];
        let mut cover = |start: u32, ids: &[String], tool: Tool| {
            if let Ok(at) = spans.binary_search_by_key(&start, |(s, _)| *s) {
                covered[at].extend(ids.iter().map(|id| ForeignId {
                    tool,
                    id: id.clone(),
                }));
            }
        };
        // hadolint's stage scope: keys are the line after each stage
        // pragma and each FROM line (a FROM keeps a pragma's key).
        let mut stage_keys: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
        let mut events: Vec<(u32, Option<Vec<String>>)> = Vec::new();
        let mut trivy = Vec::new();
        for comment in &dockerfile.comments {
            let line = comment.line;
            if let Some((scope, ids)) = parse_hadolint(&comment.text) {
                match scope {
                    HadolintScope::Global => pragmas.file.extend(ids.iter().map(|id| ForeignId {
                        tool: Tool::Hadolint,
                        id: id.clone(),
                    })),
                    HadolintScope::Next => cover(line + 1, &ids, Tool::Hadolint),
                    HadolintScope::Stage => events.push((line, Some(ids.clone()))),
                }
                pragmas.written.push(WrittenPragma {
                    tool: Tool::Hadolint,
                    line,
                    ids,
                });
            }
            if let Some(ids) = parse_checkov(&comment.text) {
                pragmas.file.extend(ids.iter().map(|id| ForeignId {
                    tool: Tool::Checkov,
                    id: id.clone(),
                }));
                pragmas.written.push(WrittenPragma {
                    tool: Tool::Checkov,
                    line,
                    ids,
                });
            }
            parse_trivy(&comment.text, line, &dockerfile.evaluated_on, &mut trivy);
        }
        for rule in &trivy {
            pragmas.written.push(WrittenPragma {
                tool: Tool::Trivy,
                line: rule.line,
                ids: vec![rule.id.clone()],
            });
        }
        shift_trivy(&mut trivy);
        for rule in trivy.iter().filter(|r| r.active) {
            // Trivy matches a finding on the rule's own line or the next.
            for start in [rule.line, rule.line + 1] {
                cover(start, std::slice::from_ref(&rule.id), Tool::Trivy);
            }
        }
        if !events.is_empty() {
            events.extend(dockerfile.stages.iter().map(|s| (s.span.start_line, None)));
            // A comment comes before the FROM on the line after it.
            events.sort_by_key(|(line, ids)| (*line, ids.is_none()));
            for (line, ids) in events {
                match ids {
                    Some(ids) => {
                        stage_keys.insert(line + 1, ids);
                    }
                    None => {
                        stage_keys.entry(line).or_default();
                    }
                }
            }
            for &(start, _) in &spans {
                if let Some((_, ids)) = stage_keys.range(..start).next_back() {
                    cover(start, &ids.clone(), Tool::Hadolint);
                }
            }
        }
        pragmas.local = spans
            .into_iter()
            .zip(covered)
            .filter(|(_, ids)| !ids.is_empty())
            .map(|((start, end), ids)| (start, end, ids))
            .collect();
        pragmas
    }

    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// The ids in scope at `line` (`None`: a finding about the whole file).
    pub fn in_scope(&self, line: Option<u32>) -> impl Iterator<Item = &ForeignId> {
        let local = self
            .local
            .iter()
            .filter(move |(start, end, _)| line.is_some_and(|l| (*start..=*end).contains(&l)))
            .flat_map(|(_, _, ids)| ids.iter());
        self.file.iter().chain(local)
    }
}

/// Which loaded rules each foreign id silences: built from the loaded
/// policies' equivalents.
#[derive(Debug, Default)]
pub struct ForeignIndex {
    /// (tool, the forms of the id it is known by, upper case, tallyman rule).
    entries: Vec<(Tool, Vec<String>, String)>,
    /// The tools whose pragmas count; the others' are plain comments.
    tools: Vec<Tool>,
}

/// The forms Trivy accepts for a trivy-checks id: `DS-0002`, `DS002`,
/// `AVD-DS-0002`.
fn trivy_forms(id: &str) -> Vec<String> {
    let id = id.to_ascii_uppercase();
    let mut forms = vec![format!("AVD-{id}")];
    if let Some(digits) = id.strip_prefix("DS-")
        && let Ok(number) = digits.parse::<u32>()
    {
        forms.push(format!("DS{number:03}"));
    }
    forms.push(id);
    forms
}

/// Trivy's `MatchPattern`: case-insensitive, `*` matches any run.
fn trivy_matches(pattern: &str, input: &str) -> bool {
    let pattern = pattern.to_ascii_uppercase();
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = input.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl ForeignIndex {
    /// `rules` gives each loaded rule's id and equivalents.
    pub fn new<'a>(rules: impl IntoIterator<Item = (&'a str, &'a [String])>) -> ForeignIndex {
        let mut entries = Vec::new();
        for (rule, equivalents) in rules {
            if is_shellcheck_code(rule) {
                entries.push((Tool::Hadolint, vec![rule.to_string()], rule.to_string()));
            }
            for equivalent in equivalents {
                let Some((tool, id)) = equivalent.split_once(':') else {
                    continue;
                };
                let entry = match tool {
                    "hadolint" => (Tool::Hadolint, vec![id.to_string()]),
                    "shellcheck" => (Tool::Hadolint, vec![id.to_string()]),
                    "checkov" => (Tool::Checkov, vec![id.to_ascii_uppercase()]),
                    "trivy" => (Tool::Trivy, trivy_forms(id)),
                    _ => continue,
                };
                entries.push((entry.0, entry.1, rule.to_string()));
            }
        }
        ForeignIndex {
            entries,
            tools: Tool::ALL.to_vec(),
        }
    }

    /// Honours only the pragmas of `tools`.
    pub fn only(mut self, tools: &[Tool]) -> ForeignIndex {
        self.tools = tools.to_vec();
        self
    }

    pub fn honours(&self, tool: Tool) -> bool {
        self.tools.contains(&tool)
    }

    fn names(&self, foreign: &ForeignId, form: &str) -> bool {
        match foreign.tool {
            Tool::Hadolint => foreign.id == form,
            Tool::Checkov => foreign.id.eq_ignore_ascii_case(form),
            Tool::Trivy => trivy_matches(&foreign.id, form),
        }
    }

    /// The loaded rules `foreign` silences.
    pub fn rules<'s>(&'s self, foreign: &'s ForeignId) -> impl Iterator<Item = &'s str> + 's {
        self.entries
            .iter()
            .filter(move |(tool, forms, _)| {
                *tool == foreign.tool && forms.iter().any(|form| self.names(foreign, form))
            })
            .map(|(_, _, rule)| rule.as_str())
    }

    /// Whether any id in scope at `line` silences `rule`.
    pub fn silences(&self, pragmas: &ForeignPragmas, rule: &str, line: Option<u32>) -> bool {
        pragmas
            .in_scope(line)
            .filter(|foreign| self.honours(foreign.tool))
            .any(|foreign| self.rules(foreign).any(|r| r == rule))
    }
}

fn is_shellcheck_code(id: &str) -> bool {
    id.strip_prefix("SC")
        .is_some_and(|digits| digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tallyman_dockerfile::{LowerOptions, lower, parse_str};

    fn model(text: &str, evaluated_on: &str) -> Dockerfile {
        let options = LowerOptions {
            evaluated_on: evaluated_on.to_string(),
            ..LowerOptions::default()
        };
        lower(&parse_str(text).expect("parses"), &options)
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hadolint_grammar_as_hadolint_parses_it() {
        let next = |ids: &[&str]| Some((HadolintScope::Next, super::tests::ids(ids)));
        assert_eq!(parse_hadolint(" hadolint ignore=DL3008"), next(&["DL3008"]));
        assert_eq!(parse_hadolint("hadolint ignore=DL3008"), next(&["DL3008"]));
        assert_eq!(
            parse_hadolint(" hadolint ignore = DL3008 , SC2086 # we pin elsewhere"),
            next(&["DL3008", "SC2086"])
        );
        assert_eq!(
            parse_hadolint(" hadolint global ignore=DL3003,DL3006"),
            Some((HadolintScope::Global, ids(&["DL3003", "DL3006"])))
        );
        assert_eq!(
            parse_hadolint(" hadolint stage ignore=DL3008"),
            Some((HadolintScope::Stage, ids(&["DL3008"])))
        );
        // What hadolint does not take: lower case, spaces between ids, a
        // trailing comma, a missing space, other pragmas.
        for refused in [
            " hadolint ignore=dl3008",
            " hadolint ignore=DL3008 DL3015",
            " hadolint ignore=DL3008,",
            " hadolintignore=DL3008",
            " hadolint ignore=",
            " hadolint shell=powershell",
            " tallyman ignore=DL3008",
            " hadolint globalignore=DL3008",
        ] {
            assert_eq!(parse_hadolint(refused), None, "{refused}");
        }
    }

    #[test]
    fn checkov_skips_anywhere_in_a_comment() {
        assert_eq!(
            parse_checkov(" checkov:skip=CKV_DOCKER_2:no health check here"),
            Some(ids(&["CKV_DOCKER_2"]))
        );
        assert_eq!(
            parse_checkov(" reason first, then bridgecrew:skip= CKV_DOCKER_3"),
            Some(ids(&["CKV_DOCKER_3"]))
        );
        assert_eq!(
            parse_checkov(" checkov:skip=CKV_DOCKER_2,CKV2_DOCKER_1,:x"),
            Some(ids(&["CKV_DOCKER_2", "CKV2_DOCKER_1"]))
        );
        assert_eq!(parse_checkov(" checkov:skip=:reason only"), None);
        assert_eq!(parse_checkov(" checkov skip"), None);
    }

    #[test]
    fn trivy_rules_dates_and_runs_of_lines() {
        let mut rules = Vec::new();
        parse_trivy(" trivy:ignore:DS-0002", 1, "2026-01-15", &mut rules);
        parse_trivy(
            " trivy:ignore:AVD-DS-0026:exp:2025-01-01 tfsec:ignore:ds013[x=1]",
            2,
            "2026-01-15",
            &mut rules,
        );
        parse_trivy(
            " trivy:ignore:DS-0001:exp:2027-01-01",
            5,
            "2026-01-15",
            &mut rules,
        );
        parse_trivy(" see trivy:ignore:DS-0004", 7, "2026-01-15", &mut rules);
        parse_trivy(" trivy:exp:2027-01-01", 8, "2026-01-15", &mut rules);
        let seen: Vec<(u32, bool, &str, bool)> = rules
            .iter()
            .map(|r| (r.line, r.starts_line, r.id.as_str(), r.active))
            .collect();
        assert_eq!(
            seen,
            [
                (1, true, "DS-0002", true),
                (2, true, "AVD-DS-0026", false),
                (2, true, "ds013", true),
                (5, true, "DS-0001", true),
                (7, false, "DS-0004", true),
            ]
        );
        shift_trivy(&mut rules);
        let lines: Vec<u32> = rules.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 2, 2, 5, 7]);
    }

    #[test]
    fn trivy_patterns() {
        assert!(trivy_matches("ds-0002", "DS-0002"));
        assert!(trivy_matches("*", "DS-0002"));
        assert!(trivy_matches("AVD-DS-*", "AVD-DS-0002"));
        assert!(trivy_matches("*-0002", "DS-0002"));
        assert!(!trivy_matches("DS-000", "DS-0002"));
        assert!(!trivy_matches("DS-0002*X", "DS-0002"));
        assert_eq!(trivy_forms("DS-0031"), ["AVD-DS-0031", "DS031", "DS-0031"]);
    }

    #[test]
    fn each_tool_on_its_own_scope() {
        let text = "\
# checkov:skip=CKV_DOCKER_2:fine
FROM ubuntu:22.04
# hadolint ignore=DL3008
# hadolint ignore=DL3015
RUN apt-get install -y curl
# trivy:ignore:DS-0029
# trivy:ignore:DS-0017
RUN apt-get update \\
 && apt-get install -y wget
# hadolint ignore=DL3009

RUN true
FROM debian:12 AS two
# hadolint stage ignore=DL3008
RUN one
RUN two
FROM debian:12 AS three
RUN three
";
        let pragmas = ForeignPragmas::of(&model(text, "2026-01-15"));
        let at = |line: u32| -> Vec<String> {
            pragmas
                .in_scope(Some(line))
                .filter(|f| f.tool != Tool::Checkov)
                .map(|f| f.id.clone())
                .collect()
        };
        assert!(pragmas.in_scope(None).any(|f| f.id == "CKV_DOCKER_2"));
        // Only the pragma right above counts, as in hadolint.
        assert_eq!(at(5), ["DL3015"]);
        // A run of Trivy lines covers the instruction after the last, on
        // every line it spans.
        assert_eq!(at(8), ["DS-0029", "DS-0017"]);
        assert_eq!(at(9), ["DS-0029", "DS-0017"]);
        // A blank line breaks the hadolint pragma.
        assert!(at(12).is_empty());
        // The stage pragma: not the instruction right below it, then every
        // one up to and including the next FROM.
        assert!(at(15).is_empty());
        assert_eq!(at(16), ["DL3008"]);
        assert_eq!(at(17), ["DL3008"]);
        assert!(at(18).is_empty());
        assert_eq!(pragmas.written.len(), 7);
    }

    #[test]
    fn the_index_follows_equivalents() {
        let hd020 = ids(&["hadolint:DL3008", "hadolint:DL3013"]);
        let hd001 = ids(&["hadolint:DL3002", "trivy:DS-0002", "checkov:CKV_DOCKER_8"]);
        let quoting = ids(&["shellcheck:SC2086"]);
        let none: Vec<String> = Vec::new();
        let index = ForeignIndex::new([
            ("HD020", hd020.as_slice()),
            ("HD001", hd001.as_slice()),
            ("SH001", quoting.as_slice()),
            ("SC2046", none.as_slice()),
        ]);
        let rules = |tool: Tool, id: &str| -> Vec<String> {
            let foreign = ForeignId {
                tool,
                id: id.to_string(),
            };
            index.rules(&foreign).map(str::to_string).collect()
        };
        assert_eq!(rules(Tool::Hadolint, "DL3008"), ["HD020"]);
        assert_eq!(rules(Tool::Hadolint, "SC2086"), ["SH001"]);
        assert_eq!(rules(Tool::Hadolint, "SC2046"), ["SC2046"]);
        assert_eq!(rules(Tool::Trivy, "avd-ds-0002"), ["HD001"]);
        assert_eq!(rules(Tool::Trivy, "DS002"), ["HD001"]);
        assert_eq!(rules(Tool::Trivy, "*"), ["HD001"]);
        assert_eq!(rules(Tool::Checkov, "CKV_DOCKER_8"), ["HD001"]);
        assert!(rules(Tool::Hadolint, "DL3059").is_empty());
        assert!(rules(Tool::Checkov, "DL3008").is_empty());
    }
}
