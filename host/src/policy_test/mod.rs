//! `tallyman policy test`: runs a policy on its test cases and compares
//! what it reports with what each case expects, with output in the shape
//! of `cargo test`.
//!
//! The policy is a `.wasm` component, a built-in, or a project that is
//! built first ([`project`]). Cases are read by [`cases`] (case
//! directories with an `expected.yaml`, and the built-in policies' fixture
//! files), run through the engine exactly as a scan runs them (the same
//! parser, lowering, sandbox and output checks), and compared by [`check`].

pub mod cases;
pub mod check;
pub mod project;
mod render;

use std::io::Write;
use std::time::{Duration, Instant};

use tallyman_dockerfile::model::{Dockerfile, Finding};
use tallyman_dockerfile::{LowerOptions, ParseOptions, parse_and_lower};

use crate::engine::{ConfiguredPolicy, Diagnostics, Engine, Policy};
use cases::{BrokenCase, Case, DockerfileInput, Input};
use check::Mismatch;

/// How one case ended.
#[derive(Debug, Clone)]
pub enum CaseResult {
    Passed,
    /// The findings differ from the expectation.
    Mismatched {
        mismatches: Vec<Mismatch>,
        findings: Vec<Finding>,
        diagnostics: Diagnostics,
    },
    /// The case could not be run: unreadable, rejected settings, a
    /// Dockerfile the parser refuses, or a policy error (trap, timeout,
    /// invalid output).
    Error {
        reason: String,
        diagnostics: Diagnostics,
    },
}

/// A case's name and how it ended.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub name: String,
    pub result: CaseResult,
}

impl CaseOutcome {
    pub fn passed(&self) -> bool {
        matches!(self.result, CaseResult::Passed)
    }
}

/// The counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    /// Cases left out by the name filter.
    pub filtered_out: usize,
    pub elapsed: Duration,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}

/// Runs `cases` (and reports `broken` ones as failures) with `policy`,
/// writing one line per case as it finishes, then every failure with its
/// differences, then a summary line. `filter` keeps the cases whose name
/// contains it.
pub fn run(
    engine: &Engine,
    policy: &Policy,
    cases: &[Case],
    broken: &[BrokenCase],
    filter: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<Summary> {
    let started = Instant::now();
    let selected = |name: &str| filter.is_none_or(|part| name.contains(part));
    let total = cases.len() + broken.len();
    let mut outcomes: Vec<CaseOutcome> = Vec::new();
    let run_count = cases.iter().filter(|c| selected(&c.name)).count()
        + broken.iter().filter(|b| selected(&b.name)).count();
    writeln!(
        out,
        "\nrunning {run_count} {}",
        if run_count == 1 { "case" } else { "cases" }
    )?;
    for broken in broken.iter().filter(|b| selected(&b.name)) {
        let outcome = CaseOutcome {
            name: broken.name.clone(),
            result: CaseResult::Error {
                reason: broken.reason.clone(),
                diagnostics: Diagnostics::default(),
            },
        };
        render::case_line(&outcome, out)?;
        outcomes.push(outcome);
    }
    for case in cases.iter().filter(|c| selected(&c.name)) {
        let outcome = CaseOutcome {
            name: case.name.clone(),
            result: run_case(engine, policy, case),
        };
        render::case_line(&outcome, out)?;
        outcomes.push(outcome);
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let summary = Summary {
        passed: outcomes.len() - failed,
        failed,
        filtered_out: total - outcomes.len(),
        elapsed: started.elapsed(),
    };
    render::failures(&outcomes, out)?;
    render::summary(&summary, out)?;
    Ok(summary)
}

/// Runs one case through the engine, as a scan would.
pub fn run_case(engine: &Engine, policy: &Policy, case: &Case) -> CaseResult {
    let error = |reason: String| CaseResult::Error {
        reason,
        diagnostics: Diagnostics::default(),
    };
    if let Err(e) = engine.validate_settings(policy, &case.settings) {
        return error(format!(
            "the policy rejected the settings {}: {}",
            case.settings, e.message
        ));
    }
    let configured = [ConfiguredPolicy::new(policy.clone(), case.settings.clone())];
    let mut session = engine.session(&configured);
    let outcomes = match &case.input {
        Input::Dockerfile(input) => match model(input) {
            Ok(model) => session.check_dockerfile(&model),
            Err(reason) => return error(reason),
        },
        Input::Image(image) => session.check_image(image),
    };
    let Some(outcome) = outcomes.into_iter().next() else {
        return error("the engine returned no outcome".to_string());
    };
    match outcome.result {
        Ok(findings) => {
            let mismatches = check::compare(&case.expectation, &findings);
            if mismatches.is_empty() {
                CaseResult::Passed
            } else {
                CaseResult::Mismatched {
                    mismatches,
                    findings,
                    diagnostics: outcome.diagnostics,
                }
            }
        }
        Err(e) => CaseResult::Error {
            reason: format!("{}: {}", e.kind.as_str(), e.message),
            diagnostics: outcome.diagnostics,
        },
    }
}

/// Parses and lowers a case's Dockerfile the way a scan does.
fn model(input: &DockerfileInput) -> Result<Dockerfile, String> {
    let options = LowerOptions {
        path: input.path.clone(),
        evaluated_on: input.evaluated_on.clone(),
        target: input.target.clone(),
        build_args: input.build_args.clone(),
        build_context: input.build_context.clone(),
        ..LowerOptions::default()
    };
    parse_and_lower(input.text.as_bytes(), &ParseOptions::default(), &options)
        .map_err(|e| format!("not a Dockerfile BuildKit accepts: {e}"))
}
