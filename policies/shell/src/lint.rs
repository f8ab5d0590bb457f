//! Runs shuck-linter on a `RUN` script and turns its diagnostics into
//! findings on the Dockerfile's lines.
//!
//! The linter is given what hadolint gives ShellCheck: a shebang naming
//! the stage's shell, an `export NAME=1` for each variable the build
//! defines (so they do not read as unassigned), then the script. The
//! exports are one command (`export A=1 B=1`): the same bindings, in the
//! same order, as one line each, for about a third less of the linter's
//! work per variable (every command is parsed, modelled and checked).

use std::sync::OnceLock;

use shuck_linter::{AnalysisRequest, LinterSettings, Rule, ShellCheckCodeMap, ShellDialect};
use shuck_parser::parser::Parser;
use tallyman_sdk::model::{Instruction, Stage};
use tallyman_sdk::{Finding, Rule as PolicyRule};

use crate::memo::{self, Raw};
use crate::rules;
use crate::script::Script;

/// What the linter is told about the script.
pub struct Context<'a> {
    pub dialect: ShellDialect,
    /// The shell's program, for the shebang (`/bin/bash`).
    pub shell: &'a str,
    /// Variables set before the script runs.
    pub defined: &'a [String],
}

/// A diagnostic with a ShellCheck code, on a line of the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static PolicyRule,
    pub message: String,
    pub line: u32,
}

/// The diagnostics shuck reports on `script`, each placed on its line;
/// through the [`memo`] of sources already linted.
pub fn lint(script: &Script, context: &Context) -> Vec<Diagnostic> {
    let (source, header_len) = with_header(&script.text, context);
    let raw = memo::diagnostics(context.dialect, source, |source| {
        lint_source(source, header_len, context.dialect)
    });
    place(&raw, script)
}

/// [`lint`] without the memo: the linter runs on every call.
pub fn lint_unremembered(script: &Script, context: &Context) -> Vec<Diagnostic> {
    let (source, header_len) = with_header(&script.text, context);
    place(&lint_source(&source, header_len, context.dialect), script)
}

/// shuck's diagnostics on the script of `source` (after its header of
/// `header_len` bytes), at offsets of the script.
fn lint_source(source: &str, header_len: usize, dialect: ShellDialect) -> Vec<Raw> {
    let parsed = Parser::with_dialect(source, dialect.parser_dialect()).parse();
    AnalysisRequest::from_parse_result(&parsed, source, settings(dialect))
        .with_shellcheck_map(code_map())
        .lint()
        .into_iter()
        .filter_map(|diagnostic| {
            Some(Raw {
                offset: diagnostic.span.start.offset().checked_sub(header_len)?,
                rule: policy_rule(diagnostic.rule)?,
                message: diagnostic.message,
            })
        })
        .collect()
}

/// The diagnostics on the script's lines.
fn place(raw: &[Raw], script: &Script) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = raw
        .iter()
        .map(|raw| Diagnostic {
            rule: raw.rule,
            message: raw.message.clone(),
            line: script.line_of(raw.offset),
        })
        .collect();
    // ShellCheck reports a code once per place; shuck can report one
    // expansion from two facts of the same command.
    diagnostics
        .sort_by(|a, b| (a.line, a.rule.id, &a.message).cmp(&(b.line, b.rule.id, &b.message)));
    diagnostics.dedup();
    diagnostics
}

/// The script behind a shebang and the exports, and where the script
/// starts in it. A heredoc script's own shebang is blanked (same length,
/// so offsets hold): the linter reads the one in front.
fn with_header(text: &str, context: &Context) -> (String, usize) {
    let mut source = format!("#!{}\n", context.shell);
    if !context.defined.is_empty() {
        source.push_str("export");
        for name in context.defined {
            source.push(' ');
            source.push_str(name);
            source.push_str("=1");
        }
        source.push('\n');
    }
    let header_len = source.len();
    match text.strip_prefix("#!") {
        Some(rest) => {
            source.push_str("# ");
            source.push_str(rest);
        }
        None => source.push_str(text),
    }
    (source, header_len)
}

/// Every shuck rule with a ShellCheck code this policy reports, in
/// `dialect`: built once per dialect rather than copied for every script.
fn settings(dialect: ShellDialect) -> &'static LinterSettings {
    static BY_DIALECT: [OnceLock<LinterSettings>; 7] = [const { OnceLock::new() }; 7];
    let slot = match dialect {
        ShellDialect::Unknown => 0,
        ShellDialect::Sh => 1,
        ShellDialect::Bash => 2,
        ShellDialect::Dash => 3,
        ShellDialect::Ksh => 4,
        ShellDialect::Mksh => 5,
        ShellDialect::Zsh => 6,
    };
    BY_DIALECT[slot].get_or_init(|| {
        LinterSettings::for_rules(Rule::iter().filter(|rule| policy_rule(*rule).is_some()))
            .with_shell(dialect)
    })
}

fn code_map() -> &'static ShellCheckCodeMap {
    static MAP: OnceLock<ShellCheckCodeMap> = OnceLock::new();
    MAP.get_or_init(ShellCheckCodeMap::default)
}

/// The policy's rule for a shuck rule: the one with its ShellCheck code.
pub fn policy_rule(rule: Rule) -> Option<&'static PolicyRule> {
    let code = format!("SC{}", code_map().code_for_rule(rule)?);
    rules::ALL
        .binary_search_by(|declared| code_number(declared.id).cmp(&code_number(&code)))
        .ok()
        .and_then(|at| rules::ALL.get(at).copied())
}

fn code_number(id: &str) -> u32 {
    id.get(2..).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Findings for `diagnostics` of the `RUN` `instruction` of `stage`.
pub fn findings(
    diagnostics: Vec<Diagnostic>,
    stage: &Stage,
    instruction: &Instruction,
) -> Vec<Finding> {
    diagnostics
        .into_iter()
        .map(|diagnostic| {
            Finding::at(diagnostic.rule, (stage, instruction))
                .on_line(diagnostic.line)
                .message(diagnostic.message)
        })
        .collect()
}
