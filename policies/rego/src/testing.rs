//! Running a set's `test_` rules, as `opa test` does: a test passes when
//! its rule is true, fails when it is false or undefined.

use crate::bundle::{Bundle, Module};
use crate::describe::{package_of, test_rules};
use crate::runner::engine_for;

/// One test's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// `data.<package>.<test>`.
    pub name: String,
    /// The module it is written in.
    pub path: String,
    pub result: TestResult,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestResult {
    Pass,
    Fail,
    /// Evaluating it failed (an error, not a false result).
    Error(String),
}

/// Runs every `test_` rule of `modules` (all of them loaded together, with
/// `data`), in module order.
pub fn run_tests(modules: &[Module], data: &serde_json::Value) -> Result<Vec<TestOutcome>, String> {
    crate::forbidden::check_modules(modules)?;
    let bundle = Bundle {
        name: String::new(),
        modules: modules.to_vec(),
        data: data.clone(),
        entries: Vec::new(),
    };
    let mut engine = engine_for(&bundle)?;
    let mut outcomes = Vec::new();
    for module in modules {
        let Some(package) = package_of(&module.text) else {
            continue;
        };
        for test in test_rules(&module.text) {
            let name = format!("data.{package}.{test}");
            let result = match engine.eval_rule(name.clone()) {
                Ok(value) if passes(&value) => TestResult::Pass,
                Ok(_) => TestResult::Fail,
                Err(error) => TestResult::Error(error.to_string()),
            };
            outcomes.push(TestOutcome {
                name,
                path: module.path.clone(),
                result,
            });
        }
    }
    Ok(outcomes)
}

/// A test passes when its rule is true; a parameterised test
/// (`test_x[name] if ...`) when each of its cases is.
fn passes(value: &regorus::Value) -> bool {
    match value {
        regorus::Value::Bool(true) => true,
        regorus::Value::Object(cases) => {
            !cases.is_empty() && cases.values().all(|v| *v == regorus::Value::Bool(true))
        }
        regorus::Value::Set(cases) => !cases.is_empty(),
        _ => false,
    }
}
